// The test programs: every `.kl` and `.raft` under test/programs and examples (but for a
// folder with its own run.mjs) and the shared conformance programs when they are beside the
// project run through the real CLI, as a user would run them, and must do what their
// comments say:
//
//   // expect: LINE          stdout, line by line (when any are given, stdout must be exactly these)
//   // expect contains: T    // expect not: T       // expect stderr: T
//   // expect panic: T       exit code 1 and stderr contains T
//   // expect error: L:C     a compile diagnostic at L:C (exit code 2); one directive per error,
//                            and the errors reported must be exactly those (positions exact)
//   // expect exit: N        // stdin: LINE   // flags: ...   // args: ...   // timeout: S
//   // one scheduler: WHY     the program synchronises by sleeping (its output depends on
//                            timing), so it runs on one scheduler also when the suite runs
//                            with RAFT_SCHEDULERS=2 RAFT_SPREAD=1 (processes spread over
//                            threads from the first spawn, to test the cross-thread paths)
//
// `RAFT_PROGRAMS=SUBSTR` runs only the programs whose path contains SUBSTR.
//
// Each program runs in both tiers: as the VM chooses (interpreter, compiling what gets hot)
// and with RAFT_JIT=eager (every eligible function compiled at its first call), and must
// behave the same. A JavaScript stack trace on stderr fails any program. The passes share
// one second-tier cache in a temporary folder (vm/jit-cache.ts), so the later passes run
// from what the first compiled: code from the cache must behave as freshly generated code.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { errorPositions } from "./helpers/diag-positions.js";

interface Expectations {
  lines: string[];
  contains: string[];
  not: string[];
  panic: string[];
  errors: string[];
  stderr: string[];
  stdin: string[];
  flags: string[];
  args: string[];
  exit: number;
  timeout: number;
  /** Why the program must run on one scheduler (its output depends on timing), or "". */
  oneScheduler: string;
}

const DIRECTIVE = /\/\/ (expect(?: contains| not| panic| error| stderr| exit)?|stdin|flags|args|timeout|one scheduler):(?: (.*))?$/;

export function parseExpectations(src: string): Expectations {
  const t: Expectations = { lines: [], contains: [], not: [], panic: [], errors: [], stderr: [], stdin: [], flags: [], args: [], exit: -1, timeout: 20, oneScheduler: "" };
  for (const raw of src.split("\n")) {
    const m = DIRECTIVE.exec(raw);
    if (!m) continue;
    const v = (m[2] ?? "").replace(/\r$/, "");
    const words = () => v.split(/\s+/).filter(Boolean);
    switch (m[1]) {
      case "expect":
        t.lines.push(v);
        break;
      case "expect contains":
        t.contains.push(v);
        break;
      case "expect not":
        t.not.push(v);
        break;
      case "expect panic":
        t.panic.push(v);
        break;
      case "expect error":
        t.errors.push(v.trim());
        break;
      case "expect stderr":
        t.stderr.push(v);
        break;
      case "expect exit":
        t.exit = Number(v);
        break;
      case "stdin":
        t.stdin.push(v);
        break;
      case "flags":
        t.flags.push(...words());
        break;
      case "args":
        t.args.push(...words());
        break;
      case "timeout":
        t.timeout = Number(v);
        break;
      case "one scheduler":
        t.oneScheduler = v || "timing";
        break;
    }
  }
  if (t.exit < 0) t.exit = t.errors.length ? 2 : t.panic.length ? 1 : 0;
  return t;
}

function collect(dir: string): string[] {
  // A folder with a run.mjs holds programs for that embedding script, which defines what they
  // use (examples/ext-opcodes, examples/ext-types): their own tests run them through it.
  if (!existsSync(dir) || existsSync(join(dir, "run.mjs"))) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (/\.(kl|raft)$/.test(p)) out.push(p);
  }
  return out;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** How a pass of the suite runs the programs: the tier, and on how many schedulers. */
interface Pass {
  jit: string;
  schedulers: string;
  /** Spread processes over the schedulers from the first spawn (RAFT_SPREAD=1). */
  spread: boolean;
}

/** The passes' shared second-tier cache (never the user's own). */
const cacheDir = mkdtempSync(join(tmpdir(), "raft-programs-cache-"));
process.on("exit", () => rmSync(cacheDir, { recursive: true, force: true }));

function runProgram(file: string, t: Expectations, pass: Pass): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["bin/raft.js", "run", ...t.flags, file, ...t.args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        NO_COLOR: "1",
        RAFT_JIT: pass.jit,
        RAFT_LOG: "",
        RAFT_SCHEDULERS: t.oneScheduler ? "1" : pass.schedulers,
        RAFT_SPREAD: pass.spread ? "1" : "",
        RAFT_CACHE: "",
        RAFT_CACHE_DIR: cacheDir,
      },
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, t.timeout * 1000);
    child.stdin.on("error", () => {});
    child.stdin.end(t.stdin.length ? t.stdin.join("\n") + "\n" : "");
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

export function problems(t: Expectations, r: Outcome): string[] {
  if (r.timedOut) return [`timed out after ${t.timeout}s`];
  const why: string[] = [];
  if (r.code !== t.exit) why.push(`exit code ${r.code}, expected ${t.exit}`);
  if (t.lines.length) {
    const got = r.stdout.replace(/\n$/, "").split("\n");
    if (got.length === 1 && got[0] === "") got.length = 0;
    for (let i = 0; i < Math.max(got.length, t.lines.length); i++) {
      if (got[i] !== t.lines[i]) {
        why.push(`stdout line ${i + 1}: got ${JSON.stringify(got[i] ?? "<none>")}, expected ${JSON.stringify(t.lines[i] ?? "<none>")}`);
        break;
      }
    }
  }
  for (const c of t.contains) if (!r.stdout.includes(c)) why.push(`stdout lacks ${JSON.stringify(c)}`);
  for (const c of t.not) if (r.stdout.includes(c)) why.push(`stdout has ${JSON.stringify(c)}`);
  for (const c of t.panic) if (!r.stderr.includes(c)) why.push(`stderr lacks panic text ${JSON.stringify(c)}`);
  for (const c of t.stderr) if (!r.stderr.includes(c)) why.push(`stderr lacks ${JSON.stringify(c)}`);
  if (t.errors.length) {
    // One directive per diagnostic: the errors reported must be exactly those expected.
    const got = errorPositions(r.stderr);
    const left = [...got];
    for (const pos of t.errors) {
      const i = left.indexOf(pos);
      if (i < 0) why.push(`no diagnostic at ${pos} (errors at: ${got.join(" ") || "none"})`);
      else left.splice(i, 1);
    }
    for (const pos of left) why.push(`an unexpected diagnostic at ${pos}`);
  }
  if (/\n\s+at .*\.(js|ts|mjs|cjs):\d+/.test(r.stderr)) why.push("stderr shows a host (JavaScript) stack trace");
  return why;
}

const all = [...collect("test/programs"), ...collect("examples"), ...collect("../shared/conformance")];
/** `RAFT_PROGRAMS=SUBSTR` runs only the programs whose path contains SUBSTR (while working on them). */
const only = process.env.RAFT_PROGRAMS ?? "";
const files = only ? all.filter((f) => f.includes(only)) : all;

// Both tiers on one scheduler (the deterministic mode), then on two schedulers with every
// spawn spread over both threads, so that messages, signals, links, monitors and names cross
// between threads in every program.
const passes: Pass[] = [
  { jit: "on", schedulers: "1", spread: false },
  { jit: "eager", schedulers: "1", spread: false },
  { jit: "on", schedulers: "2", spread: true },
];

for (const pass of passes) {
  test(`test programs (RAFT_JIT=${pass.jit} RAFT_SCHEDULERS=${pass.schedulers}${pass.spread ? " RAFT_SPREAD=1" : ""})`, { concurrency: 3 }, async (t) => {
    assert.ok(only ? files.length > 0 : files.length >= 150, `only ${files.length} programs found`);
    const runs: Promise<void>[] = [];
    for (const file of files) {
      const name = relative(process.cwd(), file);
      runs.push(t.test(name, async () => {
        const exp = parseExpectations(readFileSync(file, "utf8"));
        const r = await runProgram(file, exp, pass);
        const why = problems(exp, r);
        assert.deepEqual(why, [], `${name}\n  stdout: ${JSON.stringify(r.stdout.slice(0, 600))}\n  stderr: ${JSON.stringify(r.stderr.slice(0, 600))}`);
      }));
    }
    await Promise.all(runs);
  });
}
