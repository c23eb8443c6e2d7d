// Names a program chooses are never looked up in a plain object: an assembly instruction, a
// Kaylee method, type, function or `vm` call, or a command-line flag named like a property
// of Object.prototype (`toString`, `constructor`, `__proto__`) gets the same clean diagnostic
// as any other unknown name, never an internal error or a hint printed from a JS function.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";
import { parseCli, UsageError } from "../src/cli/args.js";

const PROTO_NAMES = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];

test("assembly: an instruction named like an Object property is an unknown instruction", async () => {
  for (const name of PROTO_NAMES) {
    for (const line of [name, `1 ${name}`]) {
      const r = await new Raft({ stderr: () => {} }).run(`fn main locals=0\n  ${line}\n  Halt\n`, { kind: "assembly", file: "p.raft" });
      assert.equal(r.exitCode, 2, line);
      assert.deepEqual(r.diagnostics.map((d) => d.title), [`unknown instruction ${name}`], line);
      const span = r.diagnostics[0].labels[0].span;
      assert.equal(span.start, `fn main locals=0\n  ${line}`.length - name.length, line);
    }
  }
});

test("Kaylee: methods, types, functions and vm calls named like Object properties get plain diagnostics", async () => {
  const raft = new Raft({ stderr: () => {} });
  const cases: [string, string][] = [
    ["let x: integer = 1;\nx.constructor();", "no method `constructor` on integer"],
    ["vm.toString();", "`vm` has no function `toString`"],
    ["vm.__proto__();", "`vm` has no function `__proto__`"],
    ["let a: constructor = 1;", "unknown type `constructor`"],
    ["let a: __proto__ = 1;", "unknown type `__proto__`"],
    ["toString();", "cannot find function `toString`"],
    ["__proto__();", "cannot find function `__proto__`"],
    ["let s: string = \"1\";\nlet n: constructor = s.into();", "unknown type `constructor`"],
  ];
  for (const [src, message] of cases) {
    const r = await raft.run(src, { file: "k.kl" });
    assert.equal(r.exitCode, 2, src);
    assert.deepEqual(r.diagnostics.map((d) => d.title), [message], src);
    const text = raft.render(r.diagnostics, src);
    assert.doesNotMatch(text, /native code|\[object|function Object|did you mean vm\.(toString|__proto__)/, src);
  }
});

test("command line: flags named like Object properties are unknown flags", () => {
  for (const name of PROTO_NAMES) assert.throws(() => parseCli(["run", `--${name}`, "1", "f.kl"]), UsageError);
});
