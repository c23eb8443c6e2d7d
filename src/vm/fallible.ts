// How a failing call becomes the error value it returns (SPEC's one rule for faults): a method
// or `vm` call that the standard-library declaration (lang/builtins.ts) marks `fallible`
// returns its failure — a bad argument, an empty vector, a position out of range, a dead
// process — as an error value; the compiler then panics in place only where the result is not
// captured. Natives and helpers keep reporting failures by throwing a `Fault`; the wrappers
// here turn it into the value at the one boundary both tiers go through. A `HardExit`
// (heap_limit, mailbox_overflow) is never a value: it ends the process.

import { fallibleNames } from "../lang/builtins.js";
import { HardExit } from "./heap.js";
import type { NativeFn } from "./native-api.js";
import { Fault, type KError } from "./values.js";

/** The natives whose failures are values, by native name (`"vm.sleep"`, `"vector.pop"`). */
export const FALLIBLE_NATIVES: ReadonlySet<string> = new Set(fallibleNames());

/** The error value a failing call returns, from what it threw; anything else is rethrown. */
export function failureValue(e: unknown): KError {
  if (e instanceof Fault && !(e instanceof HardExit)) return e.error;
  throw e;
}

/** `fn` with its faults (also from a returned promise) turned into the error value it returns. */
export function returningFailures(fn: NativeFn): NativeFn {
  return (ctx, args) => {
    let r: unknown;
    try {
      r = fn(ctx, args);
    } catch (e) {
      return failureValue(e);
    }
    return r instanceof Promise ? r.then(undefined, failureValue) : r;
  };
}
