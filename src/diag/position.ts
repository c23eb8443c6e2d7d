// Positions in source text: the one routine that turns a UTF-16 offset into a 1-based line and
// column, where a column counts characters (Unicode code points: a surrogate pair once), not
// UTF-16 units. The diagnostic renderer, the code generator's line table, the assembler and
// the parser all place things with it.

export interface LineCol {
  line: number;
  col: number;
}

/** The line starts of a text, found once, for many look-ups (each a binary search). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly source: string) {
    // indexOf scans natively: a loop over the characters ran in V8's interpreter on a first run.
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** The 1-based line of an offset (clamped to the text). */
  lineOf(offset: number): number {
    const off = Math.max(0, Math.min(offset, this.source.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The number of lines (a text ending in a newline has an empty last line). */
  get lines(): number {
    return this.starts.length;
  }

  /** Where a 1-based line starts, and where it ends (before its `\n`, or `\r\n`). */
  lineSpan(line: number): { start: number; end: number } {
    const start = this.starts[line - 1];
    let end = line < this.starts.length ? this.starts[line] - 1 : this.source.length;
    if (end > start && this.source.charCodeAt(end - 1) === 13) end--;
    return { start, end };
  }

  /** 1-based line and column (in code points) of an offset (clamped to the text). */
  at(offset: number): LineCol {
    const off = Math.max(0, Math.min(offset, this.source.length));
    const line = this.lineOf(off);
    return { line, col: countChars(this.source, this.starts[line - 1], off) + 1 };
  }
}

/** 1-based line and column (in code points) of a UTF-16 offset into `source`. */
export function lineCol(source: string, offset: number): LineCol {
  return new LineIndex(source).at(offset);
}

/**
 * The line and column of many offsets at once, in one pass over the text however many there
 * are and however long its lines (`LineIndex.at` counts a column from its line's start, which
 * for thousands of offsets on one long line would be quadratic). Offsets are clamped.
 */
export function positions(source: string, offsets: readonly number[]): LineCol[] {
  const out = new Array<LineCol>(offsets.length);
  const order = offsets.map((o, i) => ({ i, off: Math.max(0, Math.min(o, source.length)) })).sort((a, b) => a.off - b.off);
  let line = 1;
  let nextNl = source.indexOf("\n");
  let counted = 0; // columns are counted up to here, on the current line
  let col = 1;
  for (const { i, off } of order) {
    while (nextNl !== -1 && nextNl < off) {
      line++;
      counted = nextNl + 1;
      col = 1;
      nextNl = source.indexOf("\n", counted);
    }
    col += countChars(source, counted, off);
    counted = off;
    out[i] = { line, col };
  }
  return out;
}

/** Characters (code points) in `s` from `from` to `to`, a surrogate pair counted once. */
export function countChars(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // Count a surrogate pair once: skip the low half.
    if (c >= 0xdc00 && c <= 0xdfff && i > from) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}
