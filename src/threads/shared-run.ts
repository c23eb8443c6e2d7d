// What the schedulers running one program share, in shared memory: where each process lives
// and the pid counter (locations.ts), the name registry (names.ts), and the counters that
// quiescence (deadlock detection), limits and statistics need. Scheduler 0 — the embedder's
// thread, where every run starts — makes it when the run first needs a second scheduler, and
// hands the buffers to every thread that takes part.

import { Locations, locationsBuffer } from "./locations.js";
import { Names, namesBuffer } from "./names.js";

/** The most scheduler threads a host process runs (their ids fit the location table's 8 bits). */
export const MAX_SCHEDULERS = 64;

// Int32 counters.
/** Records pushed and not yet handled, for every scheduler of the run. */
const IN_FLIGHT = 0;
/** Bumped whenever a scheduler of the run goes from idle to active. */
const EPOCH = 1;
/** Set once the run has stopped. */
const STOPPED = 2;
/** One word a scheduler: 1 while it has anything to do for this run (runnable, timers, parked). */
const ACTIVE = 8;
/** One word a scheduler: its runnable processes, published once a tick (for placement). */
const LOAD = ACTIVE + MAX_SCHEDULERS;
const INT_WORDS = LOAD + MAX_SCHEDULERS;

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

/** The most processes a run on several schedulers can have alive at once (locations.ts keeps its table at most a quarter full). */
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
    while (slots < maxProcesses * 4 && slots < MAX_SHARED_LIVE * 4) slots *= 2;
    return {
      locations: locationsBuffer(slots),
      names: namesBuffer(),
      ints: new SharedArrayBuffer(INT_WORDS * 4),
      stats: new SharedArrayBuffer(STAT_WORDS * 8),
    };
  }

  /** A record is about to be pushed (handled() when its receiver is done with it). */
  sending(): void {
    Atomics.add(this.c, IN_FLIGHT, 1);
  }

  handled(): void {
    Atomics.sub(this.c, IN_FLIGHT, 1);
  }

  /** Scheduler `s` has work for this run (call before handling anything that may give it work). */
  active(s: number): void {
    if (Atomics.exchange(this.c, ACTIVE + s, 1) === 0) Atomics.add(this.c, EPOCH, 1);
  }

  /** Scheduler `s` has nothing runnable, no timer and no host call pending for this run. */
  idle(s: number): void {
    Atomics.store(this.c, ACTIVE + s, 0);
  }

  isActive(s: number): boolean {
    return Atomics.load(this.c, ACTIVE + s) !== 0;
  }

  /**
   * Nothing of the run can ever happen again: no scheduler active, no record in flight, and
   * no change while we looked (every way work reaches an idle scheduler bumps EPOCH first).
   */
  quiescent(schedulers: number): boolean {
    const e1 = Atomics.load(this.c, EPOCH);
    for (let s = 0; s < schedulers; s++) if (Atomics.load(this.c, ACTIVE + s) !== 0) return false;
    if (Atomics.load(this.c, IN_FLIGHT) !== 0) return false;
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
    if (this.c[LOAD + s] !== runnable) Atomics.store(this.c, LOAD + s, runnable);
  }

  load(s: number): number {
    return Atomics.load(this.c, LOAD + s);
  }

  count(stat: number, n: number): void {
    if (n !== 0) Atomics.add(this.stats, stat, BigInt(n));
  }

  stat(stat: number): number {
    return Number(Atomics.load(this.stats, stat));
  }
}
