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
//
// Printing never recurses on the host stack and always ends: a vector that contains itself
// (only hand-made bytecode can build one) prints the inner occurrence as `[...]`, nesting is
// cut off at MAX_PRINT_DEPTH, and the work at MAX_PRINT_WORK.

import type { Type } from "../bytecode/types.js";
import { ExitNotice, HostValue, KError, ReplyTo } from "./values.js";

/** Prints `v` as `vm.print` shows a value of static type `t`. */
export function formatValue(v: unknown, t: Type): string {
  return print(v, t, false);
}

/**
 * Prints `v` as it appears inside a collection: strings and chars quoted. `maxWork` bounds
 * the work (see MAX_PRINT_WORK): a smaller one gives a preview that ends in `...`.
 */
export function formatNested(v: unknown, t: Type, maxWork = MAX_PRINT_WORK): string {
  return print(v, t, true, maxWork);
}

/**
 * A value whose runtime shape does not match its static type (only a bad module can make
 * one), or one without a static type (what an assembly program leaves on its stack): printed
 * by its JS shape so that printing never throws.
 */
export function formatAny(v: unknown, nested = false, maxWork = MAX_PRINT_WORK): string {
  return print(v, null, nested, maxWork);
}

/**
 * A collection nested deeper than this prints as `[...]`. Kaylee's types nest at most 64
 * deep, so only values built by hand-made bytecode get there.
 */
export const MAX_PRINT_DEPTH = 128;

/**
 * The work one print may do, in UTF-16 units written (a collection's text counts again at each
 * level it is copied into): past it the text ends with `...`. Hand-made bytecode can make a
 * small value that holds one vector many times over (`v = [v, v]` sixty times), whose full
 * text would be astronomically long. (A vector of 3 million integers prints in full.)
 */
export const MAX_PRINT_WORK = 1 << 26;

/** A vector, array, slice or tuple being printed: its static type (null: printed by shape). */
interface Open {
  items: ArrayLike<unknown>;
  tuple: boolean;
  /** The element type of a typed vector, array or slice. */
  elem: Type | null;
  /** The element types of a typed tuple. */
  elems: Type[] | null;
  /** The next element to print. */
  i: number;
  /** The printed elements so far. */
  parts: string[];
}

/**
 * The printer. It walks the value with its own stack of open collections, never recursing on
 * the host's stack (a value from hand-made bytecode may be 200,000 deep, or contain itself):
 * a collection that is already open further up prints as `[...]` (a cycle), and so does one
 * nested deeper than MAX_PRINT_DEPTH.
 */
function print(root: unknown, rootType: Type | null, rootNested: boolean, maxWork = MAX_PRINT_WORK): string {
  const first = opened(root, rootType);
  if (first === null) return leaf(root, rootType, rootNested);
  const path: Open[] = [first];
  let work = 0;
  for (;;) {
    const top = path[path.length - 1];
    const i = top.i;
    if (i === top.items.length) {
      const text = closed(top);
      work += text.length;
      path.pop();
      if (path.length === 0) return text;
      path[path.length - 1].parts.push(text);
      continue;
    }
    if (work > maxWork) {
      // Enough: every open collection closes with what it has.
      top.parts.push("...");
      for (const o of path) o.i = o.items.length;
      continue;
    }
    top.i = i + 1;
    const v = top.items[i];
    const t = top.elems !== null ? (i < top.elems.length ? top.elems[i] : null) : top.elem;
    const c = opened(v, t);
    if (c === null) {
      const text = leaf(v, t, true);
      top.parts.push(text);
      work += text.length + 2;
    } else if (path.length >= MAX_PRINT_DEPTH || isOpen(path, v)) top.parts.push(c.tuple ? "(...)" : "[...]");
    else {
      path.push(c);
      work += 4;
    }
  }
}

/** Is `v` one of the collections being printed (a cycle)? The path is at most MAX_PRINT_DEPTH long. */
function isOpen(path: Open[], v: unknown): boolean {
  for (let k = 0; k < path.length; k++) if (path[k].items === v) return true;
  return false;
}

function closed(o: Open): string {
  if (!o.tuple) return `[${o.parts.join(", ")}]`;
  return o.parts.length === 1 ? `(${o.parts[0]},)` : `(${o.parts.join(", ")})`;
}

/** The collection `v` prints as (with `t`, or by its shape when it does not match `t`), or null for a leaf. */
function opened(v: unknown, t: Type | null): Open | null {
  if (typeof v !== "object" || v === null) return null;
  if (t !== null) {
    switch (t.kind) {
      case "vector":
      case "array":
      case "slice":
        if (isList(v)) return { items: v, tuple: false, elem: t.elem, elems: null, i: 0, parts: [] };
        break;
      case "tuple":
        if (Array.isArray(v)) return { items: v, tuple: true, elem: null, elems: t.elems, i: 0, parts: [] };
        break;
      case "fn":
        return null;
    }
  }
  return isList(v) ? { items: v, tuple: false, elem: null, elems: null, i: 0, parts: [] } : null;
}

/** A value that is not a collection, as its static type `t` (if it matches) or its shape says. */
function leaf(v: unknown, t: Type | null, nested: boolean): string {
  if (v instanceof KError) return formatError(v);
  if (t !== null) {
    switch (t.kind) {
      case "null":
        if (v === null) return "null";
        break;
      case "integer":
      case "byte":
        if (typeof v === "number") return String(v);
        break;
      case "float":
        if (typeof v === "number") return formatFloat(v);
        break;
      case "char":
        if (typeof v === "number") return formatChar(v, nested);
        break;
      case "bool":
        if (typeof v === "boolean") return String(v);
        break;
      case "string":
        if (typeof v === "string") return nested ? quoteString(v) : v;
        break;
      case "process":
        if (typeof v === "number") return formatPid(v);
        break;
      case "exit":
        if (v instanceof ExitNotice) return formatExit(v);
        break;
      case "ref":
        if (typeof v === "number") return formatRef(v);
        break;
      case "from":
        if (v instanceof ReplyTo) return formatFrom(v);
        break;
      case "fn":
        return "<fn>";
      case "host":
        if (v instanceof HostValue) return formatHost(v);
        break;
    }
  }
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return nested ? quoteString(v) : v;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof ExitNotice) return formatExit(v);
  if (v instanceof ReplyTo) return formatFrom(v);
  if (v instanceof HostValue) return formatHost(v);
  return formatObject(v);
}

/**
 * A value of a host type, as its type's `print` shows it; `<name>` when the type has none, or
 * when it throws or returns something other than a string (printing never fails).
 */
function formatHost(h: HostValue): string {
  try {
    const s = h.type.print(h.value);
    if (typeof s === "string") return s;
  } catch {
    // shown by its type's name
  }
  return `<${h.type.name}>`;
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

export function formatPid(pid: number): string {
  return `<0.${pid}>`;
}

/** A ref as Erlang shows one: `#Ref<0.N>`, N unique for the VM's life. */
export function formatRef(ref: number): string {
  return `#Ref<0.${ref}>`;
}

/** A reply address: the caller and the call's ref, in the form of an exit notice or an error value. */
function formatFrom(f: ReplyTo): string {
  return `from(${formatPid(f.pid)}, ${formatRef(f.ref)})`;
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
