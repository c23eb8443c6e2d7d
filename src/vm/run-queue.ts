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
   * Takes out up to `max` queued processes that `take` accepts, youngest first (those that
   * waited least lose least by moving); the rest keep their order.
   */
  takeWhere(max: number, take: (p: Process) => boolean): Process[] {
    const out: Process[] = [];
    const keep: Process[] = [];
    for (let i = this.count - 1; i >= 0; i--) {
      const p = this.items[(this.head + i) & (this.items.length - 1)]!;
      if (out.length < max && take(p)) out.push(p);
      else keep.push(p);
    }
    if (out.length === 0) return out;
    this.items.fill(null);
    this.head = 0;
    this.count = 0;
    for (let i = keep.length - 1; i >= 0; i--) this.push(keep[i]);
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
