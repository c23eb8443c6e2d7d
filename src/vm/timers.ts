// All of the VM's timers in one binary heap (receive timeouts, sleeps, supervisor grace
// times), driven by a single host timeout armed for the earliest deadline; and the bound on
// host timeouts that every setTimeout of the VM respects.
//
// Cancelling removes the entry from the heap at once (each entry knows its place), so the
// heap holds exactly the live timers: a program that starts and cancels timers forever
// (a process that sleeps and is killed, in a loop) keeps it small.

/**
 * The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days). Node fires a longer
 * one after 1 ms, with a TimeoutOverflowWarning on stderr, so a longer wait is armed for
 * this long and armed again for the rest.
 */
export const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/** `setTimeout(fire, ms)` for any `ms`, armed in parts of at most MAX_HOST_DELAY_MS; returns a cancel. */
export function hostTimeout(fire: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_HOST_DELAY_MS ? arm(left - MAX_HOST_DELAY_MS) : fire()), Math.min(left, MAX_HOST_DELAY_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

export interface TimerEntry {
  at: number;
  seq: number;
  fire: () => void;
  /** Index in the heap array. */
  i: number;
}

export class TimerHeap {
  private heap: TimerEntry[] = [];
  private seq = 0;
  private readonly bySeq = new Map<number, TimerEntry>();

  /** Live timers. */
  get size(): number {
    return this.heap.length;
  }

  /** A timer firing at `at` (clock ms); its sequence number, to cancel it. */
  add(at: number, fire: () => void): number {
    const e: TimerEntry = { at, seq: ++this.seq, fire, i: this.heap.length };
    this.heap.push(e);
    this.bySeq.set(e.seq, e);
    this.up(e.i);
    return e.seq;
  }

  cancel(seq: number): void {
    const e = this.bySeq.get(seq);
    if (e === undefined) return;
    this.bySeq.delete(seq);
    this.removeAt(e.i);
  }

  /** Earliest live deadline, or Infinity. */
  next(): number {
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  /** Removes and returns every entry due at `now`, earliest first. */
  due(now: number): TimerEntry[] {
    const out: TimerEntry[] = [];
    while (this.heap.length && this.heap[0].at <= now) {
      const e = this.heap[0];
      this.bySeq.delete(e.seq);
      this.removeAt(0);
      out.push(e);
    }
    return out;
  }

  clear(): void {
    this.heap = [];
    this.bySeq.clear();
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const last = h.pop()!;
    if (i === h.length) return;
    h[i] = last;
    last.i = i;
    this.down(i);
    this.up(last.i);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], e)) break;
      h[i] = h[parent];
      h[i].i = i;
      i = parent;
    }
    h[i] = e;
    e.i = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const e = h[i];
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = e;
      if (l < h.length && before(h[l], best)) {
        m = l;
        best = h[l];
      }
      if (r < h.length && before(h[r], best)) m = r;
      if (m === i) break;
      h[i] = h[m];
      h[i].i = i;
      i = m;
    }
    h[i] = e;
    e.i = i;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
