// Random actor programs, run through the real CLI, checked against what Erlang's semantics
// say must happen whatever the interleaving: every message arrives exactly once and in the
// order its sender sent it; every monitor fires exactly once, with the right reason; an exit
// signal travels a chain of links and stops at the first process that traps exits; a name
// registered by one process is reached by the others.
//
// The programs print only from main, after collecting every process's report by message, so
// their whole output is fixed by the program: each run must print exactly what the generator
// computed. They run on as many schedulers as RAFT_SCHEDULERS says (the suite runs them on one
// and on several), in both tiers.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Plan {
  workers: number;
  /** senders[s] = the worker index of each message sender s sends, in order; a negative index -1-w sends to worker w by its registered name. */
  senders: number[][];
  /** A chain of linked processes whose tail ends; which of them trap exits; how the tail ends. */
  chain: { length: number; traps: boolean[]; end: "panic" | "kill" | "reason" };
}

const plan: fc.Arbitrary<Plan> = fc
  .record({
    workers: fc.integer({ min: 1, max: 5 }),
    senders: fc.array(fc.array(fc.integer({ min: -5, max: 4 }), { maxLength: 40 }), { minLength: 1, maxLength: 5 }),
    chainLength: fc.integer({ min: 1, max: 8 }),
    traps: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    end: fc.constantFrom("panic" as const, "kill" as const, "reason" as const),
  })
  .map(({ workers, senders, chainLength, traps, end }) => ({
    workers,
    senders: senders.map((s) => s.map((t) => (t < 0 ? -1 - ((-1 - t) % workers) : t % workers))),
    chain: { length: chainLength, traps: traps.slice(0, chainLength).map((t, i) => t && i < chainLength - 1), end },
  }));

/** The Kaylee program for a plan. */
export function program(p: Plan): string {
  const sends = p.senders.map((s) => `[${s.join(", ")}]`).join(", ");
  const expected = Array.from({ length: p.workers }, (_, w) => p.senders.reduce((n, s) => n + s.filter((t) => t === w || t === -1 - w).length, 0));
  return `
// Workers count what they get and check each sender's order.
fn worker(parent: process, id: integer, expect: integer, senders: integer) {
    vm.register("w" + id.into(), vm.self());
    vm.send(parent, (id, "ready"));
    let last: vector[integer] = [];
    let k = 0;
    loop { if (k == senders) { break; } last.push(-1); k++; }
    let got = 0;
    let bad = 0;
    loop {
        if (got == expect) { break; }
        let m: (integer, integer) = vm.receive();
        if (m.1 <= last[m.0]) { bad++; }
        last[m.0] = m.1;
        got++;
    }
    let done: string = vm.receive();
    vm.send(parent, (id, "worker " + id.into() + " got " + got.into() + " out of order " + bad.into()));
}

fn sender(id: integer, script: vector[integer], workers: vector[process]) {
    let seq = 0;
    for t in script {
        if (t >= 0) {
            vm.send(workers[t], (id, seq));
        } else {
            let w: process = vm.whereis("w" + (-1 - t).into()){panic: "no such name"};
            vm.send(w, (id, seq));
        }
        seq++;
    }
}

// A link chain: each spawns the next linked; the tail ends as main tells it; trappers report.
fn link_node(parent: process, i: integer, n: integer, traps: vector[bool]) {
    if (traps[i]) { vm.trap_exits(true); }
    if (i + 1 < n) {
        vm.spawn_link(link_node, parent, i + 1, n, traps);
    } else {
        vm.send(parent, vm.self());
        let how: string = vm.receive();
        if (how == "panic") { let z = 0; vm.println(1 / z); }
        if (how == "reason") { vm.kill(vm.self(), "gave up"); }
        let never: string = vm.receive();
    }
    if (traps[i]) {
        let e: exit = vm.receive();
        vm.send(parent, (i, "node " + i.into() + " trapped " + e.reason()));
    } else {
        let never: string = vm.receive();
    }
}

let scripts: vector[vector[integer]] = [${sends}];
let expect: vector[integer] = [${expected.join(", ")}];
let workers: vector[process] = [];
let w = 0;
loop {
    if (w == ${p.workers}) { break; }
    let pid: process = vm.spawn(worker, vm.self(), w, expect[w], ${p.senders.length});
    vm.monitor(pid);
    workers.push(pid);
    w++;
}
let reports: vector[string] = [];
let r = 0;
loop { if (r == ${p.workers}) { break; } let ready: (integer, string) = vm.receive(); reports.push(""); r++; }
let senders: vector[process] = [];
let s = 0;
loop {
    if (s == ${p.senders.length}) { break; }
    let pid: process = vm.spawn(sender, s, scripts[s], workers);
    vm.monitor(pid);
    senders.push(pid);
    s++;
}
// Each sender's monitor fires once, normally; then the workers may finish.
let downs = 0;
loop {
    if (downs == ${p.senders.length}) { break; }
    let d: exit = vm.receive();
    if (d.reason() != "normal") { vm.println("sender ended: " + d.reason()); }
    downs++;
}
for pid in workers { vm.send(pid, "done"); }
let got = 0;
loop {
    if (got == ${p.workers}) { break; }
    let rep: (integer, string) = vm.receive();
    reports[rep.0] = rep.1;
    got++;
}
for line in reports { vm.println(line); }
let wd = 0;
loop {
    if (wd == ${p.workers}) { break; }
    let d: exit = vm.receive();
    if (d.reason() != "normal") { vm.println("worker ended: " + d.reason()); }
    wd++;
}
let extra: exit = vm.receive(20);
if (extra is error) { vm.println("no more notices"); } else { vm.println("an extra notice"); }

// The chain.
let traps: vector[bool] = [${p.chain.traps.join(", ")}];
let head: process = vm.spawn(link_node, vm.self(), 0, ${p.chain.length}, traps);
vm.monitor(head);
let tail: process = vm.receive();
${p.chain.end === "kill" ? "vm.kill(tail);" : `vm.send(tail, "${p.chain.end}");`}
let chain: vector[string] = [];
let c = 0;
loop { if (c == ${p.chain.length}) { break; } chain.push(""); c++; }
let creports = 0;
loop {
    if (creports == ${chainReports(p).length}) { break; }
    let rep: (integer, string) = vm.receive();
    chain[rep.0] = rep.1;
    creports++;
}
for line in chain { if (line != "") { vm.println(line); } }
${chainHeadEnds(p) === null ? `vm.println("head alive " + head.alive().into());` : `let hd: exit = vm.receive();
vm.println("head ended " + hd.reason());`}
`;
}

const TAIL_REASON = { panic: "division by zero", kill: "killed", reason: "gave up" };

/** Walks the chain from the tail's parent to the head: what each trapping node reports. */
function walkChain(p: Plan): { reports: string[]; headReason: string | null } {
  const { length, traps, end } = p.chain;
  let reason: string | null = TAIL_REASON[end];
  const reports: string[] = [];
  for (let i = length - 2; i >= 0 && reason !== null; i--) {
    if (traps[i]) {
      reports.push(`node ${i} trapped ${reason}`);
      reason = "normal"; // it reports and returns: a normal exit
    } else if (reason === "normal") reason = null; // a normal exit signal does not end it
  }
  return { reports: reports.reverse(), headReason: reason };
}

function chainReports(p: Plan): string[] {
  return walkChain(p).reports;
}

/** The head's exit reason, or null when the signal stops before it. */
function chainHeadEnds(p: Plan): string | null {
  return walkChain(p).headReason;
}

export function expectedOutput(p: Plan): string {
  const lines: string[] = [];
  for (let w = 0; w < p.workers; w++) {
    const n = p.senders.reduce((k, s) => k + s.filter((t) => t === w || t === -1 - w).length, 0);
    lines.push(`worker ${w} got ${n} out of order 0`);
  }
  lines.push("no more notices");
  lines.push(...chainReports(p));
  const end = chainHeadEnds(p);
  lines.push(end === null ? "head alive true" : `head ended ${end}`);
  return lines.join("\n") + "\n";
}

const dir = mkdtempSync(join(tmpdir(), "raft-actors-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(src: string, jit: string): { out: string; err: string; code: number | null } {
  const file = join(dir, "p.kl");
  writeFileSync(file, src);
  const r = spawnSync(process.execPath, ["bin/raft.js", "run", file], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1", RAFT_LOG: "error", RAFT_JIT: jit } });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

for (const jit of ["on", "eager"]) {
  test(`random actor programs: exactly once, per-sender order, monitors once (RAFT_JIT=${jit})`, () => {
    fc.assert(
      fc.property(plan, (p) => {
        const src = program(p);
        const r = run(src, jit);
        assert.equal(r.err, "", `no diagnostics or panics\n${src}`);
        assert.equal(r.out, expectedOutput(p), src);
        assert.equal(r.code, 0);
      }),
      { numRuns: 12 },
    );
  });
}
