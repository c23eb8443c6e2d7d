// Kaylee source to a bytecode module: the front end (lex, parse, check), code generation, and
// the verifier's check of the result (so that a limit of the module format is a diagnostic at
// a source position). Never throws on any input: problems come back as diagnostics.

import type { Module } from "../bytecode/module.js";
import type { Diagnostic } from "../diag/index.js";
import { ModuleError } from "../bytecode/module.js";
import { verifyModule } from "../bytecode/verifier.js";
import { K } from "../diag/codes.js";
import { diagnostic, fileDiagnostic } from "../diag/diagnostic.js";
import { compileFrontEnd, type FrontEndOptions } from "./checker.js";
import { generate } from "./codegen.js";

export function compileKaylee(source: string, file: string, opts: FrontEndOptions = {}): { module: Module | null; diagnostics: Diagnostic[] } {
  const fe = compileFrontEnd(source, file, opts);
  if (!fe.program) return { module: null, diagnostics: fe.diagnostics };
  try {
    const module = generate(fe.program, source);
    // What the compiler accepts, the verifier must accept too: a limit of the module format
    // that the checker does not foresee is reported at the source position it comes from.
    const refused = verifierRefusal(module, source, file);
    if (refused) return { module: null, diagnostics: [...fe.diagnostics, refused] };
    return { module, diagnostics: fe.diagnostics };
  } catch (e) {
    return { module: null, diagnostics: [...fe.diagnostics, internalError(file, e)] };
  }
}

/** The code generator failed on a program the checker accepted: a bug, said as a diagnostic. */
export function internalError(file: string, e: unknown): Diagnostic {
  return fileDiagnostic(file, K.internal({ WHY: e instanceof Error ? e.message : String(e) }));
}

/** The verifier's refusal of a compiled module as a diagnostic at the instruction's source position. */
function verifierRefusal(module: Module, source: string, file: string): Diagnostic | null {
  try {
    verifyModule(module);
    return null;
  } catch (e) {
    if (!(e instanceof ModuleError)) throw e;
    const at = e.at;
    const lines = at ? module.functions[at.fn].lines.filter((l) => l.offset <= at.offset) : [];
    const pos = lines.length ? lines[lines.length - 1] : { line: 1, col: 1 };
    const start = sourceOffset(source, pos.line, pos.col);
    return diagnostic(file, K.tooLarge({ WHY: at ? at.why : e.message }), { start, end: start + 1 }, "the compiled code passes a limit of the module format", "split this into smaller expressions or functions");
  }
}

/** The source offset of a 1-based line and column (columns count code points). */
function sourceOffset(source: string, line: number, col: number): number {
  let i = 0;
  for (let l = 1; l < line && i < source.length; l++) {
    const nl = source.indexOf("\n", i);
    if (nl < 0) return source.length;
    i = nl + 1;
  }
  for (let c = 1; c < col && i < source.length; c++) i += (source.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return Math.min(i, source.length);
}
