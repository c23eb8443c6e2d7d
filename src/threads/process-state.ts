// A whole process as bytes, so that a runnable process can move to another scheduler thread
// between two of its slices, and come back there exactly as it was.
//
// The program is not written: every scheduler links the same module, so a pc, a function
// index or a constant index means the same on every thread. What is written is everything
// that is the process's own, as plain data:
//
//   pid, parent, fnName        who it is (pids mean the same process on every scheduler);
//   stack[0, sp), sp, the stack's capacity, pc, base, fp
//                              the operand stack up to sp (slots above it are dead and come
//                              back null), written value by value through codec.ts;
//   frameRet/frameBase[0, fp) and their capacity
//                              the return pc and caller's base of each frame below the
//                              current one (capacities move too: heap accounting counts them);
//   tries                      the try regions (frame depth, handler pc, stack pointer);
//   hasResume, resumeValue, resumeFault, resumeReceive
//                              what a process made runnable by a host answer or a delivered
//                              message pushes when it next runs;
//   the mailbox                every message type's queue, first-arrived type first, each
//                              message with its arrival number, and the next arrival number:
//                              the rebuilt mailbox takes and orders messages exactly as before
//                              (an untouched mailbox stays the shared empty one). Queue by
//                              queue rather than merged into one arrival order: it is O(n),
//                              and the arrival numbers carry that order anyway;
//   waitType, waitSet, timedOut
//                              (a runnable process may still carry a fired receive timeout;
//                              waitSet, the type set constant a receive { } waits for, is -1
//                              once it is runnable, but moves all the same);
//   links, monitors, monitoredBy, trapExits, supervised, name, exitReason
//                              by pid and ref, which mean the same everywhere; the registry
//                              and the other ends of links and monitors stay where they are
//                              and keep naming this pid;
//   callRef, callType          the vm.call it waits in (vm/servers.ts): always none for a
//                              runnable process (a call that ends clears them), written so
//                              that the record says everything a process is;
//   sendTimers                 its pending vm.send_after timers (vm/servers.ts), each with its
//                              ref, destination, message type and value, and what is left of
//                              its delay (`now` is the writer's clock; the reader adds its
//                              own): the scheduler it leaves cancels them in its timer heap,
//                              the one it reaches arms them again (VMCore.servers);
//   reductions, hungry, unwoundDepth
//                              what it has used so far (introspection's count goes on),
//                              whether its last slice used the whole budget, and how deep in
//                              compiled code it ended (the next slice's length);
//   key0, key1, spawns, rng    its random stream under a seed (random.ts): the numbers it
//                              draws next are the ones it would have drawn where it was;
//   heapBytes, heapLast, heapReserved
//                              heap accounting, so that the next measurement comes when it
//                              would have (heapReserved, reads in progress, is 0 for a
//                              runnable process: a read parks its reader until it ends);
//                              the thread it arrives on adds it to its total (heapArrive);
//   linear memory              its size, its bytes (those past the last non-zero byte are
//                              zero and are not written), the free list, used, count, the next
//                              block id and the cap. A pointer or slice into this memory,
//                              anywhere among the values above, comes back referring to the
//                              rebuilt memory, with one Block per block id (same id, start,
//                              size and liveness) shared by every pointer to it: a block freed
//                              through one pointer is freed for all of them, and a pointer to
//                              a freed block still fails with use_after_free. A pointer or
//                              slice into another process's memory crosses as a
//                              ForeignHandle: it prints as it did and every use of it fails
//                              with bad_pointer, as it would here.
//
// What does not move, and is refused (`migrationRefusal` says why; `writeProcess` throws
// `MigrationRefused`):
//   - a process that is not Runnable: a running one is in the middle of a slice (its state
//     lives in the interpreter's locals), a receiving, sleeping or parked one is registered
//     with this scheduler's timers or with a host promise that will answer here, and a dead one
//     has nothing to move. A runnable process has no armed timer (timerSeq 0): one that has is
//     refused too, since timers belong to the scheduler's timer heap (so is a timeout not
//     armed yet, Scheduler.deferTimer);
//   - a supervisor: it runs natively, its state (child specs, restart history, grace timers)
//     is host objects, not bytecode state;
//   - a process that stays on the embedder's thread (`home`: its code can run an extension
//     opcode or touch a host type, or it has held a host value; so `owned` and `hostBytes`,
//     which only such a process has, never need to move);
//   - a process holding a value the codec cannot bring back exactly: a cyclic array, a
//     function, a symbol or an object of a host type anywhere on its stack, in its resume value
//     or in its mailbox. Only a walk finds these, so `migrationRefusal` does not look for them:
//     `writeProcess` refuses them as it meets them (the writer is then to be reset).
// Nothing of the scheduler (run queue, timers, reductions of the run) is part of a process.
//
// The receiving thread needs nothing but the bytes (and its clock): `readProcess` returns a new Process,
// Runnable, that the scheduler puts in its table and run queue; the sender forgets its copy.
// Figures (one core of the development machine): a process with a small stack and a few
// messages is about 400 bytes and takes about 2 µs to write and 3 µs to read; with linear
// memory add about 20 µs (its 64 KiB are scanned for the trailing zeros that are not sent);
// a megabyte of values takes 1.5–6 ms to write and 3–12 ms to read, depending on its shape.

import { Reader, Writer } from "./codec.js";
import { NO_TRIES, Process, Status, pidString, type SendTimer } from "../vm/process.js";
import { Mailbox, NO_MAIL } from "../vm/mailbox.js";
import { RefTable } from "../vm/ref-table.js";
import { LinearMemory } from "../vm/memory.js";
import { KError } from "../vm/values.js";

/** A process that cannot move to another thread, and why. */
export class MigrationRefused extends Error {
  constructor(
    readonly pid: number,
    readonly reason: string,
  ) {
    super(`process ${pidString(pid)} cannot move to another thread: ${reason}`);
  }
}

/** First bytes of a process record ("RPS" and a format version). */
const MAGIC = 0x01535052;
/** A null Set or Map (as opposed to an empty one). */
const NONE = 0xffffffff;

/**
 * Why `p` cannot move, or null when its state is plain data (its values are checked as they
 * are written: see the header).
 */
export function migrationRefusal(p: Process): string | null {
  if (p.supervisor !== null) return "it is a supervisor";
  if (p.home) return "it stays on the embedder's scheduler (extension opcodes or host values)";
  if (p.status !== Status.Runnable) return `it is ${STATUS_NAMES[p.status] ?? `in state ${p.status}`}, not runnable`;
  if (p.timerSeq !== 0) return "it has an armed timer";
  if (p.memory !== null && !(p.memory instanceof LinearMemory)) return "its memory is not a linear memory";
  return null;
}

/** Whether `p` may move to another thread (its values may still refuse: see the header). */
export function canMigrate(p: Process): boolean {
  return migrationRefusal(p) === null;
}

const STATUS_NAMES: Record<number, string> = {
  [Status.Running]: "running",
  [Status.Receiving]: "waiting in receive",
  [Status.Parked]: "parked on a host call",
  [Status.Dead]: "dead",
};

/**
 * Appends process `p` to `w`, its timers' due times as delays from `now` (the VM's clock).
 * Throws `MigrationRefused` when it cannot move (see the header).
 */
export function writeProcess(w: Writer, p: Process, now = 0): void {
  const refusal = migrationRefusal(p);
  if (refusal !== null) throw new MigrationRefused(p.pid, refusal);
  const mem = p.memory as LinearMemory | null;
  w.beginProcess(mem);
  try {
    w.u32(MAGIC);
    w.i32(p.pid);
    w.i32(p.parent);
    w.str(p.fnName);
    writeMemory(w, mem);

    const { stack, sp } = p;
    w.u32(stack.length);
    w.u32(sp);
    w.i32(p.pc);
    w.i32(p.base);
    w.i32(p.fp);
    for (let i = 0; i < sp; i++) w.value(stack[i]);
    writeFrames(w, p.frameRet, p.fp);
    writeFrames(w, p.frameBase, p.fp);
    const t = p.tries;
    w.u32(t.length);
    for (let i = 0; i < t.length; i++) w.i32(t[i]);

    w.u8((p.hasResume ? 1 : 0) | (p.resumeReceive ? 2 : 0) | (p.timedOut ? 4 : 0) | (p.trapExits ? 8 : 0) | (p.supervised ? 16 : 0));
    w.value(p.resumeValue);
    w.value(p.resumeFault);
    w.str(p.waitType);
    w.i32(p.waitSet);

    writeMailbox(w, p.mailbox);

    const links = p.links;
    if (links === null) w.u32(NONE);
    else {
      w.u32(links.size);
      for (const pid of links) w.i32(pid);
    }
    writeRefs(w, p.monitors);
    writeRefs(w, p.monitoredBy);
    w.f64(p.callRef);
    w.str(p.callType);
    writeTimers(w, p.sendTimers, now);
    if (p.name === null) w.u8(0);
    else {
      w.u8(1);
      w.str(p.name);
    }
    w.str(p.exitReason);
    w.f64(p.heapBytes);
    w.f64(p.heapLast);
    w.f64(p.heapReserved);
    w.f64(p.reductions);
    w.u8(p.hungry ? 1 : 0);
    w.u32(p.unwoundDepth);
    w.i32(p.key0);
    w.i32(p.key1);
    w.f64(p.spawns);
    const rng = p.rng;
    w.u8(rng === null ? 0 : 1);
    if (rng !== null) for (let i = 0; i < 4; i++) w.i32(rng[i]);
  } catch (e) {
    if (e instanceof RangeError) throw new MigrationRefused(p.pid, e.message);
    throw e;
  } finally {
    w.endProcess();
  }
}

/**
 * The process `writeProcess` wrote, read from `r` (positioned on its record): a new Process,
 * Runnable, not yet in any table or run queue, its timers due at `now` (the VM's clock) plus
 * what was left of their delays, and not armed. Throws a RangeError on bytes that are not such
 * a record.
 */
export function readProcess(r: Reader, now = 0): Process {
  if (r.u32() !== MAGIC) throw new RangeError("bad process bytes: not a process record");
  const pid = r.i32();
  const parent = r.i32();
  const fnName = r.str();
  const mem = readMemory(r);
  r.beginProcess(mem);
  try {
    const stackLength = r.u32();
    const sp = r.u32();
    if (sp > stackLength) throw new RangeError(`bad process bytes: sp ${sp} past a stack of ${stackLength}`);
    const p = new Process(pid, fnName, parent, stackLength);
    p.memory = mem;
    p.sp = sp;
    p.pc = r.i32();
    p.base = r.i32();
    p.fp = r.i32();
    const stack = p.stack;
    for (let i = 0; i < sp; i++) stack[i] = r.value();
    const ret = readFrames(r, p.fp);
    const base = readFrames(r, p.fp);
    if (ret !== null && base !== null) {
      p.frameRet = ret;
      p.frameBase = base;
    } else if (ret !== base) throw new RangeError("bad process bytes: frame arrays of different sizes");
    const nt = r.u32();
    if (nt !== 0) {
      const t: number[] = new Array(nt);
      for (let i = 0; i < nt; i++) t[i] = r.i32();
      p.tries = t;
    } else p.tries = NO_TRIES;

    const flags = r.u8();
    p.hasResume = (flags & 1) !== 0;
    p.resumeReceive = (flags & 2) !== 0;
    p.timedOut = (flags & 4) !== 0;
    p.trapExits = (flags & 8) !== 0;
    p.supervised = (flags & 16) !== 0;
    p.resumeValue = r.value();
    const fault = r.value();
    if (fault !== null && !(fault instanceof KError)) throw new RangeError("bad process bytes: resume fault is not an error");
    p.resumeFault = fault;
    p.waitType = r.str();
    p.waitSet = r.i32();

    p.mailbox = readMailbox(r);

    const nl = r.u32();
    if (nl !== NONE) {
      const links = new Set<number>();
      for (let i = 0; i < nl; i++) links.add(r.i32());
      p.links = links;
    }
    p.monitors = readRefs(r);
    p.monitoredBy = readRefs(r);
    p.callRef = r.f64();
    p.callType = r.str();
    p.sendTimers = readTimers(r, now);
    p.name = r.u8() === 1 ? r.str() : null;
    p.exitReason = r.str();
    p.heapBytes = r.f64();
    p.heapLast = r.f64();
    p.heapReserved = r.f64();
    p.reductions = r.f64();
    p.hungry = r.u8() !== 0;
    p.unwoundDepth = r.u32();
    p.key0 = r.i32();
    p.key1 = r.i32();
    p.spawns = r.f64();
    if (r.u8() === 1) p.rng = Int32Array.of(r.i32(), r.i32(), r.i32(), r.i32());
    p.status = Status.Runnable;
    return p;
  } finally {
    r.endProcess();
  }
}

function writeMemory(w: Writer, m: LinearMemory | null): void {
  if (m === null) return w.u8(0);
  w.u8(1);
  const b = m.bytes;
  const end = usedLength(b);
  w.u32(m.cap);
  w.u32(b.length);
  w.u32(end);
  w.raw(b.subarray(0, end));
  w.u32(m.free.length);
  for (const n of m.free) w.u32(n);
  w.u32(m.used);
  w.u32(m.count);
  w.u32(m.nextBlockId);
}

/** The length of `b` without its trailing zero bytes (scanned a word at a time). */
function usedLength(b: Uint8Array): number {
  let end = b.length;
  if ((b.byteOffset & 3) === 0) {
    const words = new Int32Array(b.buffer, b.byteOffset, end >>> 2);
    let i = words.length;
    while (i > 0 && words[i - 1] === 0) i--;
    if (i < words.length) end = i * 4;
  }
  while (end > 0 && b[end - 1] === 0) end--;
  return end;
}

function readMemory(r: Reader): LinearMemory | null {
  if (r.u8() === 0) return null;
  const cap = r.u32();
  const size = r.u32();
  const end = r.u32();
  if (end > size || size > cap) throw new RangeError("bad process bytes: memory larger than its cap");
  const bytes = new Uint8Array(size);
  bytes.set(r.raw(end));
  const nf = r.u32();
  const free: number[] = new Array(nf);
  for (let i = 0; i < nf; i++) free[i] = r.u32();
  const used = r.u32();
  const count = r.u32();
  return LinearMemory.rebuilt(bytes, free, used, count, r.u32(), cap);
}

function writeFrames(w: Writer, a: Int32Array, fp: number): void {
  w.u32(a.length);
  for (let i = 0; i < fp; i++) w.i32(a[i]);
}

/** A frame array (null: the shared empty one of a process that never called). */
function readFrames(r: Reader, fp: number): Int32Array | null {
  const n = r.u32();
  if (fp < 0 || fp > n) throw new RangeError(`bad process bytes: fp ${fp} past ${n} frames`);
  if (n === 0) return null;
  const a = new Int32Array(n);
  for (let i = 0; i < fp; i++) a[i] = r.i32();
  return a;
}

function writeMailbox(w: Writer, box: Mailbox): void {
  if (box === NO_MAIL) return w.u32(NONE);
  w.u32(box.typeCount);
  w.f64(box.nextSeq);
  box.exportQueues(
    (type, count) => {
      w.str(type);
      w.u32(count);
    },
    (value, seq) => {
      w.f64(seq);
      w.value(value);
    },
  );
}

function readMailbox(r: Reader): Mailbox {
  const queues = r.u32();
  if (queues === NONE) return NO_MAIL;
  const box = Mailbox.rebuilt(r.f64());
  for (let q = 0; q < queues; q++) {
    const type = r.str();
    const count = r.u32();
    box.restoreQueue(type);
    for (let i = 0; i < count; i++) {
      const seq = r.f64();
      box.restoreMessage(type, r.value(), seq);
    }
  }
  return box;
}

function writeRefs(w: Writer, m: RefTable | null): void {
  if (m === null) return w.u32(NONE);
  w.u32(m.size);
  for (const [ref, pid] of m) {
    w.f64(ref);
    w.i32(pid);
  }
}

function writeTimers(w: Writer, m: Map<number, SendTimer> | null, now: number): void {
  if (m === null) return w.u32(NONE);
  w.u32(m.size);
  for (const t of m.values()) {
    w.f64(t.ref);
    w.i32(t.to);
    w.str(t.type);
    w.f64(t.at - now);
    w.value(t.value);
  }
}

function readTimers(r: Reader, now: number): Map<number, SendTimer> | null {
  const n = r.u32();
  if (n === NONE) return null;
  const m = new Map<number, SendTimer>();
  for (let i = 0; i < n; i++) {
    const ref = r.f64();
    const to = r.i32();
    const type = r.str();
    const at = now + r.f64();
    m.set(ref, { ref, to, type, value: r.value(), at, seq: 0 });
  }
  return m;
}

function readRefs(r: Reader): RefTable | null {
  const n = r.u32();
  if (n === NONE) return null;
  const m = new RefTable();
  for (let i = 0; i < n; i++) {
    const ref = r.f64();
    m.set(ref, r.i32());
  }
  return m;
}
