// The run queue: processes ready to run, first in first out. A ring buffer whose capacity
// doubles when full, so that queueing a process never copies the queue (an array that is
// pushed at one end and sliced at the other copied it every few thousand switches).

import type { Process } from "./process.js";

export class RunQueue {
  private items: (Process | null)[] = new Array(64).fill(null);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(p: Process): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = p;
    this.count++;
  }

  /** The oldest queued process, or null when the queue is empty. */
  shift(): Process | null {
    if (this.count === 0) return null;
    const p = this.items[this.head];
    this.items[this.head] = null;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return p;
  }

  /**
   * Takes out up to `max` of the `scan` youngest queued processes that `take` accepts,
   * youngest first (those that waited least lose least by moving); the rest keep their order.
   * Bounded by `scan`, so that a scheduler with a million processes queued pays little to look.
   */
  takeWhere(max: number, scan: number, take: (p: Process) => boolean): Process[] {
    const out: Process[] = [];
    const n = Math.min(scan, this.count);
    const mask = this.items.length - 1;
    const end = this.head + this.count; // one past the youngest
    let i = 1;
    for (; i <= n && out.length < max; i++) {
      const p = this.items[(end - i) & mask]!;
      if (take(p)) out.push(p);
    }
    if (out.length === 0) return out;
    // Close the gaps among the i - 1 youngest (the ones taken), keeping the others' order.
    const taken = new Set(out);
    let w = end - (i - 1);
    for (let k = end - (i - 1); k < end; k++) {
      const p = this.items[k & mask]!;
      if (!taken.has(p)) this.items[w++ & mask] = p;
    }
    for (let k = w; k < end; k++) this.items[k & mask] = null;
    this.count -= out.length;
    return out;
  }

  /** Empties the queue and gives back the room it grew to. */
  clear(): void {
    this.items = new Array(64).fill(null);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const old = this.items;
    const next: (Process | null)[] = new Array(old.length * 2).fill(null);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
