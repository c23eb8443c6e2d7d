// Encoding and decoding of single instructions (seed 003's 1-to-4-byte format).
//
// Narrow form: opcode byte, then one byte per operand (unsigned, or two's-complement for
// `imm`). Wide form: the `Wide` prefix byte, the opcode byte, then four bytes per operand
// (little-endian; `imm` signed, others unsigned). Decoding never throws anything but a
// `ModuleError` with the offset of the bad byte.
//
// The `Ext` row is irregular: after its first operand (an entry of the module's extension
// table, ext.ts) come that entry's own operands, so decoding it needs the table.

import { OPCODES, Op, isSigned, type OperandKind } from "./opcodes.js";
import { ModuleError, type Module } from "./module.js";
import { extOperandKind, type ExtDecl } from "./ext.js";

export interface Instr {
  /** Byte offset of the instruction (of its Wide prefix, if any) in its function. */
  offset: number;
  /** Total bytes, prefix included. */
  size: number;
  op: number;
  operands: number[];
}

const WIDE = Op.Wide;

/** The kinds of an instruction's operands, in order: its row's, and for `Ext` the entry's own after. */
export function operandKinds(op: number, exts: readonly ExtDecl[], extIndex = -1): readonly OperandKind[] {
  const row = OPCODES[op].operands;
  if (op !== Op.Ext) return row;
  const d = exts[extIndex];
  return d === undefined ? row : [...row, ...d.operands.map(extOperandKind)];
}

/** How an instruction's name is written: its row's mnemonic, or an extension opcode's own name. */
export function mnemonicOf(m: Module, op: number, operands: readonly number[]): string {
  return op === Op.Ext ? (m.exts?.[operands[0]]?.name ?? "Ext") : OPCODES[op].mnemonic;
}

/** Do the operands (of these kinds) fit one byte each? */
export function fitsNarrow(kinds: readonly OperandKind[], operands: readonly number[]): boolean {
  for (let i = 0; i < operands.length; i++) {
    const v = operands[i];
    if (isSigned(kinds[i]) ? v < -128 || v > 127 : v < 0 || v > 255) return false;
  }
  return true;
}

/** Bytes of an instruction, choosing the wide form when needed or asked for (`kinds`: operandKinds). */
export function encodeInstr(op: number, operands: readonly number[], forceWide = false, kinds: readonly OperandKind[] = OPCODES[op].operands): number[] {
  const out: number[] = [];
  if (forceWide || !fitsNarrow(kinds, operands)) {
    out.push(WIDE, op);
    for (const v of operands) out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  } else {
    out.push(op);
    for (const v of operands) out.push(v & 0xff);
  }
  return out;
}

export function instrSize(operands: readonly number[], wide: boolean): number {
  const n = operands.length;
  return wide ? 2 + 4 * n : 1 + n;
}

/** Decodes every instruction of a function's code (`exts`: the module's extension table). */
export function decodeFunction(code: Uint8Array, where: string, exts: readonly ExtDecl[] = []): Instr[] {
  const out: Instr[] = [];
  let pc = 0;
  while (pc < code.length) {
    const start = pc;
    let op = code[pc++];
    let wide = false;
    if (op === WIDE) {
      if (pc >= code.length) throw new ModuleError(`${where}: Wide prefix at byte ${start} ends the code`);
      op = code[pc++];
      wide = true;
      if (op === WIDE) throw new ModuleError(`${where}: two Wide prefixes at byte ${start}`);
    }
    const info = OPCODES[op];
    if (!info) throw new ModuleError(`${where}: invalid opcode ${op} at byte ${pc - 1}`);
    const operands: number[] = [];
    let kinds: readonly OperandKind[] = info.operands;
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      if (wide) {
        if (pc + 4 > code.length) throw new ModuleError(`${where}: ${info.name} at byte ${start} is truncated`);
        const u = code[pc] | (code[pc + 1] << 8) | (code[pc + 2] << 16) | (code[pc + 3] << 24);
        operands.push(isSigned(kind) ? u : u >>> 0);
        pc += 4;
      } else {
        if (pc + 1 > code.length) throw new ModuleError(`${where}: ${info.name} at byte ${start} is truncated`);
        const b = code[pc++];
        operands.push(isSigned(kind) ? (b << 24) >> 24 : b);
      }
      if (kind === "ext") {
        if (exts[operands[0]] === undefined) throw new ModuleError(`${where}: Ext at byte ${start} names extension opcode #${operands[0]}, which the module's extension table (${exts.length} entries) does not have`);
        kinds = operandKinds(op, exts, operands[0]);
      }
    }
    out.push({ offset: start, size: pc - start, op, operands });
  }
  return out;
}
