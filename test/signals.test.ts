// Exit signals, links and the timers a process owns, through the library API: a chain of
// 100,000 linked processes ends tail to head with the right reason and no host recursion
// (killed, or after a panic at its tail, whose trace the main process's end then shows);
// a process's sleep timer goes with it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft, type RaftEvent } from "../src/raft.js";
import { link } from "../src/vm/program.js";

const CHAIN = 100_000;

/** Main spawns a chain of CHAIN + 1 processes, each linked to the next; the tail does `tail`. */
function chain(tail: string, mainLinks: boolean): string {
  return `
fn overflow(x: integer) -> integer { return 3 * x; }
fn link_next(n: integer, parent: process) {
    if (n == 0) {
        parent.send(vm.self());
        ${tail}
    } else {
        vm.spawn_link(link_next, n - 1, parent);
    }
    let never: string = vm.receive();
}
let head: process = ${mainLinks ? "vm.spawn_link" : "vm.spawn"}(link_next, ${CHAIN}, vm.self());
vm.monitor(head);
let tail: process = vm.receive();
${mainLinks ? "" : "vm.kill(tail);"}
let e: exit = vm.receive();
vm.println(e.reason());
`;
}

function run(src: string) {
  let out = "";
  let err = "";
  const exits: { pid: number; reason: string }[] = [];
  const raft = new Raft({
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    log: "error",
    onEvent: (e: RaftEvent) => {
      if (e.kind === "exit") exits.push({ pid: e.pid, reason: e.reason });
    },
  });
  return raft.run(src).then((r) => ({ r, out: () => out, err: () => err, exits }));
}

test("a chain of 100,000 linked processes whose tail is killed ends tail to head, all killed", async () => {
  const { r, out, err, exits } = await run(chain("", false));
  assert.equal(r.exitCode, 0, err());
  assert.equal(out(), "killed\n");
  // main is <0.1>, the head <0.2>, the tail <0.(CHAIN + 2)>.
  const chainExits = exits.filter((x) => x.pid !== 1);
  assert.equal(chainExits.length, CHAIN + 1);
  for (let i = 0; i < chainExits.length; i++) {
    assert.equal(chainExits[i].pid, CHAIN + 2 - i, `exit #${i}`);
    assert.equal(chainExits[i].reason, "killed", `exit of <0.${chainExits[i].pid}>`);
  }
});

test("a panic at the tail of a 100,000 chain ends every process with it, and main says where it came from", async () => {
  const { r, err, exits } = await run(chain("let boom: integer = overflow(827370449);", true));
  assert.equal(r.exitCode, 1, err());
  const message = "integer overflow: 3 * 827370449";
  const chainExits = exits.filter((x) => x.pid !== 1);
  assert.equal(chainExits.length, CHAIN + 1);
  assert.ok(chainExits.every((x, i) => x.pid === CHAIN + 2 - i && x.reason === message));
  assert.equal(exits[exits.length - 1].pid, 1);
  const p = r.panic!;
  assert.equal(p.pid, 1);
  assert.equal(p.message, message);
  assert.equal(p.from, 2);
  assert.equal(p.linked, true);
  assert.equal(p.origin?.pid, CHAIN + 2);
  assert.deepEqual(
    p.origin?.trace.map((f) => f.fn),
    ["overflow", "link_next"],
  );
});

test("a killed process's sleep timer goes with it: 200,000 sleepers killed leave no timers behind", async () => {
  let vmRef: import("../src/vm/vm-core.js").VMCore | null = null;
  let out = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (out += s) });
  raft.defineNative("timer_count", [], "integer", () => vmRef!.timers.size);
  const c = raft.compile(`
fn idle(parent: process) {
    parent.send(1);
    vm.sleep(2000000000);
}
let me: process = vm.self();
let most: integer = 0;
let i: integer = 0;
loop {
    if (i == 200000) { break; }
    let p: process = vm.spawn(idle, me);
    let started: integer = vm.receive();
    let now: integer = vm.timer_count();
    if (now > most) { most = now; }
    vm.kill(p);
    i++;
}
vm.println(most);
vm.println(vm.timer_count());
`);
  assert.ok(c.module, JSON.stringify(c.diagnostics));
  const vm = await raft.createVM();
  vmRef = vm;
  const t0 = Date.now();
  const o = await vm.run(link(c.module!, raft.natives));
  assert.equal(o.exitCode, 0, out);
  // Each sleeper's timer is the only one alive while it sleeps; none is left after its kill.
  assert.equal(out, "1\n0\n");
  assert.ok(Date.now() - t0 < 60_000);
});

test("a process killed while parked in a host call is uncounted once: a later host call of main is not a deadlock", async () => {
  let out = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (out += s) });
  const later = (ms: number, v: number) => new Promise((ok) => setTimeout(() => ok(v), ms));
  raft.defineNative("slow", ["integer", "integer"], "integer", later);
  const r = await raft.run(`
fn worker(parent: process) {
    parent.send(1);
    let v: integer = vm.slow(20, 1);
}
let w: process = vm.spawn(worker, vm.self());
let started: integer = vm.receive();
vm.kill(w);
// The worker's call settles while main waits in its own.
vm.println(vm.slow(200, 7));
`);
  assert.equal(r.exitCode, 0, out);
  assert.equal(out, "7\n");
});
