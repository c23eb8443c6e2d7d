// What the schedulers running one program share, in shared memory: where each process lives
// and the pid counter (locations.ts), the name registry (names.ts), and the counters that
// quiescence (deadlock detection), limits and statistics need. Scheduler 0 — the embedder's
// thread, where every run starts — makes it when the run first needs a second scheduler, and
// hands the buffers to every thread that takes part.

import { Locations, SLOTS_PER_LIVE, locationsBuffer } from "./locations.js";
import { Names, namesBuffer } from "./names.js";

/** The most scheduler threads a host process runs (their ids fit the location table's 8 bits). */
export const MAX_SCHEDULERS = 64;

// Int32 counters, laid out so that what one scheduler writes often sits on a cache line of its
// own: a word another thread writes on the same line would make every write a transfer of
// the line between cores (false sharing). A line is 16 words.
const LINE = 16;
/** Bumped whenever a scheduler of the run goes from idle to active. */
const EPOCH = 0;
/** Set once the run has stopped. */
const STOPPED = 1;
/** Scheduler s's line. */
const at = (s: number): number => LINE * (1 + s);
/** In scheduler s's line: 1 while it has anything to do for this run (runnable, timers, parked). */
const ACTIVE = 0;
/** Its runnable processes, published once a tick (for placement). */
const LOAD = 1;
/** Records it has pushed to any scheduler of the run, and records it has handled. */
const SENT = 2;
const HANDLED = 3;
const INT_WORDS = at(MAX_SCHEDULERS);

// 64-bit statistics.
export const STAT_REDUCTIONS = 0;
export const STAT_MESSAGES = 1;
export const STAT_SPAWNED = 2;
/** The sum of every scheduler's own peak of heap charged (heap.ts): a run's `stats.memory`. */
export const STAT_MEMORY = 3;
/** Not a statistic: the last ref handed out (refs of monitors, calls, timers, vm.make_ref),
 *  64 bits wide so that refs never wrap: a ref is unique for the VM's life. */
const REF = 4;
const STAT_WORDS = 5;

export interface SharedRunBuffers {
  locations: SharedArrayBuffer;
  names: SharedArrayBuffer;
  ints: SharedArrayBuffer;
  stats: SharedArrayBuffer;
}

/** The most processes a run on several schedulers can have alive at once (the location table's largest size). */
export const MAX_SHARED_LIVE = 1 << 21;

export class SharedRun {
  readonly loc: Locations;
  readonly names: Names;
  private readonly c: Int32Array;
  readonly stats: BigInt64Array;

  constructor(readonly buffers: SharedRunBuffers, idle: () => void) {
    this.loc = new Locations(buffers.locations);
    this.names = new Names(buffers.names, idle);
    this.c = new Int32Array(buffers.ints);
    this.stats = new BigInt64Array(buffers.stats);
  }

  /**
   * Buffers for a run that may have up to `maxProcesses` alive at once, or MAX_SHARED_LIVE
   * if fewer (a table of 2^23 slots, 64 MiB of address space that the host commits only as
   * slots are used: skynet 1M has over a million processes alive at its peak).
   */
  static buffers(maxProcesses: number): SharedRunBuffers {
    let slots = 1024;
    while (slots < maxProcesses * SLOTS_PER_LIVE && slots < MAX_SHARED_LIVE * SLOTS_PER_LIVE) slots *= 2;
    return {
      locations: locationsBuffer(slots),
      names: namesBuffer(),
      ints: new SharedArrayBuffer(INT_WORDS * 4),
      stats: new SharedArrayBuffer(STAT_WORDS * 8),
    };
  }

  /** Scheduler `s` is about to push a record (its receiver calls handled() when done with it). */
  sending(s: number): void {
    const i = at(s) + SENT;
    Atomics.store(this.c, i, (this.c[i] + 1) | 0); // only s writes its own counters
  }

  /** Scheduler `s` has handled a record. */
  handled(s: number): void {
    const i = at(s) + HANDLED;
    Atomics.store(this.c, i, (this.c[i] + 1) | 0);
  }

  /** Scheduler `s` has work for this run (call before handling anything that may give it work). */
  active(s: number): void {
    if (Atomics.exchange(this.c, at(s) + ACTIVE, 1) === 0) Atomics.add(this.c, EPOCH, 1);
  }

  /** Scheduler `s` has nothing runnable, no timer and no host call pending for this run. */
  idle(s: number): void {
    Atomics.store(this.c, at(s) + ACTIVE, 0);
  }

  isActive(s: number): boolean {
    return Atomics.load(this.c, at(s) + ACTIVE) !== 0;
  }

  /**
   * Nothing of the run can ever happen again: no scheduler active, no record in flight, and
   * no change while we looked (every way work reaches an idle scheduler bumps EPOCH first).
   * Records in flight are the pushed ones less the handled ones, read handled first: a
   * record is counted as pushed before it can be handled, so a count read while records move
   * can only come out too high (no false alarm), never too low.
   */
  quiescent(schedulers: number): boolean {
    const e1 = Atomics.load(this.c, EPOCH);
    for (let s = 0; s < schedulers; s++) if (Atomics.load(this.c, at(s) + ACTIVE) !== 0) return false;
    let handled = 0;
    for (let s = 0; s < schedulers; s++) handled += Atomics.load(this.c, at(s) + HANDLED);
    let sent = 0;
    for (let s = 0; s < schedulers; s++) sent += Atomics.load(this.c, at(s) + SENT);
    if (((sent - handled) | 0) !== 0) return false; // counters wrap: compared modulo 2^32
    return Atomics.load(this.c, EPOCH) === e1;
  }

  stop(): void {
    Atomics.store(this.c, STOPPED, 1);
  }

  get stopped(): boolean {
    return Atomics.load(this.c, STOPPED) !== 0;
  }

  nextRef(): number {
    return Number(Atomics.add(this.stats, REF, 1n)) + 1;
  }

  setRef(next: number): void {
    Atomics.store(this.stats, REF, BigInt(next - 1));
  }

  publishLoad(s: number, runnable: number): void {
    if (this.c[at(s) + LOAD] !== runnable) Atomics.store(this.c, at(s) + LOAD, runnable);
  }

  load(s: number): number {
    return Atomics.load(this.c, at(s) + LOAD);
  }

  count(stat: number, n: number): void {
    if (n !== 0) Atomics.add(this.stats, stat, BigInt(n));
  }

  stat(stat: number): number {
    return Number(Atomics.load(this.stats, stat));
  }
}
