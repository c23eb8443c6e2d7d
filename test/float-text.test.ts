// Decimal text to f32 (bytecode/float-text.ts decimalToF32): the f32 nearest to the text,
// ties to even, in one rounding. Checked where rounding twice (to f64, then to f32) goes
// wrong: texts a hair above or below a point halfway between two neighbouring f32 values,
// written out exactly.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decimalToF32, formatFloatConst } from "../src/bytecode/float-text.js";

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The exact decimal text of a positive finite double. */
function exactDecimal(v: number): string {
  f64[0] = v;
  const bits = u64[0];
  const be = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let k = -1074;
  if (be !== 0) {
    m |= 1n << 52n;
    k = be - 1075;
  }
  if (k >= 0) return (m << BigInt(k)).toString();
  const digits = (m * 5n ** BigInt(-k)).toString().padStart(-k + 1, "0");
  return `${digits.slice(0, digits.length + k)}.${digits.slice(digits.length + k)}`;
}

/** The f32 with these bits. */
function fromBits(b: number): number {
  u32[0] = b;
  return f32[0];
}

test("a text just above or below the midpoint of two f32 values rounds to the nearer one, an exact midpoint to even", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7f7ffffe }), fc.boolean(), (bits, negative) => {
      const lo = fromBits(bits);
      const hi = fromBits(bits + 1);
      const mid = exactDecimal((lo + hi) / 2); // exact: a 25-bit mantissa fits in a double
      const text = mid.includes(".") ? mid : `${mid}.0`;
      const sign = negative ? "-" : "";
      const s = negative ? -1 : 1;
      assert.equal(decimalToF32(`${sign}${text}000000000001`), s * hi, `above ${text}`);
      // Just below: the midpoint less one unit in its 40th decimal place past its own digits.
      const below = BigInt(text.replace(".", "")) * 10n ** 40n - 1n;
      const frac = text.length - text.indexOf(".") - 1 + 40;
      const b = below.toString().padStart(frac + 1, "0");
      assert.equal(decimalToF32(`${sign}${b.slice(0, b.length - frac)}.${b.slice(b.length - frac)}`), s * lo, `below ${text}`);
      const even = (bits & 1) === 0 ? lo : hi;
      assert.equal(decimalToF32(`${sign}${text}`), s * even, `at ${text}`);
    }),
    { numRuns: 3000 },
  );
});

test("past the largest f32: under the threshold is the largest, at or over it is infinity", () => {
  const threshold = "340282356779733661637539395458142568448"; // 2^128 - 2^103
  assert.equal(decimalToF32("340282356779733661637539395458142568447.999"), 3.4028234663852886e38);
  assert.equal(decimalToF32("3.40282356779733661637e38"), 3.4028234663852886e38);
  assert.equal(decimalToF32(threshold), Infinity);
  assert.equal(decimalToF32(`-${threshold}`), -Infinity);
  assert.equal(decimalToF32("1e39"), Infinity);
});

test("ordinary texts read as before, and every f32 written as a constant reads back to itself", () => {
  for (const t of ["0.1", "0.2", "3.14", "-2.5", "1e-3", "1e-45", "1e-46", "0", "-0.0", ".5", "5.", "123456789", "1.17549435e-38"]) {
    assert.ok(Object.is(decimalToF32(t), Math.fround(Number(t))), t);
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7f7fffff }), (bits) => {
      const x = fromBits(bits);
      assert.equal(decimalToF32(formatFloatConst(x)), x);
    }),
    { numRuns: 3000 },
  );
});

test("a very long text is compared on its leading digits and whether anything non-zero follows", () => {
  const mid = "1.00000005960464477539062500"; // exactly halfway between 1 and its next f32
  assert.equal(decimalToF32(mid + "0".repeat(100_000)), 1);
  assert.equal(decimalToF32(mid + "0".repeat(100_000) + "1"), fromBits(0x3f800001));
});
