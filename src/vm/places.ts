// The interpreter's side of the generic place instructions (CopyPlaces, LoadPlace,
// StorePlace; bytecode/places.ts says what places are): it resolves each place against the
// current frame (locals at stack[base + n]) and the constants, then reads, writes or copies
// through memory.ts's placeRead/placeWrite/placeCopy, which check a memory place as a whole
// before anything is written. The second tier generates the same calls with the operands
// resolved when it compiles (jit.ts), so the two tiers fault alike.

import { SHAPES, copyShapes, isMemory, regionBounds, type Shape } from "../bytecode/places.js";
import { placeCopy, placeRead, placeWrite } from "./memory.js";
import type { Process } from "./process.js";

/** A memory place resolved: `n` bytes at `a` (n > 0), or the region [a, b) (n = 0). */
const span: [unknown, unknown, number] = [0, 0, 0];

function resolve(s: Shape, operand: number, stack: unknown[], base: number, consts: readonly unknown[]): void {
  if (s.kind === "mem") {
    span[0] = operand;
    span[1] = 0;
    span[2] = s.len;
  } else if (s.kind === "ind") {
    span[0] = stack[base + operand];
    span[1] = 0;
    span[2] = s.len;
  } else {
    const [a, b] = regionBounds(operand);
    span[0] = s.aLocal ? stack[base + a] : consts[a];
    span[1] = s.bLocal ? stack[base + b] : consts[b];
    span[2] = 0;
  }
}

/** The value of a place that is not memory. */
function valueOf(s: Shape, operand: number, stack: unknown[], base: number, consts: readonly unknown[]): unknown {
  return s.kind === "const" ? consts[operand] : stack[base + operand];
}

/** CopyPlaces MODE DST SRC. */
export function copyPlaces(p: Process, stack: unknown[], base: number, consts: readonly unknown[], mode: number, dst: number, src: number, charge: (units: number) => void): void {
  const [di, si] = copyShapes(mode)!;
  const d = SHAPES[di];
  const s = SHAPES[si];
  if (isMemory(s)) {
    resolve(s, src, stack, base, consts);
    const [sa, sb, sn] = span;
    if (isMemory(d)) {
      resolve(d, dst, stack, base, consts);
      placeCopy(p, span[0], span[1], span[2], sa, sb, sn, charge);
    } else stack[base + dst] = placeRead(p, sa, sb, sn);
    return;
  }
  const v = valueOf(s, src, stack, base, consts);
  if (d.kind === "local") stack[base + dst] = v;
  else {
    resolve(d, dst, stack, base, consts);
    placeWrite(p, span[0], span[1], span[2], v);
  }
}

/** LoadPlace MODE P: the integer in the region. */
export function loadPlace(p: Process, stack: unknown[], base: number, consts: readonly unknown[], mode: number, operand: number): number {
  resolve(SHAPES[mode], operand, stack, base, consts);
  return placeRead(p, span[0], span[1], span[2]);
}

/** StorePlace MODE P: `v` into the region. */
export function storePlace(p: Process, stack: unknown[], base: number, consts: readonly unknown[], mode: number, operand: number, v: unknown): void {
  resolve(SHAPES[mode], operand, stack, base, consts);
  placeWrite(p, span[0], span[1], span[2], v);
}
