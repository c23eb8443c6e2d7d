// The census (src/vm/census.ts): this scheduler's processes merged with the rows other
// schedulers sent — in pid order, the reading here winning over another scheduler's, else the
// newest; rows of processes that have ended since left out; each scheduler's count, rate, and
// the age of its rows (stale past STALE_MS, -1 when none came); reductions per second over the
// time between two readings of a row, the last rate kept while a scheduler sends nothing new.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Census, RemoteRow, STALE_MS, type Elsewhere, type Pass } from "../src/vm/census.js";
import { ProcessTable } from "../src/vm/proc-table.js";
import { Process, Status } from "../src/vm/process.js";
import { memoryOf, type ProcessRow } from "../src/vm/introspect.js";
import type { VMCore } from "../src/vm/vm-core.js";

/** Just what a census reads of a VM: its clock, its process table, its run queue's length, which scheduler it is. */
function fakeVM(pids: number[]): { vm: VMCore; clock: { now: number }; procs: Map<number, Process> } {
  const table = new ProcessTable();
  const procs = new Map<number, Process>();
  for (const pid of pids) {
    const p = new Process(pid, "local", 0);
    p.status = Status.Receiving;
    table.set(pid, p);
    procs.set(pid, p);
  }
  const clock = { now: 0 };
  const vm = {
    now: () => clock.now,
    liveCount: () => table.size,
    procs: table,
    sched: { runnable: 2 },
    remote: { self: 0 },
    program: { pcFn: [], fnName: () => "local" },
    isAlive: (pid: number) => table.has(pid),
  } as unknown as VMCore;
  return { vm, clock, procs };
}

function row(pid: number, scheduler: number, reductions: number, extra: Partial<ProcessRow> = {}): ProcessRow {
  return { pid, name: "", status: "waiting", mailbox: 1, memory: 100, reductions, fn: `on${scheduler}`, started: "f", scheduler, supervisor: false, parent: 0, ...extra };
}

function pass(scheduler: number, at: number, rows: [number, number][]): Pass {
  return { scheduler, at, rows: rows.map(([pid, reds]) => new RemoteRow(row(pid, scheduler, reds), null, at)) };
}

function away(passes: (Pass | null)[], ended: number[] = [], names = new Map<number, string>()): Elsewhere {
  return { schedulers: passes.length, passes, alive: (pid) => !ended.includes(pid), load: (s) => 10 * s, names };
}

test("census: rows of every scheduler in pid order, this scheduler's reading first, else the newest; ended processes left out", () => {
  const { vm, clock, procs } = fakeVM([1, 3, 7]);
  clock.now = 100;
  const c = new Census().take(
    vm,
    away([null, pass(1, 90, [[2, 5], [3, 9], [5, 1], [8, 2]]), pass(2, 99, [[2, 6], [4, 3]])], [5], new Map([[4, "four"]])),
  );
  assert.deepEqual([...c.pids.subarray(0, c.n)], [1, 2, 3, 4, 7, 8]);
  assert.deepEqual(
    Array.from({ length: c.n }, (_, i) => [c.scheduler(i), c.fn(i), c.name(i)]),
    [
      [0, "local", ""],
      [2, "on2", ""], // on 1 and on 2: the newer reading (scheduler 2's)
      [0, "local", ""], // here and on 1: here
      [2, "on2", "four"], // the run's registry names it
      [0, "local", ""],
      [1, "on1", ""],
    ],
  );
  assert.equal(c.row(1).reductions, 6);
  assert.deepEqual(c.tally, { processes: 6, supervisors: 0, queued: 3, heap: 300 + 3 * memoryOf(procs.get(1)!) });
  assert.deepEqual(
    c.load.map((l) => [l.scheduler, l.processes, l.runnable, l.age, l.stale]),
    [
      [0, 3, 2, 0, false],
      [1, 1, 10, 10, false],
      [2, 2, 20, 1, false],
    ],
  );
  assert.equal(c.find(4), 3);
  assert.equal(c.find(5), -1);
});

test("census: a scheduler that has sent nothing, or nothing lately, is stale", () => {
  const { vm, clock } = fakeVM([1]);
  clock.now = 5000;
  const c = new Census().take(vm, away([null, null, pass(2, 5000 - STALE_MS - 1, [[2, 1]])]));
  assert.deepEqual(
    c.load.map((l) => [l.age, l.stale]),
    [
      [0, false],
      [-1, true],
      [STALE_MS + 1, true],
    ],
  );
  assert.deepEqual([...c.pids.subarray(0, c.n)], [1, 2], "its last rows are still in");
});

test("census: reductions per second between two readings of a row; the same reading keeps its rate", () => {
  const { vm, clock, procs } = fakeVM([1]);
  const c = new Census();
  clock.now = 1000;
  c.take(vm, away([null, pass(1, 1000, [[2, 100]])]));
  clock.now = 1200;
  procs.get(1)!.reductions = 40;
  c.take(vm, away([null, pass(1, 1100, [[2, 150]])]));
  assert.deepEqual([...c.rates.subarray(0, c.n)], [200, 500]); // 40 in 200 ms here; 50 in 100 ms there
  clock.now = 1400;
  procs.get(1)!.reductions = 60;
  c.take(vm, away([null, pass(1, 1100, [[2, 150]])])); // scheduler 1 sent nothing newer
  assert.deepEqual([...c.rates.subarray(0, c.n)], [100, 500]);
  // On one scheduler, the fast path: the same rates.
  const one = new Census();
  clock.now = 2000;
  one.take(vm);
  clock.now = 2500;
  procs.get(1)!.reductions = 160;
  one.take(vm);
  assert.deepEqual([...one.rates.subarray(0, one.n)], [200]);
  assert.deepEqual(one.load.map((l) => [l.scheduler, l.processes, l.rate, l.stale]), [[0, 1, 200, false]]);
  // The run goes parallel: the next census's rates still follow from the last one's readings.
  clock.now = 3000;
  procs.get(1)!.reductions = 360;
  one.take(vm, away([null, pass(1, 2900, [[2, 7]])]));
  assert.deepEqual([...one.rates.subarray(0, one.n)], [400, 7 * 2]); // 200 in 500 ms; a new one's 7 over the 500 ms
});
