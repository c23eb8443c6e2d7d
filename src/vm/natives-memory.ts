// The memory natives of SPEC §4: `vm.alloc`, `vm.memory`, the pointer methods and slice
// indexing. Pointers and slices are the objects of memory.ts; every call checks that the
// block is live, belongs to the calling process and holds the bytes touched. Errors are
// `Fault`s ("use after free", "double free", "out of bounds ..."), so `{default: ...}` and the
// other handlers catch them like any operation error.

import type { NativeFn } from "./native-api.js";
import type { SysCtx } from "./vm-core.js";
import { fault } from "./values.js";
import { C } from "./error-codes.js";
import { linearCap, memoryReport } from "./heap.js";
import {
  Pointer,
  Slice,
  memoryOf,
  ownBlock,
  ptrOffset,
  ptrReadByte,
  ptrReadInt,
  ptrSlice,
  ptrWriteByte,
  ptrWriteInt,
  sliceGet,
  sliceSet,
} from "./memory.js";

const sys = (f: (c: SysCtx, a: unknown[]) => unknown): NativeFn => (ctx, a) => f(ctx as SysCtx, a);

function ptr(c: SysCtx, v: unknown): Pointer {
  if (!(v instanceof Pointer)) throw fault("expected a pointer", C.bad_code);
  ownBlock(c.proc, v.block);
  return v;
}

function slc(c: SysCtx, v: unknown): Slice {
  if (!(v instanceof Slice)) throw fault("expected a slice", C.bad_code);
  ownBlock(c.proc, v.block);
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw fault(`${what}: expected an integer`, C.bad_code);
  return v;
}

export const MEMORY_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>([
  [
    "vm.alloc",
    sys((c, a) => {
      const n = int(a[0], "alloc");
      const m = memoryOf(c.proc);
      const cap = linearCap(c.vm);
      if (m.cap > cap) m.cap = cap;
      if (n >= 1024) c.charge(n >>> 10);
      return new Pointer(m.alloc(n), 0);
    }),
  ],
  ["vm.memory", sys((c) => memoryReport(c.proc))],
  [
    "pointer.free",
    sys((c, a) => {
      const p = ptr(c, a[0]);
      if (!p.block.live) throw fault(`double free: block #${p.block.id} was already freed`, C.double_free);
      if (p.offset !== 0) throw fault(`free: this pointer is ${p.offset} bytes into its block; free the pointer vm.alloc returned`, C.bad_pointer);
      p.block.mem.freeBlock(p.block);
      return null;
    }),
  ],
  [
    "pointer.claim",
    sys((c, a) => {
      const p = ptr(c, a[0]);
      const n = int(a[1], "claim");
      if (n >= 1024) c.charge(n >>> 10);
      p.block.mem.claim(p.block, n);
      return null;
    }),
  ],
  ["pointer.offset", sys((c, a) => ptrOffset(ptr(c, a[0]), int(a[1], "offset")))],
  ["pointer.read_byte", sys((c, a) => ptrReadByte(ptr(c, a[0])))],
  ["pointer.write_byte", sys((c, a) => (ptrWriteByte(ptr(c, a[0]), a[1] as number), null))],
  ["pointer.read_integer", sys((c, a) => ptrReadInt(ptr(c, a[0])))],
  ["pointer.write_integer", sys((c, a) => (ptrWriteInt(ptr(c, a[0]), int(a[1], "write_integer")), null))],
  ["pointer.slice", sys((c, a) => ptrSlice(ptr(c, a[0]), int(a[1], "slice")))],
  ["slice.index", sys((c, a) => sliceGet(slc(c, a[0]), a[1] as number))],
  ["slice.set", sys((c, a) => (sliceSet(slc(c, a[0]), a[1] as number, a[2] as number), null))],
  ["slice.length", sys((c, a) => slc(c, a[0]).length)],
]);

/** Index/StoreIndex on a slice (the interpreter's cold path when the operand is not an array). */
export function sliceIndexSlow(v: unknown, i: unknown): number | undefined {
  if (v instanceof Slice) return sliceGet(v, i as number);
  return undefined;
}
