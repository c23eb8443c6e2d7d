// The name registry of one run, shared by every scheduler thread: `vm.register`, `vm.whereis`,
// `vm.unregister` and `vm.registered` see one table, and registering is atomic across
// threads (two schedulers registering one name: exactly one wins).
//
// Names live in a SharedArrayBuffer: an open-addressed table of slots (hash, pid, where the
// name's UTF-16 code units start in the arena, their count), and the arena the names are
// copied into. Every operation takes the table's lock (mutex.ts); a whereis is a hash and a
// compare under it. A name is at most 255 characters, as an Erlang atom is. A released name
// leaves its slot marked ended (so that probes go past it) and its characters in the arena;
// when half the slots or the whole arena are used, the names held now are laid out afresh.
// At most a quarter of the slots hold names at once: past that, registering says "full".

import { lock, unlock } from "./mutex.js";

const LOCK = 0;
/** Slots holding a name now. */
const COUNT = 1;
/** Slots ever used since the last compaction (names plus released ones). */
const USED = 2;
/** Code units of the arena in use. */
const ARENA = 3;
const HEADER_INTS = 8;
const SLOT_INTS = 4;

/** The longest name, in UTF-16 code units (Erlang: 255 characters an atom). */
export const MAX_NAME = 255;

/**
 * The most names registered at once in a run, on one scheduler or several (registry.ts
 * holds a run of one scheduler to it too, so that a program's output does not depend on the
 * number of schedulers). The shared table has four slots a name.
 */
export const MAX_NAMES = 16384;

export type RegisterResult = "ok" | "taken" | "too_long" | "full";

export function namesBuffer(slots = MAX_NAMES * 4): SharedArrayBuffer {
  if (slots < 16 || (slots & (slots - 1)) !== 0) throw new RangeError(`name slots ${slots}: a power of two, at least 16`);
  // Room for every slot's name at an average of 32 code units, and for the longest one.
  const arena = slots * 32 + MAX_NAME;
  return new SharedArrayBuffer((HEADER_INTS + slots * SLOT_INTS) * 4 + arena * 2);
}

function hashOf(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 1; // never 0
}

export class Names {
  private readonly h: Int32Array;
  private readonly t: Int32Array;
  private readonly a: Uint16Array;
  private readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer, private readonly idle: () => void = () => {}) {
    this.h = new Int32Array(buffer, 0, HEADER_INTS);
    const rest = buffer.byteLength - HEADER_INTS * 4;
    // Solve slots*16 + (slots*32 + MAX_NAME)*2 = rest for slots (a power of two).
    const slots = (rest - MAX_NAME * 2) / 80;
    this.mask = slots - 1;
    this.t = new Int32Array(buffer, HEADER_INTS * 4, slots * SLOT_INTS);
    this.a = new Uint16Array(buffer, (HEADER_INTS + slots * SLOT_INTS) * 4);
  }

  register(name: string, pid: number): RegisterResult {
    if (name.length > MAX_NAME) return "too_long";
    const hash = hashOf(name);
    lock(this.h, LOCK, this.idle);
    try {
      if (this.find(name, hash) >= 0) return "taken";
      if (this.h[COUNT] >= (this.mask + 1) >> 2) return "full";
      if (this.h[USED] >= (this.mask + 1) >> 1) this.compact();
      if (this.h[ARENA] + name.length > this.a.length) {
        this.compact();
        if (this.h[ARENA] + name.length > this.a.length) return "full";
      }
      this.put(name, hash, pid);
      return "ok";
    } finally {
      unlock(this.h, LOCK);
    }
  }

  /** The pid registered under `name`, or 0. */
  whereis(name: string): number {
    if (name.length > MAX_NAME) return 0;
    const hash = hashOf(name);
    lock(this.h, LOCK, this.idle);
    try {
      const at = this.find(name, hash);
      return at < 0 ? 0 : this.t[at + 1];
    } finally {
      unlock(this.h, LOCK);
    }
  }

  /** Releases `name` if `pid` holds it (pid 0: whoever holds it). True when it was held. */
  unregister(name: string, pid = 0): boolean {
    if (name.length > MAX_NAME) return false;
    const hash = hashOf(name);
    lock(this.h, LOCK, this.idle);
    try {
      const at = this.find(name, hash);
      if (at < 0 || (pid !== 0 && this.t[at + 1] !== pid)) return false;
      this.t[at + 1] = 0; // ended: probes go past it; compaction drops it
      this.t[at + 3] = -1;
      this.h[COUNT]--;
      return true;
    } finally {
      unlock(this.h, LOCK);
    }
  }

  /** Every name held now (in table order). */
  list(): string[] {
    const out: string[] = [];
    this.each((at) => void out.push(this.text(at)));
    return out;
  }

  /** Every name held now with the pid holding it (in table order): one walk, one hold of the lock. */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    this.each((at) => void out.push([this.text(at), this.t[at + 1]]));
    return out;
  }

  /** Calls `f` with each slot holding a name, under the lock. */
  private each(f: (at: number) => void): void {
    lock(this.h, LOCK, this.idle);
    try {
      for (let at = 0; at < this.t.length; at += SLOT_INTS) if (this.t[at] !== 0 && this.t[at + 3] >= 0) f(at);
    } finally {
      unlock(this.h, LOCK);
    }
  }

  /** Slots in the table (what a walk of it reads: `nameOf`, `list`). */
  get slots(): number {
    return this.mask + 1;
  }

  /** The name `pid` holds, or null (a walk of the table). */
  nameOf(pid: number): string | null {
    lock(this.h, LOCK, this.idle);
    try {
      for (let at = 0; at < this.t.length; at += SLOT_INTS) if (this.t[at] !== 0 && this.t[at + 3] >= 0 && this.t[at + 1] === pid) return this.text(at);
      return null;
    } finally {
      unlock(this.h, LOCK);
    }
  }

  private text(at: number): string {
    const off = this.t[at + 2];
    return String.fromCharCode(...this.a.subarray(off, off + this.t[at + 3]));
  }

  private find(name: string, hash: number): number {
    for (let i = hash; ; i++) {
      const at = (i & this.mask) * SLOT_INTS;
      const h = this.t[at];
      if (h === 0) return -1;
      if (h !== hash || this.t[at + 3] !== name.length) continue;
      const off = this.t[at + 2];
      let k = 0;
      while (k < name.length && this.a[off + k] === name.charCodeAt(k)) k++;
      if (k === name.length) return at;
    }
  }

  /** Rebuilds the table and the arena from the names held now (under the lock). */
  private compact(): void {
    const held: [string, number][] = [];
    for (let at = 0; at < this.t.length; at += SLOT_INTS) if (this.t[at] !== 0 && this.t[at + 3] >= 0) held.push([this.text(at), this.t[at + 1]]);
    this.t.fill(0);
    this.h[COUNT] = 0;
    this.h[USED] = 0;
    this.h[ARENA] = 0;
    for (const [name, pid] of held) this.put(name, hashOf(name), pid);
  }

  /** Copies `name` into the arena and takes a free slot for it (under the lock). */
  private put(name: string, hash: number, pid: number): void {
    const off = this.h[ARENA];
    for (let i = 0; i < name.length; i++) this.a[off + i] = name.charCodeAt(i);
    this.h[ARENA] = off + name.length;
    for (let i = hash; ; i++) {
      const at = (i & this.mask) * SLOT_INTS;
      if (this.t[at] !== 0) continue;
      this.t.set([hash, pid, off, name.length], at);
      break;
    }
    this.h[COUNT]++;
    this.h[USED]++;
  }
}
