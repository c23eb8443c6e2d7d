// The catalogue of diagnostic codes (src/diag/codes.ts): every code is well formed and
// unique; every failing example fails with exactly its code (every error it reports has that
// code, and the title fits the entry's template); every fixed example compiles without a
// diagnostic and runs to exit code 0; docs/diagnostics.md is what the catalogue renders
// (UPDATE_GOLDEN=1 rewrites it: see helpers/generated.ts; `npm run docs:diagnostics` too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { A, CATALOGUE, K, lookupCode, shownTitle, titleFits } from "../src/diag/codes.js";
import { diagnosticsMarkdown, exampleDiagnostics, exampleFile, explainText } from "../src/cli/explain.js";
import { Raft } from "../src/raft.js";
import { assertGenerated } from "./helpers/generated.js";

test("codes are unique, well formed and in order: E (Kaylee), then A0001... (assembly), then A0101... (modules)", () => {
  const codes = CATALOGUE.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^(E|A)\d{4}$/);
  assert.deepEqual(codes, [...codes].sort((a, b) => (a[0] === b[0] ? a.localeCompare(b) : a[0] === "E" ? -1 : 1)));
  // Each range is numbered from its start without gaps (a retired code would stay, with its entry).
  const ranges = [codes.filter((c) => c[0] === "E"), codes.filter((c) => c[0] === "A" && c < "A0100"), codes.filter((c) => c >= "A0100" && c[0] === "A")];
  ranges.forEach((r, i) => r.forEach((c, k) => assert.equal(Number(c.slice(1)), [1, 1, 101][i] + k, c)));
  assert.equal(lookupCode("e0052"), K.typeMismatch);
  assert.equal(lookupCode("E9999"), undefined);
});

test("every entry has a title, an explanation of a few sentences, and both examples or a reason for none", () => {
  for (const c of CATALOGUE) {
    assert.ok(c.title.length > 0 && !/^\s|\s$/.test(c.title), c.code);
    assert.ok(c.explain.length >= 60 && /\.$/.test(c.explain), `${c.code}: explanation too short or unfinished`);
    assert.equal(c.bad === null, c.good === null, c.code);
    if (c.bad === null) assert.match(c.explain, /has no example/, `${c.code}: say why it has no example`);
    if (c.internal) assert.equal(c.bad, null, `${c.code}: an internal error has no example`);
    assert.equal(c.severity, "error", `${c.code}: there are no warnings yet; a warning entry needs a test of its own`);
  }
});

test("an entry is what makes a title: holes filled, and titleFits recognises it", () => {
  const t = K.typeMismatch({ T: "integer", U: "string" });
  assert.deepEqual({ code: t.code, severity: t.severity, title: t.title }, { code: "E0052", severity: "error", title: "type mismatch: expected integer, found string" });
  assert.ok(titleFits(K.typeMismatch, t.title));
  assert.ok(!titleFits(K.typeMismatch, "type mismatch"));
  assert.ok(titleFits(A.badModule, "anything at all"));
  assert.equal(shownTitle(K.typeMismatch), "type mismatch: expected T, found U");
  assert.equal(K.noRanges().title, "Kaylee has no ranges: count with a variable in a `loop`");
});

const withExamples = CATALOGUE.filter((c) => c.bad !== null && c.lang !== "shell");

for (const c of withExamples) {
  test(`${c.code}: the failing example fails with exactly ${c.code}; the fixed one compiles and runs`, async () => {
    const lang = c.lang as "kaylee" | "raft";
    const raft = new Raft({ stdout: () => {}, stderr: () => {} });
    const bad = exampleDiagnostics(raft, lang, c.bad!, exampleFile(c)).filter((d) => d.severity === "error");
    assert.ok(bad.length > 0, `${c.code}: the failing example compiles`);
    for (const d of bad) {
      assert.equal(d.code, c.code, `${c.code}'s failing example also reports ${d.code}: ${d.title}`);
      assert.ok(titleFits(c, d.title), `${d.title} does not fit ${c.title}`);
    }
    const good = exampleDiagnostics(raft, lang, c.good!, exampleFile(c));
    assert.deepEqual(good.map((d) => `${d.code} ${d.title}`), [], `${c.code}: the fixed example does not compile cleanly`);
    let out = "";
    let err = "";
    const runner = new Raft({ stdout: (s) => (out += s), stderr: (s) => (err += s), schedulers: 1 });
    const r = await runner.run(c.good!, { file: exampleFile(c), timeoutMs: 20_000 });
    assert.equal(r.exitCode, 0, `${c.code}: the fixed example exits with ${r.exitCode}: ${r.panic?.message ?? ""}${err}`);
    assert.equal(r.panic, null);
    assert.ok(out.length > 0 || lang === "raft" || /vm\.exit|receive/.test(c.good!), `${c.code}: the fixed example shows nothing`);
  });
}

test("raft explain's text has the title, the explanation and both examples", () => {
  for (const c of CATALOGUE) {
    const text = explainText(c.code.toLowerCase())!;
    assert.ok(text.startsWith(`${c.code}: ${c.summary === null ? "" : c.summary + " (the title: "}${shownTitle(c)}`), c.code);
    assert.ok(text.includes(`\n\n${c.explain}\n`), c.code);
    if (c.bad !== null) {
      for (const line of [...c.bad.split("\n"), ...c.good!.split("\n")].filter(Boolean)) assert.ok(text.includes(`    ${line}\n`), `${c.code}: ${line}`);
    }
  }
  assert.equal(explainText("E0000"), null);
});

test("docs/diagnostics.md is generated from the catalogue", () => {
  assertGenerated("docs/diagnostics.md", diagnosticsMarkdown(new Raft()), "UPDATE_GOLDEN");
});
