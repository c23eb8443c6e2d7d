// Kaylee source to a bytecode module: front end (parse, check) then code generation.
import type { Module } from "../bytecode/module.js";
import type { Diagnostic } from "../diag/index.js";
import type { NativeSpec } from "../vm/native-api.js";

export function compileKaylee(source: string, file: string, opts: { natives?: NativeSpec[] } = {}): { module: Module | null; diagnostics: Diagnostic[] } {
  void source;
  void opts;
  return { module: null, diagnostics: [{ severity: "error", title: "the Kaylee compiler is not built yet", file, labels: [] }] };
}
