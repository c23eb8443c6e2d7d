// Code generation: the checked Kaylee AST to Raft bytecode, through the same builder the
// assembler uses.
//
// Every expression's static type picks a typed opcode (Add vs AddFloat vs Concat), so the
// interpreter never inspects tags. Errors as values follow docs/architecture.md: an
// expression whose `mayError` is set gets a CheckError only where it is *used*; captures
// (let, assignment, return) store it; statements that drop a fallible result panic in place.
// Value semantics: an aggregate read from a place (variable, element, field) is copied when
// it is captured into another place or passed; mutation through a place works on the array
// the place owns. Each emitted operation is tagged with its node's source position, so a
// panic names the exact line and column. A `vm` call or method is lowered as its row in the
// standard library's table (builtins.ts) says: a native by name, or an instruction of its own.

import { ModuleBuilder, FunctionBuilder } from "../bytecode/builder.js";
import { Op } from "../bytecode/op.js";
import type { Module } from "../bytecode/module.js";
import { isAggregate, typeKey, T, type Type } from "../bytecode/types.js";
import { FUSED_COMPARE, OPCODES, opNumber } from "../bytecode/opcodes.js";
import { METHODS, type BuiltinSig } from "./builtins.js";
import { LineIndex } from "../diag/position.js";

/** Operand types the compare-and-branch instructions handle (plain JS numbers). */
const NUMBERS = new Set(["integer", "float", "byte", "char"]);
/** The comparison that holds exactly when `op` does not (for integers). */
const NEGATE: Readonly<Record<string, string>> = { "==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">" };
import type {
  AssignStmt,
  Block,
  Expr,
  FnDecl,
  ForStmt,
  HandleExpr,
  IncDecStmt,
  LocalBinding,
  MethodExpr,
  Program,
  ReceiveStmt,
  Stmt,
  VmCallExpr,
  BinaryExpr,
} from "./ast.js";
import { ifChain } from "./ast.js";

interface LoopLabels {
  brk: number;
  cont: number;
  /**
   * A `for` loop that writes its item back: emits the write-back (to `onShrink` instead when
   * the body shrank the collection past the pass's position). A pass that ends by `break` or
   * `return` writes back too, as one that ends at the bottom or by `continue` does.
   */
  writeBack?: (onShrink: number) => void;
}

export function generate(program: Program, source: string): Module {
  const mb = new ModuleBuilder(program.file);
  const lines = new LineIndex(source);
  const clash = program.functions.some((f) => f.name === "main");
  const mainName = clash ? "<main>" : "main";
  mb.declare(mainName);
  for (const f of program.functions) mb.declare(f.name);

  const main = new FnGen(mb, lines, mainName, 0, program.main.locals.length, T.null, true);
  main.block(program.main.body);
  main.at(source.length);
  main.fb.emit(Op.Halt);
  mb.define(main.finish());
  for (const f of program.functions) {
    const g = new FnGen(mb, lines, f.name, f.params.length, f.locals.length, f.ret);
    g.block(f.body.stmts);
    g.at(f.span.end - 1);
    g.fb.emit(Op.PushNull);
    g.fb.emit(Op.Return);
    mb.define(g.finish());
  }
  mb.entry = mb.declare(mainName);
  return mb.finish();
}

class FnGen {
  readonly fb: FunctionBuilder;
  private loops: LoopLabels[] = [];
  private nextTemp: number;
  private maxTemp: number;

  constructor(
    private mb: ModuleBuilder,
    private lines: LineIndex,
    name: string,
    params: number,
    locals: number,
    private ret: Type,
    /** The main program: a top-level `return;` ends it with Halt (a Return would leave a value behind). */
    private isMain = false,
  ) {
    this.fb = new FunctionBuilder(name, params, locals);
    this.nextTemp = locals;
    this.maxTemp = locals;
  }

  finish(): FunctionBuilder {
    this.fb.locals = this.maxTemp;
    this.fb.fuse((k) => this.mb.consts[k].tag);
    return this.fb;
  }

  at(offset: number): void {
    const p = this.lines.at(offset);
    this.fb.at(p.line, p.col);
  }

  private temp(): number {
    const t = this.nextTemp++;
    if (this.nextTemp > this.maxTemp) this.maxTemp = this.nextTemp;
    return t;
  }
  private release(n: number): void {
    this.nextTemp -= n;
  }

  private emit(op: number, ...operands: number[]): void {
    this.fb.emit(op, ...operands);
  }

  // ── statements ──────────────────────────────────────────────────────────────────────

  block(stmts: Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  private body(b: Block): void {
    this.block(b.stmts);
  }

  stmt(s: Stmt): void {
    this.at(s.span.start);
    switch (s.kind) {
      case "let":
        if (s.init) {
          this.capture(s.init);
          this.emit(Op.Store, s.binding!.id);
        }
        break;
      case "assign":
        this.assign(s);
        break;
      case "incdec":
        this.incdec(s);
        break;
      case "expr":
        this.exprStmt(s.expr);
        break;
      case "if": {
        const only = !s.else && s.then.stmts.length === 1 ? s.then.stmts[0] : null;
        const innermost = this.loops[this.loops.length - 1];
        if (only && (only.kind === "continue" || (only.kind === "break" && !innermost.writeBack))) {
          // `if (c) { break; }`: one branch on c, no jump around a jump.
          const loop = innermost;
          this.condJumpIfTrue(s.cond, only.kind === "break" ? loop.brk : loop.cont);
          break;
        }
        // The if and its else-if arms in a loop (ifChain): a chain of any length.
        const { arms, last } = ifChain(s);
        const end = this.fb.newLabel();
        arms.forEach((a, i) => {
          if (i > 0) this.at(a.span.start);
          const next = this.fb.newLabel();
          this.condJump(a.cond, next);
          this.body(a.then);
          if (i < arms.length - 1 || last) this.emit(Op.Jump, end);
          this.fb.place(next);
        });
        if (last) this.body(last);
        this.fb.place(end);
        break;
      }
      case "loop": {
        const first = s.body.stmts[0];
        if (first && first.kind === "if" && !first.else && first.then.stmts.length === 1 && first.then.stmts[0].kind === "break") {
          // `loop { if (c) { break; } rest }` is rotated: the test moves to the bottom, where one
          // conditional branch back to the top (the loop's back-edge) both tests and loops.
          // The test is also made once before the first pass (rather than jumping down to it),
          // so that the bottom test is no jump target and fuses with a counter step before it.
          const top = this.fb.newLabel();
          const check = this.fb.newLabel();
          const end = this.fb.newLabel();
          this.at(first.span.start);
          this.condJumpIfTrue(first.cond, end);
          this.fb.place(top);
          this.loops.push({ brk: end, cont: check });
          this.block(s.body.stmts.slice(1));
          this.loops.pop();
          this.fb.place(check);
          this.at(first.span.start);
          this.condJump(first.cond, top);
          this.fb.place(end);
          break;
        }
        const top = this.fb.newLabel();
        const end = this.fb.newLabel();
        this.fb.place(top);
        this.loops.push({ brk: end, cont: top });
        this.body(s.body);
        this.loops.pop();
        this.at(s.span.start);
        this.emit(Op.Jump, top);
        this.fb.place(end);
        break;
      }
      case "for":
        this.forStmt(s);
        break;
      case "break": {
        const loop = this.loops[this.loops.length - 1];
        loop.writeBack?.(loop.brk);
        this.emit(Op.Jump, loop.brk);
        break;
      }
      case "continue":
        this.emit(Op.Jump, this.loops[this.loops.length - 1].cont);
        break;
      case "return":
        if (this.isMain && !s.value) {
          this.at(s.span.start);
          this.emit(Op.Halt);
          break;
        }
        // The passes of the `for` loops it leaves end here: their items are written back first
        // (innermost first), so that the value returned sees them.
        for (let k = this.loops.length - 1; k >= 0; k--) {
          const wb = this.loops[k].writeBack;
          if (!wb) continue;
          const after = this.fb.newLabel();
          wb(after);
          this.fb.place(after);
        }
        // Not copied, even when read from a place: every place a function can read is rooted in
        // its own frame (its locals, and its parameters, which calls copy), and the frame ends
        // here, so the value has no other owner. (A copy made every `return v` of a vector built
        // by recursion quadratic.)
        if (s.value) this.expr(s.value);
        else this.emit(Op.PushNull);
        this.at(s.span.start);
        this.emit(Op.Return);
        break;
      case "block":
        this.body(s.body);
        break;
      case "receive":
        this.receiveStmt(s);
        break;
    }
  }

  /**
   * receive { }: ReceiveSelect (ReceiveSelectTimeout with `after`) over the arms' types, in
   * arm order, pushes the message and its arm's number (-1: the time is up); a
   * compare-and-branch per arm on that number, kept in a temporary, goes to the arm, which
   * stores the message into its variable. One arm and no `after` is a plain typed receive,
   * as `let name: T = vm.receive();` compiles.
   */
  private receiveStmt(s: ReceiveStmt): void {
    const arms = s.arms;
    if (arms.length === 1 && !s.after) {
      this.at(s.kwSpan.start);
      this.emit(Op.ReceiveMessage, this.mb.type(typeKey(arms[0].type)));
      this.emit(Op.Store, arms[0].binding!.id);
      this.body(arms[0].body);
      return;
    }
    if (s.after) this.use(s.after.ms);
    this.at(s.kwSpan.start);
    this.emit(s.after ? Op.ReceiveSelectTimeout : Op.ReceiveSelect, this.mb.typeSet(arms.map((a) => typeKey(a.type))));
    const end = this.fb.newLabel();
    const labels = arms.map(() => this.fb.newLabel());
    const arm = this.temp();
    this.emit(Op.Store, arm);
    // Without `after`, the first arm is what is left when no other matched.
    for (let i = s.after ? 0 : 1; i < arms.length; i++) this.emit(Op.NotEqIntJumpIfFalse, arm, i, labels[i]);
    this.release(1);
    if (s.after) {
      this.emit(Op.Pop);
      this.body(s.after.body);
      if (arms.length) this.emit(Op.Jump, end);
    }
    arms.forEach((a, i) => {
      this.fb.place(labels[i]);
      this.at(a.span.start);
      this.emit(Op.Store, a.binding!.id);
      this.body(a.body);
      if (i < arms.length - 1) this.emit(Op.Jump, end);
    });
    this.fb.place(end);
  }

  /** An expression statement: its value is dropped; an error it yields panics in place. */
  private exprStmt(e: Expr): void {
    if (e.kind === "method" && e.inPlace && e.receiverTy.kind === "string") {
      this.storeTo(e.receiver, (current) => {
        current();
        this.checkReceiver(e);
        this.methodCall(e, false);
      });
      return;
    }
    this.expr(e);
    if (e.mayError) {
      this.at(e.span.start);
      this.emit(Op.PanicIfError);
    }
    this.emit(Op.Pop);
  }

  private assign(s: AssignStmt): void {
    if (s.op === "=") {
      // `v = f(v, ...)`: v's old value is never read again (the call's result replaces it), so
      // it is passed without the copy an argument gets (see moveArg).
      this.moveArg = movableArg(s);
      // Into a variable an error is captured; into an element or a field it is a use (a
      // collection never holds an error value), so it panics there.
      const element = s.target.kind !== "ident";
      this.storeTo(s.target, () => {
        this.capture(s.value);
        if (element && s.value.mayError) {
          this.at(s.value.span.start);
          this.emit(Op.CheckError);
        }
      });
      this.moveArg = null;
      return;
    }
    const op = s.op.slice(0, -1) as BinaryExpr["op"];
    const t = s.target;
    const fused = FLOAT_INDEX_UPDATE[op];
    if (fused && t.kind === "index" && t.ty.kind === "float" && !t.mayError && isLocal(t.object) && (t.object.ty.kind === "vector" || t.object.ty.kind === "array") && isLocal(t.index) && cannotFault(s.value)) {
      // v[i] op= x where x cannot fault (float arithmetic on locals and literals): x first,
      // then one instruction reads, updates and writes the element. Only the element access
      // can fault, so the order of evaluation cannot be observed.
      this.use(s.value);
      this.at(t.span.start);
      this.emit(fused, (t.object as { binding: LocalBinding }).binding.id, (t.index as { binding: LocalBinding }).binding.id);
      return;
    }
    this.storeTo(s.target, (current) => {
      current();
      if (s.target.mayError) this.emit(Op.CheckError);
      this.use(s.value);
      this.at(s.span.start);
      this.arith(op, s.target.ty);
    });
  }

  private incdec(s: IncDecStmt): void {
    const t = s.target.ty;
    const delta = s.op === "++" ? 1 : -1;
    if (s.target.kind === "ident" && s.target.binding && t.kind === "integer" && !s.target.binding.mayError) {
      this.at(s.span.start);
      this.emit(Op.IncLocal, s.target.binding.id, delta);
      return;
    }
    this.storeTo(s.target, (current) => {
      current();
      if (s.target.mayError) this.emit(Op.CheckError);
      this.at(s.span.start);
      if (t.kind === "float") {
        this.emit(Op.PushConst, this.mb.float(delta));
        this.emit(Op.AddFloat);
      } else {
        this.emit(Op.AddInt, delta);
        if (t.kind === "byte") this.emit(Op.CheckByte);
      }
    });
  }

  /**
   * Stores into a place: `value` pushes the new value, and may call `current` to push the
   * place's present value first (compound assignment, in-place methods).
   */
  private storeTo(target: Expr, value: (current: () => void) => void): void {
    if (target.kind === "ident" && target.binding) {
      const slot = target.binding.id;
      value(() => this.emit(Op.Load, slot));
      this.emit(Op.Store, slot);
      return;
    }
    const obj = target.kind === "index" ? target.object : null;
    const ix = target.kind === "index" ? target.index : null;
    if (target.kind === "index" && obj!.kind === "ident" && obj!.binding && !obj!.mayError && (obj!.ty.kind === "vector" || obj!.ty.kind === "array") && ix!.kind === "ident" && ix!.binding && !ix!.mayError) {
      // v[i] with v and i locals: the value cannot rebind either (only string places are
      // rebound inside an expression), so no temporaries are needed to hold them.
      const v = obj!.binding.id;
      const k = ix!.binding.id;
      value(() => {
        this.at(target.span.start);
        this.emit(Op.IndexLocals, v, k);
      });
      this.at(target.span.start);
      this.emit(Op.StoreIndexLocals, v, k);
      return;
    }
    if (target.kind === "index") {
      const c = this.temp();
      const k = this.temp();
      this.use(target.object);
      this.emit(Op.Store, c);
      this.use(target.index);
      this.emit(Op.Store, k);
      this.emit(Op.Load, c);
      this.emit(Op.Load, k);
      value(() => {
        this.emit(Op.Load, c);
        this.emit(Op.Load, k);
        this.at(target.span.start);
        this.emit(Op.Index);
      });
      this.at(target.span.start);
      this.emit(Op.StoreIndex);
      this.release(2);
      return;
    }
    if (target.kind === "field") {
      const c = this.temp();
      this.use(target.object);
      this.emit(Op.Store, c);
      this.emit(Op.Load, c);
      value(() => {
        this.emit(Op.Load, c);
        this.emit(Op.GetField, target.index);
      });
      this.emit(Op.SetField, target.index);
      this.release(1);
      return;
    }
    // Not a place (the checker allows none other): evaluate for effect.
    value(() => this.expr(target));
    this.emit(Op.Pop);
  }

  private forStmt(s: ForStmt): void {
    const item = s.itemBinding!.id;
    const idx = s.indexBinding!.id;
    const isString = s.iterKind === "string";
    let coll: number;
    if (s.writesBack && s.iterable.kind === "ident" && s.iterable.binding) {
      coll = s.iterable.binding.id;
    } else {
      coll = s.collectionBinding!.id;
      this.use(s.iterable);
      if (!isString && isPlace(s.iterable)) this.emit(Op.CopyValue);
      this.emit(Op.Store, coll);
    }
    // The number of passes is fixed when the loop starts: a body that pushes onto the
    // collection it walks does not make the loop endless. A body that shrinks it (only
    // possible when the loop walks the variable itself, to write back) ends the loop early.
    const len = this.temp();
    /** Pushes the collection's length now. */
    const lengthNow = (): void => {
      this.emit(Op.Load, coll);
      if (isString) this.emit(Op.CallNative, this.mb.native("string.length"), 1);
      else this.emit(Op.Length);
    };
    /** Goes to `label` unless this pass's position is still within the collection. */
    const unlessWithin = (label: number): void => {
      this.emit(Op.Load, idx);
      lengthNow();
      this.emit(Op.Less);
      this.emit(Op.JumpIfFalse, label);
    };
    lengthNow();
    this.emit(Op.Store, len);
    this.emit(Op.PushInt, 0);
    this.emit(Op.Store, idx);
    // Rotated: the test `idx < len` is the back-edge at the bottom (and is made once before
    // the first pass, so that it fuses with the step `idx += 1`).
    const top = this.fb.newLabel();
    const cont = this.fb.newLabel();
    const end = this.fb.newLabel();
    this.emit(Op.LessJumpIfFalse, idx, len, end);
    this.fb.place(top);
    if (coll !== s.collectionBinding!.id) {
      // Walking the variable itself: the body may have shrunk it below this pass.
      unlessWithin(end);
    }
    this.emit(Op.Load, coll);
    this.emit(Op.Load, idx);
    // A slice's bytes are read from linear memory, which may have been freed: that fault is at the slice.
    if (s.iterKind === "slice") this.at(s.iterable.span.start);
    this.emit(isString ? Op.IndexString : Op.Index);
    if (!isString && isAggregate(s.itemBinding!.type) && s.writesBack === false) this.emit(Op.CopyValue);
    this.emit(Op.Store, item);
    const writeBack = (onShrink: number): void => {
      this.at(s.span.start);
      // The body may have shrunk the collection past this pass's position (`v.pop()`, `t = ""`):
      // then there is no element to write back (at the bottom of a pass, the loop ends there).
      unlessWithin(onShrink);
      this.emit(Op.Load, coll);
      this.emit(Op.Load, idx);
      this.emit(Op.Load, item);
      if (s.itemBinding!.mayError) this.emit(Op.CheckError); // written into the collection: a use
      if (isString) {
        this.emit(Op.CallNative, this.mb.native("string.set_char"), 3);
        this.emit(Op.Store, coll);
      } else this.emit(Op.StoreIndex);
    };
    this.loops.push({ brk: end, cont, writeBack: s.writesBack ? writeBack : undefined });
    this.body(s.body);
    this.loops.pop();
    this.fb.place(cont);
    this.at(s.span.start);
    if (s.writesBack) writeBack(end);
    this.emit(Op.IncLocal, idx, 1);
    this.emit(Op.GreaterEqJumpIfFalse, idx, len, top);
    this.fb.place(end);
    this.release(1);
  }

  /** Jumps to `falseLabel` unless `cond` holds (a compare-and-branch on locals where it can). */
  private condJump(cond: Expr, falseLabel: number): void {
    const fused = cond.kind === "binary" ? FUSED_COMPARE[cond.op] : undefined;
    if (fused && cond.kind === "binary" && NUMBERS.has(cond.operandTy.kind) && cond.left.kind === "ident" && cond.left.binding && !cond.left.mayError) {
      const a = cond.left.binding.id;
      const r = cond.right;
      if (r.kind === "ident" && r.binding && !r.mayError) {
        this.at(cond.span.start);
        this.emit(opNumber(fused.locals), a, r.binding.id, falseLabel);
        return;
      }
      if ((r.kind === "int" || r.kind === "char") && cond.operandTy.kind !== "float") {
        this.at(cond.span.start);
        this.emit(opNumber(fused.int), a, r.value, falseLabel);
        return;
      }
    }
    this.use(cond);
    this.emit(Op.JumpIfFalse, falseLabel);
  }

  /** Jumps to `label` if `cond` holds (the negated compare-and-branch where that is exact). */
  private condJumpIfTrue(cond: Expr, label: number): void {
    if (cond.kind === "binary" && NUMBERS.has(cond.operandTy.kind) && (cond.operandTy.kind !== "float" || cond.op === "==" || cond.op === "!=")) {
      // Negating <, <=, >, >= is exact for integers only: with a float NaN both a < b and a >= b are false.
      const negated = NEGATE[cond.op];
      if (negated && FUSED_COMPARE[negated]) {
        const fused = FUSED_COMPARE[negated];
        if (cond.left.kind === "ident" && cond.left.binding && !cond.left.mayError) {
          const a = cond.left.binding.id;
          const r = cond.right;
          if (r.kind === "ident" && r.binding && !r.mayError) {
            this.at(cond.span.start);
            this.emit(opNumber(fused.locals), a, r.binding.id, label);
            return;
          }
          if ((r.kind === "int" || r.kind === "char") && cond.operandTy.kind !== "float") {
            this.at(cond.span.start);
            this.emit(opNumber(fused.int), a, r.value, label);
            return;
          }
        }
      }
    }
    this.use(cond);
    this.emit(Op.JumpIfTrue, label);
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────

  /** A use of a value: an error value panics here. */
  private use(e: Expr): void {
    this.expr(e);
    if (e.mayError) {
      this.at(e.span.start);
      this.emit(Op.CheckError);
    }
  }

  /** A value captured into a place or passed on: copied if it is an aggregate read from a place. */
  private capture(e: Expr): void {
    this.expr(e);
    if (isPlace(e) && isAggregate(e.ty)) this.emit(Op.CopyValue);
  }

  /** An argument or element: a use, copied like a capture. */
  private pass(e: Expr): void {
    this.use(e);
    if (e === this.moveArg) {
      this.moveArg = null;
      return;
    }
    if (isPlace(e) && isAggregate(e.ty)) this.emit(Op.CopyValue);
  }

  /** The argument of the call being assigned that is passed without a copy (`movableArg`). */
  private moveArg: Expr | null = null;

  private int(v: number): void {
    if (v >= -128 && v <= 127) this.emit(Op.PushInt, v);
    else this.emit(Op.PushConst, this.mb.int(v));
  }

  expr(e: Expr): void {
    switch (e.kind) {
      case "int":
        this.int(e.value);
        if (e.ty.kind === "float") throw new Error("codegen: integer literal typed float");
        return;
      case "char":
        this.int(e.value);
        return;
      case "float":
        this.emit(Op.PushConst, this.mb.float(e.value));
        return;
      case "string":
        this.emit(Op.PushConst, this.mb.string(e.value));
        return;
      case "bool":
        this.emit(e.value ? Op.PushTrue : Op.PushFalse);
        return;
      case "null":
        this.emit(Op.PushNull);
        return;
      case "ident":
        if (e.binding) this.emit(Op.Load, e.binding.id);
        else throw new Error(`codegen: unresolved name ${e.name}`);
        return;
      case "unary":
        this.use(e.operand);
        this.at(e.span.start);
        if (e.op === "!") this.emit(Op.Not);
        else this.emit(e.ty.kind === "float" ? Op.NegFloat : Op.Neg);
        return;
      case "binary":
        return this.binary(e);
      case "is":
        this.expr(e.operand);
        this.emit(Op.IsError);
        return;
      case "call":
        for (const a of e.args) this.pass(a);
        this.at(e.span.start);
        this.emit(Op.Call, this.mb.declare(e.fn!.name));
        return;
      case "vmcall":
        return this.vmCall(e);
      case "method":
        if (e.inPlace && e.receiverTy.kind === "string") {
          // An in-place string method used inside an expression: store back, and yield the new value.
          this.storeTo(e.receiver, (current) => {
            current();
            this.methodCall(e, false);
            this.emit(Op.Dup);
          });
          return;
        }
        this.methodCall(e, true);
        return;
      case "index":
        this.use(e.object);
        this.use(e.index);
        this.at(e.span.start);
        if (e.object.ty.kind === "string") this.emit(Op.IndexString);
        else if (e.object.ty.kind === "slice") this.emit(Op.CallNative, this.mb.native("slice.index"), 2);
        else this.emit(Op.Index);
        return;
      case "field":
        this.use(e.object);
        this.emit(Op.GetField, e.index);
        return;
      case "list":
      case "tuple":
        return this.literal(e.elements, e.kind === "list" ? Op.MakeVector : Op.MakeTuple);
      case "handle":
        return this.handle(e);
    }
  }

  /**
   * A vector or tuple literal. Its elements wait on the operand stack, which a frame may fill
   * only so far (the verifier's bound); a long literal is built from its first LITERAL_CHUNK
   * elements and then grown a chunk at a time (`vector.extend`: tuples are arrays too).
   */
  private literal(elements: Expr[], make: number): void {
    const first = elements.slice(0, LITERAL_CHUNK);
    for (const x of first) this.pass(x);
    this.emit(make, first.length);
    for (let k = LITERAL_CHUNK; k < elements.length; k += LITERAL_CHUNK) {
      const chunk = elements.slice(k, k + LITERAL_CHUNK);
      this.emit(Op.Dup);
      for (const x of chunk) this.pass(x);
      this.emit(Op.MakeVector, chunk.length);
      this.emit(Op.CallNative, this.mb.native("vector.extend"), 2);
      this.emit(Op.Pop);
    }
  }

  private binary(e: BinaryExpr): void {
    if (e.op === "&&" || e.op === "||") {
      const end = this.fb.newLabel();
      this.use(e.left);
      this.emit(Op.Dup);
      this.emit(e.op === "&&" ? Op.JumpIfFalse : Op.JumpIfTrue, end);
      this.emit(Op.Pop);
      this.use(e.right);
      this.fb.place(end);
      return;
    }
    const t = e.operandTy;
    if (e.op === "+" && t.kind === "integer" && e.right.kind === "int" && e.right.value >= -128 && e.right.value <= 127) {
      this.use(e.left);
      this.at(e.span.start);
      this.emit(Op.AddInt, e.right.value);
      return;
    }
    this.use(e.left);
    this.use(e.right);
    this.at(e.span.start);
    if (t.kind === "string" && (e.op === "<" || e.op === "<=" || e.op === ">" || e.op === ">=")) {
      // Strings order by a native that charges its work (-1, 0 or 1), then compare that with 0.
      this.emit(Op.CallNative, this.mb.native("string.compare"), 2);
      this.emit(Op.PushInt, 0);
    }
    switch (e.op) {
      case "==":
      case "!=": {
        // By content (EqValue charges its work in proportion: long strings and vectors).
        const deep = isAggregate(t) || t.kind === "string" || t.kind === "exit" || t.kind === "from" || t.kind === "error" || t.kind === "pointer" || t.kind === "slice";
        if (e.op === "==") this.emit(deep ? Op.EqValue : Op.Eq);
        else this.emit(deep ? Op.NotEqValue : Op.NotEq);
        return;
      }
      case "<":
        return this.emit(Op.Less);
      case "<=":
        return this.emit(Op.LessEq);
      case ">":
        return this.emit(Op.Greater);
      case ">=":
        return this.emit(Op.GreaterEq);
      default:
        this.arith(e.op, t);
    }
  }

  /** The arithmetic or bit operation `op` on two values of type `t` already on the stack. */
  private arith(op: string, t: Type): void {
    if (t.kind === "string") {
      this.emit(Op.Concat);
      return;
    }
    if (t.kind === "float") {
      const f: Record<string, number> = { "+": Op.AddFloat, "-": Op.SubFloat, "*": Op.MulFloat, "/": Op.DivFloat, "%": Op.ModFloat, "**": Op.ExpFloat };
      this.emit(f[op]);
      return;
    }
    const i: Record<string, number> = {
      "+": Op.Add,
      "-": Op.Sub,
      "*": Op.Mul,
      "/": Op.Div,
      "%": Op.Mod,
      "**": Op.Exp,
      "&": Op.BitAnd,
      "|": Op.BitOr,
      "^": Op.BitXor,
      "<<": Op.Shl,
      ">>": Op.Shr,
    };
    this.emit(i[op]);
    if (t.kind === "byte" && op !== "&" && op !== "|" && op !== "^" && op !== ">>") this.emit(Op.CheckByte);
  }

  private handle(e: HandleExpr): void {
    const after = this.fb.newLabel();
    this.at(e.span.start);
    this.emit(Op.TryBegin, after);
    this.expr(e.expr);
    this.emit(Op.TryEnd);
    this.fb.place(after);
    const h = e.handler;
    this.at(h.span.start);
    switch (h.kind) {
      case "panic":
        if (!h.message) this.emit(Op.PanicIfError);
        else if (h.message.kind === "string") this.emit(Op.PanicIfErrorMsg, this.mb.string(h.message.value));
        else
          this.ifError(() => {
            this.use(h.message!);
            this.emit(Op.Panic);
          });
        return;
      case "message":
        if (h.message.kind === "string") this.emit(Op.SetErrorMessage, this.mb.string(h.message.value));
        else
          this.ifError(() => {
            this.use(h.message);
            this.emit(Op.CallNative, this.mb.native("error.with_message"), 2);
          });
        return;
      case "default":
        this.ifError(() => {
          this.emit(Op.Pop);
          this.pass(h.value);
        });
        return;
    }
  }

  /** Runs `body` only when the value on top of the stack is an error (it stays on the stack). */
  private ifError(body: () => void): void {
    const ok = this.fb.newLabel();
    this.emit(Op.Dup);
    this.emit(Op.IsError);
    this.emit(Op.JumpIfFalse, ok);
    body();
    this.fb.place(ok);
  }

  private vmCall(e: VmCallExpr): void {
    const t = e.target!;
    if (t.kind === "builtin") return this.builtin(t.sig, e, 0);
    // An embedder's native (NativeSpec): called by its name.
    for (const a of e.args) this.pass(a);
    this.at(e.span.start);
    this.emit(Op.CallNative, this.mb.native(`vm.${e.name}`), e.args.length);
  }

  /**
   * The receiver just pushed is used by the method: an error there panics at the method's name
   * (the seed's caret: `vm.read_file(p){message: m}.trim()` fails at `trim`). message()/code()
   * (and into() to string) read a known error: not a use of it.
   */
  private checkReceiver(e: MethodExpr): void {
    if (e.receiverTy.kind === "error" || !e.receiver.mayError) return;
    this.at(e.nameSpan.start);
    this.emit(Op.CheckError);
  }

  /** A method call; the receiver is pushed first unless `pushReceiver` is false (already there). */
  private methodCall(e: MethodExpr, pushReceiver: boolean): void {
    if (pushReceiver) {
      this.expr(e.receiver);
      this.checkReceiver(e);
    }
    const sig = METHODS.get(e.key)!;
    if (sig.special === "into") {
      // The native converts between the two static types it is given: (from, to).
      const to = e.targetType ?? e.ty;
      this.at(e.span.start);
      this.emit(Op.CallNativeTyped, this.mb.native(sig.impl.native!), 1, this.mb.type(typeKey(T.tuple([e.receiverTy, to]))));
      return;
    }
    this.builtin(sig, e, 1);
  }

  /**
   * A call of a standard-library row (builtins.ts), lowered as its `impl` says: a native by
   * name, or an instruction (OPCODE_LOWERINGS for those with operands of their own; any other
   * takes its arguments from the stack). `receiver`: a method's receiver is already pushed.
   */
  private builtin(sig: BuiltinSig, e: VmCallExpr | MethodExpr, receiver: 0 | 1): void {
    const args = e.args;
    const impl = sig.impl;
    if (impl.kind === "native") {
      if (sig.special === "call" || sig.special === "message") {
        // vm.call, vm.send_after, vm.reply: the native learns the message's static type (a
        // call's request travels as (from, R)), and a call the reply type it waits for
        // (servers.ts). The message (argument 1) is copied by the native, as SendMessage
        // copies its own.
        const msg = e.msgType ?? args[1].ty;
        const types = sig.special === "call" ? [T.tuple([T.from, msg]), e.targetType ?? e.ty] : [msg];
        args.forEach((a, i) => (i === 1 ? this.use(a) : this.pass(a)));
        this.at(e.span.start);
        this.emit(Op.CallNativeTyped, this.mb.native(impl.native), args.length, this.mb.type(typeKey(T.tuple(types))));
        return;
      }
      if (impl.typed && args.length + receiver > 0) {
        // A typed native only reads its arguments (print, sum): used, not copied.
        for (const a of args) this.use(a);
        const types = e.kind === "method" ? [e.receiverTy, ...args.map((a) => a.ty)] : args.map((a) => a.ty);
        this.at(e.span.start);
        this.emit(Op.CallNativeTyped, this.mb.native(impl.native), args.length + receiver, this.mb.type(typeKey(T.tuple(types))));
        return;
      }
      for (const a of args) this.pass(a);
      this.at(e.span.start);
      this.emit(Op.CallNative, this.mb.native(impl.native), args.length + receiver);
      return;
    }
    const lower = OPCODE_LOWERINGS[impl.op];
    if (lower) return lower(this, e, impl.flag ?? 0);
    if (OPCODES[opNumber(impl.op)].operands.length !== 0) throw new Error(`codegen: no lowering for ${sig.name} (opcode ${impl.op})`);
    for (const a of args) this.use(a);
    this.at(e.span.start);
    this.emit(opNumber(impl.op));
  }

  // What OPCODE_LOWERINGS (outside the class) may do.
  useArg(a: Expr): void {
    this.use(a);
  }
  passArg(a: Expr): void {
    this.pass(a);
  }
  emitAt(offset: number, op: number, ...operands: number[]): void {
    this.at(offset);
    this.emit(op, ...operands);
  }
  typeConst(t: Type): number {
    return this.mb.type(typeKey(t));
  }
  fnConst(name: string): number {
    return this.mb.declare(name);
  }
}

/**
 * How the rows implemented by an instruction with operands of its own are lowered (builtins.ts
 * `impl`), by opcode; `flag` is the row's count operand. A row whose instruction has no operands
 * needs no entry: its arguments are pushed and the instruction emitted.
 */
export const OPCODE_LOWERINGS: Readonly<Record<string, (g: FnGen, e: VmCallExpr | MethodExpr, flag: number) => void>> = {
  // vm.spawn(f, args...), vm.spawn_link: the arguments of f, then @f and linked-or-not.
  SpawnActor: (g, e, flag) => {
    const call = e as VmCallExpr;
    for (const a of call.args.slice(1)) g.passArg(a);
    g.emitAt(e.span.start, Op.SpawnActor, g.fnConst(call.spawnFn!.name), flag);
  },
  // vm.start_child(sup, restart, f, args...)
  StartChild: (g, e) => {
    const call = e as VmCallExpr;
    g.useArg(call.args[0]);
    g.useArg(call.args[1]);
    for (const a of call.args.slice(3)) g.passArg(a);
    g.emitAt(e.span.start, Op.StartChild, g.fnConst(call.spawnFn!.name));
  },
  // vm.send(p, msg) and p.send(msg) (the receiver already pushed): the message's type travels with it.
  SendMessage: (g, e) => {
    for (const a of e.args) g.useArg(a);
    g.emitAt(e.span.start, Op.SendMessage, g.typeConst(e.msgType ?? e.args[e.args.length - 1].ty));
  },
  // vm.receive() waits; vm.receive(ms) waits at most ms.
  ReceiveMessage: (g, e) => {
    const t = g.typeConst(e.targetType ?? e.ty);
    for (const a of e.args) g.useArg(a);
    g.emitAt(e.span.start, e.args.length ? Op.ReceiveTimeout : Op.ReceiveMessage, t);
  },
  // vm.supervisor(...) and vm.start_supervisor(parent, ...)
  SpawnSupervisor: (g, e, flag) => {
    for (const a of e.args) g.useArg(a);
    g.emitAt(e.span.start, Op.SpawnSupervisor, flag);
  },
};

/** Elements of a literal on the operand stack at once (see FnGen.literal). */
const LITERAL_CHUNK = 256;

/** `v[i] op= x` on a float element as one instruction (see FnGen.assign). */
const FLOAT_INDEX_UPDATE: Readonly<Record<string, number>> = {
  "+": Op.AddFloatIndexLocals,
  "-": Op.SubFloatIndexLocals,
  "*": Op.MulFloatIndexLocals,
  "/": Op.DivFloatIndexLocals,
};

/** A local variable that cannot hold an error value. */
function isLocal(e: Expr): boolean {
  return e.kind === "ident" && e.binding !== null && e.binding !== undefined && !e.mayError;
}

/** Float arithmetic (+ - * /, negation) on locals and literals: it computes without faults or effects. */
function cannotFault(e: Expr): boolean {
  if (e.ty.kind !== "float" || e.mayError) return false;
  switch (e.kind) {
    case "float":
      return true;
    case "ident":
      return isLocal(e);
    case "unary":
      return e.op === "-" && cannotFault(e.operand);
    case "binary":
      return (e.op === "+" || e.op === "-" || e.op === "*" || e.op === "/") && cannotFault(e.left) && cannotFault(e.right);
    default:
      return false;
  }
}

function isPlace(e: Expr): boolean {
  return e.kind === "ident" || e.kind === "index" || e.kind === "field";
}

/**
 * In `v = f(a, b, ...)` (a plain call of a Kaylee function, no handler) with v an aggregate
 * local passed as exactly one argument: that argument. v's old value is never read again — the
 * call's result replaces it, and if the call ends the process nothing reads it either — so the
 * callee may take it over instead of a copy (`acc = add(acc, x)` in a loop stays linear). Only
 * when every other argument is plainly free of v: literals, other variables, and operators on
 * those (so no argument can read or change v while the call's arguments are evaluated).
 */
const LITERAL_KINDS: ReadonlySet<string> = new Set(["int", "float", "char", "string", "bool", "null"]);

function movableArg(s: AssignStmt): Expr | null {
  const t = s.target;
  const call = s.value;
  if (t.kind !== "ident" || !t.binding || !isAggregate(t.ty) || call.kind !== "call") return null;
  const b = t.binding;
  let found: Expr | null = null;
  const free = (e: Expr): boolean => {
    if (e.kind === "ident") return e.binding !== b;
    if (e.kind === "unary") return free(e.operand);
    if (e.kind === "binary") return free(e.left) && free(e.right);
    return LITERAL_KINDS.has(e.kind);
  };
  for (const a of call.args) {
    if (a.kind === "ident" && a.binding === b) {
      if (found !== null) return null;
      found = a;
    } else if (!free(a)) return null;
  }
  return found;
}

export type { LocalBinding, FnDecl, MethodExpr };
