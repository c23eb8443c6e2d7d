// Renders the opcode reference in docs/bytecode.md from the opcode table, so the document
// cannot drift from the code (test/bytecode.test.ts compares them; UPDATE_OPS=1 rewrites).

import { OPCODES, type OpInfo } from "./opcodes.js";

const BEGIN = "<!-- opcode table: generated from src/bytecode/opcodes.ts -->";
const END = "<!-- end of opcode table -->";

function form(o: OpInfo): string {
  const ex: Record<string, string> = { "#": "#k", $: "$n", "@": "@l", n: "n", "&": "&a", "&..": "&a..n", "&$": "&$n", "&$..": "&$n..m", P: "PLACE" };
  return [o.mnemonic, ...o.asm.map((p) => ex[p])].join(" ");
}

function stackEffect(e: OpInfo["pops"]): string {
  return typeof e === "number" ? String(e) : "varies";
}

export function opcodeTableMarkdown(): string {
  const rows = OPCODES.map((o, i) => `| ${i} | \`${o.name}\` | \`${form(o)}\` | ${stackEffect(o.pops)} | ${stackEffect(o.pushes)} | ${o.doc.replace(/\|/g, "\\|")} |`);
  return [BEGIN, "", "| # | name | assembly | pops | pushes | meaning |", "|---:|---|---|---:|---:|---|", ...rows, "", END].join("\n");
}

/** Replaces the generated section of a document with the current table. */
export function withOpcodeTable(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) return doc + "\n" + opcodeTableMarkdown() + "\n";
  return doc.slice(0, a) + opcodeTableMarkdown() + doc.slice(b + END.length);
}
