// Renders `op.ts` (the `const enum Op` the interpreter switches on) from the opcode table,
// so that `case Op.Add:` compiles to a literal number. `test/opcodes.test.ts` fails if the
// committed file and the table disagree; `UPDATE_OPS=1 npm test` rewrites it.

import { OPCODES } from "./opcodes.js";

export function opEnumSource(): string {
  const lines = OPCODES.map((o, i) => `  /** ${o.doc} */\n  ${o.name} = ${i},`);
  return [
    "// GENERATED from the opcode table in opcodes.ts by op-enum-source.ts: do not edit by hand.",
    "// Opcode numbers as a const enum, so that the interpreter's switch cases are literals.",
    "",
    "export const enum Op {",
    ...lines,
    "}",
    "",
  ].join("\n");
}
