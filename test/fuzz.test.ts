// The suite's share of fuzzing (see test/fuzz-long.ts for the cases and `npm run fuzz` for a
// long run): mutated sources through the compiler and the VM, every prefix of valid modules
// and byte-mutated modules through the loader, the verifier and the VM. Seeded: a failure
// prints fast-check's seed and counterexample; FUZZ_SEED=N reproduces it.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesProperty, guardedRun, loadCorpus, prefixCases, sourceProperty } from "./fuzz-long.js";

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const corpus = loadCorpus();
let cases = 0;

test("fuzz corpus is there", () => {
  assert.ok(corpus.sources.length >= 5);
  assert.ok(corpus.modules.length >= 5);
});

test("mutated sources: the compiler never throws (2000 cases)", async () => {
  await fc.assert(sourceProperty(corpus, false), { seed: SEED, numRuns: 2000 });
  cases += 2000;
});

test("mutated sources that compile run within their budget (800 cases)", async () => {
  await fc.assert(sourceProperty(corpus, true), { seed: SEED + 1, numRuns: 800 });
  cases += 800;
});

test("every prefix of valid modules is refused or runs cleanly", async () => {
  const mods = corpus.modules.slice(0, 5);
  for (const m of mods) cases += await prefixCases(m, m.length > 400 ? 2 : 1);
});

test("byte-mutated modules: refused or run within their budget (1500 cases)", async () => {
  await fc.assert(bytesProperty(corpus), { seed: SEED + 2, numRuns: 1500 });
  cases += 1500;
});

test("modules with extension opcodes and host types: every prefix, and byte-mutated (600 cases)", async () => {
  assert.ok(corpus.extModules.length >= 2);
  for (const m of corpus.extModules) {
    assert.equal(await guardedRun(m), 0, "the unmutated module runs");
    cases += await prefixCases(m, 2);
  }
  await fc.assert(bytesProperty(corpus, corpus.extModules), { seed: SEED + 3, numRuns: 600 });
  cases += 600;
});

test("garbage and empty inputs are refused cleanly", async () => {
  for (const b of [new Uint8Array(0), new Uint8Array(3), Uint8Array.from([0x52, 0x41, 0x46, 0x54, 255, 255, 255, 255])]) {
    assert.equal(await guardedRun(b), 2);
    cases++;
  }
});

test("at least 2,000 fuzz cases ran", () => {
  assert.ok(cases >= 2000, `only ${cases} cases`);
});
