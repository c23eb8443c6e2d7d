// Per-process heap accounting: `--max-heap` and the VM-wide heap cap.
//
// Kaylee values live on the host's garbage-collected heap, so a process's "heap" is what it
// can reach: its stack (locals and operands of every frame), its mailbox and its linear
// memory. Counting every allocation exactly would cost the hot loop dearly and never learn
// about garbage, so the accounting works like a collector's trigger:
//
//   - allocating sites charge an estimate of what they made to `p.heapBytes`, which holds the
//     *negative* allowance left before the next measurement: `(p.heapBytes += n) > 0` is the
//     whole cost on a hot path (Concat, MakeVector, MakeTuple, CopyValue, every native's
//     result, every message delivered);
//   - when the allowance is used up, `measure` walks what the process can reach (iteratively,
//     never recursing on the JS stack, and giving up as soon as the count passes the hard
//     cap, so cycles from hand-written bytecode cannot loop it) and compares it with the
//     limit; the next allowance is proportional to the live size, so measuring costs O(1)
//     amortised per byte allocated;
//   - a process over its limit (or pushing the sum of all processes over the VM-wide cap)
//     ends with exit reason "heap_limit". That exit cannot be caught by an error handler:
//     the handler would run with the heap still full.
//
// It is approximate by design (shared strings count once per reference, stale stack slots
// are cleared first), but every way a process can grow its reachable data is charged
// somewhere, so a runaway allocation stops within about 1/8 of the limit (plus 64 KiB)
// rather than taking the host down. See SECURITY.md.

import { createRequire } from "node:module";
import type { Process } from "./process.js";
import type { VMCore } from "./vm-core.js";
import { ExitNotice, Fault, KError } from "./values.js";
import { C, type ErrorCode } from "./error-codes.js";
import { LinearMemory, Pointer, Slice } from "./memory.js";

/** Per-process limit when --max-heap is not given. */
export const DEFAULT_MAX_HEAP = 256 * 1024 * 1024;
/** The most all processes together may hold: half the host's JS heap, at most 1 GiB. (Asked of
 *  node:v8 when first needed, since loading it costs start-up time.) */
let vmHeapCapBytes = 0;
/** A floor under vmHeapCap(), so that small totals never need node:v8. */
const MIN_VM_HEAP_CAP = 32 * 1024 * 1024;
export function vmHeapCap(): number {
  if (vmHeapCapBytes === 0) {
    const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
    vmHeapCapBytes = Math.min(1024 * 1024 * 1024, Math.floor(v8.getHeapStatistics().heap_size_limit / 2));
  }
  return vmHeapCapBytes;
}
/** Live processes when --max-processes is not given (Erlang's default); spawning past it is a
 *  "system_limit" fault in the spawner. */
export const DEFAULT_MAX_PROCESSES = 262_144;

const WORD = 8;
const HEADER = 16;
const MIN_ALLOWANCE = 64 * 1024;
const MAX_ALLOWANCE_FLOOR = 1024 * 1024;

/**
 * A fault that ends the process whatever handlers are active (heap_limit, mailbox_overflow).
 * It is a `Fault` so that natives and helpers pass it through unchanged; the interpreter
 * checks for it before looking for a handler.
 */
export class HardExit extends Fault {
  constructor(reason: ErrorCode) {
    super(new KError(reason, reason));
  }
}

interface VMHeap {
  /** The sum of every live process's last measurement (Process.heapLast). */
  total: number;
}
const vmHeaps = new WeakMap<VMCore, VMHeap>();

function heapOf(vm: VMCore): VMHeap {
  let h = vmHeaps.get(vm);
  if (!h) {
    h = { total: 0 };
    vmHeaps.set(vm, h);
  }
  return h;
}

export function heapLimit(vm: VMCore): number {
  const m = vm.opts.maxHeap;
  return m !== undefined && m > 0 ? m : DEFAULT_MAX_HEAP;
}

/** The linear memory cap for a process of this VM. */
export function linearCap(vm: VMCore): number {
  return Math.max(64 * 1024, Math.min(64 * 1024 * 1024, heapLimit(vm)));
}

/**
 * Charge `n` bytes to the running process `p` whose stack top is `sp` (exact, or -1 when
 * unknown). Throws HardExit("heap_limit") when the process is over its limit.
 */
export function charge(vm: VMCore, p: Process, n: number, sp: number): void {
  if ((p.heapBytes += n) > 0) {
    // sp < 0: the caller (the JIT tier) does not know the exact stack top, so count every
    // slot and clear none.
    if (sp < 0) heapCheck(vm, p, p.stack.length, true, false);
    else heapCheck(vm, p, sp, true, true);
  }
}

/**
 * Measures `p` (stack top `sp`; `clear`: sp is exact, so dead slots above it may be nulled).
 * Over the limit it throws HardExit when `p` is the running process, else ends it.
 */
export function heapCheck(vm: VMCore, p: Process, sp: number, running: boolean, clear: boolean): void {
  const limit = heapLimit(vm);
  const h = heapOf(vm);
  const live = measure(p, sp, clear, limit * 2 + MAX_ALLOWANCE_FLOOR);
  h.total += live - p.heapLast;
  p.heapLast = live;
  if (live > limit || (h.total > MIN_VM_HEAP_CAP && h.total > vmHeapCap())) {
    p.heapBytes = -MIN_ALLOWANCE;
    const why = live > limit ? `${fmt(live)} live, limit ${fmt(limit)} (--max-heap)` : `all processes hold ${fmt(h.total)}, the VM's cap is ${fmt(vmHeapCap())}`;
    if (vm.log.enabled("warn")) vm.log.log("warn", `heap_limit <0.${p.pid}>: ${why}`);
    if (running) throw new HardExit(C.heap_limit);
    vm.exit(p, "heap_limit");
    return;
  }
  p.heapBytes = -Math.max(MIN_ALLOWANCE, Math.min(Math.max(live, MAX_ALLOWANCE_FLOOR), limit + (limit >>> 3) - live));
}

/** A process ended: its heap no longer counts toward the VM's total. */
export function heapExit(vm: VMCore, p: Process): void {
  if (p.heapLast === 0) return;
  const h = vmHeaps.get(vm);
  if (h) h.total -= p.heapLast;
  p.heapLast = 0;
}

/** What `vm.memory()` reports: managed bytes the process reaches plus live linear blocks. */
export function memoryReport(p: Process): number {
  const managed = measure(p, p.sp, false, 0x7fffffff);
  const m = p.memory instanceof LinearMemory ? p.memory : null;
  const lin = m ? m.used - m.bytes.length : 0;
  return Math.min(0x7fffffff, managed + lin);
}

function fmt(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`;
}

/**
 * Approximate bytes process `p` reaches: stack slots below `sp`, its mailbox, its linear
 * memory. When `clear` is set (sp is exact), dead slots above sp are nulled first so that
 * the host's collector can reclaim what they held. Stops counting past `cap`.
 */
export function measure(p: Process, sp: number, clear: boolean, cap: number): number {
  const stack = p.stack;
  if (clear && sp >= 0 && sp < stack.length) stack.fill(null, sp);
  const top = Math.min(Math.max(sp, 0), stack.length);
  let n = HEADER + WORD * stack.length + 4 * p.frameRet.length * 2;
  const todo: unknown[] = [];
  for (let i = 0; i < top; i++) {
    const v = stack[i];
    if (typeof v === "string") n += HEADER + 2 * v.length;
    else if (typeof v === "object" && v !== null) todo.push(v);
  }
  const box = p.mailbox;
  n += box.length * (HEADER + 2 * WORD);
  box.forEachValue((v) => {
    if (typeof v === "string") n += HEADER + 2 * v.length;
    else if (typeof v === "object" && v !== null) todo.push(v);
  });
  if (p.memory instanceof LinearMemory) n += p.memory.bytes.length;
  return n + walk(todo, cap - n);
}

/** Approximate bytes of one value (messages), iteratively; stops past `cap`. */
export function sizeOfValue(v: unknown, cap = 0x7fffffff): number {
  if (typeof v === "string") return HEADER + 2 * v.length;
  if (typeof v !== "object" || v === null) return WORD;
  return walk([v], cap);
}

function walk(todo: unknown[], cap: number): number {
  let n = 0;
  while (todo.length > 0) {
    const v = todo.pop();
    if (Array.isArray(v)) {
      n += HEADER + WORD * v.length;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === "string") n += HEADER + 2 * x.length;
        else if (typeof x === "object" && x !== null) todo.push(x);
      }
      if (n > cap) return n;
    } else if (v instanceof KError) n += HEADER + 2 * WORD + 2 * (v.message.length + v.code.length);
    else if (v instanceof ExitNotice) n += HEADER + 2 * WORD + 2 * v.reason.length;
    else if (v instanceof Pointer || v instanceof Slice) n += HEADER + 2 * WORD;
    else n += HEADER;
  }
  return n;
}

/**
 * Before `m` joins `q`'s mailbox: charge the message.
 * Returns false when the message must not be queued (the receiver has been ended).
 */
export function admitMessage(vm: VMCore, q: Process, value: unknown): boolean {
  const n = HEADER + 2 * WORD + (typeof value === "object" && value !== null ? sizeOfValue(value, heapLimit(vm) * 2) : typeof value === "string" ? 2 * value.length : 0);
  if ((q.heapBytes += n) > 0) {
    // A process sending to itself is running: its saved sp is stale, so count every slot.
    if (q === vm.current) heapCheck(vm, q, q.stack.length, true, false);
    else heapCheck(vm, q, q.sp, false, false);
    if (!q.alive) return false;
  }
  return true;
}

/** Charge a native call's result (and reductions for data-sized work). */
export function chargeNative(vm: VMCore, p: Process, r: unknown, _args: unknown[], chargeReductions: (n: number) => void): void {
  let n = HEADER;
  let work = 0;
  if (typeof r === "string") n += (work = r.length) * 2;
  else if (Array.isArray(r)) n += (work = r.length) * WORD;
  // Work proportional to the result's size (split, upper, sort's copy ...). The receiver's size
  // is not charged: most calls on a big collection (push, pop, index) are O(1).
  if (work >= 256) chargeReductions(work >>> 6);
  if ((p.heapBytes += n) > 0) heapCheck(vm, p, p.sp, true, true);
}

/**
 * Kaylee's value copy (CopyValue) with its cost charged: arrays are copied recursively and
 * their slots counted. Iterative over nesting depth would be nicer; the recursion depth is
 * the value's nesting depth, which is bounded by its static type for compiled code (a
 * hand-built deeper value ends in a RangeError, which the interpreter turns into a fault).
 */
export function copyCharged(vm: VMCore, p: Process, v: unknown[], sp: number): unknown[] {
  const counter = { n: 0 };
  const out = copyArray(v, counter);
  vm.chargeWork(counter.n >>> 7); // reductions in proportion to the copy
  charge(vm, p, counter.n, sp);
  return out;
}

function copyArray(v: unknown[], c: { n: number }): unknown[] {
  const out = v.slice();
  c.n += HEADER + WORD * out.length;
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (Array.isArray(x)) out[i] = copyArray(x, c);
  }
  return out;
}
