// Float constants in assembly text: the shortest decimal that reads back to the same f32,
// always with a `.` or an exponent so the assembler reads it as a float, not an integer.

export function formatFloatConst(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0.0";
  let s = "";
  for (let p = 1; p <= 17; p++) {
    s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) break;
  }
  s = String(Number(s));
  if (/e/.test(s)) return s.includes(".") ? s : s.replace("e", ".0e");
  return s.includes(".") ? s : s + ".0";
}
