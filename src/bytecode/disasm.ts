// The disassembler: a module back to Raft assembly that the assembler turns into the same
// bytes. The constant pool is written out first (`.const`, `.type`, `.typeset`, `.native`) so operands
// resolve to the same indices; positions become `.line` directives wherever they change;
// jump targets become labels `L<offset>`; an instruction that was wide is written `Wide ...`.

import { OPCODES, patternWidth } from "./opcodes.js";
import { decodeFunction } from "./encoding.js";
import type { Const, Module } from "./module.js";
import { quote } from "./assembler.js";
import { formatFloatConst } from "./float-text.js";

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

export function disassemble(m: Module): string {
  const out: string[] = [`# Raft assembly of ${m.file}`];
  out.push(`.file ${quote(m.file)}`);
  for (const c of m.consts) {
    if (c.tag === "type") out.push(`.type ${c.value}`);
    else if (c.tag === "typeset") out.push(`.typeset ${c.value}`);
    else if (c.tag === "native") out.push(`.native ${c.value}`);
    else out.push(`.const ${constText(c)}`);
  }
  out.push(`.entry ${m.functions[m.entry]?.name ?? "main"}`);
  m.functions.forEach((f) => {
    out.push("");
    out.push(`fn ${f.name} params=${f.params} locals=${f.locals}`);
    const instrs = decodeFunction(f.code, `function ${f.name}`);
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
      const info = OPCODES[ins.op];
      const narrow = ins.size === 1 + info.operands.length;
      const parts: string[] = [];
      let k = 0;
      for (const pat of info.asm) {
        const v = ins.operands[k];
        const kind = info.operands[k];
        switch (pat) {
          case "#":
            parts.push("#" + constText(m.consts[v]));
            break;
          case "$":
            parts.push(`$${v}`);
            break;
          case "@":
            parts.push(kind === "fn" ? `@${m.functions[v].name}` : `@L${v}`);
            break;
          case "n":
            parts.push(String(v));
            break;
          case "&":
            parts.push(`&${v}`);
            break;
          case "&..":
            parts.push(`&${v}..${ins.operands[k + 1]}`);
            break;
          case "&$":
            parts.push(`&$${v}`);
            break;
          case "&$..":
            parts.push(`&$${v}..${ins.operands[k + 1]}`);
            break;
        }
        k += patternWidth(pat);
      }
      out.push(`    ${narrow ? "" : "Wide "}${info.mnemonic}${parts.length ? " " + parts.join(" ") : ""}`);
    }
  });
  return out.join("\n") + "\n";
}
