// Writes the interpreter's cases for the regular instructions (rows of the opcode table with a
// `sem`, and superinstructions made of such rows: bytecode/semantics.ts) as TypeScript source,
// between two marker lines inside the interpreter's switch in interpreter.ts. Everything
// outside the markers is written by hand: the loop, and one case for each irregular
// instruction. test/bytecode.test.ts fails when the committed region differs from what this
// renders; `UPDATE_OPS=1 node --test dist/test/bytecode.test.js` rewrites it (and fails,
// so the run that rewrote is never green; under CI it refuses).
//
// Each case keeps a literal label (`case Op.X:` compiles to a number, so V8 builds a jump
// table) and literal operand offsets and instruction size computed from the row. A
// superinstruction's parts are composed on a symbolic stack: values one part pushes and the
// next pops never touch the operand stack, a local just stored is not read back, and the
// stack is written once at the end; a branch ends the instruction through the one taken-branch
// stanza below (`break backEdge` for a backward target: the loop's reduction count).

import { OPCODES, type OpInfo } from "../bytecode/opcodes.js";
import { OPERATORS, checkRow, expand, operandOf, type Arg, type Lowering, type Part, type Val } from "../bytecode/semantics.js";

const BEGIN = "// ── generated from the opcode table by vm/interp-source.ts: the regular instructions (UPDATE_OPS=1 rewrites) ──";
const END = "// ── end of the generated cases ──";
/** Indentation of a case label inside the interpreter's switch; statements go two deeper. */
const IND = " ".repeat(10);

/** The interpreter's names for the helpers operator code calls (imported by interpreter.ts). */
const HELPERS = { F: "Math.fround", ovf: "overflow", div: "divFault", pow: "intPow", fpow: "floatPow", byte: "byteFault", len: "lengthOf", eqv: "valuesEqualCharged", istr: "indexString", KError: "KError" } as const;

const indent = (lines: string): string => lines.split("\n").map((l) => `  ${l}`).join("\n");

/** Is `e` a name or a literal (safe to repeat, nothing to bind)? */
const atom = (e: string): boolean => /^(-?\d+|[A-Za-z_$][\w$]*)$/.test(e);

/** The source of one regular row's case (label, body, `break`), or null for an irregular row. */
export function caseSource(row: OpInfo, rows: readonly OpInfo[] = OPCODES): string | null {
  const parts = expand(row, rows);
  if (parts === null) return null;
  checkRow(row, parts);
  const size = 1 + row.operands.length;
  const out: string[] = [];
  const used = new Set<string>();
  const fresh = (base: string): string => {
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}${i}`;
    used.add(n);
    return n;
  };
  const bind = (base: string, e: string): string => {
    const n = fresh(base);
    out.push(`const ${n} = ${e};`);
    return n;
  };
  /** Values pushed by earlier parts and not yet written to the stack (`lazy`: a local's slot, read when used). */
  const pending: { e: string; lazy: boolean; known: boolean }[] = [];
  /** Values taken from the operand stack as the instruction found it. */
  let popped = 0;
  /** Locals this instruction stored, by slot expression: the name holding the value. */
  const known = new Map<string, string>();
  const operand = (i: number) => `code[pc + ${1 + i}]`;
  const slot = (i: number) => `stack[base + ${operand(i)}]`;
  const constTag = row.constTag === "int" || row.constTag === "float";

  /** The values a part reads, in the order of its args (stack values deepest first); none bound yet. */
  const read = (args: readonly Val[]): { e: string; lazy: boolean; known: boolean }[] => {
    const k = args.filter((v) => v === "s").length;
    const fromPending = Math.min(k, pending.length);
    const fromStack: { e: string; lazy: boolean; known: boolean }[] = [];
    // Values below what earlier parts pushed, read where they are (flushStack reads any still
    // pending before it writes the stack; a store into a local cannot touch them).
    for (let j = k - fromPending; j >= 1; j--) fromStack.push({ e: `stack[sp - ${popped + j}]`, lazy: true, known: false });
    popped += k - fromPending;
    const stackVals = [...fromStack, ...pending.splice(pending.length - fromPending)];
    let s = 0;
    return args.map((v) => {
      if (v === "s") return stackVals[s++];
      const n = operandOf(v);
      if (v[0] === "$") {
        const have = known.get(slot(n));
        return have ? { e: have, lazy: false, known: false } : { e: slot(n), lazy: true, known: false };
      }
      if (v[0] === "n") return { e: operand(n), lazy: false, known: true };
      if (v[0] === "#") return { e: `consts[${operand(n)}]`, lazy: true, known: constTag };
      return { e: v.slice(1), lazy: false, known: true };
    });
  };
  /** An argument as an operator uses it: bound to a name unless it is one already. */
  const arg = (v: { e: string; lazy: boolean; known: boolean }, name: string, ts: string | undefined): Arg => {
    if (atom(v.e)) return { e: v.e, known: v.known };
    return { e: bind(name, v.lazy && ts ? `${v.e} as ${ts}` : v.e), known: v.known };
  };
  const lowering: Lowering = {
    tmp: () => fresh("r"),
    set: (t, e) => `const ${t} = ${e};`,
    raise: (e) => `throw ${e};`,
    at: () => "",
    h: HELPERS,
  };
  /** Writes what the parts left pushed to the operand stack, and moves sp. */
  const flushStack = () => {
    // A value still to be read from the stack is read before the stack is written.
    for (const q of pending) if (q.lazy && q.e.startsWith("stack[sp")) Object.assign(q, { e: bind("v", q.e), lazy: false });
    pending.forEach((p, i) => {
      const off = i - popped;
      out.push(`stack[${off === 0 ? "sp" : off < 0 ? `sp - ${-off}` : `sp + ${off}`}] = ${p.e};`);
    });
    const net = pending.length - popped;
    if (net === 1 && pending.length === 1) out[out.length - 1] = out[out.length - 1].replace("stack[sp]", "stack[sp++]");
    else if (net === 1) out.push("sp++;");
    else if (net === -1) out.push("sp--;");
    else if (net > 0) out.push(`sp += ${net};`);
    else if (net < 0) out.push(`sp -= ${-net};`);
    pending.length = 0;
    popped = 0;
  };
  /** The one stanza of a taken branch: a backward target leaves the switch for the loop's reduction count. */
  const taken = (label: number) => `target = ${operand(label)};\nif (target <= pc) break backEdge;\npc = target;`;

  let ended = false;
  for (const p of parts as Part[]) {
    const o = p.op ? OPERATORS[p.op] : null;
    const vals = read(p.args);
    let value = "";
    if (o && p.op === "copy") value = vals[0].e;
    else if (o) {
      const args = vals.map((v, i) => arg(v, i === 0 ? "a" : "b", o.ts?.[i]));
      const r = o.lower(lowering, args[0], args[1]);
      if (r.code) out.push(r.code);
      value = r.value;
    }
    if (p.k === "op") {
      if (p.to === "s") {
        pending.push(p.op === "copy" ? vals[0] : { e: value, lazy: false, known: false });
        continue;
      }
      // A store: values still pending that read a local are read first (it may be this one).
      for (const q of pending) if (q.lazy) Object.assign(q, { e: bind("v", q.e), lazy: false });
      const target = slot(operandOf(p.to));
      out.push(`${target} = ${value};`);
      known.clear();
      if (atom(value) && !/^-?\d+$/.test(value)) known.set(target, value);
      continue;
    }
    flushStack();
    if (p.op === null) out.push(taken(p.label));
    else if (p.when) out.push(`if (${value}) {`, indent(taken(p.label)), `} else pc += ${size};`);
    else out.push(`if (${value}) pc += ${size};`, `else {`, indent(taken(p.label)), `}`);
    ended = true;
  }
  if (!ended) {
    flushStack();
    out.push(`pc += ${size};`);
  }
  out.push("break;");
  const block = out.some((l) => l.startsWith("const "));
  const body = out.flatMap((l) => l.split("\n")).map((l) => `${IND}  ${l}`);
  return [`${IND}case Op.${row.name}:${block ? " {" : ""}`, ...body, ...(block ? [`${IND}}`] : [])].join("\n");
}

/** The generated region: every regular row's case, in table order, between the markers. */
export function interpreterCases(rows: readonly OpInfo[] = OPCODES): string {
  const cases = rows.map((r) => caseSource(r, rows)).filter((c): c is string => c !== null);
  return [`${IND}${BEGIN}`, ...cases, `${IND}${END}`].join("\n");
}

/** `text` (interpreter.ts) with its generated region replaced by the current one. */
export function withInterpreterCases(text: string, rows: readonly OpInfo[] = OPCODES): string {
  const a = text.indexOf(`${IND}${BEGIN}`);
  const b = text.indexOf(`${IND}${END}`);
  if (a < 0 || b < a) throw new Error("interpreter.ts has lost its markers for the generated cases");
  return text.slice(0, a) + interpreterCases(rows) + text.slice(b + IND.length + END.length);
}
