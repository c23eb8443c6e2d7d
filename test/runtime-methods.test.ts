// Methods on types and into() conversions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { T } from "../src/bytecode/types.js";
import type { Type } from "../src/bytecode/types.js";
import type { NativeCtx } from "../src/vm/native-api.js";
import { METHODS, convert } from "../src/vm/methods.js";
import { codePointLength } from "../src/vm/strings.js";
import { ExitNotice, Fault, KError } from "../src/vm/values.js";

let charged = 0;
function ctx(argTypes: Type[] | null = null): NativeCtx {
  return {
    host: undefined as never,
    self: 1,
    random: () => 0.5,
    now: () => 0,
    argTypes,
    charge: (n) => {
      charged += n;
    },
  };
}

function call(name: string, ...args: unknown[]): unknown {
  const fn = METHODS.get(name);
  assert.ok(fn, `no method ${name}`);
  return fn(ctx(), args);
}

function faultOf(f: () => unknown): KError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Fault, `expected a Fault, got ${String(e)}`);
    return e.error;
  }
  assert.fail("expected a Fault");
}

test("string methods", () => {
  assert.equal(call("string.length", "Kaylee"), 6);
  assert.equal(call("string.reverse", "Michael"), "leahciM");
  assert.equal(call("string.trim", "  hi \n"), "hi");
  assert.equal(call("string.clean", " \tab\u0007c\r\n"), "abc");
  assert.equal(call("string.upper", "abc"), "ABC");
  assert.equal(call("string.lower", "ÀBC"), "àbc");
  assert.equal(call("string.contains", "hello", "ell"), true);
  assert.equal(call("string.contains", "hello", "xyz"), false);
  assert.equal(call("string.starts_with", "hello", "he"), true);
  assert.equal(call("string.ends_with", "hello", "lo"), true);
  assert.equal(call("string.ends_with", "hello", "he"), false);
  assert.deepEqual(call("string.split", "a,b,c", ","), ["a", "b", "c"]);
  assert.deepEqual(call("string.split", "a😀", ""), ["a", "😀"]);
  assert.equal(call("string.char_at", "Kaylee", 0), 75);
  assert.equal(call("string.index", "Kaylee", 5), 101);
  assert.equal(call("string.push", "ab", 0x63), "abc");
  assert.equal(call("string.push", "", 0x1f600), "😀");
});

test("strings count code points", () => {
  const s = "a😀b";
  assert.equal(s.length, 4);
  assert.equal(call("string.length", s), 3);
  assert.equal(codePointLength("😀😀", () => {}), 2);
  assert.equal(call("string.index", s, 1), 0x1f600);
  assert.equal(call("string.index", s, 2), 98);
  assert.equal(call("string.reverse", s), "b😀a");
  assert.match(faultOf(() => call("string.index", s, 3)).message, /index out of range/);
});

test("string index out of range is a Fault", () => {
  assert.match(faultOf(() => call("string.char_at", "abc", 3)).message, /index out of range/);
  assert.match(faultOf(() => call("string.index", "abc", -1)).message, /index out of range/);
  assert.match(faultOf(() => call("string.char_at", "", 0)).message, /index/);
});

test("vector methods mutate in place", () => {
  const v: unknown[] = [1, 2, 3];
  assert.equal(call("vector.length", v), 3);
  assert.equal(call("vector.push", v, 4), null);
  assert.deepEqual(v, [1, 2, 3, 4]);
  assert.equal(call("vector.pop", v), 4);
  assert.equal(call("vector.insert", v, 0, 0), null);
  assert.equal(call("vector.insert", v, 4, 9), null);
  assert.deepEqual(v, [0, 1, 2, 3, 9]);
  assert.equal(call("vector.remove", v, 1), 1);
  assert.deepEqual(v, [0, 2, 3, 9]);
  assert.equal(call("vector.contains", v, 3), true);
  assert.equal(call("vector.contains", v, 7), false);
  call("vector.reverse", v);
  assert.deepEqual(v, [9, 3, 2, 0]);
  call("vector.sort", v);
  assert.deepEqual(v, [0, 2, 3, 9]);
  call("vector.clear", v);
  assert.deepEqual(v, []);
  assert.equal(call("array.length", [1, 2]), 2);
});

test("vector errors", () => {
  // pop() is typed infallible, so an empty vector is a fault (a handler catches it), not an error value.
  assert.match(faultOf(() => call("vector.pop", [])).message, /empty vector/);
  assert.match(faultOf(() => call("vector.remove", [1], 1)).message, /index out of range/);
  assert.match(faultOf(() => call("vector.remove", [], 0)).message, /index out of range/);
  assert.match(faultOf(() => call("vector.insert", [1], 2, 5)).message, /index out of range/);
  assert.match(faultOf(() => call("vector.insert", [1], -1, 5)).message, /index out of range/);
});

test("vector push copies aggregates and contains compares by content", () => {
  const v: unknown[] = [];
  const inner = [1, 2];
  call("vector.push", v, inner);
  inner.push(3);
  assert.deepEqual(v, [[1, 2]]);
  assert.equal(call("vector.contains", v, [1, 2]), true);
  assert.equal(call("vector.contains", [["a", 1]], ["a", 1]), true);
});

test("substring, index_of, pad: by code point, out of range a Fault the native table makes a value", () => {
  assert.equal(call("string.substring", "a😀bc", 1, 3), "😀b");
  assert.equal(call("string.substring", "a😀bc", 4, 4), "");
  assert.equal(call("string.substring", "", 0, 0), "");
  for (const [a, b] of [[0, 5], [-1, 1], [3, 2], [5, 5], [0.5, 1]]) {
    const e = faultOf(() => call("string.substring", "a😀bc", a, b));
    assert.equal(e.code, "index_out_of_range");
  }
  assert.equal(faultOf(() => call("string.substring", "abc", 1, 9)).message, "substring out of range: 1..9 but length 3");
  // A long string with astral chars: through the code-point index (past several strides).
  const long = "x😀".repeat(200);
  assert.equal(call("string.substring", long, 301, 304), "😀x😀");
  assert.equal(call("string.index_of", long + "end", "end"), 400);
  assert.equal(call("string.index_of", "ab😀c😀", "c😀"), 3);
  assert.equal(call("string.index_of", "abc", ""), 0);
  assert.equal(call("string.index_of", "abc", "d"), -1);
  assert.equal(call("string.pad_start", "7", 3, 0x30), "007");
  assert.equal(call("string.pad_end", "😀", 3, 0x1f600), "😀😀😀");
  assert.equal(call("string.pad_start", "long", 2, 0x20), "long");
  assert.equal(faultOf(() => call("string.pad_end", "x", -1, 0x20)).code, "range");
});

test("replace, repeat, lines, join: results too long for the process are too_large, built or not", () => {
  assert.equal(call("string.replace", "a-b-c", "-", "+"), "a+b+c");
  assert.equal(call("string.replace", "aaaa", "aa", "b"), "bb");
  assert.equal(call("string.replace", "a😀", "", "."), ".a.😀.");
  assert.equal(call("string.replace", "", "", "x"), "x");
  assert.equal(call("string.repeat", "ab", 2), "abab");
  assert.equal(faultOf(() => call("string.repeat", "ab", -2)).code, "range");
  assert.equal(faultOf(() => call("string.repeat", "ab", 2 ** 30)).code, "too_large");
  assert.equal(faultOf(() => call("string.replace", "a".repeat(1000), "a", "b".repeat(1 << 20))).code, "too_large");
  assert.equal(faultOf(() => call("string.pad_start", "", 2 ** 29, 0x41)).code, "too_large");
  assert.equal(faultOf(() => call("vector.join", Array(1 << 12).fill("x".repeat(1 << 17)), "")).code, "too_large");
  // Under a VM the limit is the process's heap limit (2 bytes a unit).
  const small = { ...ctx(), vm: { heapLimit: 1000 } } as unknown as NativeCtx;
  assert.equal((METHODS.get("string.repeat")!(small, ["ab", 250]) as string).length, 500);
  assert.throws(() => METHODS.get("string.repeat")!(small, ["ab", 251]), (e: unknown) => e instanceof Fault && e.error.code === "too_large");
  assert.deepEqual(call("string.lines", "a\r\nb\n\nc\n"), ["a", "b", "", "c"]);
  assert.deepEqual(call("string.lines", "a\r"), ["a\r"]);
  assert.deepEqual(call("string.lines", ""), []);
  assert.equal(call("vector.join", ["a", "b"], ", "), "a, b");
  assert.equal(call("vector.join", [], ", "), "");
});

test("vector index_of, slice (a copy), min, max, sum", () => {
  const v = [[1], [2, 3]];
  assert.equal(call("vector.index_of", v, [2, 3]), 1);
  assert.equal(call("vector.index_of", v, [4]), -1);
  const part = call("vector.slice", v, 1, 2) as number[][];
  assert.deepEqual(part, [[2, 3]]);
  part[0].push(4);
  assert.deepEqual(v, [[1], [2, 3]], "the slice shares nothing with the vector");
  assert.equal(faultOf(() => call("vector.slice", [1, 2], 1, 3)).code, "index_out_of_range");
  assert.equal(faultOf(() => call("vector.slice", [1, 2], 2, 1)).code, "index_out_of_range");
  assert.equal(call("vector.min", [3, -1, 2]), -1);
  assert.equal(call("vector.max", [3, -1, 2]), 3);
  assert.ok(Number.isNaN(call("vector.max", [1, NaN, 2]) as number));
  assert.equal(call("vector.min", [NaN, 2, 1]), 1);
  assert.equal(faultOf(() => call("vector.min", [])).code, "empty");
  assert.equal(call("vector.sum", []), 0);
  assert.equal(call("vector.sum", [1, 2, 3]), 6);
  assert.equal(faultOf(() => call("vector.sum", [2147483647, 1, -1])).code, "overflow", "left to right, as + adds");
  const sum = (t: Type, v: number[]) => METHODS.get("vector.sum")!(ctx([t]), [v]);
  assert.equal(sum(T.vector(T.float), [Math.fround(0.1), Math.fround(0.2)]), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  assert.equal(sum(T.vector(T.float), [3e38, 3e38]), Infinity);
  assert.equal(sum(T.vector(T.byte), [200, 55]), 255);
  assert.throws(() => sum(T.vector(T.byte), [200, 56]), (e: unknown) => e instanceof Fault && e.error.code === "overflow");
});

test("float format: fixed decimals, half away from zero on the exact f32", () => {
  const f = (x: number, d: number) => call("float.format", Math.fround(x), d);
  assert.equal(f(12.5, 2), "12.50");
  assert.equal(f(2.5, 0), "3");
  assert.equal(f(-2.5, 0), "-3");
  assert.equal(f(1.005, 2), "1.00");
  assert.equal(f(0.1, 10), "0.1000000015");
  assert.equal(f(-0.001, 2), "-0.00");
  assert.equal(call("float.format", -0, 1), "-0.0");
  assert.equal(f(3e38, 0), BigInt(Math.fround(3e38)).toString());
  assert.equal(f(1e30, 2), BigInt(Math.fround(1e30)).toString() + ".00");
  assert.equal(call("float.format", NaN, 2), "NaN");
  assert.equal(call("float.format", -Infinity, 2), "-inf");
  assert.equal((f(1, 100) as string).length, 102);
  assert.equal(faultOf(() => f(1, 101)).code, "range");
  assert.equal(faultOf(() => f(1, -1)).code, "range");
});

test("sort orders each element type", () => {
  const floats = [2.5, NaN, -1, 0.5];
  call("vector.sort", floats);
  assert.deepEqual(floats, [-1, 0.5, 2.5, NaN]);
  const strings = ["b", "B", "a", "ab"];
  call("vector.sort", strings);
  assert.deepEqual(strings, ["B", "a", "ab", "b"]);
  const bools = [true, false, true];
  call("vector.sort", bools);
  assert.deepEqual(bools, [false, true, true]);
  const nested = [[2], [1, 5], [1], [1, 10]];
  METHODS.get("vector.sort")!(ctx([T.vector(T.vector(T.integer))]), [nested]);
  assert.deepEqual(nested, [[1], [1, 5], [1, 10], [2]]);
  const pairs = [["b", 1], ["a", 2], ["a", 1]];
  call("vector.sort", pairs);
  assert.deepEqual(pairs, [["a", 1], ["a", 2], ["b", 1]]);
  const notices = [new ExitNotice(3, "x"), new ExitNotice(2, "y")];
  METHODS.get("vector.sort")!(ctx([T.vector(T.exit)]), [notices]);
  assert.deepEqual(notices.map((n) => n.process), [2, 3]);
  const big = Array.from({ length: 20 }, (_, i) => 20 - i);
  call("vector.sort", big);
  assert.deepEqual(big, Array.from({ length: 20 }, (_, i) => i + 1));
});

test("numeric, char, exit and error methods", () => {
  assert.equal(call("integer.abs", -5), 5);
  assert.equal(call("integer.abs", 2147483647), 2147483647);
  const e = call("integer.abs", -2147483648);
  assert.ok(e instanceof KError && e.code === "overflow", "abs of the minimum is an error value");
  assert.equal(call("float.abs", -1.5), 1.5);
  assert.equal(call("float.floor", -1.5), -2);
  assert.equal(call("float.ceil", 1.25), 2);
  assert.equal(call("float.round", 2.5), 3);
  assert.equal(call("float.round", -2.5), -3);
  assert.equal(call("float.sqrt", 2), Math.fround(Math.SQRT2));
  assert.ok(Number.isNaN(call("float.sqrt", -1)));
  assert.equal(call("char.is_digit", 0x37), true);
  assert.equal(call("char.is_digit", 0x61), false);
  assert.equal(call("char.is_alpha", 0x61), true);
  assert.equal(call("char.is_alpha", 0xe9), true);
  assert.equal(call("char.is_alpha", 0x31), false);
  const n = new ExitNotice(4, "killed");
  assert.equal(call("exit.process", n), 4);
  assert.equal(call("exit.reason", n), "killed");
  const err = new KError("boom", "io");
  assert.equal(call("error.message", err), "boom");
  assert.equal(call("error.code", err), "io");
});

test("methods on big data charge reductions", () => {
  charged = 0;
  call("string.upper", "x".repeat(1600));
  assert.ok(charged >= 100);
});

function isErr(v: unknown, code: string): void {
  assert.ok(v instanceof KError, `expected an error, got ${String(v)}`);
  assert.equal(v.code, code);
}

test("into(): strings to integers", () => {
  assert.equal(convert("123", T.string, T.integer), 123);
  assert.equal(convert("-42", T.string, T.integer), -42);
  assert.equal(convert("+7", T.string, T.integer), 7);
  assert.equal(convert("0x2A", T.string, T.integer), 42);
  assert.equal(convert("0b101010", T.string, T.integer), 42);
  assert.equal(convert("2147483647", T.string, T.integer), 2147483647);
  assert.equal(convert("-2147483648", T.string, T.integer), -2147483648);
  const bad = convert("abc", T.string, T.integer);
  isErr(bad, "parse");
  assert.equal((bad as KError).message, 'cannot parse "abc" as integer');
  isErr(convert("2147483648", T.string, T.integer), "parse");
  isErr(convert(" 5", T.string, T.integer), "parse");
  isErr(convert("5\n", T.string, T.integer), "parse");
  isErr(convert("", T.string, T.integer), "parse");
  isErr(convert("1.5", T.string, T.integer), "parse");
  isErr(convert("9".repeat(100), T.string, T.integer), "parse");
});

test("into(): strings to other scalars", () => {
  assert.equal(convert("3.14", T.string, T.float), Math.fround(3.14));
  assert.equal(convert("-1e-3", T.string, T.float), Math.fround(-1e-3));
  assert.equal(convert("5", T.string, T.float), 5);
  assert.equal(convert("inf", T.string, T.float), Infinity);
  isErr(convert("3.1.4", T.string, T.float), "parse");
  isErr(convert("", T.string, T.float), "parse");
  assert.equal(convert("x", T.string, T.char), 120);
  isErr(convert("xy", T.string, T.char), "parse");
  assert.equal(convert("true", T.string, T.bool), true);
  assert.equal(convert("200", T.string, T.byte), 200);
  isErr(convert("300", T.string, T.byte), "parse");
});

test("into(): numbers and chars", () => {
  assert.equal(convert(7, T.integer, T.float), 7);
  assert.equal(convert(16777217, T.integer, T.float), 16777216);
  assert.equal(convert(Math.fround(3.9), T.float, T.integer), 3);
  assert.equal(convert(Math.fround(-3.9), T.float, T.integer), -3);
  assert.ok(Object.is(convert(Math.fround(-0.5), T.float, T.integer), 0));
  isErr(convert(NaN, T.float, T.integer), "overflow");
  isErr(convert(Math.fround(3e9), T.float, T.integer), "overflow");
  isErr(convert(Infinity, T.float, T.integer), "overflow");
  assert.equal(convert(65, T.integer, T.char), 65);
  isErr(convert(0xd800, T.integer, T.char), "range");
  isErr(convert(-1, T.integer, T.char), "range");
  isErr(convert(0x110000, T.integer, T.char), "range");
  assert.equal(convert(0x1f600, T.char, T.integer), 0x1f600);
  assert.equal(convert(255, T.integer, T.byte), 255);
  isErr(convert(256, T.integer, T.byte), "overflow");
  isErr(convert(-1, T.integer, T.byte), "overflow");
  assert.equal(convert(200, T.byte, T.integer), 200);
});

test("into(): anything to string uses the printer; same type is itself", () => {
  assert.equal(convert(42, T.integer, T.string), "42");
  assert.equal(convert(Math.fround(0.1), T.float, T.string), "0.1");
  assert.equal(convert(3, T.float, T.string), "3.0");
  assert.equal(convert(75, T.char, T.string), "K");
  assert.equal(convert(true, T.bool, T.string), "true");
  assert.equal(convert(3, T.process, T.string), "<0.3>");
  assert.equal(convert("s", T.string, T.string), "s");
  assert.equal(convert(5, T.integer, T.integer), 5);
  assert.equal(convert([1, 2], T.vector(T.integer), T.string), "[1, 2]");
  assert.equal(convert([1, "a"], T.tuple([T.integer, T.string]), T.string), '(1, "a")');
  assert.equal(convert(new ExitNotice(2, "normal"), T.exit, T.string), 'exit(<0.2>, "normal")');
  assert.equal(convert(new KError("boom", "io"), T.error, T.string), 'error("boom", "io")');
  assert.equal(convert(null, T.null, T.string), "null");
});

test("into(): a conversion the checker refuses is a Fault", () => {
  faultOf(() => convert(1, T.process, T.integer));
  faultOf(() => convert("x", T.string, T.process));
});
