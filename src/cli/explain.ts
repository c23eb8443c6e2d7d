// The catalogue of diagnostic codes (diag/codes.ts) as text: `raft explain CODE` (an entry's
// title, explanation and examples), `raft explain` (the list of codes), and
// docs/diagnostics.md (every entry, with what its failing example prints), which
// `npm run docs:diagnostics` writes and a test compares with the committed file. The
// examples are compiled here as the CLI compiles a file: `exampleDiagnostics` is also what
// the tests check each example with.

import { link } from "../vm/program.js";
import { ModuleError, moduleDiagnostic } from "../bytecode/module.js";
import { CATALOGUE, entryName, lookupCode, shownTitle, type CodeInfo } from "../diag/codes.js";
import { MAX_RENDERED, renderDiagnostics } from "../diag/render.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Raft } from "../raft.js";

/** The name an example goes by in what it prints. */
export function exampleFile(c: CodeInfo): string {
  return c.lang === "raft" ? "main.raft" : "main.kl";
}

/**
 * What an example program reports before it would run: the compiler's (or assembler's)
 * diagnostics, then, for a module that compiled, the linker's (an unknown native).
 */
export function exampleDiagnostics(raft: Raft, lang: "kaylee" | "raft", text: string, file: string): Diagnostic[] {
  const r = lang === "raft" ? raft.assemble(text, file) : raft.compile(text, file);
  if (!r.module) return r.diagnostics;
  try {
    link(r.module, raft.natives);
  } catch (e) {
    if (e instanceof ModuleError) return [...r.diagnostics, moduleDiagnostic(file, e)];
    throw e;
  }
  return r.diagnostics;
}

const indent = (text: string) =>
  text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => (l ? "    " + l : ""))
    .join("\n");

/** An entry's name and, when that is a summary, the title it stands for. */
function heading(c: CodeInfo): string {
  return c.summary === null ? shownTitle(c) : `${c.summary} (the title: ${shownTitle(c)})`;
}

/** `raft explain CODE`: the entry's title, explanation and examples; null for an unknown code. */
export function explainText(code: string): string | null {
  const c = lookupCode(code);
  if (!c) return null;
  const out = [`${c.code}: ${heading(c)}`, "", c.explain];
  if (c.bad !== null && c.good !== null) {
    const what = c.lang === "shell" ? ["These commands fail:", "These work:"] : ["This fails:", "This works:"];
    out.push("", what[0], "", indent(c.bad), "", what[1], "", indent(c.good));
  }
  return out.join("\n") + "\n";
}

/** `raft explain` alone: every code with its title. */
export function codeList(): string {
  const rows = (prefix: string) =>
    CATALOGUE.filter((c) => c.code.startsWith(prefix))
      .map((c) => `  ${c.code}  ${entryName(c)}`)
      .join("\n");
  return `Kaylee:\n${rows("E")}\n\nAssembly and modules:\n${rows("A")}\n\n\`raft explain CODE\` explains one, with a failing and a fixed example.\n`;
}

const INTRO = `# Diagnostics

<!-- Generated from src/diag/codes.ts by \`npm run docs:diagnostics\`; a test fails when this file differs. -->

Every problem the compiler, the assembler or the module loader finds is a diagnostic with a
code: \`E0001\`... for Kaylee, \`A0001\`... for Raft assembly and the verifier's refusals of it,
\`A0101\`... for modules (\`.rbc\` files, and natives resolved when a module is linked). A code
is never renumbered or reused. Each entry below gives the title (its \`UPPERCASE\` words are
filled in by the program at hand), what it means, a program that fails with exactly that
code, what that program prints, and the program fixed.

A diagnostic shows its code on its last line, as the command that explains it:

\`\`\`text
error: type mismatch: expected integer, found string
 --> guess.kl:1:22
  |
1 | let guess: integer = "five";
  |                      ^^^^^^ this is a string
  = hint: to parse a string, use .into(): "five".into()
  = explain: raft explain E0052
\`\`\`

The first line is always the severity and the title; the \`-->\` line gives file, line and
column (a column counts characters); secondary labels (\`---\`) point at related places, and a
hint says what to do where one helps. Colour is used only when stderr is a terminal and
\`NO_COLOR\` is unset. Every error in a file is reported, in the order of the file; the CLI
(and \`raft.render\` in the library) prints the first ${MAX_RENDERED} and then a line
\`... and N more errors\`, and exits with code 2. \`raft explain CODE\` prints an entry of
this page; \`raft explain\` lists the codes. In the library, each diagnostic is data with its
\`code\` (see [embedding.md](embedding.md)).

To add a diagnostic: add an entry to \`src/diag/codes.ts\` with the next free code of its
range, a title (its \`{HOLES}\` are filled where it is raised, and TypeScript checks them), an
explanation and both examples; raise it with the entry (\`K.name({ NAME: ... })\`); add a
program that produces it under \`test/diagnostics/\`; then \`UPDATE_GOLDEN=1 npm test\`
writes that program's \`.stderr\` and this page, and fails until you have reviewed and
committed them (\`npm run docs:diagnostics\` writes this page alone). The tests check that
the failing example fails with exactly its code and that the fixed one runs.
`;

/** docs/diagnostics.md: every entry of the catalogue. */
export function diagnosticsMarkdown(raft: Raft): string {
  const out = [INTRO, "## Index", "", "| code | title |", "|---|---|"];
  for (const c of CATALOGUE) out.push(`| [${c.code}](#${c.code.toLowerCase()}) | ${entryName(c).replace(/\|/g, "\\|")} |`);
  out.push("");
  let section = "";
  for (const c of CATALOGUE) {
    const s = c.code.startsWith("E") ? "Kaylee" : c.code < "A0100" ? "Assembly" : "Modules";
    if (s !== section) out.push(`## ${s}`, "");
    section = s;
    out.push(`### ${c.code}`, "", `**${heading(c).replace(/\*/g, "\\*")}**`, "", c.explain, "");
    if (c.bad === null || c.good === null) continue;
    if (c.lang === "shell") {
      out.push("These commands fail (exit code 2):", "", "```text", ...c.bad.replace(/\n$/, "").split("\n").map((l) => `$ ${l}`), "```", "", "These work:", "", "```sh", c.good.replace(/\n$/, ""), "```", "");
      continue;
    }
    const file = exampleFile(c);
    const shown = renderDiagnostics(exampleDiagnostics(raft, c.lang, c.bad, file), c.bad);
    const fence = (info: string, text: string) => ["```" + info, text.replace(/\n$/, ""), "```"];
    out.push("This fails:", "", ...fence(`${c.lang} error=${c.code}`, c.bad), "", ...fence("text", shown), "", "This works:", "", ...fence(`${c.lang} fragment`, c.good), "");
  }
  return out.join("\n");
}
