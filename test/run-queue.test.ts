// The run queue against an array as the model: FIFO order through growth and wrap-around.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RunQueue } from "../src/vm/run-queue.js";
import { Process } from "../src/vm/process.js";

test("run queue: first in, first out, across growth and wrap-around", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2000 }), (ops) => {
      const q = new RunQueue();
      const model: Process[] = [];
      let pid = 1;
      for (const op of ops) {
        if (op < 6) {
          // pushes outnumber shifts, so the queue grows through several capacities
          const p = new Process(pid++, "f", 0);
          q.push(p);
          model.push(p);
        } else {
          assert.equal(q.shift(), model.shift() ?? null);
        }
        assert.equal(q.length, model.length);
      }
      while (model.length > 0) assert.equal(q.shift(), model.shift());
      assert.equal(q.shift(), null);
    }),
    { numRuns: 200 },
  );
});

test("run queue: takeWhere takes the youngest accepted among the `scan` youngest, the rest keep their order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 600 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 80 }),
      fc.integer({ min: 2, max: 5 }),
      (ops, max, scan, mod) => {
        const q = new RunQueue();
        const model: Process[] = [];
        let pid = 1;
        for (const op of ops) {
          if (op < 7) {
            const p = new Process(pid++, "f", 0);
            q.push(p);
            model.push(p);
          } else assert.equal(q.shift(), model.shift() ?? null);
        }
        const take = (p: Process) => p.pid % mod === 0;
        // The model: walk from the young end over at most `scan`, taking accepted ones up to `max`.
        const want: Process[] = [];
        for (let i = model.length - 1; i >= Math.max(0, model.length - scan) && want.length < max; i--) if (take(model[i])) want.push(model[i]);
        const got = q.takeWhere(max, scan, take);
        assert.deepEqual(got.map((p) => p.pid), want.map((p) => p.pid));
        const rest = model.filter((p) => !want.includes(p));
        assert.equal(q.length, rest.length);
        // Still a working queue: push after, then drain in order.
        const extra = new Process(pid++, "f", 0);
        q.push(extra);
        rest.push(extra);
        for (const p of rest) assert.equal(q.shift(), p);
        assert.equal(q.shift(), null);
      },
    ),
    { numRuns: 500 },
  );
});
