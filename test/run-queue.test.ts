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
