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
//   - Fallible methods return a `KError` value (`vector.pop` on empty: code "empty");
//     operation errors (index out of range, overflow) throw a `Fault`.
//   - Work proportional to data size is charged to the caller with `ctx.charge`.

import type { Type } from "../bytecode/types.js";
import { typeKey } from "../bytecode/types.js";
import type { NativeCtx, NativeFn } from "./native-api.js";
import { deepCopy, valuesEqual } from "./copy.js";
import { formatAny, formatFloat, formatValue, quoteString } from "./print.js";
import { fault, outOfRange, KError, ExitNotice } from "./values.js";
import { chargeFor as chargeUnits, codePointLength, indexString } from "./strings.js";
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

/** `clean()`: removes control characters (a typed line's `\r`, escapes, tabs), then trims. */
export function cleanString(s: string): string {
  return s.replace(/\p{Cc}/gu, "").trim();
}

function split(s: string, sep: string): string[] {
  return sep === "" ? Array.from(s) : s.split(sep);
}

const str = (args: unknown[], i = 0) => args[i] as string;
const num = (args: unknown[], i: number) => args[i] as number;

const STRING_METHODS: [string, NativeFn][] = [
  ["length", (ctx, a) => codePointLength(str(a), ctx.charge)],
  ["reverse", (ctx, a) => (chargeFor(ctx, str(a).length), Array.from(str(a)).reverse().join(""))],
  ["trim", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).trim())],
  ["clean", (ctx, a) => (chargeFor(ctx, str(a).length), cleanString(str(a)))],
  ["upper", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).toUpperCase())],
  ["lower", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).toLowerCase())],
  ["contains", (ctx, a) => (chargeFor(ctx, str(a).length), str(a).includes(str(a, 1)))],
  ["starts_with", (ctx, a) => (chargeFor(ctx, str(a, 1).length), str(a).startsWith(str(a, 1)))],
  ["ends_with", (ctx, a) => (chargeFor(ctx, str(a, 1).length), str(a).endsWith(str(a, 1)))],
  ["split", (ctx, a) => (chargeFor(ctx, str(a).length), split(str(a), str(a, 1)))],
  ["char_at", (ctx, a) => indexString(str(a), num(a, 1), ctx.charge)],
  ["index", (ctx, a) => indexString(str(a), num(a, 1), ctx.charge)],
  // push takes a char (a code point) or a string (the checker's "push_str" rule).
  ["push", (_ctx, a) => str(a) + (typeof a[1] === "string" ? a[1] : charString(num(a, 1)))],
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

function vectorContains(ctx: NativeCtx, v: unknown[], x: unknown): boolean {
  const work = { n: v.length };
  let found = false;
  for (let i = 0; i < v.length && !found; i++) found = valuesEqual(v[i], x, work);
  chargeFor(ctx, work.n);
  return found;
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
  const first = v[0];
  if (typeof first === "number") v.sort(compareNumbers as (a: unknown, b: unknown) => number);
  else if (typeof first === "string") v.sort(compareStrings as (a: unknown, b: unknown) => number);
  else v.sort((a, b) => compareValues(a, b, elemType(vecType)));
}

function elemType(t: Type | undefined): Type | undefined {
  return t && (t.kind === "vector" || t.kind === "array") ? t.elem : undefined;
}

function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kaylee's ordering of two values of one type (see `sortValues`). */
export function compareValues(a: unknown, b: unknown, t?: Type): number {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(a, b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return compareArrays(a, b, t);
  return compareStrings(t ? formatValue(a, t) : formatAny(a), t ? formatValue(b, t) : formatAny(b));
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
  ["contains", (ctx, a) => vectorContains(ctx, vec(a), a[1])],
  ["reverse", (ctx, a) => (chargeFor(ctx, vec(a).length), vec(a).reverse(), null)],
  ["sort", (ctx, a) => vectorSort(ctx, vec(a))],
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

/** Shows user text in an error message: quoted, and cut short when long. */
function shown(s: string): string {
  return quoteString(s.length > 80 ? s.slice(0, 80) + "..." : s);
}

function parseFailure(s: string, what: string): KError {
  return new KError(`cannot parse ${shown(s)} as ${what}`, C.parse);
}

const INTEGER_TEXT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|([0-9]+))$/;

/** Parses decimal, `0x` or `0b` text with an optional sign into an i32, or null. */
export function parseInteger(s: string): number | null {
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
  if (FLOAT_TEXT.test(s)) return Math.fround(Number(s));
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
export function convert(v: unknown, from: Type, to: Type): unknown {
  if (v instanceof KError) return v;
  if (from.kind === to.kind && typeKey(from) === typeKey(to)) return v;
  if (to.kind === "string") return formatValue(v, from);
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
