// The observer's cost under load: bench/storm.kl (100,000 processes in a ring, 1,000 tokens
// going round at once) run on one scheduler with and without `--observe`, alternately, each
// in its own `raft run --schedulers=1` child. With --observe, a small subscriber in this
// process (not a browser, so that it does not compete with the VM for the cores) reads the
// page's stream the whole time and records when each frame arrives. Reports the storm's
// throughput both ways (the program times the storm itself, so start-up and spawning are
// left out), the median of the per-pair ratios, and the longest gap between two frames.
//
//     npm run build && node dist/bench/observe.js [--reps N] [--quick]
//
// `npm run bench` shows it as the "observe" row.

import { spawn } from "node:child_process";
import { get } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ObserveLoad {
  /** Messages per second of the storm, median over the runs, without and with --observe. */
  plainRate: number;
  observedRate: number;
  /**
   * The median over pairs of runs (one without, then one with, adjacent in time) of each
   * pair's observed/plain throughput: a change in the machine's load between pairs cancels
   * out, which a ratio of the two medians does not.
   */
  ratio: number;
  /** The longest time between two frames the subscriber received while a storm ran (ms). */
  maxGapMs: number;
  frames: number;
  messages: number;
  processes: number;
  error?: string;
}

interface One {
  ms: number;
  gaps: number[];
  frames: number;
}

/** One `raft run bench/storm.kl`, optionally observed by a subscriber. */
function runOnce(args: number[], observe: boolean): Promise<One> {
  return new Promise((resolve, reject) => {
    // On one scheduler, as the row has always measured (the storm would not go parallel anyway):
    // the observer's cost to the VM, with no other thread to share it.
    const flags = ["--schedulers=1", ...(observe ? ["--observe"] : [])];
    // The cache across runs off: the bench writes nothing into the user's cache.
    const child = spawn(process.execPath, [join(ROOT, "bin", "raft.js"), "run", ...flags, join(ROOT, "bench", "storm.kl"), ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RAFT_CACHE: "off" } });
    let out = "";
    let err = "";
    const at: number[] = [];
    let sub: ReturnType<typeof get> | null = null;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d: string) => {
      err += d;
      const m = /observe: (http:\/\/\S+)\/\?token=(\w+)/.exec(err);
      if (m && !sub) {
        sub = get(`${m[1]}/stream?token=${m[2]}`, (res) => {
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            // One "event: frame" per frame (a frame may arrive in several chunks).
            for (let k = chunk.indexOf("event: frame"); k >= 0; k = chunk.indexOf("event: frame", k + 1)) at.push(performance.now());
          });
          res.on("error", () => {});
        });
        sub.on("error", () => {});
      }
    });
    child.on("close", (code) => {
      sub?.destroy();
      if (code !== 0) return reject(new Error(`storm exited ${code}: ${err.trim().split("\n").pop()}`));
      const ms = Number(out.trim());
      const gaps = at.slice(1).map((t, i) => t - at[i]);
      resolve({ ms, gaps, frames: at.length });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function observeLoad(reps = 3, quick = false): Promise<ObserveLoad> {
  const args = quick ? [100_000, 1000, 1000] : [100_000, 1000, 4000];
  const messages = args[1] * args[2];
  const plain: number[] = [];
  const observed: number[] = [];
  let maxGap = 0;
  let frames = 0;
  try {
    // Alternate, so that a change in the machine's load affects both alike.
    for (let i = 0; i < reps; i++) {
      plain.push((await runOnce(args, false)).ms);
      const o = await runOnce(args, true);
      observed.push(o.ms);
      // The frames before the storm (while spawning and sleeping) count too: the page must
      // stay live the whole run.
      maxGap = Math.max(maxGap, ...o.gaps);
      frames += o.frames;
    }
  } catch (e) {
    return { plainRate: NaN, observedRate: NaN, ratio: NaN, maxGapMs: NaN, frames, messages, processes: args[0], error: (e as Error).message };
  }
  const plainRate = messages / (median(plain) / 1000);
  const observedRate = messages / (median(observed) / 1000);
  const ratio = median(plain.map((ms, i) => ms / observed[i]));
  return { plainRate, observedRate, ratio, maxGapMs: maxGap, frames, messages, processes: args[0] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const repsAt = argv.indexOf("--reps");
  const r = await observeLoad(repsAt >= 0 ? Number(argv[repsAt + 1]) : 3, argv.includes("--quick"));
  if (r.error) {
    process.stderr.write(`observe load: failed: ${r.error}\n`);
    process.exitCode = 1;
  } else {
    const f = (x: number) => `${(x / 1e3).toFixed(0)} k msg/s`;
    process.stdout.write(
      `${r.processes} processes, ${r.messages} messages: without --observe ${f(r.plainRate)}, with --observe and a subscriber ${f(r.observedRate)} ` +
        `(${(r.ratio * 100).toFixed(1)}%); ${r.frames} frames, longest gap ${r.maxGapMs.toFixed(0)} ms\n`,
    );
    if (r.ratio < 0.9 || r.maxGapMs > 1000) process.exitCode = 1;
  }
}
