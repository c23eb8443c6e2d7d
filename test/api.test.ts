// The library API (SPEC §6) as an embedder uses it: natives defined from outside the core,
// permissions, events, compile/assemble/save/load/disassemble, and the packaged example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModuleError, Raft, hostMemory, type Diagnostic, type RaftEvent } from "../src/index.js";
import { lineCol, renderDiagnostics, withPositions } from "../src/diag/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function capture(opts: ConstructorParameters<typeof Raft>[0] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const raft = new Raft({ stdout: (s) => out.push(s), stderr: (s) => err.push(s), ...opts });
  return { raft, out, err, text: () => out.join(""), errText: () => err.join("") };
}

test("defineNative: sync and async natives, called from a spawned process", async () => {
  const { raft, text } = capture();
  const calls: string[] = [];
  raft.defineNative("double_it", ["integer"], "integer", (n: number) => n * 2);
  raft.defineNative("slow_greet", ["string"], "string", async (name: string) => {
    calls.push(name);
    await new Promise((r) => setTimeout(r, 20));
    return `hello, ${name}`;
  });
  const src = `
fn worker(reply: process) {
  reply.send(vm.slow_greet("kaylee"));
  reply.send(vm.double_it(21));
}
fn ticker(reply: process) { reply.send('t'); }
vm.spawn(worker, vm.self());
vm.spawn(ticker, vm.self());
let t: char = vm.receive();          // the ticker is not held up by the parked worker
let g: string = vm.receive();
let n: integer = vm.receive();
vm.println(g);
vm.println(n);
`;
  const r = await raft.run(src, { file: "natives.kl" });
  assert.equal(r.exitCode, 0, JSON.stringify(r.diagnostics));
  assert.equal(r.panic, null);
  assert.equal(text(), "hello, kaylee\n42\n");
  assert.deepEqual(calls, ["kaylee"]);
  assert.ok(r.stats.processes >= 3);
});

test("defineNative: the checker sees the signature", () => {
  const { raft } = capture();
  raft.defineNative("double_it", ["integer"], "integer", (n: number) => n * 2);
  const bad = raft.compile(`let s: string = vm.double_it("x");`, "bad.kl");
  assert.equal(bad.module, null);
  assert.ok(bad.diagnostics.length > 0);
  const unknown = new Raft().compile(`vm.double_it(1);`, "u.kl");
  assert.equal(unknown.module, null);
});

test("a fallible native returns error values; a throwing one panics the caller", async () => {
  const { raft, text, errText } = capture();
  raft.defineNative("lookup", ["string"], "integer", (k: string) => (k === "a" ? 1 : raft.error(`no key ${k}`, "not_found")), { fallible: true });
  raft.defineNative("boom", [], "integer", () => {
    throw new Error("kaput");
  });
  const r = await raft.run(`
let v = vm.lookup("zz");
if (v is error) { vm.println(v.code()); }
vm.println(vm.lookup("a"));
vm.boom();
`);
  assert.equal(text(), "not_found\n1\n");
  assert.equal(r.exitCode, 1);
  assert.match(r.panic!.message, /kaput/);
  void errText;
});

test("registerNative: an untyped native for assembly (CallNative)", async () => {
  const { raft } = capture();
  raft.registerNative("host.add3", (_ctx, args) => (args[0] as number) + (args[1] as number) + (args[2] as number));
  const r = await raft.run("1 2 3\nCallNative #host.add3 3\n", { file: "x.raft" });
  assert.equal(r.exitCode, 0, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.leftover, [6]);
});

test("a module run again: same output each time, natives replaced in between are the ones called", async () => {
  const { raft, text } = capture({ jit: "eager" });
  raft.registerNative("host.k", () => 1);
  const { module } = raft.assemble("CallNative #host.k 0\nPushInt 10\nAdd\n", "k.raft");
  assert.ok(module);
  const loop = raft.compile("fn sq(n: integer) -> integer { return n * n; }\nlet s: integer = 0;\nlet i: integer = 0;\nloop { if (i == 100) { break; } s += sq(i); i++; }\nvm.println(s);\n", "sq.kl").module;
  assert.ok(loop);
  for (let r = 0; r < 3; r++) {
    const res = await raft.run(loop);
    assert.equal(res.exitCode, 0);
  }
  assert.equal(text(), "328350\n".repeat(3));
  assert.deepEqual((await raft.run(module)).leftover, [11]);
  raft.registerNative("host.k", () => 5);
  assert.deepEqual((await raft.run(module)).leftover, [15]);
});

test("timers follow an embedder's clock: a 60 s receive timeout on a clock 1000x fast ends in ms", async () => {
  const t0 = performance.now();
  const { raft, text } = capture({ clock: () => (performance.now() - t0) * 1000 });
  const r = await raft.run("let m: integer = vm.receive(60000){default: 7};\nvm.println(m);\n", { file: "wait.kl" });
  assert.equal(r.exitCode, 0);
  assert.equal(text(), "7\n");
  assert.ok(performance.now() - t0 < 10_000, `took ${performance.now() - t0} ms`);
});

test("a default Raft denies file reads, writes and env (permission_denied)", async () => {
  const { raft, text } = capture();
  const r = await raft.run(`
let a = vm.read_file("${fileURLToPath(import.meta.url)}");
if (a is error) { vm.println(a.code()); }
let b = vm.write_file("/tmp/raft-api-test.txt", "x");
if (b is error) { vm.println(b.code()); }
let c = vm.env("HOME");
if (c is error) { vm.println(c.code()); }
`);
  assert.equal(r.exitCode, 0);
  assert.equal(text(), "permission_denied\npermission_denied\npermission_denied\n");
});

test("allowRead grants reads below a path", async () => {
  const { raft, text } = capture({ allowRead: [ROOT] });
  const r = await raft.run(`vm.println(vm.read_file("${ROOT}package.json").contains("raft-vm"));`);
  assert.equal(r.exitCode, 0);
  assert.equal(text(), "true\n");
});

test("events: spawn, exit, restart and log", async () => {
  const events: RaftEvent[] = [];
  const { raft } = capture({ onEvent: (e) => events.push(e), log: "info" });
  const r = await raft.run(`
fn crash() { let z = 0; vm.println(1 / z); }
let sup = vm.supervisor("one_for_one", 1, 1000);
let c = vm.start_child(sup, "transient", crash);
vm.sleep(50);
`);
  assert.equal(r.exitCode, 0);
  const kinds = new Set(events.map((e) => e.kind));
  for (const k of ["spawn", "exit", "restart", "log"]) assert.ok(kinds.has(k as RaftEvent["kind"]), `no ${k} event: ${[...kinds]}`);
  const log = events.find((e) => e.kind === "log");
  assert.ok(log && log.kind === "log" && log.level === "info" && /spawn <0\.1>/.test(log.message));
});

test("compile, save, load, disassemble, assemble round trip", async () => {
  const { raft, text } = capture();
  const c = raft.compile(`vm.println(6 * 7);`, "m.kl");
  assert.ok(c.module);
  const bytes = raft.save(c.module);
  const m = raft.load(bytes);
  const asm = raft.disassemble(m);
  assert.match(asm, /fn main/);
  const back = raft.assemble(asm, "m.raft");
  assert.ok(back.module, JSON.stringify(back.diagnostics));
  assert.deepEqual(raft.save(back.module), bytes);
  const r = await raft.run(bytes, { file: "m.rbc" });
  assert.equal(r.exitCode, 0);
  assert.equal(text(), "42\n");
});

test("compile errors come back as diagnostics (exit code 2), not exceptions", async () => {
  const { raft } = capture();
  const r = await raft.run(`let x: integer = "five";`, { file: "bad.kl" });
  assert.equal(r.exitCode, 2);
  assert.ok(r.diagnostics.length > 0);
  assert.match(raft.render(r.diagnostics, `let x: integer = "five";`), /type mismatch/);
});

/** Each diagnostic's line:col, and the --> positions the renderer shows for the same ones. */
function positions(ds: Diagnostic[], source: string): { given: string[]; shown: string[] } {
  const shown = [...renderDiagnostics(ds, source).matchAll(/--> [^\n]*?:(\d+:\d+)\n/g)].map((m) => m[1]);
  return { given: ds.map((d) => `${d.line}:${d.column}`), shown };
}

test("diagnostics carry line and column (1-based, in characters, as the CLI shows them)", async () => {
  const { raft } = capture();
  // A non-BMP char before the error on its line: the column counts it once, as the renderer does.
  const src = `vm.println("ok");\nlet s = "\u{1F600}"; let x: integer = "five";\nlet y: integer = true;\n`;
  const c = raft.compile(src, "pos.kl");
  assert.equal(c.module, null);
  assert.deepEqual(positions(c.diagnostics, src).given, ["2:31", "3:18"]);
  assert.deepEqual(positions(c.diagnostics, src).shown, ["2:31", "3:18"]);
  const r = await raft.run(src, { file: "pos.kl" });
  assert.equal(r.exitCode, 2);
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.column]), [[2, 31], [3, 18]]);
  const asm = "1 2 +\n  Bogus $1\n";
  const a = raft.assemble(asm, "pos.raft");
  assert.deepEqual(positions(a.diagnostics, asm), { given: ["2:3"], shown: ["2:3"] });
  // A session's diagnostics are placed in the input, as its rendered text shows them.
  const s = await raft.session();
  assert.equal((await s.eval("fn f() -> integer { return 1; }")).kind, "ok");
  assert.equal((await s.eval("let k = 1;")).kind, "ok");
  const e = await s.eval("k + 1;\n  let z: string = f();");
  assert.equal(e.kind, "error");
  if (e.kind === "error") {
    assert.deepEqual(e.diagnostics.map((d) => [d.line, d.column]), [[2, 19]]);
    assert.match(e.text, /--> <repl>:2:19/);
  }
  const ea = await s.evalAsm("1 Bogus");
  assert.ok(ea.kind === "error" && ea.diagnostics[0].line === 1 && ea.diagnostics[0].column === 3, JSON.stringify(ea));
  s.close();
});

test("withPositions agrees with lineCol on any text and any offsets", () => {
  const pieces = ["a", "\n", "\u{1F600}", "\uD800", "\uDC00", "\t", "\r\n", "é", " "];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let round = 0; round < 300; round++) {
    let src = "";
    for (let i = rnd(40); i > 0; i--) src += pieces[rnd(pieces.length)];
    const ds: Diagnostic[] = [];
    for (let i = rnd(6); i > 0; i--) {
      // Offsets on code point starts (where spans begin), now and then past the end.
      let off = rnd(src.length + 3);
      if (off > 0 && off < src.length && /[\uDC00-\uDFFF]/.test(src[off]) && /[\uD800-\uDBFF]/.test(src[off - 1])) off--;
      ds.push({ code: "E0001", severity: "error", title: "t", file: "f", labels: [{ span: { start: off, end: off }, message: "", primary: true }] });
    }
    ds.push({ code: "A0101", severity: "error", title: "no position", file: "f", labels: [] });
    const got = withPositions(ds, src);
    for (let i = 0; i < ds.length - 1; i++) {
      const want = lineCol(src, ds[i].labels[0].span.start);
      assert.deepEqual([got[i].line, got[i].column], [want.line, want.col], JSON.stringify({ src, off: ds[i].labels[0].span.start }));
    }
    assert.equal(got[ds.length - 1].line, undefined);
  }
});

test("ModuleError is exported: load() throws it for bad bytes", () => {
  const { raft } = capture();
  assert.throws(() => raft.load(new Uint8Array([1, 2, 3])), (e) => e instanceof ModuleError);
});

test("limits: maxProcesses", async () => {
  const { raft } = capture({ maxProcesses: 3 });
  const r = await raft.run(`fn idle() { let m: integer = vm.receive(); }\nloop { vm.spawn(idle); }`);
  assert.equal(r.exitCode, 1);
  assert.match(r.panic!.message, /too many processes/);
});

test("examples/embed.mjs runs against the built package (import from \"raft-vm\")", async () => {
  const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) => {
    execFile(process.execPath, ["examples/embed.mjs"], { cwd: ROOT }, (err, stdout) => resolve({ stdout, code: err ? ((err as { code?: number }).code ?? 1) : 0 }));
  });
  assert.equal(code, 0);
  assert.match(stdout, /TOTAL 90!/);
  assert.match(stdout, /read refused: permission_denied/);
  assert.match(stdout, /exit code 0/);
});

// ── host safety: timers, exit codes, cancellation ──────────────────────────────────────

test("a sleep longer than a host timeout can take (1e30 ms) raises no TimeoutOverflowWarning", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    const { raft } = capture();
    // Main waits on the host (not on a VM timer), so the sleeper's 1e30 ms is the earliest
    // timer all that time: the VM's host timeout is armed for it again and again.
    raft.registerNative("host.later", () => new Promise((ok) => setTimeout(() => ok("done"), 300)));
    const r = await raft.run(
      "fn main locals=0\n  SpawnActor @sleeper 0\n  Pop\n  CallNative #host.later 0\n  Halt\n\nfn sleeper locals=0\n  PushConst #1.0e30\n  CallNative #vm.sleep 1\n  Return\n",
      { file: "sleeper.raft" },
    );
    await new Promise((ok) => setImmediate(ok)); // warnings are emitted on a later tick
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.leftover, ["done"]);
    assert.deepEqual(warnings, []);
  } finally {
    process.off("warning", onWarning);
  }
});

/** Host timeouts pending in this Node process (to see that a run leaves none behind). */
function pendingTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

test("timeoutMs ends a run that would wait for ever: sleeps under maxReductions, a native that never settles", async () => {
  const before = pendingTimeouts();
  const { raft } = capture({ maxReductions: 1000 });
  const t0 = performance.now();
  const r = await raft.run("loop { vm.sleep(1000); }", { timeoutMs: 200 });
  assert.equal(r.exitCode, 1);
  assert.equal(r.cancelled, "timeout");
  assert.equal(r.panic, null);
  assert.ok(performance.now() - t0 < 10_000, `took ${performance.now() - t0} ms`);

  const other = capture().raft;
  other.defineNative("never", [], "integer", () => new Promise(() => {}));
  const r2 = await other.run(`
fn spin() { loop { } }
fn nap() { loop { vm.sleep(5); } }
vm.spawn(spin);
vm.spawn(nap);
let n = vm.never();
vm.println(n);
`, { timeoutMs: 150 });
  assert.equal(r2.cancelled, "timeout");
  assert.equal(r2.exitCode, 1);
  assert.ok(r2.stats.processes >= 3);
  assert.equal(pendingTimeouts(), before, "the run left a host timer behind");
});

test("signal: aborting ends every process, timer and pending native; a native settling later is ignored", async () => {
  const { raft, text } = capture();
  let settle: (v: number) => void = () => {};
  raft.defineNative("later", [], "integer", () => new Promise<number>((ok) => (settle = ok)));
  const ac = new AbortController();
  const running = raft.run(`
fn ticker() { loop { vm.sleep(1); vm.print("t"); } }
vm.spawn(ticker);
let n = vm.later();
vm.println("got " + n.into());
`, { signal: ac.signal });
  // Wait (up to 10 s, however busy the machine) for the ticker; abort whatever happens, so
  // that a failed check never leaves the run ticking and the test process hanging.
  for (let waited = 0; !/t/.test(text()) && waited < 10_000; waited += 20) await new Promise((ok) => setTimeout(ok, 20));
  const ticked = /t/.test(text());
  ac.abort();
  const r = await running;
  assert.ok(ticked, "the ticker ran before the abort");
  assert.equal(r.exitCode, 1);
  assert.equal(r.cancelled, "aborted");
  const after = text();
  settle(5);
  await new Promise((ok) => setTimeout(ok, 100));
  assert.equal(text(), after, "something ran after the run was cancelled");
  assert.doesNotMatch(text(), /got/);
  // Already aborted: nothing runs.
  const r2 = await raft.run(`vm.println("ran");`, { signal: AbortSignal.abort() });
  assert.equal(r2.cancelled, "aborted");
  assert.equal(text(), after);
});

test("signal aborted by a native from inside the run: its process stops as the call returns", async () => {
  const { raft, text } = capture();
  const ac = new AbortController();
  raft.defineNative("stop_now", [], "integer", () => (ac.abort(), 1));
  const r = await raft.run(`let x = vm.stop_now();\nvm.println("after");\nloop { }`, { signal: ac.signal });
  assert.equal(r.cancelled, "aborted");
  assert.equal(r.exitCode, 1);
  assert.equal(text(), "");
});

test("a cancelled run gives back what its processes were charged (the host's total, hostMemory)", async () => {
  const { raft } = capture();
  const ac = new AbortController();
  const before = hostMemory().charged;
  let during = 0;
  raft.defineNative("stop_now", [], "integer", () => {
    during = hostMemory().charged;
    ac.abort();
    return 1;
  });
  // A child holds a 200,000-integer vector and sleeps; main holds one too when it aborts.
  const r = await raft.run(
    `fn hold(parent: process) { let v: vector[integer] = []; let i: integer = 0; loop { if (i == 200000) { break; } v.push(i); i++; } vm.send(parent, 1); vm.sleep(1000000); vm.println(v.length()); }
let v: vector[integer] = []; let i: integer = 0; loop { if (i == 200000) { break; } v.push(i); i++; }
vm.spawn(hold, vm.self());
let ready: integer = vm.receive();
let x = vm.stop_now();
vm.println(v.length());`,
    { signal: ac.signal },
  );
  assert.equal(r.cancelled, "aborted");
  assert.ok(during - before > 2 * 200_000 * 8, `charged ${during - before} bytes while running`);
  assert.ok(r.stats.memory >= during - before, `stats.memory ${r.stats.memory}`);
  assert.equal(hostMemory().charged, before);
});

test("a run that ends by itself disarms its signal and time limit; a bad timeoutMs is an error", async () => {
  const before = pendingTimeouts();
  const { raft } = capture();
  const ac = new AbortController();
  const r = await raft.run(`vm.println(1);`, { signal: ac.signal, timeoutMs: 60_000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.cancelled, null);
  assert.equal(pendingTimeouts(), before);
  ac.abort(); // too late: nothing happens
  await assert.rejects(raft.run(`vm.println(1);`, { timeoutMs: -1 }), /timeoutMs must be a number of milliseconds/);
  await assert.rejects(raft.run(`vm.println(1);`, { timeoutMs: Number.NaN }), /timeoutMs/);
});

test("a parked process killed before its native settles: the late result counts nothing (no false deadlock)", async () => {
  const { raft, text } = capture();
  raft.defineNative("after", ["integer"], "integer", (ms: number) => new Promise((ok) => setTimeout(() => ok(ms), ms)));
  const r = await raft.run(`
fn short() { let x = vm.after(30); }
fn long(to: process) { to.send(vm.after(200)); }
let a = vm.spawn(short);
vm.spawn(long, vm.self());
vm.sleep(5);
vm.kill(a);
let n: integer = vm.receive();
vm.println(n);
`);
  assert.equal(r.panic, null, r.panic?.message);
  assert.equal(text(), "200\n");
});

test("session inputs: timeoutMs and signal end the input's main; the session goes on", async () => {
  const { raft } = capture();
  const s = await raft.session();
  const r = await s.eval("loop { }", { timeoutMs: 100 });
  assert.equal(r.kind, "cancelled");
  assert.ok(r.kind === "cancelled" && r.reason === "timeout");
  raft.defineNative("never", [], "integer", () => new Promise(() => {}));
  const s2 = await raft.session();
  const ac = new AbortController();
  const pending = s2.eval("let x: integer = 40;\nlet n = vm.never();", { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  const r2 = await pending;
  assert.ok(r2.kind === "cancelled" && r2.reason === "aborted", JSON.stringify(r2));
  assert.equal((await s2.eval("40 + 2;")).kind, "value");
  assert.equal(((await s2.eval("40 + 2;")) as { text: string }).text, "42 : integer");
  const r3 = await s2.evalAsm("1 2 +", { signal: AbortSignal.abort() });
  assert.equal(r3.kind, "cancelled");
  s.close();
  s2.close();
});

test("permissions: an empty grant is refused at construction; links out of a granted folder are denied", async () => {
  assert.throws(() => new Raft({ allowRead: "" as unknown as string[] }), /allowRead has an empty path/);
  assert.throws(() => new Raft({ allowRead: [""] }), /allowRead has an empty path/);
  assert.throws(() => new Raft({ allowWrite: ["/tmp", ""] }), /allowWrite has an empty path/);
  const root = mkdtempSync(join(tmpdir(), "raft-api-links-"));
  mkdirSync(join(root, "data"));
  writeFileSync(join(root, "secret.txt"), "secret");
  writeFileSync(join(root, "data", "ok.txt"), "ok");
  symlinkSync("../secret.txt", join(root, "data", "link.txt"));
  const { raft, text } = capture({ allowRead: [join(root, "data")] });
  const r = await raft.run(`
let a = vm.read_file("${join(root, "data", "link.txt")}");
if (a is error) { vm.println(a.code()); } else { vm.println(a); }
vm.println(vm.read_file("${join(root, "data", "ok.txt")}"));
`);
  assert.equal(r.exitCode, 0, r.panic?.message);
  assert.equal(text(), "permission_denied\nok\n");
});

test("an onEvent or stderr callback that throws ends the run, which rejects with an Error naming it", async () => {
  const cases: [string, (e: RaftEvent) => void][] = [
    ["main's spawn", (e) => void (e.kind === "spawn" && e.pid === 1 && fail("on main's spawn"))],
    ["a child's exit", (e) => void (e.kind === "exit" && e.pid === 3 && fail("on a child's exit"))],
    ["main's exit", (e) => void (e.kind === "exit" && e.pid === 1 && fail("on main's exit"))],
  ];
  function fail(what: string): never {
    throw new Error(what);
  }
  // A looping child: a run that went on after the throw would keep it alive for ever.
  const src = "fn looper() { loop { vm.sleep(50); } } fn brief() { } vm.spawn(looper); vm.spawn(brief); vm.sleep(20);";
  for (const [what, onEvent] of cases) {
    const raft = new Raft({ onEvent, stdout: () => {} });
    await assert.rejects(raft.run(src), (e: unknown) => e instanceof Error && /^the onEvent callback threw: on /.test(e.message) && e.cause instanceof Error, what);
  }
  // A thrown value that is no Error still gives an Error, with the value as its cause.
  const raft = new Raft({ onEvent: (e) => void (e.kind === "exit" && (() => { throw "plain text"; })()) });
  await assert.rejects(raft.run("vm.println(1);"), (e: unknown) => e instanceof Error && e.message === "the onEvent callback threw: plain text" && (e as Error).cause === "plain text");
  // stderr: a spawned process's panic is logged through it.
  const loud = new Raft({ stderr: () => fail("sink failed"), stdout: () => {} });
  await assert.rejects(loud.run("fn bad() { let v: vector[integer] = []; let x = v[2]; } vm.spawn(bad); vm.sleep(10);"), /^Error: the stderr callback threw: sink failed$/);
});

test("a run that rejects disarms its time limit (no timer keeps the host alive)", async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const raft = new Raft({ onEvent: () => { throw new Error("no"); } });
  await assert.rejects(raft.run("vm.println(1);", { timeoutMs: 60_000 }));
  assert.equal(timers(), before);
});

test("a readLine or fs that refuses a read with code \"too_large\" gives the program that error code", async () => {
  const tooLarge = () => Object.assign(new Error("too big for me"), { code: "too_large" });
  const out: string[] = [];
  const raft = new Raft({
    allowRead: ["/"],
    stdout: (s) => void out.push(s),
    readLine: async () => {
      throw tooLarge();
    },
    fs: {
      resolve: (p: string) => p,
      readFile: async () => {
        throw tooLarge();
      },
      writeFile: async () => {},
    },
  });
  const r = await raft.run('let l: string = vm.get_user_input();\nif (l is error) { vm.println(l.code()); }\nlet f: string = vm.read_file("/x");\nif (f is error) { vm.println(f.code()); }\n');
  assert.equal(r.exitCode, 0);
  assert.equal(out.join(""), "too_large\ntoo_large\n");
});

test("a native's rejected promise panics its caller with the native's name, as a throw does", async () => {
  const err: string[] = [];
  const raft = new Raft({ stderr: (s) => void err.push(s), stdout: () => {} });
  raft.defineNative("late", [], "string", async () => {
    throw new Error("db down");
  });
  raft.defineNative("now", [], "string", () => {
    throw new Error("db down");
  });
  for (const [name, src] of [["late", "vm.println(vm.late());"], ["now", "vm.println(vm.now());"]]) {
    err.length = 0;
    const r = await raft.run(src);
    assert.equal(r.exitCode, 1, name);
    assert.equal(r.panic?.message, `native vm.${name} failed: db down`, name);
  }
});

test("options that cannot be meant are refused at construction, as the CLI refuses such flags", () => {
  const refused: [string, Record<string, unknown>][] = [
    ["maxHeap", { maxHeap: 0 }],
    ["maxHeap", { maxHeap: -1 }],
    ["maxHeap", { maxHeap: Number.NaN }],
    ["maxHeap", { maxHeap: "big" }],
    ["maxReductions", { maxReductions: -5 }],
    ["maxProcesses", { maxProcesses: 1.5 }],
    ["maxMailbox", { maxMailbox: 0 }],
    ["schedulers", { schedulers: 0 }],
    ["schedulers", { schedulers: 65 }],
    ["schedulers", { schedulers: "many" }],
    ["seed", { seed: "abc" }],
    ["allowAll", { allowAll: "no" }],
    ["allowEnv", { allowEnv: 1 }],
    ["log", { log: 5 }],
    ["clock", { clock: 3 }],
    ["stdout", { stdout: "notfn" }],
    ["onEvent", { onEvent: 3 }],
    ["args", { args: [1, null] }],
    ["env", { env: { N: 5 } }],
    ["cache", { cache: { dir: "" } }],
    ["cache", { cache: {} }],
    ["jit", { jit: "fast" }],
    ["fs", { fs: 5 }],
  ];
  for (const [key, opts] of refused) {
    assert.throws(() => new Raft(opts as never), (e: unknown) => e instanceof TypeError && e.message.startsWith(`new Raft: ${key} must be `), JSON.stringify(opts));
  }
  // What is meant still goes.
  new Raft({ maxHeap: 1, maxReductions: 1, maxProcesses: 1, maxMailbox: 1, schedulers: "auto", seed: 0, allowAll: false, cache: false, jit: "off", args: ["a"], env: { A: "b", B: undefined } });
  new Raft({ schedulers: 64, cache: { dir: "/tmp/raft-cache" } });
});

test("defineNative refuses a standard library name, a name no program can call, and an implementation that is no function", () => {
  const raft = new Raft();
  for (const name of ["println", "vm.exit", "spawn", "receive"]) {
    assert.throws(() => raft.defineNative(name, [], "null", () => null), /the standard library has a vm\.\w+ of its own/, name);
  }
  for (const name of ["", "a-b", "has space", "1abc", "if", "a.b"]) {
    assert.throws(() => raft.defineNative(name, [], "null", () => null), /not a name a program can call/, name);
  }
  assert.throws(() => raft.defineNative("ok_name", [], "null", 5 as never), /must be a function/);
  assert.throws(() => raft.defineNative("ok_name", "string" as never, "null", () => null), /must be an array of type names/);
  assert.throws(() => raft.defineNative("ok_name", [], 5 as never, () => null), /must be a type name/);
  raft.defineNative("ok_name", ["string"], "null", () => null);
});

test("what a native returns is checked against its signature: a value of another type panics its caller", async () => {
  const raft = new Raft({ stdout: () => {}, stderr: () => {} });
  raft.defineNative("count", [], "integer", () => 2.5);
  raft.defineNative("name", [], "string", async () => 42);
  raft.defineNative("flags", [], "vector[bool]", () => [true, "yes"]);
  raft.defineNative("pair", [], "(integer, string)", () => [1]);
  raft.defineNative("nothing", [], "null", () => undefined);
  raft.defineNative("good", [], "vector[(integer, string)]", () => [[1, "a"], [2, "b"]]);
  raft.defineNative("maybe", [], "integer", () => raft.error("no", "not_found"), { fallible: true });
  const cases: [string, string][] = [
    ["vm.println(vm.count());", "native vm.count returned 2.5, not an integer"],
    ["vm.println(vm.name());", "native vm.name returned 42, not a string"],
    ["vm.println(vm.flags());", 'native vm.flags returned "yes", not a bool'],
    ["vm.println(vm.pair());", "native vm.pair returned an array of 1, not a (integer, string)"],
  ];
  for (const [src, message] of cases) {
    const r = await raft.run(src);
    assert.equal(r.panic?.message, message, src);
  }
  const out: string[] = [];
  const ok = new Raft({ stdout: (s) => void out.push(s) });
  ok.defineNative("nothing", [], "null", () => undefined);
  ok.defineNative("good", [], "vector[(integer, string)]", () => [[1, "a"], [2, "b"]]);
  ok.defineNative("maybe", [], "integer", () => ok.error("no", "not_found"), { fallible: true });
  const r = await ok.run('vm.println(vm.nothing());\nvm.println(vm.good());\nlet m: integer = vm.maybe();\nif (m is error) { vm.println(m.code()); }\n');
  assert.equal(r.exitCode, 0, JSON.stringify(r.panic));
  assert.equal(out.join(""), 'null\n[(1, "a"), (2, "b")]\nnot_found\n');
});

test("run, load and observe say what is wrong with what they were given", async () => {
  const raft = new Raft({ stdout: () => {} });
  const wrong: [unknown, unknown, RegExp][] = [
    [undefined, {}, /^TypeError: run: the program must be source text, module bytes \(a Uint8Array\) or a Module, not undefined$/],
    [null, {}, /not null$/],
    [42, {}, /not 42$/],
    [new ArrayBuffer(4), {}, /not an ArrayBuffer$/],
    ["vm.println(1);", null, /^TypeError: run: the options must be an object, not null$/],
    ["vm.println(1);", { file: 5 }, /^TypeError: run: file must be a string, not 5$/],
    ["vm.println(1);", { kind: "bogus" }, /^TypeError: run: kind must be "kaylee", "assembly" or "module", not "bogus"$/],
    ["vm.println(1);", { signal: {} }, /^TypeError: run: signal must be an AbortSignal, not an Object$/],
    ["vm.println(1);", { timeoutMs: "100" }, /^RangeError: timeoutMs must be a number of milliseconds, 0 or more \(got "100"\)$/],
  ];
  for (const [input, opts, message] of wrong) await assert.rejects(raft.run(input as never, opts as never), message);
  assert.throws(() => raft.load("text" as never), /^TypeError: load: expected module bytes \(a Uint8Array\), not "text"$/);
  await assert.rejects(raft.observe({ port: "abc" as never }), /^TypeError: observe: port must be a whole number from 0 to 65535, not "abc"$/);
});

test("defineType refuses a name no program could write as a type", () => {
  const raft = new Raft();
  for (const name of ["vm", "let", "loop", "true"]) assert.throws(() => raft.defineType(name), /is a word of the language/, name);
  raft.defineType("socket");
});
