// What an embedder gives a run keeps working when the run uses several scheduler threads:
// natives it defined run on its own thread for processes anywhere (the caller parks), its
// stdout and stderr callbacks get what every process writes, in each process's order, and its
// onEvent hears of spawns and exits on every scheduler. Every run here spreads its processes
// over two threads from the first spawn (RAFT_SPREAD=1), and checks that it went parallel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isMainThread } from "node:worker_threads";
import { Raft, type RaftEvent } from "../src/index.js";

process.env.RAFT_SPREAD = "1";

function embedder() {
  const out: string[] = [];
  const err: string[] = [];
  const events: RaftEvent[] = [];
  const raft = new Raft({ stdout: (s) => out.push(s), stderr: (s) => err.push(s), schedulers: 2, log: "debug", onEvent: (e) => events.push(e) });
  return { raft, out, err, events };
}

/** The run went parallel: scheduler 0's debug log says so. */
function wentParallel(err: string[]): void {
  assert.match(err.join(""), /goes parallel on 2 schedulers/);
}

const WORKERS = `
fn worker(main: process, i: integer) {
    let j = 0;
    loop {
        if (j == 5) { break; }
        vm.println("worker " + i.into() + " line " + j.into());
        j++;
    }
    main.send((i, vm.tag(i), vm.slow_square(i)));
}
let i = 0;
loop {
    if (i == 8) { break; }
    vm.spawn(worker, vm.self(), i);
    i++;
}
let sum = 0;
let n = 0;
loop {
    if (n == 8) { break; }
    let r: (integer, string, integer) = vm.receive();
    if (r.1 != "tag " + r.0.into()) { vm.println("wrong tag " + r.1); }
    sum += r.2;
    n++;
}
vm.println(sum);
`;

test("natives defined by the embedder run on its thread for processes on every scheduler", async () => {
  const { raft, out, err, events } = embedder();
  const callers = new Set<number>();
  let offThread = 0;
  raft.defineNative("tag", ["integer"], "string", (i: number) => {
    if (!isMainThread) offThread++;
    return `tag ${i}`;
  });
  raft.defineNative("slow_square", ["integer"], "integer", async (i: number) => {
    callers.add(i);
    await new Promise((r) => setTimeout(r, 5));
    return i * i;
  });
  const r = await raft.run(WORKERS, { file: "home.kl" });
  assert.equal(r.panic, null, JSON.stringify(r.panic));
  assert.equal(r.exitCode, 0);
  wentParallel(err);
  assert.equal(offThread, 0);
  assert.equal(callers.size, 8);
  const text = out.join("");
  assert.ok(text.endsWith("140\n"), text.slice(-200));
  // Every line of every worker came through the embedder's stdout, each worker's in order.
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 8 * 5 + 1);
  for (let i = 0; i < 8; i++) {
    const mine = lines.filter((l) => l.startsWith(`worker ${i} `));
    assert.deepEqual(mine, [0, 1, 2, 3, 4].map((j) => `worker ${i} line ${j}`));
  }
  // Events from both schedulers: a spawn and an exit of every worker.
  const spawned = events.filter((e) => e.kind === "spawn").length;
  const exited = events.filter((e) => e.kind === "exit").length;
  assert.ok(spawned >= 9 && exited >= 8, `spawns ${spawned}, exits ${exited}`);
});

test("a native that fails for a process on another scheduler fails there as it would at home", async () => {
  const { raft, err } = embedder();
  raft.defineNative("boom", ["integer"], "integer", (i: number) => {
    throw new Error(`no ${i}`);
  });
  raft.defineNative("maybe", ["integer"], "integer", (i: number) => (i > 2 ? raft.error("too big", "range") : i), { fallible: true });
  const src = `
fn worker(main: process) {
    let a = vm.maybe(9);
    if (a is error) { main.send("error " + a.code()); }
    vm.boom(3);
    main.send("not reached");
}
vm.monitor(vm.spawn(worker, vm.self()));
let s: string = vm.receive();
vm.println(s);
let down: exit = vm.receive();
vm.println(down.reason());
`;
  const r = await raft.run(src, { file: "fail.kl" });
  assert.equal(r.panic, null, JSON.stringify(r.panic));
  wentParallel(err);
  assert.match(err.join(""), /native vm\.boom failed: no 3/);
});

test("under a seed, a native drawing numbers for a process elsewhere draws from that process's stream", async () => {
  const src = `
fn worker(main: process) {
    let a = vm.random_number(1, 1000000);
    let b = vm.draw();
    let c = vm.random_number(1, 1000000);
    main.send((a, b, c));
}
vm.spawn(worker, vm.self());
let r: (integer, integer, integer) = vm.receive();
vm.println(r);
`;
  const outputs: string[] = [];
  for (const schedulers of [1, 2]) {
    const out: string[] = [];
    const err: string[] = [];
    const raft = new Raft({ stdout: (s) => out.push(s), stderr: (s) => err.push(s), schedulers, seed: 11, log: "debug" });
    raft.defineNative("draw", [], "integer", function (this: unknown) {
      return 0;
    });
    // A native that draws needs the context: registered as a raw native under the same name.
    raft.registerNative("vm.draw", (ctx) => Math.floor(ctx.random() * 1000000));
    const r = await raft.run(src, { file: "seeded.kl" });
    assert.equal(r.panic, null, JSON.stringify(r.panic));
    if (schedulers === 2) wentParallel(err);
    outputs.push(out.join(""));
  }
  assert.equal(outputs[0], outputs[1]);
});
