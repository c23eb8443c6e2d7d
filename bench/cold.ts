// The first-run rows of `npm run bench`: each program run whole, as a user runs it — a fresh
// `raft run` process, start-up, compile and the run included — beside a fresh `node` process
// running the same algorithm in plain JavaScript (bench/baselines.ts), and where installed a
// fresh `lua5.4` and `erl` running the peers (bench/peers/). Most `raft run` invocations are
// such a first run, so this is the figure a user feels.
//
// Two Raft columns: "cold" runs with an empty second-tier cache (a fresh folder each time,
// so what the run writes to it at its end is counted), "cached" is the next process with the
// cache that run left (vm/jit-cache.ts). Launches alternate (cold, cached, JS, peers, then
// again) so that a change in the machine's load falls on every column alike; one launch of
// each first warms the disk cache and is not counted. Medians.
//
// The JS baseline is bundled into one CommonJS file first (esbuild), so that its process
// starts as fast as a plain `node fib.js` can; without esbuild it runs dist/bench/cold-js.js
// (an ES module, a few ms slower to start). Children run with bench/child-env.ts's environment.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { childEnv } from "./child-env.js";
import { erlArgv } from "./erl.js";

export type ColdImpl = "raft" | "cached" | "js" | "lua" | "erl";

interface ColdRow {
  name: string;
  what: (n: number) => string;
  full: number[];
  quick: number[];
}

export const COLD_ROWS: ColdRow[] = [
  { name: "fib", what: (n) => `fib(${n})`, full: [30], quick: [25] },
  { name: "loop", what: (n) => `${n / 1e6}M iterations`, full: [30_000_000], quick: [3_000_000] },
  { name: "nbody", what: (n) => `${n / 1e3}k steps`, full: [50_000], quick: [10_000] },
  { name: "sort", what: (n) => (n >= 1e6 ? `${n / 1e6}M integers` : `${n / 1e3}k integers`), full: [1_000_000], quick: [100_000] },
  { name: "strings", what: (n) => (n >= 1e6 ? `${n / 1e6}M appends` : `${n / 1e3}k appends`), full: [1_000_000], quick: [100_000] },
];

export interface ColdResult {
  name: string;
  what: string;
  args: number[];
  /** Median wall-clock ms of the whole process, by implementation. */
  ms: Partial<Record<ColdImpl, number>>;
  /** Every launch's ms, by implementation. */
  times: Partial<Record<ColdImpl, number[]>>;
  error?: string;
}

export interface ColdSetup {
  root: string;
  reps: number;
  quick: boolean;
  peers: ("lua" | "erl")[];
  /** Compiled Erlang peers (compileErlang in run.ts), or null. */
  erlDir: string | null;
  /** Only these rows (null: all). */
  only: Set<string> | null;
  /** Same output? (run.ts's comparison, by the benchmark's check kind.) */
  same: (name: string, a: string, b: string) => boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The JS runner as one CommonJS file in `dir`, or the ES module under dist/bench. */
async function jsRunner(root: string, dir: string): Promise<string> {
  const entry = join(root, "dist", "bench", "cold-js.js");
  try {
    const { build } = await import("esbuild");
    const out = join(dir, "cold-js.cjs");
    await build({ entryPoints: [entry], outfile: out, bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "silent" });
    return out;
  } catch {
    return entry;
  }
}

/** Wall time of one launch and its output (peers' `@@` lines dropped), or an error. */
function launch(cmd: string, argv: string[], env: NodeJS.ProcessEnv): { ms: number; out: string } | string {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: "utf8", env, timeout: 300_000, maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) return `exit ${r.status ?? r.error?.message}: ${(r.stderr || r.stdout || "").trim().split("\n").pop()?.slice(0, 100)}`;
  return { ms, out: r.stdout.split("\n").filter((l) => !l.startsWith("@@") && l !== "").map((l) => l + "\n").join("") };
}

export async function coldRows(s: ColdSetup): Promise<ColdResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), "raft-bench-cold-"));
  const cacheDir = join(tmp, "cache");
  const js = await jsRunner(s.root, tmp);
  const env = childEnv({ RAFT_LOG: "" });
  delete env.RAFT_CACHE;
  const raftEnv = { ...env, RAFT_CACHE_DIR: cacheDir };
  const out: ColdResult[] = [];
  try {
    for (const row of COLD_ROWS) {
      if (s.only && !s.only.has(row.name)) continue;
      const args = (s.quick ? row.quick : row.full).map(String);
      const kl = join(s.root, "bench", `${row.name}.kl`);
      const impls: { impl: ColdImpl; run: () => ReturnType<typeof launch> }[] = [
        {
          impl: "raft",
          run: () => {
            rmSync(cacheDir, { recursive: true, force: true });
            return launch(process.execPath, [join(s.root, "bin", "raft.js"), "run", kl, ...args], raftEnv);
          },
        },
        { impl: "cached", run: () => launch(process.execPath, [join(s.root, "bin", "raft.js"), "run", kl, ...args], raftEnv) },
        { impl: "js", run: () => launch(process.execPath, [js, row.name, ...args], env) },
      ];
      const lua = join(s.root, "bench", "peers", `${row.name}.lua`);
      if (s.peers.includes("lua") && existsSync(lua)) impls.push({ impl: "lua", run: () => launch("lua5.4", [lua, ...args], env) });
      if (s.peers.includes("erl") && s.erlDir && existsSync(join(s.root, "bench", "peers", `${row.name}.erl`)))
        impls.push({ impl: "erl", run: () => launch("erl", erlArgv(s.erlDir!, row.name, args), env) });
      const res: ColdResult = { name: row.name, what: row.what(Number(args[0])), args: args.map(Number), ms: {}, times: {} };
      const outputs: Partial<Record<ColdImpl, string>> = {};
      for (let r = 0; r <= s.reps && !res.error; r++) {
        for (const { impl, run } of impls) {
          const x = run();
          if (typeof x === "string") {
            res.error = `${impl}: ${x}`;
            break;
          }
          outputs[impl] ??= x.out;
          if (r > 0) (res.times[impl] ??= []).push(x.ms);
        }
      }
      for (const { impl } of impls) {
        if (res.error) break;
        if (impl !== "js" && outputs.js !== undefined && !s.same(row.name, outputs[impl] ?? "", outputs.js)) {
          res.error = `${impl}: wrong output ${JSON.stringify((outputs[impl] ?? "").slice(0, 40))}, expected ${JSON.stringify(outputs.js.slice(0, 40))}`;
        }
        res.ms[impl] = median(res.times[impl] ?? []);
      }
      out.push(res);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** The first-run rows as a Markdown table: medians and ratios to the fresh JS process. */
export function coldTable(rows: ColdResult[], peers: ("lua" | "erl")[]): string {
  if (rows.length === 0) return "";
  const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "—" : `${ms.toFixed(0)} ms`);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? "—" : `${(a / b).toFixed(2)}x`);
  const peerHead = peers.map((p) => (p === "lua" ? "Lua" : "Erlang"));
  const lines = [
    `| first run | what | Raft cold | Raft cached | JS | cold/JS | cached/JS |${peerHead.map((p) => ` ${p} | cold/${p} |`).join("")}`,
    `|:--|:--|--:|--:|--:|--:|--:|${peers.map(() => "--:|--:|").join("")}`,
  ];
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${r.name} | ${r.what} | failed: ${r.error} | | | | |${peers.map(() => " | |").join("")}`);
      continue;
    }
    const m = r.ms;
    const peerCells = peers.map((p) => ` ${fmt(m[p])} | ${ratio(m.raft, m[p])} |`).join("");
    lines.push(`| ${r.name} | ${r.what} | ${fmt(m.raft)} | ${fmt(m.cached)} | ${fmt(m.js)} | ${ratio(m.raft, m.js)} | ${ratio(m.cached, m.js)} |${peerCells}`);
  }
  return lines.join("\n") + "\n";
}
