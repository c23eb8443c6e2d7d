// The interpreter: one small hot loop that runs one process for one slice.
//
// `pc`, `sp`, `base` and the frame pointer live in locals; the operand stack and locals share
// one JS array per process (locals at base..base+locals-1, operands above). The compiler
// emitted typed opcodes, so the loop never looks at a value's tag on a hot path: integer Add
// checks for overflow with `(r | 0) !== r` (which also catches a non-number operand from a
// hand-written module), floats round with Math.fround. Superinstructions (rows with `fuses`
// in the opcode table) do their parts' work in one case. The cases of the regular
// instructions (rows with a `sem`, and superinstructions of them: bytecode/semantics.ts) are
// generated from the opcode table between the two "generated" marker lines below
// (vm/interp-source.ts; `UPDATE_OPS=1 node --test dist/test/bytecode.test.js` rewrites them,
// a test fails when they are stale): edit the table, not them. Every other case is written
// here once, stepping by `Size.X` from op.ts. Reductions are counted only at calls
// and backward jumps and branches (all backward edges share one path, `backEdge`); when the
// slice's budget runs out, the state is saved into the process and the loop returns so the
// scheduler can run someone else (see MAX_REFILLS). Guest calls never recurse on the JS
// stack. Bulky or rare instructions call helpers outside the loop.
//
// Faults (overflow, out-of-range index, a used error value, a throwing native) are thrown as
// `Fault` and caught once per slice: the innermost try region of the current frame gets the
// error value (an expression with a handler), otherwise the process panics.

import { Op, Size } from "../bytecode/op.js";
import { Fault, KError, ProgramExit, fault, outOfRange, usedError } from "./values.js";
import { C } from "./error-codes.js";
import { NO_TRIES, Process, Status } from "./process.js";
import type { Program } from "./program.js";
import type { VMCore } from "./vm-core.js";
import { valuesEqualCharged } from "./copy.js";
import { HardExit, charge, copyCharged } from "./heap.js"; // memory & safety (heap.ts)
import { ForeignHandle, Slice, ownSlice, sliceGet, sliceSet, memRead, memWrite } from "./memory.js";
import { JitUnwind, UNWIND, compileFunction, compileRegion } from "./jit.js";
import { NO_MESSAGE, SELECT_WAIT } from "./mailbox.js";
import { indexString } from "./strings.js";
import { copyPlaces, loadPlace, storePlace } from "./places.js";

export const enum Exec {
  /** The budget ran out; the process can run again. */
  Yield = 0,
  /** The process waits (receive, a host promise); it will be made runnable again. */
  Blocked = 1,
  /** The process ended normally (Halt, or Return from its first frame). */
  Done = 2,
  /** The process panicked; `vm.lastPanic` says why and where. */
  Panicked = 3,
  /** The process was ended from outside while it ran (e.g. it killed itself). */
  Dead = 4,
  /** A traced process did one instruction (trace.ts; never seen by the scheduler). */
  Step = 5,
}

/**
 * Not an opcode: what a traced process's copy of the code holds at every instruction start
 * but the one it is to run (trace.ts), so that the loop stops after one instruction without
 * a check of its own on every instruction.
 */
export const TRACE_STEP = -1;

/** The deepest call chain a process may build (frames are data, not host stack: the second tier
 *  hands calls deeper than its own limit to the interpreter): past it, a stack-overflow error. */
export const MAX_FRAMES = 100_000;
/** The most stack slots a process may use (locals and operands). */
export const MAX_STACK_SLOTS = 1 << 20;

/**
 * A call of `execute` takes at most this many refills of a spent budget (vm.refill: nobody
 * else waits) before it yields anyway. Not for fairness: V8 runs a call that never returns
 * in on-stack-replacement code, which measured up to 2x slower for this loop than the
 * normally optimized code a later call gets. A yield every ~64k reductions costs a few µs.
 * The budget it yields with is the one spent, below zero when charged work overdrew it, so
 * that the slice counts that work as a refill would (and as the second tier does).
 */
const MAX_REFILLS = 16;

/**
 * Runs `p` until the budget in `vm.budget` is spent (at a call or backward jump), it blocks,
 * or it ends. What is left of the budget stays in `vm.budget`, shared with compiled code.
 * `prog` is the VM's program, or a traced process's copy of it (trace.ts).
 */
export function execute(vm: VMCore, p: Process, prog: Program = vm.program): Exec {
  const code = prog.code;
  const consts = prog.consts;
  let stack = p.stack;
  let sp = p.sp;
  let pc = p.pc;
  let base = p.base;
  let fp = p.fp;
  const jit = prog.jit;
  const hot = prog.hot;
  const fnParams = prog.fnParams;
  const fnLocals = prog.fnLocals;
  const fnMaxStack = prog.fnMaxStack;
  const fnEntry = prog.fnEntry;
  // The frame stack (return pc, caller's base); replaced only by growFrames and resumeFromJit.
  let frameRet = p.frameRet;
  let frameBase = p.frameBase;

  /** It resumes where compiled code waited (after a vm.call): enter it there first. */
  let waited = false;
  // A message handed to the receive this process waits in (VMCore.deliver) stays for that
  // receive to take (VMCore.receive), in this tier or in compiled code (resumeCompiled).
  if (p.hasResume && !p.resumeReceive) {
    p.hasResume = false;
    if (p.resumeFault) {
      const f = p.resumeFault;
      p.resumeFault = null;
      // Re-enter through the fault path below, at the instruction that parked.
      stack[sp++] = null;
      const r = handleFault(p, new Fault(f), fp);
      if (r < 0) return panic(vm, p, f, pc, fp);
      pc = r;
      sp = p.sp;
    } else {
      stack[sp++] = p.resumeValue;
      p.resumeValue = null;
      // The reply of a vm.call it waited in from compiled code: it goes on there (below).
      if (vm.jitThreshold !== Infinity && prog.jitAtWait.has(pc)) waited = true;
    }
  }

  /** Budget refills granted in this call (see MAX_REFILLS). */
  let refills = 0;
  /** The target of the backward jump or branch being taken (see `backEdge` below). */
  let target = 0;
  /** Is the second tier on (so back-edges count toward compiling their function)? */
  const tiered = vm.jitThreshold !== Infinity;

  /** A receive whose compiled code cannot be entered now (see resumeCompiled): run here. */
  let here = -1;

  resume: for (;;) {
    try {
      if (waited) {
        // Where this frame waited, compiled code goes on (a receive, after a vm.call).
        waited = false;
        const k = resumeCompiled(vm, p, prog, pc, sp, base, fp);
        if (k >= 0) return k;
        if (k === NOT_COMPILED) here = pc;
        else {
          sp = p.sp;
          pc = p.pc;
          base = p.base;
          fp = p.fp;
        }
      }
      for (;;) {
        backEdge: {
        switch (code[pc]) {
          case Op.Nop:
            pc += Size.Nop;
            break;
          case Op.Halt:
            return suspend(p, pc, sp, base, fp, Exec.Done);

          case Op.Pop:
            sp--;
            pc += Size.Pop;
            break;
          case Op.Dup:
            stack[sp] = stack[sp - 1];
            sp++;
            pc += Size.Dup;
            break;
          case Op.Swap: {
            const t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            pc += Size.Swap;
            break;
          }

          case Op.Call: {
            const f = code[pc + 1];
            if (tiered && (jit[f] !== null || (++hot[f] >= vm.jitThreshold && compileFunction(prog, f)))) {
              // The call's reduction, where compiled code counts it (before the call). A slice
              // that ends here gives it back: the call is made, and counted, when it resumes.
              if (--vm.budget <= 0 && (vm.budget = ++refills >= MAX_REFILLS ? 0 : vm.refill()) <= 0) {
                vm.budget++;
                return suspend(p, pc, sp, base, fp, Exec.Yield);
              }
              const n = prog.fnParams[f];
              // A JitUnwind out of the callee is handled by the catch below (vm.jitArgs = n).
              vm.jitArgs = n;
              // The live top of this tier's stack, for heap checks made from compiled code
              // (which clear the slots above it: nothing of this frame may be there).
              p.sp = sp;
              const r = prog.jitEntry[f]!(vm, p, -1, stack, sp - n);
              if (r === UNWIND) throw vm.takeUnwound();
              sp -= n;
              stack[sp++] = r;
              pc += Size.Call;
              break;
            }
            if (fp + 1 >= frameRet.length) {
              growFrames(p, fp);
              frameRet = p.frameRet;
              frameBase = p.frameBase;
            }
            frameRet[fp] = pc + Size.Call;
            frameBase[fp] = base;
            fp++;
            base = sp - fnParams[f];
            const top = base + fnLocals[f];
            if (top + fnMaxStack[f] > stack.length) stack = growStack(p, top + fnMaxStack[f]);
            while (sp < top) stack[sp++] = null;
            pc = fnEntry[f];
            if (--vm.budget <= 0 && (vm.budget = ++refills >= MAX_REFILLS ? vm.budget : vm.refill()) <= 0) return suspend(p, pc, sp, base, fp, Exec.Yield);
            break;
          }
          case Op.Return: {
            const v = stack[sp - 1];
            if (fp === 0) return suspend(p, pc, sp, base, fp, Exec.Done);
            fp--;
            sp = base;
            pc = frameRet[fp];
            base = frameBase[fp];
            stack[sp++] = v;
            if (p.tries.length !== 0) dropTries(p, fp);
            break;
          }
          case Op.CallNative:
          case Op.CallNativeTyped: {
            const n = code[pc + 2];
            const typed = code[pc] === Op.CallNativeTyped;
            const args = stack.slice(sp - n, sp);
            sp -= n;
            p.pc = pc;
            p.sp = sp;
            p.base = base;
            p.fp = fp;
            const r = vm.callNative(p, code[pc + 1], args, typed ? code[pc + 3] : -1, sp);
            pc += typed ? Size.CallNativeTyped : Size.CallNative;
            if (r instanceof Promise) {
              p.pc = pc;
              vm.park(p, r);
              return Exec.Blocked;
            }
            if (p.status !== Status.Running) {
              p.pc = pc;
              return p.status === Status.Dead ? Exec.Dead : Exec.Blocked;
            }
            stack[sp++] = r;
            break;
          }
          case Op.Ext: {
            // An extension opcode the embedder defined (ext-opcodes.ts): pops, exec, pushes.
            const site = prog.extSites[code[pc + 1]];
            const n = site.op.pops;
            const args = stack.slice(sp - n, sp);
            p.sp = sp -= n; // exact for the heap check of its result
            const r = vm.execExt(p, site, args, stack, base, sp);
            if (site.op.pushes !== 0) stack[sp++] = r;
            pc += Size.Ext;
            break;
          }

          case Op.Concat: {
            const a = stack[sp - 2] as string;
            const b = stack[sp - 1] as string;
            const s = a + b;
            if (s.length > vm.maxStringLength || 2 * s.length > vm.heapLimit) throw new HardExit(C.heap_limit);
            // heap accounting (heap.ts): what the join adds to what is live (a cons string that
            // keeps both parts), so that building a string by appending is charged linearly.
            if ((p.heapBytes += 32 + 2 * (a.length < b.length ? a.length : b.length)) > 0) charge(vm, p, 0, sp);
            stack[--sp - 1] = s;
            pc += Size.Concat;
            break;
          }
          case Op.MakeVector:
          case Op.MakeTuple: {
            const n = code[pc + 1];
            if ((p.heapBytes += 48 + 12 * n) > 0) charge(vm, p, 0, sp); // heap accounting: an array, 12 a slot (heap.ts)
            // Built element by element (not sliced from the untyped stack) so that V8 picks the
            // array's elements kind from its values: unboxed doubles for a vector of floats.
            const a: unknown[] = [];
            for (let k = sp - n; k < sp; k++) a.push(stack[k]);
            stack[sp - n] = a;
            sp = sp - n + 1;
            pc += Size.MakeVector;
            break;
          }
          case Op.Index: {
            const v = stack[sp - 2] as unknown[];
            const i = stack[sp - 1] as number;
            if (!((i >>> 0) === i && i < v.length) || !Array.isArray(v)) stack[sp - 2] = indexSlow(v, i); // slices; else throws
            else stack[sp - 2] = v[i];
            sp--;
            pc += Size.Index;
            break;
          }
          case Op.StoreIndex: {
            const v = stack[sp - 3] as unknown[];
            const i = stack[sp - 2] as number;
            if (!((i >>> 0) === i && i < v.length) || !Array.isArray(v)) storeIndexSlow(v, i, stack[sp - 1]); // slices; else throws
            else v[i] = stack[sp - 1];
            sp -= 3;
            pc += Size.StoreIndex;
            break;
          }
          case Op.GetField: {
            const t = stack[sp - 1] as unknown[];
            const k = code[pc + 1];
            if (!Array.isArray(t) || k >= t.length) throw fault(`tuple has no field ${k}`, C.bad_code);
            stack[sp - 1] = t[k];
            pc += Size.GetField;
            break;
          }
          case Op.SetField: {
            const t = stack[sp - 2] as unknown[];
            const k = code[pc + 1];
            if (!Array.isArray(t) || k >= t.length) throw fault(`tuple has no field ${k}`, C.bad_code);
            t[k] = stack[sp - 1];
            sp -= 2;
            pc += Size.SetField;
            break;
          }
          case Op.CopyValue:
            stack[sp - 1] = Array.isArray(stack[sp - 1]) ? copyCharged(vm, p, stack[sp - 1] as unknown[], sp) : stack[sp - 1]; // heap accounting
            pc += Size.CopyValue;
            break;

          case Op.CheckError: {
            const v = stack[sp - 1];
            if (v instanceof KError) throw usedError(v);
            pc += Size.CheckError;
            break;
          }
          case Op.TryBegin:
            if (p.tries === NO_TRIES) p.tries = [];
            p.tries.push(fp, code[pc + 1], sp);
            pc += Size.TryBegin;
            break;
          case Op.TryEnd:
            if (p.tries.length === 0 || p.tries[p.tries.length - 3] !== fp) throw fault("TryEnd without a TryBegin in this frame", C.bad_code);
            p.tries.length -= 3;
            pc += Size.TryEnd;
            break;
          case Op.PanicIfError: {
            const v = stack[sp - 1];
            if (v instanceof KError) throw new PanicNow(v);
            pc += Size.PanicIfError;
            break;
          }
          case Op.PanicIfErrorMsg: {
            const v = stack[sp - 1];
            if (v instanceof KError) throw new PanicNow(new KError(consts[code[pc + 1]] as string, v.code));
            pc += Size.PanicIfErrorMsg;
            break;
          }
          case Op.SetErrorMessage: {
            const v = stack[sp - 1];
            if (v instanceof KError) stack[sp - 1] = new KError(consts[code[pc + 1]] as string, v.code);
            pc += Size.SetErrorMessage;
            break;
          }
          case Op.Panic:
            throw new PanicNow(new KError(String(stack[sp - 1]), C.panic));

          case Op.SpawnActor: {
            const f = code[pc + 1];
            const n = prog.fnParams[f];
            const args = stack.slice(sp - n, sp);
            sp -= n;
            p.pc = pc;
            p.sp = sp;
            stack[sp++] = vm.spawnFromCode(p, f, args, code[pc + 2]);
            pc += Size.SpawnActor;
            break;
          }
          case Op.SendMessage:
            vm.sendFromCode(p, stack[sp - 2] as number, code[pc + 1], stack[sp - 1]);
            stack[--sp - 1] = null;
            pc += Size.SendMessage;
            break;
          case Op.ReceiveMessage:
          case Op.ReceiveTimeout:
          case Op.ReceiveSelect:
          case Op.ReceiveSelectTimeout: {
            if (tiered && pc !== here && (prog.jitAtWait.has(pc) || jit[prog.pcFn[pc]] !== null)) {
              // Compiled code holds this receive: the frame goes on there (above).
              waited = true;
              continue resume;
            }
            here = -1;
            const op = code[pc];
            if (op === Op.ReceiveMessage || op === Op.ReceiveTimeout) {
              const timed = op === Op.ReceiveTimeout;
              const got = vm.receive(p, code[pc + 1], timed, timed ? (stack[sp - 1] as number) : 0);
              if (got === NO_MESSAGE) return suspend(p, pc, sp, base, fp, Exec.Blocked);
              if (timed) sp--;
              stack[sp++] = got;
              pc += Size.ReceiveMessage;
              break;
            }
            // receive { }: the message, then its arm (its type's place in the set; -1: timed out).
            // Blocked, it runs again when a message of one of its types arrives or time is up.
            const timed = op === Op.ReceiveSelectTimeout;
            const arm = vm.receiveSelect(p, code[pc + 1], timed, timed ? (stack[sp - 1] as number) : 0);
            if (arm === SELECT_WAIT) return suspend(p, pc, sp, base, fp, Exec.Blocked);
            if (timed) sp--;
            stack[sp++] = vm.selected;
            stack[sp++] = arm;
            vm.selected = null;
            pc += Size.ReceiveSelect;
            break;
          }
          case Op.Self:
            stack[sp++] = p.pid;
            pc += Size.Self;
            break;

          case Op.SpawnSupervisor: {
            const nested = code[pc + 1] !== 0;
            const k = nested ? 4 : 3;
            const args = stack.slice(sp - k, sp);
            sp -= k;
            p.pc = pc;
            p.sp = sp;
            const r = vm.supervisorOp(p, nested ? "start_supervisor" : "supervisor", args, -1);
            pc += Size.SpawnSupervisor;
            if (r instanceof Promise) return parkOn(vm, p, r, pc, sp, base, fp);
            stack[sp++] = r;
            if (p.status !== Status.Running) return stopped(p, pc, sp, base, fp);
            break;
          }
          case Op.SetStrategy: {
            const args = stack.slice(sp - 2, sp);
            sp -= 2;
            p.pc = pc;
            p.sp = sp;
            const r = vm.supervisorOp(p, "set_strategy", args, -1);
            pc += Size.SetStrategy;
            if (r instanceof Promise) return parkOn(vm, p, r, pc, sp, base, fp);
            stack[sp++] = r;
            if (p.status !== Status.Running) return stopped(p, pc, sp, base, fp);
            break;
          }
          case Op.StartChild: {
            const f = code[pc + 1];
            const k = 2 + prog.fnParams[f];
            const args = stack.slice(sp - k, sp);
            sp -= k;
            p.pc = pc;
            p.sp = sp;
            const r = vm.supervisorOp(p, "start_child", args, f);
            pc += Size.StartChild;
            if (r instanceof Promise) return parkOn(vm, p, r, pc, sp, base, fp);
            stack[sp++] = r;
            if (p.status !== Status.Running) return stopped(p, pc, sp, base, fp);
            break;
          }
          case Op.RestartChild: {
            const args = stack.slice(sp - 2, sp);
            sp -= 2;
            p.pc = pc;
            p.sp = sp;
            const r = vm.supervisorOp(p, "restart_child", args, -1);
            pc += Size.RestartChild;
            if (r instanceof Promise) return parkOn(vm, p, r, pc, sp, base, fp);
            stack[sp++] = r;
            if (p.status !== Status.Running) return stopped(p, pc, sp, base, fp);
            break;
          }

          case Op.LoadMem:
            stack[sp++] = memRead(p, code[pc + 1], 4, true);
            pc += Size.LoadMem;
            break;
          case Op.LoadMemN:
            stack[sp++] = memRead(p, code[pc + 1], code[pc + 2], false);
            pc += Size.LoadMemN;
            break;
          case Op.LoadMemInd:
            stack[sp++] = memRead(p, stack[base + code[pc + 1]] as number, 4, true);
            pc += Size.LoadMemInd;
            break;
          case Op.LoadMemIndN:
            stack[sp++] = memRead(p, stack[base + code[pc + 1]] as number, code[pc + 2], false);
            pc += Size.LoadMemIndN;
            break;
          case Op.StoreMem:
            memWrite(p, code[pc + 1], 4, stack[--sp] as number);
            pc += Size.StoreMem;
            break;
          case Op.StoreMemN:
            memWrite(p, code[pc + 1], code[pc + 2], stack[--sp] as number);
            pc += Size.StoreMemN;
            break;
          case Op.StoreMemInd:
            memWrite(p, stack[base + code[pc + 1]] as number, 4, stack[--sp] as number);
            pc += Size.StoreMemInd;
            break;
          case Op.StoreMemIndN:
            memWrite(p, stack[base + code[pc + 1]] as number, code[pc + 2], stack[--sp] as number);
            pc += Size.StoreMemIndN;
            break;
          case Op.CopyLocalMem:
            stack[base + code[pc + 1]] = memRead(p, code[pc + 2], 4, true);
            pc += Size.CopyLocalMem;
            break;
          case Op.CopyLocalMemN:
            stack[base + code[pc + 1]] = memRead(p, code[pc + 2], code[pc + 3], false);
            pc += Size.CopyLocalMemN;
            break;
          case Op.CopyLocalMemInd:
            stack[base + code[pc + 1]] = memRead(p, stack[base + code[pc + 2]] as number, 4, true);
            pc += Size.CopyLocalMemInd;
            break;
          case Op.CopyLocalMemIndN:
            stack[base + code[pc + 1]] = memRead(p, stack[base + code[pc + 2]] as number, code[pc + 3], false);
            pc += Size.CopyLocalMemIndN;
            break;
          case Op.CopyMemLocal:
            memWrite(p, code[pc + 1], 4, stack[base + code[pc + 2]] as number);
            pc += Size.CopyMemLocal;
            break;
          case Op.CopyMemNLocal:
            memWrite(p, code[pc + 1], code[pc + 2], stack[base + code[pc + 3]] as number);
            pc += Size.CopyMemNLocal;
            break;
          case Op.CopyMemIndLocal:
            memWrite(p, stack[base + code[pc + 1]] as number, 4, stack[base + code[pc + 2]] as number);
            pc += Size.CopyMemIndLocal;
            break;
          case Op.CopyPlaces:
            copyPlaces(p, stack, base, consts, code[pc + 1], code[pc + 2], code[pc + 3], vm.chargeWork);
            pc += Size.CopyPlaces;
            break;
          case Op.LoadPlace:
            stack[sp++] = loadPlace(p, stack, base, consts, code[pc + 1], code[pc + 2]);
            pc += Size.LoadPlace;
            break;
          case Op.StorePlace:
            storePlace(p, stack, base, consts, code[pc + 1], code[pc + 2], stack[--sp]);
            pc += Size.StorePlace;
            break;

          // ── vectors and arrays through locals ──
          case Op.IndexLocals: {
            const v = stack[base + code[pc + 1]] as unknown[];
            const i = stack[base + code[pc + 2]] as number;
            if (!((i >>> 0) === i && i < v.length) || !Array.isArray(v)) stack[sp] = indexSlow(v, i); // slices; else throws
            else stack[sp] = v[i];
            sp++;
            pc += Size.IndexLocals;
            break;
          }
          case Op.StoreIndexLocals: {
            const v = stack[base + code[pc + 1]] as unknown[];
            const i = stack[base + code[pc + 2]] as number;
            if (!((i >>> 0) === i && i < v.length) || !Array.isArray(v)) storeIndexSlow(v, i, stack[sp - 1]); // slices; else throws
            else v[i] = stack[sp - 1];
            sp--;
            pc += Size.StoreIndexLocals;
            break;
          }
          case Op.AddFloatIndexLocals:
          case Op.SubFloatIndexLocals:
          case Op.MulFloatIndexLocals:
          case Op.DivFloatIndexLocals: {
            const v = stack[base + code[pc + 1]] as number[];
            const i = stack[base + code[pc + 2]] as number;
            const x = stack[sp - 1] as number;
            const o = code[pc];
            if (!((i >>> 0) === i && i < v.length) || !Array.isArray(v)) {
              const cur = indexSlow(v, i) as number; // slices; else throws
              storeIndexSlow(v, i, floatOp(o, cur, x));
            } else v[i] = o === Op.AddFloatIndexLocals ? Math.fround(v[i] + x) : o === Op.SubFloatIndexLocals ? Math.fround(v[i] - x) : floatOp(o, v[i], x);
            sp--;
            pc += Size.AddFloatIndexLocals;
            break;
          }
          case Op.ReturnLocal: {
            const v = stack[base + code[pc + 1]];
            if (fp === 0) {
              stack[sp++] = v;
              return suspend(p, pc, sp, base, fp, Exec.Done);
            }
            fp--;
            sp = base;
            pc = frameRet[fp];
            base = frameBase[fp];
            stack[sp++] = v;
            if (p.tries.length !== 0) dropTries(p, fp);
            break;
          }


          // ── generated from the opcode table by vm/interp-source.ts: the regular instructions (UPDATE_OPS=1 rewrites) ──
          case Op.PushConst:
            stack[sp++] = consts[code[pc + 1]];
            pc += 2;
            break;
          case Op.PushInt:
            stack[sp++] = code[pc + 1];
            pc += 2;
            break;
          case Op.PushNull:
            stack[sp++] = null;
            pc += 1;
            break;
          case Op.PushTrue:
            stack[sp++] = true;
            pc += 1;
            break;
          case Op.PushFalse:
            stack[sp++] = false;
            pc += 1;
            break;
          case Op.Load:
            stack[sp++] = stack[base + code[pc + 1]];
            pc += 2;
            break;
          case Op.Store:
            stack[base + code[pc + 1]] = stack[sp - 1];
            sp--;
            pc += 2;
            break;
          case Op.CopyLocalConst:
            stack[base + code[pc + 1]] = consts[code[pc + 2]];
            pc += 3;
            break;
          case Op.CopyLocalLocal:
            stack[base + code[pc + 1]] = stack[base + code[pc + 2]];
            pc += 3;
            break;
          case Op.IncLocal: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[base + code[pc + 1]] = r;
            pc += 3;
            break;
          }
          case Op.Add: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[sp - 2] = r;
            sp--;
            pc += 1;
            break;
          }
          case Op.Sub: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[sp - 2] = r;
            sp--;
            pc += 1;
            break;
          }
          case Op.Mul: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp - 2] = r | 0;
            sp--;
            pc += 1;
            break;
          }
          case Op.Div: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            if (b === 0 || (a === -2147483648 && b === -1) || typeof a !== "number" || typeof b !== "number") throw divFault(a, b);
            stack[sp - 2] = (a / b) | 0;
            sp--;
            pc += 1;
            break;
          }
          case Op.Mod: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            if (b === 0 || typeof a !== "number" || typeof b !== "number") throw divFault(a, b);
            stack[sp - 2] = (a % b) | 0;
            sp--;
            pc += 1;
            break;
          }
          case Op.Neg: {
            const a = stack[sp - 1] as number;
            if (a === -2147483648 || typeof a !== "number") throw overflow(a, "-");
            stack[sp - 1] = (0 - a) | 0;
            pc += 1;
            break;
          }
          case Op.Exp: {
            const a = stack[sp - 2];
            const b = stack[sp - 1];
            stack[sp - 2] = intPow(a, b);
            sp--;
            pc += 1;
            break;
          }
          case Op.AddInt: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[sp - 1] = r;
            pc += 2;
            break;
          }
          case Op.BitAnd: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a & b;
            sp--;
            pc += 1;
            break;
          }
          case Op.BitOr: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a | b;
            sp--;
            pc += 1;
            break;
          }
          case Op.BitXor: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a ^ b;
            sp--;
            pc += 1;
            break;
          }
          case Op.Shl: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a << b;
            sp--;
            pc += 1;
            break;
          }
          case Op.Shr: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a >> b;
            sp--;
            pc += 1;
            break;
          }
          case Op.CheckByte: {
            const a = stack[sp - 1] as number;
            if (!(a >= 0 && a <= 255)) throw byteFault(a);
            stack[sp - 1] = a | 0;
            pc += 1;
            break;
          }
          case Op.AddFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(a + b);
            sp--;
            pc += 1;
            break;
          }
          case Op.SubFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(a - b);
            sp--;
            pc += 1;
            break;
          }
          case Op.MulFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(a * b);
            sp--;
            pc += 1;
            break;
          }
          case Op.DivFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(a / b);
            sp--;
            pc += 1;
            break;
          }
          case Op.ModFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(a % b);
            sp--;
            pc += 1;
            break;
          }
          case Op.NegFloat: {
            const a = stack[sp - 1] as number;
            stack[sp - 1] = -a;
            pc += 1;
            break;
          }
          case Op.ExpFloat: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = Math.fround(floatPow(a, b));
            sp--;
            pc += 1;
            break;
          }
          case Op.Eq: {
            const a = stack[sp - 2];
            const b = stack[sp - 1];
            stack[sp - 2] = a === b;
            sp--;
            pc += 1;
            break;
          }
          case Op.NotEq: {
            const a = stack[sp - 2];
            const b = stack[sp - 1];
            stack[sp - 2] = a !== b;
            sp--;
            pc += 1;
            break;
          }
          case Op.Less: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a < b;
            sp--;
            pc += 1;
            break;
          }
          case Op.LessEq: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a <= b;
            sp--;
            pc += 1;
            break;
          }
          case Op.Greater: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a > b;
            sp--;
            pc += 1;
            break;
          }
          case Op.GreaterEq: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = a >= b;
            sp--;
            pc += 1;
            break;
          }
          case Op.EqValue: {
            const a = stack[sp - 2];
            const b = stack[sp - 1];
            stack[sp - 2] = valuesEqualCharged(a, b, vm.chargeWork);
            sp--;
            pc += 1;
            break;
          }
          case Op.NotEqValue: {
            const a = stack[sp - 2];
            const b = stack[sp - 1];
            stack[sp - 2] = !valuesEqualCharged(a, b, vm.chargeWork);
            sp--;
            pc += 1;
            break;
          }
          case Op.Not: {
            const a = stack[sp - 1];
            stack[sp - 1] = a === false;
            pc += 1;
            break;
          }
          case Op.Jump:
            target = code[pc + 1];
            if (target <= pc) break backEdge;
            pc = target;
            break;
          case Op.JumpIfFalse: {
            const a = stack[sp - 1];
            sp--;
            if (a === false || a === 0 || a === null) {
              target = code[pc + 1];
              if (target <= pc) break backEdge;
              pc = target;
            } else pc += 2;
            break;
          }
          case Op.JumpIfTrue: {
            const a = stack[sp - 1];
            sp--;
            if (a === false || a === 0 || a === null) pc += 2;
            else {
              target = code[pc + 1];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.LessJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            if (a < b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IndexString: {
            const a = stack[sp - 2] as string;
            const b = stack[sp - 1] as number;
            stack[sp - 2] = indexString(a, b, vm.chargeWork);
            sp--;
            pc += 1;
            break;
          }
          case Op.Length: {
            const a = stack[sp - 1];
            stack[sp - 1] = lengthOf(a);
            pc += 1;
            break;
          }
          case Op.IsError: {
            const a = stack[sp - 1];
            stack[sp - 1] = a instanceof KError;
            pc += 1;
            break;
          }
          case Op.EqJumpIfFalse: {
            const a = stack[base + code[pc + 1]];
            const b = stack[base + code[pc + 2]];
            if (a === b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.NotEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]];
            const b = stack[base + code[pc + 2]];
            if (a !== b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.LessEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            if (a <= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.GreaterJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            if (a > b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.GreaterEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            if (a >= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.EqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]];
            const b = code[pc + 2];
            if (a === b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.NotEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]];
            const b = code[pc + 2];
            if (a !== b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.LessIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            if (a < b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.LessEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            if (a <= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.GreaterIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            if (a > b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.GreaterEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            if (a >= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.AddLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[sp - 1] = r;
            pc += 2;
            break;
          }
          case Op.SubLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[sp - 1] = r;
            pc += 2;
            break;
          }
          case Op.MulLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp - 1] = r | 0;
            pc += 2;
            break;
          }
          case Op.AddLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[sp++] = r;
            pc += 3;
            break;
          }
          case Op.SubLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[sp++] = r;
            pc += 3;
            break;
          }
          case Op.MulLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp++] = r | 0;
            pc += 3;
            break;
          }
          case Op.SubInt: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[sp - 1] = r;
            pc += 2;
            break;
          }
          case Op.MulInt: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp - 1] = r | 0;
            pc += 2;
            break;
          }
          case Op.DivInt: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            if (b === 0 || (a === -2147483648 && b === -1) || typeof a !== "number") throw divFault(a, b);
            stack[sp - 1] = (a / b) | 0;
            pc += 2;
            break;
          }
          case Op.ModInt: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            if (b === 0 || typeof a !== "number") throw divFault(a, b);
            stack[sp - 1] = (a % b) | 0;
            pc += 2;
            break;
          }
          case Op.MulConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp - 1] = r | 0;
            pc += 2;
            break;
          }
          case Op.DivConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            if (b === 0 || (a === -2147483648 && b === -1) || typeof a !== "number") throw divFault(a, b);
            stack[sp - 1] = (a / b) | 0;
            pc += 2;
            break;
          }
          case Op.ModConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            if (b === 0 || typeof a !== "number") throw divFault(a, b);
            stack[sp - 1] = (a % b) | 0;
            pc += 2;
            break;
          }
          case Op.LoadAddInt: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[sp++] = r;
            pc += 3;
            break;
          }
          case Op.LoadSubInt: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[sp++] = r;
            pc += 3;
            break;
          }
          case Op.LoadMulInt: {
            const a = stack[base + code[pc + 1]] as number;
            const b = code[pc + 2];
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[sp++] = r | 0;
            pc += 3;
            break;
          }
          case Op.AddFloatLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a + b);
            pc += 2;
            break;
          }
          case Op.SubFloatLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a - b);
            pc += 2;
            break;
          }
          case Op.MulFloatLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a * b);
            pc += 2;
            break;
          }
          case Op.DivFloatLocal: {
            const a = stack[sp - 1] as number;
            const b = stack[base + code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a / b);
            pc += 2;
            break;
          }
          case Op.AddFloatLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            stack[sp++] = Math.fround(a + b);
            pc += 3;
            break;
          }
          case Op.SubFloatLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            stack[sp++] = Math.fround(a - b);
            pc += 3;
            break;
          }
          case Op.MulFloatLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            stack[sp++] = Math.fround(a * b);
            pc += 3;
            break;
          }
          case Op.DivFloatLocals: {
            const a = stack[base + code[pc + 1]] as number;
            const b = stack[base + code[pc + 2]] as number;
            stack[sp++] = Math.fround(a / b);
            pc += 3;
            break;
          }
          case Op.AddFloatConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a + b);
            pc += 2;
            break;
          }
          case Op.SubFloatConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a - b);
            pc += 2;
            break;
          }
          case Op.MulFloatConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a * b);
            pc += 2;
            break;
          }
          case Op.DivFloatConst: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            stack[sp - 1] = Math.fround(a / b);
            pc += 2;
            break;
          }
          case Op.AddStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a + b;
            if ((r | 0) !== r) throw overflow(a, "+", b);
            stack[base + code[pc + 1]] = r;
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.SubStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a - b;
            if ((r | 0) !== r) throw overflow(a, "-", b);
            stack[base + code[pc + 1]] = r;
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.MulStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            const r = a * b;
            if ((r | 0) !== r && r !== 0) throw overflow(a, "*", b);
            stack[base + code[pc + 1]] = r | 0;
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.AddFloatStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[base + code[pc + 1]] = Math.fround(a + b);
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.SubFloatStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[base + code[pc + 1]] = Math.fround(a - b);
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.MulFloatStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[base + code[pc + 1]] = Math.fround(a * b);
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.DivFloatStore: {
            const a = stack[sp - 2] as number;
            const b = stack[sp - 1] as number;
            stack[base + code[pc + 1]] = Math.fround(a / b);
            sp -= 2;
            pc += 2;
            break;
          }
          case Op.IncEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]];
            if (r === b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncNotEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]];
            if (r !== b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncLessJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]] as number;
            if (r < b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncLessEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]] as number;
            if (r <= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncGreaterJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]] as number;
            if (r > b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncGreaterEqJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = stack[base + code[pc + 2]] as number;
            if (r >= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r === b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncNotEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r !== b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncLessIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r < b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncLessEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r <= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncGreaterIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r > b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.IncGreaterEqIntJumpIfFalse: {
            const a = stack[base + code[pc + 1]] as number;
            const r = a + 1;
            if ((r | 0) !== r) throw overflow(a, "+", 1);
            stack[base + code[pc + 1]] = r;
            const b = code[pc + 2];
            if (r >= b) pc += 4;
            else {
              target = code[pc + 3];
              if (target <= pc) break backEdge;
              pc = target;
            }
            break;
          }
          case Op.SqrtFloat: {
            const a = stack[sp - 1] as number;
            stack[sp - 1] = Math.fround(Math.sqrt(a));
            pc += 1;
            break;
          }
          case Op.ModIntStore: {
            const a = stack[sp - 1] as number;
            const b = code[pc + 1];
            if (b === 0 || typeof a !== "number") throw divFault(a, b);
            stack[base + code[pc + 2]] = (a % b) | 0;
            sp--;
            pc += 3;
            break;
          }
          case Op.ModConstStore: {
            const a = stack[sp - 1] as number;
            const b = consts[code[pc + 1]] as number;
            if (b === 0 || typeof a !== "number") throw divFault(a, b);
            stack[base + code[pc + 2]] = (a % b) | 0;
            sp--;
            pc += 3;
            break;
          }
          // ── end of the generated cases ──

          case TRACE_STEP:
            return suspend(p, pc, sp, base, fp, Exec.Step);
          default:
            throw fault(`invalid opcode ${code[pc]}`, C.bad_code);
        }
        continue;
        }
        // A backward jump or branch to `target` is taken: the loop's one reduction, and (with
        // the second tier on) a count toward compiling its function.
        if (--vm.budget <= 0 && (vm.budget = ++refills >= MAX_REFILLS ? vm.budget : vm.refill()) <= 0) return suspend(p, target, sp, base, fp, Exec.Yield);
        if (tiered) {
          const f = prog.pcFn[pc];
          if (++hot[f] >= vm.jitThreshold && sp === base + prog.fnLocals[f] && prog.pcDepth[target] === 0 && p.tries.length === 0) {
            // On-stack replacement. A JitUnwind out of the compiled code is handled by the
            // catch below (vm.jitArgs < 0: it was this frame).
            // The loop nest alone, when it can be compiled so: a small JS function, which V8
            // optimizes sooner than the whole of a big function. It hands the locals back and
            // says where to go on.
            const nest = compileRegion(prog, f, target);
            if (nest !== null) {
              vm.jitArgs = -1;
              p.sp = sp;
              // The nest works on this frame in place (from base: locals, then operands).
              const next = nest(vm, p, target, stack, base) as number | typeof UNWIND;
              if (next === UNWIND) throw vm.takeUnwound();
              // It goes on at next (~next: it waits there, jit.ts "Receiving").
              const at = next < 0 ? ~next : next;
              sp = nestTop(prog, p, f, base, next);
              if (next < 0) return suspend(p, at, sp, base, fp, p.status === Status.Dead ? Exec.Dead : Exec.Blocked);
              pc = at;
              continue;
            }
            // Otherwise the rest of this frame, in the whole function compiled.
            if (compileFunction(prog, f)) {
              vm.jitArgs = -1;
              p.sp = sp;
              const r = prog.jitEntry[f]!(vm, p, target, stack, base);
              if (r === UNWIND) throw vm.takeUnwound();
              // The compiled code returned from this frame.
              if (fp === 0) {
                stack[sp++] = r;
                return suspend(p, pc, sp, base, fp, Exec.Done);
              }
              fp--;
              sp = base;
              pc = frameRet[fp];
              base = frameBase[fp];
              stack[sp++] = r;
              if (p.tries.length !== 0) dropTries(p, fp);
              continue;
            }
            // Neither compiles (a loop that receives, say): count afresh before trying again.
            hot[f] = 0;
          }
        }
        pc = target;
      }
    } catch (thrown) {
      let e = thrown;
      if (e instanceof JitUnwind) {
        // Compiled code (entered at a Call, or on-stack at a loop) could not go on: rebuild its
        // frames here, then yield, park, or carry on interpreting from where it stopped.
        const k = resumeFromJit(vm, p, e, vm.jitArgs < 0, pc, sp, base, fp, Math.max(vm.jitArgs, 0));
        if (k >= 0) return k;
        stack = p.stack;
        sp = p.sp;
        pc = p.pc;
        base = p.base;
        fp = p.fp;
        frameRet = p.frameRet;
        frameBase = p.frameBase;
        if (e.kind !== "fault") continue;
        e = e.hard ? new PanicNow(e.fault!.error) : e.fault;
      }
      if (e instanceof ProgramExit) throw e;
      if (e instanceof PanicNow || e instanceof HardExit) return panic(vm, p, e.error, pc, fp); // HardExit: heap_limit, mailbox_overflow
      const f = toFault(e);
      if (f instanceof HardExit) return panic(vm, p, f.error, pc, fp);
      const r = handleFault(p, f, fp);
      if (r < 0) return panic(vm, p, f.error, pc, fp);
      pc = r;
      sp = p.sp;
      stack = p.stack;
    }
  }
}

/**
 * Rebuilds the compiled frames a `JitUnwind` carries as interpreter frames (see jit.ts) and
 * leaves the process's saved state at the instruction to go on from. Returns an `Exec` when
 * the slice ends here (yield, park, a dead process), or -1 to keep interpreting.
 * `replaceCurrent`: the outermost compiled frame is the current interpreter frame (on-stack
 * replacement) rather than a callee of it (a Call of `callArgs` arguments).
 */
function resumeFromJit(vm: VMCore, p: Process, u: JitUnwind, replaceCurrent: boolean, pc: number, sp: number, base: number, fp: number, callArgs: number): number {
  const prog = vm.program;
  const frames = u.frames;
  let stack = p.stack;
  let prevAt = pc;
  if (!replaceCurrent) sp -= callArgs;
  let failed: unknown = null;
  try {
    for (let i = frames.length - 1; i >= 0; i--) {
      const F = frames[i];
      if (i === frames.length - 1 && replaceCurrent) {
        sp = base;
      } else {
        if (fp + 1 >= p.frameRet.length) growFrames(p, fp);
        p.frameRet[fp] = prevAt + Size.Call;
        p.frameBase[fp] = base;
        fp++;
        base = sp;
      }
      const nl = prog.fnLocals[F.fn];
      const need = base + nl + prog.fnMaxStack[F.fn] + 1;
      if (need > stack.length) stack = growStack(p, need);
      for (let k = 0; k < nl; k++) stack[base + k] = F.locals[k] ?? null;
      sp = base + nl;
      let depth = prog.pcDepth[F.at];
      if (i > 0) depth -= prog.fnParams[prog.code[F.at + 1]];
      else if (u.kind === "park" || u.kind === "status") depth -= 1;
      for (let k = 0; k < depth; k++) stack[sp++] = F.stack[k] ?? null;
      // Try regions open in the compiled frame become the interpreter's (fp, handler, sp) triples.
      for (const h of F.tries) {
        if (p.tries === NO_TRIES) p.tries = [];
        p.tries.push(fp, h, base + nl + prog.pcDepth[h] - 1);
      }
      prevAt = F.at;
    }
  } catch (e) {
    failed = e;
  }
  p.stack = stack;
  p.sp = sp;
  p.base = base;
  p.fp = fp;
  p.pc = frames[0].at;
  if (failed !== null) {
    // Too many frames to rebuild: a stack overflow of the process.
    if (failed instanceof Fault) return panic(vm, p, failed.error, p.pc, fp);
    throw failed;
  }
  switch (u.kind) {
    case "yield":
      p.unwoundDepth = frames.length;
      return Exec.Yield;
    case "park":
      vm.park(p, u.promise!);
      return Exec.Blocked;
    case "status":
    case "block":
      return p.status === Status.Dead ? Exec.Dead : Exec.Blocked;
    default:
      return -1;
  }
}

/** What resumeCompiled returns when no compiled code holds the place. */
const NOT_COMPILED = -2;

/**
 * The place at `pc` where the current frame (locals and operand stack from `base` to `sp`)
 * waited — a receive, or the instruction after a vm.call — is held by compiled code: a loop
 * nest compiled around it, or (a receive) its whole function, entered there with that frame
 * (the way on-stack replacement enters a loop head), so a process that waited goes on in
 * compiled code. Returns NOT_COMPILED when nothing is compiled there (or a try region is open
 * in this frame, which compiled code could not rebuild); an Exec when the slice ends (the
 * compiled code waits again, or the process's first frame returned); or -1 to go on
 * interpreting from the process's saved state. A JitUnwind out of the compiled code is thrown
 * to execute's catch (vm.jitArgs < 0: it was this frame).
 */
function resumeCompiled(vm: VMCore, p: Process, prog: Program, pc: number, sp: number, base: number, fp: number): number {
  const nest = prog.jitAtWait.get(pc);
  const f = prog.pcFn[pc];
  if (nest === undefined && prog.jit[f] === null) return NOT_COMPILED;
  const tries = p.tries;
  if (tries.length !== 0 && tries[tries.length - 3] === fp) return NOT_COMPILED;
  const stack = p.stack;
  vm.jitArgs = -1;
  p.sp = sp;
  p.base = base;
  p.fp = fp;
  // The compiled code works on this frame in place (from base: locals, then operands).
  if (nest !== undefined) {
    const next = nest(vm, p, pc, stack, base) as number | typeof UNWIND;
    if (next === UNWIND) throw vm.takeUnwound();
    // It goes on at next (~next: it waits there).
    p.pc = next < 0 ? ~next : next;
    p.sp = nestTop(prog, p, f, base, next);
    return next >= 0 ? -1 : p.status === Status.Dead ? Exec.Dead : Exec.Blocked;
  }
  const r = prog.jitEntry[f]!(vm, p, pc, stack, base);
  if (r === UNWIND) throw vm.takeUnwound();
  // The compiled code returned from this frame.
  if (fp === 0) {
    stack[sp] = r;
    return suspend(p, pc, sp + 1, base, fp, Exec.Done);
  }
  const at = fp - 1;
  stack[base] = r;
  suspend(p, p.frameRet[at], base + 1, p.frameBase[at], at, Exec.Yield);
  if (p.tries.length !== 0) dropTries(p, at);
  return -1;
}

/**
 * The stack top of function `f`'s frame at `base` when a loop nest compiled in it returned
 * `next` (jit.ts, Region): its locals, then its operand stack at the code index it goes on
 * from — without the reply of a vm.call it waits in (~next, the process in a call), which is
 * pushed when it runs again.
 */
function nestTop(prog: Program, p: Process, f: number, base: number, next: number): number {
  const at = next < 0 ? ~next : next;
  return base + prog.fnLocals[f] + prog.pcDepth[at] - (next < 0 && p.callRef !== 0 ? 1 : 0);
}

/** Saves where the process is and leaves the slice with `r`. */
function suspend(p: Process, pc: number, sp: number, base: number, fp: number, r: Exec): Exec {
  p.pc = pc;
  p.sp = sp;
  p.base = base;
  p.fp = fp;
  return r;
}

/** A supervisor call answers later (supervisor.ts): the process parks until it does; the answer is pushed then. */
function parkOn(vm: VMCore, p: Process, promise: Promise<unknown>, pc: number, sp: number, base: number, fp: number): Exec {
  suspend(p, pc, sp, base, fp, Exec.Blocked);
  vm.park(p, promise);
  return p.status === Status.Dead ? Exec.Dead : Exec.Blocked;
}

/** The process ended or blocked inside a call: save where it was and leave the slice. */
function stopped(p: Process, pc: number, sp: number, base: number, fp: number): Exec {
  return suspend(p, pc, sp, base, fp, p.status === Status.Dead ? Exec.Dead : Exec.Blocked);
}

/** The operation of AddFloatIndexLocals ... DivFloatIndexLocals. */
function floatOp(op: number, a: number, b: number): number {
  switch (op) {
    case Op.AddFloatIndexLocals:
      return Math.fround(a + b);
    case Op.SubFloatIndexLocals:
      return Math.fround(a - b);
    case Op.MulFloatIndexLocals:
      return Math.fround(a * b);
    default:
      return Math.fround(a / b);
  }
}

/** `{panic}` handlers panic even inside a try region. */
export class PanicNow {
  constructor(readonly error: KError) {}
}

function toFault(e: unknown): Fault {
  if (e instanceof Fault) return e;
  // The host refused to make a value that large (a string or array past its limits).
  if (e instanceof RangeError) return new HardExit(C.heap_limit);
  const msg = e instanceof Error ? e.message : String(e);
  return fault(`invalid operation: ${msg}`, C.bad_code);
}

/** Finds a try region of the current frame; returns its handler pc (and resets sp), or -1. */
function handleFault(p: Process, f: Fault, fp: number): number {
  const t = p.tries;
  if (t.length === 0 || t[t.length - 3] !== fp) return -1;
  const handler = t[t.length - 2];
  let at = t[t.length - 1];
  t.length -= 3;
  p.stack[at++] = f.error;
  p.sp = at;
  return handler;
}

function panic(vm: VMCore, p: Process, err: KError, pc: number, fp: number): Exec {
  p.pc = pc;
  p.fp = fp;
  vm.recordPanic(p, err, pc);
  return Exec.Panicked;
}

function dropTries(p: Process, fp: number): void {
  const t = p.tries;
  while (t.length && t[t.length - 3] > fp) t.length -= 3;
}

function growFrames(p: Process, fp: number): void {
  if (fp + 1 >= MAX_FRAMES) throw fault(`stack overflow: more than ${MAX_FRAMES} nested calls`, C.stack_overflow);
  const n = Math.min(Math.max(8, p.frameRet.length * 2), MAX_FRAMES + 1);
  const r = new Int32Array(n);
  r.set(p.frameRet);
  const b = new Int32Array(n);
  b.set(p.frameBase);
  p.frameRet = r;
  p.frameBase = b;
}

function growStack(p: Process, need: number): unknown[] {
  if (need > MAX_STACK_SLOTS) throw fault("stack overflow: the process's stack is full", C.stack_overflow);
  let n = p.stack.length * 2;
  while (n < need) n *= 2;
  const s = p.stack;
  const old = s.length;
  s.length = n;
  s.fill(null, old);
  return s;
}

export function overflow(a: unknown, op: string, b?: unknown): Fault {
  if (a instanceof KError) return usedError(a);
  if (b instanceof KError) return usedError(b);
  if (typeof a !== "number" || (b !== undefined && typeof b !== "number")) return fault(`invalid operands for ${op}`, C.bad_code);
  // A negative operand of unary minus in parentheses: "-(-2147483648)", not "--2147483648".
  if (b === undefined) return fault(`integer overflow: ${op}${(a as number) < 0 ? `(${a})` : a}`, C.overflow);
  return fault(`integer overflow: ${a} ${op} ${b}`, C.overflow);
}

export function divFault(a: unknown, b: unknown): Fault {
  if (a instanceof KError) return usedError(a);
  if (b instanceof KError) return usedError(b);
  if (typeof a !== "number" || typeof b !== "number") return fault("invalid operands for /", C.bad_code);
  if (b === 0) return fault("division by zero", C.division_by_zero);
  return fault(`integer overflow: ${a} / ${b}`, C.overflow);
}

/**
 * Float `a ** b` as IEEE 754's pow (C's, Rust's powf): 1 ** y is 1 for every y, NaN too, and
 * (-1) ** ±infinity is 1, where JavaScript's ** gives NaN. Rounded to f32 by the caller.
 */
export function floatPow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return a ** b;
}

export function intPow(a: unknown, b: unknown): number {
  if (typeof a !== "number" || typeof b !== "number") throw overflow(a, "**", b);
  if (b < 0) throw fault(`negative exponent: ${a} ** ${b}`, C.range);
  let r = 1;
  let base = a;
  let e = b;
  while (e > 0) {
    if (e & 1) {
      r *= base;
      if ((r | 0) !== r) throw fault(`integer overflow: ${a} ** ${b}`, C.overflow);
    }
    e >>>= 1;
    if (e > 0) {
      base *= base;
      if ((base | 0) !== base && e > 0) {
        // Only an overflow if it is still needed (r != 0 and base used again).
        if (r !== 0) throw fault(`integer overflow: ${a} ** ${b}`, C.overflow);
      }
    }
  }
  return r | 0;
}

export function byteFault(a: unknown): Fault {
  return fault(`byte overflow: ${a} is not in 0..255`, C.overflow);
}

export function indexFault(v: unknown, i: unknown): Fault {
  if (v instanceof KError) return usedError(v);
  if (v instanceof ForeignHandle) return fault("this slice belongs to another process's memory", C.bad_pointer);
  if (!Array.isArray(v)) return fault("invalid operands for indexing", C.bad_code);
  return outOfRange(i, v.length);
}

/** Index on something that is not an in-range array: a slice, or a fault (an in-range array too, for the second tier's fast path). */
export function indexSlow(v: unknown, i: number): unknown {
  if (v instanceof Slice) return sliceGet(ownSlice(v), i);
  if (Array.isArray(v) && (i >>> 0) === i && i < v.length) return v[i];
  throw indexFault(v, i);
}

/** StoreIndex on something that is not an in-range array: a slice, or a fault. */
export function storeIndexSlow(v: unknown, i: number, x: unknown): void {
  if (v instanceof Slice) return sliceSet(ownSlice(v), i, x as number);
  throw indexFault(v, i);
}

export function lengthOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === "string") return [...v].length;
  if (v instanceof KError) throw usedError(v);
  if (v && typeof (v as { length?: unknown }).length === "number") return (v as { length: number }).length;
  throw fault("invalid operand for Length", C.bad_code);
}

export { usedError };
