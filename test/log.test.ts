// Logging (RAFT_LOG, or the seed's RUST_LOG when RAFT_LOG is unset): the levels and what each
// adds, the warning for a level that is not one, and tracing one process's instructions
// without a cost to the interpreter's loop.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main, type CliIO } from "../src/cli/main.js";
import { parseLogSetting } from "../src/vm/log.js";
import { Raft } from "../src/raft.js";

async function run(file: string, env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stdin: Readable.from([]), env: { RAFT_SCHEDULERS: "1", ...env }, color: false };
  const code = await main(["run", file], io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "raft-log-"));
const program = join(dir, "work.kl");
writeFileSync(
  program,
  `fn worker(n: integer) {
    let s: integer = 0;
    let i: integer = 0;
    loop { if (i == n) { break; } s += i; i++; }
    vm.println(s);
}
let p: process = vm.spawn(worker, 4);
vm.sleep(5);
vm.println("done");
`,
);

const lines = (err: string, level: string) => err.split("\n").filter((l) => l.startsWith(level + " "));

test("levels: error, warn, info, debug, trace and trace:<0.N>, in any case; anything else is a problem, not silence", () => {
  assert.deepEqual(parseLogSetting(undefined), { threshold: 1, tracePid: 0, problem: null });
  assert.deepEqual(parseLogSetting(""), { threshold: 1, tracePid: 0, problem: null });
  assert.deepEqual(parseLogSetting("INFO"), { threshold: 2, tracePid: 0, problem: null });
  assert.deepEqual(parseLogSetting("debug"), { threshold: 3, tracePid: 0, problem: null });
  assert.deepEqual(parseLogSetting("trace"), { threshold: 4, tracePid: -1, problem: null });
  assert.deepEqual(parseLogSetting("trace:<0.5>"), { threshold: 4, tracePid: 5, problem: null });
  for (const bad of ["verbose", "trace:5", "trace:<0.0>", "info,raft=debug"]) {
    const s = parseLogSetting(bad);
    assert.equal(s.threshold, 1, bad);
    assert.match(s.problem ?? "", new RegExp(`unknown log level "${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
  }
});

test("RUST_LOG is read when RAFT_LOG is unset, and only then", async () => {
  const rust = await run(program, { RUST_LOG: "info" });
  assert.equal(rust.code, 0);
  assert.deepEqual(lines(rust.err, "INFO").slice(0, 2), ["INFO spawn <0.1> main", "INFO spawn <0.2> worker"]);
  const raft = await run(program, { RUST_LOG: "info", RAFT_LOG: "warn" });
  assert.deepEqual(lines(raft.err, "INFO"), []);
  // Set but empty is set: the default level, RUST_LOG ignored.
  const empty = await run(program, { RUST_LOG: "info", RAFT_LOG: "" });
  assert.equal(empty.err, "");
});

test("an unknown level is one warning line on stderr; the program runs as usual", async () => {
  const r = await run(program, { RAFT_LOG: "verbose" });
  assert.equal(r.code, 0);
  assert.equal(r.out, "6\ndone\n");
  assert.equal(r.err, 'WARN unknown log level "verbose": use error, warn, info, debug, trace or trace:<0.N>; logging at warn\n');
  // The embedding API says it the same way, once per Raft, and as a log event too.
  const events: string[] = [];
  let err = "";
  const raft = new Raft({ log: "loud", stdout: () => {}, stderr: (t) => (err += t), onEvent: (e) => e.kind === "log" && events.push(`${e.level} ${e.message}`) });
  await raft.run('vm.println("x");');
  await raft.run('vm.println("y");');
  assert.equal(err.split("\n").filter(Boolean).length, 1);
  assert.deepEqual(events, ['warn unknown log level "loud": use error, warn, info, debug, trace or trace:<0.N>; logging at warn']);
});

test("debug says more than info (each slice: who ran, how long, why it stopped); trace more than debug", async () => {
  const info = await run(program, { RAFT_LOG: "info" });
  const debug = await run(program, { RAFT_LOG: "debug" });
  const trace = await run(program, { RAFT_LOG: "trace" });
  for (const r of [info, debug, trace]) assert.equal(r.out, "6\ndone\n");
  assert.deepEqual(lines(debug.err, "INFO"), lines(info.err, "INFO"));
  assert.deepEqual(lines(info.err, "DEBUG"), []);
  const slices = lines(debug.err, "DEBUG");
  assert.ok(slices.some((l) => /^DEBUG slice <0\.1> \d+ reductions: waits \(a timer or the host\)$/.test(l)), slices.join("\n"));
  assert.ok(slices.some((l) => /^DEBUG slice <0\.2> \d+ reductions: done$/.test(l)), slices.join("\n"));
  assert.deepEqual(lines(trace.err, "DEBUG"), slices);
  // Plain trace: every process's instructions.
  const pids = new Set(lines(trace.err, "TRACE").map((l) => l.split(" ")[1]));
  assert.deepEqual([...pids].sort(), ["<0.1>", "<0.2>"]);
});

test("trace:<0.2> traces every instruction of <0.2> alone, in order, with its operand stack", async () => {
  const r = await run(program, { RAFT_LOG: "trace:<0.2>" });
  assert.equal(r.code, 0);
  assert.equal(r.out, "6\ndone\n");
  const traced = lines(r.err, "TRACE");
  assert.ok(traced.every((l) => l.startsWith("TRACE <0.2> worker ")), traced.join("\n"));
  // The loop runs four times: its add and its counter step appear once a pass.
  assert.equal(traced.filter((l) => / AddLocals \$1 \$2 /.test(l)).length, 4);
  assert.equal(traced.filter((l) => / IncEqJumpIfFalse \$2 \$0 @L\d+ /.test(l)).length, 4);
  assert.match(traced[1], /^TRACE <0\.2> worker 2:5 Store \$1 \| stack \[0\]$/);
  assert.match(traced[traced.length - 1], /^TRACE <0\.2> worker 6:1 Return \| stack \[null\]$/);
  assert.ok(traced.some((l) => / CallNativeTyped #vm\.println 1 #\(integer\) \| stack \[6\]$/.test(l)));
});

test("tracing costs the interpreter's loop nothing: it has no log check, only the step stop", () => {
  const src = readFileSync("src/vm/interpreter.ts", "utf8");
  assert.doesNotMatch(src, /vm\.log|\.traces\(|tracePid/);
  assert.equal(src.match(/TRACE_STEP/g)?.length, 2); // its declaration and its one case
});
