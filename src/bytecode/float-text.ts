// Float text, one place for both directions: reading decimal text as an f32 correctly
// rounded (`decimalToF32`: float literals in the lexer, `string.into()` to float, float
// constants in assembly), and writing a float constant in assembly text (`formatFloatConst`:
// the shortest decimal that reads back to the same f32, always with a `.` or an exponent so
// that the assembler reads it as a float, not an integer).
//
// Reading gives the f32 nearest to the text, ties to even, as Rust's f32 parsing and literals
// do. `Math.fround(Number(text))` rounds twice, first to f64 and then to f32, and that is
// wrong exactly when the f64 it lands on lies halfway between two f32 values (or on the
// threshold past the largest f32) while the text itself is a little above or below that
// point: "1.0000001788139343261718749" became 1.0000002 instead of 1.0000001. Only then is
// the text compared with that point exactly (BigInt arithmetic on at most MAX_DIGITS
// significant digits, the rest kept as one sticky digit), so ordinary texts cost one
// Number() and one fround.

/** Significant digits compared exactly: an f32 midpoint has at most about 110. */
const MAX_DIGITS = 250;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The f32 next to positive finite f32 `x`, one step up (`dir` 1) or down (-1). */
function stepF32(x: number, dir: 1 | -1): number {
  f32[0] = x;
  u32[0] += dir;
  return f32[0];
}

/**
 * The f32 nearest to decimal `text` (an optional sign, digits with an optional `.`, an
 * optional exponent; no `_`), ties to even; ±Infinity past the largest f32.
 */
export function decimalToF32(text: string): number {
  const d = Number(text);
  const f = Math.fround(d);
  if (f === d || Number.isNaN(d) || !Number.isFinite(d)) return f;
  const a = Math.abs(d);
  const fa = Math.abs(f);
  // The two f32 values around a (past the largest f32, the one above is 2^128).
  const lo = fa > a ? (fa === Infinity ? 3.4028234663852886e38 : stepF32(fa, -1)) : fa;
  const hi = fa > a ? (fa === Infinity ? 2 ** 128 : fa) : stepF32(fa, 1);
  if ((lo + hi) / 2 !== a) return f; // not a midpoint: the f64 rounding cannot have crossed one
  const c = compareDecimal(text, a);
  if (c === 0) return f; // a true tie: fround's ties to even
  const r = c < 0 ? lo : hi === 2 ** 128 ? Infinity : hi;
  return d < 0 ? -r : r;
}

/** The sign of |text| − a, exactly, for a positive finite f64 `a`. */
function compareDecimal(text: string, a: number): number {
  let s = text.trim();
  if (s[0] === "+" || s[0] === "-") s = s.slice(1);
  const e = s.search(/[eE]/);
  let exp = e >= 0 ? Number(s.slice(e + 1)) : 0;
  let digits = e >= 0 ? s.slice(0, e) : s;
  const dot = digits.indexOf(".");
  if (dot >= 0) {
    exp -= digits.length - dot - 1;
    digits = digits.slice(0, dot) + digits.slice(dot + 1);
  }
  digits = digits.replace(/^0+/, "");
  if (digits.length > MAX_DIGITS) {
    // Keep MAX_DIGITS digits and one sticky digit for whatever non-zero came after them.
    const sticky = /[1-9]/.test(digits.slice(MAX_DIGITS)) ? "1" : "0";
    exp += digits.length - MAX_DIGITS - 1;
    digits = digits.slice(0, MAX_DIGITS) + sticky;
  }
  if (digits === "") return -1;
  // a = m × 2^k exactly.
  f64[0] = a;
  const bits = u64[0];
  const be = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let k: number;
  if (be === 0) k = -1074;
  else {
    m |= 1n << 52n;
    k = be - 1075;
  }
  // Compare D × 10^exp with m × 2^k, both scaled to integers.
  let left = BigInt(digits);
  let right = m;
  if (exp >= 0) left *= 10n ** BigInt(exp);
  else right *= 10n ** BigInt(-exp);
  if (k >= 0) right <<= BigInt(k);
  else left <<= BigInt(-k);
  return left === right ? 0 : left < right ? -1 : 1;
}

export function formatFloatConst(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0.0";
  let s = "";
  for (let p = 1; p <= 17; p++) {
    s = x.toPrecision(p);
    if (decimalToF32(s) === x) break;
  }
  s = String(Number(s));
  if (/e/.test(s)) return s.includes(".") ? s : s.replace("e", ".0e");
  return s.includes(".") ? s : s + ".0";
}
