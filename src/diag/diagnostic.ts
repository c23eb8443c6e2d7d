// Diagnostics as data (Gleam's shape): a code and severity, a one-line title, labelled spans
// and an optional hint. The code, severity and title come from an entry of the catalogue
// (codes.ts): a diagnostic is made from the `Titled` an entry returns, never from free text. Spans are integer offsets into the file's source; line and column are worked
// out by render.ts, when a diagnostic is rendered and when the library hands diagnostics to an
// embedder (`withPositions`). Used by the Kaylee front end, the assembler and runtime messages
// alike, so nothing here knows about any one of them.

export interface Span {
  start: number;
  end: number;
}

export interface Label {
  span: Span;
  message: string;
  /** The primary label gives the `--> file:line:col` position; secondary ones add context. */
  primary: boolean;
}

import type { Severity, Titled } from "./codes.js";

export type { Severity } from "./codes.js";

export interface Diagnostic {
  /** The catalogue's code (`E0052`, `A0001`): `raft explain CODE` explains it. */
  code: string;
  severity: Severity;
  title: string;
  file: string;
  labels: Label[];
  hint?: string;
  /**
   * Where the primary label starts: 1-based line and column, the column counted in characters
   * (Unicode code points) as the rendered `--> file:line:col` shows it. Set on the diagnostics
   * the library returns (`compile`, `assemble`, `run`, a session's `eval`); absent on one that
   * points at no source text (a bad module).
   */
  line?: number;
  column?: number;
}

/** A diagnostic with one primary label; its code, severity and title are the entry's. */
export function diagnostic(file: string, t: Titled, span: Span, message: string, hint?: string): Diagnostic {
  const d: Diagnostic = { code: t.code, severity: t.severity, title: t.title, file, labels: [{ span, message, primary: true }] };
  if (hint !== undefined) d.hint = hint;
  return d;
}

/** A diagnostic about a whole file, pointing at no text in it (a module that cannot be loaded). */
export function fileDiagnostic(file: string, t: Titled): Diagnostic {
  return { code: t.code, severity: t.severity, title: t.title, file, labels: [] };
}

/** Adds a secondary label (context) to a diagnostic and returns it. */
export function withLabel(d: Diagnostic, span: Span, message: string): Diagnostic {
  d.labels.push({ span, message, primary: false });
  return d;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === "error");
}

/** The primary span of a diagnostic (the first label if none is marked primary). */
export function primarySpan(d: Diagnostic): Span | undefined {
  return (d.labels.find((l) => l.primary) ?? d.labels[0])?.span;
}
