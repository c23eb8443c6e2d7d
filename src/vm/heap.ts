// Heap accounting: `--max-heap` per process, the host-wide ceiling, and reads that count as
// they arrive. (The mailbox bound, `--max-mailbox`, is VMCore.deliver's.)
//
// Kaylee values live on the host's garbage-collected heap, so a process's "heap" is what it
// can reach: its stack (locals and operands of every frame), its mailbox, a message or read
// result handed to it and not yet taken, its pending timer, the messages of the
// `vm.send_after` timers it holds (servers.ts) and its linear memory — and what the host
// values it owns say they hold (their type's `size`: host-types.ts). Counting
// every allocation exactly would cost the hot loop dearly and never learn about garbage, so
// the accounting works like a collector's trigger:
//
//   - allocating sites charge an estimate of what they made to `p.heapBytes`, which holds the
//     *negative* allowance left before the next measurement: `(p.heapBytes += n) > 0` is the
//     whole cost on a hot path (Concat, MakeVector, MakeTuple, CopyValue, every native's
//     result, every message delivered, linear memory growth);
//   - when the allowance is used up, `measure` walks what the process can reach (iteratively,
//     never recursing on the JS stack, and giving up as soon as the count passes the hard
//     cap, so cycles from hand-written bytecode cannot loop it) and compares it with the
//     limit; the next allowance is half the live size (at least 4 KiB, less near the host's
//     ceiling), so measuring costs O(1) amortised per byte allocated. A process is charged
//     what it holds plus its allowance, so that it never holds more than it is charged;
//   - a process over its limit, or pushing the host's total over the ceiling, ends with exit
//     reason "heap_limit". That exit cannot be caught by an error handler: the handler would
//     run with the heap still full.
//
// The per-value costs follow V8's real layout on a 64-bit host (an array is a JSArray plus
// its backing store, which `push` grows by half; a float outside the small-integer range is a
// boxed HeapNumber; a string is flattened when measured, so a long chain of concatenations
// costs what its characters cost), so that a host's RSS stays within 2x of what its
// processes are charged plus a fixed baseline (test/memory-rss.test.ts measures it).
//
// The ceiling is one per host process: every VM (every `Raft.run`, every REPL session) adds
// to the same total, so no number of concurrent runs can take the host past it. See
// SECURITY.md. Each thread keeps its own total (this module's state); once the host process
// has scheduler threads (src/threads/pool.ts), each also publishes its total, in KiB, into a
// slot of shared memory (`shareHostTotal`), and the ceiling is checked against the sum of
// every thread's: however many threads a run spreads over, all of them together stay under
// one ceiling.

import { createRequire } from "node:module";
import { Status, type Process } from "./process.js";
import type { VMCore } from "./vm-core.js";
import { ExitNotice, Fault, KError, fault } from "./values.js";
import { C, type ErrorCode } from "./error-codes.js";
import { LinearMemory, Pointer, Slice } from "./memory.js";

/** Per-process limit when --max-heap is not given. */
export const DEFAULT_MAX_HEAP = 256 * 1024 * 1024;
/** The most all processes of this host process may hold together: half the main thread's JS
 *  heap limit. (Asked of node:v8 when first needed, since loading it costs start-up time.) */
let hostCeilingBytes = 0;
/** A floor under hostCeiling(), so that small totals never need node:v8. */
const MIN_HOST_CEILING = 32 * 1024 * 1024;
export function hostCeiling(): number {
  if (hostCeilingBytes === 0) {
    const v8 = createRequire(import.meta.url)("node:v8") as typeof import("node:v8");
    hostCeilingBytes = Math.max(MIN_HOST_CEILING, Math.floor(v8.getHeapStatistics().heap_size_limit / 2));
  }
  return hostCeilingBytes;
}
/**
 * The fixed part of a host's real memory that is not charged to processes: Node itself (its
 * RSS with Raft loaded, measured at start) plus this much for V8's young generation, compiled
 * code and heap pages kept after a collection. A host's RSS stays within 2x of what its
 * processes are charged plus that baseline (the memory tests and `npm run soak` check it).
 */
export const RSS_BASELINE_SLACK = 64 * 1024 * 1024;
/** Live processes when --max-processes is not given (Erlang's default); spawning past it is a
 *  "system_limit" fault in the spawner. */
export const DEFAULT_MAX_PROCESSES = 262_144;

// What things cost in V8 on a 64-bit host without pointer compression (Node's default build).
const WORD = 8;
/** A plain object's header (map, properties, elements) plus its fields. */
const OBJECT = 40;
/** A JSArray (32) and its backing store's header (16). */
const ARRAY = 48;
/** One slot of an array: 8 bytes, and half again for the room `push` leaves. */
const SLOT = 12;
/** A string: its header, and room for the cons string that `a + b` leaves in front of it
 *  (32 bytes, kept after flattening); each UTF-16 unit is counted as 2 bytes (one-byte
 *  strings use 1). */
const STRING = 32;
/** A float that is not a small integer lives in its own HeapNumber. */
const BOXED = 16;
/** A process: the Process object, its stack array's header, frames, table slot. */
const PROCESS = 512;
/** A queued message: its slot in its type's ring of values and in the ring of arrival
 *  numbers (mailbox.ts), each 8 bytes and up to twice that in a ring that doubled. */
const MESSAGE = 4 * WORD;
/** A pending timer (a receive timeout, a sleep, a call's timeout, a send_after): its heap entry and closure. */
const TIMER = 96;
/** A pointer or slice and its block record. */
const HANDLE = OBJECT + 56;
/** Strings at least this long may be V8 cons strings (ConsString::kMinLength). */
const CONS_MIN = 13;

const MIN_ALLOWANCE = 4 * 1024;

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

/** What a set of processes is charged now, and the most it was charged at once. */
interface Ledger {
  total: number;
  peak: number;
}
/** Every process of this thread (every VM on it). */
const host: Ledger = { total: 0, peak: 0 };
/**
 * Once there are scheduler threads: what every thread's processes are charged, in KiB, summed
 * in word 0 of a shared buffer (pool.ts). Each thread adds the change of its own total, so
 * that reading the host's total is one atomic load, however many threads there are (a spawn
 * reads it).
 */
let sharedTotal: Int32Array | null = null;
/** What this thread has added to the shared sum, in KiB. */
let publishedK = 0;

/** This thread's processes count in the host-wide total summed in `buf` (pool.ts, worker.ts). */
export function shareHostTotal(buf: SharedArrayBuffer): void {
  sharedTotal = new Int32Array(buf);
  publishedK = 0;
  publish();
}

function publish(): void {
  if (sharedTotal === null) return;
  const k = Math.ceil(Math.max(0, host.total) / 1024);
  if (k !== publishedK) Atomics.add(sharedTotal, 0, k - publishedK);
  publishedK = k;
}

/** What the processes of every thread of the host process are charged now, in bytes. */
function hostTotal(): number {
  const t = sharedTotal;
  if (t === null) return host.total;
  return host.total + (Atomics.load(t, 0) - publishedK) * 1024;
}
/** Each VM's own share; a stopped VM's share leaves the host total (heapClose). */
const vmLedgers = new WeakMap<VMCore, Ledger & { closed: boolean }>();

function ledgerOf(vm: VMCore): Ledger & { closed: boolean } {
  let l = vmLedgers.get(vm);
  if (!l) vmLedgers.set(vm, (l = { total: 0, peak: 0, closed: false }));
  return l;
}

/** Adds `n` (may be negative) to what `vm`'s processes are charged. */
function book(vm: VMCore, n: number): void {
  const l = ledgerOf(vm);
  if (l.closed) return;
  l.total += n;
  if (l.total > l.peak) l.peak = l.total;
  host.total += n;
  if (host.total > host.peak) host.peak = host.total;
  if (sharedTotal !== null) publish();
}

/** The host total would pass the ceiling with `n` more bytes. */
function overCeiling(n: number): boolean {
  const t = hostTotal() + n;
  return t > MIN_HOST_CEILING && t > hostCeiling();
}

/** What every process of this host process is charged now (`charged`), the most it has been
 *  charged at once (`peak`), and the host-wide ceiling, in bytes. */
export function hostMemory(): { charged: number; peak: number; ceiling: number } {
  return { charged: hostTotal(), peak: host.peak, ceiling: hostCeiling() };
}

/** The most `vm`'s processes were charged at once (a run's `stats.memory`). */
export function heapPeak(vm: VMCore): number {
  return vmLedgers.get(vm)?.peak ?? 0;
}

/** `vm` stopped: what its remaining processes hold leaves the host total. */
export function heapClose(vm: VMCore): void {
  const l = ledgerOf(vm);
  if (l.closed) return;
  host.total -= l.total;
  l.total = 0;
  l.closed = true;
  publish();
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
 * Runs `f`, an alloc or claim on `p`'s linear memory `m`, with growth bounded by what `p` may
 * still take (past it: a catchable "heap_limit" fault), and charges what `m` grew by.
 */
export function linearGrow<T>(vm: VMCore, p: Process, m: LinearMemory, f: () => T): T {
  const before = m.bytes.length;
  m.cap = Math.max(before, Math.min(linearCap(vm), before + heapRoom(vm, p)));
  const r = f();
  if (m.bytes.length > before) charge(vm, p, m.bytes.length - before, p.sp);
  return r;
}

/**
 * Bytes process `p` may still take: below its own limit and below the host's ceiling, by
 * what it is charged (its last measurement and allowance, plus reads in progress).
 */
export function heapRoom(vm: VMCore, p: Process): number {
  // p.heapLast + p.heapBytes: its last measurement plus what it allocated since. The unused
  // rest of its allowance is already in the host's total, so it is room for p.
  const own = heapLimit(vm) - (p.heapLast + p.heapBytes) - p.heapReserved;
  const ceiling = Math.max(MIN_HOST_CEILING, hostCeiling()) - hostTotal() + Math.max(0, -p.heapBytes);
  return Math.max(0, Math.min(own, ceiling));
}

/**
 * A new process: what it holds from the start (its stack, its arguments) is charged before
 * it joins the table. Past the host's ceiling the spawn is a "system_limit" fault.
 */
export function heapSpawn(vm: VMCore, p: Process): void {
  const n = measure(p, p.sp, false, heapLimit(vm) + 1);
  if (overCeiling(n)) throw fault(`cannot spawn: the host's memory ceiling (${fmt(hostCeiling())}) is reached`, C.system_limit);
  if (n > heapLimit(vm)) throw fault(`cannot spawn: its arguments hold ${fmt(n)}, more than --max-heap (${fmt(heapLimit(vm))})`, C.heap_limit);
  p.heapLast = n;
  book(vm, n);
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
 * Measures `p` (stack top `sp`; `clear`: sp is exact, so dead slots above it may be nulled)
 * and grants its next allowance. A process is charged what it holds plus that allowance (what
 * it may allocate before it is measured again), so that the host's total bounds what all
 * processes can really hold. Over its limit, or when the host has no room left for it, it
 * ends with heap_limit: HardExit when `p` is the running process, else vm.exit.
 */
export function heapCheck(vm: VMCore, p: Process, sp: number, running: boolean, clear: boolean): void {
  const limit = heapLimit(vm);
  const live = measure(p, sp, clear, limit * 2 + MIN_ALLOWANCE);
  let allowance = Math.max(MIN_ALLOWANCE, Math.min(live >>> 1, limit + (limit >>> 3) - live));
  const others = hostTotal() - p.heapLast;
  if (others + live + allowance > MIN_HOST_CEILING) {
    // Near the ceiling the allowance shrinks, but not below 1/16 of what the process holds
    // (a smaller one would have it measured too often to be worth running).
    const room = hostCeiling() - others - live;
    if (room < allowance) allowance = room >= Math.max(MIN_ALLOWANCE, live >>> 4) ? room : -1;
  }
  if (live + p.heapReserved > limit || allowance < 0) {
    book(vm, live - p.heapLast);
    p.heapLast = live;
    p.heapBytes = -MIN_ALLOWANCE;
    const why = allowance >= 0 ? `${fmt(live)} live, limit ${fmt(limit)} (--max-heap)` : `all processes of the host hold ${fmt(hostTotal())}, the ceiling is ${fmt(hostCeiling())}`;
    if (vm.log.enabled("warn")) vm.log.log("warn", `heap_limit <0.${p.pid}>: ${why}`);
    if (running) throw new HardExit(C.heap_limit);
    vm.exit(p, "heap_limit");
    return;
  }
  book(vm, live + allowance - p.heapLast);
  p.heapLast = live + allowance;
  p.heapBytes = -allowance;
}

/**
 * A process that moved here from another scheduler thread (threads/remote.ts): what it is
 * charged (its last measurement and allowance, reads in progress) joins this thread's total,
 * as its old thread's `heapExit` took it out of that one's.
 */
export function heapArrive(vm: VMCore, p: Process): void {
  book(vm, p.heapLast + p.heapReserved);
}

/** A process ended (or moved to another thread): what it held no longer counts here. */
export function heapExit(vm: VMCore, p: Process): void {
  const n = p.heapLast + p.heapReserved;
  p.heapLast = 0;
  p.heapReserved = 0;
  if (n !== 0) book(vm, -n);
}

/**
 * A budget for a read (a file, a line of stdin) by process `p`: `take(bytes)` counts the
 * bytes toward `p`'s heap and the host's total as they arrive, and says false (nothing
 * taken) when they would pass either; the read must then stop with "too_large". `end(keep)`
 * settles it: kept bytes stay charged until `p` is next measured; otherwise they are given
 * back. A UTF-8 byte read is counted as one UTF-16 unit of the string it becomes (2 bytes).
 */
export function readBudget(vm: VMCore, p: Process): { take: (bytes: number) => boolean; end: (keep: boolean) => void } {
  let taken = 0;
  return {
    take(bytes: number): boolean {
      const n = 2 * bytes;
      if (!p.alive || ledgerOf(vm).closed || n > heapRoom(vm, p)) return false;
      taken += n;
      p.heapReserved += n;
      book(vm, n);
      return true;
    },
    end(keep: boolean): void {
      if (!p.alive) return;
      const n = Math.min(taken, p.heapReserved);
      taken = 0;
      p.heapReserved -= n;
      if (keep) p.heapLast += n;
      else book(vm, -n);
    },
  };
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
 * A string's cost. A V8 cons string (what `a + b` makes) is flattened first while `room` (what
 * the measurement may still count) allows, so that what it holds is its characters and not
 * a tree of 32-byte nodes. (Flattening is O(length), like the count; appends are charged what
 * they add, so a string built by appending is flattened O(1) times per byte on average.)
 */
function stringCost(s: string, room: number): number {
  const n = STRING + 2 * s.length;
  if (s.length >= CONS_MIN && n <= room) s.charCodeAt(0);
  return n;
}

/**
 * Approximate bytes process `p` reaches: stack slots below `sp`, its mailbox, a value handed
 * to it and not yet taken, its timer, its linear memory. When `clear` is set (sp is exact),
 * dead slots above sp are nulled first so that the host's collector can reclaim what they
 * held. Stops counting past `cap`.
 */
export function measure(p: Process, sp: number, clear: boolean, cap: number): number {
  const stack = p.stack;
  if (clear && sp >= 0 && sp < stack.length) stack.fill(null, sp);
  const top = Math.min(Math.max(sp, 0), stack.length);
  let n = PROCESS + ARRAY + WORD * stack.length + 12 * p.frameRet.length + WORD * p.tries.length;
  const todo: unknown[] = [];
  for (let i = 0; i < top; i++) n += slotCost(stack[i], todo, cap - n);
  const box = p.mailbox;
  n += box.length * MESSAGE;
  box.forEachValue((v) => {
    n += slotCost(v, todo, cap - n);
  });
  if (p.hasResume) n += slotCost(p.resumeValue, todo, cap - n);
  if (p.timerSeq !== 0 || p.status === Status.Parked /* a sleep or a host promise */) n += TIMER;
  if (p.sendTimers !== null) {
    for (const t of p.sendTimers.values()) {
      n += TIMER + 2 * STRING;
      if (n > cap) break;
      n += slotCost(t.value, todo, cap - n);
    }
  }
  if (p.memory instanceof LinearMemory) n += p.memory.bytes.length + ARRAY + WORD * p.memory.free.length;
  n += p.hostBytes; // what its host values' types say they hold (host-types.ts)
  return n + walk(todo, cap - n);
}

/** The cost of a value in a slot beyond the slot itself; objects are queued on `todo`. */
function slotCost(x: unknown, todo: unknown[], room: number): number {
  if (typeof x === "string") return stringCost(x, room);
  if (typeof x === "number") return (x | 0) === x ? 0 : BOXED;
  if (typeof x === "object" && x !== null) todo.push(x);
  return 0;
}

/** The work list of sizeOfValue, kept empty between calls (a message's size is taken at every send). */
const sizeTodo: unknown[] = [];

/** Approximate bytes of one value (messages), iteratively; stops past `cap`. */
export function sizeOfValue(v: unknown, cap = 0x7fffffff): number {
  if (typeof v !== "object" || v === null) return WORD + (typeof v === "string" ? stringCost(v, cap) : typeof v === "number" && (v | 0) !== v ? BOXED : 0);
  const todo = sizeTodo;
  todo.push(v);
  const n = WORD + walk(todo, cap - WORD);
  if (todo.length !== 0) todo.length = 0; // the walk stopped at the cap
  return n;
}

/** The most bytes of a message `copyWork` counts (its walk stops past them). */
const COPY_WORK_CAP = 1 << 28;

/**
 * Reductions for copying a message of value `v`: one per 128 bytes it takes (sizeOfValue),
 * the rate CopyValue is charged at (copyCharged).
 */
export function copyWork(v: unknown): number {
  return copyWorkOf(sizeOfValue(v, COPY_WORK_CAP));
}

/** copyWork of a message whose size (sizeOfValue, with a cap of at least COPY_WORK_CAP) is `size`. */
export function copyWorkOf(size: number): number {
  return Math.min(size, COPY_WORK_CAP) >>> 7;
}

/** A cap for one size taken for both a message's copy work and its admission (VMCore.copyMessage). */
export function messageSizeCap(vm: VMCore): number {
  return Math.max(COPY_WORK_CAP, heapLimit(vm) * 2);
}

function walk(todo: unknown[], cap: number): number {
  let n = 0;
  while (todo.length > 0) {
    const v = todo.pop();
    if (Array.isArray(v)) {
      n += ARRAY + SLOT * v.length;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === "string") n += stringCost(x, cap - n);
        else if (typeof x === "number") {
          if ((x | 0) !== x) n += BOXED;
        } else if (typeof x === "object" && x !== null) todo.push(x);
      }
      if (n > cap) return n;
    } else if (v instanceof KError) n += OBJECT + stringCost(v.message, 0) + stringCost(v.code, 0);
    else if (v instanceof ExitNotice) n += OBJECT + stringCost(v.reason, 0);
    else if (v instanceof Pointer || v instanceof Slice) n += HANDLE;
    else n += OBJECT;
  }
  return n;
}

/** What a pending timer holding `value` costs: the timer, its type key and ref, and the message. */
function heldSize(vm: VMCore, value: unknown): number {
  return TIMER + 2 * STRING + sizeOfValue(value, heapLimit(vm) * 2);
}

/**
 * The running process `p` starts holding `value` in a pending timer (`vm.send_after`): the
 * timer and the message count toward its heap until the timer fires or is cancelled. Throws
 * HardExit("heap_limit") when that takes it past its limit.
 */
export function chargeHeld(vm: VMCore, p: Process, value: unknown): void {
  const n = heldSize(vm, value);
  // Its saved sp may be stale (a native of compiled code): count every slot.
  if ((p.heapBytes += n) > 0) heapCheck(vm, p, p.stack.length, true, false);
}

/**
 * A pending timer that no process holds (its starter ended: servers.ts `outlive`) counts in
 * this thread's share of the host's total until it fires or goes; call the function returned
 * then. (Its starter was charged for it, so what one process leaves is bounded by --max-heap,
 * and all of them together by the host's ceiling.)
 */
export function holdOrphan(vm: VMCore, value: unknown): () => void {
  const n = heldSize(vm, value);
  book(vm, n);
  return () => book(vm, -n);
}

/**
 * Before `m` joins `q`'s mailbox: charge the message (its size, when the copy's was taken:
 * VMCore.copyMessage). Returns false when the message must not be queued (the receiver has
 * been ended).
 */
export function admitMessage(vm: VMCore, q: Process, value: unknown, size = vm.sizeOfCopy(value)): boolean {
  const n = MESSAGE + (size >= 0 ? size : sizeOfValue(value, heapLimit(vm) * 2));
  if ((q.heapBytes += n) > 0) {
    // A process sending to itself is running: its saved sp is stale, so count every slot.
    if (q === vm.current) heapCheck(vm, q, q.stack.length, true, false);
    else heapCheck(vm, q, q.sp, false, false);
    if (!q.alive) return false;
  }
  return true;
}

/**
 * Charge a native call's result (and reductions for data-sized work). A string that extends
 * a string receiver (`s.push(c)`) costs what it adds, as Concat does; a method on a vector
 * (`v.push(x)`, `v.insert(i, x)`) keeps a copy of its arguments, which cost what they hold.
 * `sp` is the caller's exact stack top (the interpreter's), or -1 from compiled code, whose
 * saved `p.sp` is stale: then a measurement counts every slot and clears none (clearing above
 * a stale sp would drop values the interpreter's frames below still hold).
 */
export function chargeNative(vm: VMCore, p: Process, r: unknown, args: unknown[], chargeReductions: (n: number) => void, sp: number): void {
  let n = 2 * WORD;
  let work = 0;
  const a0 = args.length > 0 ? args[0] : null;
  if (typeof r === "string") {
    // A string longer than the string it was called on (push) is that string extended: V8
    // joins the two without copying, so the work and the bytes are what was added. (Natives
    // that copy their receiver, such as repeat or pad_start, charge their own work.)
    work = typeof a0 === "string" && r.length > a0.length ? r.length - a0.length : r.length;
    n = STRING + 2 * work;
  } else if (Array.isArray(r)) n = ARRAY + (work = r.length) * SLOT;
  else if (Array.isArray(a0)) for (let k = 1; k < args.length; k++) n += sizeOfValue(args[k], heapLimit(vm) * 2);
  // Work proportional to the result's size (split, upper, sort's copy ...). The receiver's size
  // is not charged: most calls on a big collection (push, pop, index) are O(1).
  if (work >= 256) chargeReductions(work >>> 6);
  charge(vm, p, n, sp);
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
  c.n += ARRAY + SLOT * out.length;
  for (let i = 0; i < out.length; i++) {
    const x = out[i];
    if (Array.isArray(x)) out[i] = copyArray(x, c);
  }
  return out;
}
