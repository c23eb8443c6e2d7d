// The Kaylee abstract syntax tree: what the parser builds, the checker annotates and the
// code generator walks. Every node has `span: {start, end}` (offsets into the source).
//
// Fields marked "checker" are placeholders after parsing (T.null, false, null, [], "") and are
// filled in by `check()` / `compileFrontEnd()`. A program returned by `compileFrontEnd` with no
// error diagnostics has every one of them filled in. Summary for code generation:
//
//   every Expr        ty (static type), mayError (may hold an error value at run time)
//   IdentExpr         binding (a local) | fn (a top-level function, only as vm.spawn's f)
//   BinaryExpr        operandTy (type of both operands: picks int/float/byte/string opcodes)
//   CallExpr          fn (the user function called)
//   VmCallExpr        target (builtin | native), argTypes, targetType (receive, call), msgType (send, send_after, call, reply),
//                     spawnFn (spawn / spawn_link / start_child)
//   MethodExpr        key ("string.trim"), receiverTy, targetType (into), msgType (p.send),
//                     inPlace (write the result / mutated value back to the receiver place)
//   LetStmt / Param   binding
//   ForStmt           itemBinding, iterKind, writesBack, collectionBinding, indexBinding
//   ReceiveArm        type, binding
//   FnDecl / Program.main: locals (declaration order, params first), ret, mayReturnError
//
// Errors as values (docs/architecture.md): an operand, argument, condition, index, message,
// collection element or handler default whose `mayError` is true is a *use* and needs a
// CheckError; a `let` initializer, an assignment to a variable and `return` capture the error
// (store it); `is error` tests it; a HandleExpr resolves it. Two operand positions are NOT
// uses: the operand of `is`, and the receiver of `error.message` / `error.code` (MethodExpr
// with key "error.message"/"error.code": the receiver is the error value itself).
//
// Typing notes for code generation: an IntExpr's `ty` may be `byte` (a literal where a byte
// was expected); a `vm.error(...)` call's `ty` is the type expected where it stands (it is
// always an error value); a `vm.receive` / `into()` result type is its `targetType`.

import type { Type } from "../bytecode/types.js";
import type { Span } from "../diag/diagnostic.js";
import type { BuiltinSig } from "./builtins.js";
import type { NativeSpec } from "../vm/native-api.js";

export type { Span };

/** A variable slot: a parameter, a `let`, a for-loop item, or a hidden loop temporary. */
export interface LocalBinding {
  /** Unique within its function (main included); equal to its index in that function's `locals`. */
  id: number;
  name: string;
  type: Type;
  /** Flow-insensitive: some value stored into it may be an error. Parameters never are. */
  mayError: boolean;
  kind: "param" | "let" | "item" | "hidden";
  span: Span;
}

// ---------------------------------------------------------------- types as written

export type TypeNode =
  | { kind: "named"; name: string; span: Span }
  | { kind: "vector"; elem: TypeNode; span: Span }
  | { kind: "array"; elem: TypeNode; length: number; span: Span }
  | { kind: "slice"; elem: TypeNode; length: number; span: Span }
  | { kind: "tuple"; elems: TypeNode[]; span: Span };

// ---------------------------------------------------------------- expressions

export interface ExprBase {
  span: Span;
  /** checker: the static type. */
  ty: Type;
  /** checker: may this value be an error at run time? */
  mayError: boolean;
}

export interface IntExpr extends ExprBase {
  kind: "int";
  /** Already negated when written `-5` (the parser folds a minus into a literal). */
  value: number;
}
export interface FloatExpr extends ExprBase {
  kind: "float";
  value: number;
}
export interface CharExpr extends ExprBase {
  kind: "char";
  /** Unicode code point. */
  value: number;
}
export interface StringExpr extends ExprBase {
  kind: "string";
  value: string;
}
export interface BoolExpr extends ExprBase {
  kind: "bool";
  value: boolean;
}
export interface NullExpr extends ExprBase {
  kind: "null";
}
export interface IdentExpr extends ExprBase {
  kind: "ident";
  name: string;
  /** checker: the local it reads. */
  binding: LocalBinding | null;
  /** checker: a top-level function named as a value (only allowed as vm.spawn's `f`). */
  fn: FnDecl | null;
}
export interface UnaryExpr extends ExprBase {
  kind: "unary";
  op: "-" | "!";
  operand: Expr;
}
export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | ">"
  | "<="
  | ">="
  | "|"
  | "^"
  | "&"
  | "<<"
  | ">>"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**";
export interface BinaryExpr extends ExprBase {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
  /** checker: the type of both operands (the result type differs for comparisons). */
  operandTy: Type;
}
/** `x is error` (the only `is` test Kaylee has). */
export interface IsExpr extends ExprBase {
  kind: "is";
  operand: Expr;
  typeNode: TypeNode;
}
/** A call of a top-level user function: `name(args)`. */
export interface CallExpr extends ExprBase {
  kind: "call";
  name: string;
  nameSpan: Span;
  args: Expr[];
  /** checker */
  fn: FnDecl | null;
}
export type VmTarget = { kind: "builtin"; sig: BuiltinSig } | { kind: "native"; spec: NativeSpec };
/** `vm.name(args)`. */
export interface VmCallExpr extends ExprBase {
  kind: "vmcall";
  name: string;
  nameSpan: Span;
  args: Expr[];
  /** checker: what is called. */
  target: VmTarget | null;
  /** checker: static type of every argument (print/println/send need them). For spawn-like calls, the f slot holds f's fn type. */
  argTypes: Type[];
  /** checker: vm.receive's target type (the type selective receive matches). */
  targetType: Type | null;
  /** checker: vm.send's message type (its key travels with the message). */
  msgType: Type | null;
  /** checker: the function started by vm.spawn / vm.spawn_link / vm.start_child. */
  spawnFn: FnDecl | null;
}
/** `receiver.name(args)`: a method on a type. */
export interface MethodExpr extends ExprBase {
  kind: "method";
  receiver: Expr;
  name: string;
  nameSpan: Span;
  args: Expr[];
  /** checker: `"string.trim"`, `"vector.push"`, `"error.message"`... (a builtins.ts METHODS key). */
  key: string;
  /** checker: the receiver's static type (`error` for message()/code() in an `is error` block). */
  receiverTy: Type;
  /** checker: into()'s target type. */
  targetType: Type | null;
  /** checker: p.send(msg)'s message type. */
  msgType: Type | null;
  /**
   * checker: the call changes the receiver *place* (a variable, `v[i]` or `t.0` chain rooted
   * at a local). True for vector mutators (push pop insert remove clear reverse sort) on a
   * place, and for string reverse/trim/clean/upper/lower/push used as an expression statement
   * on a place. Code generation must store the new value back into `receiver`.
   */
  inPlace: boolean;
}
export interface IndexExpr extends ExprBase {
  kind: "index";
  object: Expr;
  index: Expr;
}
/** Tuple field `t.0`. */
export interface FieldExpr extends ExprBase {
  kind: "field";
  object: Expr;
  index: number;
}
/** `[a, b, c]`: ty is vector[T] or array[T; N], decided by the expected type. */
export interface ListExpr extends ExprBase {
  kind: "list";
  elements: Expr[];
}
export interface TupleExpr extends ExprBase {
  kind: "tuple";
  elements: Expr[];
}
export type Handler =
  | { kind: "panic"; message: Expr | null; span: Span }
  | { kind: "message"; message: Expr; span: Span }
  | { kind: "default"; value: Expr; span: Span };
/**
 * `expr{panic}`, `expr{panic: m}`, `expr{message: m}`, `expr{default: e}`. Faults raised while
 * evaluating `expr` and an error value it yields are both caught. mayError is false except for
 * `{message: m}`. The default value is a use (checked like an argument).
 */
export interface HandleExpr extends ExprBase {
  kind: "handle";
  expr: Expr;
  handler: Handler;
}

export type Expr =
  | IntExpr
  | FloatExpr
  | CharExpr
  | StringExpr
  | BoolExpr
  | NullExpr
  | IdentExpr
  | UnaryExpr
  | BinaryExpr
  | IsExpr
  | CallExpr
  | VmCallExpr
  | MethodExpr
  | IndexExpr
  | FieldExpr
  | ListExpr
  | TupleExpr
  | HandleExpr;

// ---------------------------------------------------------------- statements

export interface Block {
  span: Span;
  stmts: Stmt[];
}

export interface LetStmt {
  kind: "let";
  span: Span;
  name: string;
  nameSpan: Span;
  annot: TypeNode | null;
  init: Expr | null;
  /** checker */
  binding: LocalBinding | null;
}
export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "**=" | "<<=" | ">>=" | "|=" | "&=" | "^=";
/** `place op value;` where place is a variable, `a[i]` or `t.0` (chains allowed). */
export interface AssignStmt {
  kind: "assign";
  span: Span;
  target: Expr;
  op: AssignOp;
  value: Expr;
}
export interface IncDecStmt {
  kind: "incdec";
  span: Span;
  target: Expr;
  op: "++" | "--";
}
export interface ExprStmt {
  kind: "expr";
  span: Span;
  expr: Expr;
}
export interface IfStmt {
  kind: "if";
  span: Span;
  cond: Expr;
  then: Block;
  /** `else if (...) {...}` is an else block holding just that IfStmt (span = the inner if's). */
  else: Block | null;
}
/**
 * An `if` and its `else if` arms as a list, so that passes walk a chain of any length with a
 * loop rather than host recursion: `arms` are the ifs of the chain (the first is `s`), `last`
 * the final `else` block or null. An else block holding just one `if` continues the chain.
 */
export function ifChain(s: IfStmt): { arms: IfStmt[]; last: Block | null } {
  const arms: IfStmt[] = [s];
  let cur = s;
  while (cur.else && cur.else.stmts.length === 1 && cur.else.stmts[0].kind === "if") {
    cur = cur.else.stmts[0];
    arms.push(cur);
  }
  return { arms, last: cur.else };
}

export interface LoopStmt {
  kind: "loop";
  span: Span;
  body: Block;
}
export interface ForStmt {
  kind: "for";
  span: Span;
  item: string;
  itemSpan: Span;
  iterable: Expr;
  body: Block;
  /** checker: the item variable. */
  itemBinding: LocalBinding | null;
  /** checker */
  iterKind: "vector" | "array" | "string" | "slice";
  /**
   * checker: the body writes to the item (assignment, `++`, compound assignment, element or
   * field store, in-place method) and the iterable is a place or a slice (a view of linear
   * memory): after each pass store the item back into `iterable[index]` (for a string,
   * replace that character; for a slice, write the byte).
   */
  writesBack: boolean;
  /** checker: hidden locals for the loop: a copy of the collection (or the place itself) and the index. */
  collectionBinding: LocalBinding | null;
  indexBinding: LocalBinding | null;
}
export interface BreakStmt {
  kind: "break";
  span: Span;
}
export interface ContinueStmt {
  kind: "continue";
  span: Span;
}
export interface ReturnStmt {
  kind: "return";
  span: Span;
  value: Expr | null;
}
export interface BlockStmt {
  kind: "block";
  span: Span;
  body: Block;
}
/** `name: T => { ... }` in a receive { }: takes a message of type T into `name` (scoped to the arm). */
export interface ReceiveArm {
  span: Span;
  name: string;
  nameSpan: Span;
  annot: TypeNode;
  body: Block;
  /** checker: the message type. */
  type: Type;
  /** checker: the arm's variable. */
  binding: LocalBinding | null;
}
/** `after ms => { ... }`: runs when no message of the arms' types came within ms. */
export interface AfterClause {
  span: Span;
  /** The `after` word. */
  kwSpan: Span;
  ms: Expr;
  body: Block;
}
/**
 * `receive { arm... [after ms => { }] }`: the oldest message whose type matches any arm, into
 * that arm's variable, then that arm's body; without `after` it waits for ever.
 */
export interface ReceiveStmt {
  kind: "receive";
  span: Span;
  /** The `receive` word. */
  kwSpan: Span;
  arms: ReceiveArm[];
  after: AfterClause | null;
}

export type Stmt = LetStmt | AssignStmt | IncDecStmt | ExprStmt | IfStmt | LoopStmt | ForStmt | BreakStmt | ContinueStmt | ReturnStmt | BlockStmt | ReceiveStmt;

// ---------------------------------------------------------------- functions and program

export interface Param {
  name: string;
  span: Span;
  annot: TypeNode;
  /** checker */
  binding: LocalBinding | null;
}

export interface FnDecl {
  kind: "fn";
  /** From the `fn` keyword to the closing brace. */
  span: Span;
  /** The `fn` keyword. */
  fnSpan: Span;
  name: string;
  nameSpan: Span;
  params: Param[];
  retAnnot: TypeNode | null;
  body: Block;
  /** checker: parameter types, return type (null when omitted). */
  paramTypes: Type[];
  ret: Type;
  /** checker: every binding of the function, parameters first, in declaration order (index = id). */
  locals: LocalBinding[];
  /** checker: some `return` may pass an error value out. */
  mayReturnError: boolean;
}

/** The main program: the top-level statements, run as a function named `main`. */
export interface MainFn {
  name: "main";
  span: Span;
  body: Stmt[];
  /** checker */
  locals: LocalBinding[];
  mayReturnError: boolean;
}

export type Item = FnDecl | Stmt;

export interface Program {
  file: string;
  /** Everything at top level in source order. */
  items: Item[];
  /** The top-level functions in source order. */
  functions: FnDecl[];
  /** The top-level statements. */
  main: MainFn;
}
