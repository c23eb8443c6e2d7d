// Unit tests for the diagnostics layer: lineCol and the one renderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { K } from "../src/diag/codes.js";
import { diagnostic, withLabel, type Span } from "../src/diag/diagnostic.js";
import { lineCol, renderDiagnostic, renderDiagnostics } from "../src/diag/render.js";

test("lineCol is 1-based and counts code points", () => {
  const src = "ab\ncd😀ef\n";
  assert.deepEqual(lineCol(src, 0), { line: 1, col: 1 });
  assert.deepEqual(lineCol(src, 2), { line: 1, col: 3 });
  assert.deepEqual(lineCol(src, 3), { line: 2, col: 1 });
  assert.deepEqual(lineCol(src, 7), { line: 2, col: 4 }); // after the emoji (2 UTF-16 units)
  assert.deepEqual(lineCol(src, 999), { line: 3, col: 1 });
});

test("renders the documented shape exactly, the code on the last line", () => {
  const src = "\n".repeat(11) + '    let guess: integer = "five";\n';
  const start = src.indexOf('"five"');
  const d = diagnostic("guess.kl", K.typeMismatch({ T: "integer", U: "string" }), { start, end: start + 6 }, "this is a string", 'to parse a string, use .into(): "five".into()');
  assert.equal(
    renderDiagnostic(d, src),
    [
      "error: type mismatch: expected integer, found string",
      "  --> guess.kl:12:26",
      "   |",
      '12 |     let guess: integer = "five";',
      "   |                          ^^^^^^ this is a string",
      '   = hint: to parse a string, use .into(): "five".into()',
      "   = explain: raft explain E0052",
    ].join("\n"),
  );
});

test("secondary labels use '-' and appear in line order", () => {
  const src = "let x = 1;\nlet x = 2;\n";
  const d = withLabel(diagnostic("a.kl", K.redeclared({ NAME: "x" }), { start: 15, end: 16 }, "again"), { start: 4, end: 5 }, "first");
  const out = renderDiagnostic(d, src);
  assert.match(out, /--> a\.kl:2:5/);
  assert.ok(out.indexOf("- first") < out.indexOf("^ again"));
});

test("colour only when asked", () => {
  const d = diagnostic("a.kl", K.unexpectedCharacter(), { start: 0, end: 1 }, "here");
  assert.ok(!renderDiagnostic(d, "x").includes("\x1b["));
  assert.ok(renderDiagnostic(d, "x", { color: true }).includes("\x1b[31m"));
});

test("zero-width and end-of-file spans get one caret; warnings say warning", () => {
  const d = { ...diagnostic("a.kl", K.unexpectedEof(), { start: 3, end: 3 }, "here"), severity: "warning" as const };
  const out = renderDiagnostic(d, "abc");
  assert.match(out, /^warning: unexpected end of file/);
  assert.match(out, /\| {4}\^ here/);
});

test("tabs are kept so carets line up; CRLF lines are trimmed", () => {
  const src = "\tlet x = 1;\r\n";
  const d = diagnostic("a.kl", K.unknownName({ NAME: "x" }), { start: 5, end: 6 }, "x");
  const lines = renderDiagnostic(d, src).split("\n");
  assert.equal(lines[3], "1 | \tlet x = 1;");
  assert.equal(lines[4], "  | \t    ^ x");
  assert.equal(renderDiagnostics([], src), "");
});

const bad = (at: Span) => diagnostic("a.kl", K.unexpectedCharacter(), at, "here");

test("a diagnostic about a whole file shows the file and the code", () => {
  const out = renderDiagnostics([{ code: "A0101", severity: "error", title: "not a Raft module (bad magic number)", file: "x.rbc", labels: [] }], "");
  assert.equal(out, "error: not a Raft module (bad magic number)\n  --> x.rbc\n  = explain: raft explain A0101\n");
});

test("at most 100 diagnostics are rendered, then a count of the rest", () => {
  const src = "@\n".repeat(250);
  const ds = Array.from({ length: 250 }, (_, i) => bad({ start: 2 * i, end: 2 * i + 1 }));
  const out = renderDiagnostics(ds, src);
  assert.equal(out.match(/^error: /gm)?.length, 100);
  assert.match(out, /--> a\.kl:100:1\n/);
  assert.doesNotMatch(out, /a\.kl:101:/);
  assert.ok(out.endsWith("\n\n... and 150 more errors\n"), out.slice(-80));
  assert.ok(renderDiagnostics(ds.slice(0, 101), src).endsWith("\n\n... and 1 more error\n"));
  const warn = { ...bad({ start: 0, end: 1 }), severity: "warning" as const };
  assert.ok(renderDiagnostics([...ds.slice(0, 100), warn, warn], src).endsWith("... and 2 more warnings\n"));
  assert.ok(renderDiagnostics([...ds.slice(0, 102), warn], src).endsWith("... and 2 more errors and 1 more warning\n"));
  assert.equal(renderDiagnostics(ds, src, { max: 3 }).match(/^error: /gm)?.length, 3);
  assert.equal(renderDiagnostics(ds.slice(0, 100), src).includes("more"), false);
});

test("many diagnostics on one long line are placed exactly (columns counted once, not from the line start each time)", () => {
  const src = "x😀".repeat(50_000);
  const ds = Array.from({ length: 100 }, (_, i) => bad({ start: 3 * (i * 499 + 1), end: 3 * (i * 499 + 1) + 1 }));
  const out = renderDiagnostics(ds, src);
  const cols = [...out.matchAll(/--> a\.kl:1:(\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(cols, ds.map((_, i) => 2 * (i * 499 + 1) + 1));
});
