// A child process for the memory tests (memory-rss.test.ts, memory-bounds.test.ts): runs one
// scenario through the embedding API in a fresh Node, so that what it measures of
// process.memoryUsage() is this scenario's alone, and prints one JSON line:
//   { outs: [stdout of each run], reasons: [exit reasons], rss0, rss, maxRss, charged, peak, ceiling }
// (bytes). Run with --expose-gc. `node mem-child.js KIND ARG`:
//   - `value KIND N`: one program builds N items of a value kind, then `vm.probe()` collects
//     garbage and reads RSS and the memory charged while the data is live;
//   - `runs K SOURCE-NAME`: K concurrent runs of one of the programs below, to their end;
//   - `read PATH`: vm.read_file(PATH) under --max-heap=1000000.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Raft, hostMemory } from "../src/index.js";

export interface ChildReport {
  outs: string[];
  reasons: string[];
  rss0: number;
  rss: number;
  maxRss: number;
  charged: number;
  peak: number;
  ceiling: number;
  /** A run went parallel (on several scheduler threads: RAFT_SCHEDULERS). */
  parallel: boolean;
}

/** Runs a scenario in a fresh Node (`nodeFlags` first) and returns its report. */
export function child(args: string[], nodeFlags: string[] = [], env: Record<string, string> = {}): ChildReport {
  const file = fileURLToPath(import.meta.url);
  // One scheduler unless a scenario asks for more: a scheduler thread is a V8 isolate of its
  // own, whose baseline the single-thread bounds do not include.
  const out = execFileSync(process.execPath, ["--expose-gc", ...nodeFlags, file, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 24, env: { ...process.env, RAFT_SCHEDULERS: "1", RAFT_SPREAD: "", ...env } });
  return JSON.parse(out.trim().split("\n").pop()!) as ChildReport;
}

declare const gc: () => void;

/** Programs that build N items of one kind and hold them while vm.probe() measures. */
export const VALUE_KINDS: Record<string, (n: number) => string> = {
  integers: (n) => build("vector[integer]", "v.push(i);", n),
  floats: (n) => build("vector[float]", "let f: float = i.into(); v.push(f * 0.37);", n),
  strings: (n) => build("vector[string]", 'let s: string = i.into(); v.push("item number " + s);', n),
  "long string": (n) => `let s: string = "x"; let i: integer = 0; loop { if (i == ${n}) { break; } s = s + "ab"; i++; } vm.probe(); vm.println(s.length());`,
  "nested vectors": (n) => build("vector[vector[integer]]", "v.push([i, i, i, i, i, i, i, i]);", n),
  "empty vectors": (n) => build("vector[vector[integer]]", "v.push([]);", n),
  tuples: (n) => build("vector[(integer, string, float)]", 'v.push((i, "t", 1.5));', n),
  "messages in flight": (n) => `fn idle() { vm.sleep(1000000); }
let q: process = vm.spawn(idle); let i: integer = 0;
loop { if (i == ${n}) { break; } vm.send(q, [i, i, i, i, i, i, i, i]); i++; }
vm.probe(); vm.exit(0);`,
  "messages handed to waiting receivers": (n) => `fn hold() { let v: vector[integer] = vm.receive(); let never: string = vm.receive(); }
let v: vector[integer] = []; let i: integer = 0;
loop { if (i == 100000) { break; } v.push(i); i++; }
let ps: vector[process] = []; i = 0;
loop { if (i == ${n}) { break; } ps.push(vm.spawn(hold)); i++; }
vm.sleep(10);
for p in ps { vm.send(p, v); }
vm.sleep(10);
vm.probe(); vm.exit(0);`,
  "linear memory": (n) => `let p: pointer = vm.alloc(${n}); vm.probe(); vm.println(1);`,
  processes: (n) => `fn w() { let x: integer = vm.receive(); } let i: integer = 0; loop { if (i == ${n}) { break; } vm.spawn(w); i++; } vm.probe(); vm.exit(0);`,
};

function build(type: string, push: string, n: number): string {
  return `let v: ${type} = []; let i: integer = 0; loop { if (i == ${n}) { break; } ${push} i++; } vm.probe(); vm.println(v.length());`;
}

/** After a pause, how many processes reported 1 ("held") and how many ended, by reason. */
const COUNT_OUTCOMES = `vm.sleep(300);
let held: integer = 0;
loop { let r: integer = vm.receive(0); if (r is error) { break; } held++; }
loop { let e: exit = vm.receive(0); if (e is error) { break; } vm.println(e.reason()); }
vm.println("held " + held.into()); vm.exit(0);`;

/** Programs for the regression scenarios (each run to its end, several at once). */
export const PROGRAMS: Record<string, string> = {
  // Pushes empty vectors until the heap limit or the host's ceiling stops it.
  "push-empty": `let v: vector[vector[integer]] = []; loop { v.push([]); }`,
  // 8 such processes at once; main reports how each ended.
  "push-empty-8": `fn hog() { let v: vector[vector[integer]] = []; loop { v.push([]); } }
let i: integer = 0; loop { if (i == 8) { break; } vm.monitor(vm.spawn(hog)); i++; }
i = 0; loop { if (i == 8) { break; } let e: exit = vm.receive(); vm.println(e.reason()); i++; }`,
  // 40 processes each allocating 60 MB of linear memory and holding it (an alloc refused is
  // an error value: using it as a pointer ends the process).
  "alloc-40": `fn hog(parent: process) { let p: pointer = vm.alloc(60000000); p.write_byte(1); vm.send(parent, 1); let never: string = vm.receive(); }
let i: integer = 0; loop { if (i == 40) { break; } vm.monitor(vm.spawn(hog, vm.self())); i++; }
${COUNT_OUTCOMES}`,
  // A 4 MB vector (500,000 integers) sent to 300 processes waiting for it.
  "handoff-300": `fn hold(parent: process) { let v: vector[integer] = vm.receive(); vm.send(parent, 1); let never: string = vm.receive(); }
let v: vector[integer] = []; let i: integer = 0;
loop { if (i == 500000) { break; } v.push(i); i++; }
let ps: vector[process] = []; i = 0;
loop { if (i == 300) { break; } let p: process = vm.spawn(hold, vm.self()); vm.monitor(p); ps.push(p); i++; }
vm.sleep(10);
for p in ps { vm.send(p, v); }
${COUNT_OUTCOMES}`,
};

function rss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  const outs: string[] = [];
  const reasons: string[] = [];
  let measured = { rss: 0, charged: 0 };
  let parallel = false;
  const raft = () => {
    let out = "";
    const r = new Raft({ stdout: (s) => (out += s), stderr: (s) => void (parallel ||= s.includes("goes parallel")), log: process.env.RAFT_SCHEDULERS ? "debug" : "error", maxHeap: mode === "value" ? 1 << 30 : undefined, onEvent: (e) => void (e.kind === "exit" && e.reason !== "normal" && reasons.push(e.reason)) });
    r.defineNative("probe", [], "null", () => {
      measured = { rss: rss(), charged: hostMemory().charged };
      return null;
    });
    return { r, out: () => out };
  };
  // Warm up: load everything a run needs, so that the baseline is Node with Raft running.
  await raft().r.run(`vm.println(1);`, { file: "warm.kl" });
  const rss0 = rss();
  if (mode === "value") {
    const { r, out } = raft();
    const res = await r.run(VALUE_KINDS[a](Number(b)), { file: "value.kl" });
    if (res.panic) reasons.push(res.panic.message);
    outs.push(out());
  } else if (mode === "read") {
    // vm.read_file(a) with read permission for it, under --max-heap=1000000.
    let out = "";
    const r = new Raft({ stdout: (s) => (out += s), stderr: () => {}, allowRead: [a], maxHeap: 1_000_000, args: [a] });
    await r.run(`let s: string = vm.read_file(vm.args()[0]);\nif (s is error) { vm.println(s.code()); } else { vm.println(s.length()); }\nvm.println(vm.memory() < 100000);`, { file: "read.kl" });
    outs.push(out);
  } else {
    const runs = Array.from({ length: Number(a) }, () => raft());
    const results = await Promise.all(runs.map(({ r }) => r.run(PROGRAMS[b], { file: `${b}.kl` })));
    results.forEach((res, i) => {
      if (res.panic) reasons.push(res.panic.message);
      outs.push(runs[i].out());
    });
    measured = { rss: rss(), charged: hostMemory().charged };
  }
  const m = hostMemory();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ outs, reasons: [...new Set(reasons)], rss0, rss: measured.rss, charged: measured.charged, maxRss, peak: m.peak, ceiling: m.ceiling, parallel }) + "\n");
}

if (process.argv[1]?.endsWith("mem-child.js")) await main();
