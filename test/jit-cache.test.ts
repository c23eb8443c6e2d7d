// The second tier's cache across runs (src/vm/jit-cache.ts): where it lives, hit and miss,
// entries that must be ignored (damaged, truncated, another version, another module, units
// that do not fit), RAFT_CACHE=off, writers at once, pruning, and that a cached run
// behaves — output and reduction counts — exactly as a cold one. Every test uses a
// temporary folder of its own; none touches the user's cache.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Raft, type RaftOptions } from "../src/raft.js";
import { MAX_ENTRIES, cacheFolder, prune, sealEntry } from "../src/vm/jit-cache.js";

const root = mkdtempSync(join(tmpdir(), "raft-jit-cache-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshFolder = () => join(root, `c${folders++}`);

// A hot function, a hot loop (on-stack replacement), seeded random numbers and a process.
const PROGRAM = `
fn mix(a: integer, b: integer) -> integer {
    return (a * 31 + b) % 1000003;
}
fn worker() {
    let parent: process = vm.receive();
    let s: integer = 0;
    let i: integer = 0;
    loop {
        if (i == 5000) { break; }
        s = mix(s, vm.random_number(0, 9));
        i++;
    }
    vm.send(parent, s);
}
let p: process = vm.spawn(worker);
vm.send(p, vm.self());
let a: integer = 0;
let i: integer = 0;
loop {
    if (i == 20000) { break; }
    a = mix(a, i + vm.random_number(0, 3));
    i++;
}
let w: integer = vm.receive();
vm.println(a);
vm.println(w);
`;

interface Ran {
  out: string;
  log: string[];
  reductions: number;
  exitCode: number;
}

/** Runs `source` in a fresh Raft (nothing linked before), cache in `dir`; the cache's debug lines. */
async function run(source: string, dir: string | false, extra: Partial<RaftOptions> = {}, file = progFile()): Promise<Ran> {
  let out = "";
  const log: string[] = [];
  const raft = new Raft({
    stdout: (s) => void (out += s),
    stderr: (s) => void log.push(...s.split("\n").filter((l) => l.includes("jit cache:"))),
    seed: 7,
    schedulers: 1,
    exclusive: true,
    log: "debug",
    cache: dir === false ? false : { dir },
    ...extra,
  });
  const { module, diagnostics } = raft.compile(source, file);
  assert.ok(module, JSON.stringify(diagnostics));
  const r = await raft.run(module, { file });
  return { out, log, reductions: r.stats.reductions, exitCode: r.exitCode };
}

const entries = (dir: string) => (existsSync(join(dir, "jit")) ? readdirSync(join(dir, "jit")) : []);
const entryPath = (dir: string) => {
  const e = entries(dir).filter((n) => n.endsWith(".json"));
  assert.equal(e.length, 1, `one entry in ${dir}: ${e.join(", ")}`);
  return join(dir, "jit", e[0]);
};
/** The entry's body as data, and a way to write it back sealed (valid header and checksum). */
function body(path: string): { data: { key: string; module: string; units: [string, string | null, number[]][] }; write: () => void } {
  const text = readFileSync(path, "utf8");
  const data = JSON.parse(text.slice(text.indexOf("\n") + 1));
  return { data, write: () => writeFileSync(path, sealEntry(JSON.stringify(data))) };
}

test("where the cache lives: option, RAFT_CACHE, RAFT_CACHE_DIR, the platform's folder", () => {
  assert.equal(cacheFolder(undefined, { HOME: "/h" }, "linux"), "/h/.cache/raft");
  assert.equal(cacheFolder(undefined, { HOME: "/h", XDG_CACHE_HOME: "/x" }, "linux"), "/x/raft");
  assert.equal(cacheFolder(undefined, { HOME: "/h", XDG_CACHE_HOME: "relative" }, "linux"), "/h/.cache/raft", "a relative XDG_CACHE_HOME is ignored");
  assert.equal(cacheFolder(undefined, { HOME: "/Users/k" }, "darwin"), "/Users/k/Library/Caches/raft");
  assert.match(cacheFolder(undefined, { LOCALAPPDATA: "C:\\Users\\k\\AppData\\Local" }, "win32")!, /AppData.Local.raft.Cache$/);
  assert.equal(cacheFolder(undefined, { HOME: "/h", RAFT_CACHE_DIR: "/d" }, "linux"), "/d");
  assert.equal(cacheFolder({ dir: "/o" }, { HOME: "/h", RAFT_CACHE_DIR: "/d" }, "linux"), "/o");
  assert.equal(cacheFolder(false, { HOME: "/h" }, "linux"), null);
  for (const off of ["off", "0", "false", "OFF"]) {
    assert.equal(cacheFolder(undefined, { HOME: "/h", RAFT_CACHE: off }, "linux"), null);
    assert.equal(cacheFolder({ dir: "/o" }, { RAFT_CACHE: off }, "linux"), null, "RAFT_CACHE=off wins over the option");
  }
  // Under a test runner the default is off: a suite never writes into the user's cache.
  assert.equal(cacheFolder(undefined, { HOME: "/h", NODE_TEST_CONTEXT: "child-v8" }, "linux"), null);
  assert.equal(cacheFolder(undefined, { HOME: "/h", NODE_TEST_CONTEXT: "child-v8", RAFT_CACHE_DIR: "/d" }, "linux"), "/d");
  // This suite runs under the test runner: the default is off here.
  assert.equal(cacheFolder(undefined), process.env.RAFT_CACHE_DIR ?? null);
});

test("miss, then hit: same output and the same reduction counts cold and cached", async () => {
  const dir = freshFolder();
  const cold = await run(PROGRAM, dir);
  assert.match(cold.log[0], /jit cache: miss /);
  assert.match(cold.log[1], /jit cache: wrote .* \((\d+) units\)/);
  const units = Number(/\((\d+) units\)/.exec(cold.log[1])![1]);
  assert.ok(units >= 2, `a function and a loop nest at least, got ${units}`);
  const cached = await run(PROGRAM, dir);
  assert.deepEqual(cached.log, [cold.log[1].replace("wrote", "hit")], "a hit, and nothing new to write");
  assert.equal(cached.out, cold.out);
  assert.equal(cached.reductions, cold.reductions);
  // And both as without the cache at all.
  const none = await run(PROGRAM, false);
  assert.deepEqual(none.log, []);
  assert.equal(none.out, cold.out);
  assert.equal(none.reductions, cold.reductions);
  // Compiling eagerly finds the same entry; cold or cached, it counts alike too.
  const eagerCold = await run(PROGRAM, freshFolder(), { jit: "eager" });
  const eager = await run(PROGRAM, dir, { jit: "eager" });
  assert.match(eager.log[0], /hit/);
  assert.equal(eager.out, cold.out);
  assert.equal(eager.reductions, eagerCold.reductions);
});

test("a program that never gets hot opens no entry and writes none", async () => {
  const dir = freshFolder();
  const r = await run('vm.println("once");', dir);
  assert.equal(r.out, "once\n");
  assert.deepEqual(r.log, []);
  assert.deepEqual(entries(dir), []);
});

test("a damaged or truncated entry is ignored, the run is right, and the entry is written anew", async () => {
  const cases: [string, (text: string) => string, RegExp][] = [
    ["a changed byte in the body", (t) => t.replace(/"src"|return/, (m) => m.toUpperCase()), /checksum mismatch/],
    ["a cut body", (t) => t.slice(0, t.length - 40), /truncated/],
    ["an empty file", () => "", /not a cache entry/],
    ["another format", (t) => t.replace(/^raft-jit-cache 1 /, "raft-jit-cache 999 "), /format 999/],
    ["not JSON, sealed", () => sealEntry("{not json"), /not JSON/],
  ];
  const dir = freshFolder();
  const cold = await run(PROGRAM, dir);
  const path = entryPath(dir);
  const good = readFileSync(path, "utf8");
  for (const [what, damage, why] of cases) {
    writeFileSync(path, damage(good));
    const r = await run(PROGRAM, dir);
    assert.match(r.log[0], /jit cache: ignored /, what);
    assert.match(r.log[0], why, what);
    assert.equal(r.out, cold.out, what);
    assert.equal(r.reductions, cold.reductions, what);
    assert.match(r.log[1] ?? "", /wrote/, `${what}: written anew`);
    assert.match((await run(PROGRAM, dir)).log[0], /hit/, `${what}: the new entry is used`);
  }
});

test("an entry of another version, build or Node, another module, or with units that do not fit is ignored", async () => {
  const dir = freshFolder();
  const cold = await run(PROGRAM, dir);
  const path = entryPath(dir);
  const good = readFileSync(path, "utf8");
  const edits: [string, (d: ReturnType<typeof body>["data"]) => void, RegExp][] = [
    ["another Raft version", (d) => (d.key = d.key.replace(/^raft \S+/, "raft 0.0.1")), /made by raft 0\.0\.1/],
    ["another build", (d) => (d.key = d.key.replace(/build \S+/, "build 0123")), /made by .*build 0123/],
    ["another Node", (d) => (d.key = d.key.replace(/node \S+/, "node v18.0.0")), /made by .*node v18\.0\.0/],
    ["another module", (d) => (d.module = Buffer.from("RAFT other").toString("base64")), /another module/],
    ["a function index out of range", (d) => d.units.push(["f999", null, []]), /does not fit/],
    ["a loop nest outside its function", (d) => d.units.push(["r0:0:999999", null, []]), /does not fit/],
    ["a callee out of range", (d) => (d.units[0][2] = [12345]), /does not fit/],
    ["a unit of the wrong shape", (d) => d.units.push(["f0", 42 as unknown as string, []]), /does not fit/],
  ];
  for (const [what, edit, why] of edits) {
    writeFileSync(path, good);
    const b = body(path);
    edit(b.data);
    b.write();
    const r = await run(PROGRAM, dir);
    assert.match(r.log[0], /jit cache: ignored /, what);
    assert.match(r.log[0], why, what);
    assert.equal(r.out, cold.out, what);
    assert.equal(r.reductions, cold.reductions, what);
  }
  // Two modules (one program at two paths) have an entry each.
  await run(PROGRAM, dir, {}, join(root, "other.kl"));
  assert.equal(entries(dir).length, 2);
});

test("cache: false and RAFT_CACHE=off write nothing", async () => {
  const dir = freshFolder();
  const r = await run(PROGRAM, false, {});
  assert.deepEqual(r.log, []);
  const cli = await raftCli(["run", "--seed", "7", progFile()], { RAFT_CACHE: "off", RAFT_CACHE_DIR: dir });
  assert.equal(cli.code, 0, cli.err);
  assert.equal(cli.out, r.out);
  assert.deepEqual(entries(dir), []);
});

let progPath = "";
function progFile(): string {
  if (!progPath) {
    progPath = join(root, "prog.kl");
    writeFileSync(progPath, PROGRAM);
  }
  return progPath;
}

function raftCli(argv: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["bin/raft.js", ...argv], { env: { ...process.env, RAFT_LOG: "", RAFT_SCHEDULERS: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => done({ code, out, err }));
  });
}

test("the CLI: cold and cached runs print the same; RAFT_CACHE_DIR says where; --seed stays deterministic", async () => {
  const dir = freshFolder();
  const env = { RAFT_CACHE_DIR: dir, RAFT_LOG: "debug" };
  const cold = await raftCli(["run", "--schedulers=1", "--seed", "7", progFile()], env);
  assert.equal(cold.code, 0, cold.err);
  assert.match(cold.err, /jit cache: miss /);
  assert.match(cold.err, /jit cache: wrote /);
  const cached = await raftCli(["run", "--schedulers=1", "--seed", "7", progFile()], env);
  assert.equal(cached.code, 0, cached.err);
  assert.match(cached.err, /jit cache: hit /);
  assert.doesNotMatch(cached.err, /wrote/);
  assert.equal(cached.out, cold.out);
  // The same reductions, slice by slice (each slice's debug line says how many it used).
  const slices = (err: string) => err.split("\n").filter((l) => / reductions: /.test(l)).join("\n");
  assert.ok(slices(cold.err).length > 0);
  assert.equal(slices(cached.err), slices(cold.err));
  // In-process API and CLI agree on the output.
  assert.equal(cold.out, (await run(PROGRAM, false)).out);
});

test("writers at once: every run is right and the entry left is whole", async () => {
  const dir = freshFolder();
  const runs = await Promise.all(Array.from({ length: 6 }, () => raftCli(["run", "--seed", "7", progFile()], { RAFT_CACHE_DIR: dir })));
  const expected = (await run(PROGRAM, false)).out;
  for (const r of runs) {
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, expected);
  }
  assert.deepEqual(entries(dir).filter((n) => n.endsWith(".tmp")), [], "no temporary file left behind");
  assert.match((await run(PROGRAM, dir)).log[0], /jit cache: hit /);
  // Readers while writers replace the entry: each sees a whole entry (a hit) or none (a miss), never a damaged one.
  const mixed = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? run(PROGRAM, dir) : raftCli(["run", "--seed", "7", progFile()], { RAFT_CACHE_DIR: dir, RAFT_LOG: "debug" }))));
  for (const r of mixed) {
    assert.doesNotMatch("log" in r ? r.log.join("\n") : r.err, /ignored/);
    assert.equal(r.out, expected);
  }
});

test("a worker thread reads the cache too (two schedulers, processes spread)", async () => {
  const dir = freshFolder();
  await run(PROGRAM, dir);
  const r = await raftCli(["run", "--seed", "7", progFile()], { RAFT_CACHE_DIR: dir, RAFT_SCHEDULERS: "2", RAFT_SPREAD: "1", RAFT_LOG: "debug" });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, (await run(PROGRAM, false)).out);
  assert.ok((r.err.match(/jit cache: hit /g) ?? []).length >= 2, "scheduler 0 and the worker each open the entry");
});

test("the folder keeps at most MAX_ENTRIES files, least recently used first; crashed writers' files go", async () => {
  const dir = freshFolder();
  const jit = join(dir, "jit");
  mkdirSync(jit, { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  for (let i = 0; i < MAX_ENTRIES + 10; i++) {
    const p = join(jit, `e${String(i).padStart(4, "0")}.json`);
    writeFileSync(p, "x");
    // e0000 is the least recently used.
    const t = new Date(old.getTime() + i * 1000);
    utimesSync(p, t, t);
  }
  writeFileSync(join(jit, "e0005.json.123.abc.tmp"), "partial");
  utimesSync(join(jit, "e0005.json.123.abc.tmp"), old, old);
  writeFileSync(join(jit, "fresh.json.9.x.tmp"), "being written");
  prune(jit);
  const left = readdirSync(jit);
  assert.ok(left.length <= Math.floor((MAX_ENTRIES * 3) / 4) + 1, `${left.length} files left`);
  assert.ok(!left.includes("e0000.json"), "the least recently used went");
  assert.ok(left.includes(`e${String(MAX_ENTRIES + 9).padStart(4, "0")}.json`), "the most recently used stays");
  assert.ok(!left.includes("e0005.json.123.abc.tmp"), "a stale temporary file went");
  assert.ok(left.includes("fresh.json.9.x.tmp"), "a writer's file in progress stays");
  // An entry just written is the most recently used: when its writing makes the folder too
  // full, the pruning that follows keeps it.
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const p = join(jit, `f${String(i).padStart(4, "0")}.json`);
    writeFileSync(p, "x");
    utimesSync(p, old, old);
  }
  const used = await run(PROGRAM, dir);
  assert.match(used.log[1], /wrote/);
  const after = readdirSync(jit);
  assert.ok(after.length <= Math.floor((MAX_ENTRIES * 3) / 4) + 1, `${after.length} files left`);
  assert.equal(after.filter((n) => /^[0-9a-f]{28}\.json$/.test(n)).length, 1, "the entry just written stays");
});

test("entries in a folder other users may write to are not trusted (POSIX)", { skip: typeof process.getuid !== "function" }, async () => {
  const dir = freshFolder();
  const cold = await run(PROGRAM, dir);
  const jit = join(dir, "jit");
  assert.equal(statSync(jit).mode & 0o777, 0o700, "the folder made is its user's alone");
  assert.equal(statSync(entryPath(dir)).mode & 0o777, 0o600);
  chmodSync(jit, 0o777);
  const r = await run(PROGRAM, dir);
  assert.match(r.log[0], /ignored .*other users may write to the folder/);
  assert.match(r.log[1], /cannot write .*other users may write/);
  assert.equal(r.out, cold.out);
  chmodSync(jit, 0o700);
  assert.match((await run(PROGRAM, dir)).log[0], /hit/);
});

test("a folder that cannot be written is a cache that misses, never a failed run", async () => {
  const dir = freshFolder();
  writeFileSync(dir, "a file where the folder should be");
  const r = await run(PROGRAM, dir);
  assert.equal(r.exitCode, 0);
  assert.equal(r.out, (await run(PROGRAM, false)).out);
  assert.match(r.log[0], /miss/);
  assert.match(r.log[1], /cannot write/);
});

/** Compiles `source` in a fresh Raft with the cache in `dir`; the module cache's debug lines. */
function compileWith(source: string, dir: string, file = progFile(), define?: (r: Raft) => void) {
  const log: string[] = [];
  const raft = new Raft({ stderr: (s) => void log.push(...s.split("\n").filter((l) => l.includes("module cache:"))), log: "debug", cache: { dir } });
  define?.(raft);
  const r = raft.compile(source, file);
  return { ...r, log, raft };
}

test("the module cache: an unchanged source skips the front end and gives the same module", async () => {
  const dir = freshFolder();
  const cold = compileWith(PROGRAM, dir);
  assert.match(cold.log[0], /module cache: miss /);
  assert.match(cold.log[1], /module cache: wrote /);
  const warm = compileWith(PROGRAM, dir);
  assert.deepEqual(warm.log, [cold.log[1].replace("wrote", "hit")]);
  assert.deepEqual(warm.module, cold.module);
  assert.deepEqual(warm.diagnostics, []);
  // Another source, another file name, other natives: other entries.
  assert.match(compileWith(PROGRAM + "\nvm.println(0);", dir).log[0], /miss/);
  assert.match(compileWith(PROGRAM, dir, join(root, "elsewhere.kl")).log[0], /miss/);
  const withNative = compileWith(PROGRAM, dir, progFile(), (r) => r.defineNative("answer", [], "integer", () => 42));
  assert.match(withNative.log[0], /miss/);
  assert.match(compileWith(PROGRAM, dir, progFile(), (r) => r.defineNative("answer", [], "integer", () => 7)).log[0], /hit/, "the signature is the key, not the implementation");
  assert.match(compileWith(PROGRAM, dir, progFile(), (r) => r.defineNative("answer", [], "float", () => 7)).log[0], /miss/);
  // Host types are part of what the checker sees: their names and how they are sent.
  assert.match(compileWith(PROGRAM, dir, progFile(), (r) => r.defineType("counter", { send: "share" })).log[0], /miss/);
  assert.match(compileWith(PROGRAM, dir, progFile(), (r) => r.defineType("counter", { send: "share" })).log[0], /hit/);
  assert.match(compileWith(PROGRAM, dir, progFile(), (r) => r.defineType("counter", { send: "deny" })).log[0], /miss/);
});

test("the module cache keeps no compile with diagnostics, and refuses entries that do not hold", async () => {
  const dir = freshFolder();
  const bad = "let x: integer = \"no\";\n";
  for (let i = 0; i < 2; i++) {
    const r = compileWith(bad, dir);
    assert.equal(r.module, null);
    assert.equal(r.diagnostics.length, 1, "the error, every time");
    assert.deepEqual(r.log.map((l) => l.split(" ")[3]), ["miss"]);
  }
  const cold = compileWith(PROGRAM, dir);
  const path = /wrote (\S+)/.exec(cold.log[1])![1];
  const good = readFileSync(path, "utf8");
  const edits: [string, (d: Record<string, string>) => void, RegExp][] = [
    ["another source", (d) => (d.source += " "), /another source/],
    ["another file", (d) => (d.file = "x.kl"), /another source/],
    ["a damaged module", (d) => (d.module = Buffer.from("RAFT\x01\x00\x00\x00garbage").toString("base64")), /a bad module/],
  ];
  for (const [what, edit, why] of edits) {
    const text = good.slice(good.indexOf("\n") + 1);
    const d = JSON.parse(text);
    edit(d);
    writeFileSync(path, sealEntry(JSON.stringify(d)));
    const r = compileWith(PROGRAM, dir);
    assert.match(r.log[0], why, what);
    assert.deepEqual(r.module, cold.module, `${what}: compiled afresh`);
    assert.match(r.log[1] ?? "", /wrote/, `${what}: written anew`);
  }
  writeFileSync(path, good.slice(0, 100));
  assert.match(compileWith(PROGRAM, dir).log[0], /ignored .*truncated/);
});
