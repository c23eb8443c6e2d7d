// `node dist/bench/ab.js --base DIR [--rounds N] [--reps N] NAME[:ARGS] ...`: an A/B of this
// build against another built checkout (DIR, e.g. a worktree of the commit before a change),
// interleaved, for a machine that other work shares. Each round runs every named benchmark
// once in each build, in a fresh `node` process each, alternating which build goes first; a
// run compiles the program, runs it REPS times and keeps the median of the warm repetitions.
// It reports wall time and the process's own CPU time (user + system, which time spent
// waiting for a core does not inflate), and per benchmark the median over rounds of the
// per-round ratio this/base, with its range: rounds are adjacent in time, so a ratio of one
// round is measured under one load. NAME is a program of bench/ (NAME.kl or NAME.raft);
// NAME-interp runs it with the second tier off; ARGS are its arguments, comma-separated.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const SELF = fileURLToPath(import.meta.url);
const HERE = resolve(fileURLToPath(new URL("../../", import.meta.url)));

interface Sample {
  wall: number;
  cpu: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Child: one build, one benchmark; prints the medians of the warm repetitions as JSON. */
async function child(root: string, spec: string, reps: number): Promise<void> {
  const [name, args = ""] = spec.split(":");
  const interp = name.endsWith("-interp");
  const base = interp ? name.slice(0, -"-interp".length) : name;
  const { Raft } = (await import(pathToFileURL(join(root, "dist/src/raft.js")).href)) as typeof import("../src/raft.js");
  const raft = new Raft({ stdout: () => {}, stderr: () => {}, args: args ? args.split(",") : [], seed: 1, jit: interp ? "off" : "on", exclusive: true });
  const kl = join(root, "bench", `${base}.kl`);
  const file = (() => {
    try {
      readFileSync(kl);
      return kl;
    } catch {
      return join(root, "bench", `${base}.raft`);
    }
  })();
  const src = readFileSync(file, "utf8");
  const { module } = file.endsWith(".raft") ? raft.assemble(src, file) : raft.compile(src, file);
  if (!module) throw new Error(`${file} does not compile`);
  const samples: Sample[] = [];
  for (let r = 0; r < reps; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await raft.run(module, { file });
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    if (res.panic || res.exitCode !== 0) throw new Error(`${spec} failed: ${res.panic?.message ?? res.exitCode}`);
    samples.push({ wall: t1 - t0, cpu: (c1.user + c1.system) / 1000 });
  }
  const warm = samples.length > 1 ? samples.slice(1) : samples;
  process.stdout.write(JSON.stringify({ wall: median(warm.map((s) => s.wall)), cpu: median(warm.map((s) => s.cpu)) }) + "\n");
}

function parent(argv: string[]): void {
  const opt = (k: string, d: string) => {
    const i = argv.indexOf(k);
    if (i < 0) return d;
    const v = argv[i + 1];
    argv.splice(i, 2);
    return v;
  };
  const baseDir = resolve(opt("--base", ""));
  const rounds = Number(opt("--rounds", "5"));
  const reps = Number(opt("--reps", "5"));
  if (!argv.length || baseDir === resolve("")) {
    process.stderr.write("usage: node dist/bench/ab.js --base DIR [--rounds N] [--reps N] NAME[:ARGS] ...\n");
    process.exit(2);
  }
  const builds = { base: baseDir, this: HERE };
  const got: Record<string, { base: Sample[]; this: Sample[] }> = {};
  for (let r = 0; r < rounds; r++) {
    for (const spec of argv) {
      const order = r % 2 === 0 ? (["base", "this"] as const) : (["this", "base"] as const);
      for (const which of order) {
        const p = spawnSync(process.execPath, ["--expose-gc", SELF, "--child", builds[which], spec, String(reps)], { encoding: "utf8" });
        if (p.status !== 0) throw new Error(`${which} ${spec}: ${p.stderr}`);
        ((got[spec] ??= { base: [], this: [] })[which]).push(JSON.parse(p.stdout.trim().split("\n").pop()!) as Sample);
      }
      process.stderr.write(".");
    }
  }
  process.stderr.write("\n");
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = ["| benchmark | base wall | this wall | this/base wall | base CPU | this CPU | this/base CPU: median of rounds [range] |", "|---|---:|---:|---:|---:|---:|---|"];
  for (const [spec, s] of Object.entries(got)) {
    const ratios = s.this.map((x, i) => x.cpu / s.base[i].cpu);
    const wall = (k: "base" | "this") => median(s[k].map((x) => x.wall));
    const cpu = (k: "base" | "this") => median(s[k].map((x) => x.cpu));
    lines.push(
      `| ${spec.split(":")[0]} | ${f(wall("base"))} ms | ${f(wall("this"))} ms | ${(wall("this") / wall("base")).toFixed(2)} | ${f(cpu("base"))} ms | ${f(cpu("this"))} ms | ${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}] |`,
    );
  }
  process.stdout.write(`${rounds} rounds, ${reps} repetitions a run (median of the warm ones)\n${lines.join("\n")}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") await child(argv[1], argv[2], Number(argv[3]));
else parent(argv);
