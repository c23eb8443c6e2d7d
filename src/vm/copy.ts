// Value semantics for run-time values.
//
// Kaylee's vectors, arrays and tuples are JS arrays with value semantics: assignment, passing
// and sending copy them (`deepCopy`). Everything else is immutable (numbers, booleans, strings,
// `KError`, `ExitNotice`, `ReplyTo`) and shared. Memory handles (pointers, slices) are references into a
// process's linear memory and are shared too. `valuesEqual` is Kaylee's `==` on any type (what a
// value costs in memory is heap.ts's business).

import { ExitNotice, HostValue, KError, ReplyTo } from "./values.js";

/**
 * A copy that shares nothing mutable with `v`: arrays are copied recursively. A message's
 * copy passes `host`, which says what goes in place of each value of a host type
 * (host-types.ts); Kaylee's own copies (assignment) keep them as they are.
 */
export function deepCopy<V>(v: V, host?: (h: HostValue) => HostValue): V {
  if (!Array.isArray(v)) return host !== undefined && v instanceof HostValue ? (host(v) as V) : v;
  return copyInside(v.slice(), host) as V;
}

/** `deepCopy` of an array that nothing else holds: the array itself is kept, what it holds copied. */
export function copyInside(v: unknown[], host?: (h: HostValue) => HostValue): unknown[] {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Array.isArray(x) || (host !== undefined && x instanceof HostValue)) v[i] = deepCopy(x, host);
  }
  return v;
}

/** `deepCopy`, counting in `work.n` the slots it copies (for work charged in proportion). */
export function deepCopyCounted<V>(v: V, work: EqualityWork): V {
  if (!Array.isArray(v)) return v;
  const out = v.slice();
  work.n += out.length;
  for (let i = 0; i < out.length; i++) {
    if (Array.isArray(out[i])) out[i] = deepCopyCounted(out[i], work);
  }
  return out as V;
}

/** Structural equality: arrays by content, numbers by `===` (so NaN != NaN), errors, exit
 *  notices and reply addresses by their fields, anything else by identity. */
export function valuesEqual(a: unknown, b: unknown, work: EqualityWork = NO_COUNT): boolean {
  // Strings of one length compare unit by unit; slots of arrays one by one: the work is counted.
  if (typeof a === "string") work.n += typeof b === "string" && a.length === b.length ? a.length : 1;
  // One array is equal to itself unless it holds a NaN somewhere (NaN != NaN, as IEEE and
  // Rust's PartialEq say: `t == t` for a tuple holding one is false).
  if (a === b) return !Array.isArray(a) || !holdsNaN(a, work);
  if (Array.isArray(a)) return Array.isArray(b) && arraysEqual(a, b, work);
  if (a instanceof KError) return b instanceof KError && a.message === b.message && a.code === b.code;
  if (a instanceof ExitNotice) return b instanceof ExitNotice && a.process === b.process && a.reason === b.reason && a.ref === b.ref;
  if (a instanceof ReplyTo) return b instanceof ReplyTo && a.pid === b.pid && a.ref === b.ref;
  return false;
}

/** Does `v`, or an array inside it, hold a NaN? A walk with a worklist (a value made by hand-written bytecode may be deep, or contain itself). */
function holdsNaN(v: unknown[], work: EqualityWork): boolean {
  const seen = new Set<unknown[]>([v]);
  const todo: unknown[][] = [v];
  while (todo.length !== 0) {
    const a = todo.pop()!;
    work.n += a.length;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === "number") {
        if (x !== x) return true;
      } else if (Array.isArray(x) && !seen.has(x)) {
        seen.add(x);
        todo.push(x);
      }
    }
  }
  return false;
}

function arraysEqual(a: unknown[], b: unknown[], work: EqualityWork): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    work.n++;
    if (!valuesEqual(a[i], b[i], work)) return false;
  }
  return true;
}

/** Counts the units of work `valuesEqual` did (for charging reductions in proportion). */
export interface EqualityWork {
  n: number;
}
const NO_COUNT: EqualityWork = { n: 0 };

const EQUAL_WORK: EqualityWork = { n: 0 };

/** Kaylee's `==` with its work charged: one reduction per 16 slots or string units compared. */
export function valuesEqualCharged(a: unknown, b: unknown, charge: (units: number) => void): boolean {
  EQUAL_WORK.n = 0;
  const r = valuesEqual(a, b, EQUAL_WORK);
  if (EQUAL_WORK.n >= 16) charge(EQUAL_WORK.n >>> 4);
  return r;
}
