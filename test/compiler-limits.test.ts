// The compiler's limits meet the module format's: what the compiler accepts, the verifier
// accepts too. A vector or tuple literal of any length and an `else if` chain of any length
// compile (long literals are built in chunks, the chain is a loop in every pass); a type
// nested deeper than the format can describe is a diagnostic at its source position, never a
// "bad module" message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";

async function run(src: string, jit: "off" | "eager" = "off"): Promise<{ out: string; err: string; exitCode: number }> {
  let out = "";
  let err = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (err += s), jit });
  const r = await raft.run(src, { file: "lim.kl" });
  if (r.diagnostics.length) err += raft.render(r.diagnostics, src);
  if (r.panic) err += `panic: ${r.panic.message}\n`;
  return { out, err, exitCode: r.exitCode };
}

/** Runs `src` in the interpreter and with every function compiled: both print `expected`. */
async function bothTiers(src: string, expected: string): Promise<void> {
  for (const jit of ["off", "eager"] as const) {
    const r = await run(src, jit);
    assert.equal(r.err, "", jit);
    assert.equal(r.out, expected, jit);
  }
}

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(", ");

test("a vector literal of 10,000 elements, also inside a call with values on the stack, in both tiers", async () => {
  const src = [
    `fn last(a: integer, v: vector[integer], b: integer) -> integer { return a + v[v.length() - 1] + b; }`,
    `let v: vector[integer] = [${range(10_000, (i) => String(i))}];`,
    `vm.println(v.length());`,
    `vm.println(v[4095] + v[4096] + v[9999]);`,
    `vm.println(last(1, [${range(5000, (i) => String(i))}], 2));`,
    `let w = [${range(4097, () => `"s"`)}];`,
    `vm.println(w.length());`,
    `let t = (${range(300, (i) => String(i))});`,
    `vm.println(t.299);`,
  ].join("\n");
  await bothTiers(src, "10000\n18190\n5002\n4097\n299\n");
});

test("an else-if chain of 5,000 arms compiles and picks its arm; returns on every arm count as returning", async () => {
  const n = 5000;
  const chain = (x: string, act: (i: number) => string) =>
    `if (${x} == 0) { ${act(0)} }` + Array.from({ length: n - 1 }, (_, k) => ` else if (${x} == ${k + 1}) { ${act(k + 1)} }`).join("") + ` else { ${act(-1)} }`;
  const src = [
    `fn pick(x: integer) -> integer { ${chain("x", (i) => `return ${i};`)} }`,
    `let y: integer = 4321;`,
    chain("y", (i) => `vm.println(${i});`),
    `vm.println(pick(4999) + pick(7000));`,
  ].join("\n");
  await bothTiers(src, "4321\n4998\n");
});

test("a type nested deeper than 63 levels is a diagnostic at the type or literal that nests it", async () => {
  const deep = (n: number) => "vector[".repeat(n) + "integer" + "]".repeat(n);
  let r = await run(`let ok: ${deep(62)} = [];\nvm.println(ok);\nlet v: ${deep(63)} = [];`);
  assert.equal(r.exitCode, 2);
  assert.match(r.err, /^error: type nested too deep\n --> lim\.kl:3:8\n/);
  assert.equal(r.err.match(/^error/gm)?.length, 1, r.err);
  r = await run(`let a = 1;\nlet w = ${"[".repeat(70)}1${"]".repeat(70)};`);
  assert.equal(r.exitCode, 2);
  assert.match(r.err, /^error: type nested too deep\n --> lim\.kl:2:16\n/);
  assert.equal(r.err.match(/^error/gm)?.length, 1, r.err);
  r = await run(`let t = ${"(1, ".repeat(70)}1${")".repeat(70)};`);
  assert.match(r.err, /^error: type nested too deep\n --> lim\.kl:1:37\n/);
  r = await run(`let ok: ${deep(62)} = [];\nvm.println(ok);`);
  assert.equal(r.err, "");
  assert.equal(r.out, "[]\n");
});

test("a limit of the module format the checker does not foresee is a diagnostic at the statement, not a bad module", async () => {
  const n = 5000;
  const src = `fn f(${range(n, (i) => `a${i}: integer`)}) -> integer { return a0; }\nvm.println(f(${range(n, () => "1")}));`;
  const r = await run(src);
  assert.equal(r.exitCode, 2);
  assert.match(r.err, /^error: this program is too large for the VM here: stack deeper than 4096\n --> lim\.kl:2:1\n/);
  assert.doesNotMatch(r.err, /bad module|byte \d/);
});
