// The monitor tables (src/vm/ref-table.ts) against a Map: any sequence of adds, updates and
// deletes, through the switch from arrays to a Map and back, leaves the same entries in the
// same order, with the same answers on the way.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RefTable } from "../src/vm/ref-table.js";

type Step = { set: [number, number] } | { del: number };

const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(fc.record({ set: fc.tuple(fc.integer({ min: 1, max: 24 }), fc.nat(1000)) }), fc.record({ del: fc.integer({ min: 1, max: 24 }) })),
  { maxLength: 200 },
);

test("property: a RefTable holds what a Map holds, in the same order", () => {
  fc.assert(
    fc.property(steps, (plan) => {
      const t = new RefTable();
      const m = new Map<number, number>();
      for (const s of plan) {
        if ("set" in s) {
          t.set(s.set[0], s.set[1]);
          m.set(s.set[0], s.set[1]);
        } else assert.equal(t.delete(s.del), m.delete(s.del));
        assert.equal(t.size, m.size);
        for (let k = 1; k <= 24; k++) {
          assert.equal(t.get(k), m.get(k));
          assert.equal(t.has(k), m.has(k));
        }
        assert.deepEqual([...t], [...m]);
        assert.deepEqual([...t.values()], [...m.values()]);
      }
    }),
    { numRuns: 300 },
  );
});
