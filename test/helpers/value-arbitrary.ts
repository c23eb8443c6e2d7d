// Random run-time values for property tests of what crosses threads: null, booleans, int32s,
// floats, strings, error values, exit notices, reply addresses and arrays of them, nested;
// `more` adds leaves. Refs go past 32 bits (they are counted in 64).
import fc from "fast-check";
import { ExitNotice, KError, ReplyTo } from "../../src/vm/values.js";

const ref = fc.oneof(fc.constant(0), fc.nat(), fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }));

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
      fc.tuple(fc.nat(), fc.string(), ref).map(([p, r, f]) => new ExitNotice(p, r, f)),
      fc.tuple(fc.nat(), ref).map(([p, f]) => new ReplyTo(p, f)),
      ...more,
      fc.array(tie("v"), { maxLength }),
    ),
  })).v;
}
