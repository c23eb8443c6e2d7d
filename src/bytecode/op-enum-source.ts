// Renders `op.ts` from the opcode table: the `const enum Op` the interpreter switches on, so
// that `case Op.Add:` compiles to a literal number, and the `const enum Size` of each
// instruction's code slots, so that a hand-written case's `pc += Size.Call` is a literal too.
// test/bytecode.test.ts fails if the committed file and the table disagree;
// `UPDATE_OPS=1 node --test dist/test/bytecode.test.js` rewrites it.

import { OPCODES } from "./opcodes.js";

export function opEnumSource(): string {
  const lines = OPCODES.map((o, i) => `  /** ${o.doc} */\n  ${o.name} = ${i},`);
  const sizes = OPCODES.map((o) => `  ${o.name} = ${1 + o.operands.length},`);
  return [
    "// GENERATED from the opcode table in opcodes.ts by op-enum-source.ts: do not edit by hand.",
    "// Opcode numbers as a const enum, so that the interpreter's switch cases are literals.",
    "",
    "export const enum Op {",
    ...lines,
    "}",
    "",
    "/** Code slots an instruction takes in a linked program (its opcode and its operands): `pc += Size.Call`. */",
    "export const enum Size {",
    ...sizes,
    "}",
    "",
  ].join("\n");
}
