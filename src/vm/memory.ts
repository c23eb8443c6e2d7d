// Per-process linear memory (seed 003's `&` operands and memory types). Every process starts
// with 64 KiB of zeroed bytes, created on first touch; every access is bounds-checked and a
// bad one is a Kaylee error (a `Fault`), never a host fault.

import type { Process } from "./process.js";
import { fault } from "./values.js";

export const INITIAL_MEMORY = 64 * 1024;
/** The most linear memory one process may grow to. */
export const MAX_MEMORY = 64 * 1024 * 1024;

export class LinearMemory {
  bytes = new Uint8Array(INITIAL_MEMORY);
  /** Allocation blocks handed out by vm.alloc: start -> size (live ones only). */
  blocks = new Map<number, number>();
  /** Next free address for vm.alloc (a bump allocator; freed blocks are not reused). */
  next = 0;
  /** Generation counter so that pointers to freed blocks are recognised. */
  freed = new Set<number>();

  grow(need: number): void {
    if (need > MAX_MEMORY) throw fault(`linear memory limit: ${need} bytes wanted, at most ${MAX_MEMORY}`, "heap_limit");
    let n = this.bytes.length;
    while (n < need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.bytes);
    this.bytes = b;
  }
}

export function memoryOf(p: Process): LinearMemory {
  if (p.memory === null) p.memory = new LinearMemory();
  return p.memory as LinearMemory;
}

function check(m: LinearMemory, addr: number, n: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr + n > m.bytes.length) {
    throw fault(`memory access out of bounds: ${n} bytes at address ${addr} (memory is ${m.bytes.length} bytes)`, "out_of_bounds");
  }
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
  if (typeof v !== "number") throw fault("invalid value for a memory store", "bad_code");
  const b = m.bytes;
  for (let i = 0; i < n; i++) {
    b[addr + i] = v & 0xff;
    v >>= 8;
  }
}
