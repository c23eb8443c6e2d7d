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

import { C } from "./error-codes.js";
import { KError, fault, outOfRange, usedError } from "./values.js";

/** Code points between two recorded offsets. */
const STRIDE = 64;
/** Strings at most this long (in UTF-16 units) are walked directly, never cached. */
const SHORT = 64;
/** Indexed strings kept at once (the oldest goes first). */
const CAPACITY = 8;

const SURROGATE = /[\ud800-\udfff]/;

interface CodePointIndex {
  /** Length in code points. */
  length: number;
  /** UTF-16 offset of code point k * STRIDE; null when the string has no surrogates. */
  marks: Uint32Array | null;
}


/** Charges reductions for work that grows with the data (`vm.chargeWork`, `ctx.charge`). */
export type Charge = ((units: number) => void) & { codePoints?: Map<string, CodePointIndex> };

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

function build(s: string): CodePointIndex {
  if (!SURROGATE.test(s)) return { length: s.length, marks: null };
  const marks: number[] = [];
  let n = 0;
  for (let u = 0; u < s.length; n++) {
    if (n % STRIDE === 0) marks.push(u);
    u += unitsAt(s, u);
  }
  return { length: n, marks: Uint32Array.from(marks) };
}

function indexOf(s: string, charge: Charge): CodePointIndex {
  const cache = (charge.codePoints ??= new Map());
  let ix = cache.get(s);
  if (ix !== undefined) return ix;
  chargeFor(charge, s.length);
  ix = build(s);
  if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value!);
  cache.set(s, ix);
  return ix;
}

/** Length in code points. */
export function codePointLength(s: string, charge: Charge): number {
  if (s.length <= SHORT) return SURROGATE.test(s) ? build(s).length : s.length;
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
    if (ix.marks === null) return s.charCodeAt(i);
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
    if (ix !== undefined && ix.marks === null && i >= 0 && i < ix.length) return s.charCodeAt(i);
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
