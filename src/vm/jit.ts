// The second tier: hot functions' bytecode compiled to JavaScript source (`new Function`).
//
// Each function becomes one JS function `(vm, p, depth, l0, l1, ..., L)`: locals are JS
// variables, the operand stack is turned into JS variables `s0, s1, ...` (the verifier knows
// the depth at every instruction), and control flow is a `for (;;) switch (blk)` over basic
// blocks whose ids are their code indices, so the function can be entered at any block (on-
// stack replacement of a hot loop in the interpreter) and falls through between blocks.
// Compiled functions call each other directly; the reduction budget (`vm.budget`) is checked
// at backward jumps and before calls, exactly where the interpreter checks it. What the
// generator knows statically (each local's kind, see localKinds) drops checks: float locals
// live unboxed in a Float64Array, arrays known to be arrays and integer indices known to be
// integers skip those tests. `RAFT_JIT_DUMP=1` prints the generated source to stderr.
// Regular instructions (rows of the opcode table with a `sem`, and superinstructions of them)
// are emitted from their meaning alone (`regularJs`, bytecode/semantics.ts); the switch in
// `generate` holds the irregular ones, one case each.
//
// Leaving compiled code: anything that cannot continue in JS — the budget running out, a
// fault, a native returning a promise, a call to a function that is not compiled, a deep JS
// stack, Halt — throws a `JitUnwind`. Every compiled frame it passes through adds its state
// (function, code index, locals, operand stack) to it, and the interpreter rebuilds those
// frames as its own and carries on (or yields, parks, panics) from the exact instruction.
// So a process can always be preempted, parked, killed and traced, whichever tier it runs in.
//
// A try region (an expression with a handler) is a stack of handler pcs in the compiled
// frame: a catchable fault jumps to the innermost handler with its error value, and open
// regions travel with an unwind so the interpreter can rebuild them too.
//
// On-stack replacement at a hot loop head compiles the outermost loop nest around it as a
// function of its own (compileRegion): a small JS function is optimized by V8 far sooner than
// the whole of a big one (a program's main), and leaving the nest hands the locals back to
// the interpreter. Functions are compiled whole when they are called hot.
//
// Receiving. A receive (`vm.receive`, `receive { }`) compiles to a call of the VM's receive
// (vm-core.ts), which takes a queued message, or a message handed to the process while it
// waited, without leaving compiled code. When nothing is there the process must wait: the
// receive arranges the wait, and the compiled frame leaves at that instruction — a loop nest
// (the usual server loop) hands its locals and operand stack back in L and returns `~pc`, a
// whole function returns UNWIND with an unwind of kind "block" — so the process waits in the
// interpreter's receive. Each receive instruction is a block leader, so when the process runs
// again the interpreter, at that receive, enters the compiled code there (resumeCompiled in
// interpreter.ts): the code around a receive that waits stays compiled. A loop nest waiting
// in vm.call leaves the same way at the instruction after it (returning ~ its index), and the
// interpreter, having pushed the reply, enters it there again.
//
// A string local appended to in a loop is kept as a builder beside its JS variable and
// appended to in place (string-builder.ts), its value joined wherever it is read (and when
// the frame's locals are handed back to the interpreter).

import { OPCODES, SIZE } from "../bytecode/opcodes.js";
import { OPERATORS, operandOf, type Arg, type Lowering, type Part } from "../bytecode/semantics.js";
import { EXPANDED_ROWS } from "./jit-parts.js";
import { Op } from "../bytecode/op.js";
import type { Program, JitFn, JitEntry, JitUnit } from "./program.js";
import { Fault, KError, ProgramExit, fault } from "./values.js";
import { C, type ErrorCode } from "./error-codes.js";
import { deepCopy, valuesEqualCharged } from "./copy.js";
import { STRING_PUSH, VALUE_INTO, absMinError, into } from "./methods.js";
import type { Type } from "../bytecode/types.js";
import { indexString } from "./strings.js";
import { memRead, memWrite, placeCopy, placeRead, placeWrite } from "./memory.js";
import { SHAPES, copyShapes, isMemory, regionBounds, type Shape } from "../bytecode/places.js";
import { PanicNow, usedError, intPow, floatPow, overflow, divFault, byteFault, indexFault, lengthOf, indexSlow, storeIndexSlow } from "./interpreter.js";
import { HardExit, charge, copyCharged } from "./heap.js";
import { NO_MESSAGE, SELECT_WAIT } from "./mailbox.js";
import { BUILDER_AFTER, planBuilders, sbCat, sbFlat, sbFree, sbNew, sbPush, sbPushByte, sbReset } from "./string-builder.js";

export type UnwindKind = "yield" | "fault" | "park" | "call" | "deep" | "halt" | "status" | "block";

export interface JitFrame {
  fn: number;
  /** Handler pcs of the try regions open in this frame, outermost first. */
  tries: number[];
  /** Code index to resume at (see JitUnwind.kind for what it means in the innermost frame). */
  at: number;
  locals: unknown[];
  stack: unknown[];
}

export class JitUnwind {
  /** Innermost first. */
  readonly frames: JitFrame[] = [];
  constructor(
    readonly kind: UnwindKind,
    readonly fault: Fault | null = null,
    readonly promise: Promise<unknown> | null = null,
    /** A fault no handler may catch ({panic}, heap_limit). */
    readonly hard = false,
  ) {}
}

/**
 * What a compiled function returns instead of a value when its slice ends inside it (the
 * budget is spent): the frames it and its compiled callers leave are collected in
 * `vm.unwound` as each returns this, and the interpreter, where the first compiled call was
 * made, takes them from there. Plain returns cost a compare per call in the hot path, where
 * throwing through every compiled frame cost about 5 µs a frame at every slice's end (most
 * of eight CPU-bound processes' time on one scheduler).
 */
export const UNWIND: unique symbol = Symbol("unwind");
/** Where the generated code returns UNWIND, placeholders for this frame's state (filled in last). */
const PLACEHOLDER = "@@";
const SUSPEND = "@@SUSPEND@@";
const MORE = "@@MORE@@";
const BLOCK = "@@BLOCK@@";

/** Compiled JS frames allowed on the host stack before unwinding into the interpreter. */
export const MAX_JIT_DEPTH = 1000;
/**
 * Calls or loop back-edges before a function (or the loop nest around a hot loop head) is
 * compiled. Low, because most runs are a process's first: while the interpreter runs, V8
 * soon deems its one big loop hot (each turn of it weighs the whole `switch`) and compiles
 * `execute` with TurboFan — tens of milliseconds of a core, wasted when the program's hot
 * code moves to compiled JS right after, and in the way of compiling that JS. At 1,000 this
 * happened in every benchmark; at 30 in none, and a suite of ~300 short programs used no
 * more CPU (docs/performance.md).
 */
export const JIT_THRESHOLD = 30;

/** Instructions the second tier leaves to the interpreter: a function (or loop nest) using one is not compiled. */
export const UNSUPPORTED: ReadonlySet<number> = new Set<number>([Op.Wide]);
/** The receive instructions: each is a block leader, where the interpreter enters compiled code when the process runs again after waiting in it. */
export const RECEIVES: ReadonlySet<number> = new Set<number>([Op.ReceiveMessage, Op.ReceiveTimeout, Op.ReceiveSelect, Op.ReceiveSelectTimeout]);
/**
 * Natives that wait as a receive does (vm.call: servers.ts). A loop nest leaves at one that
 * waits as it leaves at a receive that must wait, at the instruction after it (where the
 * reply is pushed when the process runs again), and is entered there again ("Receiving").
 */
const WAITING_NATIVES = new Set<string>(["vm.call"]);

/**
 * `RAFT_JIT_DUMP=1` prints the JS source of every function the second tier compiles to
 * stderr (a debugging aid for the generated code; off by default).
 */
const DUMP: ((s: string) => void) | null =
  typeof process !== "undefined" && process.env?.RAFT_JIT_DUMP ? (s) => process.stderr.write(s) : null;

/** What compiled code returning UNWIND sets in the VM. */
type Leaving = { budget: number; unwound: unknown };

/** Compiled code leaves (returning UNWIND) with `frame` the innermost of the frames to collect. */
function leave(kind: UnwindKind, vm: Leaving, bud: number, frame: JitFrame): typeof UNWIND {
  vm.budget = bud;
  const u = new JitUnwind(kind);
  u.frames.push(frame);
  vm.unwound = u;
  return UNWIND;
}

/** Helpers the generated code closes over. */
const H = {
  KError,
  indexString,
  absMin: absMinError,
  F: Math.fround,
  deepCopy,
  valuesEqualCharged,
  memRead,
  memWrite,
  placeRead,
  placeWrite,
  placeCopy,
  intPow,
  floatPow,
  lengthOf,
  indexSlow,
  storeIndexSlow,
  charge,
  copyCharged,
  sbNew,
  sbFree,
  sbFlat,
  sbReset,
  sbCat,
  sbPush,
  sbPushByte,
  /** A native called from an inline one's slow path (it neither waits nor parks: see `intoInline`). */
  native: (vm: { callNative(p: unknown, idx: number, args: unknown[], typed: number): unknown }, p: unknown, idx: number, x: unknown, typed: number) => vm.callNative(p, idx, [x], typed),
  ovf: overflow,
  div: divFault,
  idx: indexFault,
  used: usedError,
  fault,
  hard: (reason: ErrorCode) => new HardExit(reason),
  U: UNWIND,
  /** The slice ends in this frame: it is the innermost of the frames collected in vm.unwound. */
  suspend: (vm: Leaving, bud: number, fn: number, at: number, locals: unknown[], stack: unknown[], tries: number[]) => leave("yield", vm, bud, { fn, at, locals, stack, tries }),
  /**
   * A receive in this frame must wait (the VM arranged the wait): the frames collected in
   * vm.unwound, this one innermost at the receive, become the interpreter's, which waits there.
   */
  block: (vm: Leaving, bud: number, fn: number, at: number, locals: unknown[], stack: unknown[], tries: number[]) => leave("block", vm, bud, { fn, at, locals, stack, tries }),
  /** `x.into()` as the native value.into makes it, `types` its (from, to). */
  into: (x: unknown, types: { elems: Type[] }): unknown => into(x, types.elems[0], types.elems[1]),
  /** What vm.receive returns when the process must wait; vm.receiveSelect returns SELECT_WAIT. */
  NM: NO_MESSAGE,
  /** A callee returned UNWIND: this frame joins the collected ones, and returns it too. */
  more(vm: { unwound: unknown }, fn: number, at: number, locals: unknown[], stack: unknown[], tries: number[]): typeof UNWIND {
    (vm.unwound as JitUnwind).frames.push({ fn, at, locals, stack, tries });
    return UNWIND;
  },
  deep: () => new JitUnwind("deep"),
  call: () => new JitUnwind("call"),
  halt: () => new JitUnwind("halt"),
  park: (r: unknown) => (r instanceof Promise ? new JitUnwind("park", null, r) : new JitUnwind("status")),
  byteFault,
  field: (k: number) => fault(`tuple has no field ${k}`, C.bad_code),
  panic: (e: KError) => new PanicNow(e),
  /** Can a try region of compiled code catch this? (Not {panic}, heap_limit or an unwind.) */
  catchable: (e: unknown): e is Fault => e instanceof Fault && !(e instanceof HardExit),
  unwind(e: unknown, vm: { budget: number }, bud: number, fn: number, at: number, locals: unknown[], stack: unknown[], tries: number[]): unknown {
    // The frame the unwind starts in knows the budget left; callers' copies are older.
    if (!(e instanceof JitUnwind) || e.frames.length === 0) vm.budget = bud;
    let u: JitUnwind;
    if (e instanceof JitUnwind) u = e;
    else if (e instanceof ProgramExit) return e;
    else if (e instanceof PanicNow) u = new JitUnwind("fault", new Fault(e.error), null, true);
    else if (e instanceof HardExit) u = new JitUnwind("fault", e, null, true);
    else if (e instanceof Fault) u = new JitUnwind("fault", e);
    else if (e instanceof RangeError) u = new JitUnwind("fault", new HardExit(C.heap_limit), null, true);
    else u = new JitUnwind("fault", fault(`invalid operation: ${e instanceof Error ? e.message : String(e)}`, C.bad_code));
    u.frames.push({ fn, at, locals, stack, tries });
    return u;
  },
};

/**
 * Pure natives inlined by the second tier (same results as their entries in methods.ts):
 * the call, its argument array and its context set-up disappear from hot loops.
 */
const INTRINSICS: ReadonlyMap<string, { arity: number; code: (x: string, out: string) => string }> = new Map(Object.entries({
  "float.sqrt": { arity: 1, code: (x, o) => `${o} = H.F(Math.sqrt(${x}));` },
  "float.abs": { arity: 1, code: (x, o) => `${o} = H.F(Math.abs(${x}));` },
  "float.floor": { arity: 1, code: (x, o) => `${o} = H.F(Math.floor(${x}));` },
  "float.ceil": { arity: 1, code: (x, o) => `${o} = H.F(Math.ceil(${x}));` },
  "integer.abs": { arity: 1, code: (x, o) => `${o} = ${x} === -2147483648 ? H.absMin() : ${x} < 0 ? -${x} : ${x};` },
}));

/** Targets of `into()` whose conversion the second tier makes inline (see H.into). */
const SCALAR: ReadonlySet<string> = new Set(["integer", "float", "byte", "char", "bool"]);

/**
 * The regular instructions' parts (bytecode/semantics.ts), by opcode: the second tier emits
 * them from these alone (`regular` in generate), and reads off them what kind of value each
 * leaves on the stack or stores in a local. Null for the irregular ones, written below.
 * Read from the table expanded at build time (vm/jit-parts.ts) when something is first
 * compiled (`expandTable`), so that a run that never tiers up (most short scripts) makes none
 * of these objects.
 */
let PARTS: readonly (readonly Part[] | null)[] = [];
let PUSHED: readonly string[] = [];
let WRITES: readonly { local: number; kind: string }[][] = [];

/** Fills PARTS, PUSHED and WRITES; the entry points that generate code call it first. */
function expandTable(): void {
  if (PARTS.length !== 0) return;
  // Expanded at build time (bytecode/parts-source.ts; a test keeps the file in step with the table).
  const rows = JSON.parse(EXPANDED_ROWS) as [Part[] | null, string, { local: number; kind: string }[]][];
  PARTS = rows.map((r) => r[0]);
  PUSHED = rows.map((r) => r[1]);
  WRITES = rows.map((r) => r[2]);
}

/** The second tier's names for the helpers operator code calls. */
const JIT_HELPERS = { F: "F", ovf: "H.ovf", div: "H.div", pow: "H.intPow", fpow: "H.floatPow", byte: "H.byteFault", len: "H.lengthOf", eqv: "H.valuesEqualCharged", istr: "H.indexString", KError: "H.KError" } as const;

/**
 * What each local (not a parameter) holds, read off the instructions that store into it: "f"
 * if every store is of a float result, "i" if every one is of an integer result, "a" if every
 * one is of a new vector, array or tuple, else "o" (a store of another local's value, copied
 * or not, counts as that local's kind). The generated code relies on it: a float local lives
 * in a Float64Array slot, an integer local needs no number check as an index, an "a" local no
 * array check. Parameters are always "o": callers and the interpreter may pass anything.
 */
function localKinds(prog: Program, starts: number[], leaders: Set<number>, nl: number, np: number): string[] {
  let kinds: string[] = new Array(nl).fill("");
  const code = prog.code;
  const note = (n: number, k: string) => {
    kinds[n] = kinds[n] === "" || kinds[n] === k ? k : "o";
  };
  /** `Load x; [CopyValue;] Store y` in one block: y gets x's kind. */
  const copies: [number, number][] = [];
  const kindOfConst = (k: number) => {
    const c = prog.consts[k];
    if (typeof c !== "number") return "o";
    return prog.module.consts[k].tag === "float" ? "f" : "i";
  };
  /** Local `n` gets a value of kind `k` as semantics.ts's pushedKind names it, `$j`/`#j` being operands of the instruction at `at`. */
  const noteKind = (n: number, k: string, at: number) => {
    if (k[0] === "$") copies.push([n, code[at + 1 + Number(k.slice(1))]]);
    else if (k[0] === "#") note(n, kindOfConst(code[at + 1 + Number(k.slice(1))]));
    else note(n, k === "" ? "o" : k);
  };
  for (let i = 0; i < starts.length; i++) {
    const pc = starts[i];
    const op = code[pc];
    if (PARTS[op] !== null) {
      for (const w of WRITES[op]) {
        const n = code[pc + 1 + w.local];
        if (w.kind !== "s") {
          noteKind(n, w.kind, pc);
          continue;
        }
        // A value the instruction took from the stack: what the one before (in this block) left there.
        const prev = i > 0 && !leaders.has(pc) ? starts[i - 1] : -1;
        const pop = prev >= 0 ? code[prev] : -1;
        if (pop >= 0 && PARTS[pop] !== null) noteKind(n, PUSHED[pop], prev);
        else if (pop === Op.CallNative && /^float\.(sqrt|abs|floor|ceil)$/.test(prog.nativeNames[code[prev + 1]] ?? "")) note(n, "f");
        else if (pop === Op.MakeVector || pop === Op.MakeTuple) note(n, "a");
        else if (pop === Op.CopyValue && i > 1 && !leaders.has(prev) && code[starts[i - 2]] === Op.Load) copies.push([n, code[starts[i - 2] + 1]]);
        else note(n, "o");
      }
    } else if (op === Op.CopyLocalMem || op === Op.CopyLocalMemN || op === Op.CopyLocalMemInd || op === Op.CopyLocalMemIndN) note(code[pc + 1], "i");
    else if (op === Op.CopyPlaces) {
      const [dS, sS] = copyShapes(code[pc + 1])!.map((i) => SHAPES[i]);
      if (dS.kind !== "local") continue;
      if (sS.kind === "local") copies.push([code[pc + 2], code[pc + 3]]);
      else note(code[pc + 2], sS.kind === "const" ? kindOfConst(code[pc + 3]) : "i");
    }
  }
  for (let k = 0; k < np; k++) kinds[k] = "o";
  // Copies between locals: merge until nothing changes (kinds only move toward "o").
  const direct = kinds.slice();
  for (let round = 0; round <= nl; round++) {
    const prev = kinds;
    kinds = direct.slice();
    for (const [y, x] of copies) if (y >= np && prev[x] !== "") note(y, prev[x]);
    if (kinds.every((k, i) => k === prev[i])) break;
  }
  return kinds.map((k) => (k === "" ? "o" : k));
}

/** A memory place as the arguments `a, b, n` of memory.ts's place functions (see vm/places.ts). */
function placeArgs(s: Shape, operand: number, L: (i: number) => string): string {
  if (s.kind === "mem") return `${operand}, 0, ${s.len}`;
  if (s.kind === "ind") return `${L(operand)}, 0, ${s.len}`;
  const [a, b] = regionBounds(operand);
  return `${s.aLocal ? L(a) : `K[${a}]`}, ${s.bLocal ? L(b) : `K[${b}]`}, 0`;
}

/** Tries to compile function `f` (and, lazily, what it calls). Returns whether it is compiled. */
export function compileFunction(prog: Program, f: number): boolean {
  const state = prog.jitState[f];
  if (state === 1 || state === 3) return true;
  if (state === 2) return false;
  if (prog.pcDepth.length !== prog.code.length) {
    prog.jitState[f] = 2;
    return false;
  }
  const { src, callees } = unit(prog, `f${f}${inlineTag(prog)}`, () => {
    const callees: number[] = [];
    return { src: generate(prog, f, callees), callees };
  });
  if (src === null) {
    prog.jitState[f] = 2;
    return false;
  }
  // Compile what it calls too: a call into code that is not compiled leaves compiled code.
  prog.jitState[f] = 3;
  for (const g of callees) {
    if (!compileFunction(prog, g)) {
      prog.jitState[f] = 2;
      return false;
    }
  }
  if (DUMP) DUMP(`// second tier: function ${f} (${prog.fnName(f)})\n${src}\n`);
  try {
    const made = instantiate(prog, src);
    prog.jit[f] = made.run;
    prog.jitEntry[f] = made.entry;
    prog.jitState[f] = 1;
    return true;
  } catch {
    prog.jitState[f] = 2;
    return false;
  }
}

/**
 * "" when the program's `string.push` and `value.into` are the built-in natives, else "~" (an
 * embedder replaced one): the code generated differs (string builders and the inline integer
 * conversion need the built-ins), so this is part of a unit's key in the cache across runs.
 */
function inlineTag(prog: Program): string {
  const names = prog.nativeNames;
  for (let i = 0; i < names.length; i++) {
    if ((names[i] === "string.push" && prog.natives[i] !== STRING_PUSH) || (names[i] === "value.into" && prog.natives[i] !== VALUE_INTO)) return "~";
  }
  return "";
}

/**
 * `x.into()` from an integer or byte to a string (CallNativeTyped `value.into` 1 with those
 * static types), which the second tier does inline: the same text as the native's, its result
 * charged as a native's (heap.ts, chargeNative).
 */
function intoInline(prog: Program, pc: number): boolean {
  const code = prog.code;
  if (code[pc] !== Op.CallNativeTyped || code[pc + 2] !== 1 || prog.natives[code[pc + 1]] !== VALUE_INTO) return false;
  const t = prog.consts[code[pc + 3]] as { kind?: string; elems?: { kind: string }[] };
  return t?.kind === "tuple" && t.elems?.length === 2 && (t.elems[0].kind === "integer" || t.elems[0].kind === "byte") && t.elems[1].kind === "string";
}

/**
 * A unit's source and callees: from the program's cache across runs when it has them
 * (jit-cache.ts), else generated now and recorded there. Either way the unit is compiled
 * at the same moment, so the cache changes what compiling costs, never when it happens.
 */
function unit(prog: Program, key: string, make: () => JitUnit): JitUnit {
  const store = prog.jitStore;
  const kept = store?.get(key);
  if (kept !== undefined) return kept;
  const made = make();
  store?.put(key, made);
  return made;
}

/** Turns generated source into its functions, bound to the helpers and this program's tables. */
function instantiate(prog: Program, src: string): { run: JitFn; entry: JitEntry } {
  const make = new Function("H", "K", "J", "N", src) as (h: typeof H, k: unknown[], j: (JitFn | null)[], n: unknown[]) => { run: JitFn; entry: JitEntry };
  return make(H, prog.consts, prog.jit, prog.natives);
}

/**
 * A loop nest compiled on its own (on-stack replacement): only the code in [lo, hi) is
 * generated, and control leaving it — a jump out, falling off its end, or a return (left to
 * the interpreter to make, at the Return) — writes the locals, then the operand stack there,
 * back into the array the frame was entered with and returns the code index to go on from;
 * a receive that must wait does the same and returns ~its code index.
 */
interface Region {
  lo: number;
  hi: number;
}

/**
 * On-stack replacement at the loop head `target` of function `f`: the outermost loop nest
 * around it compiled on its own (see Region), or null when it cannot be (a value on the
 * operand stack where control jumps out of it). The entry runs the nest from `target` (or
 * from where it waited) with the frame in L from index o — its locals, then its operand stack
 * there: the interpreter passes its own stack — leaves the frame there and returns the code
 * index where the interpreter goes on (~ that of the place where it waits). Compiled once per
 * loop head (null remembered too); unwinds (budget, faults, parking) leave it like any
 * compiled frame.
 */
export function compileRegion(prog: Program, f: number, target: number): JitEntry | null {
  const known = prog.jitRegions.get(target);
  if (known !== undefined) return known;
  prog.jitRegions.set(target, null);
  if (prog.pcDepth.length !== prog.code.length) return null;
  // The outermost nest that can be compiled: a loop that receives messages around a loop
  // that computes leaves the inner one to compile. A nest already compiled from another of
  // its loop heads is shared (by the key -1 - its first code index): one JS function for V8
  // to warm up and optimize, not one per head.
  for (const region of loopNests(prog, f, target)) {
    const shared = prog.jitRegions.get(-1 - region.lo);
    if (shared) {
      prog.jitRegions.set(target, shared);
      return shared;
    }
    const { src, callees } = unit(prog, `r${f}:${region.lo}:${region.hi}${inlineTag(prog)}`, () => {
      const callees: number[] = [];
      return { src: generate(prog, f, callees, region), callees };
    });
    if (src === null) continue;
    if (!callees.every((g) => compileFunction(prog, g))) return null;
    if (DUMP) DUMP(`// second tier: function ${f} (${prog.fnName(f)}), loop nest ${region.lo}..${region.hi}\n${src}\n`);
    try {
      const entry = instantiate(prog, src).entry;
      prog.jitRegions.set(target, entry);
      prog.jitRegions.set(-1 - region.lo, entry);
      // Where the interpreter enters it again after the process waited: a receive, the
      // instruction after a vm.call.
      for (let pc = region.lo; pc < region.hi; pc += SIZE[prog.code[pc]]) {
        const op = prog.code[pc];
        const at = RECEIVES.has(op) ? pc : op === Op.CallNativeTyped && WAITING_NATIVES.has(prog.nativeNames[prog.code[pc + 1]]) ? pc + SIZE[op] : -1;
        if (at >= 0 && !prog.jitAtWait.has(at)) prog.jitAtWait.set(at, entry);
      }
      return entry;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * The loop nests of function `f` around the loop head `target`, outermost first: each is a
 * loop (a backward jump and its target) containing `target` together with every loop that
 * crosses it, transitively (in code the compiler emits, loops never cross: a nest is a loop).
 */
function loopNests(prog: Program, f: number, target: number): Region[] {
  const code = prog.code;
  const loops: [number, number][] = [];
  for (let pc = prog.fnEntry[f]; pc < prog.fnEnd[f]; ) {
    const info = OPCODES[code[pc]];
    const next = pc + SIZE[code[pc]];
    if (info.flow === "jump" || info.flow === "branch") {
      const t = code[pc + 1 + info.operands.indexOf("label")];
      if (t <= pc) loops.push([t, next]);
    }
    pc = next;
  }
  const nests: Region[] = [];
  for (const [a, b] of loops) {
    if (!(a <= target && target < b)) continue;
    let lo = a;
    let hi = b;
    for (let changed = true; changed; ) {
      changed = false;
      for (const [c, d] of loops) {
        // A loop that crosses the nest joins it; one around it is a nest of its own.
        if (c < hi && d > lo && (c < lo || d > hi) && !(c <= lo && d >= hi)) {
          lo = Math.min(lo, c);
          hi = Math.max(hi, d);
          changed = true;
        }
      }
    }
    if (!nests.some((r) => r.lo === lo && r.hi === hi)) nests.push({ lo, hi });
  }
  return nests.sort((x, y) => y.hi - y.lo - (x.hi - x.lo));
}

/** What `regularJs` uses of the code generator's state in a basic block (see generate). */
export interface JsBlock {
  /** The symbolic operand stack: the JS name or literal of each value. */
  names: string[];
  tmp(): string;
  /** A new temporary set to `expr`, named as stack value k. */
  def(k: number, expr: string): string;
  emit(line: string): void;
  /** Writes stack values below `depth` to their slot variables. */
  flush(depth: number): void;
  /** Local n is about to be assigned (stack values naming it keep its old value). */
  written(n: number, depth: number): void;
  /** The JS variable of local n. */
  L(n: number): string;
  /** A number as a JS literal. */
  lit(c: number): string;
  consts: readonly unknown[];
  /** Temporaries known to hold integers. */
  intTemps: Set<string>;
}

/**
 * A regular instruction (bytecode/semantics.ts) at code index `pc` with stack depth `d`: its
 * parts in turn on the symbolic stack, operator code lowered with this tier's helpers. A
 * superinstruction so compiles exactly as its parts would one after another. `jumpTo(t)` is
 * the code that goes to code index t.
 */
export function regularJs(parts: readonly Part[], operands: readonly number[], d: number, pc: number, jumpTo: (t: number) => string, b: JsBlock): void {
  const at = `at = ${pc};`;
  const { names, emit, L } = b;
  const lowering: Lowering = { tmp: b.tmp, set: (t, e) => `${t} = ${e};`, raise: (e) => `{ ${at} throw ${e}; }`, at: () => at, h: JIT_HELPERS };
  let depth = d;
  for (const part of parts) {
    const o = part.op === null ? null : OPERATORS[part.op];
    depth -= part.args.filter((v) => v === "s").length;
    let s = depth;
    const args = part.args.map((v): Arg => {
      if (v === "s") {
        const e = names[s++];
        return { e, known: /^\(?-?\d/.test(e) };
      }
      if (v[0] === "=") return { e: v.slice(1), known: true };
      const x = operands[operandOf(v)];
      if (v[0] === "$") return { e: L(x), known: false };
      if (v[0] === "n") return { e: b.lit(x), known: true };
      const c = b.consts[x];
      return typeof c === "number" && Number.isFinite(c) && !Object.is(c, -0) ? { e: b.lit(c), known: true } : { e: `K[${x}]`, known: false };
    });
    let value = args[0]?.e ?? "";
    if (o !== null && part.op !== "copy") {
      if (o.charges) emit(`vm.budget = bud;`);
      const r = o.lower(lowering, args[0], args[1]);
      if (r.code) emit(r.code.replace(/\n/g, " "));
      value = r.value;
      // A value that charged work is taken before the budget is taken back.
      if (o.charges) {
        value = b.def(depth, value);
        emit(`bud = vm.budget;`);
      }
    }
    if (part.k === "branch") {
      b.flush(depth);
      emit(o === null ? jumpTo(operands[part.label]) : `if (${part.when ? value : `!(${value})`}) { ${jumpTo(operands[part.label])} }`);
    } else if (part.to !== "s") {
      const n = operands[operandOf(part.to)];
      b.written(n, depth);
      emit(`${L(n)} = ${value};`);
    } else {
      // A pushed value: a name or literal as it is; a computed one in a temporary (an i32
      // result's `t | 0` back into its own).
      const own = /^(t\d+) \| 0$/.exec(value);
      if (own) emit(`${own[1]} = ${value};`);
      const name = own ? own[1] : part.op === "copy" ? (value.startsWith("K[") ? b.def(depth, value) : value) : /^t\d+$/.test(value) ? value : b.def(depth, value);
      names[depth] = name;
      if (o !== null && o.result === "int" && /^t\d+$/.test(name)) b.intTemps.add(name);
      depth++;
    }
  }
}

function generate(prog: Program, f: number, callees: number[], region: Region | null = null): string | null {
  expandTable();
  const code = prog.code;
  const fnStart = prog.fnEntry[f];
  const start = region ? region.lo : fnStart;
  const end = prog.fnEnd[f];
  const nl = prog.fnLocals[f];
  if (nl > 250 || prog.fnMaxStack[f] > 250) return null;
  // Instructions and block leaders (of the whole function, also for a region: local kinds
  // come from every store in it).
  const starts: number[] = [];
  const leaders = new Set<number>([fnStart, start]);
  let receives = false;
  /** A loop nest with try regions in it: it leaves through an unwind while one is open. */
  let tries = false;
  for (let pc = fnStart; pc < end; ) {
    const op = code[pc];
    const inRegion = region === null || (pc >= region.lo && pc < region.hi);
    if (UNSUPPORTED.has(op) && inRegion) return null;
    if (op === Op.CallNativeTyped && WAITING_NATIVES.has(prog.nativeNames[code[pc + 1]])) {
      receives = true;
      leaders.add(pc + SIZE[op]);
    }
    if (region !== null && inRegion && OPCODES[op].flow === "try") tries = true;
    if (op === Op.Call && inRegion) callees.push(code[pc + 1]);
    // A receive is where the interpreter enters again after the process waited in it.
    if (RECEIVES.has(op)) {
      receives = true;
      leaders.add(pc);
    }
    const info = OPCODES[op];
    starts.push(pc);
    const next = pc + SIZE[op];
    if (info.flow === "jump" || info.flow === "branch") {
      leaders.add(code[pc + 1 + info.operands.indexOf("label")]);
      if (next < end) leaders.add(next);
    } else if (info.flow === "try") leaders.add(code[pc + 1]);
    else if (info.flow === "end" && next < end) leaders.add(next);
    pc = next;
  }
  // A function whose jumps all go forward and that has no try region (fib, most leaf
  // functions) needs no dispatch loop: each jump target closes a labelled block opened at the
  // top, and a jump is a `break` out of it. V8 compiles and optimizes such straight-line code
  // sooner than a `for (;;) switch`. (Such a function is only ever entered at its start: the
  // interpreter enters compiled code mid-function only at a loop head.)
  const targets = new Set<number>();
  // (A function that receives is entered at its receives too.)
  let forward = region === null && !receives;
  for (const pc of starts) {
    const op = code[pc];
    const info = OPCODES[op];
    if (info.flow === "try") forward = false;
    else if (info.flow === "jump" || info.flow === "branch") {
      const t = code[pc + 1 + info.operands.indexOf("label")];
      if (t <= pc || t >= end) forward = false;
      targets.add(t);
    }
  }
  if (forward && ![...targets].every((t) => starts.includes(t))) forward = false;
  const maxS = Math.max(prog.fnMaxStack[f], 1);
  const np = prog.fnParams[f];
  const kinds = localKinds(prog, starts, leaders, nl, np);
  // Float locals (not parameters) live in one Float64Array, `fr`: a JS variable that holds a
  // float across the dispatch loop is a phi V8 keeps tagged (after on-stack replacement
  // especially), so every float stored to it would be boxed; a typed slot never is.
  const fslot: number[] = new Array(nl).fill(-1);
  let nf = 0;
  for (let i = np; i < nl; i++) if (kinds[i] === "f") fslot[i] = nf++;
  const L = (i: number) => (fslot[i] >= 0 ? `fr[${fslot[i]}]` : `l${i}`);
  const S = (i: number) => `s${i}`;
  const locals = Array.from({ length: nl }, (_, i) => L(i));
  const stackVars = Array.from({ length: maxS }, (_, i) => S(i));
  // String locals kept as builders (string-builder.ts): builder `Bn` beside local `ln`, which
  // then holds the head of the value; `value(n)` is the whole value, read wherever it leaves.
  const effects = { fnParams: (i: number) => prog.fnParams[i], ext: (i: number) => prog.module.exts![i] };
  const plan = planBuilders({
    prog,
    pcs: region === null ? starts : starts.filter((pc) => pc >= region.lo && pc < region.hi),
    leaders,
    isFloat: (n) => fslot[n] >= 0,
    simple: (pc) => {
      const op = code[pc];
      return (PARTS[op] !== null && OPCODES[op].flow === undefined) || op === Op.Concat || (op === Op.CallNative && INTRINSICS.get(prog.nativeNames[code[pc + 1]])?.arity === code[pc + 2]) || intoInline(prog, pc);
    },
    pops: (pc) => {
      const info = OPCODES[code[pc]];
      return typeof info.pops === "number" ? info.pops : info.pops([code[pc + 1], code[pc + 2], code[pc + 3]], effects);
    },
    isPush: (i) => prog.natives[i] === STRING_PUSH,
  });
  const sb = plan.locals;
  const B = (n: number) => `B${n}`;
  const value = (n: number) => (sb.has(n) ? `(${B(n)} === null ? ${L(n)} : (${L(n)} = H.sbFlat(vm, ${B(n)}, ${L(n)})))` : L(n));
  /** The name of a builder local's value on the symbolic stack while it is being appended to (never emitted). */
  const mark = (n: number) => `@B${n}`;
  /** Leaving the frame for good: its builders may serve other frames. */
  const frees = [...sb].map((n) => `if (${B(n)} !== null) H.sbFree(${B(n)}); `).join("");
  const out: string[] = [];
  const emit = (s: string) => out.push(s);
  /** For each try region: where its error value goes (by handler pc). */
  const handlers: string[] = [];

  // The operand stack is symbolic within a basic block: each value an instruction computes
  // gets a fresh temporary, so V8 sees one type per variable (a float stays unboxed) instead
  // of one variable per stack slot holding arrays, floats and booleans in turn; a pushed
  // local or literal is just its name (a local's old value is copied to a temporary before
  // the local is written, see `written`). Values are written to the canonical slot variables
  // s0, s1, ... only where another block, the catch block or the interpreter may read them:
  // at block ends, and before calls, natives, try regions and Halt.
  const names: string[] = [];
  // Temporaries never outlive their block (flush moves what is left to s0, s1, ...), so each
  // block numbers them from t0 again: fewer JS variables, and no wide V8 registers.
  let temps = 0;
  let maxTemps = 0;
  const tmp = () => {
    if (temps === maxTemps) maxTemps++;
    return `t${temps++}`;
  };
  const get = (k: number) => names[k];
  const def = (k: number, expr: string): string => {
    const t = tmp();
    emit(`${t} = ${expr};`);
    names[k] = t;
    return t;
  };
  const flush = (depth: number) => {
    for (let k = 0; k < depth; k++) {
      if (names[k] !== S(k)) {
        emit(`${S(k)} = ${names[k]};`);
        names[k] = S(k);
      }
    }
  };
  /** Local `n` is about to be assigned: stack entries that name it keep its old value. */
  const written = (n: number, depth: number) => {
    for (const key of inRange) if (key.split("|").includes(L(n))) inRange.delete(key);
    for (let k = 0; k < depth; k++) {
      if (names[k] === L(n)) {
        const t = tmp();
        emit(`${t} = ${L(n)};`);
        for (let j = k; j < depth; j++) if (names[j] === L(n)) names[j] = t;
      }
    }
  };
  // What the block knows about values by name, for dropping checks: temporaries that hold
  // integers, and `array|index` pairs of names just read in range (until a call or a native,
  // which may change a length, or a write to either local).
  const intTemps = new Set<string>();
  const inRange = new Set<string>();
  /** The code index after the last MakeVector or MakeTuple. */
  let madeBefore = -1;
  const isInt = (x: string) => /^\(?-?\d+\)?$/.test(x) || intTemps.has(x) || (/^l\d+$/.test(x) && kinds[+x.slice(1)] === "i");
  const isArr = (x: string) => /^l\d+$/.test(x) && kinds[+x.slice(1)] === "a";
  /** A number as a JS literal that can stand as an operand anywhere (negatives in parentheses). */
  const lit = (c: number) => (c < 0 || Object.is(c, -0) ? `(${c})` : String(c));
  const block: JsBlock = { names, tmp, def, emit, flush, written, L, lit, consts: prog.consts, intTemps };
  const reset = (depth: number) => {
    names.length = 0;
    for (let k = 0; k < depth; k++) names.push(S(k));
  };

  // Leaving a region at code index t: the frame is its locals, handed back in L, then the
  // `d` values of its operand stack there (all in s0, s1, ...); it returns t, or ~t when it
  // waits in the receive at t. Jumps out leave the operand stack empty (or the region is not
  // compiled); a return leaves at the Return, its value on the stack, for the interpreter to
  // make. A try region still open (never, in code the compiler emits) leaves through an
  // unwind instead, which carries it.
  let badExit = false;
  const handBack = (t: number, d: number, r: number, open: string): string =>
    `{ ${tries ? `if (hs.length !== 0) { ${open} } ` : ""}${locals.map((_, i) => `L[o + ${i}] = ${value(i)};`).join(" ")}${Array.from({ length: d }, (_, k) => ` L[o + ${nl + k}] = ${S(k)};`).join("")} ${frees}vm.budget = bud; return ${r}; }`;
  const exitTo = (t: number): string => {
    if (t < end && prog.pcDepth[t] !== 0) badExit = true;
    return handBack(t, 0, t, `at = ${t}; throw H.call();`);
  };
  // A receive that must wait, at code index `at` with `d` values on the operand stack: a loop
  // nest hands the frame back (~at), a function leaves through an unwind of kind "block" (see
  // the header).
  const blocked = (at: number, d: number): string => (region !== null ? handBack(at, d, ~at, `return ${BLOCK};`) : `return ${BLOCK};`);
  let live = false;
  for (const pc of starts) {
    if (region !== null && (pc < region.lo || pc >= region.hi)) continue;
    const d = prog.pcDepth[pc];
    if (leaders.has(pc)) {
      if (live && d >= 0) flush(d);
      if (!forward) emit(`case ${pc}:`);
      else if (targets.has(pc)) emit(`} // b${pc}`);
      reset(Math.max(d, 0));
      temps = 0;
      intTemps.clear();
      inRange.clear();
    }
    if (d < 0) {
      live = false;
      continue; // unreachable
    }
    live = true;
    const op = code[pc];
    const a1 = code[pc + 1];
    const a2 = code[pc + 2];
    const a3 = code[pc + 3];
    const top = get(d - 1);
    const sec = get(d - 2);
    // A spent budget at a back-edge goes to block -2, which refills it (one call site for all
    // back-edges, so none is a call V8 never saw run) and goes on at block `at`.
    const jumpTo = (t: number) => (region !== null && (t < region.lo || t >= region.hi) ? exitTo(t) : forward ? `break b${t};` : t <= pc ? `if (--bud <= 0) { at = ${t}; blk = -2; continue; } blk = ${t}; continue;` : `blk = ${t}; continue;`);
    const at = `at = ${pc};`;
    const info = OPCODES[op];
    if (info.flow === "end" || info.flow === "jump") live = false;
    // A regular instruction (bytecode/semantics.ts): its parts in turn, on the symbolic stack.
    // A superinstruction so compiles exactly as its parts would one after another.
    if (sb.size !== 0) {
      const role = plan.roles.get(pc);
      if (role !== undefined) {
        // An append to a builder local: the Load names it, each join appends in place, the Store ends it.
        const n = role.local;
        if (role.role === "load") names[d] = mark(n);
        else if (role.role === "store") {
          if (top !== mark(n)) return null;
        } else {
          if (sec !== mark(n)) return null;
          written(n, d);
          // The frame takes a builder after a few plain appends (BUILDER_AFTER).
          emit(`if (${B(n)} === null && ++C${n} > ${BUILDER_AFTER}) ${B(n)} = H.sbNew(vm, ${L(n)});`);
          const b = B(n);
          if (op === Op.Concat) emit(`${at} ${L(n)} = H.sbCat(vm, p, ${b}, ${L(n)}, ${top});`);
          // A char the code names: below 256 the quickest case; no push of a char charges reductions.
          else if (/^\d+$/.test(top) && +top < 256) emit(`${at} ${L(n)} = H.sbPushByte(vm, p, ${b}, ${L(n)}, ${top});`);
          else if (/^\d+$/.test(top)) emit(`${at} ${L(n)} = H.sbPush(vm, p, ${b}, ${L(n)}, ${top}, ${a1});`);
          else emit(`${at} vm.budget = bud; ${L(n)} = H.sbPush(vm, p, ${b}, ${L(n)}, ${top}, ${a1}); bud = vm.budget;`);
          names[d - 2] = mark(n);
        }
        continue;
      }
      // Any other read of a builder local joins its pending units first; a store drops them.
      const read = op === Op.Load || op === Op.ReturnLocal ? a1 : op === Op.CopyLocalLocal ? a2 : -1;
      if (sb.has(read)) {
        written(read, d);
        emit(`if (${B(read)} !== null) ${L(read)} = H.sbFlat(vm, ${B(read)}, ${L(read)});`);
      }
    }
    const parts = PARTS[op];
    if (parts !== null) {
      regularJs(parts, [a1, a2, a3], d, pc, jumpTo, block);
      if ((op === Op.Store || op === Op.CopyLocalConst || op === Op.CopyLocalLocal) && sb.has(a1)) emit(`if (${B(a1)} !== null) H.sbReset(vm, ${B(a1)}, ${L(a1)});`);
      continue;
    }
    switch (op) {
      case Op.Nop:
        break;
      case Op.TryBegin:
        flush(d);
        handlers.push(`case ${a1}: ${S(d)} = e.error; break;`);
        emit(`hs.push(${a1});`);
        break;
      case Op.TryEnd:
        emit(`hs.pop();`);
        break;
      case Op.Halt:
        flush(d);
        emit(`${at} throw H.halt();`);
        break;
      case Op.Pop:
        break;
      case Op.Dup:
        names[d] = top;
        break;
      case Op.Swap:
        names[d - 1] = sec;
        names[d - 2] = top;
        break;
      case Op.Call: {
        flush(d);
        const n = prog.fnParams[a1];
        const args = Array.from({ length: n }, (_, i) => S(d - n + i));
        const callee = a1 === f ? "run" : `J[${a1}]`;
        // Leaving compiled code at the call (not compiled, too deep, the slice over) gives its
        // reduction back: the interpreter makes the call, and counts it, from there.
        const guard = a1 === f ? "" : `if (g === null) { bud++; throw H.call(); } `;
        const t = tmp();
        emit(
          `${at} if (--bud <= 0) { vm.budget = bud; if ((bud = vm.budget = vm.refill()) <= 0) { bud++; return ${SUSPEND}; } } if (depth >= ${MAX_JIT_DEPTH}) { bud++; throw H.deep(); } vm.budget = bud; { const g = ${callee}; ${guard}` +
            `${t} = g(vm, p, depth + 1${args.map((x) => ", " + x).join("")}, null); } if (${t} === H.U) return ${MORE}; bud = vm.budget;`,
        );
        names[d - n] = t;
        break;
      }
      case Op.Return:
        if (region !== null) {
          flush(d);
          emit(`${at} ${handBack(pc, d, pc, `throw H.call();`)}`);
        } else emit(`${frees}vm.budget = bud; return ${top};`);
        break;
      case Op.CallNative:
      case Op.CallNativeTyped: {
        const n = a2;
        if (intoInline(prog, pc)) {
          const x = top;
          const t = tmp();
          emit(`if (typeof ${x} === "number") { ${t} = "" + ${x}; if ((p.heapBytes += 32 + 2 * ${t}.length) > 0) { ${at} H.charge(vm, p, 0, -1); } } else { ${at} vm.budget = bud; ${t} = H.native(vm, p, ${a1}, ${x}, ${a3}); bud = vm.budget; }`);
          names[d - 1] = t;
          break;
        }
        const intrinsic = op === Op.CallNative ? INTRINSICS.get(prog.nativeNames[a1]) : undefined;
        if (intrinsic && intrinsic.arity === n) {
          const t = tmp();
          emit(intrinsic.code(get(d - n), t));
          names[d - n] = t;
          break;
        }
        // `x.into()` to a number, char or bool: the conversion itself, without the native call
        // around it (its result allocates nothing, as the other intrinsics' do not).
        if (op === Op.CallNativeTyped && n === 1 && prog.nativeNames[a1] === "value.into" && SCALAR.has((prog.consts[a3] as { elems: Type[] }).elems[1].kind)) {
          const t = tmp();
          emit(`${at} ${t} = H.into(${get(d - 1)}, K[${a3}]);`);
          names[d - 1] = t;
          break;
        }
        const args = Array.from({ length: n }, (_, i) => get(d - n + i));
        flush(d - n);
        const typed = op === Op.CallNativeTyped ? a3 : -1;
        const after = pc + SIZE[op];
        const t = tmp();
        // p.current_function() of the process itself reads where it is (the interpreter saves p.pc at every native call).
        if (prog.nativeNames[a1] === "process.current_function") emit(`p.pc = ${pc};`);
        const park = `at = ${after}; throw H.park(${t});`;
        // A loop nest waiting in vm.call hands its frame back at the instruction after the call,
        // without the reply the interpreter pushes when the process runs again.
        const wait = region !== null && op === Op.CallNativeTyped && WAITING_NATIVES.has(prog.nativeNames[a1]) ? `if (p.status === 2) ${handBack(after, d - n, ~after, park)} ` : "";
        emit(`${at} vm.budget = bud; ${t} = vm.callNative(p, ${a1}, [${args.join(", ")}], ${typed}); bud = vm.budget; if (${t} instanceof Promise || p.status !== 1) { ${wait}${park} }`);
        names[d - n] = t;
        break;
      }
      case Op.Ext: {
        // An extension opcode the embedder defined (ext-opcodes.ts): its local operands' values
        // go along by slot, the rest the site holds.
        const site = prog.extSites[a1];
        const n = site.op.pops;
        const args = Array.from({ length: n }, (_, i) => get(d - n + i));
        flush(d - n);
        const frame: string[] = [];
        site.op.operands.forEach((k, i) => k === "local" && (frame[site.encoded[i + 1]] = L(site.encoded[i + 1])));
        const t = tmp();
        emit(`${at} vm.budget = bud; ${t} = vm.execExt(p, vm.program.extSites[${a1}], [${args.join(", ")}], [${Array.from(frame, (x) => x ?? "null").join(", ")}], 0); bud = vm.budget;`);
        if (site.op.pushes !== 0) names[d - n] = t;
        break;
      }
      case Op.Concat: {
        const t = tmp();
        emit(`${t} = ${sec} + ${top}; if (${t}.length > vm.maxStringLength || 2 * ${t}.length > vm.heapLimit) { ${at} throw H.hard("${C.heap_limit}"); } if ((p.heapBytes += 32 + 2 * (${sec}.length < ${top}.length ? ${sec}.length : ${top}.length)) > 0) { ${at} H.charge(vm, p, 0, -1); }`);
        names[d - 2] = t;
        break;
      }
      case Op.MakeVector:
      case Op.MakeTuple: {
        const n = a1;
        const elems = Array.from({ length: n }, (_, i) => get(d - n + i));
        emit(`if ((p.heapBytes += ${48 + 12 * n}) > 0) { ${at} H.charge(vm, p, 0, -1); }`);
        def(d - n, `[${elems.join(", ")}]`);
        madeBefore = pc + SIZE[op];
        break;
      }
      case Op.Index: {
        const t = tmp();
        const isArray = isArr(sec) ? "" : `!Array.isArray(${sec}) || `;
        // No Kaylee value is undefined: with an integer index, an undefined read is an index
        // out of range (any other index could name a property such as "length").
        if (isInt(top)) emit(`if (${isArray}(${t} = ${sec}[${top}]) === undefined) { ${at} ${t} = H.indexSlow(${sec}, ${top}); }`);
        else emit(`if (${isArray}!((${top} >>> 0) === ${top} && ${top} < ${sec}.length)) { ${at} ${t} = H.indexSlow(${sec}, ${top}); } else ${t} = ${sec}[${top}];`);
        if (isArr(sec)) inRange.add(`${sec}|${top}`);
        names[d - 2] = t;
        break;
      }
      case Op.StoreIndex: {
        const v = get(d - 3);
        // `a[i] op= x` stores where it has just read: no check left to make.
        if (inRange.has(`${v}|${sec}`)) emit(`${v}[${sec}] = ${top};`);
        else emit(`if (${isArr(v) ? "" : `!Array.isArray(${v}) || `}!((${sec} >>> 0) === ${sec} && ${sec} < ${v}.length)) { ${at} H.storeIndexSlow(${v}, ${sec}, ${top}); } else ${v}[${sec}] = ${top};`);
        break;
      }
      case Op.GetField:
        emit(`if (!Array.isArray(${top}) || ${a1} >= ${top}.length) { ${at} throw H.field(${a1}); }`);
        def(d - 1, `${top}[${a1}]`);
        break;
      case Op.SetField:
        emit(`if (!Array.isArray(${sec}) || ${a1} >= ${sec}.length) { ${at} throw H.field(${a1}); } ${sec}[${a1}] = ${top};`);
        break;
      case Op.CopyValue: {
        const t = tmp();
        emit(`${t} = ${top}; if (Array.isArray(${t})) { ${at} vm.budget = bud; ${t} = H.copyCharged(vm, p, ${t}, -1); bud = vm.budget; }`);
        names[d - 1] = t;
        break;
      }
      case Op.CheckError:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.used(${top}); }`);
        break;
      case Op.PanicIfError:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.panic(${top}); }`);
        break;
      case Op.PanicIfErrorMsg:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.panic(new H.KError(K[${a1}], ${top}.code)); }`);
        break;
      case Op.SetErrorMessage: {
        const t = tmp();
        emit(`${t} = ${top}; if (${t} instanceof H.KError) ${t} = new H.KError(K[${a1}], ${t}.code);`);
        names[d - 1] = t;
        break;
      }
      case Op.Panic:
        emit(`${at} throw H.panic(new H.KError(String(${top}), "${C.panic}"));`);
        break;
      case Op.SpawnActor: {
        const n = prog.fnParams[a1];
        const args = Array.from({ length: n }, (_, i) => get(d - n + i));
        emit(`${at} vm.budget = bud;`);
        def(d - n, `vm.spawnFromCode(p, ${a1}, [${args.join(", ")}], ${a2})`);
        emit(`bud = vm.budget;`);
        break;
      }
      case Op.SendMessage: {
        // A vector or tuple made by the instruction just before (`vm.send(p, (a, b))`), so held
        // nowhere else, is sent as it is: only what it holds is copied.
        const fresh = madeBefore === pc && !leaders.has(pc);
        emit(`${at} vm.budget = bud; vm.sendFromCode(p, ${sec}, ${a1}, ${top}${fresh ? ", true" : ""}); bud = vm.budget;`);
        def(d - 2, "null");
        break;
      }
      case Op.Self:
        def(d, "p.pid");
        break;
      case Op.ReceiveMessage:
      case Op.ReceiveTimeout:
      case Op.ReceiveSelect:
      case Op.ReceiveSelectTimeout: {
        // The VM's receive takes a queued message or the one handed over while the process
        // waited; when it must wait, it has arranged the wait and this frame leaves at this
        // instruction. receive { } pushes the message, then its arm (see the interpreter).
        const one = op === Op.ReceiveMessage || op === Op.ReceiveTimeout;
        const timed = op === Op.ReceiveTimeout || op === Op.ReceiveSelectTimeout;
        const k = d - (timed ? 1 : 0);
        flush(d);
        const t = tmp();
        const args = `p, ${a1}, ${timed}, ${timed ? S(d - 1) : 0}`;
        if (one) {
          emit(`${at} vm.budget = bud; ${t} = vm.receive(${args}); if (${t} === H.NM) ${blocked(pc, d)}`);
          names[k] = t;
        } else {
          const m = tmp();
          emit(`${at} vm.budget = bud; ${t} = vm.receiveSelect(${args}); bud = vm.budget; if (${t} === ${SELECT_WAIT}) ${blocked(pc, d)} ${m} = vm.selected; vm.selected = null;`);
          names[k] = m;
          names[k + 1] = t;
          intTemps.add(t);
        }
        break;
      }
      case Op.SpawnSupervisor:
      case Op.SetStrategy:
      case Op.StartChild:
      case Op.RestartChild: {
        const n = typeof info.pops === "number" ? info.pops : info.pops([a1, a2, a3], { fnParams: (i) => prog.fnParams[i], ext: (i) => prog.module.exts![i] });
        const name = op === Op.SpawnSupervisor ? (a1 ? "start_supervisor" : "supervisor") : op === Op.SetStrategy ? "set_strategy" : op === Op.StartChild ? "start_child" : "restart_child";
        const after = pc + SIZE[op];
        const args = Array.from({ length: n }, (_, i) => get(d - n + i));
        flush(d - n);
        const t = tmp();
        emit(`${at} vm.budget = bud; ${t} = vm.supervisorOp(p, "${name}", [${args.join(", ")}], ${op === Op.StartChild ? a1 : -1}); bud = vm.budget; if (${t} instanceof Promise || p.status !== 1) { at = ${after}; throw H.park(${t}); }`);
        names[d - n] = t;
        break;
      }
      case Op.LoadMem:
        emit(at);
        def(d, `H.memRead(p, ${a1}, 4, true)`);
        break;
      case Op.LoadMemN:
        emit(at);
        def(d, `H.memRead(p, ${a1}, ${a2}, false)`);
        break;
      case Op.LoadMemInd:
        emit(at);
        def(d, `H.memRead(p, ${L(a1)}, 4, true)`);
        break;
      case Op.LoadMemIndN:
        emit(at);
        def(d, `H.memRead(p, ${L(a1)}, ${a2}, false)`);
        break;
      case Op.StoreMem:
        emit(`${at} H.memWrite(p, ${a1}, 4, ${top});`);
        break;
      case Op.StoreMemN:
        emit(`${at} H.memWrite(p, ${a1}, ${a2}, ${top});`);
        break;
      case Op.StoreMemInd:
        emit(`${at} H.memWrite(p, ${L(a1)}, 4, ${top});`);
        break;
      case Op.StoreMemIndN:
        emit(`${at} H.memWrite(p, ${L(a1)}, ${a2}, ${top});`);
        break;
      case Op.CopyLocalMem:
        written(a1, d);
        emit(`${at} ${L(a1)} = H.memRead(p, ${a2}, 4, true);`);
        break;
      case Op.CopyLocalMemN:
        written(a1, d);
        emit(`${at} ${L(a1)} = H.memRead(p, ${a2}, ${a3}, false);`);
        break;
      case Op.CopyLocalMemInd:
        written(a1, d);
        emit(`${at} ${L(a1)} = H.memRead(p, ${L(a2)}, 4, true);`);
        break;
      case Op.CopyLocalMemIndN:
        written(a1, d);
        emit(`${at} ${L(a1)} = H.memRead(p, ${L(a2)}, ${a3}, false);`);
        break;
      case Op.CopyMemLocal:
        emit(`${at} H.memWrite(p, ${a1}, 4, ${L(a2)});`);
        break;
      case Op.CopyMemNLocal:
        emit(`${at} H.memWrite(p, ${a1}, ${a2}, ${L(a3)});`);
        break;
      case Op.CopyMemIndLocal:
        emit(`${at} H.memWrite(p, ${L(a1)}, 4, ${L(a2)});`);
        break;
      case Op.CopyPlaces: {
        // The places resolved now (vm/places.ts does the same in the interpreter).
        const [dS, sS] = copyShapes(a1)!.map((i) => SHAPES[i]);
        if (isMemory(dS) && isMemory(sS)) {
          emit(`${at} vm.budget = bud; H.placeCopy(p, ${placeArgs(dS, a2, L)}, ${placeArgs(sS, a3, L)}, vm.chargeWork); bud = vm.budget;`);
          break;
        }
        const value = isMemory(sS) ? `H.placeRead(p, ${placeArgs(sS, a3, L)})` : sS.kind === "const" ? `K[${a3}]` : L(a3);
        if (dS.kind === "local") {
          written(a2, d);
          emit(`${at} ${L(a2)} = ${value};`);
        } else emit(`${at} H.placeWrite(p, ${placeArgs(dS, a2, L)}, ${value});`);
        break;
      }
      case Op.LoadPlace:
        emit(at);
        def(d, `H.placeRead(p, ${placeArgs(SHAPES[a1], a2, L)})`);
        break;
      case Op.StorePlace:
        emit(`${at} H.placeWrite(p, ${placeArgs(SHAPES[a1], a2, L)}, ${top});`);
        break;
      case Op.AddFloatIndexLocals:
      case Op.SubFloatIndexLocals:
      case Op.MulFloatIndexLocals:
      case Op.DivFloatIndexLocals: {
        // As IndexLocals, the float operation with x, then StoreIndexLocals.
        const o = op === Op.AddFloatIndexLocals ? "+" : op === Op.SubFloatIndexLocals ? "-" : op === Op.MulFloatIndexLocals ? "*" : "/";
        const v = L(a1);
        const i = L(a2);
        const isArray = isArr(v) ? "" : `!Array.isArray(${v}) || `;
        emit(`if (${isArray}!((${i} >>> 0) === ${i} && ${i} < ${v}.length)) { ${at} H.storeIndexSlow(${v}, ${i}, F(H.indexSlow(${v}, ${i}) ${o} ${top})); } else ${v}[${i}] = F(${v}[${i}] ${o} ${top});`);
        break;
      }
      case Op.IndexLocals: {
        // As Index (see there): no array check on a local known to hold an array, and with an
        // integer index an undefined read is the only sign of an index out of range.
        const t = tmp();
        const v = L(a1);
        const i = L(a2);
        const isArray = isArr(v) ? "" : `!Array.isArray(${v}) || `;
        if (isInt(i)) emit(`if (${isArray}(${t} = ${v}[${i}]) === undefined) { ${at} ${t} = H.indexSlow(${v}, ${i}); }`);
        else emit(`if (${isArray}!((${i} >>> 0) === ${i} && ${i} < ${v}.length)) { ${at} ${t} = H.indexSlow(${v}, ${i}); } else ${t} = ${v}[${i}];`);
        names[d] = t;
        break;
      }
      case Op.StoreIndexLocals: {
        const v = L(a1);
        const i = L(a2);
        const isArray = isArr(v) ? "" : `!Array.isArray(${v}) || `;
        emit(`if (${isArray}!((${i} >>> 0) === ${i} && ${i} < ${v}.length)) { ${at} H.storeIndexSlow(${v}, ${i}, ${top}); } else ${v}[${i}] = ${top};`);
        break;
      }
      case Op.ReturnLocal:
        if (region !== null) {
          flush(d);
          emit(`${at} ${handBack(pc, d, pc, `throw H.call();`)}`);
        } else emit(`${frees}vm.budget = bud; return ${L(a1)};`);
        break;
      default:
        return null;
    }
    if (op === Op.Call || op === Op.CallNativeTyped || (op === Op.CallNative && !INTRINSICS.has(prog.nativeNames[a1])) || op === Op.Ext || op === Op.SpawnActor || op === Op.SendMessage || op === Op.SpawnSupervisor || op === Op.SetStrategy || op === Op.StartChild || op === Op.RestartChild) inRange.clear();
  }
  if (region !== null && live) emit(exitTo(region.hi));
  if (badExit) return null;
  const tempDecl = maxTemps ? ` let ${Array.from({ length: maxTemps }, (_, i) => `t${i}`).join(", ")};` : "";
  const params = ["vm", "p", "depth", ...locals.slice(0, np), "L"].join(", ");
  const plain = Array.from({ length: nl - np }, (_, i) => np + i).filter((k) => fslot[k] < 0);
  // Locals that are not parameters start as a value of their kind (so a float local stays an
  // unboxed double in V8), or come from L when the function is entered mid-way.
  const init = (k: number) => (kinds[k] === "f" ? "0.5" : kinds[k] === "i" ? "0" : "null");
  const fromL = (k: number) => (kinds[k] === "f" ? `+L[o + ${k}]` : kinds[k] === "i" ? `L[o + ${k}] | 0` : `L[o + ${k}]`);
  const localDecl =
    (nf > 0 ? ` const fr = new Float64Array(${nf});` : "") +
    (sb.size > 0 ? ` let ${[...sb].map((n) => `${B(n)} = null, C${n} = 0`).join(", ")};` : "") +
    (plain.length > 0 ? ` let ${plain.map((k) => `${L(k)} = ${init(k)}`).join(", ")};` : "") +
    (nl > np ? ` if (L !== null) { ${locals.slice(np).map((v, i) => `${v} = ${fromL(np + i)};`).join(" ")} }` : "") +
    // Entered mid-function (at a receive): the operand stack there follows the locals in L.
    (receives ? ` if (L !== null) { ${stackVars.map((v, k) => `${v} = L[o + ${nl + k}];`).join(" ")} }` : "");
  // This frame's state, for an unwind (thrown) or a slice's end (returned as UNWIND, which
  // the placeholders at the yield points and after each compiled call become).
  const frame = `${f}, at, [${locals.map((_, i) => value(i)).join(", ")}], [${stackVars.join(", ")}], ${handlers.length ? "hs" : "[]"}`;
  const placed = (l: string) => l.split(SUSPEND).join(`H.suspend(vm, bud, ${frame})`).split(MORE).join(`H.more(vm, ${frame})`).split(BLOCK).join(`H.block(vm, bud, ${frame})`);
  for (let i = 0; i < out.length; i++) if (out[i].includes(PLACEHOLDER)) out[i] = placed(out[i]);
  const body = forward
    ? [
        `    if (L !== null && vm.jitBlk !== ${start}) throw H.fault("bad block " + vm.jitBlk, "${C.bad_code}");`,
        `    ${[...targets].sort((a, b) => b - a).map((t) => `b${t}: {`).join(" ")}`,
        ...out.map((l) => "      " + l),
        `    throw H.fault("fell off the end of a function", "${C.bad_code}");`,
      ]
    : [`    for (;;) switch (blk) {`, ...out.map((l) => "      " + l), placed(`      case -2: vm.budget = bud; if ((bud = vm.budget = vm.refill()) <= 0) return ${SUSPEND}; blk = at; continue;`), `      default: throw H.fault("bad block " + blk, "${C.bad_code}");`, `    }`];
  const unwind = `throw H.unwind(e, vm, bud, ${frame});`;
  const guarded = forward
    ? [`  try {`, ...body, `  } catch (e) {`, `    ${unwind}`, `  }`]
    : [
        ...(handlers.length ? [`  const hs = [];`] : []),
        `  for (;;) {`,
        `  try {`,
        ...body,
        `  } catch (e) {`,
        ...(handlers.length ? [`    if (hs.length !== 0 && H.catchable(e)) { const h = hs.pop(); switch (h) { ${handlers.join(" ")} } blk = h; continue; }`] : []),
        `    ${unwind}`,
        `  }`,
        `  }`,
      ];
  const fn = [
    `function run(${params}) {`,
    `  const F = Math.fround; let bud = vm.budget; let at = ${start}; let ${stackVars.map((v) => `${v} = null`).join(", ")};${tempDecl}${nl > np || receives || region !== null ? " const o = L === null ? 0 : vm.jitBase;" : ""}${localDecl}`,
    ...(forward ? [] : [`  let blk = L === null ? ${start} : vm.jitBlk;`]),
    ...guarded,
    `}`,
  ].join("\n");
  return [
    `"use strict";`,
    forward ? budgetInField(fn) : fn,
    `function entry(vm, p, blk, L, o) { vm.jitBase = o; vm.jitBlk = blk; return run(vm, p, 0${locals.slice(0, np).map((_, i) => `, L[o + ${i}]`).join("")}, blk >= 0 ? L : null); }`,
    `return { run, entry };`,
  ].join("\n");
}

/**
 * A function without loops keeps the budget in `vm.budget` alone, instead of a local copy
 * written back before every call and read again after it: a call-heavy function (fib) spends
 * less on the copy than it saves, and the budget is taken only at calls there (a loop's
 * back-edges keep the local, which is cheaper per turn). The code is generated for the local
 * and rewritten here: the copies go, and every other use of the local reads the field.
 */
function budgetInField(fn: string): string {
  return fn
    .split("(bud = vm.budget = vm.refill())").join("(vm.budget = vm.refill())")
    .split(" let bud = vm.budget;").join("")
    .split("vm.budget = bud; ").join("")
    .split("vm.budget = bud;").join("")
    .split(" bud = vm.budget;").join("")
    .split("bud = vm.budget;").join("")
    .replace(/\bbud\b/g, "vm.budget");
}
