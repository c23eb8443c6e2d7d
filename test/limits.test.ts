// One test per exhaustion class (SECURITY.md): an endless loop, deep recursion, a huge
// string, a growing vector, a mailbox flood, a spawn bomb, a throwing native, and the
// whole-run reduction budget. Each shows that the offending process ends with the right
// reason while the others (here: the main process) go on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft, type RaftOptions } from "../src/raft.js";

interface Ran {
  out: string;
  err: string;
  exitCode: number;
}

async function run(src: string, opts: RaftOptions = {}, setup?: (r: Raft) => void): Promise<Ran> {
  let out = "";
  let err = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (err += s), log: "error", ...opts });
  setup?.(raft);
  const r = await raft.run(src, { file: "limits.kl" });
  if (r.diagnostics.length) err += raft.render(r.diagnostics, src);
  if (r.panic) err += `panic: ${r.panic.message}\n`;
  return { out, err, exitCode: r.exitCode };
}

/** A program whose main process watches `fn` end and then proves it still runs. */
const watch = (body: string, fn: string, extra = "") => `
${body}
fn helper(parent: process) { vm.send(parent, 42); }
let w: process = vm.spawn(${fn}${extra});
vm.monitor(w);
let e: exit = vm.receive();
vm.println(e.reason());
vm.spawn(helper, vm.self());
let x: integer = vm.receive();
vm.println(x);
`;

test("endless loop: others still run (preemption), and the loop can be killed", async () => {
  const r = await run(`
fn spin() { loop { } }
fn worker(parent: process) { let i: integer = 0; loop { if (i == 100000) { break; } i++; } vm.send(parent, i); }
let s: process = vm.spawn(spin);
vm.monitor(s);
vm.spawn(worker, vm.self());
let x: integer = vm.receive();
vm.println(x);
vm.kill(s);
let e: exit = vm.receive();
vm.println(e.reason());
`);
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "100000\nkilled\n");
});

test("endless loop in main: --max-reductions ends the run with exit code 1", async () => {
  const t0 = Date.now();
  const r = await run(`loop { }`, { maxReductions: 200_000 });
  assert.equal(r.exitCode, 1);
  assert.match(r.err, /max-reductions/);
  assert.ok(Date.now() - t0 < 5000);
});

test("deep recursion: stack overflow ends the process, not the host", async () => {
  const r = await run(watch(`fn deep(n: integer) -> integer { return deep(n + 1) + 1; }\nfn worker() { let x: integer = deep(0); vm.println(x); }`, "worker"));
  assert.equal(r.exitCode, 0, r.err);
  const [reason, after] = r.out.trim().split("\n");
  assert.match(reason, /stack overflow/);
  assert.equal(after, "42");
});

test("deep recursion in main: exit code 1 with 'stack overflow'", async () => {
  const r = await run(`fn deep(n: integer) -> integer { return deep(n + 1) + 1; }\nvm.println(deep(0));`);
  assert.equal(r.exitCode, 1);
  assert.match(r.err, /stack overflow/);
});

test("huge string: a doubling loop ends with heap_limit", async () => {
  const r = await run(watch(`fn grow() { let s: string = "x"; loop { s = s + s; } }`, "grow"), { maxHeap: 4 << 20 });
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "heap_limit\n42\n");
});

test("huge string without --max-heap: the default limit stops it", async () => {
  const r = await run(watch(`fn grow() { let s: string = "x"; loop { s = s + s; } }`, "grow"));
  assert.equal(r.out, "heap_limit\n42\n");
});

test("growing vector: push forever ends with heap_limit", async () => {
  const r = await run(watch(`fn grow() { let v: vector[integer] = []; let i: integer = 0; loop { v.push(i); i++; } }`, "grow"), { maxHeap: 2 << 20 });
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "heap_limit\n42\n");
});

test("growing vector of vectors (copies): ends with heap_limit", async () => {
  const r = await run(
    watch(`fn grow() { let row: vector[integer] = [1, 2, 3, 4, 5, 6, 7, 8]; let v: vector[vector[integer]] = []; loop { v.push(row); } }`, "grow"),
    { maxHeap: 2 << 20 },
  );
  assert.equal(r.out, "heap_limit\n42\n");
});

test("string built by push: ends with heap_limit", async () => {
  const r = await run(watch(`fn grow() { let s: string = ""; loop { s.push('a'); } }`, "grow"), { maxHeap: 2 << 20 });
  assert.equal(r.out, "heap_limit\n42\n");
});

test("garbage is not counted: a loop allocating and dropping stays alive", async () => {
  const r = await run(
    `let i: integer = 0;
loop { if (i == 200000) { break; } let v: vector[integer] = [i, i, i, i]; let s: string = "abc" + "def"; i++; }
vm.println(i);`,
    { maxHeap: 1 << 20 },
  );
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "200000\n");
});

test("heap_limit in main: exit code 1 and heap_limit on stderr", async () => {
  const r = await run(`let v: vector[integer] = []; loop { v.push(1); }`, { maxHeap: 1 << 20 });
  assert.equal(r.exitCode, 1);
  assert.match(r.err, /heap_limit/);
});

test("heap_limit cannot be swallowed by an error handler", async () => {
  const r = await run(
    `fn grow() -> integer { let s: string = "x"; loop { s = s + s; } return 0; }
let x: integer = grow(){default: 7};
vm.println(x);`,
    { maxHeap: 1 << 20 },
  );
  assert.equal(r.exitCode, 1);
  assert.match(r.err, /heap_limit/);
  assert.equal(r.out, "");
});

const FLOOD = `
fn idle() { vm.sleep(100000); }
let p: process = vm.spawn(idle);
vm.monitor(p);
let i: integer = 0;
loop { p.send(i); i++; if (!p.alive()) { break; } }
let e: exit = vm.receive();
vm.println(e.reason());
vm.println(i);
`;

test("mailbox flood past --max-mailbox: the receiver ends with mailbox_overflow; the sender goes on", async () => {
  const r = await run(FLOOD, { maxMailbox: 1000 });
  assert.equal(r.exitCode, 0, r.err);
  // 1,000 messages fit; the 1,001st ends the receiver.
  assert.equal(r.out, "mailbox_overflow\n1001\n");
});

test("mailbox flood with no count limit: the queued messages count toward the receiver's heap", async () => {
  const r = await run(FLOOD, { maxHeap: 1 << 20 });
  assert.equal(r.exitCode, 0, r.err);
  const [reason, sent] = r.out.split("\n");
  assert.equal(reason, "heap_limit");
  assert.ok(Number(sent) > 1000, sent);
});

test("mailbox flood of big messages: the receiver ends with heap_limit first", async () => {
  const r = await run(
    `
fn idle() { vm.sleep(100000); }
let p: process = vm.spawn(idle);
vm.monitor(p);
let big: vector[integer] = [];
let i: integer = 0;
loop { if (i == 1000) { break; } big.push(i); i++; }
loop { p.send(big); if (!p.alive()) { break; } }
let e: exit = vm.receive();
vm.println(e.reason());
`,
    { maxHeap: 1 << 20 },
  );
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "heap_limit\n");
});

test("spawn bomb: spawn past --max-processes is an error to the spawner", async () => {
  const r = await run(watch(`fn bomb() { loop { vm.spawn(bomb); } }`, "bomb"), { maxProcesses: 50 });
  const [reason] = r.out.split("\n");
  assert.match(reason, /too many processes/);
  assert.equal(r.exitCode, 0, r.err);
});

test("spawn past --max-processes can be handled", async () => {
  const r = await run(
    `fn idle() { vm.sleep(100000); }
let n: integer = 0;
loop { let p: process = vm.spawn(idle){default: vm.self()}; if (p == vm.self()) { break; } n++; }
vm.println(n);`,
    { maxProcesses: 10 },
  );
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "9\n");
});

test("throwing native: the caller's process ends; the VM and the others go on", async () => {
  const r = await run(watch(`fn worker() { let x: integer = vm.boom(); vm.println(x); }`, "worker"), {}, (raft) =>
    raft.defineNative("boom", [], "integer", () => {
      throw new Error("kaboom");
    }),
  );
  assert.equal(r.exitCode, 0, r.err);
  const [reason, after] = r.out.trim().split("\n");
  assert.match(reason, /kaboom/);
  assert.equal(after, "42");
});

test("rejecting async native: the caller's process ends; the others go on", async () => {
  const r = await run(watch(`fn worker() { let x: integer = vm.later(); vm.println(x); }`, "worker"), {}, (raft) =>
    raft.defineNative("later", [], "integer", () => Promise.reject(new Error("async kaboom"))),
  );
  assert.equal(r.exitCode, 0, r.err);
  const [reason, after] = r.out.trim().split("\n");
  assert.match(reason, /async kaboom/);
  assert.equal(after, "42");
});

test("a native throwing a non-Error value is still a Kaylee error", async () => {
  const r = await run(`let x: integer = vm.odd(){default: 5}; vm.println(x);`, {}, (raft) =>
    raft.defineNative("odd", [], "integer", () => {
      throw { weird: true };
    }),
  );
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "5\n");
});

test("linear memory: alloc past the cap is a catchable heap_limit fault", async () => {
  const r = await run(
    `let p: pointer = vm.alloc(100000000){default: vm.alloc(4)};
p.write_integer(9);
vm.println(p.read_integer());`,
    { maxHeap: 1 << 20 },
  );
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "9\n");
});

test("linear memory: allocating forever ends the process, never the host", async () => {
  const r = await run(watch(`fn hog() { loop { let p: pointer = vm.alloc(65536); } }`, "hog"), { maxHeap: 4 << 20 });
  assert.equal(r.exitCode, 0, r.err);
  const [reason, after] = r.out.trim().split("\n");
  assert.match(reason, /out of linear memory|heap_limit/);
  assert.equal(after, "42");
});
