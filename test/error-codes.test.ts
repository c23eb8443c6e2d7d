// The one catalogue of error codes (src/vm/error-codes.ts): the docs list exactly it, no code
// is spelled as a string literal where a fault or an error value is made, and the same fault
// has the same code in every place it can happen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { ERROR_CODES } from "../src/vm/error-codes.js";
import { Raft } from "../src/raft.js";

test("docs/language.md lists every error code with the catalogue's meaning, and no other", () => {
  const doc = readFileSync("docs/language.md", "utf8");
  const section = doc.slice(doc.indexOf("### Error codes"), doc.indexOf("## Compile errors vs panics"));
  const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2].replace(/\\\|/g, "|")]);
  assert.deepEqual(rows, Object.entries(ERROR_CODES));
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("no fault or error value is made with a literal code outside the catalogue", () => {
  const literal = /\b(?:fault|KError|HardExit|errorValue)\((?:[^;]*?), "[a-z_]+"\)/;
  const bad: string[] = [];
  for (const f of sources("src")) {
    if (f.endsWith("error-codes.ts")) continue;
    readFileSync(f, "utf8").split("\n").forEach((line, i) => {
      if (literal.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});

async function codes(src: string): Promise<string[]> {
  const out: string[] = [];
  const r = await new Raft({ stdout: (t) => out.push(t) }).run(src);
  assert.equal(r.exitCode, 0, String(r.panic?.message ?? r.diagnostics));
  return out.join("").trim().split("\n");
}

test("one fault, one code: out of range is index_out_of_range everywhere, in both tiers", async () => {
  const src = [
    `let v: vector[integer] = [1];`,
    `let s: string = "a😀";`,
    `let a = v[9]{message: "x"}; if (a is error) { vm.println(a.code()); }`,
    `let b = v.remove(9); if (b is error) { vm.println(b.code()); }`,
    `let c = v.insert(9, 1); if (c is error) { vm.println(c.code()); }`,
    `let d = s[5]{message: "x"}; if (d is error) { vm.println(d.code()); }`,
    `let e = s.char_at(5); if (e is error) { vm.println(e.code()); }`,
    `let f = v[0 - 1]{message: "x"}; if (f is error) { vm.println(f.code()); }`,
  ].join("\n");
  for (const jit of ["off", "eager"] as const) {
    const got: string[] = [];
    const rr = await new Raft({ jit, stdout: (t) => got.push(t) }).run(src);
    assert.equal(rr.exitCode, 0);
    assert.deepEqual(got.join("").trim().split("\n"), Array(6).fill("index_out_of_range"), `jit ${jit}`);
  }
  assert.deepEqual(await codes(`let v: vector[integer] = [];\nlet p = v.pop();\nif (p is error) { vm.println(p.code()); }`), ["empty"]);
});
