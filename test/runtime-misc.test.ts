// Copying and equality, permissions, the PRNG and the Node host.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { deepCopy, valuesEqual } from "../src/vm/copy.js";
import { copyWork, sizeOfValue } from "../src/vm/heap.js";
import { pidArg, pidString } from "../src/vm/process.js";
import { formatPid } from "../src/vm/print.js";
import { Fault } from "../src/vm/values.js";
import { Raft } from "../src/raft.js";
import { allowed, grantProblem, makePermissions, parseGrant } from "../src/vm/permissions.js";
import { makeRandom } from "../src/vm/random.js";
import { LineReader, makeNodeHost } from "../src/vm/node-host.js";
import { ExitNotice, KError } from "../src/vm/values.js";

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 5 }),
  ),
})).v;

function noSharedArrays(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a)) return true;
  if (a === b) return false;
  return a.every((x, i) => noSharedArrays(x, (b as unknown[])[i]));
}

test("deepCopy is equal but not aliased (property)", () => {
  fc.assert(
    fc.property(value, (v) => {
      const c = deepCopy(v);
      assert.ok(valuesEqual(v, c));
      assert.deepEqual(c, v);
      assert.ok(noSharedArrays(v, c));
    }),
  );
});

test("valuesEqual", () => {
  assert.ok(valuesEqual([1, [2, "a"]], [1, [2, "a"]]));
  assert.ok(!valuesEqual([1, 2], [1, 2, 3]));
  assert.ok(!valuesEqual([1, 2], [1, 3]));
  assert.ok(!valuesEqual(NaN, NaN));
  assert.ok(valuesEqual(new KError("a", "b"), new KError("a", "b")));
  assert.ok(valuesEqual(new ExitNotice(1, "x"), new ExitNotice(1, "x")));
  assert.ok(!valuesEqual(new ExitNotice(1, "x"), new ExitNotice(2, "x")));
  assert.ok(!valuesEqual("1", 1));
});

test("sizeOfValue: V8's layout (a slot, a JSArray with its store, a boxed float, a string)", () => {
  assert.equal(sizeOfValue(5), 8);
  assert.equal(sizeOfValue(0.5), 8 + 16);
  assert.equal(sizeOfValue("abcd"), 8 + 32 + 8);
  assert.equal(sizeOfValue([1, 2, 3]), 8 + 48 + 3 * 12);
  assert.equal(sizeOfValue(["ab"]), 8 + 48 + 12 + 36);
  assert.equal(sizeOfValue([[1]]), 8 + 2 * (48 + 12));
});

test("a message's copy costs reductions by the one size estimate: 1 per 128 bytes, bounded", async () => {
  const v = Array.from({ length: 10_000 }, (_, i) => i);
  assert.equal(copyWork(v), sizeOfValue(v) >>> 7);
  assert.equal(copyWork(["x".repeat(4096), [1.5, 2.5]]), sizeOfValue(["x".repeat(4096), [1.5, 2.5]]) >>> 7);
  // One long string shared by a million slots: the estimate's walk and the charge stop at a cap.
  assert.ok(copyWork(new Array(1_000_000).fill("y".repeat(1 << 20))) <= (1 << 28) >>> 7);
  // Sending a big message charges its sender in proportion (seen in the run's reductions).
  const run = async (n: number) => {
    const src = `let v: vector[integer] = [];\nlet i: integer = 0;\nloop { if (i == ${n}) { break; } v.push(i); i += 1; }\nlet k: integer = 0;\nloop { if (k == 50) { break; } vm.send(vm.self(), v); let w: vector[integer] = vm.receive(); k += 1; }\n`;
    const r = await new Raft({ stdout: () => {} }).run(src, { file: "send.kl" });
    assert.equal(r.exitCode, 0, JSON.stringify(r.panic));
    return r.stats.reductions;
  };
  const small = await run(10);
  const big = await run(20_000);
  // 50 copies of ~240 kB: about 50 * 1900 reductions more than the loop that builds it needs.
  assert.ok(big - small > 50 * 1500, `small ${small}, big ${big}`);
});

test("pids: one printer, one argument check", () => {
  assert.equal(pidString(5), formatPid(5));
  assert.equal(pidArg(7), 7);
  assert.throws(() => pidArg(new KError("gone", "noproc")), (e: unknown) => e instanceof Fault && /used an error value/.test(e.error.message));
  assert.throws(() => pidArg("x"), (e: unknown) => e instanceof Fault && e.error.code === "bad_code");
});

test("permissions", () => {
  assert.equal(allowed(true, "/x"), true);
  assert.equal(allowed(false, "/x"), false);
  assert.equal(allowed(["/data"], "/data"), true);
  assert.equal(allowed(["/data"], "/data/a/b.txt"), true);
  assert.equal(allowed(["/data"], "/database"), false);
  assert.equal(allowed(["/data"], "/data/../etc/passwd"), false);
  assert.equal(allowed(["/data/"], "/data/x"), true);
  assert.equal(allowed(["/a", "/b"], "/b/c"), true);
  assert.equal(allowed([], "/b/c"), false);
  assert.equal(parseGrant(undefined), false);
  assert.equal(parseGrant(false), false);
  assert.equal(parseGrant(true), true);
  assert.throws(() => parseGrant(""), /empty path/);
  assert.throws(() => parseGrant(["a", " "]), /empty path/);
  assert.equal(grantProblem("--allow-read", "a,", "--allow-read"), "--allow-read has an empty path: name the folders to allow (or --allow-read to allow every path)");
  assert.equal(grantProblem("allowRead", [""], "true"), "allowRead has an empty path: name the folders to allow (or true to allow every path)");
  assert.equal(grantProblem("allowRead", ["a", "b"], "true"), null);
  assert.equal(grantProblem("allowRead", [], "true"), null); // no paths: nothing granted
  assert.deepEqual(parseGrant("a,b", "/cwd", (p) => p.replace("/cwd/a", "/real/a")), ["/real/a", "/cwd/b"]);
  assert.deepEqual(parseGrant("a,/b", "/cwd"), ["/cwd/a", "/b"]);
  assert.deepEqual(parseGrant("a", process.cwd()), [path.resolve("a")]);
  assert.deepEqual(makePermissions({}), { read: false, write: false, env: false });
  assert.deepEqual(makePermissions({ all: true }), { read: true, write: true, env: true });
  assert.deepEqual(makePermissions({ read: ["x"], cwd: "/w", env: true }), { read: ["/w/x"], write: false, env: true });
});

test("PRNG is deterministic per seed and in [0, 1)", () => {
  const a = makeRandom(42);
  const b = makeRandom(42);
  const c = makeRandom(43);
  const xs = Array.from({ length: 100 }, () => a());
  const ys = Array.from({ length: 100 }, () => b());
  const zs = Array.from({ length: 100 }, () => c());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs, zs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(
    Array.from({ length: 5 }, makeRandom(0)),
    Array.from({ length: 5 }, makeRandom(2 ** 32)),
  );
  const u = makeRandom();
  const v = makeRandom();
  assert.notEqual(u(), v());
  const buckets = new Array(10).fill(0);
  const r = makeRandom(7);
  for (let i = 0; i < 10000; i++) buckets[Math.floor(r() * 10)]++;
  assert.ok(buckets.every((n) => n > 850 && n < 1150), String(buckets));
});

test("LineReader: lines, CRLF, final line without newline, EOF", async () => {
  const s = new PassThrough();
  const r = new LineReader(s);
  s.write("one\r\ntw");
  s.write("o\nthr");
  const first = await r.readLine();
  assert.equal(first, "one");
  assert.equal(await r.readLine(), "two");
  const pending = r.readLine();
  s.end("ee");
  assert.equal(await pending, "three");
  assert.equal(await r.readLine(), null);
  assert.equal(await r.readLine(), null);
});

test("LineReader: multibyte characters split across chunks", async () => {
  const s = new PassThrough();
  const r = new LineReader(s);
  const bytes = Buffer.from("é😀\n");
  const p = r.readLine();
  s.write(bytes.subarray(0, 1));
  s.write(bytes.subarray(1, 4));
  s.end(bytes.subarray(4));
  assert.equal(await p, "é😀");
});

test("LineReader: close ends pending reads", async () => {
  const s = new PassThrough();
  const r = new LineReader(s);
  const p = r.readLine();
  r.close();
  assert.equal(await p, null);
});

test("node host writes through the given streams and fs", async () => {
  const out: string[] = [];
  const stdin = new PassThrough();
  const host = makeNodeHost({
    args: ["a"],
    permissions: { read: true, write: false, env: false },
    env: { X: "1" },
    stdout: (t) => out.push(t),
    stdin,
  });
  host.stdout("hi");
  assert.deepEqual(out, ["hi"]);
  assert.equal(host.fs.resolve("/a/../b"), "/b");
  const text = await host.fs.readFile(path.resolve("package.json"));
  assert.match(text, /raft-vm/);
  stdin.end("line\n");
  assert.equal(await host.readLine(), "line");
  assert.equal(await host.readLine(), null);
  host.close();
});

test("node host survives a broken stdout", () => {
  const out = new PassThrough();
  const host = makeNodeHost({ args: [], permissions: { read: false, write: false, env: false }, stdout: out, stdin: new PassThrough() });
  out.destroy(Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
  host.stdout("x");
  host.close();
});
