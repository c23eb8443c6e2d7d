// Random run-time values for property tests of what crosses threads: null, booleans, int32s,
// floats, strings, error values, exit notices and arrays of them, nested; `more` adds leaves.
import fc from "fast-check";
import { ExitNotice, KError } from "../../src/vm/values.js";

export function valueArbitrary(more: fc.Arbitrary<unknown>[] = [], maxLength = 6): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.double(),
      fc.string({ unit: "binary" }),
      fc.tuple(fc.string(), fc.string()).map(([m, c]) => new KError(m, c)),
      fc.tuple(fc.nat(), fc.string()).map(([p, r]) => new ExitNotice(p, r)),
      ...more,
      fc.array(tie("v"), { maxLength }),
    ),
  })).v;
}
