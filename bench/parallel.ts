// The parallel rows of `npm run bench`: whole `raft run` processes on one scheduler and on
// several (RAFT_SCHEDULERS), interleaved in one run, with the speedup. Each row is a program
// of bench/ run as a user runs it, start-up included, so what a second thread costs (its
// start, linking the module again, warming its own compiled code) is in the figure.
//
// Rows: par-fib (8 processes x fib(35), over a second of CPU-bound work to share), the same
// eight calls one after another in one process (the cost of preemption on one scheduler: 1
// scheduler's par-fib against seq-fib), skynet (1,111,111 processes), ring (10,000 processes,
// a token around it), ring-x (10,000 processes, 100 tokens going round at once, neighbours on
// different schedulers: RAFT_SPREAD=place puts new processes round the schedulers in turn, so
// every hop crosses threads), spawn (100,000 processes).

import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { childEnv } from "./child-env.js";
import { erlArgv } from "./erl.js";

interface ParRow {
  name: string;
  file: string;
  args: string[];
  what: string;
  /** Messages the program sends (a rate column: whole process, start-up included). */
  messages?: number;
  /** Its Erlang twin (bench/peers/MODULE.erl) and arguments, run as `erl +S 1` and `erl +S N`. */
  erl?: { module: string; args: string[] };
  /** Extra environment for the runs on several schedulers. */
  env?: Record<string, string>;
}

const ROWS: ParRow[] = [
  { name: "par-fib", file: "parfib.kl", args: ["8", "35"], what: "8 processes x fib(35)", erl: { module: "parfib", args: ["8", "35"] } },
  { name: "seq-fib", file: "seqfib.kl", args: ["8", "35"], what: "the same 8 calls in one process" },
  { name: "skynet", file: "skynet.kl", args: ["1000000"], what: "1,111,111 processes", erl: { module: "skynet", args: ["1000000"] } },
  { name: "ring", file: "ring.kl", args: ["10000", "100"], what: "10,000 processes x 100 laps" },
  { name: "ring-x", file: "ringpar.kl", args: ["10000", "100", "3"], what: "10,000 processes, 100 tokens x 3 laps, neighbours on different schedulers", messages: 3_000_000, erl: { module: "ringpar", args: ["10000", "100", "3"] }, env: { RAFT_SPREAD: "place" } },
  { name: "spawn", file: "spawnwait.kl", args: ["100000"], what: "100,000 processes waiting", erl: { module: "spawn", args: ["100000"] } },
];

export interface ParResult {
  name: string;
  what: string;
  /** Median wall-clock ms of the whole process, by scheduler count. */
  ms: Record<number, number>;
  messages?: number;
  /** Median wall-clock ms of the Erlang twin's whole `erl` process, by scheduler count (+S). */
  erlMs?: Record<number, number>;
  error?: string;
}

/** The Erlang modules the parallel rows compare with (compiled with the other peers). */
export const PARALLEL_ERL = ROWS.flatMap((r) => (r.erl ? [r.erl.module] : []));

/** Wall-clock ms of one whole process, or why it failed. */
function timeProcess(what: string, bin: string, argv: string[], env?: NodeJS.ProcessEnv): number | string {
  const t0 = performance.now();
  const r = spawnSync(bin, argv, { encoding: "utf8", timeout: 300_000, env });
  const ms = performance.now() - t0;
  if (r.status !== 0) return `${what}exit ${r.status}: ${(r.stderr || r.stdout).trim().split("\n")[0]}`;
  return ms;
}

function timeErl(erlDir: string, row: ParRow, schedulers: number): number | string {
  return timeProcess("erl ", "erl", erlArgv(erlDir, row.erl!.module, row.erl!.args, schedulers), childEnv());
}

function timeRun(root: string, row: ParRow, schedulers: number): number | string {
  const argv = [join(root, "bin/raft.js"), "run", "--max-processes=5000000", join(root, "bench", row.file), ...row.args];
  // The second tier's cache across runs off: every launch starts alike (the first-run rows measure the cache).
  return timeProcess("", process.execPath, argv, childEnv({ RAFT_SCHEDULERS: String(schedulers), RAFT_LOG: "", RAFT_CACHE: "off", ...(schedulers > 1 ? row.env : undefined) }));
}

/** Runs every row `reps` times on 1 and on `n` schedulers, alternating. */
export function parallelRows(root: string, reps: number, only: string[] | null, erlDir: string | null = null): ParResult[] {
  const n = Math.max(2, availableParallelism());
  const out: ParResult[] = [];
  for (const row of ROWS) {
    if (only && !only.includes(row.name) && !only.includes("parallel")) continue;
    const times: Record<number, number[]> = { 1: [], [n]: [] };
    const erl: Record<number, number[]> = { 1: [], [n]: [] };
    const withErl = erlDir !== null && row.erl !== undefined;
    let error: string | undefined;
    for (let r = 0; r < reps && !error; r++)
      for (const s of [1, n]) {
        const t = timeRun(root, row, s);
        if (typeof t === "string") error = t;
        else times[s].push(t);
        if (!withErl || error) continue;
        const e = timeErl(erlDir!, row, s);
        if (typeof e === "string") error = e;
        else erl[s].push(e);
      }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
    out.push({
      name: row.name,
      what: row.what,
      ms: { 1: med(times[1]), [n]: med(times[n]) },
      messages: row.messages,
      erlMs: withErl ? { 1: med(erl[1]), [n]: med(erl[n]) } : undefined,
      error,
    });
  }
  return out;
}

/** The parallel rows as a Markdown table. */
export function parallelTable(rows: ParResult[]): string {
  if (rows.length === 0) return "";
  const n = Math.max(...Object.keys(rows[0].ms).map(Number));
  const lines = [
    `| parallel | what | 1 scheduler | ${n} schedulers | speedup | ${n} schedulers, messages | erl +S 1 | erl +S ${n} | Raft/Erlang on ${n} |`,
    `|:--|:--|--:|--:|--:|--:|--:|--:|--:|`,
  ];
  const rate = (r: ParResult, ms: number) => (r.messages ? `${(r.messages / ms / 1000).toFixed(2)} M msg/s` : "");
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${r.name} | ${r.what} | failed: ${r.error} | | | | | | |`);
      continue;
    }
    const e = r.erlMs;
    const erl = e ? `${e[1].toFixed(0)} ms | ${e[n].toFixed(0)} ms | ${(r.ms[n] / e[n]).toFixed(2)}x` : "— | — | —";
    lines.push(`| ${r.name} | ${r.what} | ${r.ms[1].toFixed(0)} ms | ${r.ms[n].toFixed(0)} ms | ${(r.ms[1] / r.ms[n]).toFixed(2)}x | ${rate(r, r.ms[n])} | ${erl} |`);
  }
  return lines.join("\n") + "\n";
}
