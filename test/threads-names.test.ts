// The shared name registry: the same answers as a Map under any sequence of operations
// (through compactions), the limits, and one winner per name when threads race.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Worker } from "node:worker_threads";
import { MAX_NAME, Names, namesBuffer } from "../src/threads/names.js";

test("names: register, whereis, unregister, list and nameOf agree with a Map, through compactions", () => {
  const name = fc.oneof(fc.constantFrom("kv", "db", "ä", "\u{1F600}", "toString", "__proto__"), fc.string({ maxLength: 40 }));
  const op = fc.tuple(fc.integer({ min: 0, max: 3 }), name, fc.integer({ min: 1, max: 50 }));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const reg = new Names(namesBuffer(16));
      const model = new Map<string, number>();
      for (const [kind, n, pid] of ops) {
        if (kind === 0) {
          const r = reg.register(n, pid);
          if (model.has(n)) assert.equal(r, "taken");
          else if (model.size >= 4) assert.equal(r, "full");
          else {
            assert.equal(r, "ok");
            model.set(n, pid);
          }
        } else if (kind === 1) {
          assert.equal(reg.whereis(n), model.get(n) ?? 0);
          // nameOf: a name that pid holds (this table lets a pid hold several), or null
          const held = [...model].filter(([, p]) => p === pid).map(([k]) => k);
          const got = reg.nameOf(pid);
          if (held.length === 0) assert.equal(got, null);
          else assert.ok(got !== null && held.includes(got), `nameOf(${pid}) = ${JSON.stringify(got)}`);
        }
        else if (kind === 2) assert.equal(reg.unregister(n), model.delete(n));
        else assert.deepEqual(reg.list().sort(), [...model.keys()].sort());
      }
    }),
    { numRuns: 300 },
  );
});

test("names: a name is at most 255 characters; unregister checks the holder", () => {
  const reg = new Names(namesBuffer());
  assert.equal(reg.register("x".repeat(MAX_NAME + 1), 3), "too_long");
  assert.equal(reg.register("x".repeat(MAX_NAME), 3), "ok");
  assert.equal(reg.whereis("x".repeat(MAX_NAME)), 3);
  assert.equal(reg.unregister("x".repeat(MAX_NAME), 4), false);
  assert.equal(reg.unregister("x".repeat(MAX_NAME), 3), true);
  // Many long names come and go: the arena is laid out afresh and never runs out.
  for (let i = 0; i < 20_000; i++) {
    const n = `${i}`.padEnd(200, "-");
    assert.equal(reg.register(n, i + 1), "ok");
    assert.equal(reg.whereis(n), i + 1);
    assert.ok(reg.unregister(n, i + 1));
  }
  assert.deepEqual(reg.list(), []);
});

test("names: two threads racing for the same names: each name has exactly one winner", async () => {
  const buffer = namesBuffer(8192);
  const names = Array.from({ length: 1500 }, (_, i) => `worker-${i}`);
  const run = (id: number) =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(new URL("./helpers/names-worker.js", import.meta.url), { workerData: { buffer, id, names } });
      w.once("message", resolve);
      w.once("error", reject);
    });
  const [a, b] = await Promise.all([run(1), run(2)]);
  assert.equal(a + b, names.length);
  const reg = new Names(buffer);
  let ones = 0;
  for (const n of names) {
    const p = reg.whereis(n);
    assert.ok(p === 1 || p === 2);
    if (p === 1) ones++;
  }
  assert.equal(ones, a);
});

// The same limits whatever the number of schedulers: at most MAX_NAMES names at once (system_limit)
// and names of at most MAX_NAME characters (range). On two schedulers with spreading, the run
// is parallel from its first spawn, so the shared table answers (checked: a process lives on
// scheduler 1).
test("registry limits: the same errors on one scheduler and on two", async () => {
  const { Raft } = await import("../src/raft.js");
  const { MAX_NAMES } = await import("../src/threads/names.js");
  const src = `
fn idle() { let m: integer = vm.receive(); }
let long: string = "";
let k: integer = 0;
loop { if (k == ${MAX_NAME + 1}) { break; } long.push('x'); k++; }
let r = vm.register(long, vm.spawn(idle));
if (r is error) { vm.println(r.code() + ": " + r.message()); }
let i: integer = 0;
loop {
    let p: process = vm.spawn(idle);
    let name: string = "n" + i.into();
    let e = vm.register(name, p);
    if (e is error) { vm.println(i.into() + " " + e.code() + ": " + e.message()); break; }
    i++;
}
vm.println(vm.registered().length());
vm.exit(0);
`;
  const outs: string[] = [];
  for (const schedulers of [1, 2]) {
    let out = "";
    const raft = new Raft({ stdout: (s) => (out += s), stderr: () => {}, log: "error", schedulers, maxProcesses: 50_000 });
    const { module } = raft.compile(src, "names.kl");
    assert.ok(module);
    const program = raft.link(module);
    const prev = process.env.RAFT_SPREAD;
    if (schedulers === 2) process.env.RAFT_SPREAD = "place";
    let vm;
    try {
      vm = await raft.createVM();
    } finally {
      if (prev === undefined) delete process.env.RAFT_SPREAD;
      else process.env.RAFT_SPREAD = prev;
    }
    const r = await vm.run(program);
    assert.equal(r.exitCode, 0);
    // The premise: on two, the run was parallel (the shared table answered); on one, it was not.
    assert.equal(vm.remote !== null, schedulers === 2, `parallel on ${schedulers} scheduler(s)`);
    outs.push(out);
  }
  const expected = `range: a registered name is at most ${MAX_NAME} characters (this one has ${MAX_NAME + 1})\n${MAX_NAMES} system_limit: too many registered names (at most ${MAX_NAMES} at once)\n${MAX_NAMES}\n`;
  assert.equal(outs[0], expected);
  assert.equal(outs[1], expected);
});
