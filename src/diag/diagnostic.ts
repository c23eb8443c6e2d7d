// Diagnostics as data (Gleam's shape): a severity, a one-line title, labelled spans and an
// optional hint. Spans are integer offsets into the file's source; line and column are worked
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

export type Severity = "error" | "warning";

export interface Diagnostic {
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

/** An error with one primary label. */
export function error(file: string, title: string, span: Span, message: string, hint?: string): Diagnostic {
  const d: Diagnostic = { severity: "error", title, file, labels: [{ span, message, primary: true }] };
  if (hint !== undefined) d.hint = hint;
  return d;
}

export function warning(file: string, title: string, span: Span, message: string, hint?: string): Diagnostic {
  const d: Diagnostic = { severity: "warning", title, file, labels: [{ span, message, primary: true }] };
  if (hint !== undefined) d.hint = hint;
  return d;
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
