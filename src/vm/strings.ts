// Kaylee strings by Unicode scalar value: the one code-point index behind `s[i]` (both tiers),
// `length()`, `char_at()`, `substring()`, `index_of()`, `pad_*()` and for-in write-back over a
// string.
//
// JS strings are UTF-16: a string with no surrogates has code point i at unit i, and one with
// astral characters does not. For a long string the index is built once, in one pass whose
// cost is charged to the caller in proportion to the string's length, and kept in a small
// cache keyed by the string itself (a Map: the string's hash is computed once and then stored
// in it, so a lookup is O(1)): for a string with surrogates, the UTF-16 offset of every
// STRIDE-th code point, so that reaching code point i walks at most STRIDE - 1 more. Several
// strings stay indexed at once, so a loop alternating between two long strings does not
// rebuild either. Short strings are walked directly.
//
// The cache is per VM, so that what one run indexed is neither free for another run nor kept
// alive after the VM is gone: it hangs on the VM's charge function (`vm.chargeWork`, which is
// also its natives' `ctx.charge`), the one handle every caller already passes. (No one-entry
// front cache compared with `===`: two long strings of one length would compare in O(n).)
//
// A long string that the second tier's string builder made (string-builder.ts) is a chain of
// big flat pieces, none holding a surrogate; the builder says so (`knowPieces`), and the
// index of such a string is made from what it said instead of a scan, and reads its chars
// from the pieces, so the string is never copied flat for a read (a fresh copy of a string of
// megabytes costs more than building it did). What the index costs in reductions and how the
// cache keeps it are the same either way: the tiers count the same reductions.

import { C } from "./error-codes.js";
import { KError, fault, outOfRange, usedError } from "./values.js";

/** Code points between two recorded offsets. */
const STRIDE = 64;
/** Strings at most this long (in UTF-16 units) are walked directly, never cached. */
const SHORT = 64;
/** Indexed strings kept at once (the oldest goes first). */
const CAPACITY = 8;
/**
 * Strings at least this long that a builder made are told about (knowPieces; the last few are
 * kept); a shorter one is scanned when a builder starts on it (piecesOf).
 */
export const PIECES_MIN = 4096;
const PIECES_KEPT = 8;

const SURROGATE = /[\ud800-\udfff]/;

interface CodePointIndex {
  /** Length in code points. */
  length: number;
  /** UTF-16 offset of code point k * STRIDE; null when the string has no surrogates. */
  marks: Uint32Array | null;
  /** The flat pieces the string is made of (a builder's), for reading its units; or null. */
  pieces: Pieces | null;
}

/** A string as the flat pieces it was joined from, none holding a surrogate. */
interface Pieces {
  parts: string[];
  /** Where each part ends in the string (UTF-16 units). */
  ends: Float64Array;
  /** The part read last (reads in order find theirs at once). */
  at: number;
}


/** Charges reductions for work that grows with the data (`vm.chargeWork`, `ctx.charge`). */
export type Charge = ((units: number) => void) & { codePoints?: Map<string, CodePointIndex>; pieces?: Map<string, Pieces> };

/** One reduction per 16 units of work (the rate of the standard library's methods). */
export function chargeFor(charge: Charge, n: number): void {
  if (n >= 16) charge(n >>> 4);
}

/** Units taken by the code point starting at unit `u` (a surrogate pair is 2). */
function unitsAt(s: string, u: number): number {
  const c = s.charCodeAt(u);
  if (c >= 0xd800 && c <= 0xdbff && u + 1 < s.length) {
    const d = s.charCodeAt(u + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

function build(s: string, pieces: Pieces | undefined): CodePointIndex {
  if (pieces !== undefined) return { length: s.length, marks: null, pieces };
  if (!SURROGATE.test(s)) return { length: s.length, marks: null, pieces: null };
  const marks: number[] = [];
  let n = 0;
  for (let u = 0; u < s.length; n++) {
    if (n % STRIDE === 0) marks.push(u);
    u += unitsAt(s, u);
  }
  return { length: n, marks: Uint32Array.from(marks), pieces: null };
}

/**
 * A builder joined `s` from `parts`, flat strings without a surrogate (string-builder.ts): an
 * index of `s` will be made from them, and read through them.
 */
export function knowPieces(charge: Charge, s: string, parts: string[]): void {
  const known = (charge.pieces ??= new Map());
  const ends = new Float64Array(parts.length);
  let end = 0;
  for (let i = 0; i < parts.length; i++) ends[i] = end += parts[i].length;
  if (end !== s.length) return;
  if (known.size >= PIECES_KEPT) known.delete(known.keys().next().value!);
  known.set(s, { parts, ends, at: 0 });
}

/**
 * The flat pieces without a surrogate that `s` can be read as, for a builder starting on it:
 * none for "", itself for a short string without surrogates, what a builder said of a long
 * one (knowPieces); null when that is not known (the builder then says nothing of what it makes).
 */
export function piecesOf(charge: Charge, s: string): string[] | null {
  if (s === "") return [];
  if (s.length < PIECES_MIN) return SURROGATE.test(s) ? null : [s];
  const known = charge.pieces?.get(s);
  return known === undefined ? null : known.parts.slice();
}

/** Unit `i` (in range) of a string made of `p`. */
function unitOf(p: Pieces, i: number): number {
  const ends = p.ends;
  let k = p.at;
  if (!(i < ends[k] && (k === 0 || i >= ends[k - 1]))) {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    p.at = k = lo;
  }
  return p.parts[k].charCodeAt(k === 0 ? i : i - ends[k - 1]);
}

function indexOf(s: string, charge: Charge): CodePointIndex {
  const cache = (charge.codePoints ??= new Map());
  let ix = cache.get(s);
  if (ix !== undefined) return ix;
  chargeFor(charge, s.length);
  ix = build(s, charge.pieces?.get(s));
  if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value!);
  cache.set(s, ix);
  return ix;
}

/**
 * The order of two strings: -1, 0 or 1, by code points (Rust's order for `str`, and the order
 * of their chars). JavaScript's `<` compares UTF-16 units, which puts a character past
 * U+FFFF (a surrogate pair, units D800-DFFF) before U+E000-U+FFFF; at the first unit that
 * differs, surrogates are moved above that range. Work: the common prefix.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Length in code points. */
export function codePointLength(s: string, charge: Charge): number {
  if (s.length <= SHORT) return SURROGATE.test(s) ? build(s, undefined).length : s.length;
  return indexOf(s, charge).length;
}

/** The code point at code-point index `i`, or -1 when `i` is not an index of `s`. */
export function codePointAtIndex(s: string, i: number, charge: Charge): number {
  if (!Number.isInteger(i) || i < 0) return -1;
  let u: number;
  let n: number;
  if (s.length <= SHORT) {
    if (!SURROGATE.test(s)) return i < s.length ? s.charCodeAt(i) : -1;
    u = 0;
    n = 0;
  } else {
    const ix = indexOf(s, charge);
    if (i >= ix.length) return -1;
    if (ix.marks === null) return ix.pieces === null ? s.charCodeAt(i) : unitOf(ix.pieces, i);
    u = ix.marks[(i / STRIDE) | 0];
    n = i - (i % STRIDE);
  }
  for (; n < i && u < s.length; n++) u += unitsAt(s, u);
  return u < s.length ? s.codePointAt(u)! : -1;
}

/**
 * The UTF-16 offset where code point `i` starts (`s.length` when `i` is the length), or -1
 * when `i` is not in 0..=length: where `substring` and `pad_*` cut.
 */
export function unitOffset(s: string, i: number, charge: Charge): number {
  if (!Number.isInteger(i) || i < 0) return -1;
  let u: number;
  let n: number;
  if (s.length <= SHORT) {
    if (!SURROGATE.test(s)) return i <= s.length ? i : -1;
    u = 0;
    n = 0;
  } else {
    const ix = indexOf(s, charge);
    if (i > ix.length) return -1;
    if (ix.marks === null) return i;
    if (i === ix.length) return s.length;
    u = ix.marks[(i / STRIDE) | 0];
    n = i - (i % STRIDE);
  }
  for (; n < i && u < s.length; n++) u += unitsAt(s, u);
  return n === i ? u : -1;
}

/** How many code points the first `u` UTF-16 units of `s` hold (`u` at a code point's start). */
export function codePointsBefore(s: string, u: number, charge: Charge): number {
  let n = 0;
  let at = 0;
  if (s.length > SHORT) {
    const ix = indexOf(s, charge);
    if (ix.marks === null) return u;
    // Start from the last recorded offset at or before u.
    let lo = 0;
    let hi = ix.marks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ix.marks[mid] <= u) lo = mid;
      else hi = mid - 1;
    }
    n = lo * STRIDE;
    at = ix.marks[lo];
  }
  for (; at < u; n++) at += unitsAt(s, at);
  return n;
}

/** `s[i]`: the code point, or the fault of an index out of range (or of a misused operand). */
export function indexString(s: string, i: number, charge: Charge): number {
  if (typeof s === "string" && s.length > SHORT && (i | 0) === i) {
    // The hot case (a loop over a long string), without the general path's calls.
    const ix = (charge.codePoints ??= new Map()).get(s);
    if (ix !== undefined && ix.marks === null && i >= 0 && i < ix.length) return ix.pieces === null ? s.charCodeAt(i) : unitOf(ix.pieces, i);
  }
  if (typeof s !== "string") {
    if ((s as unknown) instanceof KError) throw usedError(s as unknown as KError);
    throw fault("invalid operand for string indexing", C.bad_code);
  }
  const c = codePointAtIndex(s, i, charge);
  if (c < 0) throw outOfRange(i, codePointLength(s, charge));
  return c;
}

/** `s` with the code point at index `i` replaced by `c` (for-in write-back over a string). */
export function withCodePoint(s: string, i: number, c: number, charge: Charge): string {
  if (codePointAtIndex(s, i, charge) < 0) throw outOfRange(i, codePointLength(s, charge));
  chargeFor(charge, s.length);
  let u = 0;
  for (let n = 0; n < i; n++) u += unitsAt(s, u);
  return s.slice(0, u) + String.fromCodePoint(c) + s.slice(u + unitsAt(s, u));
}
