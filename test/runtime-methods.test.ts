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
});

test("into(): a conversion the checker refuses is a Fault", () => {
  faultOf(() => convert(1, T.process, T.integer));
  faultOf(() => convert("x", T.string, T.process));
});
