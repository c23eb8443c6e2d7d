// Lexer unit tests: token kinds, literal values, offsets, comments and lexical diagnostics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lex } from "../src/lang/lexer.js";

const kinds = (src: string) => lex(src, "t.kl").tokens.map((t) => t.kind);
const values = (src: string) => lex(src, "t.kl").tokens.filter((t) => t.kind !== "eof").map((t) => t.value);

test("integers in every form", () => {
  assert.deepEqual(values("42 0x2A 0b101010 1_000 0XfF"), [42, 42, 42, 1000, 255]);
  assert.deepEqual(kinds("42 0x2A"), ["int", "int", "eof"]);
});

test("floats", () => {
  // A float literal's value is the f32 nearest to its text (floats are f32).
  assert.deepEqual(values("3.14 1e-3 2.5E+2 1e3"), [Math.fround(3.14), Math.fround(0.001), 250, 1000]);
  assert.deepEqual(values("1.0000001788139343261718749"), [Math.fround(1.0000001)]);
  assert.deepEqual(kinds("3.14 1e3"), ["float", "float", "eof"]);
  // `1.abs()` is a method on an integer, not a float
  assert.deepEqual(kinds("1.abs()"), ["int", ".", "ident", "(", ")", "eof"]);
});

test("tuple fields after a dot are integers: t.0.1", () => {
  assert.deepEqual(kinds("t.0.1"), ["ident", ".", "int", ".", "int", "eof"]);
});

test("chars and strings with escapes", () => {
  assert.deepEqual(values(`'a' '\\n' '\\u{1F600}' '😀' '\\''`), [97, 10, 0x1f600, 0x1f600, 39]);
  assert.deepEqual(values(`"a\\tb\\n\\\\\\"\\u{41}"`), ['a\tb\n\\"A']);
});

test("keywords, operators and offsets", () => {
  assert.deepEqual(kinds("let fn if else loop break continue for in return true false null is vm"), [
    "let", "fn", "if", "else", "loop", "break", "continue", "for", "in", "return", "true", "false", "null", "is", "vm", "eof",
  ]);
  assert.deepEqual(kinds("** << >> += -= *= /= %= ++ -- && || ! == != <= >= < > = -> => & | ^"), [
    "**", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "++", "--", "&&", "||", "!", "==", "!=", "<=", ">=", "<", ">", "=", "->", "=>", "&", "|", "^", "eof",
  ]);
  // `receive` and `after` are names, not keywords (the receive statement reads them in place).
  assert.deepEqual(kinds("receive { x: T => { } after 5 => { } }"), ["ident", "{", "ident", ":", "ident", "=>", "{", "}", "ident", "int", "=>", "{", "}", "}", "eof"]);
  assert.deepEqual(kinds("a==>b"), ["ident", "==", ">", "ident", "eof"]);
  const t = lex("  let x", "t.kl").tokens;
  assert.deepEqual([t[0]!.start, t[0]!.end, t[1]!.start, t[1]!.end], [2, 5, 6, 7]);
});

test("comments, nested block comments", () => {
  assert.deepEqual(kinds("a // c\n/* x /* y */ z */ b"), ["ident", "ident", "eof"]);
});

test("lexical errors are diagnostics, never exceptions", () => {
  for (const src of ['"abc', "'ab'", "''", '"\\q"', "0x", "0b102", "12abc", "@#", "/* never", "'\\u{110000}'", "'\\u{zz}'", "\\"]) {
    const r = lex(src, "t.kl");
    assert.ok(r.diagnostics.length >= 1, src);
    assert.equal(r.tokens[r.tokens.length - 1]!.kind, "eof");
  }
  assert.equal(lex("@@@###", "t.kl").diagnostics.length, 1, "one run of junk, one diagnostic");
});
