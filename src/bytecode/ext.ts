// Extension opcodes as the bytecode layer sees them: instructions an embedder defines
// (`vm.defineOpcode`), which a module names in its extension table.
//
// A module that uses extension opcodes lists each one once, by name, with the signature it
// was assembled against (its operand kinds, and how many values it pops and pushes): an
// `ExtDecl`. In the code, every use is the irregular `Ext` row of the opcode table: its first
// operand is the entry's index in that table, and the entry's own operands follow, encoded as
// every operand is (one byte each, or four after a `Wide` prefix). So a module says by itself
// how to decode, verify and disassemble it; only running it needs the definitions, and a VM
// that lacks one (or defines it with another signature) refuses the module when it links it.
//
// An extension opcode takes at most two operands of its own, so that with the table index an
// instruction stays within seed 003's four bytes; it pushes 0 or 1 value.

import type { AsmPattern, OperandKind } from "./opcodes.js";

/**
 * The operand kinds an extension opcode may take, with their assembly marks: `int` a signed
 * integer (`5`), `count` an unsigned one up to 65535 (`5`), `const` a constant (`#300`, `#"hi"`, `#1.5`),
 * `local` a local slot (`$0`; the opcode gets the local's value), `addr` an address in the
 * process's linear memory (`&100`).
 */
export type ExtOperandKind = "int" | "count" | "const" | "local" | "addr";

export const EXT_OPERAND_KINDS: readonly ExtOperandKind[] = ["int", "count", "const", "local", "addr"];

/** Most operands of an extension opcode's own (one more, the table index, makes three). */
export const MAX_EXT_OPERANDS = 2;
/** Most values an extension opcode may pop (it gets them as an array). */
export const MAX_EXT_POPS = 255;

/** One entry of a module's extension table: an extension opcode by name, with its signature. */
export interface ExtDecl {
  name: string;
  operands: readonly ExtOperandKind[];
  pops: number;
  pushes: number;
}

/** What an extension opcode's name must look like: a mnemonic (letters, digits, `_`). */
export const EXT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with an extension opcode's signature, or null. */
export function extProblem(d: ExtDecl): string | null {
  if (typeof d.name !== "string" || !EXT_NAME.test(d.name) || d.name.length > 64) return `bad extension opcode name ${JSON.stringify(String(d.name)).slice(0, 70)} (letters, digits and _, at most 64)`;
  if (d.name.toLowerCase() === "fn") return "fn starts a function in assembly: it cannot name an extension opcode";
  if (!Array.isArray(d.operands) || d.operands.length > MAX_EXT_OPERANDS) return `extension opcode ${d.name}: at most ${MAX_EXT_OPERANDS} operands`;
  for (const k of d.operands) if (!EXT_OPERAND_KINDS.includes(k)) return `extension opcode ${d.name}: unknown operand kind ${JSON.stringify(String(k))} (kinds: ${EXT_OPERAND_KINDS.join(", ")})`;
  if (!Number.isInteger(d.pops) || d.pops < 0 || d.pops > MAX_EXT_POPS) return `extension opcode ${d.name}: pops must be 0 to ${MAX_EXT_POPS}`;
  if (d.pushes !== 0 && d.pushes !== 1) return `extension opcode ${d.name}: pushes must be 0 or 1`;
  return null;
}

/** The opcode table's operand kind an extension operand is encoded and checked as. */
export function extOperandKind(k: ExtOperandKind): OperandKind {
  return k === "int" ? "imm" : k;
}

/** How an extension operand is written in assembly. */
export function extPattern(k: ExtOperandKind): AsmPattern {
  return k === "const" ? "#" : k === "local" ? "$" : k === "addr" ? "&" : "n";
}

/** Do two declarations describe the same opcode (name matched without regard to case)? */
export function sameExt(a: ExtDecl, b: ExtDecl): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.pops === b.pops && a.pushes === b.pushes && a.operands.length === b.operands.length && a.operands.every((k, i) => k === b.operands[i]);
}

/** A signature as the `.ext` directive writes it: `Crc32 operands=addr,int pops=0 pushes=1`. */
export function extDirective(d: ExtDecl): string {
  return `${d.name}${d.operands.length ? ` operands=${d.operands.join(",")}` : ""} pops=${d.pops} pushes=${d.pushes}`;
}

/**
 * Reads the words after `.ext NAME` (`operands=a,b pops=N pushes=N`, any order, each at most
 * once; absent ones are none and 0): the declaration, or what is wrong with it.
 */
export function parseExtDirective(name: string, words: readonly string[]): ExtDecl | string {
  let operands: ExtOperandKind[] = [];
  let pops = 0;
  let pushes = 0;
  const seen = new Set<string>();
  for (const w of words) {
    const m = /^(operands|pops|pushes)=(.*)$/.exec(w);
    if (!m || seen.has(m[1])) return `expected operands=KIND,KIND pops=N pushes=N, found ${w}`;
    seen.add(m[1]);
    if (m[1] === "operands") operands = m[2] === "" ? [] : (m[2].split(",") as ExtOperandKind[]);
    else if (!/^\d{1,3}$/.test(m[2])) return `${m[1]} must be a number`;
    else if (m[1] === "pops") pops = Number(m[2]);
    else pushes = Number(m[2]);
  }
  const d: ExtDecl = { name, operands, pops, pushes };
  return extProblem(d) ?? d;
}
