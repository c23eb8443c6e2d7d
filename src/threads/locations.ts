// Where each process of one run lives, shared by every scheduler thread: the pid counter and
// a table from pid to the scheduler that owns the process, in a SharedArrayBuffer.
//
// Pids are handed out in order from one counter, so `<0.N>` means one process whatever
// scheduler created it, and a run whose spawns happen in the same order numbers its processes
// the same on any number of schedulers.
//
// The table is open-addressed: pid p sits at slot p & mask, or a few slots after it when that
// slot holds a process still alive from an earlier lap of the pid counter — "slot n" counted
// in an order that puts consecutive ones on different cache lines (`at`): eight slots share
// a 64-byte line, and senders on two threads pinning neighbouring pids (a ring whose
// neighbours live on different schedulers) would otherwise pass one line back and forth.
// Every insert records how far it had to probe (`maxProbe`), so a lookup — also of a dead pid — never
// probes further: with the table kept at most a quarter full and pids handed out in order,
// that distance stays tiny.
//
// Each slot is two int32 words: the pid (0 empty, -1 a process that has ended) and a state
// word: the owning scheduler (low 8 bits), MOVING (the owner is handing the process to
// another scheduler) and a count of senders in the middle of pushing to its owner (above).
// A sender "pins" the slot while it pushes; a scheduler that moves a process sets MOVING and
// waits until no one holds a pin, so every record sent while the process lived at its old
// owner reached the old owner's inbox before the process leaves, and everything sent later
// goes to the new owner: messages and signals keep their per-sender order across a move.

const PID_COUNTER = 0;
const MAX_PROBE = 1;
const LIVE = 2;
const HEADER_INTS = 16;

const EMPTY = 0;
const ENDED = -1;

const SCHED_MASK = 0xff;
const MOVING = 0x100;
const PIN = 0x200;

/** Slots a live process needs: the table is kept at most a quarter full (see the header). */
export const SLOTS_PER_LIVE = 4;

/** `owner()` of a pid that has ended (or was never spawned). */
export const GONE = -1;

export function locationsBuffer(slots: number): SharedArrayBuffer {
  if (slots < 16 || (slots & (slots - 1)) !== 0) throw new RangeError(`location slots ${slots}: a power of two, at least 16`);
  return new SharedArrayBuffer((HEADER_INTS + slots * 2) * 4);
}

export class Locations {
  private readonly h: Int32Array;
  private readonly t: Int32Array;
  private readonly mask: number;

  /** log2 of the slots, less 3: how far `at` moves a slot number's low three bits up. */
  private readonly spread: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.h = new Int32Array(buffer, 0, HEADER_INTS);
    this.t = new Int32Array(buffer, HEADER_INTS * 4);
    this.mask = (this.t.length >> 1) - 1;
    this.spread = 31 - Math.clz32(this.mask + 1) - 3;
  }

  /**
   * Where slot number `n` (taken modulo the table) is in `t`: its low three bits become the
   * top three, so slots n and n + 1 are an eighth of the table apart (a bijection, so the
   * table's probing is unchanged).
   */
  private at(n: number): number {
    const k = n & this.mask;
    return (((k & 7) << this.spread) | (k >>> 3)) << 1;
  }

  /** How many slots the table has (a quarter of them may hold live processes). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The most processes the table holds alive at once. */
  get maxLive(): number {
    return this.capacity / SLOTS_PER_LIVE;
  }

  /** Processes alive now, on every scheduler. */
  get live(): number {
    return Atomics.load(this.h, LIVE);
  }

  /** Pids from `next` on come from this table (those below were handed out before it). */
  startAt(next: number): void {
    Atomics.store(this.h, PID_COUNTER, next - 1);
  }

  /** The next pid (the first call returns 1). */
  nextPid(): number {
    return Atomics.add(this.h, PID_COUNTER, 1) + 1;
  }

  /**
   * Records a new process `pid` owned by scheduler `sched`. Returns false when `max` processes
   * are alive already (the caller's --max-processes) or the table is a quarter full.
   */
  add(pid: number, sched: number, max: number): boolean {
    const limit = Math.min(max, this.maxLive);
    for (;;) {
      const n = Atomics.load(this.h, LIVE);
      if (n >= limit) return false;
      if (Atomics.compareExchange(this.h, LIVE, n, n + 1) === n) break;
    }
    for (let i = 0; ; i++) {
      const at = this.at(pid + i);
      const cur = Atomics.load(this.t, at);
      if ((cur === EMPTY || cur === ENDED) && Atomics.compareExchange(this.t, at, cur, pid) === cur) {
        // Keep the pin count of senders that may still hold a pin taken under the slot's old pid.
        for (;;) {
          const s = Atomics.load(this.t, at + 1);
          if (Atomics.compareExchange(this.t, at + 1, s, (s & ~(SCHED_MASK | MOVING)) | sched) === s) break;
        }
        for (;;) {
          const m = Atomics.load(this.h, MAX_PROBE);
          if (i <= m || Atomics.compareExchange(this.h, MAX_PROBE, m, i) === m) break;
        }
        return true;
      }
    }
  }

  private slotOf(pid: number): number {
    const probe = Atomics.load(this.h, MAX_PROBE);
    for (let i = 0; i <= probe; i++) {
      const at = this.at(pid + i);
      if (Atomics.load(this.t, at) === pid) return at;
    }
    return -1;
  }

  /** The scheduler that owns `pid` now, or GONE. (For a look, not for a send: see `pin`.) */
  owner(pid: number): number {
    const at = this.slotOf(pid);
    return at < 0 ? GONE : Atomics.load(this.t, at + 1) & SCHED_MASK;
  }

  /**
   * Pins `pid` where it lives: until `unpin` of what this returns, the process cannot move
   * away, so a record pushed meanwhile reaches the scheduler that owns it (`pinnedOwner`).
   * Returns -1 when `pid` has ended. While the process is moving this waits, calling `idle`
   * (which drains the caller's own inbox).
   */
  pin(pid: number, idle: () => void): number {
    for (;;) {
      const at = this.slotOf(pid);
      if (at < 0) return -1;
      const s = Atomics.load(this.t, at + 1);
      if (s & MOVING) {
        idle();
        Atomics.wait(this.t, at + 1, s, 1);
        continue;
      }
      if (Atomics.compareExchange(this.t, at + 1, s, s + PIN) !== s) continue;
      if (Atomics.load(this.t, at) === pid) return at;
      this.unpin(at); // the slot was reused meanwhile: pid has ended
      return -1;
    }
  }

  /** The owner of a pinned process (`pin`'s result). */
  pinnedOwner(pinned: number): number {
    return Atomics.load(this.t, pinned + 1) & SCHED_MASK;
  }

  unpin(pinned: number): void {
    const old = Atomics.sub(this.t, pinned + 1, PIN);
    if (old - PIN < PIN && (old & MOVING) !== 0) Atomics.notify(this.t, pinned + 1);
  }

  /**
   * The owner moves `pid` to scheduler `to`: `handOver` runs once no sender holds a pin and
   * none can take one (drain the inbox there, then send the process's state to `to`); then
   * the table points at `to` — unless `handOver` returned false (the process stays). Only the
   * owning scheduler may call this.
   *
   * A process can reach its new scheduler before its old one has pointed the table there (the
   * state is pushed first, then the table is set): until then the slot still says MOVING, and
   * the new scheduler may not move it on — its own move would finish first and the old one's
   * would then point the table back at itself, at a scheduler the process has left. So a move
   * of a process still arriving does nothing and returns false: it stays, and may move later.
   */
  move(pid: number, to: number, idle: () => void, handOver: () => boolean): boolean {
    const at = this.slotOf(pid);
    if (at < 0) throw new Error(`move: <0.${pid}> is not in the table`);
    for (;;) {
      const s = Atomics.load(this.t, at + 1);
      if (s & MOVING) return false;
      if (Atomics.compareExchange(this.t, at + 1, s, s | MOVING) === s) break;
    }
    for (;;) {
      const s = Atomics.load(this.t, at + 1);
      if ((s & ~(SCHED_MASK | MOVING)) === 0) break;
      idle();
      Atomics.wait(this.t, at + 1, s, 1);
    }
    const moved = handOver();
    for (;;) {
      const s = Atomics.load(this.t, at + 1);
      const owner = moved ? to : s & SCHED_MASK;
      if (Atomics.compareExchange(this.t, at + 1, s, (s & ~(SCHED_MASK | MOVING)) | owner) === s) break;
    }
    Atomics.notify(this.t, at + 1);
    return moved;
  }

  /**
   * Every live pid, in order, and how many slots were read to find them: those that can hold
   * a pid handed out so far (pid p sits at most `maxProbe` slots after p & mask).
   */
  livePids(): { pids: number[]; scanned: number } {
    const pids: number[] = [];
    const n = Math.min(this.capacity, Atomics.load(this.h, PID_COUNTER) + Atomics.load(this.h, MAX_PROBE) + 1);
    for (let i = 0; i < n; i++) {
      const pid = Atomics.load(this.t, this.at(i));
      if (pid > 0) pids.push(pid);
    }
    return { pids: pids.sort((a, b) => a - b), scanned: n };
  }

  /** `pid` has ended: lookups from now on say GONE. */
  remove(pid: number): void {
    const at = this.slotOf(pid);
    if (at < 0) return;
    Atomics.store(this.t, at, ENDED);
    Atomics.sub(this.h, LIVE, 1);
  }
}
