// What the regular opcodes mean, written once for both tiers. A row of the opcode table whose
// instruction is regular carries a `sem`: an operator applied to values taken from the
// operand stack, locals, immediates, constants or literals, its result pushed or stored in a
// local, or a branch on an operator's result. A superinstruction (a row with `fuses`) means
// its parts in sequence, so its meaning is derived here from theirs (`expand`). The operators
// are code templates over JavaScript expressions; each tier lowers them with its own names
// for the helpers and its own way of raising a fault: the interpreter's regular cases are
// generated from them as TypeScript source (vm/interp-source.ts writes them into
// interpreter.ts), the second tier emits them at run time (vm/jit.ts).
//
// Irregular instructions (calls, returns, receives, spawns, try regions, places, memory,
// natives, collections) have no `sem`: each is written by hand once in each tier.

/**
 * Where a value comes from: `s` the operand stack (popped; the args that are `s` are the top
 * values in order, the last one the top), `$i` the local that operand i names, `ni` operand i
 * itself (an immediate or count), `#i` the constant that operand i names, `=x` the literal x
 * (null, true, false or an integer).
 */
export type Val = "s" | `$${number}` | `n${number}` | `#${number}` | `=${string}`;
/** Where a result goes: pushed (`s`) or into the local that operand i names (`$i`). */
export type Dst = "s" | `$${number}`;

export type OperatorName =
  | "copy"
  | "add" | "sub" | "mul" | "div" | "mod" | "pow" | "neg" | "and" | "or" | "xor" | "shl" | "shr" | "byte"
  | "fadd" | "fsub" | "fmul" | "fdiv" | "fmod" | "fpow" | "fneg" | "fsqrt"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "eqv" | "nev" | "not" | "falsy"
  | "iserr" | "len" | "strindex";

export type Sem =
  /** `to := op(args)`. */
  | { readonly k: "op"; readonly op: OperatorName; readonly args: readonly Val[]; readonly to: Dst }
  /** Go to the label that operand `label` holds when `op(args)` is `when`; with no `op`, always. */
  | { readonly k: "branch"; readonly op: OperatorName | null; readonly args: readonly Val[]; readonly when: boolean; readonly label: number };

/** `to := op(args)` (pushed unless `to` says a local). */
export function op(name: OperatorName, args: Val[], to: Dst = "s"): Sem {
  return { k: "op", op: name, args, to };
}
/** Go to label operand `label` when `name(args)` is `when`. */
export function branchIf(name: OperatorName, args: Val[], when: boolean, label: number): Sem {
  return { k: "branch", op: name, args, when, label };
}
/** Go to label operand `label`. */
export function jump(label: number): Sem {
  return { k: "branch", op: null, args: [], when: true, label };
}

// ── operators ────────────────────────────────────────────────────────────────────────────

/** An argument as a tier sees it: an expression that can stand as an operand anywhere. */
export interface Arg {
  e: string;
  /** A number the instruction carries (an immediate, an integer or float constant): no type check needed. */
  known: boolean;
}

/** The helpers operator code calls, named by each tier. */
export type Helper = "F" | "ovf" | "div" | "pow" | "fpow" | "byte" | "len" | "eqv" | "istr" | "KError";

/** How a tier writes operator code. */
export interface Lowering {
  /** A fresh name for a temporary, set by `set`. */
  tmp(): string;
  /** The statement giving temporary `t` the value of `e`. */
  set(t: string, e: string): string;
  /** The statement that raises the fault `e` at this instruction. */
  raise(e: string): string;
  /** A statement (possibly empty) that records where a fault would come from, before a helper that may throw. */
  at(): string;
  h: Readonly<Record<Helper, string>>;
}

export type ResultKind = "int" | "float" | "bool" | "any";

export interface Operator {
  arity: 1 | 2;
  /** What the result is ("any" for copy: the argument's own kind). */
  result: ResultKind;
  /** TypeScript types the interpreter reads the arguments as (a type assertion, nothing is checked). */
  ts?: readonly [string, string?];
  /** Charges work to the reduction budget (the second tier hands its budget over and back). */
  charges?: boolean;
  /** Statements (may be empty) computing the result, and its value as an expression. */
  lower(x: Lowering, a: Arg, b: Arg): { code: string; value: string };
}

const NUM = ["number", "number"] as const;

const pure = (result: ResultKind, f: (x: Lowering, a: string, b: string) => string, ts?: readonly [string, string?], arity: 1 | 2 = 2): Operator => ({
  arity,
  result,
  ts,
  lower: (x, a, b) => ({ code: "", value: f(x, a.e, b?.e) }),
});

/** i32 + or -: a result that is not an i32 overflows. */
const addSub = (o: "+" | "-"): Operator => ({
  arity: 2,
  result: "int",
  ts: NUM,
  lower(x, a, b) {
    const r = x.tmp();
    return { code: `${x.set(r, `${a.e} ${o} ${b.e}`)}\nif ((${r} | 0) !== ${r}) ${x.raise(`${x.h.ovf}(${a.e}, "${o}", ${b.e})`)}`, value: r };
  },
});

/** The operand checks of i32 / and %: a non-number (a hand-written module's) and a zero divisor fault. */
const divCheck = (x: Lowering, a: Arg, b: Arg, extra: string): string =>
  `if (${b.e} === 0${extra} || typeof ${a.e} !== "number"${b.known ? "" : ` || typeof ${b.e} !== "number"`}) ${x.raise(`${x.h.div}(${a.e}, ${b.e})`)}`;

export const OPERATORS: Readonly<Record<OperatorName, Operator>> = {
  copy: pure("any", (_, a) => a, undefined, 1),

  add: addSub("+"),
  sub: addSub("-"),
  mul: {
    arity: 2,
    result: "int",
    ts: NUM,
    lower(x, a, b) {
      // A product past 2^53 is inexact, but then it is far past i32 too; -0 is 0.
      const r = x.tmp();
      return { code: `${x.set(r, `${a.e} * ${b.e}`)}\nif ((${r} | 0) !== ${r} && ${r} !== 0) ${x.raise(`${x.h.ovf}(${a.e}, "*", ${b.e})`)}`, value: `${r} | 0` };
    },
  },
  div: { arity: 2, result: "int", ts: NUM, lower: (x, a, b) => ({ code: divCheck(x, a, b, ` || (${a.e} === -2147483648 && ${b.e} === -1)`), value: `(${a.e} / ${b.e}) | 0` }) },
  mod: { arity: 2, result: "int", ts: NUM, lower: (x, a, b) => ({ code: divCheck(x, a, b, ""), value: `(${a.e} % ${b.e}) | 0` }) },
  pow: { arity: 2, result: "int", lower: (x, a, b) => ({ code: x.at(), value: `${x.h.pow}(${a.e}, ${b.e})` }) },
  neg: {
    arity: 1,
    result: "int",
    ts: NUM,
    lower: (x, a) => ({ code: `if (${a.e} === -2147483648 || typeof ${a.e} !== "number") ${x.raise(`${x.h.ovf}(${a.e}, "-")`)}`, value: `(0 - ${a.e}) | 0` }),
  },
  and: pure("int", (_, a, b) => `${a} & ${b}`, NUM),
  or: pure("int", (_, a, b) => `${a} | ${b}`, NUM),
  xor: pure("int", (_, a, b) => `${a} ^ ${b}`, NUM),
  shl: pure("int", (_, a, b) => `${a} << ${b}`, NUM),
  shr: pure("int", (_, a, b) => `${a} >> ${b}`, NUM),
  byte: { arity: 1, result: "int", ts: NUM, lower: (x, a) => ({ code: `if (!(${a.e} >= 0 && ${a.e} <= 255)) ${x.raise(`${x.h.byte}(${a.e})`)}`, value: `${a.e} | 0` }) },

  fadd: pure("float", (x, a, b) => `${x.h.F}(${a} + ${b})`, NUM),
  fsub: pure("float", (x, a, b) => `${x.h.F}(${a} - ${b})`, NUM),
  fmul: pure("float", (x, a, b) => `${x.h.F}(${a} * ${b})`, NUM),
  fdiv: pure("float", (x, a, b) => `${x.h.F}(${a} / ${b})`, NUM),
  fmod: pure("float", (x, a, b) => `${x.h.F}(${a} % ${b})`, NUM),
  fpow: pure("float", (x, a, b) => `${x.h.F}(${x.h.fpow}(${a}, ${b}))`, NUM),
  fneg: pure("float", (_, a) => `-${a}`, NUM, 1),
  fsqrt: pure("float", (x, a) => `${x.h.F}(Math.sqrt(${a}))`, NUM, 1),

  // Scalars compare by identity (numbers, bools, strings, null); < and friends by JS order.
  eq: pure("bool", (_, a, b) => `${a} === ${b}`),
  ne: pure("bool", (_, a, b) => `${a} !== ${b}`),
  lt: pure("bool", (_, a, b) => `${a} < ${b}`, NUM),
  le: pure("bool", (_, a, b) => `${a} <= ${b}`, NUM),
  gt: pure("bool", (_, a, b) => `${a} > ${b}`, NUM),
  ge: pure("bool", (_, a, b) => `${a} >= ${b}`, NUM),
  eqv: { ...pure("bool", (x, a, b) => `${x.h.eqv}(${a}, ${b}, vm.chargeWork)`), charges: true },
  nev: { ...pure("bool", (x, a, b) => `!${x.h.eqv}(${a}, ${b}, vm.chargeWork)`), charges: true },
  not: pure("bool", (_, a) => `${a} === false`, undefined, 1),
  /** What a conditional jump counts as false: false, 0 (assembly) and null. */
  falsy: pure("bool", (_, a) => `${a} === false || ${a} === 0 || ${a} === null`, undefined, 1),

  iserr: pure("bool", (x, a) => `${a} instanceof ${x.h.KError}`, undefined, 1),
  len: { arity: 1, result: "any", lower: (x, a) => ({ code: x.at(), value: `${x.h.len}(${a.e})` }) },
  strindex: { arity: 2, result: "any", ts: ["string", "number"], charges: true, lower: (x, a, b) => ({ code: x.at(), value: `${x.h.istr}(${a.e}, ${b.e}, vm.chargeWork)` }) },
};

// ── rows: the meaning of a row, its parts for a superinstruction ─────────────────────────

/** What this module needs of an opcode row (opcodes.ts's OpInfo). */
export interface SemRow {
  name: string;
  operands: readonly string[];
  pops: unknown;
  pushes: unknown;
  sem?: Sem;
  fuses?: readonly string[];
  /** For each operand of the parts in turn: the index of this row's operand it is, or a literal `=n` the part must hold. */
  partOperands?: readonly (number | `=${number}`)[];
}

/** One step of a regular instruction: a `sem` whose operand references are the instruction's own. */
export type Part = Sem;

/** Rewrites a part's operand references through `map` (part operand index to this row's, or a literal). */
function remap(sem: Sem, map: readonly (number | `=${number}`)[], row: string): Sem {
  const val = (v: Val): Val => {
    if (v === "s" || v[0] === "=") return v;
    const m = map[Number(v.slice(1))];
    if (typeof m === "string") {
      if (v[0] !== "n") throw new Error(`${row}: a literal can stand only for an immediate, not ${v}`);
      return m;
    }
    return `${v[0]}${m}` as Val;
  };
  const dst = (d: Dst): Dst => {
    if (d === "s") return d;
    const m = map[Number(d.slice(1))];
    if (typeof m === "string") throw new Error(`${row}: a literal cannot be a destination`);
    return `$${m}`;
  };
  if (sem.k === "op") return { ...sem, args: sem.args.map(val), to: dst(sem.to) };
  const m = map[sem.label];
  if (typeof m === "string") throw new Error(`${row}: a literal cannot be a label`);
  return { ...sem, args: sem.args.map(val), label: m };
}

/**
 * The parts a regular row does, in order, with operand references to the row's own operands:
 * its `sem`, or its superinstruction parts' (recursively), or null when it is irregular (it
 * has neither, or a part of it is irregular). Only the last part may branch.
 */
export function expand(row: SemRow, rows: readonly SemRow[]): Part[] | null {
  if (row.sem) return [row.sem];
  if (!row.fuses) return null;
  const out: Part[] = [];
  let offset = 0;
  for (const name of row.fuses) {
    const part = rows.find((r) => r.name === name);
    if (!part) throw new Error(`${row.name} fuses unknown row ${name}`);
    const sub = expand(part, rows);
    if (sub === null) return null;
    const n = part.operands.length;
    const map = Array.from({ length: n }, (_, i) => (row.partOperands ? row.partOperands[offset + i] : offset + i));
    for (const s of sub) out.push(remap(s, map, row.name));
    offset += n;
  }
  if (out.slice(0, -1).some((p) => p.k === "branch")) throw new Error(`${row.name}: only its last part may branch`);
  return out;
}

/** The parts of every row (null for irregular rows), by opcode number. */
export function expandAll(rows: readonly SemRow[]): (Part[] | null)[] {
  return rows.map((r) => expand(r, rows));
}

/** The operand index a `$i`, `ni` or `#i` reference names. */
export const operandOf = (v: Val | Dst): number => Number(v.slice(1));

/**
 * Checks a regular row against its operand kinds and stack effect: each `$i` names a local
 * operand, each `ni` an imm or count, each `#i` a const, the label a label; the parts pop
 * and push what the row says. Throws on the first disagreement.
 */
export function checkRow(row: SemRow, parts: readonly Part[]): void {
  const fail = (why: string) => {
    throw new Error(`${row.name}: ${why}`);
  };
  const kindOf = (v: Val | Dst, want: readonly string[]) => {
    const k = row.operands[operandOf(v)];
    if (!want.includes(k)) fail(`${v} names a ${k ?? "missing"} operand`);
  };
  let depth = 0;
  let need = 0;
  for (const p of parts) {
    const o = p.op ? OPERATORS[p.op] : null;
    if (o && p.args.length !== o.arity) fail(`${p.op} takes ${o.arity} values, not ${p.args.length}`);
    for (const v of p.args) {
      if (v === "s") depth--;
      else if (v[0] === "$") kindOf(v, ["local"]);
      else if (v[0] === "n") kindOf(v, ["imm", "count"]);
      else if (v[0] === "#") kindOf(v, ["const"]);
      need = Math.max(need, -depth);
    }
    if (p.k === "op") {
      if (p.to === "s") depth++;
      else kindOf(p.to, ["local"]);
    } else if (row.operands[p.label] !== "label") fail(`operand ${p.label} is not a label`);
  }
  if (typeof row.pops !== "number" || typeof row.pushes !== "number") fail("a regular row has a fixed stack effect");
  if (need !== row.pops) fail(`its parts pop ${need}, the row says ${row.pops}`);
  if (depth + need !== row.pushes) fail(`its parts push ${depth + need}, the row says ${row.pushes}`);
}

/**
 * The kind of value a regular instruction leaves on top of the stack, for the second tier's
 * guess at each local's kind: "i" integer, "f" float, "o" anything else, `$i` the value of
 * local operand i, `#i` constant operand i, "" nothing pushed.
 */
export function pushedKind(parts: readonly Part[]): string {
  const stack: string[] = [];
  for (const p of parts) {
    const kinds = p.args.map((v) => (v === "s" ? (stack.pop() ?? "o") : kindOfVal(v)));
    if (p.k === "op" && p.to === "s") stack.push(p.op === "copy" ? kinds[0] : resultKind(p.op));
  }
  return stack.length ? stack[stack.length - 1] : "";
}

/**
 * The locals a regular instruction stores into, with the kind of what it stores (as
 * pushedKind; `s` is a value it took from the stack as it found it, whose kind the
 * instruction before tells).
 */
export function localWrites(parts: readonly Part[]): { local: number; kind: string }[] {
  const out: { local: number; kind: string }[] = [];
  const stack: string[] = [];
  for (const p of parts) {
    const kinds = p.args.map((v) => (v === "s" ? (stack.pop() ?? "s") : kindOfVal(v)));
    if (p.k !== "op") continue;
    const k = p.op === "copy" ? kinds[0] : resultKind(p.op);
    if (p.to === "s") stack.push(k);
    else out.push({ local: operandOf(p.to), kind: k });
  }
  return out;
}

function kindOfVal(v: Val): string {
  if (v[0] === "n") return "i";
  if (v[0] === "=") return /^=-?\d+$/.test(v) ? "i" : "o";
  return v; // $i, #i: the tier looks them up
}

function resultKind(op: OperatorName): string {
  const r = OPERATORS[op].result;
  return r === "int" ? "i" : r === "float" ? "f" : "o";
}
