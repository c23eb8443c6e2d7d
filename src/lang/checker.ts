// The Kaylee type checker and the front end's entry point (`compileFrontEnd`).
//
// It resolves names (locals get a `LocalBinding`, unique id per function; main is a function
// named `main`), gives every expression its static type, resolves every call (user function,
// vm builtin, embedder native, method), checks operators, definite assignment of `let x: T;`,
// that non-null functions return on every path, `break`/`continue` placement, literal ranges,
// the `is error` rules and the arms of `receive { }` (one arm per type, names that shadow
// nothing); then errorflow.ts decides which values may be errors.
// Call typing (vm.*, methods, into, receive, spawn) lives in calls.ts.
//
// One mistake, one diagnostic: an expression whose error was reported gets the UNKNOWN type,
// which every later check accepts silently.

import { MAX_TYPE_DEPTH, T, hostNames, typeDepth, type Type } from "../bytecode/types.js";
import { K, type Titled } from "../diag/codes.js";
import { diagnostic, hasErrors, withLabel, type Diagnostic, type Span } from "../diag/diagnostic.js";
import type { NativeSpec } from "../vm/native-api.js";
import type {
  Block,
  Expr,
  FnDecl,
  ForStmt,
  IdentExpr,
  LocalBinding,
  Program,
  ReceiveStmt,
  Stmt,
  TypeNode,
} from "./ast.js";
import { ifChain } from "./ast.js";
import { checkCall, checkMethod, checkVmCall, notReceivable } from "./calls.js";
import { STRING_IN_PLACE } from "./builtins.js";
import { analyzeErrors } from "./errorflow.js";
import { parse } from "./parser.js";
import { alwaysReturns } from "./returns.js";
import { assignable, BITWISE, closest, describe, hasUnknown, NUMERIC, ORDERED, resolveType, show, UNKNOWN } from "./typeutil.js";

export interface FrontEndOptions {
  /** Embedder natives; each named `vm.NAME` becomes callable as `vm.NAME(...)`. */
  natives?: readonly NativeSpec[];
  /** Embedder host types by name (vm.defineType), with what sending one does. */
  hostTypes?: ReadonlyMap<string, { send: "copy" | "share" | "deny" }>;
}

export interface FrontEndResult {
  /** Null when any error was reported. */
  program: Program | null;
  diagnostics: Diagnostic[];
}

/** Lex, parse and check a Kaylee file. Never throws on any input. */
export function compileFrontEnd(source: string, file: string, opts: FrontEndOptions = {}): FrontEndResult {
  const parsed = parse(source, file);
  if (hasErrors(parsed.diagnostics) && !parsed.complete) return { program: null, diagnostics: inSourceOrder(parsed.diagnostics) };
  const diagnostics = inSourceOrder([...parsed.diagnostics, ...checkProgram(parsed.program, source, opts)]);
  return { program: hasErrors(diagnostics) ? null : parsed.program, diagnostics };
}

/** Diagnostics sorted by where they point (stable). All are kept: the renderer shows the first ones and counts the rest. */
function inSourceOrder(ds: Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic) => (d.labels.find((l) => l.primary) ?? d.labels[0])?.span.start ?? 0;
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => at(a.d) - at(b.d) || a.i - b.i)
    .map((x) => x.d);
}

/** `check(source, file, {natives})`: the same as compileFrontEnd. */
export const check = compileFrontEnd;

/** Checks a parsed program in place (filling the checker fields); returns the diagnostics. */
export function checkProgram(program: Program, source: string, opts: FrontEndOptions = {}): Diagnostic[] {
  const c = new Checker(program, source, opts);
  c.run();
  if (!hasErrors(c.diagnostics)) analyzeErrors(program);
  return c.diagnostics;
}

interface LoopFrame {
  breakStates: (Set<number> | null)[];
}

interface FnCtx {
  name: string;
  decl: FnDecl | null;
  locals: LocalBinding[];
  ret: Type;
  loops: LoopFrame[];
  /** Ids of bindings declared without a value (`let x: T;`). */
  deferred: Set<number>;
}

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly file: string;
  readonly functions = new Map<string, FnDecl>();
  readonly natives = new Map<string, NativeSpec>();
  readonly hostTypes: ReadonlyMap<string, { send: "copy" | "share" | "deny" }>;
  private readonly mainNames = new Set<string>();
  private ctx!: FnCtx;
  private scopes: Map<string, LocalBinding>[] = [];
  /** Bindings known to hold an error here (inside `if (x is error) { }`). */
  readonly narrowed = new Set<LocalBinding>();
  /** Definitely assigned deferred bindings; null = unreachable (everything counts as assigned). */
  private da: Set<number> | null = new Set();
  private readonly reportedUnassigned = new Set<LocalBinding>();
  private readonly forOfItem = new Map<LocalBinding, ForStmt>();
  /** Handlers (`{default: ...}` and the others) around the expression being checked. */
  private handled = 0;

  constructor(
    readonly program: Program,
    readonly source: string,
    opts: FrontEndOptions,
  ) {
    this.file = program.file;
    this.hostTypes = opts.hostTypes ?? new Map();
    for (const n of opts.natives ?? []) {
      if (n.name.startsWith("vm.")) this.natives.set(n.name.slice(3), n);
    }
  }

  // ------------------------------------------------------------------ reporting

  err(span: Span, title: Titled, message: string, hint?: string): Diagnostic {
    const d = diagnostic(this.file, title, span, message, hint);
    this.diagnostics.push(d);
    return d;
  }

  /** Reports `expected` vs `actual` at `e` unless assignable; returns whether it was. */
  expectType(e: Expr, expected: Type, actual: Type = e.ty): boolean {
    if (assignable(expected, actual)) return true;
    this.err(e.span, K.typeMismatch({ T: show(expected), U: show(actual) }), `this is ${describe(actual)}`, this.conversionHint(e, expected, actual));
    return false;
  }

  private conversionHint(e: Expr, expected: Type, actual: Type): string | undefined {
    const src = this.source.slice(e.span.start, e.span.end);
    const shown = src.length <= 30 && !src.includes("\n") ? src : "x";
    const wrapped = e.kind === "ident" || e.kind === "string" || e.kind === "char" || e.kind === "bool" || (e.kind === "int" && e.value >= 0) || e.kind === "call" || e.kind === "method" || e.kind === "vmcall" || e.kind === "index" ? shown : `(${shown})`;
    if (actual.kind === "string" && (expected.kind === "integer" || expected.kind === "float")) return `to parse a string, use .into(): ${wrapped}.into()`;
    if (e.kind === "int" && expected.kind === "float") return `write a float literal: ${e.value}.0`;
    if (expected.kind === "string" && ["integer", "float", "char", "byte", "bool", "ref", "from"].includes(actual.kind)) return `to make a string, use .into(): ${wrapped}.into()`;
    if (NUMERIC.has(expected.kind) && (NUMERIC.has(actual.kind) || actual.kind === "char")) return `Kaylee never converts implicitly; use .into(): ${wrapped}.into()`;
    if (expected.kind === "array" && actual.kind === "vector") return `a list literal is an array only when its length matches: ${show(expected)}`;
    return undefined;
  }

  // ------------------------------------------------------------------ scopes

  private pushScope(): void {
    this.scopes.push(new Map());
  }
  private popScope(): void {
    this.scopes.pop();
  }
  declare(name: string, type: Type, kind: LocalBinding["kind"], span: Span): LocalBinding {
    const b: LocalBinding = { id: this.ctx.locals.length, name, type, mayError: false, kind, span };
    this.ctx.locals.push(b);
    if (kind !== "hidden") this.scopes[this.scopes.length - 1]!.set(name, b);
    return b;
  }
  lookup(name: string): LocalBinding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i]!.get(name);
      if (b) return b;
    }
    return undefined;
  }
  /** Work left for "did you mean" searches in this file (see `closest`). */
  readonly suggestBudget = { left: 20_000_000 };

  /** The visible name nearest to `name`, while the budget for suggestions lasts. */
  private nearestVisible(name: string): string | undefined {
    let count = this.functions.size;
    for (const sc of this.scopes) count += sc.size;
    this.suggestBudget.left -= count;
    return this.suggestBudget.left < 0 ? undefined : closest(name, this.visibleNames(), this.suggestBudget);
  }

  private visibleNames(): Set<string> {
    const s = new Set<string>();
    for (const sc of this.scopes) for (const k of sc.keys()) s.add(k);
    for (const k of this.functions.keys()) s.add(k);
    return s;
  }

  // ------------------------------------------------------------------ driver

  run(): void {
    const p = this.program;
    // Signatures first: functions are usable before their declaration.
    for (const f of p.functions) {
      const prev = this.functions.get(f.name);
      if (prev) {
        withLabel(this.err(f.nameSpan, K.duplicateFunction({ NAME: f.name }), "redefined here", "rename one of them"), prev.nameSpan, "first defined here");
        continue;
      }
      this.functions.set(f.name, f);
      f.paramTypes = f.params.map((pr) => this.type(pr.annot));
      f.ret = f.retAnnot ? this.type(f.retAnnot) : T.null;
    }
    this.collectMainNames(p.main.body);

    this.ctx = { name: "main", decl: null, locals: p.main.locals, ret: T.null, loops: [], deferred: new Set() };
    this.scopes = [new Map()];
    this.da = new Set();
    this.stmts(p.main.body);

    for (const f of p.functions) {
      if (this.functions.get(f.name) !== f) continue;
      this.ctx = { name: f.name, decl: f, locals: f.locals, ret: f.ret, loops: [], deferred: new Set() };
      this.scopes = [new Map()];
      this.da = new Set();
      const seen = new Map<string, Span>();
      f.params.forEach((pr, i) => {
        const first = seen.get(pr.name);
        if (first) withLabel(this.err(pr.span, K.duplicateParameter({ NAME: pr.name }), "declared again here"), first, "first declared here");
        seen.set(pr.name, pr.span);
        pr.binding = this.declare(pr.name, f.paramTypes[i]!, "param", pr.span);
      });
      this.pushScope();
      this.stmts(f.body.stmts);
      this.popScope();
      if (f.ret.kind !== "null" && !hasUnknown(f.ret) && !alwaysReturns(f.body.stmts)) {
        const sigEnd = f.retAnnot ? f.retAnnot.span.end : f.nameSpan.end;
        const d = this.err(
          { start: f.fnSpan.start, end: sigEnd },
          K.missingReturn({ NAME: f.name, T: describe(f.ret) }),
          `this function returns ${show(f.ret)}`,
          "add a `return` at the end of the function, or on every path through it",
        );
        withLabel(d, { start: f.body.span.end - 1, end: f.body.span.end }, "the end can be reached without a return");
      }
    }
  }

  private collectMainNames(stmts: readonly Stmt[]): void {
    for (const s of stmts) {
      if (s.kind === "let") this.mainNames.add(s.name);
      else if (s.kind === "if") {
        const { arms, last } = ifChain(s);
        for (const a of arms) this.collectMainNames(a.then.stmts);
        if (last) this.collectMainNames(last.stmts);
      } else if (s.kind === "loop" || s.kind === "for" || s.kind === "block") {
        this.collectMainNames(s.kind === "block" ? s.body.stmts : s.body.stmts);
        if (s.kind === "for") this.mainNames.add(s.item);
      } else if (s.kind === "receive") {
        for (const a of s.arms) {
          this.mainNames.add(a.name);
          this.collectMainNames(a.body.stmts);
        }
        if (s.after) this.collectMainNames(s.after.body.stmts);
      }
    }
  }

  type(node: TypeNode): Type {
    return this.shallow(resolveType(node, (p) => this.err(p.span, p.title, p.message, p.hint), this.hostTypes), node.span);
  }

  /** A host type held in `t` whose values may not be sent (`send: "deny"`), if any. */
  deniedHost(t: Type): string | undefined {
    return hostNames(t).find((n) => this.hostTypes.get(n)?.send === "deny");
  }

  /**
   * A type the compiled module can name: the format nests type descriptors at most
   * MAX_TYPE_DEPTH deep, and the code generator may wrap a type once more (the argument types
   * of a typed call), so a program's types stay one level below it.
   */
  private shallow(t: Type, span: Span): Type {
    if (typeDepth(t) < MAX_TYPE_DEPTH) return t;
    this.err(span, K.typeTooDeep(), `more than ${MAX_TYPE_DEPTH - 1} levels of vector, array, slice or tuple`, "name the inner values with fewer levels, or split the data");
    return UNKNOWN;
  }

  // ------------------------------------------------------------------ statements

  private stmts(ss: readonly Stmt[]): void {
    for (const s of ss) this.stmt(s);
  }

  private block(b: Block): void {
    this.pushScope();
    this.stmts(b.stmts);
    this.popScope();
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case "let":
        return this.letStmt(s);
      case "assign": {
        const targetTy = this.place(s.target, s.op !== "=");
        if (s.op === "=") {
          this.expr(s.value, targetTy);
          this.expectType(s.value, targetTy);
          if (s.target.kind === "ident" && s.target.binding) this.da?.add(s.target.binding.id);
        } else {
          this.expr(s.value, targetTy);
          const opName = s.op.slice(0, -1);
          const ok =
            opName === "+"
              ? NUMERIC.has(targetTy.kind) || targetTy.kind === "string"
              : ["|", "&", "^", "<<", ">>"].includes(opName)
                ? BITWISE.has(targetTy.kind)
                : NUMERIC.has(targetTy.kind);
          if (!hasUnknown(targetTy) && !ok) this.err(s.target.span, K.operatorType({ OP: s.op, T: show(targetTy) }), `this is ${describe(targetTy)}`);
          else this.expectType(s.value, targetTy);
        }
        return;
      }
      case "incdec": {
        const t = this.place(s.target, true);
        if (!hasUnknown(t) && !NUMERIC.has(t.kind)) this.err(s.target.span, K.operatorType({ OP: s.op, T: show(t) }), `this is ${describe(t)}`, "`++` and `--` work on integer, float and byte");
        return;
      }
      case "expr": {
        this.expr(s.expr, null);
        const e = s.expr;
        if (e.kind === "method" && e.key.startsWith("string.") && STRING_IN_PLACE.has(e.name) && this.isPlace(e.receiver)) {
          e.inPlace = true;
          this.markWrite(e.receiver);
        }
        return;
      }
      case "if":
        return this.ifStmt(s);
      case "loop": {
        const frame: LoopFrame = { breakStates: [] };
        this.ctx.loops.push(frame);
        this.da = this.da && new Set(this.da);
        this.block(s.body);
        this.ctx.loops.pop();
        this.da = intersectAll(frame.breakStates);
        return;
      }
      case "for":
        return this.forStmt(s);
      case "break":
      case "continue": {
        const frame = this.ctx.loops[this.ctx.loops.length - 1];
        if (!frame) {
          this.err(s.span, K.outsideLoop({ KW: s.kind }), `there is no loop to ${s.kind === "break" ? "leave" : "continue"}`, "`break` and `continue` work inside `loop { }` and `for x in xs { }`");
          return;
        }
        if (s.kind === "break") frame.breakStates.push(this.da && new Set(this.da));
        this.da = null;
        return;
      }
      case "return":
        return this.returnStmt(s);
      case "block":
        return this.block(s.body);
      case "receive":
        return this.receiveStmt(s);
    }
  }

  /**
   * receive { }: each arm is a branch with its own scope holding the arm's variable; the
   * statement goes on from the end of any arm (or of `after`). Arms must differ in type (the
   * second of a pair could never run), and an arm's name may not shadow a variable in scope.
   */
  private receiveStmt(s: ReceiveStmt): void {
    if (s.after) {
      this.expr(s.after.ms, T.integer);
      this.expectType(s.after.ms, T.integer);
    }
    const before = this.da && new Set(this.da);
    const ends: (Set<number> | null)[] = [];
    const byType = new Map<string, Span>();
    for (const a of s.arms) {
      a.type = this.type(a.annot);
      if (!hasUnknown(a.type)) {
        const key = show(a.type);
        const first = byType.get(key);
        if (notReceivable(a.type)) this.err(a.annot.span, K.cannotReceive({ T: describe(a.type) }), "not a message type", "messages are values of any type but error");
        else if (first) withLabel(this.err(a.nameSpan, K.duplicateArmType({ T: key }), "this arm could never run", "merge the two arms into one"), first, "the first arm of this type");
        else byType.set(key, a.nameSpan);
      }
      const outer = this.lookup(a.name);
      if (outer) {
        withLabel(
          this.err(a.nameSpan, K.armShadows({ NAME: a.name }), "this name is already a variable here", "give the arm a new name: it is a new variable holding the message"),
          outer.span,
          "the variable it would hide",
        );
      }
      this.da = before && new Set(before);
      this.pushScope();
      a.binding = this.declare(a.name, a.type, "let", a.nameSpan);
      this.stmts(a.body.stmts);
      this.popScope();
      ends.push(this.da);
    }
    if (s.after) {
      this.da = before && new Set(before);
      this.block(s.after.body);
      ends.push(this.da);
    }
    this.da = intersectAll(ends);
  }

  private letStmt(s: Extract<Stmt, { kind: "let" }>): void {
    const annot = s.annot ? this.type(s.annot) : null;
    let ty: Type;
    if (s.init) {
      this.expr(s.init, annot);
      if (annot) {
        this.expectType(s.init, annot);
        ty = annot;
      } else ty = s.init.ty;
    } else if (annot) ty = annot;
    else {
      this.err(s.nameSpan, K.letNeedsType({ NAME: s.name }), "no type and no value", `write let ${s.name}: integer; or give it a value`);
      ty = UNKNOWN;
    }
    const scope = this.scopes[this.scopes.length - 1]!;
    const prev = scope.get(s.name);
    if (prev && prev.kind !== "param") {
      withLabel(
        this.err(s.nameSpan, K.redeclared({ NAME: s.name }), "declared again here", `assign to it with ${s.name} = ...; or declare it in an inner block`),
        prev.span,
        "first declared here",
      );
    }
    s.binding = this.declare(s.name, ty, "let", s.nameSpan);
    if (!s.init) this.ctx.deferred.add(s.binding.id);
  }

  /** An if and its else-if arms (a loop over the chain: ifChain). */
  private ifStmt(s: Extract<Stmt, { kind: "if" }>): void {
    const { arms, last } = ifChain(s);
    const ends: (Set<number> | null)[] = [];
    for (const a of arms) {
      this.condition(a.cond);
      const before = this.da && new Set(this.da);
      // `if (x is error) { ... }`: x.message() and x.code() are allowed inside.
      let narrowedHere: LocalBinding | null = null;
      if (a.cond.kind === "is" && a.cond.operand.kind === "ident" && a.cond.operand.binding && !this.narrowed.has(a.cond.operand.binding)) {
        narrowedHere = a.cond.operand.binding;
        this.narrowed.add(narrowedHere);
      }
      this.block(a.then);
      if (narrowedHere) this.narrowed.delete(narrowedHere);
      ends.push(this.da);
      this.da = before && new Set(before);
    }
    if (last) this.block(last);
    ends.push(this.da);
    this.da = intersectAll(ends);
  }

  private condition(e: Expr): void {
    this.expr(e, T.bool);
    if (!hasUnknown(e.ty) && e.ty.kind !== "bool") {
      this.err(e.span, K.conditionNotBool({ T: show(e.ty) }), `this is ${describe(e.ty)}`, NUMERIC.has(e.ty.kind) ? "compare it: x != 0" : undefined);
    }
  }

  private forStmt(s: ForStmt): void {
    const it = this.expr(s.iterable, null);
    let item: Type = UNKNOWN;
    if (it.kind === "vector" || it.kind === "array" || it.kind === "slice") {
      item = it.elem;
      s.iterKind = it.kind;
    } else if (it.kind === "string") {
      item = T.char;
      s.iterKind = "string";
    } else if (!hasUnknown(it)) {
      this.err(s.iterable.span, K.cannotLoopOver({ T: describe(it) }), `this is ${describe(it)}`, "`for` walks a vector, an array, a string or a byte slice");
    }
    const before = this.da && new Set(this.da);
    this.pushScope();
    s.collectionBinding = this.declare("$for.collection", it, "hidden", s.iterable.span);
    s.indexBinding = this.declare("$for.index", T.integer, "hidden", s.itemSpan);
    s.itemBinding = this.declare(s.item, item, "item", s.itemSpan);
    this.forOfItem.set(s.itemBinding, s);
    this.ctx.loops.push({ breakStates: [] });
    this.stmts(s.body.stmts);
    this.ctx.loops.pop();
    this.popScope();
    // Writing back only means something when the collection is itself a place — or a slice,
    // a view of linear memory: its bytes are written wherever the slice came from.
    s.writesBack = s.writesBack && (this.isPlace(s.iterable) || it.kind === "slice");
    // A loop that writes back into its collection writes into that place: when the
    // collection is itself an outer loop's item (nested loops), the outer loop writes back too.
    if (s.writesBack) this.markWrite(s.iterable);
    this.da = before;
  }

  private returnStmt(s: Extract<Stmt, { kind: "return" }>): void {
    const ret = this.ctx.ret;
    if (s.value) {
      this.expr(s.value, ret);
      if (!this.ctx.decl) {
        this.err(s.value.span, K.mainReturnsValue(), "remove this value", "use vm.exit(code) to end with an exit code");
      } else if (ret.kind === "null" && s.value.ty.kind !== "null" && !hasUnknown(s.value.ty)) {
        const d = this.err(s.value.span, K.returnsNothing({ NAME: this.ctx.name }), `this is ${describe(s.value.ty)}`, `declare a return type: fn ${this.ctx.name}(...) -> ${show(s.value.ty)}`);
        withLabel(d, this.ctx.decl.nameSpan, "declared without a return type");
      } else this.expectType(s.value, ret);
    } else if (ret.kind !== "null" && !hasUnknown(ret)) {
      this.err(s.span, K.missingReturnValue({ NAME: this.ctx.name, T: show(ret) }), `expected ${describe(ret)} here`);
    }
    this.da = null;
  }

  // ------------------------------------------------------------------ places

  /** Is `e` an assignable place rooted at a local (`x`, `x[i]`, `x.0`, chains)? */
  isPlace(e: Expr): boolean {
    if (e.kind === "ident") return e.binding !== null;
    if (e.kind === "index") return this.isPlace(e.object) && e.object.ty.kind !== "string";
    if (e.kind === "field") return this.isPlace(e.object);
    return false;
  }

  /** Notes a write into a place: writes into a for-loop item make the loop write back. */
  markWrite(e: Expr): void {
    let root = e;
    while (root.kind === "index" || root.kind === "field") root = root.object;
    if (root.kind === "ident" && root.binding) {
      const f = this.forOfItem.get(root.binding);
      if (f) f.writesBack = true;
    }
  }

  /** Checks an assignment target and returns its type. `reads`: the old value is read too. */
  private place(e: Expr, reads: boolean): Type {
    if (e.kind === "ident") {
      const b = this.lookup(e.name);
      if (!b) {
        this.identExpr(e, false);
        return UNKNOWN;
      }
      e.binding = b;
      e.ty = b.type;
      if (reads) this.checkAssigned(e, b);
      if (b.kind === "item") this.markWrite(e);
      return b.type;
    }
    if (e.kind === "index" || e.kind === "field") {
      const t = this.expr(e, null);
      if (hasUnknown(t)) return t;
      if (e.kind === "index" && e.object.ty.kind === "string") {
        this.err(e.span, K.assignToStringChar(), "strings are changed as a whole", "build a new string, e.g. with push()");
        return UNKNOWN;
      }
      if (!this.isPlace(e)) {
        this.err(e.span, K.notAssignable({ WHAT: "this" }), "not a variable, element or field of a variable");
        return UNKNOWN;
      }
      this.markWrite(e);
      return t;
    }
    this.expr(e, null);
    if (!hasUnknown(e.ty)) this.err(e.span, K.notAssignable({ WHAT: "this expression" }), "not a variable", "assign to a variable, v[i] or t.0");
    return UNKNOWN;
  }

  private checkAssigned(e: IdentExpr, b: LocalBinding): void {
    if (this.ctx.deferred.has(b.id) && this.da !== null && !this.da.has(b.id) && !this.reportedUnassigned.has(b)) {
      this.reportedUnassigned.add(b);
      withLabel(
        this.err(e.span, K.useBeforeAssign({ NAME: b.name }), "used here before it has a value", `give it a value first: ${b.name} = ...;`),
        b.span,
        "declared without a value here",
      );
    }
  }

  // ------------------------------------------------------------------ expressions

  /** Types `e` (with the expected type where the context has one) and returns e.ty. */
  expr(e: Expr, expected: Type | null): Type {
    e.ty = this.exprInner(e, expected);
    // Literals are the only expressions that build a type deeper than their parts.
    if ((e.kind === "list" || e.kind === "tuple") && !hasUnknown(e.ty)) e.ty = this.shallow(e.ty, e.span);
    return e.ty;
  }

  private exprInner(e: Expr, expected: Type | null): Type {
    switch (e.kind) {
      case "int":
        return this.intLiteral(e.value, e.span, expected);
      case "float":
        // Out of range only when it rounds to infinity: 3.4028235e38, the f32 maximum as
        // floats print, is above the maximum's exact value but rounds to it.
        if (!Number.isFinite(Math.fround(e.value))) {
          this.err(e.span, K.floatRange(), "does not fit in a float (f32)");
        }
        return T.float;
      case "char":
        return T.char;
      case "string":
        return T.string;
      case "bool":
        return T.bool;
      case "null":
        return T.null;
      case "ident":
        return this.identExpr(e, false);
      case "unary":
        return this.unary(e, expected);
      case "binary":
        return this.binary(e, expected);
      case "is": {
        this.expr(e.operand, null);
        if (!(e.typeNode.kind === "named" && e.typeNode.name === "error")) {
          this.err(e.typeNode.span, K.isOnlyError(), "not `error`", "write x is error");
        }
        return T.bool;
      }
      case "call":
        return checkCall(this, e);
      case "vmcall":
        return checkVmCall(this, e, expected);
      case "method":
        return checkMethod(this, e, expected);
      case "index":
        return this.index(e);
      case "field": {
        const t = this.expr(e.object, null);
        if (hasUnknown(t)) return UNKNOWN;
        if (t.kind !== "tuple") {
          this.err(e.span, K.noFields({ T: describe(t) }), `this is ${describe(t)}`, "only tuples have fields: t.0, t.1, ...");
          return UNKNOWN;
        }
        const el = t.elems[e.index];
        if (!el) {
          this.err(e.span, K.noSuchField({ N: e.index, T: show(t) }), `the tuple has ${t.elems.length} fields`, `fields are numbered 0 to ${t.elems.length - 1}`);
          return UNKNOWN;
        }
        return el;
      }
      case "list":
        return this.list(e, expected);
      case "tuple": {
        const exp = expected && expected.kind === "tuple" && expected.elems.length === e.elements.length ? expected.elems : null;
        const tys = e.elements.map((el, i) => {
          const t = this.expr(el, exp ? exp[i]! : null);
          if (exp) this.expectType(el, exp[i]!);
          return exp && !hasUnknown(t) ? exp[i]! : t;
        });
        return T.tuple(tys);
      }
      case "handle": {
        const h = e.handler;
        if (!expected && h.kind === "default" && targetTyped(e.expr)) {
          // `vm.receive(-5){default: 0}` where nothing else says the type: the default does.
          const d = this.expr(h.value, null);
          this.handled++;
          let t: Type;
          try {
            t = this.expr(e.expr, hasUnknown(d) ? null : d);
          } finally {
            this.handled--;
          }
          this.expectType(h.value, t);
          return t;
        }
        this.handled++;
        let t: Type;
        try {
          t = this.expr(e.expr, expected);
        } finally {
          this.handled--;
        }
        if (h.kind === "default") {
          this.expr(h.value, t);
          this.expectType(h.value, t);
        } else if (h.message) {
          this.expr(h.message, T.string);
          this.expectType(h.message, T.string);
        }
        return t;
      }
    }
  }

  intLiteral(value: number, span: Span, expected: Type | null): Type {
    if (expected && expected.kind === "byte") {
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        this.err(span, K.byteRange(), "a byte is 0 to 255");
        return UNKNOWN;
      }
      return T.byte;
    }
    if (value > 2147483647 || value < -2147483648) {
      this.err(span, K.integerRange(), "does not fit in an integer (i32)", "integers are -2147483648 to 2147483647; use a float for larger numbers");
      return UNKNOWN;
    }
    return T.integer;
  }

  /** A name used as a value. `allowFn`: a top-level function name is allowed (vm.spawn's f). */
  identExpr(e: IdentExpr, allowFn: boolean): Type {
    const b = this.lookup(e.name);
    if (b) {
      e.binding = b;
      this.checkAssigned(e, b);
      return (e.ty = b.type);
    }
    const f = this.functions.get(e.name);
    if (f) {
      if (allowFn) {
        e.fn = f;
        return (e.ty = T.fn(f.paramTypes, f.ret));
      }
      this.err(e.span, K.functionAsValue({ NAME: e.name }), "a function name", `call it: ${e.name}(...)`);
      return (e.ty = UNKNOWN);
    }
    if (this.ctx.decl && this.mainNames.has(e.name)) {
      this.err(
        e.span,
        K.mainNameInFunction({ NAME: e.name, FN: this.ctx.name }),
        "not a parameter or variable of this function",
        `\`${e.name}\` belongs to the main program, which functions cannot see; pass it in as a parameter: fn ${this.ctx.name}(..., ${e.name}: T)`,
      );
      return (e.ty = UNKNOWN);
    }
    const near = this.nearestVisible(e.name);
    this.err(e.span, K.unknownName({ NAME: e.name }), "not found", near ? `did you mean \`${near}\`?` : `declare it first: let ${e.name}: T = ...;`);
    return (e.ty = UNKNOWN);
  }

  private unary(e: Extract<Expr, { kind: "unary" }>, expected: Type | null): Type {
    if (e.op === "!") {
      const t = this.expr(e.operand, T.bool);
      if (hasUnknown(t)) return T.bool;
      if (t.kind !== "bool") this.err(e.operand.span, K.notNeedsBool({ T: show(t) }), `this is ${describe(t)}`);
      return T.bool;
    }
    const t = this.expr(e.operand, expected && NUMERIC.has(expected.kind) ? expected : null);
    if (hasUnknown(t)) return UNKNOWN;
    if (t.kind !== "integer" && t.kind !== "float") {
      this.err(e.operand.span, K.cannotNegate({ T: describe(t) }), `this is ${describe(t)}`, "unary `-` works on integer and float");
      return UNKNOWN;
    }
    return t;
  }

  private binary(e: Extract<Expr, { kind: "binary" }>, expected: Type | null): Type {
    const op = e.op;
    if (op === "&&" || op === "||") {
      for (const side of [e.left, e.right]) {
        const t = this.expr(side, T.bool);
        if (!hasUnknown(t) && t.kind !== "bool") this.err(side.span, K.logicNeedsBool({ OP: op, T: show(t) }), `this is ${describe(t)}`);
      }
      e.operandTy = T.bool;
      return T.bool;
    }
    const comparison = op === "==" || op === "!=" || op === "<" || op === ">" || op === "<=" || op === ">=";
    const hint = !comparison && expected && NUMERIC.has(expected.kind) ? expected : null;
    let lt: Type;
    let rt: Type;
    const isLit = (x: Expr) => x.kind === "int" || x.kind === "list";
    if (op === "+" && untargetedInto(e.left) && !untargetedInto(e.right)) {
      // `n.into() + " items"`: the other side says what into() converts to when it is a string.
      rt = this.expr(e.right, hint);
      lt = this.expr(e.left, rt.kind === "string" ? rt : hint);
    } else if (isLit(e.left) && !isLit(e.right)) {
      rt = this.expr(e.right, hint);
      lt = this.expr(e.left, hasUnknown(rt) ? hint : rt);
    } else {
      lt = this.expr(e.left, hint);
      rt = this.expr(e.right, hasUnknown(lt) ? hint : lt);
    }
    if (hasUnknown(lt) || hasUnknown(rt)) {
      e.operandTy = hasUnknown(lt) ? rt : lt;
      return comparison ? T.bool : UNKNOWN;
    }
    const allowed = (t: Type): boolean => {
      if (op === "==" || op === "!=") return t.kind !== "fn";
      if (comparison) return ORDERED.has(t.kind);
      if (op === "+") return NUMERIC.has(t.kind) || t.kind === "string";
      if (op === "-" || op === "*" || op === "/" || op === "%" || op === "**") return NUMERIC.has(t.kind);
      return BITWISE.has(t.kind);
    };
    if (!allowed(lt)) {
      this.err(e.left.span, K.operatorType({ OP: op, T: show(lt) }), `this is ${describe(lt)}`, this.opHint(op, lt));
      return comparison ? T.bool : UNKNOWN;
    }
    if (!assignable(lt, rt)) {
      const d = this.err(
        e.right.span,
        K.mismatchedOperands({ T: show(lt), OP: op, U: show(rt) }),
        `this is ${describe(rt)}`,
        lt.kind === "string" && op === "+" ? `to join them, make it a string: ${this.source.slice(e.right.span.start, e.right.span.end).slice(0, 30)}.into()` : "both sides must have the same type; Kaylee never converts implicitly (use .into())",
      );
      withLabel(d, e.left.span, `this is ${describe(lt)}`);
      return comparison ? T.bool : UNKNOWN;
    }
    e.operandTy = lt;
    return comparison ? T.bool : lt;
  }

  private opHint(op: string, t: Type): string | undefined {
    if (op === "+" || op === "-" || op === "*" || op === "/" || op === "%" || op === "**") return "arithmetic works on integer, float and byte (and `+` on strings)";
    if (op === "<" || op === ">" || op === "<=" || op === ">=") return "ordering works on integer, float, byte, char and string";
    if (op === "<<" || op === ">>" || op === "&" || op === "|" || op === "^") return t.kind === "bool" ? "for logic on bools use && and ||" : "bit operators work on integer and byte";
    return undefined;
  }

  private index(e: Extract<Expr, { kind: "index" }>): Type {
    const t = this.expr(e.object, null);
    const it = this.expr(e.index, T.integer);
    if (!hasUnknown(it) && it.kind !== "integer") this.err(e.index.span, K.indexNotInteger({ T: show(it) }), `this is ${describe(it)}`);
    if (hasUnknown(t)) return UNKNOWN;
    let out: Type;
    if (t.kind === "vector" || t.kind === "array" || t.kind === "slice") out = t.elem;
    else if (t.kind === "string") out = T.char;
    else {
      this.err(e.object.span, K.cannotIndex({ T: describe(t) }), `this is ${describe(t)}`, t.kind === "tuple" ? "read a tuple's parts with t.0, t.1, ..." : "indexing works on vectors, arrays, slices and strings");
      return UNKNOWN;
    }
    // A constant index past a fixed length is certain to fail: refused, unless a handler
    // around it takes the failure (`a[3]{default: 0}` runs, and gives 0).
    if (this.handled === 0 && (t.kind === "array" || t.kind === "slice") && e.index.kind === "int" && (e.index.value < 0 || e.index.value >= t.length)) {
      this.err(e.index.span, K.indexOutOfRange(), `${show(t)} has indexes 0 to ${t.length - 1}`);
    }
    return out;
  }

  private list(e: Extract<Expr, { kind: "list" }>, expected: Type | null): Type {
    if (expected && (expected.kind === "vector" || expected.kind === "array")) {
      for (const el of e.elements) {
        this.expr(el, expected.elem);
        this.expectType(el, expected.elem);
      }
      if (expected.kind === "array" && e.elements.length !== expected.length) {
        this.err(e.span, K.arrayLength({ N: expected.length, M: e.elements.length }), `this has ${e.elements.length} element${e.elements.length === 1 ? "" : "s"}`, `an ${show(expected)} has exactly ${expected.length}`);
      }
      return expected;
    }
    if (e.elements.length === 0) {
      if (expected && hasUnknown(expected)) return UNKNOWN; // the annotation's own error says enough
      this.err(e.span, K.emptyListType(), "empty list", "annotate the variable: let v: vector[integer] = [];");
      return UNKNOWN;
    }
    const first = this.expr(e.elements[0]!, null);
    for (const el of e.elements.slice(1)) {
      this.expr(el, first);
      this.expectType(el, first);
    }
    return T.vector(first);
  }
}

/** An expression whose type comes from where it is used: `vm.receive()`, `vm.call()`, `x.into()`. */
function targetTyped(e: Expr): boolean {
  return (e.kind === "vmcall" && (e.name === "receive" || e.name === "call")) || (e.kind === "method" && e.name === "into");
}

function intersect(a: Set<number> | null, b: Set<number> | null): Set<number> | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Set<number>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

function intersectAll(states: (Set<number> | null)[]): Set<number> | null {
  let acc: Set<number> | null = null;
  for (const s of states) acc = intersect(acc, s);
  return acc;
}

/** `x.into()` (or with a handler, `x.into(){default: ..}`): its target comes from where it is used. */
function untargetedInto(e: Expr): boolean {
  if (e.kind === "handle") return untargetedInto(e.expr);
  return e.kind === "method" && e.name === "into" && e.args.length === 0;
}
