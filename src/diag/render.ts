// The one diagnostic renderer (codespan/rustc style), shared by the compiler, the assembler
// and runtime messages:
//
//   error: type mismatch: expected integer, found string
//     --> guess.kl:12:26
//      |
//   12 |     let guess: integer = "five";
//      |                          ^^^^^^ this is a string
//      = hint: to parse a string, use .into(): "five".into()
//
// Line and column are 1-based, computed from offsets by position.ts (a column counts
// characters, not UTF-16 units). ANSI colour only when asked for.

import type { Diagnostic, Label } from "./diagnostic.js";
import { countChars, lineCol } from "./position.js";

export { lineCol, type LineCol } from "./position.js";

export interface RenderOptions {
  color?: boolean;
}

interface LineInfo {
  line: number;
  start: number;
  end: number; // offset of the line's end (before \n or \r\n)
}

function lineAt(source: string, offset: number): LineInfo {
  const off = Math.max(0, Math.min(offset, source.length));
  const { line } = lineCol(source, off);
  let start = source.lastIndexOf("\n", off - 1) + 1;
  if (off === 0) start = 0;
  let end = source.indexOf("\n", off);
  if (end < 0) end = source.length;
  if (end > start && source.charCodeAt(end - 1) === 13) end--;
  return { line, start, end };
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
  const color = opts.color === true;
  const paint = (codes: string, s: string) => (color ? codes + s + ANSI.reset : s);
  const sevColor = d.severity === "error" ? ANSI.red : ANSI.yellow;
  const out: string[] = [];
  out.push(paint(ANSI.bold + sevColor, d.severity) + paint(ANSI.bold, ": " + d.title));

  const labels = [...d.labels];
  const primary = labels.find((l) => l.primary) ?? labels[0];
  if (!primary) {
    out.push(`  --> ${d.file}`);
    if (d.hint) out.push(`  = hint: ${d.hint}`);
    return out.join("\n");
  }
  const withLines = labels.map((l) => ({ l, info: lineAt(source, l.span.start) }));
  withLines.sort((a, b) => a.info.line - b.info.line || a.l.span.start - b.l.span.start);
  const maxLine = Math.max(...withLines.map((x) => x.info.line));
  const w = String(maxLine).length;
  const pad = " ".repeat(w);
  const bar = paint(ANSI.bold + ANSI.blue, "|");
  const pos = lineCol(source, primary.span.start);
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
  if (d.hint) out.push(`${pad} ${paint(ANSI.bold + ANSI.blue, "=")} ${paint(ANSI.bold, "hint")}: ${d.hint}`);
  return out.join("\n");
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

/** Renders several diagnostics, separated by blank lines, with a trailing newline. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, opts: RenderOptions = {}): string {
  if (ds.length === 0) return "";
  return ds.map((d) => renderDiagnostic(d, source, opts)).join("\n\n") + "\n";
}

/**
 * The diagnostics with `line` and `column` set from each one's primary label (the position
 * the renderer shows). One pass over the source, however many diagnostics there are.
 */
export function withPositions(ds: readonly Diagnostic[], source: string): Diagnostic[] {
  const out = ds.slice();
  const at: { i: number; off: number }[] = [];
  ds.forEach((d, i) => {
    const l = d.labels.find((x) => x.primary) ?? d.labels[0];
    if (l) at.push({ i, off: Math.max(0, Math.min(l.span.start, source.length)) });
  });
  at.sort((a, b) => a.off - b.off);
  let line = 1;
  let nextNl = source.indexOf("\n");
  let counted = 0; // columns are counted up to here, on the current line
  let col = 1;
  for (const { i, off } of at) {
    while (nextNl !== -1 && nextNl < off) {
      line++;
      counted = nextNl + 1;
      col = 1;
      nextNl = source.indexOf("\n", counted);
    }
    col += countChars(source, counted, off);
    counted = off;
    out[i] = { ...ds[i], line, column: col };
  }
  return out;
}
