// The disassembler: a module back to Raft assembly that the assembler turns into the same
// bytes. The constant pool is written out first (`.const`, `.type`, `.typeset`, `.native`) so operands
// resolve to the same indices; positions become `.line` directives wherever they change;
// jump targets become labels `L<offset>`; an instruction that was wide is written `Wide ...`.
// The extension table becomes `.ext` directives, in order, and each use of an extension
// opcode is written by its name.

import { OPCODES, Op, patternWidth, type AsmPattern, type OperandKind } from "./opcodes.js";
import { extDirective, extOperandKind, extPattern } from "./ext.js";
import { decodeFunction, mnemonicOf } from "./encoding.js";
import type { Const, Module } from "./module.js";
import { quote } from "./assembler.js";
import { formatFloatConst } from "./float-text.js";
import { SHAPES, copyShapes, formatPlace } from "./places.js";

export function constText(c: Const): string {
  switch (c.tag) {
    case "int":
      return String(c.value);
    case "float":
      return formatFloatConst(c.value);
    case "string":
      return quote(c.value);
    default:
      return c.value;
  }
}

/** The places of a CopyPlaces, LoadPlace or StorePlace as written (a bad mode as a comment-free marker). */
function placesText(m: Module, name: string, ops: readonly number[]): string[] {
  const shapes = name === "CopyPlaces" ? copyShapes(ops[0]) : SHAPES[ops[0]] ? [ops[0]] : null;
  if (shapes === null) return [`<mode ${ops[0]}>`];
  return shapes.map((s, i) => formatPlace(SHAPES[s], ops[i + 1], m.consts, (c) => (c ? constText(c) : "?")));
}

/**
 * The operands of one instruction as assembly writes them. `label` and `native` name a jump
 * target and a native as the operands encode them (byte offsets and pool indices in a
 * module; the linked program's own in a trace: vm/trace.ts).
 */
export function operandTexts(m: Module, op: number, operands: readonly number[], label: (v: number) => string, native: (v: number) => string): string[] {
  const info = OPCODES[op];
  if (info.operands[0] === "mode") return placesText(m, info.name, operands);
  let asm: readonly AsmPattern[] = info.asm;
  let kinds: readonly OperandKind[] = info.operands;
  let from = 0;
  const ext = op === Op.Ext ? m.exts?.[operands[0]] : undefined;
  if (ext !== undefined) {
    // Written by its name (mnemonicOf), its own operands as its kinds are written.
    asm = ext.operands.map(extPattern);
    kinds = [info.operands[0], ...ext.operands.map(extOperandKind)];
    from = 1;
  }
  const parts: string[] = [];
  let k = from;
  for (const pat of asm) {
    const v = operands[k];
    const kind = kinds[k];
    switch (pat) {
      case "#":
        parts.push("#" + (kind === "native" ? native(v) : m.consts[v] ? constText(m.consts[v]) : "?"));
        break;
      case "$":
        parts.push(`$${v}`);
        break;
      case "@":
        parts.push(kind === "fn" ? `@${m.functions[v]?.name ?? v}` : label(v));
        break;
      case "n":
        parts.push(String(v));
        break;
      case "&":
        parts.push(`&${v}`);
        break;
      case "&..":
        parts.push(`&${v}..${operands[k + 1]}`);
        break;
      case "&$":
        parts.push(`&$${v}`);
        break;
      case "&$..":
        parts.push(`&$${v}..${operands[k + 1]}`);
        break;
    }
    k += patternWidth(pat);
  }
  return parts;
}

export function disassemble(m: Module): string {
  const out: string[] = [`# Raft assembly of ${m.file}`];
  out.push(`.file ${quote(m.file)}`);
  for (const c of m.consts) {
    if (c.tag === "type") out.push(`.type ${c.value}`);
    else if (c.tag === "typeset") out.push(`.typeset ${c.value}`);
    else if (c.tag === "native") out.push(`.native ${c.value}`);
    else out.push(`.const ${constText(c)}`);
  }
  for (const d of m.exts ?? []) out.push(`.ext ${extDirective(d)}`);
  out.push(`.entry ${m.functions[m.entry]?.name ?? "main"}`);
  m.functions.forEach((f) => {
    out.push("");
    out.push(`fn ${f.name} params=${f.params} locals=${f.locals}`);
    const instrs = decodeFunction(f.code, `function ${f.name}`, m.exts);
    const targets = new Set<number>();
    for (const ins of instrs) OPCODES[ins.op].operands.forEach((k, i) => k === "label" && targets.add(ins.operands[i]));
    let li = 0;
    let lastLine = "";
    for (const ins of instrs) {
      if (targets.has(ins.offset)) out.push(`  L${ins.offset}:`);
      while (li + 1 < f.lines.length && f.lines[li + 1].offset <= ins.offset) li++;
      const l = f.lines[li];
      if (l && l.offset <= ins.offset) {
        const pos = `${l.line}:${l.col}`;
        if (pos !== lastLine) {
          out.push(`    .line ${pos}`);
          lastLine = pos;
        }
      }
      const narrow = ins.size === 1 + ins.operands.length;
      const parts = operandTexts(m, ins.op, ins.operands, (v) => `@L${v}`, (v) => constText(m.consts[v]));
      out.push(`    ${narrow ? "" : "Wide "}${mnemonicOf(m, ins.op, ins.operands)}${parts.length ? " " + parts.join(" ") : ""}`);
    }
  });
  return out.join("\n") + "\n";
}
