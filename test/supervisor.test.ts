// Supervisors (SPEC §3) through the library API, on a virtual clock: restart intensity across
// the period boundary, the grace time, logging and restart events. No real sleeps: the Kaylee
// programs move virtual time themselves through an embedder native `vm.advance(ms)`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";

interface Run {
  out: string[];
  err: string;
  events: { kind: string }[];
  exitCode: number;
  panic: string | null;
}

async function run(source: string, log = "warn"): Promise<Run> {
  let now = 0;
  const out: string[] = [];
  let err = "";
  const events: { kind: string }[] = [];
  const raft = new Raft({
    stdout: (s) => out.push(...s.split("\n").filter((l) => l !== "")),
    stderr: (s) => (err += s),
    clock: () => now,
    log,
    onEvent: (e) => events.push(e),
  });
  raft.defineNative("advance", ["integer"], "null", (ms: number) => {
    now += ms;
    return null;
  });
  raft.defineNative("clock", [], "integer", () => now);
  const r = await raft.run(source, { file: "t.kl" });
  assert.deepEqual(r.diagnostics, []);
  return { out, err, events, exitCode: r.exitCode, panic: r.panic?.message ?? null };
}

// A crasher child that announces itself, then crashes on request. `crash(at)` advances virtual
// time to `at`, crashes the current child and reports whether the supervisor survived.
const harness = `
fn child(parent: process) {
    vm.send(parent, vm.self());
    let cmd: string = vm.receive();
    vm.error("boom");
}
fn crash(sup: process, at: integer) -> bool {
    vm.advance(at - vm.clock());
    let kids: vector[process] = vm.which_children(sup);
    kids[0].send("crash");
    vm.sleep(0);            // the child runs and crashes; the supervisor reacts at once
    let alive: bool = sup.alive();
    if (alive) { let next: process = vm.receive(); }
    let when: string = at.into();
    vm.println(when + ": " + if_alive(alive));
    return alive;
}
fn if_alive(b: bool) -> string {
    if (b) { return "restarted"; }
    return "gave up";
}
let me: process = vm.self();
`;

function program(max: number, period: number, crashes: number[]): string {
  return (
    harness +
    `let sup: process = vm.supervisor("one_for_one", ${max}, ${period});
vm.start_child(sup, "permanent", child, me);
let first: process = vm.receive();
` +
    crashes.map((t) => `crash(sup, ${t});\n`).join("")
  );
}

test("intensity: max 1 in 1000 ms gives up on a second restart 999 ms later", { timeout: 10_000 }, async () => {
  const r = await run(program(1, 1000, [0, 999]));
  assert.deepEqual(r.out, ["0: restarted", "999: gave up"]);
});

test("intensity: a restart exactly period_ms old no longer counts", { timeout: 10_000 }, async () => {
  const r = await run(program(1, 1000, [0, 1000, 1999]));
  assert.deepEqual(r.out, ["0: restarted", "1000: restarted", "1999: gave up"]);
});

test("intensity: the window slides", { timeout: 10_000 }, async () => {
  const r = await run(program(2, 1000, [0, 600, 1100, 1599, 2200, 2500]));
  // at 1100 the restart at 0 has left the window: [600, 1100]; at 1599: [600, 1100, 1599] is 3 > 2
  assert.deepEqual(r.out, ["0: restarted", "600: restarted", "1100: restarted", "1599: gave up"]);
});

test("intensity: slow crashes never exhaust it", { timeout: 10_000 }, async () => {
  const times = Array.from({ length: 20 }, (_, i) => i * 1000);
  const r = await run(program(1, 1000, times));
  assert.deepEqual(
    r.out,
    times.map((t) => `${t}: restarted`),
  );
});

test("intensity: max_restarts 0 gives up at the first crash", { timeout: 10_000 }, async () => {
  const r = await run(program(0, 1000, [5]));
  assert.deepEqual(r.out, ["5: gave up"]);
});

test("grace time: a trapping child that ignores shutdown is killed after 5000 ms (virtual)", { timeout: 10_000 }, async () => {
  const r = await run(`
fn stubborn(parent: process) {
    vm.trap_exits(true);
    vm.send(parent, vm.self());
    loop { let e: exit = vm.receive(); }
}
let me: process = vm.self();
let sup: process = vm.supervisor("one_for_one", 1, 1000);
vm.start_child(sup, "permanent", stubborn, me);
let w: process = vm.receive();
vm.monitor(w);
vm.kill(sup, "shutdown");
vm.advance(4999);
vm.sleep(0);
vm.println(w.alive());
vm.println(sup.alive());
vm.advance(1);
let e: exit = vm.receive();
vm.println(e.reason());
vm.println(vm.clock());
`);
  assert.deepEqual(r.out, ["true", "true", "killed", "5000"]);
});

test("logging: restarts and give-ups at info, and restart events", { timeout: 10_000 }, async () => {
  const r = await run(program(1, 5000, [0, 10]), "info");
  assert.match(r.err, /^INFO restart <0\.3> -> <0\.4> by <0\.2> \(one_for_one\)$/m);
  assert.match(r.err, /^INFO give_up <0\.2> \(2 restarts in 5000 ms\)$/m);
  assert.match(r.err, /^INFO exit <0\.2> shutdown$/m);
  const restarts = r.events.filter((e) => e.kind === "restart");
  assert.deepEqual(restarts, [{ kind: "restart", old: 3, pid: 4, supervisor: 2, strategy: "one_for_one" }]);
});

test("logging: one_for_all logs one line per restarted child", { timeout: 10_000 }, async () => {
  const r = await run(
    `
fn child(parent: process) {
    vm.send(parent, vm.self());
    let cmd: string = vm.receive();
    vm.error("boom");
}
let me: process = vm.self();
let sup: process = vm.supervisor("one_for_all", 1, 5000);
vm.start_child(sup, "permanent", child, me);
vm.start_child(sup, "permanent", child, me);
let a: process = vm.receive();
let b: process = vm.receive();
b.send("crash");
let a2: process = vm.receive();
let b2: process = vm.receive();
`,
    "info",
  );
  const lines = r.err.split("\n").filter((l) => l.includes("restart"));
  assert.deepEqual(lines, ["INFO restart <0.3> -> <0.5> by <0.2> (one_for_all)", "INFO restart <0.4> -> <0.6> by <0.2> (one_for_all)"]);
});

test("no logging at the default level", { timeout: 10_000 }, async () => {
  const r = await run(program(1, 5000, [0]));
  assert.doesNotMatch(r.err, /restart/);
});

test("errors: bad limits and non-supervisors are the calls' error values, with clear messages", { timeout: 10_000 }, async () => {
  let r = await run(`let sup: process = vm.supervisor("one_for_one", -1, 1000);\nvm.println(sup);`);
  assert.equal(r.exitCode, 1);
  assert.match(r.panic!, /max_restarts must be 0 or more, got -1/);
  r = await run(`let sup: process = vm.supervisor("one_for_one", 1, 0);\nif (sup is error) { vm.println(sup.code()); }\nvm.println(sup);`);
  assert.deepEqual(r.out, ["range"]);
  assert.match(r.panic!, /period_ms must be 1 or more, got 0/);
  r = await run(`fn w() { }\nvm.start_child(vm.self(), "permanent", w);`);
  assert.match(r.panic!, /<0\.1> is not a supervisor/);
  r = await run(`let sup: process = vm.supervisor("one_for_one", 1, 10);\nvm.kill(sup);\nvm.sleep(0);\nlet r = vm.set_strategy(sup, "one_for_all");\nif (r is error) { vm.println(r.code()); }\nvm.set_strategy(sup, "one_for_all");`);
  assert.deepEqual(r.out, ["noproc"]);
  assert.match(r.panic!, /<0\.2> is not alive \(expected a supervisor\)/);
  r = await run(`let sup: process = vm.supervisor("one_for_one", 1, 10);\nlet c: process = vm.restart_child(vm.self(), sup);\nif (c is error) { vm.println(c.code()); }`);
  assert.deepEqual(r.out, ["not_supervisor"]);
});
