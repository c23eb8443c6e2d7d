// What the values an assembly program leaves on its stack are, so that `raft run x.raft`
// prints them as Kaylee would (print.ts): `PushConst #3.0` leaves a float and prints `3.0`,
// `Self` a pid that prints `<0.1>`. Values carry no tags (docs/architecture.md), so this is
// read off the code: a forward pass over the function, in the manner of the verifier, that
// follows each operand-stack slot's and local's static type as far as the instructions say
// it — constants, integer, float and comparison results, pids from Self and the spawns,
// natives by their row in the standard library table, locals stored and loaded — and forgets
// it (null: printed by its shape) where paths disagree or an instruction does not say.
// It runs once, when a program halts with values left, never while it runs, and its work is
// bounded (past the bound the values print by their shapes).

import { OPCODES, Op, effect, type EffectCtx } from "../bytecode/opcodes.js";
import { decodeFunction, type Instr } from "../bytecode/encoding.js";
import { SHAPES, copyShapes } from "../bytecode/places.js";
import { FLOAT_RESULTS } from "../bytecode/verifier.js";
import { T, type Type } from "../bytecode/types.js";
import type { Module } from "../bytecode/module.js";
import { METHODS, VM_FUNCTIONS } from "../lang/builtins.js";

type Slot = Type | null;

/** Slots the pass may copy in all (some 4 million: well under a second, some 32 MB at most). */
const MAX_WORK = 1 << 22;

interface State {
  stack: Slot[];
  locals: Slot[];
}

/** Instructions whose result is an integer (for a program that does not fault). */
const INT_RESULTS = new Set<number>(
  ["PushInt", "Add", "Sub", "Mul", "Div", "Mod", "Neg", "Exp", "AddInt", "BitAnd", "BitOr", "BitXor", "Shl", "Shr", "Length", "LoadMem", "LoadMemN", "LoadMemInd", "LoadMemIndN", "LoadPlace"]
    .concat(OPCODES.filter((o) => o.fuses && o.pushes === 1 && !FLOAT_RESULTS.has(Op[o.name]) && o.name !== "IndexLocals").map((o) => o.name))
    .map((n) => Op[n]),
);
const BOOL_RESULTS = new Set<number>(["PushTrue", "PushFalse", "Eq", "NotEq", "Less", "LessEq", "Greater", "GreaterEq", "EqValue", "NotEqValue", "Not", "IsError"].map((n) => Op[n]));
const PID_RESULTS = new Set<number>(["Self", "SpawnActor", "SpawnSupervisor", "StartChild", "RestartChild"].map((n) => Op[n]));

/**
 * The static types of the `depth` values on the operand stack before the instruction at byte
 * `offset` of function `fn` (bottom first); null where they are not known.
 */
export function stackTypesAt(m: Module, fn: number, offset: number, depth: number): Slot[] {
  const unknown = (): Slot[] => new Array(depth).fill(null);
  const f = m.functions[fn];
  if (!f) return unknown();
  let instrs: Instr[];
  try {
    instrs = decodeFunction(f.code, f.name);
  } catch {
    return unknown();
  }
  const index = new Map(instrs.map((ins, i) => [ins.offset, i]));
  const ctx: EffectCtx = { fnParams: (i) => m.functions[i]?.params ?? 0 };
  const states: (State | null)[] = new Array(instrs.length).fill(null);
  states[0] = { stack: [], locals: new Array(f.locals).fill(null) };
  const work = [0];
  const flow = (to: number | undefined, s: State) => {
    if (to === undefined) return;
    const old = states[to];
    if (old === null) {
      states[to] = s;
      work.push(to);
      return;
    }
    // Where paths meet, only what both say (the verifier has checked the depths agree).
    let changed = false;
    const meet = (a: Slot[], b: Slot[]) => {
      for (let k = 0; k < a.length; k++) {
        if (a[k] !== null && (b[k] === undefined || !same(a[k]!, b[k]))) {
          a[k] = null;
          changed = true;
        }
      }
    };
    meet(old.stack, s.stack);
    meet(old.locals, s.locals);
    if (changed) work.push(to);
  };
  // The pass is bounded: a hand-written function with tens of thousands of locals and
  // instructions would cost its product; past the bound the values print by their shapes.
  let cost = 0;
  while (work.length) {
    const i = work.pop()!;
    cost += states[i]!.stack.length + states[i]!.locals.length + 1;
    if (cost > MAX_WORK) return unknown();
    const ins = instrs[i];
    const info = OPCODES[ins.op];
    const s: State = { stack: states[i]!.stack.slice(), locals: states[i]!.locals.slice() };
    step(m, ins, s, ctx);
    const next = index.get(ins.offset + ins.size);
    if (info.flow === "jump" || info.flow === "branch") flow(index.get(ins.operands[info.operands.indexOf("label")]), { stack: s.stack.slice(), locals: s.locals.slice() });
    if (info.flow === "try") flow(index.get(ins.operands[0]), { stack: [...s.stack, null], locals: s.locals.slice() });
    if (info.flow !== "jump" && info.flow !== "end") flow(next, s);
  }
  const i = index.get(offset) ?? -1;
  const at = states[i];
  if (!at) return unknown();
  // The values left are the frame's operand stack (main's ReturnLocal adds its local's value on top).
  const stack = instrs[i].op === Op.ReturnLocal ? [...at.stack, at.locals[instrs[i].operands[0]] ?? null] : at.stack;
  const out = stack.slice(Math.max(0, stack.length - depth));
  while (out.length < depth) out.push(null);
  return out;
}

function same(a: Type, b: Type | null): boolean {
  return b !== null && (a === b || (a.kind === b.kind && a.kind !== "vector" && a.kind !== "array" && a.kind !== "tuple" && a.kind !== "slice" && a.kind !== "fn"));
}

/** The type of what one instruction pushes, and what it does to the locals. */
function step(m: Module, ins: Instr, s: State, ctx: EffectCtx): void {
  const info = OPCODES[ins.op];
  const [a1, a2, a3] = ins.operands;
  const op = ins.op;
  const pops = effect(info.pops, ins.operands, ctx);
  const pushes = effect(info.pushes, ins.operands, ctx);
  const popped = s.stack.splice(Math.max(0, s.stack.length - pops), pops);
  const constType = (k: number): Slot => {
    const c = m.consts[k];
    return c?.tag === "int" ? T.integer : c?.tag === "float" ? T.float : c?.tag === "string" ? T.string : null;
  };
  const setLocal = (n: number, t: Slot) => {
    if (n < s.locals.length) s.locals[n] = t;
  };
  let out: Slot = null;
  if (op === Op.PushConst) out = constType(a1);
  else if (op === Op.PushNull) out = T.null;
  else if (op === Op.Load) out = s.locals[a1] ?? null;
  else if (op === Op.Dup) {
    s.stack.push(popped[0] ?? null, popped[0] ?? null);
    return;
  } else if (op === Op.Swap) {
    s.stack.push(popped[1] ?? null, popped[0] ?? null);
    return;
  } else if (op === Op.Store) setLocal(a1, popped[0] ?? null);
  else if (op === Op.CopyLocalConst) setLocal(a1, constType(a2));
  else if (op === Op.CopyLocalLocal) setLocal(a1, s.locals[a2] ?? null);
  else if (op === Op.CopyLocalMem || op === Op.CopyLocalMemN || op === Op.CopyLocalMemInd || op === Op.CopyLocalMemIndN || op === Op.IncLocal) setLocal(a1, T.integer);
  else if (op === Op.CopyPlaces) {
    const pair = copyShapes(a1);
    if (pair && SHAPES[pair[0]].kind === "local") {
      const src = SHAPES[pair[1]];
      setLocal(a2, src.kind === "const" ? constType(a3) : src.kind === "local" ? (s.locals[a3] ?? null) : T.integer);
    }
  } else if (op === Op.Concat) out = T.string;
  else if (FLOAT_RESULTS.has(op)) out = T.float;
  else if (INT_RESULTS.has(op)) out = T.integer;
  else if (BOOL_RESULTS.has(op)) out = T.bool;
  else if (PID_RESULTS.has(op)) out = T.process;
  else if (op === Op.CallNative || op === Op.CallNativeTyped) out = nativeResult(m, a1);
  else if (STORES.has(op)) {
    // `AddStore $d` and the like: an arithmetic result stored into a local.
    const [local, t] = STORES.get(op)!;
    setLocal(ins.operands[local], t);
  }
  for (let k = 0; k < pushes; k++) s.stack.push(out);
}

/** The rows that store an arithmetic result into a local: which operand is the local, and the result's type. */
const STORES = new Map<number, [number, Type]>([
  ...["AddStore", "SubStore", "MulStore"].map((n): [number, [number, Type]] => [Op[n], [0, T.integer]]),
  ...["ModIntStore", "ModConstStore"].map((n): [number, [number, Type]] => [Op[n], [1, T.integer]]),
  ...["AddFloatStore", "SubFloatStore", "MulFloatStore", "DivFloatStore"].map((n): [number, [number, Type]] => [Op[n], [0, T.float]]),
]);

/** What a native returns, by its row in the standard library table (null when it depends on the call). */
function nativeResult(m: Module, k: number): Slot {
  const c = m.consts[k];
  if (c?.tag !== "native") return null;
  const row = c.value.startsWith("vm.") ? VM_FUNCTIONS.get(c.value.slice(3)) : METHODS.get(c.value);
  const ret = row?.ret;
  return typeof ret === "object" ? ret : null;
}
