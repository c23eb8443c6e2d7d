// Kaylee source to a bytecode module: the front end (lex, parse, check) and then code
// generation. Never throws on any input: problems come back as diagnostics.

import type { Module } from "../bytecode/module.js";
import type { Diagnostic } from "../diag/index.js";
import type { NativeSpec } from "../vm/native-api.js";
import { compileFrontEnd } from "./checker.js";
import { generate } from "./codegen.js";

export function compileKaylee(source: string, file: string, opts: { natives?: NativeSpec[] } = {}): { module: Module | null; diagnostics: Diagnostic[] } {
  const fe = compileFrontEnd(source, file, { natives: opts.natives });
  if (!fe.program) return { module: null, diagnostics: fe.diagnostics };
  try {
    return { module: generate(fe.program, source), diagnostics: fe.diagnostics };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { module: null, diagnostics: [...fe.diagnostics, { severity: "error", title: `internal compiler error: ${message}`, file, labels: [{ span: { start: 0, end: 0 }, message: "while generating code for this file", primary: true }] }] };
  }
}
