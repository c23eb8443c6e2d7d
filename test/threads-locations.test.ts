// The shared table of where processes live: pids in order, owners, ended pids across laps of
// a small table, the process limit, and a move that waits for every pinned sender.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { GONE, Locations, locationsBuffer } from "../src/threads/locations.js";

test("locations: pids in order; owners; the live pids; ended pids say GONE, also after many laps of the table", () => {
  const loc = new Locations(locationsBuffer(64));
  const alive = new Map<number, number>();
  // A few long-lived processes stay while thousands come and go around them.
  for (let i = 0; i < 5000; i++) {
    const pid = loc.nextPid();
    assert.equal(pid, i + 1);
    const sched = pid % 3;
    assert.ok(loc.add(pid, sched, 1000), `room for <0.${pid}>`);
    alive.set(pid, sched);
    for (const [p] of alive) if (p % 499 !== 0 && p < pid - 3) {
      loc.remove(p);
      alive.delete(p);
      assert.equal(loc.owner(p), GONE);
    }
    if (i % 500 === 0) {
      for (const [p, s] of alive) assert.equal(loc.owner(p), s, `owner of <0.${p}>`);
      assert.deepEqual(loc.livePids().pids, [...alive.keys()].sort((a, b) => a - b));
    }
    assert.equal(loc.live, alive.size);
  }
  assert.equal(loc.owner(999_999), GONE);
  assert.equal(loc.owner(5000 - 100), GONE);
});

test("locations: the process limit counts live processes on every scheduler", () => {
  const loc = new Locations(locationsBuffer(64));
  assert.ok(loc.add(loc.nextPid(), 0, 2));
  assert.ok(loc.add(loc.nextPid(), 1, 2));
  assert.equal(loc.add(loc.nextPid(), 0, 2), false);
  loc.remove(1);
  assert.ok(loc.add(loc.nextPid(), 0, 2));
  // The table itself keeps a quarter free at most: 16 live of 64 slots.
  const big = new Locations(locationsBuffer(64));
  let n = 0;
  while (big.add(big.nextPid(), 0, 1_000_000)) n++;
  assert.equal(n, 16);
});

test("locations: a move waits until no sender holds a pin, and senders see the new owner after", async () => {
  const buffer = locationsBuffer(1024);
  const loc = new Locations(buffer);
  const pid = loc.nextPid();
  assert.ok(loc.add(pid, 1, 100));
  const inside = new SharedArrayBuffer(4);
  const flag = new Int32Array(inside);
  const rounds = 200_000;
  const senders = [0, 1].map(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const w = new Worker(new URL("./helpers/pin-worker.js", import.meta.url), { workerData: { buffer, inside, pid, rounds } });
        w.once("message", resolve);
        w.once("error", reject);
      }),
  );
  let moves = 0;
  let to = 2;
  let done = false;
  void Promise.all(senders).then(() => (done = true));
  while (!done) {
    loc.move(pid, to, () => {}, () => {
      assert.equal(Atomics.load(flag, 0), 0, "no sender is inside a pin during a hand-over");
      return true;
    });
    assert.equal(loc.owner(pid), to);
    to = to === 1 ? 2 : 1;
    moves++;
    await new Promise((r) => setImmediate(r));
  }
  const seen = await Promise.all(senders);
  assert.ok(moves > 10, `moves happened while senders pinned (the premise): ${moves}`);
  for (const s of seen) {
    assert.equal(s[0] + s[1] + s[2], rounds);
    assert.ok(s[1] > 0 && s[2] > 0, `senders saw both owners: ${s}`);
  }
});

// A process can reach its new scheduler before the old one has pointed the table there; if the
// new one moved it on at once, the old one's move would then finish by pointing the table at
// itself, where the process no longer is (found on two schedulers spreading a server that
// answers 100,000 calls: the server was lost after a few hundred). Here the arrival and the
// move on happen inside the first move's hand-over, where the race put them.
test("locations: a process still arriving cannot move on until its last move has finished", () => {
  const loc = new Locations(locationsBuffer(64));
  const pid = loc.nextPid();
  assert.ok(loc.add(pid, 1, 100));
  let inner: boolean | null = null;
  let innerHandOver = false;
  const moved = loc.move(pid, 0, () => {}, () => {
    // Scheduler 0 has the process now (its state arrived) and tries to hand it to 1.
    inner = loc.move(pid, 1, () => {}, () => {
      innerHandOver = true;
      return true;
    });
    return true;
  });
  assert.equal(moved, true);
  assert.equal(inner, false, "the second move waits for the first to finish");
  assert.equal(innerHandOver, false, "and hands nothing over");
  assert.equal(loc.owner(pid), 0, "the table points where the process is");
  // Once the first move has finished, the new owner may move it on.
  assert.equal(loc.move(pid, 1, () => {}, () => true), true);
  assert.equal(loc.owner(pid), 1);
});
