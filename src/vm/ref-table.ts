// A process's monitors by ref: those it holds (ref to the watched pid) and those on it (ref to
// the watcher), `Process.monitors` and `Process.monitoredBy`.
//
// Monitors come and go at the rate of calls: every `vm.call` adds one at both ends and removes
// it with the reply (servers.ts), so most tables hold zero to a few refs and see an add and a
// delete per call. A JS Map does that badly — each delete leaves a hole that the next adds
// fill until V8 rehashes into a new table, about 200 ns a call for the two ends — so a table
// keeps up to SMALL entries in two arrays, searched in order (an add and a delete allocate
// nothing once the arrays have grown), and only a bigger one in a Map. Either way the entries
// keep the order they were added in, as a Map's do (the order notices are sent in when the
// process ends).

/** Entries kept in the arrays; past this many, in a Map. */
const SMALL = 8;

export class RefTable {
  private refs: number[] = [];
  private pids: number[] = [];
  private map: Map<number, number> | null = null;

  get size(): number {
    return this.map === null ? this.refs.length : this.map.size;
  }

  get(ref: number): number | undefined {
    if (this.map !== null) return this.map.get(ref);
    const refs = this.refs;
    for (let i = 0; i < refs.length; i++) if (refs[i] === ref) return this.pids[i];
    return undefined;
  }

  has(ref: number): boolean {
    return this.get(ref) !== undefined;
  }

  set(ref: number, pid: number): this {
    if (this.map !== null) {
      this.map.set(ref, pid);
      return this;
    }
    const refs = this.refs;
    for (let i = 0; i < refs.length; i++) {
      if (refs[i] === ref) {
        this.pids[i] = pid;
        return this;
      }
    }
    if (refs.length < SMALL) {
      refs.push(ref);
      this.pids.push(pid);
      return this;
    }
    const m = new Map<number, number>();
    for (let i = 0; i < refs.length; i++) m.set(refs[i], this.pids[i]);
    m.set(ref, pid);
    this.map = m;
    this.refs = [];
    this.pids = [];
    return this;
  }

  /** Removes `ref`; false when it was not there. */
  delete(ref: number): boolean {
    const m = this.map;
    if (m !== null) {
      if (!m.delete(ref)) return false;
      if (m.size === 0) this.map = null;
      return true;
    }
    const refs = this.refs;
    const pids = this.pids;
    for (let i = 0; i < refs.length; i++) {
      if (refs[i] === ref) {
        for (let k = i + 1; k < refs.length; k++) {
          refs[k - 1] = refs[k];
          pids[k - 1] = pids[k];
        }
        refs.pop();
        pids.pop();
        return true;
      }
    }
    return false;
  }

  /** The pids, in the order their entries were added. */
  values(): IterableIterator<number> {
    return this.map !== null ? this.map.values() : this.pids.slice().values();
  }

  /** [ref, pid] of every entry, in the order they were added. */
  [Symbol.iterator](): IterableIterator<[number, number]> {
    if (this.map !== null) return this.map.entries();
    return this.refs.map((ref, i): [number, number] => [ref, this.pids[i]]).values();
  }
}
