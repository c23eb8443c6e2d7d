// Writes docs/reference.md from the standard library's table (src/lang/builtins.ts), through the
// compiled renderer (src/lang/reference.ts). Run by `npm run docs:reference` after a build.
import { writeFileSync } from "node:fs";
import { referenceMarkdown } from "../dist/src/lang/reference.js";

writeFileSync(new URL("../docs/reference.md", import.meta.url), referenceMarkdown());
