// The second tier: hot functions' bytecode compiled to JavaScript source (`new Function`).
//
// Each function becomes one JS function `(vm, p, blk, l0, l1, ...)`: locals are JS
// variables, the operand stack is turned into JS variables `s0, s1, ...` (the verifier knows
// the depth at every instruction), and control flow is a `for (;;) switch (blk)` over basic
// blocks whose ids are their code indices, so the function can be entered at any block (on-
// stack replacement of a hot loop in the interpreter) and falls through between blocks.
// Compiled functions call each other directly; the reduction budget (`vm.budget`) is checked
// at backward jumps and before calls, exactly where the interpreter checks it.
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
// Not compiled (they stay in the interpreter): functions that receive messages.

import { OPCODES } from "../bytecode/opcodes.js";
import { Op } from "../bytecode/op.js";
import type { Program, JitFn, JitEntry } from "./program.js";
import { Fault, KError, ProgramExit, fault } from "./values.js";
import { deepCopy, valuesEqual } from "./copy.js";
import { memRead, memWrite } from "./memory.js";
import { PanicNow, usedError, intPow, overflow, divFault, indexFault, lengthOf, indexSlow, storeIndexSlow } from "./interpreter.js";
import { HardExit, charge, copyCharged } from "./heap.js";

export type UnwindKind = "yield" | "fault" | "park" | "call" | "deep" | "halt" | "status";

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

/** Compiled JS frames allowed on the host stack before unwinding into the interpreter. */
export const MAX_JIT_DEPTH = 1000;
/** Calls or loop back-edges before a function is compiled. */
export const JIT_THRESHOLD = 1000;

const UNSUPPORTED = new Set<number>([Op.ReceiveMessage, Op.ReceiveTimeout, Op.Wide]);

/** Helpers the generated code closes over. */
const H = {
  KError,
  F: Math.fround,
  deepCopy,
  valuesEqual,
  memRead,
  memWrite,
  intPow,
  lengthOf,
  indexSlow,
  storeIndexSlow,
  charge,
  copyCharged,
  ovf: overflow,
  div: divFault,
  idx: indexFault,
  used: usedError,
  fault,
  hard: (reason: string) => new HardExit(reason),
  yieldNow: () => new JitUnwind("yield"),
  deep: () => new JitUnwind("deep"),
  call: () => new JitUnwind("call"),
  halt: () => new JitUnwind("halt"),
  park: (r: unknown) => (r instanceof Promise ? new JitUnwind("park", null, r) : new JitUnwind("status")),
  byteFault: (a: unknown) => fault(`byte overflow: ${a} is not in 0..255`, "overflow"),
  field: (k: number) => fault(`tuple has no field ${k}`),
  panic: (e: KError) => new PanicNow(e),
  /** Can a try region of compiled code catch this? (Not {panic}, heap_limit or an unwind.) */
  catchable: (e: unknown): e is Fault => e instanceof Fault && !(e instanceof HardExit),
  unwind(e: unknown, fn: number, at: number, locals: unknown[], stack: unknown[], tries: number[]): unknown {
    let u: JitUnwind;
    if (e instanceof JitUnwind) u = e;
    else if (e instanceof ProgramExit) return e;
    else if (e instanceof PanicNow) u = new JitUnwind("fault", new Fault(e.error), null, true);
    else if (e instanceof HardExit) u = new JitUnwind("fault", e, null, true);
    else if (e instanceof Fault) u = new JitUnwind("fault", e);
    else if (e instanceof RangeError) u = new JitUnwind("fault", new HardExit("heap_limit"), null, true);
    else u = new JitUnwind("fault", fault(`invalid operation: ${e instanceof Error ? e.message : String(e)}`, "bad_code"));
    u.frames.push({ fn, at, locals, stack, tries });
    return u;
  },
};

/** Tries to compile function `f` (and, lazily, what it calls). Returns whether it is compiled. */
export function compileFunction(prog: Program, f: number): boolean {
  const state = prog.jitState[f];
  if (state === 1 || state === 3) return true;
  if (state === 2) return false;
  if (prog.pcDepth.length !== prog.code.length) {
    prog.jitState[f] = 2;
    return false;
  }
  const callees: number[] = [];
  const src = generate(prog, f, callees);
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
  try {
    const make = new Function("H", "K", "J", "N", src) as (h: typeof H, k: unknown[], j: (JitFn | null)[], n: unknown[]) => { run: JitFn; entry: JitEntry };
    const made = make(H, prog.consts, prog.jit, prog.natives);
    prog.jit[f] = made.run;
    prog.jitEntry[f] = made.entry;
    prog.jitState[f] = 1;
    return true;
  } catch {
    prog.jitState[f] = 2;
    return false;
  }
}

function generate(prog: Program, f: number, callees: number[]): string | null {
  const code = prog.code;
  const start = prog.fnEntry[f];
  const end = prog.fnEnd[f];
  const nl = prog.fnLocals[f];
  if (nl > 250 || prog.fnMaxStack[f] > 250) return null;
  // Instructions and block leaders.
  const starts: number[] = [];
  const leaders = new Set<number>([start]);
  for (let pc = start; pc < end; ) {
    const op = code[pc];
    if (UNSUPPORTED.has(op)) return null;
    if (op === Op.Call) callees.push(code[pc + 1]);
    const info = OPCODES[op];
    starts.push(pc);
    const next = pc + 1 + info.operands.length;
    if (info.flow === "jump" || info.flow === "branch") {
      leaders.add(code[pc + 1 + info.operands.indexOf("label")]);
      if (next < end) leaders.add(next);
    } else if (info.flow === "try") leaders.add(code[pc + 1]);
    else if (info.flow === "end" && next < end) leaders.add(next);
    pc = next;
  }
  const maxS = Math.max(prog.fnMaxStack[f], 1);
  const L = (i: number) => `l${i}`;
  const S = (i: number) => `s${i}`;
  const locals = Array.from({ length: nl }, (_, i) => L(i));
  const stackVars = Array.from({ length: maxS }, (_, i) => S(i));
  const out: string[] = [];
  const emit = (s: string) => out.push(s);
  /** For each try region: where its error value goes (by handler pc). */
  const handlers: string[] = [];

  for (const pc of starts) {
    const d = prog.pcDepth[pc];
    if (leaders.has(pc)) emit(`case ${pc}:`);
    if (d < 0) continue; // unreachable
    const op = code[pc];
    const a1 = code[pc + 1];
    const a2 = code[pc + 2];
    const a3 = code[pc + 3];
    const top = S(d - 1);
    const sec = S(d - 2);
    const jumpTo = (t: number) => (t <= pc ? `if (--vm.budget <= 0 && (vm.budget = vm.refill()) <= 0) { at = ${t}; throw H.yieldNow(); } blk = ${t}; continue;` : `blk = ${t}; continue;`);
    const at = `at = ${pc};`;
    switch (op) {
      case Op.Nop:
        break;
      case Op.TryBegin:
        handlers.push(`case ${a1}: ${S(d)} = e.error; break;`);
        emit(`hs.push(${a1});`);
        break;
      case Op.TryEnd:
        emit(`hs.pop();`);
        break;
      case Op.Halt:
        emit(`${at} throw H.halt();`);
        break;
      case Op.PushConst: {
        const c = prog.consts[a1];
        emit(`${S(d)} = ${typeof c === "number" && Number.isFinite(c) && !Object.is(c, -0) ? String(c) : `K[${a1}]`};`);
        break;
      }
      case Op.PushInt:
        emit(`${S(d)} = ${a1};`);
        break;
      case Op.PushNull:
        emit(`${S(d)} = null;`);
        break;
      case Op.PushTrue:
        emit(`${S(d)} = true;`);
        break;
      case Op.PushFalse:
        emit(`${S(d)} = false;`);
        break;
      case Op.Pop:
        break;
      case Op.Dup:
        emit(`${S(d)} = ${top};`);
        break;
      case Op.Swap:
        emit(`{ const t = ${top}; ${top} = ${sec}; ${sec} = t; }`);
        break;
      case Op.Load:
        emit(`${S(d)} = ${L(a1)};`);
        break;
      case Op.Store:
        emit(`${L(a1)} = ${top};`);
        break;
      case Op.CopyLocalConst:
        emit(`${L(a1)} = K[${a2}];`);
        break;
      case Op.CopyLocalLocal:
        emit(`${L(a1)} = ${L(a2)};`);
        break;
      case Op.IncLocal:
        emit(`{ const r = ${L(a1)} + ${a2}; if ((r | 0) !== r) { ${at} throw H.ovf(${L(a1)}, "+", ${a2}); } ${L(a1)} = r; }`);
        break;
      case Op.Add:
      case Op.Sub: {
        const o = op === Op.Add ? "+" : "-";
        emit(`{ const r = ${sec} ${o} ${top}; if ((r | 0) !== r) { ${at} throw H.ovf(${sec}, "${o}", ${top}); } ${sec} = r; }`);
        break;
      }
      case Op.Mul:
        emit(`{ const r = ${sec} * ${top}; if ((r | 0) !== r && r !== 0) { ${at} throw H.ovf(${sec}, "*", ${top}); } ${sec} = r | 0; }`);
        break;
      case Op.Div:
        emit(`if (${top} === 0 || (${sec} === -2147483648 && ${top} === -1) || typeof ${sec} !== "number" || typeof ${top} !== "number") { ${at} throw H.div(${sec}, ${top}); } ${sec} = (${sec} / ${top}) | 0;`);
        break;
      case Op.Mod:
        emit(`if (${top} === 0 || typeof ${sec} !== "number" || typeof ${top} !== "number") { ${at} throw H.div(${sec}, ${top}); } ${sec} = (${sec} % ${top}) | 0;`);
        break;
      case Op.Neg:
        emit(`if (${top} === -2147483648 || typeof ${top} !== "number") { ${at} throw H.ovf(${top}, "-"); } ${top} = (0 - ${top}) | 0;`);
        break;
      case Op.Exp:
        emit(`${at} ${sec} = H.intPow(${sec}, ${top});`);
        break;
      case Op.AddInt:
        emit(`{ const r = ${top} + ${a1}; if ((r | 0) !== r) { ${at} throw H.ovf(${top}, "+", ${a1}); } ${top} = r; }`);
        break;
      case Op.BitAnd:
        emit(`${sec} = ${sec} & ${top};`);
        break;
      case Op.BitOr:
        emit(`${sec} = ${sec} | ${top};`);
        break;
      case Op.BitXor:
        emit(`${sec} = ${sec} ^ ${top};`);
        break;
      case Op.Shl:
        emit(`${sec} = ${sec} << ${top};`);
        break;
      case Op.Shr:
        emit(`${sec} = ${sec} >> ${top};`);
        break;
      case Op.CheckByte:
        emit(`if (!(${top} >= 0 && ${top} <= 255)) { ${at} throw H.byteFault(${top}); } ${top} = ${top} | 0;`);
        break;
      case Op.AddFloat:
        emit(`${sec} = H.F(${sec} + ${top});`);
        break;
      case Op.SubFloat:
        emit(`${sec} = H.F(${sec} - ${top});`);
        break;
      case Op.MulFloat:
        emit(`${sec} = H.F(${sec} * ${top});`);
        break;
      case Op.DivFloat:
        emit(`${sec} = H.F(${sec} / ${top});`);
        break;
      case Op.ModFloat:
        emit(`${sec} = H.F(${sec} % ${top});`);
        break;
      case Op.NegFloat:
        emit(`${top} = -${top};`);
        break;
      case Op.ExpFloat:
        emit(`${sec} = H.F(${sec} ** ${top});`);
        break;
      case Op.Eq:
        emit(`${sec} = ${sec} === ${top};`);
        break;
      case Op.NotEq:
        emit(`${sec} = ${sec} !== ${top};`);
        break;
      case Op.Less:
        emit(`${sec} = ${sec} < ${top};`);
        break;
      case Op.LessEq:
        emit(`${sec} = ${sec} <= ${top};`);
        break;
      case Op.Greater:
        emit(`${sec} = ${sec} > ${top};`);
        break;
      case Op.GreaterEq:
        emit(`${sec} = ${sec} >= ${top};`);
        break;
      case Op.EqValue:
        emit(`${sec} = H.valuesEqual(${sec}, ${top});`);
        break;
      case Op.NotEqValue:
        emit(`${sec} = !H.valuesEqual(${sec}, ${top});`);
        break;
      case Op.Not:
        emit(`${top} = ${top} === false;`);
        break;
      case Op.Jump:
        emit(jumpTo(a1));
        break;
      case Op.JumpIfFalse:
        emit(`if (${top} === false || ${top} === 0 || ${top} === null) { ${jumpTo(a1)} }`);
        break;
      case Op.JumpIfTrue:
        emit(`if (!(${top} === false || ${top} === 0 || ${top} === null)) { ${jumpTo(a1)} }`);
        break;
      case Op.LessJumpIfFalse:
        emit(`if (!(${L(a1)} < ${L(a2)})) { ${jumpTo(a3)} }`);
        break;
      case Op.Call: {
        const n = prog.fnParams[a1];
        const args = Array.from({ length: n }, (_, i) => S(d - n + i));
        const rest = Array.from({ length: prog.fnLocals[a1] - n }, () => "null");
        const callee = a1 === f ? "run" : `J[${a1}]`;
        const guard = a1 === f ? "" : `if (g === null) throw H.call(); `;
        emit(
          `${at} if (--vm.budget <= 0 && (vm.budget = vm.refill()) <= 0) throw H.yieldNow(); if (depth >= ${MAX_JIT_DEPTH}) throw H.deep(); { const g = ${callee}; ${guard}` +
            `${S(d - n)} = g(vm, p, -1, depth + 1${[...args, ...rest].map((x) => ", " + x).join("")}); }`,
        );
        break;
      }
      case Op.Return:
        emit(`return ${top};`);
        break;
      case Op.CallNative:
      case Op.CallNativeTyped: {
        const n = a2;
        const args = Array.from({ length: n }, (_, i) => S(d - n + i));
        const typed = op === Op.CallNativeTyped ? a3 : -1;
        const after = pc + (op === Op.CallNativeTyped ? 4 : 3);
        emit(`{ at = ${pc}; const r = vm.callNative(p, ${a1}, [${args.join(", ")}], ${typed}); if (r instanceof Promise || p.status !== 1) { at = ${after}; throw H.park(r); } ${S(d - n)} = r; }`);
        break;
      }
      case Op.Concat:
        emit(`{ const r = ${sec} + ${top}; ${at} if (r.length > vm.maxStringLength || 2 * r.length > vm.heapLimit) throw H.hard("heap_limit"); if ((p.heapBytes += 16 + 2 * r.length) > 0) H.charge(vm, p, 0, -1); ${sec} = r; }`);
        break;
      case Op.MakeVector:
      case Op.MakeTuple: {
        const n = a1;
        emit(`${at} if ((p.heapBytes += ${16 + 8 * n}) > 0) H.charge(vm, p, 0, -1); ${S(d - n)} = [${Array.from({ length: n }, (_, i) => S(d - n + i)).join(", ")}];`);
        break;
      }
      case Op.Index:
        emit(`if (!Array.isArray(${sec}) || !(${top} >= 0 && ${top} < ${sec}.length)) { ${at} ${sec} = H.indexSlow(${sec}, ${top}); } else ${sec} = ${sec}[${top}];`);
        break;
      case Op.StoreIndex: {
        const v = S(d - 3);
        emit(`if (!Array.isArray(${v}) || !(${sec} >= 0 && ${sec} < ${v}.length)) { ${at} H.storeIndexSlow(${v}, ${sec}, ${top}); } else ${v}[${sec}] = ${top};`);
        break;
      }
      case Op.IndexString:
        emit(`${at} ${sec} = vm.indexString(${sec}, ${top});`);
        break;
      case Op.GetField:
        emit(`if (!Array.isArray(${top}) || ${a1} >= ${top}.length) { ${at} throw H.field(${a1}); } ${top} = ${top}[${a1}];`);
        break;
      case Op.SetField:
        emit(`if (!Array.isArray(${sec}) || ${a1} >= ${sec}.length) { ${at} throw H.field(${a1}); } ${sec}[${a1}] = ${top};`);
        break;
      case Op.Length:
        emit(`${at} ${top} = H.lengthOf(${top});`);
        break;
      case Op.CopyValue:
        emit(`if (Array.isArray(${top})) { ${at} ${top} = H.copyCharged(vm, p, ${top}, -1); }`);
        break;
      case Op.CheckError:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.used(${top}); }`);
        break;
      case Op.IsError:
        emit(`${top} = ${top} instanceof H.KError;`);
        break;
      case Op.PanicIfError:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.panic(${top}); }`);
        break;
      case Op.PanicIfErrorMsg:
        emit(`if (${top} instanceof H.KError) { ${at} throw H.panic(new H.KError(K[${a1}], ${top}.code)); }`);
        break;
      case Op.SetErrorMessage:
        emit(`if (${top} instanceof H.KError) ${top} = new H.KError(K[${a1}], ${top}.code);`);
        break;
      case Op.Panic:
        emit(`${at} throw H.panic(new H.KError(String(${top}), "panic"));`);
        break;
      case Op.SpawnActor: {
        const n = prog.fnParams[a1];
        emit(`${at} ${S(d - n)} = vm.spawnFromCode(p, ${a1}, [${Array.from({ length: n }, (_, i) => S(d - n + i)).join(", ")}], ${a2 !== 0});`);
        break;
      }
      case Op.SendMessage:
        emit(`${at} vm.sendFromCode(p, ${sec}, K[${a1}], ${top}); ${sec} = null;`);
        break;
      case Op.Self:
        emit(`${S(d)} = p.pid;`);
        break;
      case Op.SpawnSupervisor:
      case Op.SetStrategy:
      case Op.StartChild:
      case Op.RestartChild: {
        const info = OPCODES[op];
        const n = typeof info.pops === "number" ? info.pops : info.pops([a1, a2, a3], { fnParams: (i) => prog.fnParams[i] });
        const name = op === Op.SpawnSupervisor ? (a1 ? "start_supervisor" : "supervisor") : op === Op.SetStrategy ? "set_strategy" : op === Op.StartChild ? "start_child" : "restart_child";
        const after = pc + 1 + info.operands.length;
        emit(
          `{ ${at} const r = vm.supervisorOp(p, "${name}", [${Array.from({ length: n }, (_, i) => S(d - n + i)).join(", ")}], ${op === Op.StartChild ? a1 : -1}); if (p.status !== 1) { at = ${after}; throw H.park(null); } ${S(d - n)} = r; }`,
        );
        break;
      }
      case Op.LoadMem:
        emit(`${at} ${S(d)} = H.memRead(p, ${a1}, 4, true);`);
        break;
      case Op.LoadMemN:
        emit(`${at} ${S(d)} = H.memRead(p, ${a1}, ${a2}, false);`);
        break;
      case Op.LoadMemInd:
        emit(`${at} ${S(d)} = H.memRead(p, ${L(a1)}, 4, true);`);
        break;
      case Op.LoadMemIndN:
        emit(`${at} ${S(d)} = H.memRead(p, ${L(a1)}, ${a2}, false);`);
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
        emit(`${at} ${L(a1)} = H.memRead(p, ${a2}, 4, true);`);
        break;
      case Op.CopyLocalMemN:
        emit(`${at} ${L(a1)} = H.memRead(p, ${a2}, ${a3}, false);`);
        break;
      case Op.CopyLocalMemInd:
        emit(`${at} ${L(a1)} = H.memRead(p, ${L(a2)}, 4, true);`);
        break;
      case Op.CopyLocalMemIndN:
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
      default:
        return null;
    }
  }
  const params = ["vm", "p", "blk", "depth", ...locals].join(", ");
  const body = [`    for (;;) switch (blk) {`, ...out.map((l) => "      " + l), `      default: throw H.fault("bad block " + blk, "bad_code");`, `    }`];
  const unwind = `throw H.unwind(e, ${f}, at, [${locals.join(", ")}], [${stackVars.join(", ")}], ${handlers.length ? "hs" : "[]"});`;
  const guarded = handlers.length
    ? [
        `  const hs = [];`,
        `  for (;;) {`,
        `  try {`,
        ...body,
        `  } catch (e) {`,
        `    if (hs.length !== 0 && H.catchable(e)) { const h = hs.pop(); switch (h) { ${handlers.join(" ")} } blk = h; continue; }`,
        `    ${unwind}`,
        `  }`,
        `  }`,
      ]
    : [`  try {`, ...body, `  } catch (e) {`, `    ${unwind}`, `  }`];
  return [
    `"use strict";`,
    `function run(${params}) {`,
    `  let at = ${start}; let ${stackVars.map((v) => `${v} = null`).join(", ")};`,
    `  if (blk < 0) blk = ${start};`,
    ...guarded,
    `}`,
    `function entry(vm, p, blk, L) { return run(vm, p, blk, 0${locals.map((_, i) => `, L.length > ${i} ? L[${i}] : null`).join("")}); }`,
    `return { run, entry };`,
  ].join("\n");
}
