// Unit tests for the diagnostics layer: lineCol and the one renderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { error, withLabel } from "../src/diag/diagnostic.js";
import { lineCol, renderDiagnostic, renderDiagnostics } from "../src/diag/render.js";

test("lineCol is 1-based and counts code points", () => {
  const src = "ab\ncd😀ef\n";
  assert.deepEqual(lineCol(src, 0), { line: 1, col: 1 });
  assert.deepEqual(lineCol(src, 2), { line: 1, col: 3 });
  assert.deepEqual(lineCol(src, 3), { line: 2, col: 1 });
  assert.deepEqual(lineCol(src, 7), { line: 2, col: 4 }); // after the emoji (2 UTF-16 units)
  assert.deepEqual(lineCol(src, 999), { line: 3, col: 1 });
});

test("renders the SPEC §1 shape exactly", () => {
  const src = "\n".repeat(11) + '    let guess: integer = "five";\n';
  const start = src.indexOf('"five"');
  const d = error("guess.kl", "type mismatch: expected integer, found string", { start, end: start + 6 }, "this is a string", 'to parse a string, use .into(): "five".into()');
  assert.equal(
    renderDiagnostic(d, src),
    [
      "error: type mismatch: expected integer, found string",
      "  --> guess.kl:12:26",
      "   |",
      '12 |     let guess: integer = "five";',
      "   |                          ^^^^^^ this is a string",
      '   = hint: to parse a string, use .into(): "five".into()',
    ].join("\n"),
  );
});

test("secondary labels use '-' and appear in line order", () => {
  const src = "let x = 1;\nlet x = 2;\n";
  const d = withLabel(error("a.kl", "dup", { start: 15, end: 16 }, "again"), { start: 4, end: 5 }, "first");
  const out = renderDiagnostic(d, src);
  assert.match(out, /--> a\.kl:2:5/);
  assert.ok(out.indexOf("- first") < out.indexOf("^ again"));
});

test("colour only when asked", () => {
  const d = error("a.kl", "bad", { start: 0, end: 1 }, "here");
  assert.ok(!renderDiagnostic(d, "x").includes("\x1b["));
  assert.ok(renderDiagnostic(d, "x", { color: true }).includes("\x1b[31m"));
});

test("zero-width and end-of-file spans get one caret; warnings say warning", () => {
  const d = { ...error("a.kl", "eof", { start: 3, end: 3 }, "here"), severity: "warning" as const };
  const out = renderDiagnostic(d, "abc");
  assert.match(out, /^warning: eof/);
  assert.match(out, /\| {4}\^ here/);
});

test("tabs are kept so carets line up; CRLF lines are trimmed", () => {
  const src = "\tlet x = 1;\r\n";
  const d = error("a.kl", "t", { start: 5, end: 6 }, "x");
  const lines = renderDiagnostic(d, src).split("\n");
  assert.equal(lines[3], "1 | \tlet x = 1;");
  assert.equal(lines[4], "  | \t    ^ x");
  assert.equal(renderDiagnostics([], src), "");
});
