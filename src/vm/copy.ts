// Value semantics for run-time values.
//
// Kaylee's vectors, arrays and tuples are JS arrays with value semantics: assignment, passing
// and sending copy them (`deepCopy`). Everything else is immutable (numbers, booleans, strings,
// `KError`, `ExitNotice`) and shared. Memory handles (pointers, slices) are references into a
// process's linear memory and are shared too. `valuesEqual` is Kaylee's `==` on any type (what a
// value costs in memory is heap.ts's business).

import { ExitNotice, KError } from "./values.js";

/** A copy that shares nothing mutable with `v`: arrays are copied recursively. */
export function deepCopy<V>(v: V): V {
  if (!Array.isArray(v)) return v;
  const out = v.slice();
  for (let i = 0; i < out.length; i++) {
    if (Array.isArray(out[i])) out[i] = deepCopy(out[i]);
  }
  return out as V;
}

/** Structural equality: arrays by content, numbers by `===` (so NaN != NaN), errors and
 *  exit notices by their fields, anything else by identity. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && arraysEqual(a, b);
  if (a instanceof KError) return b instanceof KError && a.message === b.message && a.code === b.code;
  if (a instanceof ExitNotice) return b instanceof ExitNotice && a.process === b.process && a.reason === b.reason;
  return false;
}

function arraysEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!valuesEqual(a[i], b[i])) return false;
  }
  return true;
}
