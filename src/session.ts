// A long-lived evaluation session: what `raft repl` runs on, and what an embedder can use to
// feed a VM Kaylee (or assembly) one piece at a time.
//
// Design. There is ONE VM for the whole session, and its main process is *resident* (see
// "resident main" in vm/vm-core.ts): when the code of one input finishes, main does not end;
// it rests with its pid, mailbox, links and linear memory, and the next input runs in the same
// process. So `let p: process = vm.spawn(f);` in one input and `vm.receive()` in a later one
// work, and spawned processes keep running between inputs.
//
// Each input runs exactly once — nothing is replayed:
//   - Top-level `fn` declarations accumulate as source text (a redefinition replaces the old
//     text). Every input is compiled as a fresh Kaylee program: the accumulated fns, then one
//     `let NAME: T = vm.__repl_load_K(i);` for each persisted variable the input mentions,
//     then the input itself. Only the input's statements are new code; the loads just read
//     values the session keeps on the host side.
//   - Variables are a persistent environment: when main finishes an input, the values of its
//     top-level `let`s are read from main's stack (slot = the binding's id) and kept, with
//     their static types, for the next input's loads. If the input panics, its new variables
//     are not kept (its statements did not complete); its fns are.
//   - If the last statement is an expression with a value, it is turned into a hidden `let`
//     in the checked AST, and its value is shown with its type: `42 : integer`. (An error
//     value is shown, not panicked on.)
//   - The new module is linked on its own and then *appended* to the running program
//     (`extendProgram`): code, constants, natives and functions of the old program keep their
//     indices, so processes still running older code are unaffected, and the VM simply
//     switches to the bigger program.
// In assembly mode (`raft repl --asm`) the persistent environment is a value stack: each line
// is assembled as a main that first pushes the kept values (through `vm.__repl_stack`), then
// runs the line; what main leaves on its stack is kept and shown.

import { OPCODES } from "./bytecode/opcodes.js";
import { placeShapes, shiftPlaceConsts } from "./bytecode/places.js";
import { assemble } from "./bytecode/assembler.js";
import { disassemble } from "./bytecode/disasm.js";
import type { NativeResult } from "./bytecode/stack-types.js";
import { ModuleError, moduleDiagnostic, type Module } from "./bytecode/module.js";
import { parseTypeKey, typeKey, type Type } from "./bytecode/types.js";
import { renderDiagnostics, withPositions, type Diagnostic } from "./diag/index.js";
import { compileFrontEnd } from "./lang/checker.js";
import { generate } from "./lang/codegen.js";
import { internalError } from "./lang/compile.js";
import { parse } from "./lang/parser.js";
import type { ExprStmt, LetStmt, LocalBinding, Program as Ast } from "./lang/ast.js";
import { deepCopy } from "./vm/copy.js";
import type { NativeFn, NativeSpec } from "./vm/native-api.js";
import { formatAny, formatNested, formatValue } from "./vm/print.js";
import type { Process } from "./vm/process.js";
import { Program, link, type NativeTable } from "./vm/program.js";
import { formatTrace, type PanicInfo, type VMCore } from "./vm/vm-core.js";
import type { Raft, RaftOptions } from "./raft.js";
import { armCancel, checkCancelOptions, type CancelOptions, type CancelReason } from "./vm/cancel.js";

export const REPL_FILE = "<repl>";

export type EvalResult =
  /** An expression's value: `text` is `42 : integer`. */
  | { kind: "value"; value: unknown; type: string; text: string }
  /** Ran (or defined something) with nothing to show. */
  | { kind: "ok" }
  /** Did not compile: rendered diagnostics. */
  | { kind: "error"; text: string; diagnostics: Diagnostic[] }
  /** The main process panicked (or was killed): the session goes on in a new main. */
  | { kind: "panic"; text: string; panic: PanicInfo }
  /** The VM stopped (vm.exit(n), the reduction budget): the session is over. */
  | { kind: "exit"; code: number }
  /**
   * The input's `signal` aborted or its `timeoutMs` passed: the main process running it ended
   * (with that reason, as its exit reason) and the session goes on in a new main.
   */
  | { kind: "cancelled"; reason: CancelReason; text: string };

interface Var {
  name: string;
  type: Type;
  mayError: boolean;
  value: unknown;
}

type RunEnd =
  | { kind: "done"; p: Process }
  | { kind: "ended"; panic: PanicInfo | null }
  | { kind: "stopped"; code: number }
  | { kind: "cancelled"; reason: CancelReason };

export class Session {
  /** Source text of the accepted top-level fns, by name. */
  private fns = new Map<string, string>();
  private vars = new Map<string, Var>();
  private program: Program | null = null;
  private pending: ((e: RunEnd) => void) | null = null;
  private stopped: number | null = null;
  /** Loader natives: one per (type, may-error) pair. */
  private loaders = new Map<string, NativeSpec>();
  private loaderFns = new Map<string, NativeFn>();
  /** Assembly mode: the kept stack (and what is known of its values' types) and the accumulated fn blocks. */
  stack: unknown[] = [];
  private stackTypes: (Type | null)[] = [];
  private asmFns: string[] = [];
  /** Told when main ends between inputs (killed by a link, say). */
  onBackground: (text: string) => void = () => {};

  private constructor(
    readonly raft: Raft,
    readonly vm: VMCore,
  ) {
    this.loaderFns.set("vm.__repl_stack", (_ctx, a) => this.stack[a[0] as number]);
  }

  static async create(raft: Raft, overrides: Partial<RaftOptions> = {}): Promise<Session> {
    const vm = await raft.createVM(overrides);
    const s = new Session(raft, vm);
    const none = new Int32Array(0);
    const empty = new Program({ file: REPL_FILE, consts: [], functions: [], entry: 0 }, none, none, none, none, none, [], [], [], none, none);
    s.program = empty;
    vm.makeResident(empty, {
      done: (p) => s.finish({ kind: "done", p }),
      ended: (_p, panic) => {
        if (s.pending) s.finish({ kind: "ended", panic });
        else if (panic) s.onBackground(formatTrace(panic, REPL_FILE));
      },
      stopped: (o) => {
        s.stopped = o.exitCode;
        s.finish({ kind: "stopped", code: o.exitCode });
      },
    });
    return s;
  }

  get isStopped(): boolean {
    return this.stopped !== null;
  }

  /** Ends the session: stops every process. */
  close(): void {
    if (this.stopped === null) this.vm.stop(0);
  }

  /** Names for tab completion: variables and functions. */
  names(): string[] {
    return [...this.vars.keys(), ...this.fns.keys()];
  }

  /** The static type of a kept variable. */
  varType(name: string): Type | undefined {
    return this.vars.get(name)?.type;
  }

  private finish(e: RunEnd): void {
    const f = this.pending;
    this.pending = null;
    f?.(e);
  }

  // ── Kaylee ──────────────────────────────────────────────────────────────────────────

  /**
   * Compiles and runs one input (statements, expressions, fn declarations). `opts.signal` and
   * `opts.timeoutMs` end the input's main process (processes it spawned live on, as always).
   */
  async eval(input: string, opts: CancelOptions = {}): Promise<EvalResult> {
    checkCancelOptions(opts);
    if (this.stopped !== null) return { kind: "exit", code: this.stopped };
    const c = this.compileInput(input, true);
    if ("error" in c) return c.error;
    for (const [name, text] of c.newFns) this.fns.set(name, text);
    if (!c.hasCode) return { kind: "ok" };
    const prog = this.linkAndExtend(c.module);
    const end = await this.runMain(prog, prog.module.entry, opts);
    if (end.kind === "stopped") return { kind: "exit", code: end.code };
    if (end.kind === "cancelled") return cancelledResult(end.reason);
    if (end.kind === "ended") {
      if (!end.panic) return { kind: "ok" };
      return { kind: "panic", panic: end.panic, text: this.formatPanic(end.panic, c.inputLine) };
    }
    const stack = end.p.stack;
    for (const s of c.lets) {
      const b = s.binding!;
      const value = stack[b.id];
      if (s.init === null && value === null && b.type.kind !== "null") continue;
      this.vars.set(b.name, { name: b.name, type: b.type, mayError: b.mayError, value });
    }
    if (c.result) {
      const v = stack[c.result.id];
      const t = c.result.type;
      const shown = t.kind === "string" || t.kind === "char" ? formatNested(v, t) : formatValue(v, t);
      return { kind: "value", value: v, type: typeKey(t), text: `${shown} : ${typeKey(t)}` };
    }
    return { kind: "ok" };
  }

  /** `:type EXPR`: the static type of an expression (nothing runs). */
  typeOf(expr: string): { type: string } | { error: string } {
    const src = /;\s*$/.test(expr) ? expr : expr + ";";
    const c = this.compileInput(src, true);
    if ("error" in c) return { error: c.error.text };
    if (!c.result) return { type: "null" };
    return { type: typeKey(c.result.type) };
  }

  /** `:asm STMT`: the bytecode of an input (nothing runs), as Raft assembly. */
  asm(input: string): { text: string } | { error: string } {
    const c = this.compileInput(input, false);
    if ("error" in c) return { error: c.error.text };
    const keep = new Set(["main", "<main>", ...c.newFns.map(([n]) => n)]);
    // The disassembly has one block per function, starting at its `fn` line.
    const text = disassemble(c.module);
    const blocks = text.split(/\n(?=fn )/);
    const out = blocks.filter((b) => {
      const m = /^fn (\S+)/.exec(b);
      return m !== null && keep.has(m[1]);
    });
    const relined = out.join("\n").replace(/\.line (\d+):(\d+)/g, (m, l, col) => (Number(l) >= c.inputLine ? `.line ${Number(l) - c.inputLine + 1}:${col}` : m));
    return { text: relined.replace(/\n*$/, "\n") };
  }

  private compileInput(
    input: string,
    showResult: boolean,
  ):
    | { error: Extract<EvalResult, { kind: "error" }> }
    | { module: Module; newFns: [string, string][]; lets: LetStmt[]; result: LocalBinding | null; hasCode: boolean; inputLine: number } {
    const parsed = parse(input, REPL_FILE);
    if (parsed.diagnostics.some((d) => d.severity === "error")) return { error: this.diagError(parsed.diagnostics, input) };
    const newFns: [string, string][] = [];
    const redeclared = new Set<string>();
    let hasCode = false;
    for (const item of parsed.program.items) {
      if (item.kind === "fn") newFns.push([item.name, input.slice(item.span.start, item.span.end)]);
      else {
        hasCode = true;
        if (item.kind === "let") redeclared.add(item.name);
      }
    }
    const newNames = new Set(newFns.map(([n]) => n));
    const used = new Set(input.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
    let prelude = "";
    for (const [name, text] of this.fns) if (!newNames.has(name)) prelude += text + "\n";
    const specs: NativeSpec[] = [...this.raft.nativeSpecs];
    for (const v of this.vars.values()) {
      if (!used.has(v.name) || redeclared.has(v.name)) continue;
      const spec = this.loader(v.type, v.mayError);
      if (!specs.includes(spec)) specs.push(spec);
      prelude += `let ${v.name}: ${typeKey(v.type)} = ${spec.name}(${JSON.stringify(v.name)});\n`;
    }
    const start = prelude.length;
    const source = prelude + input + "\n";
    const inputLine = prelude.split("\n").length;
    const fe = compileFrontEnd(source, REPL_FILE, { natives: specs, hostTypes: this.raft.definedTypes });
    if (!fe.program) return { error: this.diagError(fe.diagnostics, source, start, input) };
    const ast: Ast = fe.program;
    const body = ast.main.body;
    let result: LocalBinding | null = null;
    const last = body[body.length - 1];
    if (showResult && last && last.kind === "expr" && last.span.start >= start) {
      const e = (last as ExprStmt).expr;
      // A method that changes its receiver in place and returns nothing (`v.push(4);`): show
      // the variable's new value after it. (A transforming string method, `name.upper();`,
      // yields the new value itself; `v.pop();` the element it took.)
      const shown = e.kind === "method" && e.inPlace && e.ty.kind === "null" && e.receiver.kind === "ident" ? e.receiver : e;
      if (shown.ty.kind !== "null") {
        result = { id: ast.main.locals.length, name: "__it", type: shown.ty, mayError: shown.mayError, kind: "let", span: shown.span };
        ast.main.locals.push(result);
        const letStmt: LetStmt = { kind: "let", span: last.span, name: "__it", nameSpan: shown.span, annot: null, init: shown, binding: result };
        if (shown === e) body[body.length - 1] = letStmt;
        else body.push(letStmt);
      }
    }
    const lets = body.filter((s): s is LetStmt => s.kind === "let" && s.binding !== null && s.binding !== result);
    let module: Module;
    try {
      module = generate(ast, source);
    } catch (e) {
      const d = internalError(REPL_FILE, e);
      return { error: { kind: "error", text: renderDiagnostics([d], source, { color: false }), diagnostics: [d] } };
    }
    return { module, newFns, lets, result, hasCode, inputLine };
  }

  /** `vm.__repl_load_K(name)`: the kept value of a variable of one type (a copy). */
  private loader(t: Type, mayError: boolean): NativeSpec {
    const key = typeKey(t) + (mayError ? "!" : "");
    let spec = this.loaders.get(key);
    if (!spec) {
      const fn: NativeFn = (_ctx, a) => deepCopy(this.vars.get(a[0] as string)?.value ?? null);
      spec = { name: `vm.__repl_load_${this.loaders.size}`, params: [parseTypeKey("string")], ret: t, fallible: mayError, fn };
      this.loaders.set(key, spec);
      this.loaderFns.set(spec.name, fn);
    }
    return spec;
  }

  /** Diagnostics inside the input are shown against the input alone. */
  private diagError(diags: Diagnostic[], source: string, start = 0, input = source): Extract<EvalResult, { kind: "error" }> {
    // The diagnostics returned are those shown: spans, lines and columns in the text rendered.
    const inInput = diags.every((d) => d.labels.every((l) => l.span.start >= start));
    if (inInput && start > 0) {
      const shifted = shiftDiagnostics(diags, start);
      return { kind: "error", text: renderDiagnostics(shifted, input, { color: false }), diagnostics: withPositions(shifted, input) };
    }
    return { kind: "error", text: renderDiagnostics(diags, source, { color: false }), diagnostics: withPositions(diags, source) };
  }

  /** A panic's trace with main's lines counted from the start of the input. */
  private formatPanic(p: PanicInfo, inputLine: number): string {
    const shift = (q: PanicInfo): PanicInfo => {
      const trace = q.trace.map((f) => (f.line >= inputLine ? { ...f, line: f.line - inputLine + 1 } : f));
      return q.origin ? { ...q, trace, origin: shift(q.origin) } : { ...q, trace };
    };
    return formatTrace(shift(p), REPL_FILE);
  }

  // ── assembly ────────────────────────────────────────────────────────────────────────

  /** Checks and keeps a `fn` block for later lines. */
  defineAsm(block: string): { ok: true } | { error: string } {
    // Assembled after an empty main and the blocks before it, as the lines that call it are;
    // diagnostics are shown against the block.
    const pre = ["Halt", ...this.asmFns, ""].join("\n");
    const r = assemble(pre + block, REPL_FILE, this.raft.assembleOptions);
    if (!r.module) return { error: renderDiagnostics(shiftDiagnostics(r.diagnostics, pre.length), block, { color: false }) };
    this.asmFns.push(block);
    return { ok: true };
  }

  /** Runs one line of assembly against the kept stack; returns the stack display `[3]`. `opts` as for `eval`. */
  async evalAsm(line: string, opts: CancelOptions = {}): Promise<EvalResult> {
    checkCancelOptions(opts);
    if (this.stopped !== null) return { kind: "exit", code: this.stopped };
    let pre = "";
    for (let i = 0; i < this.stack.length; i++) pre += `PushInt ${i}\nCallNative #vm.__repl_stack 1\n`;
    const src = pre + line + "\n" + this.asmFns.join("\n");
    // A kept value is pushed back as `PushInt i; CallNative #vm.__repl_stack 1`: it keeps its
    // type, for the assembler (generic arithmetic on a kept float takes its float form) and the printer.
    const kept = this.stackTypes;
    const keptTypes: NativeResult = (name, args) => (name === "vm.__repl_stack" && args[0]?.int != null ? (kept[args[0].int] ?? null) : null);
    const r = assemble(src, REPL_FILE, { ...this.raft.assembleOptions, nativeResult: keptTypes });
    if (!r.module) {
      const shifted = shiftDiagnostics(r.diagnostics, pre.length);
      const shown = line + "\n" + this.asmFns.join("\n");
      return { kind: "error", text: renderDiagnostics(shifted, shown, { color: false }), diagnostics: withPositions(shifted, shown) };
    }
    let prog: Program;
    try {
      prog = this.linkAndExtend(r.module);
    } catch (e) {
      if (e instanceof ModuleError) {
        const d = moduleDiagnostic(REPL_FILE, e);
        return { kind: "error", text: renderDiagnostics([d], "", { color: false }), diagnostics: [d] };
      }
      throw e;
    }
    const fn = prog.module.entry;
    const end = await this.runMain(prog, fn, opts);
    if (end.kind === "stopped") return { kind: "exit", code: end.code };
    if (end.kind === "cancelled") return cancelledResult(end.reason);
    if (end.kind === "ended") {
      if (!end.panic) return { kind: "ok" };
      return { kind: "panic", panic: end.panic, text: formatTrace(end.panic, REPL_FILE) };
    }
    this.stack = end.p.stack.slice(prog.fnLocals[fn], end.p.sp);
    this.stackTypes = this.raft.leftoverTypes(r.module, this.stack.length, keptTypes);
    return { kind: "value", value: this.stack, type: "stack", text: formatStack(this.stack, this.stackTypes) };
  }

  // ── running ─────────────────────────────────────────────────────────────────────────

  private runMain(prog: Program, fn: number, opts: CancelOptions): Promise<RunEnd> {
    if (this.stopped !== null) return Promise.resolve({ kind: "stopped", code: this.stopped });
    return new Promise((resolve) => {
      let cancelled: CancelReason | null = null;
      let disarm = (): void => {};
      this.pending = (e) => {
        disarm();
        resolve(cancelled !== null && e.kind === "ended" ? { kind: "cancelled", reason: cancelled } : e);
      };
      const main = this.vm.startResident(prog, fn);
      disarm = armCancel(opts, (reason) => {
        cancelled = reason;
        this.vm.exit(main, reason);
      });
    });
  }

  private linkAndExtend(m: Module): Program {
    const table: NativeTable = {
      lookup: (name) => this.loaderFns.get(name) ?? this.raft.natives.lookup(name),
    };
    const np = link(m, table, this.raft.linkExtensions);
    this.program = this.program ? extendProgram(this.program, np) : np;
    return this.program;
  }
}

/** Diagnostics against text that followed `by` characters of generated code: against that text alone. */
function shiftDiagnostics(diags: Diagnostic[], by: number): Diagnostic[] {
  return diags.map((d) => ({ ...d, labels: d.labels.map((l) => ({ ...l, span: { start: Math.max(0, l.span.start - by), end: Math.max(0, l.span.end - by) } })) }));
}

function cancelledResult(reason: CancelReason): EvalResult {
  return { kind: "cancelled", reason, text: reason === "timeout" ? "cancelled: the input ran out of time\n" : "cancelled: the input was aborted\n" };
}

/** `[1, 2.5, "a", <0.1>]`: a stack, bottom first, each value by its type where known. */
export function formatStack(values: unknown[], types: readonly (Type | null)[] = []): string {
  return `[${values.map((v, i) => (types[i] ? formatNested(v, types[i]!) : formatAny(v, true))).join(", ")}]`;
}

/**
 * `base` followed by `next` (linked on its own): every code index, constant, native and
 * function of `next` is moved past those of `base`, so `base`'s code keeps running unchanged.
 * The result's entry is `next`'s entry.
 */
export function extendProgram(base: Program, next: Program): Program {
  const codeOff = base.code.length;
  const constOff = base.consts.length;
  const nativeOff = base.natives.length;
  const fnOff = base.module.functions.length;
  const code = new Int32Array(codeOff + next.code.length);
  code.set(base.code);
  const c = next.code;
  for (let i = 0; i < c.length; ) {
    const info = OPCODES[c[i]];
    code[codeOff + i] = c[i];
    info.operands.forEach((kind, k) => {
      let v = c[i + 1 + k];
      if (kind === "label") v += codeOff;
      else if (kind === "place") {
        const moved = shiftPlaceConsts(placeShapes(info.name, c[i + 1])[k - 1], v, constOff);
        if (moved === null) throw new ModuleError("too many constants in this session for a region's bounds (start a new session)");
        v = moved;
      } else if (kind === "const" || kind === "type" || kind === "typeset") v += constOff;
      else if (kind === "native") v += nativeOff;
      else if (kind === "fn") v += fnOff;
      else if (kind === "ext") v += base.extSites.length;
      code[codeOff + i + 1 + k] = v;
    });
    i += 1 + info.operands.length;
  }
  const cat = (a: Int32Array, b: Int32Array, add = 0): Int32Array => {
    const r = new Int32Array(a.length + b.length);
    r.set(a);
    for (let i = 0; i < b.length; i++) r[a.length + i] = b[i] + add;
    return r;
  };
  const consts = [...base.consts, ...next.consts.map((v, i) => (next.module.consts[i].tag === "native" ? (v as number) + nativeOff : v))];
  const module: Module = {
    file: next.module.file,
    consts: [...base.module.consts, ...next.module.consts],
    functions: [...base.module.functions, ...next.module.functions],
    entry: fnOff + next.module.entry,
  };
  // Extension opcodes: next's table entries follow base's, and its sites' constants move too.
  const extOff = base.module.exts?.length ?? 0;
  const exts = [...(base.module.exts ?? []), ...(next.module.exts ?? [])];
  if (exts.length !== 0) module.exts = exts;
  const sites = next.extSites.map((s) => ({ op: s.op, encoded: s.encoded.map((v, i) => (i === 0 ? v + extOff : s.op.operands[i - 1] === "const" ? v + constOff : v)) }));
  const out = new Program(
    module,
    code,
    cat(base.fnEntry, next.fnEntry, codeOff),
    cat(base.fnParams, next.fnParams),
    cat(base.fnLocals, next.fnLocals),
    cat(base.fnMaxStack, next.fnMaxStack),
    consts,
    [...base.natives, ...next.natives],
    [...base.nativeNames, ...next.nativeNames],
    cat(base.pcOffset, next.pcOffset),
    cat(base.pcFn, next.pcFn, fnOff),
    cat(base.pcDepth, next.pcDepth),
  );
  out.extSites = [...base.extSites, ...sites];
  out.home = Uint8Array.from([...base.home, ...next.home]);
  return out;
}
