// Build step: the observer page (src/observe/page/) as one self-contained file,
// dist/observe.html, with its script and style inline — the server sends it as is, and the
// page loads nothing from anywhere else. The page is type-checked by its own tsconfig (it
// runs in a browser, with the DOM's types) before this step.

import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dir = `${root}src/observe/page/`;

const js = await build({
  entryPoints: [`${dir}main.ts`],
  bundle: true,
  write: false,
  format: "iife",
  target: "es2022",
  minify: true,
  logLevel: "warning",
});
const script = js.outputFiles[0].text.replace(/<\/script/gi, "<\\/script");
const style = readFileSync(`${dir}style.css`, "utf8");
const html = readFileSync(`${dir}index.html`, "utf8");
mkdirSync(`${root}dist`, { recursive: true });
// Functions as replacements: `$` in the script must not be read as a replacement pattern.
writeFileSync(`${root}dist/observe.html`, html.replace("/*STYLE*/", () => style).replace("/*SCRIPT*/", () => script));
