// Calls, refs and timers from the inside (src/vm/servers.ts): after 100,000 calls neither the
// caller nor the server holds a monitor, a queued message or call state; a late reply and a
// dropped monitor leave nothing; a send_after timer is charged to its starter and given back;
// refs count in 64 bits across schedulers; a queued notice is removed with the rest in order.
// (The behaviour a program sees is in test/programs/servers.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";
import { link } from "../src/vm/program.js";
import type { VMCore } from "../src/vm/vm-core.js";
import { Mailbox } from "../src/vm/mailbox.js";
import { ExitNotice } from "../src/vm/values.js";
import { SharedRun } from "../src/threads/shared-run.js";
import { hostMemory, measure } from "../src/vm/heap.js";
import { Process } from "../src/vm/process.js";

/**
 * Runs `src` on one scheduler with a native `vm.probe(pid)` that describes that process's
 * state: its monitors (held and on it), its queued messages, its call state and its timers.
 */
async function withProbe(src: string, jit: "off" | "eager" = "off"): Promise<string> {
  let out = "";
  const raft = new Raft({ jit, schedulers: 1, stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
  let vm: VMCore | null = null;
  raft.defineNative("probe", ["process"], "string", (pid: number) => {
    const p = vm!.procs.get(pid);
    if (!p) return "gone";
    return `monitors=${p.monitors?.size ?? 0} monitoredBy=${p.monitoredBy?.size ?? 0} mailbox=${p.mailbox.length} call=${p.callRef} timers=${p.sendTimers?.size ?? 0} heap timers=${vm!.timers.size}`;
  });
  const c = raft.compile(src);
  assert.ok(c.module, JSON.stringify(c.diagnostics));
  vm = await raft.createVM();
  const o = await vm.run(link(c.module!, raft.natives));
  vm.release();
  assert.equal(o.exitCode, 0, out);
  return out;
}

for (const jit of ["off", "eager"] as const) {
  test(`100,000 calls leave no monitor, message or call state on either side (jit ${jit})`, async () => {
    const out = await withProbe(
      `
fn server() {
    loop {
        let req: (from, integer) = vm.receive();
        vm.reply(req.0, req.1 * 2);
    }
}
let s: process = vm.spawn(server);
let i: integer = 0;
let sum: integer = 0;
loop {
    if (i == 100000) { break; }
    let r: integer = vm.call(s, i, 10000);
    sum += r / 2 - i;
    i++;
}
vm.println(sum);
vm.println(vm.probe(vm.self()));
vm.println(vm.probe(s));
`,
      jit,
    );
    assert.equal(out, "0\nmonitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0\nmonitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0\n");
  });
}

test("a call that times out, a server that dies in a call, and late replies leave nothing behind", async () => {
  const out = await withProbe(`
fn slow() {
    let req: (from, integer) = vm.receive();
    vm.sleep(100);
    vm.reply(req.0, 1);
    vm.reply(req.0, 2);
    let wait: string = vm.receive();
}
fn dies() {
    let req: (from, integer) = vm.receive();
    vm.kill(vm.self(), "gone");
}
let s: process = vm.spawn(slow);
let r: integer = vm.call(s, 1, 10);
vm.println(r{default: -1});
vm.println(vm.probe(vm.self()));
vm.sleep(300);
vm.println(vm.probe(vm.self()));
vm.println(vm.probe(s));
let d: process = vm.spawn(dies);
let r2: integer = vm.call(d, 1, 10000);
if (r2 is error) { vm.println(r2.code() + " " + r2.message()); }
vm.println(vm.probe(vm.self()));
`);
  const state = "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=0";
  assert.equal(out, `-1\n${state} heap timers=1\n${state} heap timers=0\n${state} heap timers=0\ndown gone\n${state} heap timers=0\n`);
});

test("demonitor removes both ends; a pending send_after is held by its starter and charged to it", async () => {
  const out = await withProbe(`
fn idle() { let x: string = vm.receive(); }
let p: process = vm.spawn(idle);
let r: ref = vm.monitor(p);
vm.println(vm.probe(vm.self()));
vm.println(vm.probe(p));
vm.println(vm.demonitor(r));
vm.println(vm.probe(vm.self()));
vm.println(vm.probe(p));
let big: string = "0123456789abcdef";
let k: integer = 0;
loop { if (k == 14) { break; } big = big + big; k++; }
let m0: integer = vm.memory();
let t: ref = vm.send_after(p, big, 100000);
let m1: integer = vm.memory();
vm.println(vm.probe(vm.self()));
vm.println(m1 - m0 >= 2 * big.length());
vm.println(vm.cancel_timer(t));
let m2: integer = vm.memory();
vm.println(m2 - m0 < 1000);
vm.println(vm.probe(vm.self()));
vm.send_after(p, "x", 100000);
vm.kill(p);
`);
  assert.equal(
    out,
    [
      "monitors=1 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0",
      "monitors=0 monitoredBy=1 mailbox=0 call=0 timers=0 heap timers=0",
      "true",
      "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0",
      "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0",
      "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=1 heap timers=1",
      "true",
      "true",
      "true",
      "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=0",
      "",
    ].join("\n"),
  );
});

test("a process's send_after timers for others outlive it, held by no process, until they fire or their destination ends", async () => {
  const out = await withProbe(`
fn idle() { let x: string = vm.receive(); }
fn starter(to: process, sink: process) {
    vm.send_after(to, "a", 100000);
    vm.send_after(sink, "b", 100000);
    vm.send_after(vm.self(), "c", 100000);
    vm.send(to, vm.probe(vm.self()));
}
let sink: process = vm.spawn(idle);
let w: ref = vm.monitor(sink);
let p: (process, ref) = vm.spawn_monitor(starter, vm.self(), sink);
let s: string = vm.receive();
vm.println(s);
let e: exit = vm.receive();
vm.println(vm.probe(vm.self()));
vm.kill(sink);
let d: exit = vm.receive();
vm.println(vm.probe(vm.self()));
`);
  assert.equal(
    out,
    [
      "monitors=0 monitoredBy=1 mailbox=0 call=0 timers=3 heap timers=3",
      // The starter's timer for itself went; those for main and the sink stay, held by no process.
      "monitors=1 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=2",
      // The sink's went with it.
      "monitors=0 monitoredBy=0 mailbox=0 call=0 timers=0 heap timers=1",
      "",
    ].join("\n"),
  );
});

test("an orphaned timer counts in the host's memory until it fires or goes", async () => {
  const raft = new Raft({ stdout: () => {}, stderr: () => {} });
  const seen: number[] = [];
  raft.defineNative("charged", [], "integer", () => (seen.push(hostMemory().charged), 0));
  const r = await raft.run(`
fn idle() { let x: string = vm.receive(); }
fn starter(to: process) {
    let big: string = "0123456789abcdef";
    let k: integer = 0;
    loop { if (k == 16) { break; } big = big + big; k++; }
    vm.send_after(to, big, 100000);
}
let sink: process = vm.spawn(idle);
let w: ref = vm.monitor(sink);
vm.charged();
let p: (process, ref) = vm.spawn_monitor(starter, sink);
let e: exit = vm.receive();
vm.charged();
vm.kill(sink);
let d: exit = vm.receive();
vm.charged();
`);
  assert.equal(r.exitCode, 0);
  // A 1M-character message (2 MB) held after its starter ended, and given back with its destination.
  assert.ok(seen[1] - seen[0] > 2_000_000, `${seen}`);
  assert.ok(seen[2] - seen[0] < 100_000, `${seen}`);
});

test("the heap measurement counts what pending timers hold", () => {
  const p = new Process(7, "f", 1);
  const without = measure(p, 0, false, 1 << 30);
  p.sendTimers = new Map([[1, { ref: 1, to: 2, type: "string", value: "x".repeat(10_000), at: 5, seq: 1 }]]);
  assert.ok(measure(p, 0, false, 1 << 30) - without >= 20_000);
});

test("refs are counted in 64 bits across schedulers: past 2^31 they go on, unique", () => {
  const run = new SharedRun(SharedRun.buffers(16), () => {});
  run.setRef(2 ** 31 - 2);
  const got = [run.nextRef(), run.nextRef(), run.nextRef(), run.nextRef()];
  assert.deepEqual(got, [2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1]);
  run.setRef(2 ** 40);
  assert.equal(run.nextRef(), 2 ** 40);
});

test("a queued notice is removed from the mailbox; the others keep their order, across the ring's wrap", () => {
  const box = new Mailbox();
  // Wrap the exit queue's ring: push and take some first.
  for (let i = 0; i < 6; i++) box.push("exit", new ExitNotice(100 + i, "x", 100 + i));
  for (let i = 0; i < 6; i++) box.take("exit");
  for (let i = 1; i <= 7; i++) {
    box.push("exit", new ExitNotice(i, "normal", i));
    box.push("integer", i);
  }
  assert.equal(box.countOf("exit"), 7);
  assert.ok(box.removeFirst("exit", (v) => (v as ExitNotice).ref === 4));
  assert.ok(!box.removeFirst("exit", (v) => (v as ExitNotice).ref === 4));
  assert.ok(!box.removeFirst("string", () => true));
  assert.equal(box.length, 13);
  const refs: number[] = [];
  for (;;) {
    const i = box.oldestOf(["exit", "integer"]);
    if (i < 0) break;
    const v = box.take(i === 0 ? "exit" : "integer");
    if (i === 0) refs.push((v as ExitNotice).ref);
  }
  assert.deepEqual(refs, [1, 2, 3, 5, 6, 7]);
  assert.equal(box.length, 0);
});
