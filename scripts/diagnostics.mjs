// Writes docs/diagnostics.md from the catalogue of diagnostic codes (src/diag/codes.ts),
// through the compiled renderer (src/cli/explain.ts). Run by `npm run docs:diagnostics`.
import { writeFileSync } from "node:fs";
import { diagnosticsMarkdown } from "../dist/src/cli/explain.js";
import { Raft } from "../dist/src/raft.js";

writeFileSync(new URL("../docs/diagnostics.md", import.meta.url), diagnosticsMarkdown(new Raft()));
