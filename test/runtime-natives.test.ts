// The basic vm.* natives over an in-memory host.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { T } from "../src/bytecode/types.js";
import type { Type } from "../src/bytecode/types.js";
import type { Host, NativeCtx, Permissions } from "../src/vm/native-api.js";
import { BASIC_NATIVES } from "../src/vm/natives-basic.js";
import { makeRandom } from "../src/vm/random.js";
import { Fault, KError, ProgramExit } from "../src/vm/values.js";

interface TestHost extends Host {
  out: string[];
  files: Map<string, string>;
}

function makeHost(perms: Partial<Permissions> = {}, input: string[] = []): TestHost {
  const files = new Map<string, string>([["/data/a.txt", "hello"]]);
  const out: string[] = [];
  return {
    out,
    files,
    stdout: (s) => out.push(s),
    stderr: () => {},
    readLine: async () => input.shift() ?? null,
    args: ["x", "y"],
    permissions: { read: false, write: false, env: false, ...perms },
    env: { HOME: "/home/k" },
    fs: {
      readFile: async (p) => {
        const s = files.get(p);
        if (s === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return s;
      },
      writeFile: async (p, d) => {
        if (p.startsWith("/nodir/")) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        files.set(p, d);
      },
      resolve: (p) => path.posix.resolve("/data", p),
    },
  };
}

function ctxFor(host: Host, argTypes: Type[] | null = null): NativeCtx {
  return { host, self: 1, random: makeRandom(1), now: () => 1234.7, argTypes, charge: () => {} };
}

function call(host: Host, name: string, args: unknown[], argTypes: Type[] | null = null): unknown {
  return BASIC_NATIVES.get(name)!(ctxFor(host, argTypes), args);
}

function isErr(v: unknown, code: string): KError {
  assert.ok(v instanceof KError, `expected an error, got ${String(v)}`);
  assert.equal(v.code, code);
  return v;
}

test("print and println use the static type", () => {
  const h = makeHost();
  call(h, "vm.print", ["a"], [T.string]);
  call(h, "vm.println", [[1, 2]], [T.vector(T.integer)]);
  call(h, "vm.println", [Math.fround(0.1)], [T.float]);
  call(h, "vm.println", [75], [T.char]);
  call(h, "vm.println", []);
  assert.deepEqual(h.out, ["a", "[1, 2]\n", "0.1\n", "K\n", "\n"]);
});

test("get_user_input reads lines, then eof", async () => {
  const h = makeHost({}, ["first"]);
  assert.equal(await call(h, "vm.get_user_input", []), "first");
  isErr(await call(h, "vm.get_user_input", []), "eof");
});

test("read_file needs permission", async () => {
  const denied = isErr(call(makeHost(), "vm.read_file", ["a.txt"]), "permission_denied");
  assert.equal(denied.message, 'permission denied: read "a.txt"');
  const h = makeHost({ read: ["/data"] });
  assert.equal(await call(h, "vm.read_file", ["a.txt"]), "hello");
  assert.equal(await call(h, "vm.read_file", ["/data/a.txt"]), "hello");
  isErr(await call(h, "vm.read_file", ["/etc/passwd"]), "permission_denied");
  isErr(await call(h, "vm.read_file", ["../etc/passwd"]), "permission_denied");
  const missing = isErr(await call(h, "vm.read_file", ["/data/none"]), "not_found");
  assert.equal(missing.message, 'no such file "/data/none"');
});

test("write_file needs permission", async () => {
  isErr(call(makeHost({ read: true }), "vm.write_file", ["b.txt", "x"]), "permission_denied");
  const h = makeHost({ write: true });
  assert.equal(await call(h, "vm.write_file", ["b.txt", "xyz"]), null);
  assert.equal(h.files.get("/data/b.txt"), "xyz");
  isErr(await call(h, "vm.write_file", ["/nodir/f", "x"]), "not_found");
});

test("random_number is inclusive and checks its range", () => {
  const h = makeHost();
  const c = ctxFor(h);
  const seen = new Set<unknown>();
  for (let i = 0; i < 200; i++) {
    const n = BASIC_NATIVES.get("vm.random_number")!(c, [1, 3]) as number;
    assert.ok(n >= 1 && n <= 3 && Number.isInteger(n));
    seen.add(n);
  }
  assert.equal(seen.size, 3);
  assert.equal(call(h, "vm.random_number", [5, 5]), 5);
  const full = call(h, "vm.random_number", [-2147483648, 2147483647]) as number;
  assert.ok(full === (full | 0));
  // random_number is typed infallible: an empty range is a fault, not an error value.
  assert.throws(() => call(h, "vm.random_number", [3, 1]), (e: unknown) => e instanceof Fault && e.error.code === "range");
});

test("exit throws ProgramExit", () => {
  const h = makeHost();
  assert.throws(() => call(h, "vm.exit", []), (e) => e instanceof ProgramExit && e.code === 0);
  assert.throws(() => call(h, "vm.exit", [3]), (e) => e instanceof ProgramExit && e.code === 3);
});

test("args, env, time, error", () => {
  const h = makeHost();
  const a = call(h, "vm.args", []) as string[];
  assert.deepEqual(a, ["x", "y"]);
  a.push("z");
  assert.deepEqual(h.args, ["x", "y"]);
  isErr(call(h, "vm.env", ["HOME"]), "permission_denied");
  const he = makeHost({ env: true });
  assert.equal(call(he, "vm.env", ["HOME"]), "/home/k");
  isErr(call(he, "vm.env", ["NOPE"]), "not_found");
  isErr(call(he, "vm.env", ["toString"]), "not_found");
  assert.equal(call(h, "vm.time", []), 1234);
  const e1 = isErr(call(h, "vm.error", ["bad"]), "error");
  assert.equal(e1.message, "bad");
  isErr(call(h, "vm.error", ["bad", "mine"]), "mine");
});
