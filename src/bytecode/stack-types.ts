// What is statically known of the values a program leaves on main's stack when it halts.
//
// Values carry no tags at run time (docs/architecture.md): a pid, a float and an integer are all
// JS numbers. Kaylee code passes static types to the printer; assembly has none, yet
// `raft run x.raft` and `raft repl --asm` must print what is left as Kaylee prints it (floats
// with a `.`, pids as `<0.N>`). This pass reads the types off the code that produced the values:
// it follows every path of each function, as the verifier does, with a type (or "unknown") for
// each stack slot and local — `PushConst #1.5` is a float, `Self` and `SpawnActor` a process,
// `Eq` a bool, `CallNative #vm.self 0` what the native's signature returns — and merges the
// states at the instructions where the program can end (`Halt`, or main's `Return`). A slot
// whose paths disagree, or that no rule knows, is unknown and prints by its shape.
//
// It runs only on modules the verifier accepted, and its work is bounded (WORK_LIMIT): past it
// every slot is unknown.

import { OPCODES, Op, effect, type EffectCtx } from "./opcodes.js";
import { decodeFunction, type Instr } from "./encoding.js";
import type { Module } from "./module.js";
import { T, typeKey, type Type } from "./types.js";
import { FLOAT_RESULTS, moduleEffects } from "./verifier.js";

/** A stack slot or local: its type if known, and its value when it is a known integer. */
export interface Cell {
  t: Type | null;
  int: number | null;
}

/** The result type of a native (by its name, given the arguments' cells), or null if unknown. */
export type NativeResult = (name: string, args: readonly Cell[]) => Type | null;

const UNKNOWN: Cell = { t: null, int: null };
const WORK_LIMIT = 4_000_000;

const byName = (names: string[], t: Type): [number, Type][] => names.map((n) => [Op[n], t]);
/** The type of the one value an instruction pushes, where the instruction alone decides it. */
const RESULT = new Map<number, Type>([
  ...byName(
    ["AddInt", "BitAnd", "BitOr", "BitXor", "Shl", "Shr", "Length", "LoadMem", "LoadMemN", "LoadMemInd", "LoadMemIndN"],
    T.integer,
  ),
  ...byName(["AddLocal", "SubLocal", "MulLocal", "AddLocals", "SubLocals", "MulLocals", "SubInt", "MulInt", "DivInt", "ModInt", "MulConst", "DivConst", "ModConst", "LoadAddInt", "LoadSubInt", "LoadMulInt"], T.integer),
  ...[...FLOAT_RESULTS].map((op): [number, Type] => [op, T.float]),
  ...byName(["Eq", "NotEq", "Less", "LessEq", "Greater", "GreaterEq", "EqValue", "NotEqValue", "Not", "IsError", "PushTrue", "PushFalse"], T.bool),
  ...byName(["Self", "SpawnActor", "SpawnSupervisor", "StartChild", "RestartChild"], T.process),
  ...byName(["Concat"], T.string),
  ...byName(["PushNull", "SendMessage", "SetStrategy"], T.null),
]);
/** Instructions that pass their one operand through (checks and copies). */
const SAME = new Set<number>(["CheckError", "PanicIfError", "PanicIfErrorMsg", "SetErrorMessage", "CopyValue", "CheckByte"].map((n) => Op[n]));
/** Instructions that store a result of a known type into a local: opcode -> [operand index of the local, type]. */
const STORES = new Map<number, [number, Type]>([
  ...["IncLocal", "AddStore", "SubStore", "MulStore", "CopyLocalMem", "CopyLocalMemN", "CopyLocalMemInd", "CopyLocalMemIndN"].map((n): [number, [number, Type]] => [Op[n], [0, T.integer]]),
  ...OPCODES.flatMap((o, op): [number, [number, Type]][] => (o.name.startsWith("Inc") && o.flow === "branch" ? [[op, [0, T.integer]]] : [])),
  ...["AddFloatStore", "SubFloatStore", "MulFloatStore", "DivFloatStore"].map((n): [number, [number, Type]] => [Op[n], [0, T.float]]),
  ...["ModIntStore", "ModConstStore"].map((n): [number, [number, Type]] => [Op[n], [1, T.integer]]),
]);

interface State {
  stack: Cell[];
  locals: Cell[];
}

/**
 * The types of the `n` values left on main's stack when a run of module `m` ends normally
 * (null for each one that is not known).
 */
export function leftoverTypes(m: Module, n: number, native: NativeResult): (Type | null)[] {
  const unknown = new Array<Type | null>(n).fill(null);
  if (n === 0) return unknown;
  const budget = { work: 0 };
  const ends: Cell[][] = [];
  try {
    for (let fi = 0; fi < m.functions.length; fi++) {
      const instrs = decodeFunction(m.functions[fi].code, m.functions[fi].name, m.exts);
      if (fi !== m.entry && !instrs.some((i) => i.op === Op.Halt)) continue;
      for (const s of endStates(m, fi, instrs, native, budget)) if (s.length === n) ends.push(s);
    }
  } catch (e) {
    if (e === OVER_BUDGET) return unknown;
    throw e;
  }
  if (!ends.length) return unknown;
  return ends.reduce((a, b) => a.map((c, k) => merge(c, b[k]))).map((c) => c.t);
}

const OVER_BUDGET = new Error("stack types: over budget");

/** The stack at each point where function `fi` can end the run, on every path that reaches one. */
function endStates(m: Module, fi: number, instrs: Instr[], native: NativeResult, budget: { work: number }): Cell[][] {
  return analyze(m, fi, instrs, native, budget).ends;
}

/**
 * Follows every path of function `fi`: the state before each instruction (null where none
 * reaches), and the stacks where the run can end.
 */
function analyze(m: Module, fi: number, instrs: Instr[], native: NativeResult, budget: { work: number }): { states: (State | null)[]; ends: Cell[][] } {
  const f = m.functions[fi];
  const ctx: EffectCtx = moduleEffects(m);
  const index = new Map<number, number>();
  instrs.forEach((ins, i) => index.set(ins.offset, i));
  const states: (State | null)[] = new Array(instrs.length).fill(null);
  const work: number[] = [0];
  states[0] = { stack: [], locals: new Array<Cell>(f.locals).fill(UNKNOWN) };
  const flowTo = (offset: number, s: State) => {
    const i = index.get(offset);
    if (i === undefined) return;
    const old = states[i];
    if (old === null) {
      states[i] = s;
      work.push(i);
      return;
    }
    if (old.stack.length !== s.stack.length) return; // the verifier refuses this; nothing to learn
    let changed = false;
    const lower = (a: Cell[], b: Cell[]) =>
      a.forEach((c, k) => {
        const mc = merge(c, b[k]);
        if (mc !== c) (a[k] = mc), (changed = true);
      });
    lower(old.stack, s.stack);
    lower(old.locals, s.locals);
    if (changed) work.push(i);
  };
  const ends: Cell[][] = [];
  while (work.length) {
    const i = work.pop()!;
    const ins = instrs[i];
    const info = OPCODES[ins.op];
    const s = states[i]!;
    budget.work += s.stack.length + s.locals.length + 1;
    if (budget.work > WORK_LIMIT) throw OVER_BUDGET;
    const stack = s.stack.slice();
    const locals = s.locals.slice();
    const a = ins.operands;
    if (ins.op === Op.Halt || (fi === m.entry && ins.op === Op.Return)) ends.push(stack);
    if (fi === m.entry && ins.op === Op.ReturnLocal) ends.push([...stack, locals[a[0]]]);
    const pops = effect(info.pops, a, ctx);
    const pushes = effect(info.pushes, a, ctx);
    const popped = stack.splice(stack.length - pops, pops);
    let pushed: Cell = UNKNOWN;
    switch (ins.op) {
      case Op.PushInt:
        pushed = { t: T.integer, int: a[0] };
        break;
      case Op.PushConst: {
        const c = m.consts[a[0]];
        pushed = c.tag === "int" ? { t: T.integer, int: c.value } : c.tag === "float" ? { t: T.float, int: null } : c.tag === "string" ? { t: T.string, int: null } : UNKNOWN;
        break;
      }
      case Op.Dup:
        stack.push(popped[0], popped[0]);
        break;
      case Op.Swap:
        stack.push(popped[1], popped[0]);
        break;
      case Op.Load:
        pushed = locals[a[0]];
        break;
      case Op.Store:
        locals[a[0]] = popped[0];
        break;
      case Op.CopyLocalLocal:
        locals[a[0]] = locals[a[1]];
        break;
      case Op.CopyLocalConst: {
        const c = m.consts[a[1]];
        locals[a[0]] = c.tag === "int" ? { t: T.integer, int: c.value } : c.tag === "float" ? { t: T.float, int: null } : c.tag === "string" ? { t: T.string, int: null } : UNKNOWN;
        break;
      }
      case Op.Add:
      case Op.Sub:
      case Op.Mul:
      case Op.Div:
      case Op.Mod:
      case Op.Exp:
      case Op.Neg:
        pushed = { t: operandKind(popped) === "float" ? T.float : T.integer, int: null };
        break;
      case Op.CallNative:
      case Op.CallNativeTyped: {
        const c = m.consts[a[0]];
        const t = c.tag === "native" ? native(c.value, popped) : null;
        pushed = t ? { t, int: null } : UNKNOWN;
        break;
      }
      default: {
        const store = STORES.get(ins.op);
        if (store) locals[a[store[0]]] = { t: store[1], int: null };
        const t = RESULT.get(ins.op);
        if (t) pushed = { t, int: null };
        else if (SAME.has(ins.op)) pushed = { t: popped[0].t, int: null };
      }
    }
    if (ins.op !== Op.Dup && ins.op !== Op.Swap) for (let k = 0; k < pushes; k++) stack.push(k === pushes - 1 ? pushed : UNKNOWN);
    const after = { stack, locals };
    const next = ins.offset + ins.size;
    if (info.flow === "jump" || info.flow === "branch") flowTo(a[info.operands.indexOf("label")], { stack: stack.slice(), locals: locals.slice() });
    if (info.flow === "try") flowTo(a[0], { stack: [...stack, { t: T.error, int: null }], locals: locals.slice() });
    if (info.flow !== "jump" && info.flow !== "end") flowTo(next, after);
  }
  return { states, ends };
}

/** The generic arithmetic instructions and their float forms. */
export const FLOAT_FORM = new Map<number, number>(["Add", "Sub", "Mul", "Div", "Mod", "Exp", "Neg"].map((n) => [Op[n], Op[n + "Float"]]));

/**
 * What a generic arithmetic instruction's operands are: "float" when one is known to be a
 * float and none an integer, "mixed" when one is each, "integer" otherwise (the instruction's
 * own meaning: values carry no tags, so unknown operands are taken as integers).
 */
function operandKind(cells: readonly Cell[]): "integer" | "float" | "mixed" {
  let float = false;
  let int = false;
  for (const c of cells) {
    if (c.t === null) continue;
    if (c.t.kind === "float") float = true;
    else if (c.t.kind === "integer") int = true;
  }
  return float ? (int ? "mixed" : "float") : "integer";
}

/**
 * The generic arithmetic instructions (`Add Sub Mul Div Mod Exp Neg`, integer arithmetic) of
 * hand-written assembly whose operands are known floats (`PushConst #2.5 Neg`), or a float
 * and an integer: the assembler writes the float form for the first (as Kaylee's `+` does
 * for floats) and refuses the second (Kaylee never mixes them). Empty when the analysis
 * runs past its budget.
 */
export function floatArithmetic(m: Module, native: NativeResult = () => null): { fn: number; offset: number; op: number; kind: "float" | "mixed" }[] {
  const out: { fn: number; offset: number; op: number; kind: "float" | "mixed" }[] = [];
  const budget = { work: 0 };
  try {
    for (let fi = 0; fi < m.functions.length; fi++) {
      const instrs = decodeFunction(m.functions[fi].code, m.functions[fi].name, m.exts);
      if (!instrs.some((i) => FLOAT_FORM.has(i.op))) continue;
      const { states } = analyze(m, fi, instrs, native, budget);
      instrs.forEach((ins, i) => {
        const st = states[i];
        if (!FLOAT_FORM.has(ins.op) || st === null) return;
        const n = ins.op === Op.Neg ? 1 : 2;
        const kind = operandKind(st.stack.slice(st.stack.length - n));
        if (kind !== "integer") out.push({ fn: fi, offset: ins.offset, op: ins.op, kind });
      });
    }
  } catch (e) {
    if (e === OVER_BUDGET) return [];
    throw e;
  }
  return out;
}

/** What two paths agree on. */
function merge(a: Cell, b: Cell): Cell {
  if (a === b) return a;
  const t = a.t !== null && b.t !== null && typeKey(a.t) === typeKey(b.t) ? a.t : null;
  const int = a.int !== null && a.int === b.int ? a.int : null;
  return t === a.t && int === a.int ? a : { t, int };
}
