// The methods on Kaylee's types — the whole standard library besides `vm.*` — as a registry
// of natives keyed `"type.method"` (`"string.trim"`, `"vector.push"`), and `convert`, the
// run-time half of `into()`.
//
// Calling convention (native-api.ts): `args[0]` is the receiver, then the method's arguments.
//   - Strings are immutable: transforming methods (`reverse`, `push`, ...) return the NEW
//     string and the compiler writes it back where the method is used as a statement.
//   - Vectors are JS arrays mutated in place.
//   - Strings are indexed and measured in Unicode code points, with a fast path for strings
//     that hold no surrogates (every code point is then one UTF-16 unit).
//   - A failing method throws a `Fault`; the native table turns it into the error value the
//     call returns, since every method that can fail is declared `fallible` (builtins.ts).
//   - Work proportional to data size is charged to the caller with `ctx.charge`.
//   - A method that builds a string (`repeat`, `replace`, `pad_*`, `join`) first works out how
//     long it would be: longer than the calling process may hold, it fails with "too_large"
//     and builds nothing.

import type { Type } from "../bytecode/types.js";
import { typeKey } from "../bytecode/types.js";
import { decimalToF32 } from "../bytecode/float-text.js";
import type { NativeCtx, NativeFn } from "./native-api.js";
import type { SysCtx } from "./vm-core.js";
import { deepCopy, deepCopyCounted, valuesEqual } from "./copy.js";
import { formatAny, formatFloat, formatValue, quoteString } from "./print.js";
import { Fault, fault, outOfRange, KError, ExitNotice, MAX_STRING_LENGTH } from "./values.js";
import { intoIsFallible } from "../lang/builtins.js";
import { HardExit } from "./heap.js";
import { chargeFor as chargeUnits, codePointLength, codePointsBefore, compareCodePoints, indexString, unitOffset } from "./strings.js";
import { C } from "./error-codes.js";

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** Charge one reduction per 16 units of work beyond the call itself. */
function chargeFor(ctx: NativeCtx, n: number): void {
  chargeUnits(ctx.charge, n);
}

// ---- strings -------------------------------------------------------------------------
// Indexed and measured by code point through the one code-point index (strings.ts).

function charString(c: number): string {
  if (!Number.isInteger(c) || c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
    throw fault(`invalid char value ${c}`, C.range);
  }
  return String.fromCodePoint(c);
}

/**
 * Is UTF-16 unit `c` white space, by Unicode's White_Space property (what Rust's `trim` takes
 * off: U+0085 is, U+FEFF is not; JavaScript's `trim` says the opposite for both)? Every such
 * character is in the Basic Multilingual Plane.
 */
function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** `trim()`: the string without white space at either end (a loop from each end: no regex backtracking). */
export function trimString(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isWhiteSpace(s.charCodeAt(i))) i++;
  while (j > i && isWhiteSpace(s.charCodeAt(j - 1))) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/** `clean()`: removes control characters (a typed line's `\r`, escapes, tabs), then trims. */
export function cleanString(s: string): string {
  return trimString(s.replace(/\p{Cc}/gu, ""));
}

/** Strings up to this long are split by hand (see split). */
const SHORT_SPLIT = 256;

function split(s: string, sep: string): string[] {
  if (sep === "") return Array.from(s);
  // A short line (a request, a record) split by a loop of indexOf: 2-3x faster in V8 than
  // String.prototype.split, which goes through the runtime. The same parts.
  if (s.length > SHORT_SPLIT) return s.split(sep);
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const k = s.indexOf(sep, from);
    if (k < 0) {
      out.push(from === 0 ? s : s.slice(from));
      return out;
    }
    out.push(s.slice(from, k));
    from = k + sep.length;
  }
}

const str = (args: unknown[], i = 0) => args[i] as string;
const num = (args: unknown[], i: number) => args[i] as number;

/** The longest string (UTF-16 units) a method may build for the calling process: what its heap
 *  limit can hold (2 bytes a unit, as Concat counts), and never past the host's string limit. */
function maxBuilt(ctx: NativeCtx): number {
  const vm = (ctx as Partial<SysCtx>).vm;
  return vm ? Math.min(MAX_STRING_LENGTH, vm.heapLimit / 2) : MAX_STRING_LENGTH;
}

/** Fails with "too_large" when a result of `units` would not fit (see maxBuilt); else charges its building. */
function building(ctx: NativeCtx, what: string, units: number): void {
  if (units > maxBuilt(ctx)) throw fault(`${what}: the result would be ${units} characters long, more than this process may hold (--max-heap)`, C.too_large);
  chargeFor(ctx, units);
}

/** A count or length argument that must not be negative ("range"). */
function count(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw fault(`${what}: ${n} is negative`, C.range);
  return n;
}

/** start..end (end exclusive) outside 0..=length, or backwards. */
function rangeOutOfRange(what: string, start: number, end: number, length: number): never {
  throw fault(`${what} out of range: ${start}..${end} but length ${length}`, C.index_out_of_range);
}

function substring(ctx: NativeCtx, s: string, start: number, end: number): string {
  const a = unitOffset(s, start, ctx.charge);
  const b = a < 0 || end < start ? -1 : unitOffset(s, end, ctx.charge);
  if (b < 0) rangeOutOfRange("substring", start, end, codePointLength(s, ctx.charge));
  chargeFor(ctx, b - a);
  return s.slice(a, b);
}

function stringIndexOf(ctx: NativeCtx, s: string, sub: string): number {
  chargeFor(ctx, s.length);
  const u = s.indexOf(sub);
  return u < 0 ? -1 : codePointsBefore(s, u, ctx.charge);
}

/** Every occurrence of `from` replaced; an empty `from` matches before every char and at the end (as Rust's `replace`). */
function replace(ctx: NativeCtx, s: string, from: string, to: string): string {
  chargeFor(ctx, s.length);
  const parts = from === "" ? ["", ...Array.from(s), ""] : s.split(from);
  const joints = parts.length - 1;
  building(ctx, "replace", s.length + joints * (to.length - from.length));
  return parts.join(to);
}

function repeat(ctx: NativeCtx, s: string, n: number): string {
  count("repeat", n);
  building(ctx, "repeat", s.length * n);
  return s.repeat(n);
}

function pad(ctx: NativeCtx, s: string, n: number, c: number, atStart: boolean): string {
  const want = count(atStart ? "pad_start" : "pad_end", n);
  const have = codePointLength(s, ctx.charge);
  if (want <= have) return s;
  const fill = charString(c);
  building(ctx, atStart ? "pad_start" : "pad_end", s.length + (want - have) * fill.length);
  const padding = fill.repeat(want - have);
  return atStart ? padding + s : s + padding;
}

/** Lines split at "\n" or "\r\n", as Rust's `lines()`: a final line end adds no empty line; a "\r" not before "\n" stays. */
function lines(ctx: NativeCtx, s: string): string[] {
  chargeFor(ctx, s.length);
  if (s === "") return [];
  const out = s.split("\n");
  const last = out.pop()!;
  for (let i = 0; i < out.length; i++) if (out[i].endsWith("\r")) out[i] = out[i].slice(0, -1);
  if (last !== "") out.push(last);
  return out;
}

/**
 * `s.push(c)`: takes a char (a code point) or a string (the checker's "push_str" rule). A
 * string longer than the process may hold ends it with heap_limit, as Concat does (`s = s + c`).
 * The second tier appends to a string local it keeps as a builder without calling it
 * (string-builder.ts), only where the program's `string.push` is this function.
 */
export const STRING_PUSH: NativeFn = (ctx, a) => {
  const r = str(a) + (typeof a[1] === "string" ? a[1] : charString(num(a, 1)));
  if (r.length > maxBuilt(ctx)) throw new HardExit(C.heap_limit);
  return r;
};

const STRING_METHODS: [string, NativeFn][] = [
  ["length", (ctx, a) => codePointLength(str(a), ctx.charge)],
  ["reverse", (ctx, a) => (chargeFor(ctx, str(a).length), Array.from(str(a)).reverse().join(""))],
  ["trim", (ctx, a) => (chargeFor(ctx, str(a).length), trimString(str(a)))],
  ["clean", (ctx, a) => (chargeFor(ctx, str(a).length), cleanString(str(a)))],
  ["upper", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).toUpperCase())],
  ["lower", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).toLowerCase())],
  ["contains", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).includes(str(a, 1)))],
  ["starts_with", (ctx, a) => (chargeFor(ctx, str(a, 1).length), str(a).startsWith(str(a, 1)))],
  ["ends_with", (ctx, a) => (chargeFor(ctx, str(a, 1).length), str(a).endsWith(str(a, 1)))],
  ["split", (ctx, a) => (chargeFor(ctx, str(a).length), split(str(a), str(a, 1)))],
  ["char_at", (ctx, a) => indexString(str(a), num(a, 1), ctx.charge)],
  ["index", (ctx, a) => indexString(str(a), num(a, 1), ctx.charge)],
  ["push", STRING_PUSH],
  ["substring", (ctx, a) => substring(ctx, str(a), num(a, 1), num(a, 2))],
  ["index_of", (ctx, a) => stringIndexOf(ctx, str(a), str(a, 1))],
  ["replace", (ctx, a) => replace(ctx, str(a), str(a, 1), str(a, 2))],
  ["repeat", (ctx, a) => repeat(ctx, str(a), num(a, 1))],
  ["pad_start", (ctx, a) => pad(ctx, str(a), num(a, 1), num(a, 2), true)],
  ["pad_end", (ctx, a) => pad(ctx, str(a), num(a, 1), num(a, 2), false)],
  ["lines", (ctx, a) => lines(ctx, str(a))],
];

// ---- vectors and arrays --------------------------------------------------------------

const vec = (args: unknown[]) => args[0] as unknown[];

function checkIndex(v: unknown[], i: number, allowEnd: boolean): void {
  const limit = allowEnd ? v.length : v.length - 1;
  if (!Number.isInteger(i) || i < 0 || i > limit) throw outOfRange(i, v.length);
}

function vectorPop(v: unknown[]): unknown {
  // A fault, not an error value: the checker types pop() as infallible (a handler catches it).
  if (v.length === 0) throw fault("pop from an empty vector", C.empty);
  return v.pop();
}

function vectorInsert(ctx: NativeCtx, v: unknown[], i: number, x: unknown): null {
  checkIndex(v, i, true);
  chargeFor(ctx, v.length - i);
  v.splice(i, 0, deepCopy(x));
  return null;
}

function vectorRemove(ctx: NativeCtx, v: unknown[], i: number): unknown {
  checkIndex(v, i, false);
  chargeFor(ctx, v.length - i);
  return v.splice(i, 1)[0];
}

/** The index of the first element equal to `x` (by content), or -1. */
function vectorIndexOf(ctx: NativeCtx, v: unknown[], x: unknown): number {
  const work = { n: v.length };
  let at = -1;
  for (let i = 0; i < v.length && at < 0; i++) if (valuesEqual(v[i], x, work)) at = i;
  chargeFor(ctx, work.n);
  return at;
}

function vectorSlice(ctx: NativeCtx, v: unknown[], start: number, end: number): unknown[] {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > v.length) rangeOutOfRange("slice", start, end, v.length);
  // A new vector: its elements are copies (value semantics), the copying charged.
  const work = { n: 0 };
  const out = deepCopyCounted(v.slice(start, end), work);
  chargeFor(ctx, work.n);
  return out;
}

function vectorJoin(ctx: NativeCtx, v: string[], sep: string): string {
  let units = v.length > 0 ? sep.length * (v.length - 1) : 0;
  for (let i = 0; i < v.length; i++) units += v[i].length;
  chargeFor(ctx, v.length);
  building(ctx, "join", units);
  return v.join(sep);
}

/** min() / max(): the first element that orders before (after) every other, as sort orders them (NaN last). */
function vectorExtreme(ctx: NativeCtx, v: number[], sign: 1 | -1): number {
  if (v.length === 0) throw fault(`${sign < 0 ? "min" : "max"}() of an empty vector`, C.empty);
  chargeFor(ctx, v.length);
  let best = v[0];
  for (let i = 1; i < v.length; i++) if (compareNumbers(v[i], best) * sign > 0) best = v[i];
  return best;
}

/** sum(): added left to right as `+` adds that type (integer and byte overflow fail with "overflow"; floats round to f32). */
function vectorSum(ctx: NativeCtx, v: number[]): number {
  chargeFor(ctx, v.length);
  const kind = elemType(ctx.argTypes?.[0])?.kind ?? "integer";
  let sum = 0;
  if (kind === "float") {
    for (let i = 0; i < v.length; i++) sum = Math.fround(sum + v[i]);
    return sum;
  }
  const [lo, hi] = kind === "byte" ? [0, 255] : [I32_MIN, I32_MAX];
  for (let i = 0; i < v.length; i++) {
    const next = sum + v[i];
    if (next < lo || next > hi) throw fault(`${kind} overflow: sum() passes ${kind === "byte" ? "255" : "the integer range"} at element ${i} (${sum} + ${v[i]})`, C.overflow);
    sum = next;
  }
  return sum;
}

function vectorSort(ctx: NativeCtx, v: unknown[]): null {
  chargeFor(ctx, v.length * Math.max(1, Math.ceil(Math.log2(v.length + 1))));
  sortValues(v, ctx.argTypes?.[0]);
  return null;
}

/**
 * Sorts in place (stable): numbers numerically (NaN last), strings by UTF-16 code units,
 * bools false < true, vectors/arrays/tuples lexicographically by those rules, anything else
 * (errors, exit notices) by its printed form.
 */
export function sortValues(v: unknown[], vecType?: Type): void {
  if (v.length < 2) return;
  const elem = elemType(vecType)?.kind;
  if (elem === "integer" || elem === "byte" || elem === "char") return sortInt32(v as number[]);
  const first = v[0];
  if (typeof first === "number") v.sort(compareNumbers as (a: unknown, b: unknown) => number);
  else if (typeof first === "string") v.sort(compareCodePoints as (a: unknown, b: unknown) => number);
  else v.sort((a, b) => compareValues(a, b, elemType(vecType)));
}

function elemType(t: Type | undefined): Type | undefined {
  return t && (t.kind === "vector" || t.kind === "array") ? t.elem : undefined;
}

/**
 * An integer, byte or char vector (every element an int32; a char is its code point): sorted as
 * an Int32Array, whose sort orders
 * numerically without calling a comparator — 3-4x faster than a comparator sort of the same
 * array (1M integers: about 85 ms against 300), and twice that when V8 keeps the array's
 * numbers as doubles. Equal integers cannot be told apart, so stability does not matter.
 */
function sortInt32(v: number[]): void {
  const a = Int32Array.from(v);
  a.sort();
  for (let i = 0; i < a.length; i++) v[i] = a[i];
}

function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** Kaylee's ordering of two values of one type (see `sortValues`). */
export function compareValues(a: unknown, b: unknown, t?: Type): number {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(a, b);
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return compareArrays(a, b, t);
  return compareCodePoints(t ? formatValue(a, t) : formatAny(a), t ? formatValue(b, t) : formatAny(b));
}

function compareArrays(a: unknown[], b: unknown[], t?: Type): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i], partType(t, i));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function partType(t: Type | undefined, i: number): Type | undefined {
  if (!t) return undefined;
  if (t.kind === "tuple") return t.elems[i];
  return elemType(t);
}

const VECTOR_METHODS: [string, NativeFn][] = [
  ["length", (_ctx, a) => vec(a).length],
  ["push", (_ctx, a) => (vec(a).push(deepCopy(a[1])), null)],
  ["pop", (_ctx, a) => vectorPop(vec(a))],
  ["insert", (ctx, a) => vectorInsert(ctx, vec(a), num(a, 1), a[2])],
  ["remove", (ctx, a) => vectorRemove(ctx, vec(a), num(a, 1))],
  ["clear", (_ctx, a) => ((vec(a).length = 0), null)],
  ["contains", (ctx, a) => vectorIndexOf(ctx, vec(a), a[1]) >= 0],
  ["reverse", (ctx, a) => (chargeFor(ctx, vec(a).length), vec(a).reverse(), null)],
  ["sort", (ctx, a) => vectorSort(ctx, vec(a))],
  ["index_of", (ctx, a) => vectorIndexOf(ctx, vec(a), a[1])],
  ["slice", (ctx, a) => vectorSlice(ctx, vec(a), num(a, 1), num(a, 2))],
  ["join", (ctx, a) => vectorJoin(ctx, vec(a) as string[], str(a, 1))],
  ["min", (ctx, a) => vectorExtreme(ctx, vec(a) as number[], -1)],
  ["max", (ctx, a) => vectorExtreme(ctx, vec(a) as number[], 1)],
  ["sum", (ctx, a) => vectorSum(ctx, vec(a) as number[])],
];

// ---- numbers, chars, notices, errors --------------------------------------------------

/** `abs()` of the minimum integer: the error value it returns (both tiers). */
export function absMinError(): KError {
  return new KError(`integer overflow: abs(${I32_MIN}) does not fit in an integer`, C.overflow);
}

function integerAbs(n: number): number | KError {
  return n === I32_MIN ? absMinError() : Math.abs(n);
}

/** Rounds half away from zero, as Rust's `f32::round`. */
function roundHalfAway(x: number): number {
  return Math.fround(x < 0 ? -Math.round(-x) : Math.round(x));
}

/** The most decimals `format` gives (as many as an exact f32 fraction may need is more; this bounds the text). */
export const MAX_FORMAT_DIGITS = 100;

/**
 * `x.format(digits)`: fixed-point text with exactly `digits` decimals, rounded half away from
 * zero on the f32's exact value (`12.5.format(2)` is "12.50", `2.5.format(0)` is "3",
 * `1.005.format(2)` is "1.00": 1.005 is 1.00499999... as an f32). The sign stays on a value that
 * rounds to zero (`(-0.001).format(2)` is "-0.00"); NaN and infinities print as the printer does.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_FORMAT_DIGITS) throw fault(`format: ${digits} decimals (it takes 0 to ${MAX_FORMAT_DIGITS})`, C.range);
  if (!Number.isFinite(x)) return formatFloat(x);
  const a = Math.abs(x);
  // toFixed is exact, ties away from zero, but writes 1e21 and above in exponent form; an f32
  // that large is a whole number, exact as a BigInt.
  const body = a < 1e21 ? a.toFixed(digits) : BigInt(a).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
  return x < 0 || Object.is(x, -0) ? "-" + body : body;
}

const ASCII_DIGIT = (c: number) => c >= 0x30 && c <= 0x39;
const ALPHABETIC = /^\p{Alphabetic}$/u;

const OTHER_METHODS: [string, NativeFn][] = [
  ["array.length", (_ctx, a) => vec(a).length],
  ["integer.abs", (_ctx, a) => integerAbs(num(a, 0))],
  ["byte.abs", (_ctx, a) => num(a, 0)], // a byte is never negative: the byte itself
  ["float.abs", (_ctx, a) => Math.fround(Math.abs(num(a, 0)))],
  ["float.floor", (_ctx, a) => Math.fround(Math.floor(num(a, 0)))],
  ["float.ceil", (_ctx, a) => Math.fround(Math.ceil(num(a, 0)))],
  ["float.round", (_ctx, a) => roundHalfAway(num(a, 0))],
  ["float.sqrt", (_ctx, a) => Math.fround(Math.sqrt(num(a, 0)))],
  ["float.format", (_ctx, a) => formatFixed(num(a, 0), num(a, 1))],
  ["char.is_digit", (_ctx, a) => ASCII_DIGIT(num(a, 0))],
  ["char.is_alpha", (_ctx, a) => ALPHABETIC.test(String.fromCodePoint(num(a, 0)))],
  ["exit.process", (_ctx, a) => (a[0] as ExitNotice).process],
  ["exit.reason", (_ctx, a) => (a[0] as ExitNotice).reason],
  ["error.message", (_ctx, a) => (a[0] as KError).message],
  ["error.code", (_ctx, a) => (a[0] as KError).code],
];

/** Every method, keyed `"type.method"`. */
export const METHODS: Map<string, NativeFn> = new Map([
  ...STRING_METHODS.map(([n, f]): [string, NativeFn] => [`string.${n}`, f]),
  ...VECTOR_METHODS.map(([n, f]): [string, NativeFn] => [`vector.${n}`, f]),
  ...OTHER_METHODS,
]);

// ---- into() ----------------------------------------------------------------------------

/**
 * The native `value.into`: the call passes (source type, target type) as its static types. A
 * conversion that can fail (parsing, narrowing: see intoIsFallible) returns its failure; any
 * other failure is one the checker should have refused, a fault. (The second tier converts an
 * integer to a string inline where the program's `value.into` is this function: jit.ts.)
 */
export const VALUE_INTO: NativeFn = (ctx, a) => into(a[0], ctx.argTypes![0], ctx.argTypes![1]);

/** A text in a message: quoted, and cut after 80 UTF-16 units — never inside a surrogate pair. */
function shown(s: string): string {
  if (s.length <= 80) return quoteString(s);
  const cut = s.charCodeAt(79) >= 0xd800 && s.charCodeAt(79) <= 0xdbff ? 79 : 80;
  return quoteString(s.slice(0, cut) + "...");
}

function parseFailure(s: string, what: string): KError {
  return new KError(`cannot parse ${shown(s)} as ${what}`, C.parse);
}

const INTEGER_TEXT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|([0-9]+))$/;

/** Parses decimal, `0x` or `0b` text with an optional sign into an i32, or null. */
export function parseInteger(s: string): number | null {
  // Up to nine decimal digits (always an i32) are read directly; anything else by the pattern.
  const len = s.length;
  if (len !== 0 && len <= 10) {
    let i = 0;
    let c = s.charCodeAt(0);
    const neg = c === 45; // "-"
    if (neg || c === 43) i = 1; // "+"
    if (i < len && len - i <= 9) {
      let v = 0;
      for (; i < len; i++) {
        c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
      }
      if (i === len) return neg ? 0 - v : v;
    }
  }
  const m = INTEGER_TEXT.exec(s);
  if (!m) return null;
  const [, sign, hexDigits, binDigits, decDigits] = m;
  const digits = hexDigits ?? binDigits ?? decDigits;
  if (digits.length > 40) return null;
  const prefix = hexDigits !== undefined ? "0x" : binDigits !== undefined ? "0b" : "";
  let n = BigInt(prefix + digits);
  if (sign === "-") n = -n;
  return n < BigInt(I32_MIN) || n > BigInt(I32_MAX) ? null : Number(n);
}

const FLOAT_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Parses float text (`3.14`, `-1e-3`, `inf`, `NaN`) rounded to f32, or null. */
export function parseFloat32(s: string): number | null {
  if (FLOAT_TEXT.test(s)) return decimalToF32(s);
  const m = FLOAT_SPECIAL.exec(s);
  if (!m) return null;
  if (m[2].toLowerCase() === "nan") return NaN;
  return m[1] === "-" ? -Infinity : Infinity;
}

function stringTo(s: string, to: Type): unknown {
  switch (to.kind) {
    case "integer": {
      const n = parseInteger(s);
      return n === null ? parseFailure(s, "integer") : n;
    }
    case "byte": {
      const n = parseInteger(s);
      return n === null || n < 0 || n > 255 ? parseFailure(s, "byte") : n;
    }
    case "float": {
      const f = parseFloat32(s);
      return f === null ? parseFailure(s, "float") : f;
    }
    case "char": {
      const cps = Array.from(s);
      return cps.length === 1 ? cps[0].codePointAt(0)! : parseFailure(s, "char");
    }
    case "bool":
      return s === "true" ? true : s === "false" ? false : parseFailure(s, "bool");
    default:
      return unsupported("string", to);
  }
}

function inRange(n: number, lo: number, hi: number, from: string, to: string): number | KError {
  if (n >= lo && n <= hi) return n;
  return new KError(`${from} does not fit in ${to}`, C.overflow);
}

function floatTo(x: number, to: Type): unknown {
  if (to.kind !== "integer" && to.kind !== "byte") return unsupported("float", to);
  const t = Math.trunc(x);
  if (Number.isNaN(t)) return new KError(`NaN does not fit in ${to.kind}`, C.overflow);
  const r = to.kind === "integer" ? inRange(t, I32_MIN, I32_MAX, formatFloat(x), "an integer") : inRange(t, 0, 255, formatFloat(x), "a byte");
  return typeof r === "number" ? r + 0 : r;
}

function isScalarValue(c: number): boolean {
  return c >= 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

function integerTo(n: number, to: Type): unknown {
  switch (to.kind) {
    case "float":
      return Math.fround(n);
    case "byte":
      return inRange(n, 0, 255, String(n), "a byte");
    case "char":
      return isScalarValue(n) ? n : new KError(`${n} is not a valid char`, C.range);
    default:
      return unsupported("integer", to);
  }
}

function charTo(c: number, to: Type): unknown {
  if (to.kind === "integer") return c;
  if (to.kind === "byte") return inRange(c, 0, 255, `char ${c}`, "a byte");
  return unsupported("char", to);
}

function byteTo(b: number, to: Type): unknown {
  if (to.kind === "integer" || to.kind === "char") return b;
  if (to.kind === "float") return b;
  return unsupported("byte", to);
}

function boolTo(b: boolean, to: Type): unknown {
  if (to.kind === "integer" || to.kind === "byte") return b ? 1 : 0;
  return unsupported("bool", to);
}

function unsupported(from: string, to: Type): never {
  throw fault(`cannot convert ${from} into ${typeKey(to)}`, C.bad_code);
}

/**
 * `into()`: converts `v` of static type `from` to `to`. A failure the program can expect
 * (bad text, a value out of the target's range) is a `KError` value; a conversion the checker
 * should have refused is a `Fault`.
 */
/**
 * `x.into()` (the native value.into, and the second tier inline): the conversion, whose
 * failure is the value returned where the conversion can fail (parsing, narrowing) and a
 * fault where the checker should have refused it.
 */
export function into(v: unknown, from: Type, to: Type): unknown {
  const r = convert(v, from, to);
  if (r instanceof KError && !intoIsFallible(from, to)) throw new Fault(r);
  return r;
}

export function convert(v: unknown, from: Type, to: Type): unknown {
  // Every value converts to string as the printer shows it (a known error too: `error("m", "c")`).
  if (to.kind === "string") return from.kind === "string" && typeof v === "string" ? v : formatValue(v, from);
  if (v instanceof KError) return v;
  if (from.kind === to.kind && typeKey(from) === typeKey(to)) return v;
  switch (from.kind) {
    case "string":
      return stringTo(v as string, to);
    case "integer":
      return integerTo(v as number, to);
    case "float":
      return floatTo(v as number, to);
    case "char":
      return charTo(v as number, to);
    case "byte":
      return byteTo(v as number, to);
    case "bool":
      return boolTo(v as boolean, to);
    default:
      return unsupported(typeKey(from), to);
  }
}
