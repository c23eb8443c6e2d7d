// All of the VM's timers in one binary heap (receive timeouts, sleeps, supervisor grace
// times), driven by a single host timeout armed for the earliest deadline; and the bound on
// host timeouts that every setTimeout of the VM respects.

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
}

export class TimerHeap {
  private heap: TimerEntry[] = [];
  private seq = 0;
  private cancelled = new Set<number>();
  private live = new Set<number>();

  get size(): number {
    return this.live.size;
  }

  add(at: number, fire: () => void): number {
    const e = { at, seq: ++this.seq, fire };
    const h = this.heap;
    this.live.add(e.seq);
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], e)) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
    return e.seq;
  }

  cancel(seq: number): void {
    if (this.live.delete(seq)) this.cancelled.add(seq);
  }

  /** Earliest live deadline, or Infinity. */
  next(): number {
    this.dropCancelled();
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  /** Removes and returns every live entry due at `now`, earliest first. */
  due(now: number): TimerEntry[] {
    const out: TimerEntry[] = [];
    for (;;) {
      this.dropCancelled();
      if (!this.heap.length || this.heap[0].at > now) return out;
      const e = this.pop();
      this.live.delete(e.seq);
      out.push(e);
    }
  }

  clear(): void {
    this.heap = [];
    this.cancelled.clear();
    this.live.clear();
  }

  private dropCancelled(): void {
    while (this.heap.length && this.cancelled.has(this.heap[0].seq)) this.cancelled.delete(this.pop().seq);
  }

  private pop(): TimerEntry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && before(h[l], best)) {
          m = l;
          best = h[l];
        }
        if (r < h.length && before(h[r], best)) m = r;
        if (m === i) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
