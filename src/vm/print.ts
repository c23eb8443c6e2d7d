// The one value printer: how `vm.print`, `into()` to string, panics and the REPL show a
// Kaylee value. Values carry no tags (docs/architecture.md), so printing is driven by the
// static `Type` the compiler passes along.
//
// At top level strings print raw and chars as the character; inside collections, tuples and
// notices strings and chars are quoted with Kaylee's escapes (`["a", "b"]`, `['x']`).
//
// Floats (f32) print as the SHORTEST decimal that reads back to the same f32, always with a
// `.` or an exponent mantissa with a `.`:
//   - positional when 1e-5 <= |x| < 1e16:  `0.1`, `3.0`, `100.0`, `0.001`, `-0.0`
//   - otherwise scientific, mantissa with at least one fractional digit and a bare exponent:
//     `1.0e20`, `1.5e-7`, `3.4028235e38`
//   - `NaN`, `inf`, `-inf`.
// Every form except the last three reads back with `parseFloat` (and Kaylee's lexer).

import type { Type } from "../bytecode/types.js";
import { ExitNotice, KError } from "./values.js";

/** Prints `v` as `vm.print` shows a value of static type `t`. */
export function formatValue(v: unknown, t: Type): string {
  return format(v, t, false);
}

/** Prints `v` as it appears inside a collection: strings and chars quoted. */
export function formatNested(v: unknown, t: Type): string {
  return format(v, t, true);
}

function format(v: unknown, t: Type, nested: boolean): string {
  if (v instanceof KError) return formatError(v);
  switch (t.kind) {
    case "null":
      return v === null ? "null" : formatAny(v, nested);
    case "integer":
    case "byte":
      return typeof v === "number" ? String(v) : formatAny(v, nested);
    case "float":
      return typeof v === "number" ? formatFloat(v) : formatAny(v, nested);
    case "char":
      return typeof v === "number" ? formatChar(v, nested) : formatAny(v, nested);
    case "bool":
      return typeof v === "boolean" ? String(v) : formatAny(v, nested);
    case "string":
      return typeof v === "string" ? (nested ? quoteString(v) : v) : formatAny(v, nested);
    case "process":
      return typeof v === "number" ? formatPid(v) : formatAny(v, nested);
    case "exit":
      return v instanceof ExitNotice ? formatExit(v) : formatAny(v, nested);
    case "vector":
    case "array":
    case "slice":
      return isList(v) ? formatList(v, t.elem) : formatAny(v, nested);
    case "tuple":
      return Array.isArray(v) ? formatTuple(v, t.elems) : formatAny(v, nested);
    case "fn":
      return "<fn>";
    default:
      return formatAny(v, nested);
  }
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function formatList(v: ArrayLike<unknown>, elem: Type): string {
  const parts: string[] = [];
  for (let i = 0; i < v.length; i++) parts.push(format(v[i], elem, true));
  return `[${parts.join(", ")}]`;
}

function formatTuple(v: unknown[], elems: Type[]): string {
  const parts = v.map((x, i) => (i < elems.length ? format(x, elems[i], true) : formatAny(x, true)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

export function formatPid(pid: number): string {
  return `<0.${pid}>`;
}

function formatExit(e: ExitNotice): string {
  return `exit(${formatPid(e.process)}, ${quoteString(e.reason)})`;
}

function formatError(e: KError): string {
  return `error(${quoteString(e.message)}, ${quoteString(e.code)})`;
}

function formatChar(c: number, nested: boolean): string {
  if (!isScalar(c)) return nested ? `'\\u{${hex(c)}}'` : "\uFFFD";
  const s = String.fromCodePoint(c);
  return nested ? `'${escapeText(s, "'")}'` : s;
}

function isScalar(c: number): boolean {
  return Number.isInteger(c) && c >= 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

function hex(n: number): string {
  return Number.isInteger(n) && n >= 0 ? n.toString(16).toUpperCase() : "?";
}

/** A string as a Kaylee literal: `"a\n\"b\""`. */
export function quoteString(s: string): string {
  return `"${escapeText(s, '"')}"`;
}

const NEEDS_ESCAPE = /[\\"'\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

function escapeText(s: string, quote: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = "";
  for (const ch of s) out += escapeChar(ch, quote);
  return out;
}

function escapeChar(ch: string, quote: string): string {
  switch (ch) {
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\t":
      return "\\t";
    case "\r":
      return "\\r";
    case quote:
      return "\\" + quote;
  }
  const c = ch.codePointAt(0)!;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return `\\u{${hex(c)}}`;
  return ch;
}

/**
 * A value whose runtime shape does not match its static type (only a bad module can make
 * one): printed by its JS shape so that printing never throws.
 */
export function formatAny(v: unknown, nested = false): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return nested ? quoteString(v) : v;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof KError) return formatError(v);
  if (v instanceof ExitNotice) return formatExit(v);
  if (isList(v)) return `[${Array.from(v, (x) => formatAny(x, true)).join(", ")}]`;
  return formatObject(v);
}

function formatObject(v: unknown): string {
  const o = v as { toString?: unknown };
  if (typeof o.toString === "function" && o.toString !== Object.prototype.toString) {
    try {
      return String(o);
    } catch {
      // fall through
    }
  }
  return "<value>";
}

// ---- floats ----------------------------------------------------------------------------

/** The shortest decimal that reads back to the same f32 (see the header for the forms). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const f = Math.fround(x);
  const sign = f < 0 ? "-" : "";
  const { digits, exp } = shortestDigits(Math.abs(f));
  const body = exp >= -5 && exp < 16 ? positional(digits, exp) : scientific(digits, exp);
  return sign + body;
}

interface Decimal {
  /** Significant digits without leading zeros. */
  digits: string;
  /** Decimal exponent of the first digit: value = d.ddd × 10^exp. */
  exp: number;
}

/** Shortest digit string for a positive finite f32 `x` (at most 9 digits suffice). */
function shortestDigits(x: number): Decimal {
  for (let p = 1; p <= 9; p++) {
    const d = nearestWithDigits(x, p);
    if (Math.fround(toNumber(d)) === x) return normalize(d.digits, d.exp);
    // At a power of two the round-trip interval is lopsided: a neighbour may read back
    // although the nearest p-digit decimal does not.
    const best = bestNeighbour(x, d);
    if (best) return normalize(best.digits, best.exp);
  }
  const d = nearestWithDigits(x, 9);
  return normalize(d.digits, d.exp);
}

/** The nearest decimal with exactly `p` significant digits (trailing zeros kept). */
function nearestWithDigits(x: number, p: number): Decimal {
  const [mant, e] = x.toExponential(p - 1).split("e");
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

function bestNeighbour(x: number, d: Decimal): Decimal | null {
  const n = BigInt(d.digits);
  let best: Decimal | null = null;
  let bestDist = Infinity;
  for (const m of [n - 1n, n + 1n]) {
    if (m <= 0n) continue;
    const s = m.toString();
    const cand = { digits: s, exp: d.exp + (s.length - d.digits.length) };
    const value = toNumber(cand);
    if (Math.fround(value) !== x) continue;
    const dist = Math.abs(value - x);
    if (dist < bestDist) {
      best = cand;
      bestDist = dist;
    }
  }
  return best;
}

function normalize(digits: string, exp: number): Decimal {
  const trimmed = digits.replace(/0+$/, "");
  return { digits: trimmed === "" ? "0" : trimmed, exp };
}

function toNumber(d: Decimal): number {
  return Number(`${d.digits[0]}.${d.digits.slice(1) || "0"}e${d.exp}`);
}

function positional(digits: string, exp: number): string {
  if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length) + ".0";
  return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
}

function scientific(digits: string, exp: number): string {
  return `${digits[0]}.${digits.slice(1) || "0"}e${exp}`;
}
