// `npm run soak [-- --minutes N]`: a mixed load on several concurrent `Raft` instances in one
// host for a bounded time (default 10 minutes) — supervised workers crashing at random, spawn
// storms, floods, big messages, file reads, sleeps, kills and processes running into their
// heap limit — then a report: processes run, messages, crashes restarted, peak RSS, memory
// charged, and what was lost (a reply that never came, a count that did not add up, a run
// that ended other than as it should). It fails (exit code 1) if anything was lost or if
// the peak RSS passed 2x the peak memory charged plus the fixed baseline (the RSS before the
// load, RSS_BASELINE_SLACK, and GC_LAG for garbage that V8 has not collected yet: RSS is
// sampled as it is, between collections); an abort of the host fails it by itself.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Raft, hostMemory } from "../src/index.js";
import { RSS_BASELINE_SLACK } from "../src/vm/heap.js";

/** One run of this program: `rounds` rounds of every kind of load; prints "lost N" at the end. */
const PROGRAM = `
fn worker(parent: process) {
    vm.send(parent, vm.self());
    loop {
        let job: integer = vm.receive();
        vm.send(parent, 1000 / job);            // job 0 crashes the worker
    }
}
fn short(parent: process) { vm.send(parent, 1.5); }
fn sink(parent: process, n: integer) {
    let c: integer = 0;
    loop { if (c == n) { break; } let s: string = vm.receive(); c++; }
    vm.send(parent, c);
}
fn echo(parent: process) { let v: vector[integer] = vm.receive(); vm.send(parent, v.length()); }
fn sleeper(parent: process, ms: integer) { vm.sleep(ms); vm.send(parent, 2.5); }
fn idle() { let never: string = vm.receive(); }
fn hog() { let v: vector[string] = []; loop { v.push("a string that takes some room"); } }

let rounds: integer = vm.args()[0].into(){panic};
let path: string = vm.args()[1];
let lost: integer = 0;
let sup: process = vm.supervisor("one_for_one", 100000, 1000);
vm.start_child(sup, "permanent", worker, vm.self());
let w: process = vm.receive();
let round: integer = 0;
loop {
    if (round == rounds) { break; }
    round++;
    // Supervised worker: jobs, and a crash now and then (job 0); the supervisor restarts it.
    let j: integer = 0;
    loop {
        if (j == 50) { break; }
        j++;
        let job: integer = vm.random_number(0, 9);
        vm.send(w, job);
        if (job == 0) {
            w = vm.receive(5000){default: w};
        } else {
            let r: integer = vm.receive(5000){default: -1};
            if (r != 1000 / job) { lost++; }
        }
    }
    // Spawn storm.
    let n: integer = vm.random_number(100, 1000);
    let i: integer = 0;
    loop { if (i == n) { break; } vm.spawn(short, vm.self()); i++; }
    i = 0;
    loop { if (i == n) { break; } let x: float = vm.receive(5000){default: -1.0}; if (x != 1.5) { lost++; } i++; }
    // Flood.
    let f: integer = vm.random_number(1000, 20000);
    let s: process = vm.spawn(sink, vm.self(), f);
    i = 0;
    loop { if (i == f) { break; } vm.send(s, "flood"); i++; }
    let got: integer = vm.receive(10000){default: -1};
    if (got != f) { lost++; }
    // A big message (up to 2 MB of integers) there and back.
    let big: vector[integer] = [];
    let m: integer = vm.random_number(1000, 250000);
    i = 0;
    loop { if (i == m) { break; } big.push(i); i++; }
    let e: process = vm.spawn(echo, vm.self());
    vm.send(e, big);
    let len: integer = vm.receive(10000){default: -1};
    if (len != m) { lost++; }
    // A file read.
    let text: string = vm.read_file(path);
    if (text is error) { lost++; } else { if (text.length() != 100000) { lost++; } }
    // Sleeps.
    i = 0;
    loop { if (i == 20) { break; } vm.spawn(sleeper, vm.self(), vm.random_number(0, 30)); i++; }
    i = 0;
    loop { if (i == 20) { break; } let x: float = vm.receive(5000){default: -1.0}; if (x != 2.5) { lost++; } i++; }
    // Kills.
    let k: integer = vm.random_number(10, 100);
    let victims: vector[process] = [];
    i = 0;
    loop { if (i == k) { break; } let v: process = vm.spawn(idle); vm.monitor(v); victims.push(v); i++; }
    for v in victims { vm.kill(v); }
    i = 0;
    loop { if (i == k) { break; } let ex: exit = vm.receive(5000); if (ex is error) { lost++; } else { if (ex.reason() != "killed") { lost++; } } i++; }
    // Now and then a process that grows until its heap limit stops it.
    if (vm.random_number(0, 4) == 0) {
        let h: process = vm.spawn(hog);
        vm.monitor(h);
        let hx: exit = vm.receive(30000);
        if (hx is error) { lost++; } else { if (hx.reason() != "heap_limit") { lost++; } }
    }
}
vm.println("lost " + lost.into());
vm.exit(0);
`;

function parseMinutes(argv: string[]): number {
  const i = argv.findIndex((a) => a === "--minutes" || a.startsWith("--minutes="));
  if (i < 0) return 10;
  const v = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--minutes: expected a positive number, got ${v}`);
  return n;
}

const MB = 1 << 20;
const INSTANCES = 4;
/** Garbage awaiting V8's next collection (its young generation and old-space allocation
 *  limit), which the memory tests exclude by collecting before they measure. */
const GC_LAG = 128 * MB;

async function main(): Promise<number> {
  const minutes = parseMinutes(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "raft-soak-"));
  const file = join(dir, "data.txt");
  writeFileSync(file, "z".repeat(100_000));
  const totals = { runs: 0, processes: 0, messages: 0, restarts: 0, lost: 0, bad: [] as string[] };
  let peakRss = 0;
  let peakAt = null as NodeJS.MemoryUsage | null;
  let peakCharged = 0;
  const rss0 = process.memoryUsage().rss;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peakRss) { peakRss = rss; peakAt = process.memoryUsage(); }
    const c = hostMemory().charged;
    if (c > peakCharged) peakCharged = c;
  };
  const sampler = setInterval(sample, 100);
  const t0 = Date.now();
  const deadline = t0 + minutes * 60_000;
  const progress = setInterval(() => {
    const m = (Date.now() - t0) / 60_000;
    process.stdout.write(`[${m.toFixed(1)} min] runs ${totals.runs}, processes ${totals.processes}, messages ${totals.messages}, restarts ${totals.restarts}, lost ${totals.lost}, peak RSS ${(peakRss / MB).toFixed(0)} MB, peak charged ${(peakCharged / MB).toFixed(0)} MB\n`);
  }, 60_000);

  const instance = async (k: number) => {
    let out = "";
    const raft = new Raft({
      stdout: (s) => (out += s),
      stderr: () => {},
      log: "error",
      allowRead: [dir],
      args: ["5", file],
      maxHeap: 16 * MB,
      seed: k + 1,
      onEvent: (e) => void (e.kind === "restart" && totals.restarts++),
    });
    while (Date.now() < deadline) {
      out = "";
      const r = await raft.run(PROGRAM, { file: `soak${k}.kl` });
      totals.runs++;
      totals.processes += r.stats.processes;
      totals.messages += r.stats.messages;
      const m = /^lost (\d+)$/m.exec(out);
      if (r.exitCode !== 0 || !m) {
        totals.bad.push(`instance ${k}: exit ${r.exitCode} ${r.panic?.message ?? ""} ${r.diagnostics.map((d) => d.title).join("; ")} ${out.slice(-200)}`);
        totals.lost++;
      } else totals.lost += Number(m[1]);
    }
  };
  const runs: Promise<void>[] = [];
  for (let k = 0; k < INSTANCES; k++) runs.push(instance(k));
  await Promise.all(runs);
  clearInterval(sampler);
  clearInterval(progress);
  sample();
  rmSync(dir, { recursive: true, force: true });

  const bound = rss0 + 2 * peakCharged + RSS_BASELINE_SLACK + GC_LAG;
  const ok = totals.lost === 0 && peakRss <= bound;
  process.stdout.write(
    [
      `soak: ${minutes} min, ${INSTANCES} concurrent Raft instances, ${totals.runs} runs`,
      `processes run: ${totals.processes}`,
      `messages: ${totals.messages}`,
      `crashes restarted: ${totals.restarts}`,
      `peak RSS: ${(peakRss / MB).toFixed(0)} MB (at start ${(rss0 / MB).toFixed(0)} MB)`,
      `memory charged: peak ${(peakCharged / MB).toFixed(0)} MB; bound on peak RSS ${(bound / MB).toFixed(0)} MB (start + 2x charged + ${RSS_BASELINE_SLACK / MB} MB + ${GC_LAG / MB} MB of garbage not yet collected)`,
      `lost: ${totals.lost}`,
      `at peak RSS: JS heap ${((peakAt ? peakAt.heapUsed : 0) / MB).toFixed(0)} MB used (garbage included) of ${((peakAt ? peakAt.heapTotal : 0) / MB).toFixed(0)} MB, external ${((peakAt ? peakAt.external : 0) / MB).toFixed(0)} MB`,
      ...totals.bad.slice(0, 10),
      ok ? "soak: ok" : "soak: FAILED",
    ].join("\n") + "\n",
  );
  return ok ? 0 : 1;
}

process.exitCode = await main();
