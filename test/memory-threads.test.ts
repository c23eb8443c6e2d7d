// One memory ceiling for every scheduler thread of a host process: each thread adds what its
// processes are charged to a sum in shared memory (heap.ts shareHostTotal), and a thread checks
// the ceiling against the sum. Here another thread is simulated by adding to the sum: with
// "another thread" holding nearly the whole ceiling, a process here that grows ends with
// heap_limit long before this thread alone would reach the ceiling, and a spawn is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft, hostMemory } from "../src/index.js";
import { shareHostTotal } from "../src/vm/heap.js";

test("the host's ceiling counts what other threads' processes are charged", async () => {
  const buf = new SharedArrayBuffer(4);
  const sum = new Int32Array(buf);
  shareHostTotal(buf);
  const ceiling = hostMemory().ceiling;
  const before = hostMemory().charged;
  // "Scheduler 1" holds all but 4 MB of the ceiling.
  const other = Math.floor((ceiling - before - 4 * 1024 * 1024) / 1024);
  Atomics.add(sum, 0, other);
  assert.ok(hostMemory().charged > ceiling - 5 * 1024 * 1024);
  let out = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: () => {}, log: "error", schedulers: 1 });
  const r = await raft.run(
    `fn hog() { let v: vector[integer] = []; loop { v.push(1); } }
let p = vm.monitor(vm.spawn(hog));
let e: exit = vm.receive();
vm.println(e.reason());`,
    { file: "hog.kl" },
  );
  assert.equal(r.panic, null, JSON.stringify(r.panic));
  assert.equal(out, "heap_limit\n");
  // This thread's own processes never came near the ceiling.
  assert.ok(hostMemory().peak < 16 * 1024 * 1024, `peak here ${hostMemory().peak}`);
  // Once the other thread lets go, there is room again.
  Atomics.sub(sum, 0, other);
  out = "";
  const r2 = await raft.run(`let v: vector[integer] = []; let i = 0; loop { if (i == 1000000) { break; } v.push(i); i++; } vm.println(v.length());`, { file: "fits.kl" });
  assert.equal(r2.panic, null);
  assert.equal(out, "1000000\n");
});
