// Host types (vm.defineType; docs/embedding.md): opaque values of the embedder that natives
// hand out and take back and Kaylee holds in variables of that type: printed by `print`,
// counted by `size` toward the owner's heap, sent as `send` says (copy, share, deny: a compile
// error where the type is seen, a fault otherwise), closed once when the owner ends, and kept
// on the embedder's scheduler when a run uses several.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Raft, formatLeftover } from "../src/index.js";
import { Writer } from "../src/threads/codec.js";
import { HostValue } from "../src/vm/values.js";
import type { HostTypeSpec } from "../src/vm/host-types.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TIERS = ["off", "eager"] as const;

interface Counter {
  id: number;
  n: number;
}

/** A Raft with a `counter` type of the given sending rule, its natives, and a log of closes. */
function counters(send: HostTypeSpec["send"], opts: ConstructorParameters<typeof Raft>[0] = {}, spec: HostTypeSpec = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const closed: number[] = [];
  let next = 1;
  const raft = new Raft({ stdout: (s) => out.push(s), stderr: (s) => err.push(s), ...opts });
  raft.defineType("counter", { print: (c: Counter) => `counter#${c.id}=${c.n}`, size: () => 100, send, close: (c: Counter) => closed.push(c.id), ...spec });
  raft.defineNative("counter_new", [], "counter", (): Counter => ({ id: next++, n: 0 }));
  raft.defineNative("counter_add", ["counter", "integer"], "integer", (c: Counter, k: number) => (c.n += k));
  raft.defineNative("counter_try_add", ["counter", "integer"], "integer", (c: Counter, k: number) => (c.n += k), { fallible: true });
  raft.defineNative("counter_same", ["counter"], "counter", (c: Counter) => c);
  raft.defineNative("counter_pair", [], "(counter, vector[counter])", (): [Counter, Counter[]] => [{ id: next++, n: 1 }, [{ id: next++, n: 2 }]]);
  return { raft, out: () => out.join(""), err: () => err.join(""), closed };
}

async function run(raft: Raft, src: string) {
  const r = await raft.run(src, { file: "t.kl" });
  assert.deepEqual(r.diagnostics.map((d) => d.title), []);
  return r;
}

test("values of a host type: held, printed, passed to natives and closed once, in both tiers", async () => {
  for (const jit of TIERS) {
    const { raft, out, closed } = counters("copy", { jit });
    const src = `fn bump(c: counter, k: integer) -> integer { return vm.counter_add(c, k); }
let c: counter = vm.counter_new();
vm.println(bump(c, 5));
let same: counter = vm.counter_same(c);
vm.println(same == c);
let p: (counter, vector[counter]) = vm.counter_pair();
vm.println(p);
let s: string = c.into();
vm.println("c is " + s);
let d = c;
vm.println(d);
`;
    const r = await run(raft, src);
    assert.equal(r.exitCode, 0, r.panic?.message);
    assert.equal(out(), "5\ntrue\n(counter#2=1, [counter#3=2])\nc is counter#1=5\ncounter#1=5\n", jit);
    // The same JS object came back: one value, closed once; every value closed when main ended.
    assert.deepEqual(closed.sort(), [1, 2, 3], jit);
  }
});

test("send: copy gives the receiver its own copy, closed when the receiver ends", async () => {
  const { raft, out, closed } = counters("copy");
  const src = `fn keeper(parent: process) {
    let c: counter = vm.receive();
    vm.counter_add(c, 10);
    vm.send(parent, c);
    let stop: string = vm.receive();
}
let c: counter = vm.counter_new();
vm.counter_add(c, 1);
let k: process = vm.spawn(keeper, vm.self());
vm.monitor(k);
k.send(c);
let back: counter = vm.receive();
vm.println(back);
vm.println(c);
k.send("stop");
let e: exit = vm.receive();
vm.println(vm.counter_add(back, 100));
`;
  const r = await run(raft, src);
  assert.equal(r.exitCode, 0, r.panic?.message);
  // Ids: 1 is main's; the copy the keeper got is 1 too (structuredClone keeps fields), and so is
  // the copy it sent back: three values, each closed once, by its own owner.
  assert.equal(out(), "counter#1=11\ncounter#1=1\n111\n");
  assert.deepEqual(closed, [1, 1, 1]);
});

test("send: share passes the same value; it is closed when its owner ends, and then refused", async () => {
  const { raft, out, closed } = counters("share");
  const src = `fn owner(parent: process) {
    let c: counter = vm.counter_new();
    vm.send(parent, c);
    let stop: string = vm.receive();
}
let o: process = vm.spawn(owner, vm.self());
vm.monitor(o);
let c: counter = vm.receive();
vm.counter_add(c, 3);
vm.println(c);
o.send("stop");
let e: exit = vm.receive();
let r = vm.counter_try_add(c, 1);
if (r is error) { vm.println(r.code() + ": " + r.message()); }
vm.counter_add(c, 1);
`;
  const r = await raft.run(src, { file: "t.kl" });
  assert.equal(out(), "counter#1=3\nclosed: used a counter that was closed (its owner ended)\n");
  assert.deepEqual(closed, [1]);
  // A native that is not fallible: the refusal is a fault of the caller, with code `closed`.
  assert.equal(r.exitCode, 1);
  assert.equal(r.panic!.message, "used a counter that was closed (its owner ended)");
  assert.deepEqual(r.panic!.trace[0], { fn: "main", line: 15, col: 1 });
});

test("send: deny is a compile error where the type is seen, a fault where it is not", async () => {
  const { raft } = counters("deny");
  const cases: [string, number, number][] = [
    ["let c: counter = vm.counter_new();\nvm.send(vm.self(), c);\n", 2, 20],
    ["let c: counter = vm.counter_new();\nvm.self().send((1, [c]));\n", 2, 16],
    ["fn f(c: counter) { }\nlet c: counter = vm.counter_new();\nvm.spawn(f, c);\n", 3, 13],
    ["let c: counter = vm.counter_new();\nlet r: ref = vm.send_after(vm.self(), c, 5);\n", 2, 39],
  ];
  for (const [src, line, column] of cases) {
    const c = raft.compile(src, "d.kl");
    assert.equal(c.module, null, src);
    assert.match(c.diagnostics[0].title, /^cannot send a (counter|tuple \(integer, vector\[counter\]\))$/, src);
    assert.deepEqual([c.diagnostics[0].line, c.diagnostics[0].column], [line, column], src);
  }
  // Assembly names no Kaylee types for the checker: the send itself refuses.
  const r = await raft.run("CallNative #vm.counter_new 0\nSelf\nSwap\nSendMessage #counter\n", { file: "d.raft" });
  assert.equal(r.exitCode, 1);
  assert.equal(r.panic!.message, 'a counter cannot be sent (its type is declared send: "deny")');
  // Copy and share types send fine.
  assert.ok(counters("copy").raft.compile(cases[0][0], "ok.kl").module);
});

test("size counts toward the owner's heap; close runs once even when it throws", async () => {
  const big = counters("copy", { maxHeap: 1 << 20 }, { size: () => 2 << 20 });
  const r = await big.raft.run("let c: counter = vm.counter_new();\nvm.println(1);\n", { file: "t.kl" });
  assert.equal(r.exitCode, 1);
  assert.equal(r.panic!.message, "heap_limit");
  assert.deepEqual(big.closed, [1], "the value the process held is closed when it ends");
  const mem = counters("copy", {}, { size: () => 50_000 });
  const m = await run(mem.raft, "let a = vm.memory();\nlet c: counter = vm.counter_new();\nvm.println(vm.memory() - a >= 50000);\n");
  assert.equal(m.exitCode, 0);
  assert.equal(mem.out(), "true\n");
  // A size that is no byte count is a fault of the native's caller.
  const bad = counters("copy", {}, { size: () => -1 });
  const b = await bad.raft.run("let c: counter = vm.counter_new();\n", { file: "t.kl" });
  assert.equal(b.panic!.message, "size of a counter returned -1, not a number of bytes");
  // A close that throws is logged, and the other values are still closed.
  const closes: number[] = [];
  const shaky = counters("copy", {}, {
    close: (c: Counter) => {
      closes.push(c.id);
      if (c.id === 1) throw new Error("disk gone");
    },
  });
  await run(shaky.raft, "let a: counter = vm.counter_new();\nlet b: counter = vm.counter_new();\n");
  assert.deepEqual(closes.sort(), [1, 2]);
  assert.match(shaky.err(), /close of a counter failed: disk gone/);
});

test("a value returned after its caller ended is closed at once; values are closed when a run is cancelled", async () => {
  const closed: number[] = [];
  const raft = new Raft({ stderr: () => {} });
  raft.defineType("res", { close: (r: { id: number }) => closed.push(r.id) });
  raft.defineNative("res_later", [], "res", async () => {
    await new Promise((ok) => setTimeout(ok, 30));
    return { id: 7 };
  });
  raft.defineNative("res_now", [], "res", () => ({ id: 8 }));
  const src = `fn getter() { let r: res = vm.res_later(); }
let p: process = vm.spawn(getter);
vm.sleep(5);
vm.kill(p);
let mine: res = vm.res_now();
vm.sleep(60);
`;
  const r = await raft.run(src, { file: "t.kl" });
  assert.equal(r.exitCode, 0, r.panic?.message);
  assert.deepEqual(closed.sort(), [7, 8]);
  closed.length = 0;
  const c = await raft.run("let mine: res = vm.res_now();\nloop { }\n", { file: "t.kl", timeoutMs: 50 });
  assert.equal(c.cancelled, "timeout");
  assert.deepEqual(closed, [8]);
});

test("defineType and defineNative refuse what cannot be meant", () => {
  const raft = new Raft();
  for (const [name, spec, why] of [
    ["Counter", {}, /bad type name/],
    ["integer", {}, /integer is a Kaylee type/],
    ["vector", {}, /vector is a Kaylee type/],
    ["c", { send: "move" }, /send must be "copy", "share" or "deny"/],
    ["c", { print: "x" }, /print must be a function/],
  ] as [string, HostTypeSpec, RegExp][]) {
    assert.throws(() => raft.defineType(name, spec), (e: unknown) => e instanceof TypeError && why.test(e.message), String(why));
  }
  raft.defineType("counter");
  assert.throws(() => raft.defineType("counter"), /counter is already defined/);
  assert.throws(() => raft.defineNative("f", ["countr"], "null", () => null), /defineNative vm\.f: "countr" is not a type \(a host type is defined with defineType first\)/);
  // Only this VM's programs know the type.
  assert.match(new Raft().compile("let c: counter;\n", "t.kl").diagnostics[0].title, /unknown type `counter`/);
});

test("assembly and modules name host types; a VM without the type refuses the module", async () => {
  const { raft } = counters("copy");
  const m = raft.assemble("CallNative #vm.counter_new 0\nPushInt 0\nReceiveTimeout #counter\nPop\n", "t.raft");
  assert.equal(m.diagnostics.length, 0, m.diagnostics.map((d) => d.title).join("; "));
  const r = await raft.run(m.module!);
  assert.equal(r.exitCode, 0, r.panic?.message);
  // Leftovers print as the type prints them, known by the native's signature or not.
  assert.equal(formatLeftover(r.leftover, r.leftoverTypes), "counter#1=0\n");
  assert.equal(formatLeftover(r.leftover), "counter#1=0\n");
  const other = await new Raft().run(raft.save(m.module!), { file: "t.rbc" });
  assert.equal(other.exitCode, 2);
  assert.equal(other.diagnostics[0].title, "this module uses the host type counter, which this VM does not define (vm.defineType)");
});

test("a session holds host values across inputs", async () => {
  const { raft, closed } = counters("copy");
  const s = await raft.session();
  await s.eval("let c: counter = vm.counter_new();");
  await s.eval("vm.counter_add(c, 4);");
  const v = await s.eval("c;");
  assert.equal(v.kind === "value" ? v.text : v.kind, "counter#1=4 : counter");
  s.close();
  assert.ok(closed.length >= 1);
});

test("host values never cross threads: the codec refuses them, and their holders stay on scheduler 0", async () => {
  const h = new HostValue({ name: "counter", send: "copy", print: () => "", size: () => 0, close: () => {} }, {});
  assert.throws(() => new Writer().value([1, [h]]), /a counter \(a value of a host type\) cannot cross threads/);
  // examples/ext-types spreads its processes over two schedulers from the first spawn.
  for (const env of [{}, { RAFT_JIT: "eager" }, { RAFT_SCHEDULERS: "2", RAFT_SPREAD: "1" }]) {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(process.execPath, ["examples/ext-types/run.mjs"], { cwd: ROOT, env: { ...process.env, RAFT_JIT: "", RAFT_SCHEDULERS: "", RAFT_SPREAD: "", ...env } }, (err, stdout, stderr) =>
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
    });
    assert.equal(code, 0, `${JSON.stringify(env)}: ${stderr}`);
    assert.match(stdout, /^counter hits = 300\n\(closed hits at 300\)\nafter its owner ended: closed\nerror: cannot send a socket\n/, JSON.stringify(env));
  }
});

test("a message holding a host value for a process on another scheduler is dropped, with a warning", async () => {
  const prev = process.env.RAFT_SPREAD;
  process.env.RAFT_SPREAD = "1";
  try {
    const { raft, out, err } = counters("copy", { schedulers: 2 });
    // `idle` never receives a counter, so it may live anywhere: spread puts it on scheduler 1.
    const src = `fn idle(parent: process) {
    let m: integer = vm.receive();
    vm.send(parent, m + 1);
}
let p: process = vm.spawn(idle, vm.self());
let c: counter = vm.counter_new();
vm.send(p, c);
p.send(1);
let n: integer = vm.receive();
vm.println(n);
`;
    const r = await run(raft, src);
    assert.equal(r.exitCode, 0, r.panic?.message);
    assert.equal(out(), "2\n");
    assert.match(err(), /a message of type counter for <0\.2> was dropped: it holds host values, which stay on the embedder's scheduler, and <0\.2> runs on another/);
  } finally {
    if (prev === undefined) delete process.env.RAFT_SPREAD;
    else process.env.RAFT_SPREAD = prev;
  }
});
