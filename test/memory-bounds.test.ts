// Memory that is really bounded: the host-wide ceiling under concurrent runs, linear memory
// growth, messages handed to waiting receivers, reads of endless files and long stdin lines.
// Each scenario runs in a fresh Node with a small JS heap (so the ceiling is small and the
// test quick) and must end cleanly — never a V8 abort — with heap_limit or too_large where
// the data would not fit, and its peak RSS bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { RSS_BASELINE_SLACK } from "../src/vm/heap.js";
import { LineReader } from "../src/vm/node-host.js";
import { child } from "./mem-child.js";

const MB = 1 << 20;
const SMALL_HEAP = ["--max-old-space-size=128"];
const RAFT = fileURLToPath(new URL("../../bin/raft.js", import.meta.url));

/** What a second scheduler thread adds to the baseline: its own V8 isolate, heap and code. */
const THREAD_BASELINE = 48 * MB;

function bounded(r: { maxRss: number; rss0: number; ceiling: number }, what: string, threads = 1): void {
  // Whatever the processes did, the host stays within 2x of the ceiling plus the baseline
  // (and each further scheduler thread's own baseline: the ceiling is one for all of them).
  const bound = r.rss0 + 2 * r.ceiling + RSS_BASELINE_SLACK + (threads - 1) * THREAD_BASELINE;
  assert.ok(r.maxRss <= bound, `${what}: peak RSS ${(r.maxRss / MB).toFixed(0)} MB, bound ${(bound / MB).toFixed(0)} MB`);
}

test("two concurrent runs share one ceiling: both stop with heap_limit, the host lives", () => {
  const r = child(["runs", "2", "push-empty"], SMALL_HEAP);
  assert.deepEqual(r.reasons, ["heap_limit"]);
  assert.ok(r.peak <= r.ceiling * 1.05, `peak ${r.peak} ceiling ${r.ceiling}`);
  bounded(r, "two runs");
});

test("8 processes pushing empty vectors under a small JS heap: heap_limit, never an abort", () => {
  const r = child(["runs", "1", "push-empty-8"], SMALL_HEAP);
  assert.equal(r.outs[0], "heap_limit\n".repeat(8));
  bounded(r, "8 processes");
});

test("8 processes pushing on two scheduler threads: one ceiling for both threads, heap_limit, never an abort", () => {
  // Not spread (RAFT_SPREAD would move the growing hogs on every tick): the run goes parallel
  // by itself, busy with eight processes, and hands half of them to the second thread.
  const r = child(["runs", "1", "push-empty-8"], SMALL_HEAP, { RAFT_SCHEDULERS: "2", RAFT_SPREAD: "" });
  assert.ok(r.parallel, "the run went parallel");
  assert.equal(r.outs[0], "heap_limit\n".repeat(8));
  bounded(r, "8 processes on 2 threads", 2);
});

test("40 processes x vm.alloc(60 MB): linear memory growth is charged and bounded", () => {
  const r = child(["runs", "1", "alloc-40"], SMALL_HEAP);
  assert.ok(r.reasons.some((x) => /heap_limit|out of linear memory/.test(x)), r.reasons.join("; "));
  bounded(r, "40 allocs");
  assert.ok(r.maxRss < r.rss0 + 40 * 60e6 / 4, "most allocations were refused");
});

test("a 4 MB vector handed to 300 waiting receivers is charged: heap_limit, RSS bounded", () => {
  const r = child(["runs", "1", "handoff-300"], SMALL_HEAP);
  assert.ok(r.reasons.includes("heap_limit"), r.reasons.join("; "));
  bounded(r, "300 receivers");
});

/** Runs the CLI with `args`, feeding `stdin`. */
function cli(args: string[], stdin: string | null = null): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, [RAFT, ...args], { input: stdin ?? "", encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 26 });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

const dir = mkdtempSync(join(tmpdir(), "raft-mem-"));
const readProgram = join(dir, "read.kl");
writeFileSync(
  readProgram,
  `let s: string = vm.read_file(vm.args()[0]);
if (s is error) { vm.println(s.code()); } else { vm.println(s.length()); }
vm.println(vm.memory() < 2000000);
`,
);

test("vm.read_file of /dev/zero: a too_large error value at once, nothing kept, RSS bounded", () => {
  const r = child(["read", "/dev/zero"]);
  assert.equal(r.outs[0], "too_large\ntrue\n");
  assert.ok(r.maxRss < r.rss0 + RSS_BASELINE_SLACK, `peak RSS ${(r.maxRss / MB).toFixed(0)} MB`);
});

test("vm.read_file of a FIFO that never ends: too_large, the writer sees the reader go", async () => {
  const fifo = join(dir, "fifo");
  spawnSync("mkfifo", [fifo]);
  const writer = spawn("sh", ["-c", `cat /dev/zero > ${fifo}`], { stdio: "ignore" });
  try {
    const r = cli(["run", `--allow-read=${dir}`, "--max-heap=1000000", readProgram, fifo]);
    assert.equal(r.out, "too_large\ntrue\n", r.err);
  } finally {
    writer.kill();
  }
});

test("a stdin line longer than the limit is a too_large error; the next line reads fine", () => {
  const program = join(dir, "lines.kl");
  writeFileSync(
    program,
    `let a: string = vm.get_user_input();
if (a is error) { vm.println(a.code()); } else { vm.println(a.length()); }
let b: string = vm.get_user_input();
if (b is error) { vm.println(b.code()); } else { vm.println(b); }
`,
  );
  const r = cli(["run", "--max-heap=1000000", program], "a".repeat(3_000_000) + "\nnext\n");
  assert.equal(r.out, "too_large\nnext\n", r.err);
});

test("reading stdin lines is linear: each chunk is scanned once for its newlines", async () => {
  // 4 MB in 64 KiB chunks with no newline until the end: the old reader scanned the whole
  // buffer for every chunk (136 MB of scanning here, 12 s for a 40 MB line).
  const chunk = "x".repeat(64 * 1024);
  const chunks = Array.from({ length: 64 }, () => chunk);
  chunks.push("\nend\n");
  const indexOf = String.prototype.indexOf;
  let scanned = 0;
  String.prototype.indexOf = function (this: string, s: string, from?: number) {
    const r = indexOf.call(this, s, from);
    if (s === "\n") scanned += (r < 0 ? this.length : r + 1) - (from ?? 0);
    return r;
  };
  try {
    const reader = new LineReader(Readable.from(chunks));
    const line = await reader.readLine();
    assert.equal(line?.length, 64 * chunk.length);
    assert.equal(await reader.readLine(), "end");
  } finally {
    String.prototype.indexOf = indexOf;
  }
  assert.ok(scanned <= 2 * 65 * chunk.length, `scanned ${scanned} characters for a ${64 * chunk.length}-character line`);
});

test("a 40 MB stdin line reads in well under 20 s", () => {
  const program = join(dir, "one-line.kl");
  writeFileSync(program, `let a: string = vm.get_user_input(); vm.println(a.length());\n`);
  const t0 = Date.now();
  const r = cli(["run", program], "y".repeat(40_000_000) + "\n");
  assert.equal(r.out, "40000000\n", r.err);
  assert.ok(Date.now() - t0 < 20_000, `${Date.now() - t0} ms`);
});
