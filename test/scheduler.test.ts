// Processes under the scheduler: random programs of spawns, sends, kills, links and monitors
// (fast-check, fixed seed) must lose no message between live processes, duplicate none, fire
// every monitor exactly once, and give the same output when run again. Also: a hundred
// thousand processes waiting in receive.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Raft } from "../src/raft.js";
import { SLICE } from "../src/vm/scheduler.js";

type Step = { op: "send"; to: number } | { op: "kill"; who: number } | { op: "link"; who: number } | { op: "spin"; n: number };

const WORKERS = 5;

/** A Kaylee program that performs `steps` from main over WORKERS echo processes. */
function programFor(steps: Step[]): string {
  const lines = [
    "fn echo(parent: process, busy: integer) {",
    "    loop {",
    "        let m: integer = vm.receive();",
    "        let i: integer = 0;",
    "        loop { if (i == busy) { break; } i++; }",
    "        vm.send(parent, m);",
    "    }",
    "}",
    "vm.trap_exits(true);",
    "let w: vector[process] = [];",
    "let k: integer = 0;",
    `loop { if (k == ${WORKERS}) { break; } let p: process = vm.spawn(echo, vm.self(), k * 3000); vm.monitor(p); w.push(p); k++; }`,
    "let got: integer = 0;",
  ];
  let id = 0;
  for (const s of steps) {
    if (s.op === "send") {
      id++;
      lines.push(`if (w[${s.to}].alive()) { w[${s.to}].send(${id}); let r: integer = vm.receive(); vm.println("echo " + r.into()); got++; }`);
    } else if (s.op === "kill") {
      lines.push(`vm.kill(w[${s.who}]);`);
    } else if (s.op === "link") {
      lines.push(`if (w[${s.who}].alive()) { vm.link(w[${s.who}]); vm.println("linked ${s.who}"); }`);
    } else {
      lines.push(`let spin${id}_${lines.length}: integer = 0; loop { if (spin${id}_${lines.length} == ${s.n}) { break; } spin${id}_${lines.length}++; }`);
    }
  }
  lines.push(`k = 0;`, `loop { if (k == ${WORKERS}) { break; } vm.kill(w[k]); k++; }`);
  // Every monitor fires exactly once; a linked worker's exit also arrives (main traps exits).
  lines.push(
    "let notices: integer = 0;",
    "loop {",
    "    let e: exit = vm.receive(50);",
    "    if (e is error) { break; }",
    '    vm.println("exit " + e.reason());',
    "    notices++;",
    "}",
    'vm.println("notices " + notices.into());',
    "let extra: integer = vm.receive(20){default: -1};",
    'vm.println("extra " + extra.into());',
  );
  return lines.join("\n");
}

/** What the program must print, worked out from the steps alone. */
function expected(steps: Step[]): string[] {
  const alive = new Array(WORKERS).fill(true);
  const linked = new Array(WORKERS).fill(false);
  const out: string[] = [];
  let id = 0;
  for (const s of steps) {
    if (s.op === "send") {
      id++;
      if (alive[s.to]) out.push(`echo ${id}`);
    } else if (s.op === "kill") alive[s.who] = false;
    else if (s.op === "link" && alive[s.who]) {
      linked[s.who] = true;
      out.push(`linked ${s.who}`);
    }
  }
  const notices = WORKERS + linked.filter(Boolean).length;
  for (let i = 0; i < notices; i++) out.push("exit killed");
  out.push(`notices ${notices}`, "extra -1");
  return out;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("send" as const), to: fc.nat(WORKERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("kill" as const), who: fc.nat(WORKERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("link" as const), who: fc.nat(WORKERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("spin" as const), n: fc.integer({ min: 0, max: 20000 }) }) },
);

async function run(src: string, jit: "on" | "eager" | "off" = "on"): Promise<{ out: string; code: number }> {
  let out = "";
  const r = await new Raft({ stdout: (s) => (out += s), stderr: () => {}, jit }).run(src, { file: "sched.kl" });
  return { out, code: r.exitCode };
}

test("property: no message lost or duplicated, every monitor fires once, same program same output", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
      const src = programFor(steps);
      const a = await run(src);
      assert.equal(a.code, 0, a.out);
      assert.deepEqual(a.out.trimEnd().split("\n"), expected(steps));
      const b = await run(src, "eager");
      assert.equal(b.out, a.out, "the second tier must give the same output");
    }),
    { numRuns: 25, seed: 4242 },
  );
});

test("a hundred thousand processes wait in receive, then are all messaged", async () => {
  const src = `fn wait(parent: process) { let n: integer = vm.receive(); vm.send(parent, n); }
let ps: vector[process] = [];
let i: integer = 0;
loop { if (i == 100000) { break; } ps.push(vm.spawn(wait, vm.self())); i++; }
for p in ps { p.send(1); }
let total: integer = 0;
loop { if (total == 100000) { break; } let n: integer = vm.receive(); total += n; }
vm.println(total);`;
  const r = await run(src);
  assert.equal(r.code, 0);
  assert.equal(r.out, "100000\n");
});

test("two processes' messages arrive in the order each sent them, under preemption", async () => {
  const src = `fn producer(to: process, tag: integer) {
    let i: integer = 0;
    loop { if (i == 3000) { break; } vm.send(to, (tag, i)); i++; }
}
vm.spawn(producer, vm.self(), 0);
vm.spawn(producer, vm.self(), 1);
let next: vector[integer] = [0, 0];
let ok: bool = true;
let n: integer = 0;
loop {
    if (n == 6000) { break; }
    let m: (integer, integer) = vm.receive();
    if (m.1 != next[m.0]) { ok = false; }
    next[m.0] = m.1 + 1;
    n++;
}
vm.println(ok);`;
  const r = await run(src);
  assert.equal(r.out, "true\n");
});


test("a slice that ends deep in compiled code earns a longer next slice; a shallow loop keeps the BEAM's 4,000", async () => {
  // Two deep recursions and a flat loop share one scheduler. Rebuilding compiled frames costs
  // about a microsecond each, so a process stopped d frames deep gets SLICE * d / 2 reductions
  // next time (at most 16 SLICEs): the debug log's slice lines show both rules at work.
  const src = `fn fib(n: integer) -> integer { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
fn deep(parent: process) { vm.send(parent, fib(27)); }
fn flat(parent: process) { let i: integer = 0; let s: integer = 0; loop { if (i == 3000000) { break; } s = (s + i) % 7; i++; } vm.send(parent, s); }
vm.spawn(deep, vm.self());
vm.spawn(deep, vm.self());
vm.spawn(flat, vm.self());
let a: integer = vm.receive();
let b: integer = vm.receive();
let c: integer = vm.receive();
vm.println(a + b + c);`;
  let err = "";
  let out = "";
  const raft = new Raft({ log: "debug", schedulers: 1, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  const r = await raft.run(src, { file: "slices.kl" });
  assert.equal(r.exitCode, 0, err.slice(-2000));
  assert.equal(out, `${2 * 196418 + ((((3000000 - 1) * 3000000) / 2) % 7)}\n`);
  // Slice lines in order, as [pid, reductions]; refills (nobody else waiting) lengthen a slice
  // too, so only the slices made while all three compete count.
  const all = err
    .split("\n")
    .filter((l) => l.startsWith("DEBUG slice ") && l.endsWith("reductions: budget spent, back in the run queue"))
    .map((l) => [l.split(" ")[2], Number(l.split(" ")[3])] as const);
  const lastDeep = Math.min(...["<0.2>", "<0.3>"].map((pid) => all.map(([q]) => q).lastIndexOf(pid)));
  const contended = all.slice(0, lastDeep);
  const deep = contended.filter(([q]) => q !== "<0.4>").map(([, n]) => n);
  const flat = contended.filter(([q]) => q === "<0.4>").map(([, n]) => n);
  assert.ok(deep.length > 4 && flat.length > 4, `premise: all three were preempted (${deep.length}, ${flat.length})`);
  assert.ok(deep.some((n) => n > SLICE), `some deep slice is longer than ${SLICE}: ${deep.join(" ")}`);
  assert.ok(deep.every((n) => n <= 16 * SLICE), deep.join(" "));
  assert.ok(flat.every((n) => n === SLICE), flat.join(" "));
});
