// The value printer: float formatting and every type, nested.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { T, parseTypeKey } from "../src/bytecode/types.js";
import { MAX_PRINT_DEPTH, MAX_PRINT_WORK, formatFloat, formatValue, formatAny, quoteString } from "../src/vm/print.js";
import { ExitNotice, KError } from "../src/vm/values.js";

const f32 = Math.fround;

test("floats print as the shortest f32 decimal with a point", () => {
  assert.equal(formatFloat(f32(0.1)), "0.1");
  assert.equal(formatFloat(f32(f32(0.1) + f32(0.2))), "0.3");
  assert.equal(formatFloat(3), "3.0");
  assert.equal(formatFloat(1.5), "1.5");
  assert.equal(formatFloat(100), "100.0");
  assert.equal(formatFloat(f32(1e-3)), "0.001");
  assert.equal(formatFloat(f32(1e-5)), "0.00001");
  assert.equal(formatFloat(f32(2.5e-6)), "2.5e-6");
  assert.equal(formatFloat(f32(123456789)), "123456790.0");
  assert.equal(formatFloat(f32(1e15)), "1000000000000000.0");
  assert.equal(formatFloat(f32(1e16)), "1.0e16");
  assert.equal(formatFloat(f32(1e20)), "1.0e20");
  assert.equal(formatFloat(f32(-1.5e30)), "-1.5e30");
  assert.equal(formatFloat(f32(3.4028234663852886e38)), "3.4028235e38");
  assert.equal(formatFloat(f32(1.4e-45)), "1.0e-45");
  assert.equal(formatFloat(f32(-2.75)), "-2.75");
});

test("special floats", () => {
  assert.equal(formatFloat(0), "0.0");
  assert.equal(formatFloat(-0), "-0.0");
  assert.equal(formatFloat(NaN), "NaN");
  assert.equal(formatFloat(Infinity), "inf");
  assert.equal(formatFloat(-Infinity), "-inf");
});

test("formatFloat round-trips every f32 (property)", () => {
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const s = formatFloat(x);
      assert.ok(/[.]/.test(s), s);
      assert.equal(f32(parseFloat(s)), x);
    }),
    { numRuns: 5000 },
  );
});

test("formatFloat is the shortest: no fewer digits would round-trip", () => {
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: f32(1e-30), max: f32(1e30) }), (x) => {
      const digits = formatFloat(x).replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
      const p = Math.max(1, digits.length - 1);
      if (digits.length > 1) assert.notEqual(f32(Number(x.toPrecision(p))), x);
    }),
    { numRuns: 2000 },
  );
});

test("scalars at top level", () => {
  assert.equal(formatValue("hi \"there\"", T.string), 'hi "there"');
  assert.equal(formatValue(75, T.char), "K");
  assert.equal(formatValue(0x1f600, T.char), "😀");
  assert.equal(formatValue(true, T.bool), "true");
  assert.equal(formatValue(false, T.bool), "false");
  assert.equal(formatValue(null, T.null), "null");
  assert.equal(formatValue(-42, T.integer), "-42");
  assert.equal(formatValue(255, T.byte), "255");
  assert.equal(formatValue(f32(0.1), T.float), "0.1");
  assert.equal(formatValue(3, T.process), "<0.3>");
  assert.equal(formatValue(new ExitNotice(3, "boom"), T.exit), 'exit(<0.3>, "boom")');
  assert.equal(formatValue(new KError("no such file", "not_found"), T.error), 'error("no such file", "not_found")');
});

test("collections quote strings and chars", () => {
  assert.equal(formatValue([10, 20], T.vector(T.integer)), "[10, 20]");
  assert.equal(formatValue(["a", "b"], T.vector(T.string)), '["a", "b"]');
  assert.equal(formatValue([120], T.vector(T.char)), "['x']");
  assert.equal(formatValue([39, 10], T.array(T.char, 2)), "['\\'', '\\n']");
  assert.equal(formatValue([], T.vector(T.integer)), "[]");
  assert.equal(formatValue([1.5, 3], T.array(T.float, 2)), "[1.5, 3.0]");
  assert.equal(formatValue(["age", 42], T.tuple([T.string, T.integer])), '("age", 42)');
  assert.equal(formatValue([5, "req"], parseTypeKey("(process, string)")), '(<0.5>, "req")');
  assert.equal(formatValue([true, null], T.tuple([T.bool, T.null])), "(true, null)");
  assert.equal(formatValue([new ExitNotice(2, "normal")], T.vector(T.exit)), '[exit(<0.2>, "normal")]');
});

test("nested collections", () => {
  const t = parseTypeKey("vector[(string, vector[integer])]");
  assert.equal(formatValue([["a", [1, 2]], ["b", []]], t), '[("a", [1, 2]), ("b", [])]');
  assert.equal(formatValue([["x\ty"]], parseTypeKey("vector[vector[string]]")), '[["x\\ty"]]');
});

test("string escapes inside collections", () => {
  assert.equal(quoteString('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  assert.equal(quoteString("\u0001"), '"\\u{1}"');
  assert.equal(quoteString("é😀"), '"é😀"');
});

test("a value that does not match its type never throws", () => {
  assert.equal(formatValue("oops", T.integer), "oops");
  assert.equal(formatValue(undefined, T.vector(T.integer)), "null");
  assert.equal(formatValue(7, T.string), "7");
  assert.equal(formatAny([1, "a", 2.5]), '[1, "a", 2.5]');
  assert.equal(formatValue(new KError("bad", "parse"), T.integer), 'error("bad", "parse")');
  assert.equal(formatValue(0xd800, T.char), "\uFFFD");
});

test("cyclic and very deep values print without host recursion, bounded", () => {
  const v: unknown[] = [1, 2];
  v[1] = v;
  assert.equal(formatAny(v), "[1, [...]]");
  assert.equal(formatValue(v, T.vector(T.integer)), "[1, [...]]");
  const t: unknown[] = ["a", null];
  t[1] = t;
  assert.equal(formatValue(t, T.tuple([T.string, T.null])), '("a", [...])'); // the inner one by its shape
  const tt = T.tuple([T.integer]);
  (tt as { elems: unknown[] }).elems.push(tt);
  const self: unknown[] = [1, null];
  self[1] = self;
  assert.equal(formatValue(self, tt), "(1, (...))");
  // Shared but not cyclic: printed in full each time.
  const shared = [1];
  assert.equal(formatAny([shared, shared]), "[[1], [1]]");
  let deep: unknown = null;
  for (let i = 0; i < 300_000; i++) deep = [deep];
  const text = formatAny(deep);
  assert.equal(text, "[".repeat(MAX_PRINT_DEPTH) + "[...]" + "]".repeat(MAX_PRINT_DEPTH));
  assert.equal(MAX_PRINT_DEPTH, 128);
  // A small value holding one vector 2^60 times over: the text stops at the work bound.
  let dag: unknown = [];
  for (let i = 0; i < 60; i++) dag = [dag, dag];
  const t0 = performance.now();
  const big = formatAny(dag);
  assert.ok(big.length > 1_000_000 && big.length < MAX_PRINT_WORK, `length ${big.length}`);
  assert.match(big, /\.\.\.\]+$/);
  assert.ok(performance.now() - t0 < 60_000);
});
