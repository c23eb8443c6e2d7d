// `npm run bench`: Raft's benchmark suite. Each benchmark is a Kaylee program in bench/*.kl,
// run beside the same algorithm in plain JavaScript (bench/baselines.ts; the call row's is
// async/await, as JS request/reply is written) and, where `lua5.4`
// or `erl` is on PATH, in Lua and Erlang (bench/peers/). Prints a table of medians, ratios and
// peak memory; `--json` prints the same as data.
//
// How it measures:
// - Every (benchmark, implementation) pair runs in its own child `node --expose-gc` process,
//   so that its peak RSS (process.resourceUsage().maxRSS) is its own and one benchmark's
//   garbage or JIT state does not leak into the next.
// - Raft: the program is compiled once with raft.compile(); each repetition times only
//   raft.run(module) (VM set-up and the run: the set-up is microseconds). The first
//   repetition also links the module and compiles its hot code to JS; later ones reuse both,
//   as a JS baseline's later repetitions reuse V8's compiled code. The table's median is
//   mostly of such warm runs, and "Raft 1st" / "JS 1st" show the first, cold, repetition
//   (the second tier's cache across runs is off here, so it is cold every time).
//   Compile time is reported separately in --json.
// - spawn: the program calls vm.bench_mark(k), a native the harness defines, which records
//   the time and the heap (heapUsed + external, after a full GC) at that point; the time and
//   bytes per process come from the difference between the marks, taken while all the
//   processes wait in receive. The JS baseline does the same around its scheduler.
// - Erlang runs with one scheduler (+S 1), as Raft and Lua use one core.
// - Peers time themselves (wall clock for Erlang, os.clock() CPU time for Lua) and print it,
//   so their VM start-up is excluded as Raft's compile is.
// A benchmark that fails (panic, wrong output, timeout, crash) is shown as "failed: reason"
// and the harness goes on.
//
// The "observe" row (bench/observe.ts) is the storm's throughput with --observe and a
// subscribed client (Raft column) beside the same without --observe (JS column).
//
// The parallel rows (bench/parallel.ts) run whole `raft run` processes on 1 scheduler and on
// one a core, alternating, with the speedup.
//
// The first-run rows (bench/cold.ts) run fib, loop, nbody, sort and strings whole, as fresh
// processes: `raft run` with an empty and with a warm second-tier cache, beside fresh `node`
// (and lua5.4, erl) processes.
//
// Flags: --quick (1 repetition, smaller sizes), --only NAME[,NAME] (also "startup", "observe", "parallel",
//        "cold": the first-run rows, all of them or those of the benchmarks named beside it),
//        --reps N, --rounds N (the implementations of each benchmark take turns N times, each
//        figure the median of its rounds' medians: for a machine that other work shares),
//        --json, --no-peers.

import { spawn as spawnChild, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Raft } from "../src/raft.js";
import * as base from "./baselines.js";
import { observeLoad, type ObserveLoad } from "./observe.js";
import { erlArgv } from "./erl.js";
import { childEnv } from "./child-env.js";
import { PARALLEL_ERL, parallelRows, parallelTable, type ParResult } from "./parallel.js";
import { COLD_ROWS, coldRows, coldTable, type ColdResult } from "./cold.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH_DIR = join(ROOT, "bench");
const SELF = fileURLToPath(import.meta.url);

type Impl = "raft" | "js" | "lua" | "erl";

interface Bench {
  name: string;
  what: string;
  /** Program arguments, full and quick. */
  full: number[];
  quick: number[];
  /** Repetitions in a full run. */
  reps: number;
  /** How to compare outputs between implementations. */
  check: "exact" | "approx" | "none";
  js: (args: number[], mark: (k: number) => void) => string | Promise<string>;
  /** Work units per run, for a rate column (messages, processes, instructions). */
  units?: (args: number[]) => { count: number; label: string };
  /** The program is bench/NAME.raft (assembly) rather than bench/NAME.kl. */
  source?: { file: string; jit?: "on" | "off" };
  /** The peers' program (bench/peers/PEER.lua, .erl) when it is not NAME's: the interpreter-only rows share one. */
  peer?: string;
}

const BENCHES: Bench[] = [
  { name: "fib", what: "fib(30), recursive calls", full: [30], quick: [25], reps: 5, check: "exact", js: (a) => base.fib(a[0]) },
  { name: "loop", what: "30M iterations of i32 (a*31+i)%1000003", full: [30_000_000], quick: [3_000_000], reps: 5, check: "exact", js: (a) => base.loop(a[0]) },
  {
    name: "asmloop", what: "the counting loop in assembly, compiled", full: [30_000_000], quick: [3_000_000], reps: 5, check: "exact",
    js: (a) => base.loop(a[0]), units: (a) => ({ count: a[0] * 11, label: "instr" }), source: { file: "asmloop.raft" },
  },
  {
    name: "asmloop-interp", what: "the counting loop in assembly, interpreter only", full: [30_000_000], quick: [3_000_000], reps: 5, check: "exact",
    js: (a) => base.loop(a[0]), units: (a) => ({ count: a[0] * 11, label: "instr" }), source: { file: "asmloop.raft", jit: "off" },
  },
  { name: "nbody", what: "n-body, f32, 50k steps (time only)", full: [50_000], quick: [10_000], reps: 5, check: "approx", js: (a) => base.nbody(a[0]) },
  // The same programs in the interpreter alone (RAFT_JIT=off): the first tier beside Lua's interpreter.
  { name: "fib-interp", what: "fib(30), interpreter only", full: [30], quick: [25], reps: 5, check: "exact", js: (a) => base.fib(a[0]), source: { file: "fib.kl", jit: "off" }, peer: "fib" },
  { name: "loop-interp", what: "the counting loop, interpreter only", full: [30_000_000], quick: [3_000_000], reps: 5, check: "exact", js: (a) => base.loop(a[0]), source: { file: "loop.kl", jit: "off" }, peer: "loop" },
  { name: "nbody-interp", what: "n-body, interpreter only", full: [50_000], quick: [10_000], reps: 5, check: "approx", js: (a) => base.nbody(a[0]), source: { file: "nbody.kl", jit: "off" }, peer: "nbody" },
  { name: "strings", what: "append 1M numbers to a string", full: [1_000_000], quick: [100_000], reps: 5, check: "exact", js: (a) => base.strings(a[0]) },
  { name: "sort", what: "fill and sort a 1M-integer vector", full: [1_000_000], quick: [100_000], reps: 5, check: "exact", js: (a) => base.sort(a[0]) },
  {
    name: "ring", what: "10,000 processes x 100 laps", full: [10_000, 100], quick: [1_000, 10], reps: 5, check: "exact",
    js: (a) => base.ring(a[0], a[1]), units: (a) => ({ count: a[0] * a[1], label: "msg/s" }),
  },
  {
    name: "call", what: "100,000 vm.call round trips to a server", full: [100_000], quick: [10_000], reps: 5, check: "exact",
    js: (a) => base.call(a[0]), units: (a) => ({ count: a[0], label: "call" }),
  },
  {
    name: "server", what: "1M requests (parse a line, update state, reply) from 4 clients", full: [1_000_000], quick: [100_000], reps: 5, check: "exact",
    js: (a) => base.server(a[0]), units: (a) => ({ count: a[0], label: "req" }),
  },
  {
    name: "spawn", what: "100,000 processes waiting in receive", full: [100_000], quick: [10_000], reps: 5, check: "exact",
    js: (a, mark) => base.spawn(a[0], mark), units: (a) => ({ count: a[0], label: "proc" }),
  },
  {
    name: "skynet", what: "1,111,111 processes, 1M leaves", full: [1_000_000], quick: [10_000], reps: 3, check: "exact",
    js: (a) => base.skynet(a[0]), units: (a) => ({ count: Math.round((a[0] * 10 - 1) / 9), label: "proc" }),
  },
];

// ── results ──────────────────────────────────────────────────────────────────────────────

interface Run {
  ok: boolean;
  error?: string;
  times: number[]; // ms per repetition (the measured part)
  medianMs?: number;
  output?: string;
  rssMB?: number;
  compileMs?: number;
  /** spawn: bytes and µs per process, per repetition. */
  bytesPerProc?: number[];
  usPerProc?: number[];
}

interface Row {
  name: string;
  what: string;
  args: number[];
  runs: Partial<Record<Impl, Run>>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ── child mode: run one implementation of one benchmark, print one JSON line ─────────────

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapNow = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function child(name: string, impl: Impl, reps: number, args: number[]): Promise<Run> {
  const b = BENCHES.find((x) => x.name === name)!;
  const times: number[] = [];
  const bytes: number[] = [];
  const us: number[] = [];
  let output = "";
  let marks: { t: number; heap: number }[] = [];
  const mark = (k: number): void => {
    if (k === 0) {
      gc();
      marks[0] = { t: performance.now(), heap: heapNow() };
    } else {
      const t = performance.now();
      gc();
      marks[k] = { t, heap: heapNow() };
    }
  };
  const perProc = (): void => {
    if (marks.length < 2) return;
    const n = args[0];
    us.push(((marks[1].t - marks[0].t) * 1000) / n);
    bytes.push((marks[1].heap - marks[0].heap) / n);
  };
  let compileMs: number | undefined;
  if (impl === "raft") {
    let out = "";
    // maxProcesses: the default (262,144, as Erlang's) is too few for skynet's 1,111,111; Erlang runs with +P 5000000.
    const src = BENCHES.find((x) => x.name === name)?.source;
    const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (out += s), args: args.map(String), seed: 1, maxProcesses: 5_000_000, jit: src?.jit ?? "on", exclusive: true, cache: false });
    raft.defineNative("bench_mark", ["integer"], "null", (k: number) => {
      mark(k);
      return null;
    });
    const file = join(BENCH_DIR, src?.file ?? `${name}.kl`);
    const source = readFileSync(file, "utf8");
    const c0 = performance.now();
    const { module, diagnostics } = file.endsWith(".raft") ? raft.assemble(source, file) : raft.compile(source, file);
    compileMs = performance.now() - c0;
    if (!module) return { ok: false, error: `compile error: ${diagnostics[0]?.title ?? "?"}`, times };
    for (let r = 0; r < reps; r++) {
      out = "";
      marks = [];
      gc();
      const t0 = performance.now();
      const res = await raft.run(module, { file });
      const t1 = performance.now();
      if (res.panic) return { ok: false, error: `panic: ${res.panic.message}`, times };
      if (res.exitCode !== 0) return { ok: false, error: `exit code ${res.exitCode}: ${out.trim().split("\n").pop()}`, times };
      times.push(marks.length >= 2 ? marks[1].t - marks[0].t : t1 - t0);
      perProc();
      output = out;
    }
  } else {
    for (let r = 0; r < reps; r++) {
      marks = [];
      gc();
      const t0 = performance.now();
      output = await b.js(args, mark);
      const t1 = performance.now();
      times.push(marks.length >= 2 ? marks[1].t - marks[0].t : t1 - t0);
      perProc();
    }
  }
  const run: Run = { ok: true, times, output, rssMB: process.resourceUsage().maxRSS / 1024, compileMs };
  if (bytes.length) {
    run.bytesPerProc = bytes;
    run.usPerProc = us;
  }
  return run;
}

// ── parent mode ──────────────────────────────────────────────────────────────────────────

function runChild(name: string, impl: "raft" | "js", reps: number, args: number[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const cp = spawnChild(process.execPath, ["--expose-gc", SELF, "--child", name, impl, String(reps), args.join(",")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timedOut = false;
    cp.stdout.on("data", (d) => (out += d));
    cp.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      timedOut = true;
      cp.kill("SIGKILL");
    }, timeoutMs);
    cp.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("@@RESULT "));
      if (line) return resolve(JSON.parse(line.slice(9)) as Run);
      const why = timedOut
        ? `timeout after ${Math.round(timeoutMs / 1000)} s`
        : /heap out of memory/.test(err)
          ? "out of memory"
          : `crashed (${signal ?? `exit ${code}`}): ${lastLine(err.split("\n").filter((l) => /Error|error:/.test(l)).join("\n") || err)}`;
      resolve({ ok: false, error: why, times: [] });
    });
  });
}

const lastLine = (s: string): string =>
  s
    .trim()
    .split("\n")
    .filter((l) => l.trim())
    .pop()
    ?.slice(0, 120) ?? "";

function onPath(cmd: string): boolean {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() !== "";
}

/** Runs a peer program `reps` times; it prints its output, then `@@ms <ms>` (and for spawn `@@bytes <per process>`). */
function runPeer(impl: "lua" | "erl", name: string, reps: number, args: number[], timeoutMs: number, erlDir: string | null): Run {
  const times: number[] = [];
  const bytes: number[] = [];
  const us: number[] = [];
  let output = "";
  for (let r = 0; r < reps; r++) {
    const cmd =
      impl === "lua"
        ? { bin: "lua5.4", argv: [join(BENCH_DIR, "peers", `${name}.lua`), ...args.map(String)] }
        : { bin: "erl", argv: erlArgv(erlDir!, name, args.map(String)) };
    const res = spawnSync(cmd.bin, cmd.argv, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 26 });
    if (res.error || res.status !== 0) {
      const why = res.error && /ETIMEDOUT/.test(String(res.error)) ? `timeout after ${Math.round(timeoutMs / 1000)} s` : `exit ${res.status}: ${lastLine(res.stderr || res.stdout)}`;
      return { ok: false, error: why, times };
    }
    const lines = res.stdout.split("\n");
    const ms = lines.find((l) => l.startsWith("@@ms "));
    if (!ms) return { ok: false, error: "no @@ms line", times };
    times.push(Number(ms.slice(5)));
    const by = lines.find((l) => l.startsWith("@@bytes "));
    if (by) {
      bytes.push(Number(by.slice(8)));
      us.push((Number(ms.slice(5)) * 1000) / args[0]);
    }
    output = lines.filter((l) => !l.startsWith("@@") && l !== "").map((l) => l + "\n").join("");
  }
  const run: Run = { ok: true, times, output };
  if (bytes.length) {
    run.bytesPerProc = bytes;
    run.usPerProc = us;
  }
  return run;
}

function compileErlang(): string | null {
  const dir = mkdtempSync(join(tmpdir(), "raft-bench-erl-"));
  const files = [...new Set([...BENCHES.map((b) => b.peer ?? b.name), ...PARALLEL_ERL].map((m) => join(BENCH_DIR, "peers", `${m}.erl`)))].filter(existsSync);
  const r = spawnSync("erlc", ["-o", dir, ...files], { encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`erlc failed: ${r.stderr || r.stdout}\n`);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return dir;
}

function sameOutput(check: Bench["check"], a: string, b: string): boolean {
  if (check === "none") return true;
  if (check === "exact") return a === b;
  const xs = a.trim().split("\n").map(Number);
  const ys = b.trim().split("\n").map(Number);
  return xs.length === ys.length && xs.every((x, i) => Math.abs(x - ys[i]) <= 1e-3 * Math.max(Math.abs(x), Math.abs(ys[i])));
}

/** Wall time of spawning a command, in ms (median of n). */
/** Wall time of one launch of `cmd argv`, or an error. */
function launch(cmd: string, argv: string[]): number | string {
  const t0 = performance.now();
  // The cache across runs off: the row measures start-up with the compiler, as it always has
  // (the first-run rows measure the cache), and the bench writes nothing into the user's cache.
  const r = spawnSync(cmd, argv, { encoding: "utf8", env: childEnv({ RAFT_CACHE: "off" }) });
  const t1 = performance.now();
  return r.status === 0 ? t1 - t0 : `exit ${r.status}: ${lastLine(r.stderr)}`;
}

interface Startup {
  raftMs: number;
  nodeMs: number;
  file: string;
  error?: string;
}

function startup(n: number): Startup {
  let file = join(ROOT, "examples", "hello.kl");
  let tmp: string | null = null;
  if (!existsSync(file)) {
    tmp = mkdtempSync(join(tmpdir(), "raft-bench-"));
    file = join(tmp, "hello.kl");
    writeFileSync(file, 'vm.println("Hello World");\n');
  }
  // Launches alternate (raft, node, raft, ...) so that a change in the machine's load
  // affects both columns alike; one warm-up launch of each first (disk cache).
  const raft: number[] = [];
  const node: number[] = [];
  let error: string | undefined;
  for (let i = 0; i <= n && error === undefined; i++) {
    const r = launch(process.execPath, [join(ROOT, "bin", "raft.js"), "run", file]);
    const b = launch(process.execPath, ["-e", "0"]);
    if (typeof r === "string") error = r;
    else if (i > 0) raft.push(r);
    if (typeof b === "number" && i > 0) node.push(b);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  return { raftMs: error ? NaN : median(raft), nodeMs: median(node), file: tmp ? "(temp) hello.kl" : "examples/hello.kl", error };
}

// ── formatting ───────────────────────────────────────────────────────────────────────────

const fmtMs = (ms: number): string => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
const fmtRate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const fmtRatio = (a: number, b: number): string => `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x`;

function rateNote(b: Bench, args: number[], r: Run | undefined): string {
  if (!r?.ok || !b.units) return "";
  const u = b.units(args);
  if (r.bytesPerProc?.length) return `${median(r.usPerProc!).toFixed(2)} µs, ${median(r.bytesPerProc).toFixed(0)} B /proc`;
  if (u.label === "msg/s") return `${fmtRate(u.count / (r.medianMs! / 1000))} msg/s`;
  if (u.label === "instr") return `${((r.medianMs! * 1e6) / u.count).toFixed(2)} ns/instr`;
  if (u.label === "call") return `${((r.medianMs! * 1000) / u.count).toFixed(2)} µs/call`;
  if (u.label === "req") return `${((r.medianMs! * 1000) / u.count).toFixed(2)} µs/req`;
  return `${((r.medianMs! * 1000) / u.count).toFixed(2)} µs/proc`;
}

/** A failure for the table, cut short (--json has the whole reason). */
const failed = (why: string | undefined): string => {
  const w = why ?? "?";
  return `failed: ${w.length > 60 ? w.slice(0, 59) + "…" : w}`;
};

function table(rows: Row[], peers: Impl[], st: Startup | null, ob: ObserveLoad | null): string {
  const head = ["benchmark", "Raft", "JS", "Raft/JS", "Raft 1st", "JS 1st", "Raft RSS", "JS RSS", "Raft per unit", "JS per unit", ...peers.map((p) => `Raft/${p === "lua" ? "Lua" : "Erlang"}`)];
  const body: string[][] = [];
  for (const row of rows) {
    const b = BENCHES.find((x) => x.name === row.name)!;
    const r = row.runs.raft;
    const j = row.runs.js;
    const cell = (x: Run | undefined) => (x ? (x.ok ? fmtMs(x.medianMs!) : failed(x.error)) : "—");
    const ratio = r?.ok && j?.ok ? fmtRatio(r.medianMs!, j.medianMs!) : "—";
    const first = (x: Run | undefined) => (x?.ok && x.times.length ? fmtMs(x.times[0]) : "—");
    const rss = (x: Run | undefined) => (x?.ok && x.rssMB ? `${x.rssMB.toFixed(0)} MB` : "—");
    const peerCells = peers.map((p) => {
      const x = row.runs[p];
      if (!x) return "—";
      if (!x.ok) return failed(x.error);
      return r?.ok ? `${fmtRatio(r.medianMs!, x.medianMs!)} (${fmtMs(x.medianMs!)})` : fmtMs(x.medianMs!);
    });
    body.push([row.name, cell(r), cell(j), ratio, first(r), first(j), rss(r), rss(j), rateNote(b, row.args, r), rateNote(b, row.args, j), ...peerCells]);
  }
  if (st) {
    body.push([
      "startup",
      st.error ? `failed: ${st.error}` : fmtMs(st.raftMs),
      fmtMs(st.nodeMs),
      st.error ? "—" : fmtRatio(st.raftMs, st.nodeMs),
      "—",
      "—",
      "—",
      "—",
      `raft run ${st.file}`,
      "node -e 0",
      ...peers.map(() => "—"),
    ]);
  }
  if (ob) {
    // The storm's throughput without and with --observe and a subscribed client (bench/observe.ts).
    const ok = !ob.error;
    body.push([
      "observe",
      ok ? `${fmtRate(ob.observedRate)} msg/s` : failed(ob.error),
      ok ? `${fmtRate(ob.plainRate)} msg/s` : "—",
      ok ? `${(ob.ratio * 100).toFixed(1)}%` : "—",
      "—",
      "—",
      "—",
      "—",
      ok ? `frames ≤ ${ob.maxGapMs.toFixed(0)} ms apart` : "—",
      `${ob.processes / 1000}k procs, no --observe`,
      ...peers.map(() => "—"),
    ]);
  }
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ") + " |";
  const sep = "|" + w.map((x, i) => (i === 0 ? ":" + "-".repeat(x + 1) : "-".repeat(x + 1) + ":")).join("|") + "|";
  return [line(head), sep, ...body.map(line)].join("\n") + "\n";
}

// ── main ─────────────────────────────────────────────────────────────────────────────────

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--child") {
    const [, name, impl, reps, args] = argv;
    const run = await child(name, impl as Impl, Number(reps), args.split(",").map(Number));
    process.stdout.write(`@@RESULT ${JSON.stringify(run)}\n`);
    return 0;
  }
  const quick = argv.includes("--quick");
  const json = argv.includes("--json");
  const noPeers = argv.includes("--no-peers");
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? "").split(",").filter(Boolean)) : null;
  const repsAt = argv.indexOf("--reps");
  const repsFlag = repsAt >= 0 ? Number(argv[repsAt + 1]) : null;
  const roundsAt = argv.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Math.max(1, Number(argv[roundsAt + 1]) || 1) : 1;
  if (argv.includes("--help")) {
    process.stdout.write("usage: node dist/bench/run.js [--quick] [--only NAME[,NAME]] [--reps N] [--rounds N] [--json] [--no-peers]\n");
    process.stdout.write(`benchmarks: ${BENCHES.map((b) => b.name).join(", ")}, startup, observe, parallel (par-fib, seq-fib, skynet, ring, spawn on 1 and N schedulers), cold (${COLD_ROWS.map((r) => r.name).join(", ")} as fresh processes)\n`);
    return 0;
  }
  if (only) {
    const known = new Set([...BENCHES.map((b) => b.name), "startup", "observe", "parallel", "cold"]);
    const bad = [...only].filter((n) => !known.has(n));
    if (bad.length || only.size === 0) {
      process.stderr.write(`unknown benchmark: ${bad.join(", ") || "(none)"}; known: ${[...known].join(", ")}\n`);
      return 2;
    }
  }
  const peers: ("lua" | "erl")[] = noPeers ? [] : (["lua", "erl"] as const).filter((p) => onPath(p === "lua" ? "lua5.4" : "erl") && (p === "lua" || onPath("erlc")));
  const erlDir = peers.includes("erl") ? compileErlang() : null;
  const log = (s: string) => {
    if (!json) process.stderr.write(s);
  };
  const timeout = quick ? 60_000 : 240_000;
  const rows: Row[] = [];
  const t0 = performance.now();
  for (const b of BENCHES) {
    if (only && !only.has(b.name)) continue;
    const args = quick ? b.quick : b.full;
    const reps = repsFlag ?? (quick ? 1 : b.reps);
    const row: Row = { name: b.name, what: b.what, args, runs: {} };
    // --rounds N: the implementations take turns N times (a change in the machine's load
    // falls on all of them alike); each one's figure is the median of its rounds' medians.
    const medians: Partial<Record<Impl, number[]>> = {};
    for (let round = 0; round < rounds; round++)
    for (const impl of ["raft", "js", ...peers] as Impl[]) {
      if ((impl === "lua" || impl === "erl") && !existsSync(join(BENCH_DIR, "peers", `${b.peer ?? b.name}.${impl}`))) continue;
      if (round > 0 && !row.runs[impl]?.ok) continue;
      log(`${b.name} (${args.join(" ")}) ${impl} x${reps}${rounds > 1 ? ` (round ${round + 1} of ${rounds})` : ""} ... `);
      let run: Run;
      if (impl === "raft" || impl === "js") run = await runChild(b.name, impl, reps, args, timeout);
      else if (impl === "erl" && !erlDir) run = { ok: false, error: "erlc failed", times: [] };
      else run = runPeer(impl, b.peer ?? b.name, reps, args, timeout, erlDir);
      if (run.ok) (medians[impl] ??= []).push(median(run.times));
      if (round > 0) {
        const first = row.runs[impl]!;
        if (run.ok) first.medianMs = median(medians[impl]!);
        else Object.assign(first, { ok: false, error: run.error });
        log(run.ok ? `${fmtMs(median(run.times))}\n` : `failed: ${run.error}\n`);
        continue;
      }
      if (run.ok) {
        run.medianMs = median(run.times);
        const ref = row.runs.js;
        if (impl !== "js" && ref?.ok && !sameOutput(impl === "raft" ? b.check : b.check === "exact" ? "exact" : "none", run.output ?? "", ref.output ?? "")) {
          run.ok = false;
          run.error = `wrong output ${JSON.stringify((run.output ?? "").slice(0, 40))}, expected ${JSON.stringify((ref.output ?? "").slice(0, 40))}`;
        }
      }
      row.runs[impl] = run;
      log(run.ok ? `${fmtMs(run.medianMs!)}\n` : `failed: ${run.error}\n`);
    }
    // Raft ran before JS: check its output now.
    const r = row.runs.raft;
    const j = row.runs.js;
    if (r?.ok && j?.ok && !sameOutput(b.check, r.output ?? "", j.output ?? "")) {
      r.ok = false;
      r.error = `wrong output ${JSON.stringify((r.output ?? "").slice(0, 40))}, expected ${JSON.stringify((j.output ?? "").slice(0, 40))}`;
    }
    rows.push(row);
  }
  let st: Startup | null = null;
  if (!only || only.has("startup")) {
    log("startup ... ");
    st = startup(quick ? 3 : 10);
    log(st.error ? `failed: ${st.error}\n` : `${fmtMs(st.raftMs)} (node -e 0: ${fmtMs(st.nodeMs)})\n`);
  }
  let ob: ObserveLoad | null = null;
  if (!only || only.has("observe")) {
    log("observe (100k processes, a message storm, with and without --observe) ... ");
    ob = await observeLoad(repsFlag ?? (quick ? 1 : 3), quick);
    log(ob.error ? `failed: ${ob.error}\n` : `${(ob.ratio * 100).toFixed(1)}% of the throughput, frames at most ${ob.maxGapMs.toFixed(0)} ms apart\n`);
  }
  let par: ParResult[] = [];
  if (!only || only.has("parallel")) {
    log("parallel rows (whole raft run, 1 and N schedulers, alternating) ... ");
    par = parallelRows(ROOT, repsFlag ?? (quick ? 1 : 3), null, erlDir);
    log("done\n");
  }
  let cold: ColdResult[] = [];
  if (!only || only.has("cold")) {
    log("first-run rows (whole processes: raft run cold and cached, node, peers; alternating) ... ");
    const named = only ? COLD_ROWS.map((r) => r.name).filter((n) => only.has(n)) : [];
    const same = (name: string, a: string, b: string) => sameOutput(BENCHES.find((x) => x.name === name)!.check, a, b);
    cold = await coldRows({ root: ROOT, reps: repsFlag ?? (quick ? 1 : 7), quick, peers, erlDir, only: named.length ? new Set(named) : null, same });
    log("done\n");
  }
  if (erlDir) rmSync(erlDir, { recursive: true, force: true });
  const totalS = (performance.now() - t0) / 1000;
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? "?", cores: cpus().length, platform: `${process.platform}-${process.arch}` };
  if (json) {
    process.stdout.write(JSON.stringify({ machine, quick, totalSeconds: totalS, peers, results: rows, startup: st, observe: ob, parallel: par, cold }, null, 2) + "\n");
  } else {
    process.stdout.write(`\nRaft benchmarks — node ${machine.node}, ${machine.cpu} (${machine.cores} cores)${quick ? ", --quick" : ""}; medians; time excludes compile\n\n`);
    if (rows.length || st || ob) process.stdout.write(table(rows, peers, st, ob));
    if (par.length) process.stdout.write("\n" + parallelTable(par));
    if (cold.length) process.stdout.write("\n" + coldTable(cold, peers));
    process.stdout.write(`\ntotal ${totalS.toFixed(0)} s\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
