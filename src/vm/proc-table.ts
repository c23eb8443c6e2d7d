// The process table: pid -> live Process.
//
// Pids are handed out in order and never reused, so the table is a directory of fixed-size
// pages indexed by `pid >>> PAGE_BITS`: a lookup is two array loads, inserting and removing
// touch one slot, and a page is dropped once every pid in it has ended (except the newest, which pids are
// still handed out from). A JS Map does the same
// job but gets slow and GC-heavy with a million entries (skynet spawns 1.1 million processes);
// this table's memory follows the pids that are alive, not the pids ever spawned.

import type { Process } from "./process.js";

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const MASK = PAGE_SIZE - 1;

export class ProcessTable {
  /** Pages by page number; null where every pid of the page has ended (or none began). */
  private pages: (Page | null)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(pid: number): Process | undefined {
    const page = this.pages[pid >>> PAGE_BITS];
    if (page === undefined || page === null) return undefined;
    return page.slots[pid & MASK] ?? undefined;
  }

  has(pid: number): boolean {
    return this.get(pid) !== undefined;
  }

  /** Calls `f` for every process in the table, in pid order. */
  forEach(f: (p: Process) => void): void {
    const pages = this.pages;
    for (let n = 0; n < pages.length; n++) {
      const page = pages[n];
      if (page === null) continue;
      const slots = page.slots;
      for (let i = 0; i < PAGE_SIZE; i++) {
        const p = slots[i];
        if (p !== null) f(p);
      }
    }
  }

  /**
   * Calls `f` for the processes whose pid is `from` or more, in pid order, until `f` returns
   * false (a walk in bounded steps: each picks up where the last one stopped).
   */
  forEachFrom(from: number, f: (p: Process) => boolean): void {
    const pages = this.pages;
    from = Math.max(0, from);
    for (let n = from >>> PAGE_BITS; n < pages.length; n++) {
      const page = pages[n];
      if (page === null) continue;
      const slots = page.slots;
      for (let i = n === from >>> PAGE_BITS ? from & MASK : 0; i < PAGE_SIZE; i++) {
        const p = slots[i];
        if (p !== null && !f(p)) return;
      }
    }
  }

  /** Forgets every process. */
  clear(): void {
    this.pages = [];
    this.count = 0;
  }

  /** Adds a process under a pid not yet in the table (pids are never reused). */
  set(pid: number, p: Process): void {
    if (!(pid >= 0 && pid <= 0x7fffffff && (pid | 0) === pid)) throw new RangeError(`bad pid ${pid}`);
    const n = pid >>> PAGE_BITS;
    while (this.pages.length <= n) this.pages.push(null);
    let page = this.pages[n];
    if (page === null) page = this.pages[n] = new Page();
    if (page.slots[pid & MASK] === null) {
      page.live++;
      this.count++;
    }
    page.slots[pid & MASK] = p;
  }

  delete(pid: number): boolean {
    const n = pid >>> PAGE_BITS;
    const page = this.pages[n];
    if (page === undefined || page === null || page.slots[pid & MASK] === null) return false;
    page.slots[pid & MASK] = null;
    this.count--;
    // The newest page stays: pids are still being handed out from it.
    if (--page.live === 0 && n !== this.pages.length - 1) this.pages[n] = null;
    return true;
  }
}

class Page {
  readonly slots: (Process | null)[] = new Array(PAGE_SIZE).fill(null);
  live = 0;
}
