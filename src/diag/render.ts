// The one diagnostic renderer (codespan/rustc style), shared by the compiler, the assembler
// and runtime messages:
//
//   error: type mismatch: expected integer, found string
//     --> guess.kl:12:26
//      |
//   12 |     let guess: integer = "five";
//      |                          ^^^^^^ this is a string
//      = hint: to parse a string, use .into(): "five".into()
//      = explain: raft explain E0052
//
// The first line is the severity and the title alone; the code is on the last line, as the
// command that explains it. Line and column are 1-based, computed from offsets by
// position.ts (a column counts characters, not UTF-16 units), for all the diagnostics shown
// in one pass over the source: rendering is linear in the source and the number shown. At
// most 100 are shown (`RenderOptions.max`); a last line counts the rest. ANSI colour only
// when asked for.

import type { Diagnostic, Label } from "./diagnostic.js";
import { countChars, LineIndex, positions, type LineCol } from "./position.js";

export { lineCol, type LineCol } from "./position.js";

/** How many diagnostics a rendering shows unless told otherwise; the rest are counted. */
export const MAX_RENDERED = 100;

export interface RenderOptions {
  color?: boolean;
  /** Show at most this many (default MAX_RENDERED); a last line says how many more there are. */
  max?: number;
}

interface LineInfo {
  line: number;
  start: number;
  end: number; // offset of the line's end (before \n or \r\n)
}

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  cyan: "\x1b[36m",
};

/** Renders one diagnostic against the source text of its file. Ends without a newline. */
export function renderDiagnostic(d: Diagnostic, source: string, opts: RenderOptions = {}): string {
  return new Renderer(source, [d], opts.color === true).render(d);
}

/** Renders diagnostics (at most `opts.max`), separated by blank lines, with a trailing newline. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, opts: RenderOptions = {}): string {
  if (ds.length === 0) return "";
  const shown = ds.slice(0, Math.max(0, opts.max ?? MAX_RENDERED));
  const r = new Renderer(source, shown, opts.color === true);
  const parts = shown.map((d) => r.render(d));
  if (shown.length < ds.length) parts.push(moreLine(ds.slice(shown.length)));
  return parts.join("\n\n") + "\n";
}

/** `... and 5 more errors` (and warnings, when some of the rest are warnings). */
function moreLine(rest: readonly Diagnostic[]): string {
  const errors = rest.filter((d) => d.severity === "error").length;
  const warnings = rest.length - errors;
  const count = (n: number, what: string) => `${n} more ${what}${n === 1 ? "" : "s"}`;
  return "... and " + [errors ? count(errors, "error") : "", warnings ? count(warnings, "warning") : ""].filter(Boolean).join(" and ");
}

/** Renders diagnostics against one source, with the positions of all their labels worked out at once. */
class Renderer {
  private readonly index: LineIndex;
  private readonly at = new Map<number, LineCol>();

  constructor(
    private readonly source: string,
    ds: readonly Diagnostic[],
    private readonly color: boolean,
  ) {
    this.index = new LineIndex(source);
    const offsets = [...new Set(ds.flatMap((d) => d.labels.map((l) => l.span.start)))];
    positions(source, offsets).forEach((p, i) => this.at.set(offsets[i], p));
  }

  private paint(codes: string, s: string): string {
    return this.color ? codes + s + ANSI.reset : s;
  }

  private lineAt(offset: number): LineInfo {
    const line = this.at.get(offset)!.line;
    return { line, ...this.index.lineSpan(line) };
  }

  render(d: Diagnostic): string {
    const { source, color } = this;
    const paint = (codes: string, s: string) => this.paint(codes, s);
    const sevColor = d.severity === "error" ? ANSI.red : ANSI.yellow;
    const out: string[] = [];
    out.push(paint(ANSI.bold + sevColor, d.severity) + paint(ANSI.bold, ": " + d.title));
    const note = (pad: string, what: string, text: string) => `${pad}${paint(ANSI.bold + ANSI.blue, "=")} ${paint(ANSI.bold, what)}: ${text}`;

    const labels = [...d.labels];
    const primary = labels.find((l) => l.primary) ?? labels[0];
    if (!primary) {
      out.push(`  --> ${d.file}`);
      if (d.hint) out.push(note("  ", "hint", d.hint));
      out.push(note("  ", "explain", `raft explain ${d.code}`));
      return out.join("\n");
    }
    const withLines = labels.map((l) => ({ l, info: this.lineAt(l.span.start) }));
    withLines.sort((a, b) => a.info.line - b.info.line || a.l.span.start - b.l.span.start);
    const maxLine = Math.max(...withLines.map((x) => x.info.line));
    const w = String(maxLine).length;
    const pad = " ".repeat(w);
    const bar = paint(ANSI.bold + ANSI.blue, "|");
    const pos = this.at.get(primary.span.start)!;
    out.push(`${pad}${paint(ANSI.bold + ANSI.blue, "-->")} ${d.file}:${pos.line}:${pos.col}`);
    out.push(`${pad} ${bar}`);
    let lastLine = -1;
    let cut = "";
    for (const { l, info: whole } of withLines) {
      // A very long line is shown as a window around the label, with "..." where it is cut.
      const info = window(whole, l.span.start);
      if (info.line !== lastLine) {
        if (lastLine !== -1 && info.line > lastLine + 1) out.push(paint(ANSI.bold + ANSI.blue, "..."));
        cut = info.start > whole.start ? "..." : "";
        const text = cut + source.slice(info.start, info.end) + (info.end < whole.end ? "..." : "");
        out.push(`${paint(ANSI.bold + ANSI.blue, String(info.line).padStart(w))} ${bar}${text.length ? " " + text : ""}`);
        lastLine = info.line;
      }
      out.push(`${pad} ${bar} ${" ".repeat(cut.length)}${underline(source, info, l, color)}`.trimEnd());
    }
    if (d.hint) out.push(note(pad + " ", "hint", d.hint));
    out.push(note(pad + " ", "explain", `raft explain ${d.code}`));
    return out.join("\n");
  }
}

/** Lines longer than this are shown as a window of it around the label. */
const MAX_SHOWN = 160;

function window(info: LineInfo, at: number): LineInfo {
  if (info.end - info.start <= MAX_SHOWN) return info;
  const start = Math.max(info.start, Math.min(at - 40, info.end - MAX_SHOWN));
  return { line: info.line, start, end: Math.min(info.end, start + MAX_SHOWN) };
}

function underline(source: string, info: LineInfo, l: Label, color: boolean): string {
  const start = Math.max(info.start, Math.min(l.span.start, info.end));
  const end = Math.max(start, Math.min(l.span.end, info.end));
  // Keep tabs so that the marks line up under the source text.
  let lead = "";
  for (const ch of source.slice(info.start, start)) lead += ch === "\t" ? "\t" : " ";
  const width = Math.max(1, countChars(source, start, end));
  const mark = (l.primary ? "^" : "-").repeat(width);
  const c = l.primary ? ANSI.red : ANSI.blue;
  const marks = color ? ANSI.bold + c + mark + ANSI.reset : mark;
  const msg = l.message ? " " + (color ? ANSI.bold + c + l.message + ANSI.reset : l.message) : "";
  return lead + marks + msg;
}

/**
 * The diagnostics with `line` and `column` set from each one's primary label (the position
 * the renderer shows). One pass over the source, however many diagnostics there are.
 */
export function withPositions(ds: readonly Diagnostic[], source: string): Diagnostic[] {
  const out = ds.slice();
  const which: number[] = [];
  const offsets: number[] = [];
  ds.forEach((d, i) => {
    const l = d.labels.find((x) => x.primary) ?? d.labels[0];
    if (l) {
      which.push(i);
      offsets.push(l.span.start);
    }
  });
  positions(source, offsets).forEach((p, k) => (out[which[k]] = { ...ds[which[k]], line: p.line, column: p.col }));
  return out;
}
