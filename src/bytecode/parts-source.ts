// Renders `vm/jit-parts.ts` from the opcode table: every row's parts expanded (semantics.ts
// `expandAll`: a superinstruction's parts with their operand references made the row's own),
// the kind of value each row leaves on the stack (`pushedKind`) and the locals it stores into
// (`localWrites`). The second tier reads the table, as JSON, when it first compiles something:
// expanding it there cost about a millisecond and 200 KB of short-lived objects in every run
// that tiers up, while V8 still runs the expansion's code in its interpreter.
// test/bytecode.test.ts fails if the committed file and the table disagree;
// `UPDATE_OPS=1 node --test dist/test/bytecode.test.js` rewrites it.

import { OPCODES } from "./opcodes.js";
import { expandAll, localWrites, pushedKind } from "./semantics.js";

export function partsSource(): string {
  const parts = expandAll(OPCODES);
  const rows = parts.map((p, i) => `  ${JSON.stringify(p === null ? [null, "", []] : [p, pushedKind(p), localWrites(p)])}${i + 1 < parts.length ? "," : ""}`);
  const text = ["[", ...rows, "]"].join("\n");
  if (/[`\\]|\$\{/.test(text)) throw new Error("parts-source: the table's JSON would need escaping in a template literal");
  return [
    "// GENERATED from the opcode table in bytecode/opcodes.ts by bytecode/parts-source.ts: do not edit by hand.",
    "// One row per opcode: [its parts, or null for an irregular instruction; the kind of value it",
    "// pushes; the locals it stores into, with the kinds stored] (see bytecode/semantics.ts).",
    "",
    `export const EXPANDED_ROWS = \`${text}\`;`,
    "",
  ].join("\n");
}
