// Operand places (seed 003): where `Copy DEST SRC` takes a value from and puts it, and what
// `Load`/`Store` read and write when the operand is a memory region. A place is written with
// the seed's operand marks:
//
//   #v        a constant (a source only)          $n        a local
//   &a        4 bytes of linear memory at a       &a..n     n bytes (1 to 4) at a
//   &$l       4 bytes at the address in $l        &$l..n    n bytes at the address in $l
//   >A B<     the region from A up to (not including) B, each bound a constant or a local:
//             >100 104<, >$0 $1<, >$0 104<
//
// The common pairs have instructions of their own (`Copy $0 #300` is CopyLocalConst, `Copy
// $0 &100` CopyLocalMem, ...). Every other pair is one generic instruction, `CopyPlaces MODE
// DEST SRC`, and a region operand of Load or Store is `LoadPlace MODE P` / `StorePlace MODE P`:
// MODE (one byte) names the places' shapes, and each place is one operand:
//
//   const: its pool index     local: its slot     mem: its address (the length is in the shape)
//   ind: the local's slot     region: bound A | bound B << 16, each a pool index (an integer
//                             constant) or a local slot, as the shape says
//
// A mode that a row of its own covers is refused, so each pair has exactly one encoding and
// disassembly reads back to the same bytes. Meaning: a memory place read as a value is a
// little-endian integer (4 bytes signed, fewer unsigned), and one written from a value takes
// its low bytes; between two memory places `Copy` is a byte copy (right when they overlap),
// of places of one length. What the verifier can see it checks (lengths, bounds, constant
// kinds); the rest is checked when the instruction runs, on the whole place before anything
// is written (vm/places.ts).

import type { Const } from "./module.js";

/** The most bytes a process's linear memory can ever hold (no address reaches past it). */
export const MAX_LINEAR_MEMORY = 64 * 1024 * 1024;

export type PlaceKind = "const" | "local" | "mem" | "ind" | "region";

export interface Shape {
  kind: PlaceKind;
  /** Bytes of a `mem` or `ind` place (1 to 4); 0 otherwise. */
  len: number;
  /** A region's bounds: is each a local (else a constant)? */
  aLocal: boolean;
  bLocal: boolean;
}

const shape = (kind: PlaceKind, len = 0, aLocal = false, bLocal = false): Shape => ({ kind, len, aLocal, bLocal });

/** Every shape, by its number in a mode. */
export const SHAPES: readonly Shape[] = [
  shape("const"),
  shape("local"),
  ...[1, 2, 3, 4].map((n) => shape("mem", n)),
  ...[1, 2, 3, 4].map((n) => shape("ind", n)),
  shape("region", 0, false, false),
  shape("region", 0, false, true),
  shape("region", 0, true, false),
  shape("region", 0, true, true),
];

export function isMemory(s: Shape): boolean {
  return s.kind === "mem" || s.kind === "ind" || s.kind === "region";
}

/** The mode of `CopyPlaces` for shapes `dst` and `src`. */
export function copyMode(dst: number, src: number): number {
  return dst * SHAPES.length + src;
}

/** The shapes (numbers) of a `CopyPlaces` mode, or null for a mode no pair has. */
export function copyShapes(mode: number): [number, number] | null {
  const dst = Math.floor(mode / SHAPES.length);
  const src = mode % SHAPES.length;
  return mode >= 0 && dst > 0 && dst < SHAPES.length ? [dst, src] : null;
}

/**
 * The row of its own that a pair of places has (so the generic `CopyPlaces` must not encode
 * it), or null. `I4 <- L` is the one the assembler can reach with a generic form
 * (`Copy &$0..4 $1` is `Copy &$0 $1`).
 */
export function ownCopyRow(dst: Shape, src: Shape): string | null {
  if (dst.kind === "local") {
    if (src.kind === "const") return "CopyLocalConst";
    if (src.kind === "local") return "CopyLocalLocal";
    if (src.kind === "mem") return src.len === 4 ? "CopyLocalMem" : "CopyLocalMemN";
    if (src.kind === "ind") return src.len === 4 ? "CopyLocalMemInd" : "CopyLocalMemIndN";
    return null;
  }
  if (src.kind !== "local") return null;
  if (dst.kind === "mem") return dst.len === 4 ? "CopyMemLocal" : "CopyMemNLocal";
  if (dst.kind === "ind" && dst.len === 4) return "CopyMemIndLocal";
  return null;
}

/** Does `LoadPlace`/`StorePlace` take this shape? (Only regions: the others have rows of their own.) */
export function isLoadStoreShape(s: Shape): boolean {
  return s.kind === "region";
}

/** A region operand's two bounds: pool indices or local slots (as the shape says). */
export function regionBounds(operand: number): [number, number] {
  return [operand & 0xffff, operand >>> 16];
}

export function packRegion(a: number, b: number): number {
  return (a | (b << 16)) >>> 0;
}

/** The shapes of the places of a CopyPlaces, LoadPlace or StorePlace with this mode (empty for a bad mode). */
export function placeShapes(name: string, mode: number): Shape[] {
  if (name === "CopyPlaces") return (copyShapes(mode) ?? []).map((i) => SHAPES[i]);
  return SHAPES[mode] ? [SHAPES[mode]] : [];
}

/**
 * A place operand with its pool indices moved up by `by` (two programs joined into one, as
 * the REPL does); null when a region bound would no longer fit its 16 bits.
 */
export function shiftPlaceConsts(s: Shape | undefined, operand: number, by: number): number | null {
  if (s === undefined) return operand;
  if (s.kind === "const") return operand + by;
  if (s.kind !== "region") return operand;
  const [a, b] = regionBounds(operand);
  const na = s.aLocal ? a : a + by;
  const nb = s.bLocal ? b : b + by;
  return na > 0xffff || nb > 0xffff ? null : packRegion(na, nb);
}

// ── text ──────────────────────────────────────────────────────────────────────────────

/** A region bound as written: a local or an integer. */
export type Bound = { local: true; n: number } | { local: false; value: number };

/** A place as written in assembly, before its constants are pooled. */
export type WrittenPlace =
  | { kind: "const"; text: string }
  | { kind: "local"; n: number }
  | { kind: "mem"; addr: number; len: number }
  | { kind: "ind"; n: number; len: number }
  | { kind: "region"; a: Bound; b: Bound };

/** Reads a place; a string says what is wrong with the text. */
export function parsePlace(text: string): WrittenPlace | string {
  if (text.startsWith("#")) return { kind: "const", text: text.slice(1) };
  let m = /^\$(\d+)$/.exec(text);
  if (m) return Number(m[1]) <= 0xffff ? { kind: "local", n: Number(m[1]) } : "local out of range";
  m = /^&(\$?)(\d+)(?:\.\.(\d+))?$/.exec(text);
  if (m) {
    const v = Number(m[2]);
    const len = m[3] === undefined ? 4 : Number(m[3]);
    if (len < 1 || len > 4) return "a memory operand is 1 to 4 bytes (&a..n)";
    if (m[1]) return v <= 0xffff ? { kind: "ind", n: v, len } : "local out of range";
    return v + len <= MAX_LINEAR_MEMORY ? { kind: "mem", addr: v, len } : `address out of range (linear memory is at most ${MAX_LINEAR_MEMORY} bytes)`;
  }
  m = /^>\s*(\S+)\s+(\S+)\s*<$/.exec(text);
  if (m) {
    const a = parseBound(m[1]);
    const b = parseBound(m[2]);
    if (typeof a === "string") return a;
    if (typeof b === "string") return b;
    if (!a.local && !b.local && b.value < a.value) return `the region >${a.value} ${b.value}< ends before it starts`;
    return { kind: "region", a, b };
  }
  if (text.startsWith(">")) return "a region is written >A B< (A and B constants or locals)";
  return "expected a place: #const, $local, &addr, &addr..n, &$local, &$local..n or >A B<";
}

function parseBound(t: string): Bound | string {
  const m = /^\$(\d+)$/.exec(t);
  if (m) return Number(m[1]) <= 0xffff ? { local: true, n: Number(m[1]) } : "local out of range";
  const n = /^#?(0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/.exec(t);
  const v = n ? Number(n[1].replace(/_/g, "")) : NaN;
  if (!(v >= 0 && v <= MAX_LINEAR_MEMORY)) return `a region bound is an address (0 to ${MAX_LINEAR_MEMORY}) or a local, not ${t}`;
  return { local: false, value: v };
}

/** The shape number of a written place. */
export function shapeOfWritten(w: WrittenPlace): number {
  switch (w.kind) {
    case "const":
      return 0;
    case "local":
      return 1;
    case "mem":
      return 1 + w.len;
    case "ind":
      return 5 + w.len;
    case "region":
      return 10 + (w.a.local ? 2 : 0) + (w.b.local ? 1 : 0);
  }
}

/** A place as assembly writes it (the disassembler); `consts` resolves pool indices. */
export function formatPlace(s: Shape, operand: number, consts: readonly Const[], constText: (c: Const | undefined) => string): string {
  switch (s.kind) {
    case "const":
      return "#" + constText(consts[operand]);
    case "local":
      return `$${operand}`;
    case "mem":
      return s.len === 4 ? `&${operand}` : `&${operand}..${s.len}`;
    case "ind":
      return s.len === 4 ? `&$${operand}` : `&$${operand}..${s.len}`;
    case "region": {
      const [a, b] = regionBounds(operand);
      const bound = (local: boolean, v: number) => (local ? `$${v}` : constText(consts[v]));
      return `>${bound(s.aLocal, a)} ${bound(s.bLocal, b)}<`;
    }
  }
}

// ── static checks (the verifier) ───────────────────────────────────────────────────────

/** What the verifier knows of a module and function to check a place against. */
export interface PlaceContext {
  consts: readonly Const[];
  locals: number;
}

/**
 * Checks one encoded place; returns why it is bad, or null. `asMemoryValue`: the place is a
 * source whose value goes into memory (so a constant must be an integer).
 */
export function checkPlace(s: Shape, operand: number, ctx: PlaceContext, asMemoryValue: boolean): string | null {
  const local = (n: number) => (n < ctx.locals ? null : `local $${n} out of range (the function has ${ctx.locals})`);
  switch (s.kind) {
    case "const": {
      const c = ctx.consts[operand];
      if (!c) return `constant #${operand} does not exist`;
      if (c.tag === "type" || c.tag === "native") return `constant #${operand} is a ${c.tag}, not a value`;
      if (asMemoryValue && c.tag !== "int") return `constant #${operand} is not an integer (memory holds integers)`;
      return null;
    }
    case "local":
    case "ind":
      return local(operand);
    case "mem":
      return operand + s.len <= MAX_LINEAR_MEMORY ? null : `${s.len} bytes at address ${operand} are past the largest linear memory (${MAX_LINEAR_MEMORY} bytes)`;
    case "region": {
      const [a, b] = regionBounds(operand);
      for (const [isLocal, v] of [[s.aLocal, a], [s.bLocal, b]] as const) {
        if (isLocal) {
          const why = local(v);
          if (why) return why;
        } else {
          const c = ctx.consts[v];
          if (c?.tag !== "int") return `region bound #${v} is not an integer constant`;
          if (c.value < 0 || c.value > MAX_LINEAR_MEMORY) return `region bound ${c.value} is not an address (0 to ${MAX_LINEAR_MEMORY})`;
        }
      }
      const n = staticLength(s, operand, ctx.consts);
      if (n < -1) return "the region ends before it starts";
      return null;
    }
  }
}

/**
 * The length in bytes of a memory place when it is known before it runs: a `mem` or `ind`
 * place's, or a region's with constant bounds (negative, below -1, if it ends before it
 * starts); -1 when only the run knows it, or the place is not memory.
 */
export function staticLength(s: Shape, operand: number, consts: readonly Const[]): number {
  if (s.kind === "mem" || s.kind === "ind") return s.len;
  if (s.kind !== "region" || s.aLocal || s.bLocal) return -1;
  const [a, b] = regionBounds(operand);
  const ca = consts[a];
  const cb = consts[b];
  if (ca?.tag !== "int" || cb?.tag !== "int") return -1;
  const n = cb.value - ca.value;
  return n < 0 ? n - 1 : n;
}

/** Checks what two places of a `CopyPlaces` say together (lengths that must agree). */
export function checkPair(dst: Shape, dOperand: number, src: Shape, sOperand: number, consts: readonly Const[]): string | null {
  const dn = staticLength(dst, dOperand, consts);
  const sn = staticLength(src, sOperand, consts);
  if (isMemory(dst) && isMemory(src)) {
    return dn >= 0 && sn >= 0 && dn !== sn ? `the places hold ${sn} and ${dn} bytes (a copy between memory places needs one length)` : null;
  }
  const n = isMemory(dst) ? dn : isMemory(src) ? sn : -1;
  return n === 0 || n > 4 ? `a region of ${n} bytes holds no value (a value takes 1 to 4 bytes)` : null;
}

/** Checks a `LoadPlace`/`StorePlace` region. */
export function checkValuePlace(s: Shape, operand: number, consts: readonly Const[]): string | null {
  const n = staticLength(s, operand, consts);
  return n === 0 || n > 4 ? `a region of ${n} bytes holds no value (a value takes 1 to 4 bytes)` : null;
}

/** Checks the mode and places of a CopyPlaces, LoadPlace or StorePlace; returns why it is bad, or null. */
export function checkPlaceOperands(name: string, ops: readonly number[], ctx: PlaceContext): string | null {
  if (name === "CopyPlaces") {
    const pair = copyShapes(ops[0]);
    if (pair === null) return `mode ${ops[0]} names no pair of places`;
    const [d, s] = pair.map((i) => SHAPES[i]);
    const own = ownCopyRow(d, s);
    if (own !== null) return `mode ${ops[0]} is a pair of places with an instruction of its own (${own})`;
    return checkPlace(d, ops[1], ctx, false) ?? checkPlace(s, ops[2], ctx, isMemory(d)) ?? checkPair(d, ops[1], s, ops[2], ctx.consts);
  }
  const s = SHAPES[ops[0]];
  if (s === undefined || !isLoadStoreShape(s)) return `mode ${ops[0]} is not a region >A B<`;
  return checkPlace(s, ops[1], ctx, false) ?? checkValuePlace(s, ops[1], ctx.consts);
}
