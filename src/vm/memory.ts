// Per-process linear memory (seed 003's `&` operands and memory types, SPEC §4).
//
// Every process has one byte array, 64 KiB zeroed on first touch, that raw `&` operands
// address directly and that `vm.alloc` carves into blocks. Pointers and slices never hold an
// address: they hold a `Block` (which records where the block lives now, how big it is and
// whether it is still live) and an offset into it. So `claim` may move a block without
// invalidating its pointers, and a freed block stays known as freed for as long as any pointer
// to it exists: use after free and double free are recognised errors, never corruption, and
// a freed range handed out again can never be reached through an old pointer.
//
// The allocator is first fit over a sorted free list, with neighbours coalesced on free; the
// array doubles as needed up to a cap (MAX_MEMORY, lowered by --max-heap). Every access is
// bounds-checked against its block (and raw accesses against the array); a bad one throws a
// `Fault` with code "out_of_bounds", "use_after_free", "double_free" or "heap_limit".

import type { Process } from "./process.js";
import { Fault, fault, outOfRange } from "./values.js";
import { C } from "./error-codes.js";
import { MAX_LINEAR_MEMORY } from "../bytecode/places.js";

export const INITIAL_MEMORY = 64 * 1024;
/** The most linear memory one process may grow to (the verifier refuses addresses past it). */
export const MAX_MEMORY = MAX_LINEAR_MEMORY;
/** Blocks start on 8-byte boundaries. */
const ALIGN = 8;

/** One allocation. Pointers and slices refer to it; `start`/`size` change when it moves. */
export class Block {
  constructor(
    readonly mem: LinearMemory,
    readonly id: number,
    public start: number,
    public size: number,
    public live: boolean,
  ) {}
}

/** A `pointer` value: immutable; `offset` is relative to the block's start. */
export class Pointer {
  constructor(
    readonly block: Block,
    readonly offset: number,
  ) {}
  toString(): string {
    return `<pointer #${this.block.id}+${this.offset}${this.block.live ? "" : " (freed)"}>`;
  }
}

/** A `slice[byte; n]` value: a view of `length` bytes of a block from `offset`. */
export class Slice {
  constructor(
    readonly block: Block,
    readonly offset: number,
    readonly length: number,
  ) {}
  toString(): string {
    if (!this.block.live) return `<slice of a freed block>`;
    const out: number[] = [];
    for (let i = 0; i < this.length && i < 64; i++) out.push(sliceGet(this, i));
    return `[${out.join(", ")}${this.length > 64 ? ", ..." : ""}]`;
  }
}

/**
 * A pointer or slice into another process's memory that came from another thread
 * (threads/codec.ts): it prints as the handle did when it was sent, and every use of it fails
 * with `bad_pointer`, as a foreign pointer does on one thread (`ownBlock`).
 */
export class ForeignHandle {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export class LinearMemory {
  bytes: Uint8Array;
  /** Free ranges, sorted by start, never adjacent (coalesced): flat pairs start, size. */
  free: number[] = [0, INITIAL_MEMORY];
  /** Bytes in live blocks. */
  used = 0;
  /** Live blocks. */
  count = 0;
  private nextId = 1;

  constructor(
    /** The most bytes this memory may grow to (lowered under --max-heap). */
    public cap: number = MAX_MEMORY,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? new Uint8Array(INITIAL_MEMORY);
  }

  /** The id the next block will get. */
  get nextBlockId(): number {
    return this.nextId;
  }

  /**
   * A memory rebuilt from its parts, as `bytes`, `free`, `used`, `count`, `nextBlockId` and
   * `cap` read on another thread (a process that moved: threads/process-state.ts).
   */
  static rebuilt(bytes: Uint8Array, free: number[], used: number, count: number, nextId: number, cap: number): LinearMemory {
    const m = new LinearMemory(cap, bytes);
    m.free = free;
    m.used = used;
    m.count = count;
    m.nextId = nextId;
    return m;
  }

  /** Grows the array to at least `need` bytes (doubling), within the cap. */
  grow(need: number): void {
    if (need > this.cap) throw fault(`out of linear memory: ${need} bytes wanted, at most ${this.cap}`, C.heap_limit);
    const old = this.bytes.length;
    if (need <= old) return;
    let n = old;
    while (n < need) n *= 2;
    if (n > this.cap) n = this.cap;
    const b = new Uint8Array(n);
    b.set(this.bytes);
    this.bytes = b;
    this.release(old, n - old);
  }

  /** A new zeroed block of `size` bytes. */
  alloc(size: number): Block {
    if (!Number.isInteger(size) || size < 0) throw fault(`alloc: bad size ${size} (it must be 0 or more)`, C.range);
    const want = roundUp(Math.max(size, 1));
    if (want > this.cap) throw fault(`out of linear memory: alloc(${size}) is more than the limit of ${this.cap} bytes`, C.heap_limit);
    let at = this.take(want);
    if (at < 0) {
      // Grow so that the free tail (if any) plus the new space holds the block.
      const f = this.free;
      const tail = f.length && f[f.length - 2] + f[f.length - 1] === this.bytes.length ? f[f.length - 1] : 0;
      this.grow(this.bytes.length - tail + want);
      at = this.take(want);
      if (at < 0) throw fault(`out of linear memory: alloc(${size})`, C.heap_limit);
    }
    this.bytes.fill(0, at, at + want);
    this.used += want;
    this.count++;
    return new Block(this, this.nextId++, at, size, true);
  }

  /** Frees a live block. */
  freeBlock(b: Block): void {
    if (!b.live) throw fault(`double free: block #${b.id} was already freed`, C.double_free);
    b.live = false;
    const n = roundUp(Math.max(b.size, 1));
    this.used -= n;
    this.count--;
    this.release(b.start, n);
  }

  /** Grows a live block to hold `size` bytes, in place when the space after it is free. */
  claim(b: Block, size: number): void {
    if (!b.live) throw fault(`use after free: claim on block #${b.id}, which was freed`, C.use_after_free);
    if (!Number.isInteger(size) || size < 0) throw fault(`claim: bad size ${size} (it must be 0 or more)`, C.range);
    if (size <= b.size) return;
    const have = roundUp(Math.max(b.size, 1));
    const want = roundUp(size);
    if (want > this.cap) throw fault(`out of linear memory: claim(${size}) is more than the limit of ${this.cap} bytes`, C.heap_limit);
    if (want > have) {
      const end = b.start + have;
      const extra = want - have;
      const f = this.free;
      // At the end of memory (perhaps followed by the free tail): grow memory, then extend.
      const tailFree = f.length && f[f.length - 2] + f[f.length - 1] === this.bytes.length ? f[f.length - 2] : this.bytes.length;
      if (tailFree === end && end + extra > this.bytes.length) this.grow(end + extra);
      let i = 0;
      while (i < f.length && f[i] < end) i += 2;
      if (i < f.length && f[i] === end && f[i + 1] >= extra) {
        // In place.
        this.bytes.fill(0, end, end + extra);
        if (f[i + 1] === extra) f.splice(i, 2);
        else {
          f[i] += extra;
          f[i + 1] -= extra;
        }
      } else {
        // Move: a fresh range, copy, release the old one.
        const tmp = this.alloc(size);
        this.bytes.copyWithin(tmp.start, b.start, b.start + b.size);
        this.used -= roundUp(Math.max(tmp.size, 1));
        this.count--;
        this.release(b.start, have);
        b.start = tmp.start;
        this.used -= have;
        this.used += want;
        b.size = size;
        return;
      }
      this.used += extra;
    }
    // Bytes between the old size and the rounded end are zero already (alloc zero-fills them).
    this.bytes.fill(0, b.start + b.size, b.start + size);
    b.size = size;
  }

  /** First fit: the start of a free range of n bytes (removed from the free list), or -1. */
  private take(n: number): number {
    const f = this.free;
    for (let i = 0; i < f.length; i += 2) {
      if (f[i + 1] >= n) {
        const at = f[i];
        if (f[i + 1] === n) f.splice(i, 2);
        else {
          f[i] += n;
          f[i + 1] -= n;
        }
        return at;
      }
    }
    return -1;
  }

  /** Returns a range to the free list, merging it with its neighbours. */
  private release(start: number, n: number): void {
    if (n <= 0) return;
    const f = this.free;
    let i = 0;
    while (i < f.length && f[i] < start) i += 2;
    // Merge with the previous range?
    if (i > 0 && f[i - 2] + f[i - 1] === start) {
      f[i - 1] += n;
      if (i < f.length && f[i] === start + n) {
        f[i - 1] += f[i + 1];
        f.splice(i, 2);
      }
      return;
    }
    if (i < f.length && f[i] === start + n) {
      f[i] = start;
      f[i + 1] += n;
      return;
    }
    f.splice(i, 0, start, n);
  }
}

function roundUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** The linear memory of process `p` (created on first touch). */
export function memoryOf(p: Process): LinearMemory {
  if (p.memory === null) p.memory = new LinearMemory();
  return p.memory as LinearMemory;
}

function check(m: LinearMemory, addr: number, n: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr + n > m.bytes.length) {
    if (!Number.isInteger(addr)) throw notAddress(addr);
    throw fault(`memory access out of bounds: ${n} bytes at address ${addr} (memory is ${m.bytes.length} bytes)`, C.out_of_bounds);
  }
}

function notAddress(a: unknown): Fault {
  return fault(`not an address: ${typeof a === "number" ? String(a) : typeof a === "string" ? JSON.stringify(a) : a === null ? "null" : "a " + typeof a}`, C.bad_pointer);
}

/**
 * The start of a memory place of p's memory, checked as a whole: `n` bytes at `a` (n > 0) or
 * the region from `a` up to `b` (n = 0). Its length is `n || b - a`.
 */
export function memSpan(p: Process, a: unknown, b: unknown, n: number): number {
  const m = memoryOf(p);
  if (typeof a !== "number" || !Number.isInteger(a)) throw notAddress(a);
  if (n > 0) {
    check(m, a, n);
    return a;
  }
  if (typeof b !== "number" || !Number.isInteger(b)) throw notAddress(b);
  if (b < a) throw fault(`the region >${a} ${b}< ends before it starts`, C.out_of_bounds);
  if (a < 0 || b > m.bytes.length) throw fault(`memory region >${a} ${b}< is out of bounds (memory is ${m.bytes.length} bytes)`, C.out_of_bounds);
  return a;
}

/** The bytes a value occupies in a memory place: 1 to 4, or a fault. */
function valueBytes(a: number, b: number, n: number): number {
  if (n > 0) return n;
  const len = b - a;
  if (len < 1 || len > 4) throw fault(`the region >${a} ${b}< is ${len} bytes; a value takes 1 to 4`, C.range);
  return len;
}

/** The integer in a memory place (see memSpan): little-endian, 4 bytes signed, fewer unsigned. */
export function placeRead(p: Process, a: unknown, b: unknown, n: number): number {
  const at = memSpan(p, a, b, n);
  return memRead(p, at, valueBytes(at, b as number, n), false);
}

/** Writes the low bytes of `v` into a memory place (see memSpan). */
export function placeWrite(p: Process, a: unknown, b: unknown, n: number, v: unknown): void {
  const at = memSpan(p, a, b, n);
  memWrite(p, at, valueBytes(at, b as number, n), v as number);
}

/**
 * Copies the bytes of one memory place to another of the same length (right when they
 * overlap), both checked whole before a byte moves; charges a reduction per 256 bytes.
 */
export function placeCopy(p: Process, da: unknown, db: unknown, dn: number, sa: unknown, sb: unknown, sn: number, charge: (units: number) => void): void {
  const d = memSpan(p, da, db, dn);
  const s = memSpan(p, sa, sb, sn);
  const dLen = dn || (db as number) - d;
  const sLen = sn || (sb as number) - s;
  if (dLen !== sLen) throw fault(`a copy between memory places of ${sLen} and ${dLen} bytes (they must be one length)`, C.range);
  if (sLen >= 256) charge(sLen >>> 8);
  const bytes = memoryOf(p).bytes;
  bytes.copyWithin(d, s, s + sLen);
}

/** Reads n (1..4) bytes little-endian at addr; 4 bytes read as a signed i32. */
export function memRead(p: Process, addr: number, n: number, signed: boolean): number {
  const m = memoryOf(p);
  check(m, addr, n);
  const b = m.bytes;
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[addr + i];
  return signed || n === 4 ? v | 0 : v;
}

/** Writes the low n bytes of v little-endian at addr. */
export function memWrite(p: Process, addr: number, n: number, v: number): void {
  const m = memoryOf(p);
  check(m, addr, n);
  if (typeof v !== "number") throw fault("invalid value for a memory store", C.bad_code);
  const b = m.bytes;
  for (let i = 0; i < n; i++) {
    b[addr + i] = v & 0xff;
    v >>= 8;
  }
}

// ── pointers and slices ────────────────────────────────────────────────────────────────

/** The absolute address of `n` bytes at `offset` in block `b`, after every check. */
export function blockAddr(b: Block, offset: number, n: number, what: string): number {
  if (!b.live) throw fault(`use after free: ${what} through a pointer to block #${b.id}, which was freed`, C.use_after_free);
  if (!(offset >= 0 && offset + n <= b.size)) {
    throw fault(`out of bounds: ${what} of ${n} byte${n === 1 ? "" : "s"} at offset ${offset} of a ${b.size}-byte block`, C.out_of_bounds);
  }
  return b.start + offset;
}

export function ptrReadByte(p: Pointer): number {
  return p.block.mem.bytes[blockAddr(p.block, p.offset, 1, "read_byte")];
}

export function ptrWriteByte(p: Pointer, v: number): void {
  if (typeof v !== "number" || !(v >= 0 && v <= 255)) throw fault(`write_byte: ${String(v)} is not a byte`, C.range);
  p.block.mem.bytes[blockAddr(p.block, p.offset, 1, "write_byte")] = v;
}

export function ptrReadInt(p: Pointer): number {
  const a = blockAddr(p.block, p.offset, 4, "read_integer");
  const b = p.block.mem.bytes;
  return b[a] | (b[a + 1] << 8) | (b[a + 2] << 16) | (b[a + 3] << 24);
}

export function ptrWriteInt(p: Pointer, v: number): void {
  if (typeof v !== "number") throw fault("write_integer: not an integer", C.bad_code);
  const a = blockAddr(p.block, p.offset, 4, "write_integer");
  const b = p.block.mem.bytes;
  b[a] = v & 0xff;
  b[a + 1] = (v >> 8) & 0xff;
  b[a + 2] = (v >> 16) & 0xff;
  b[a + 3] = (v >> 24) & 0xff;
}

export function ptrOffset(p: Pointer, n: number): Pointer {
  const o = p.offset + n;
  if (typeof n !== "number" || (o | 0) !== o) throw fault(`integer overflow: pointer offset ${p.offset} + ${n}`, C.overflow);
  return new Pointer(p.block, o);
}

export function ptrSlice(p: Pointer, n: number): Slice {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw fault(`slice: bad length ${n}`, C.range);
  blockAddr(p.block, p.offset, n, "slice");
  return new Slice(p.block, p.offset, n);
}

export function sliceGet(s: Slice, i: number): number {
  if (!(typeof i === "number" && i >= 0 && i < s.length && Number.isInteger(i))) throw outOfRange(i, s.length);
  return s.block.mem.bytes[blockAddr(s.block, s.offset + i, 1, "slice index")];
}

export function sliceSet(s: Slice, i: number, v: number): void {
  if (!(typeof i === "number" && i >= 0 && i < s.length && Number.isInteger(i))) throw outOfRange(i, s.length);
  if (typeof v !== "number" || !(v >= 0 && v <= 255)) throw fault(`slice store: ${String(v)} is not a byte`, C.range);
  s.block.mem.bytes[blockAddr(s.block, s.offset + i, 1, "slice store")] = v;
}

/** The block a pointer refers to, checked to belong to process `p`. */
/**
 * The process running a slice on this thread (set by the scheduler), for the checks that
 * have no process at hand: `s[i]` on a slice must be of the running process's own memory.
 */
let running: Process | null = null;
export function setRunning(p: Process | null): void {
  running = p;
}

/** A slice indexed by the running process: refused (bad_pointer) if it is another's. */
export function ownSlice(s: Slice): Slice {
  if (running !== null && running.memory !== s.block.mem) throw fault("this slice belongs to another process's memory", C.bad_pointer);
  return s;
}

export function ownBlock(p: Process, b: Block): Block {
  if (p.memory !== b.mem) throw fault("this pointer belongs to another process's memory", C.bad_pointer);
  return b;
}
