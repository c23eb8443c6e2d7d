// The process table against a Map as the model: pids handed out in order, random exits,
// lookups of live, ended and never-spawned pids; pages dropped and re-created on the way;
// walks from a pid, in chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProcessTable } from "../src/vm/proc-table.js";
import { Process } from "../src/vm/process.js";

test("process table: behaves as a Map of live pids", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(5000)), { maxLength: 3000 }), fc.integer({ min: 1, max: 3000 }), (ops, stride) => {
      const table = new ProcessTable();
      const model = new Map<number, Process>();
      let next = 1;
      for (const [kind, k] of ops) {
        if (kind <= 1) {
          // spawn, sometimes skipping pids (as spawns of processes that never got a slot would)
          const pid = next;
          next += kind === 0 ? 1 : stride;
          const p = new Process(pid, "f", 0);
          table.set(pid, p);
          model.set(pid, p);
        } else if (kind === 2) {
          const pid = k % (next + 10);
          assert.equal(table.delete(pid), model.delete(pid));
        } else {
          const pid = k % (next + 2000);
          assert.equal(table.get(pid), model.get(pid));
          assert.equal(table.has(pid), model.has(pid));
        }
        assert.equal(table.size, model.size);
      }
      for (const [pid, p] of model) assert.equal(table.get(pid), p);
      // A walk in chunks from any pid (what another scheduler's census does) sees the live pids in order, each once.
      const pids = [...model.keys()].sort((a, b) => a - b);
      const walked: number[] = [];
      for (let from = 0, done = false; !done; ) {
        let n = 0;
        done = true;
        table.forEachFrom(from, (p) => {
          if (n === stride) return (done = false);
          walked.push(p.pid);
          from = p.pid + 1;
          n++;
          return true;
        });
      }
      assert.deepEqual(walked, pids);
      const mid = pids[pids.length >> 1] ?? 0;
      const after: number[] = [];
      table.forEachFrom(mid, (p) => after.push(p.pid) > 0);
      assert.deepEqual(after, pids.filter((x) => x >= mid));
    }),
    { numRuns: 200 },
  );
});

test("process table: a million spawn-and-exit cycles, ten alive at a time", () => {
  const table = new ProcessTable();
  for (let pid = 1; pid <= 1_000_000; pid++) {
    table.set(pid, new Process(pid, "f", 0));
    if (pid > 10) table.delete(pid - 10);
  }
  assert.equal(table.size, 10);
  for (let pid = 999_991; pid <= 1_000_000; pid++) assert.ok(table.has(pid));
  assert.equal(table.get(500_000), undefined);
});
