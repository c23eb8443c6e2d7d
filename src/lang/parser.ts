// The Kaylee parser: tokens -> AST (ast.ts). A Pratt parser driven by a rule table indexed by
// token kind (clox's `rules[]`), with panic-mode recovery: a syntax error records one
// diagnostic and unwinds to the enclosing statement list, which skips to a statement boundary
// (`;`, a statement keyword, a block's `}`) and carries on, so every broken statement is
// reported once and the rest of the file is still parsed.
//
// `receive { name: T => { } ... after ms => { } }` is a statement when `receive` (an
// ordinary name elsewhere: `vm.receive()`) starts a statement and a `{` follows it; inside
// it, `after` not followed by `:` starts the timeout clause.
//
// Precedence (SPEC §2, low to high): `||`; `&&`; `!`; `== != < > <= >= is`; `|`; `^`; `&`;
// `<< >>`; `+ -`; `* / %`; `**` (right-assoc); unary `-`; postfix call/index/method/`.0`/handler.
// Nesting is limited (MAX_DEPTH) so that hostile input gets a diagnostic, not a RangeError.

import { T } from "../bytecode/types.js";
import { K, type Titled } from "../diag/codes.js";
import { diagnostic, type Diagnostic, type Span } from "../diag/diagnostic.js";
import { LineIndex } from "../diag/position.js";
import type {
  AfterClause,
  AssignOp,
  BinaryOp,
  Block,
  Expr,
  FnDecl,
  Handler,
  IfStmt,
  Item,
  Param,
  Program,
  ReceiveArm,
  ReceiveStmt,
  Stmt,
  TypeNode,
} from "./ast.js";
import { lex } from "./lexer.js";
import { describeKind, type Token, type TokenKind } from "./token.js";

export const MAX_DEPTH = 256;

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
  /** The tree is whole: no syntax error and no swallowed input (lexical errors such as a bad
   *  escape still produce a token), so the checker can run and report type errors too. */
  complete: boolean;
}

const enum Prec {
  None = 0,
  Or = 1,
  And = 2,
  Not = 3,
  Comparison = 4,
  BitOr = 5,
  BitXor = 6,
  BitAnd = 7,
  Shift = 8,
  Term = 9,
  Factor = 10,
  Power = 11,
  Unary = 12,
  Postfix = 13,
}

type PrefixFn = (p: Parser, tok: Token) => Expr;
type InfixFn = (p: Parser, left: Expr, tok: Token) => Expr;
interface Rule {
  prefix?: PrefixFn;
  infix?: InfixFn;
  prec: Prec;
}

/** Thrown to unwind to the statement list after a syntax error has been recorded. */
class SyntaxErrorSignal {}
const SIGNAL = new SyntaxErrorSignal();

const STATEMENT_START = new Set<TokenKind>(["let", "fn", "if", "loop", "for", "return", "break", "continue"]);

/** Tokens that can follow a `while` written without parentheses (`while x < 3 {`, `while true {`). */
const WHILE_FOLLOWERS = new Set<TokenKind>(["ident", "int", "float", "true", "false", "!", "{", "vm"]);

const ASSIGN_OPS = new Set<TokenKind>(["=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", "|=", "&=", "^="]);

function sp(start: number, end: number): Span {
  return { start, end };
}

function exprBase(span: Span) {
  return { span, ty: T.null, mayError: false };
}

// ------------------------------------------------------------------------ rule table

const binary =
  (prec: Prec, rightAssoc = false): InfixFn =>
  (p, left, tok) => {
    const right = p.parsePrecedence(rightAssoc ? prec : ((prec + 1) as Prec));
    return {
      kind: "binary",
      op: tok.kind as BinaryOp,
      left,
      right,
      operandTy: T.null,
      ...exprBase(sp(left.span.start, right.span.end)),
    };
  };

const literal: PrefixFn = (p, tok) => {
  const span = sp(tok.start, tok.end);
  switch (tok.kind) {
    case "int":
      return { kind: "int", value: tok.value as number, ...exprBase(span) };
    case "float":
      return { kind: "float", value: tok.value as number, ...exprBase(span) };
    case "char":
      return { kind: "char", value: tok.value as number, ...exprBase(span) };
    case "string":
      return { kind: "string", value: tok.value as string, ...exprBase(span) };
    case "true":
    case "false":
      return { kind: "bool", value: tok.kind === "true", ...exprBase(span) };
    default:
      return { kind: "null", ...exprBase(span) };
  }
};

const identifier: PrefixFn = (p, tok) => {
  const name = p.text(tok);
  const nameSpan = sp(tok.start, tok.end);
  if (p.check("(")) {
    const args = p.args();
    return { kind: "call", name, nameSpan, args, fn: null, ...exprBase(sp(tok.start, p.prevEnd())) };
  }
  return { kind: "ident", name, binding: null, fn: null, ...exprBase(nameSpan) };
};

const vmCall: PrefixFn = (p, tok) => {
  if (!p.check(".")) p.fail(tok, K.vmNotValue(), "`vm` is only used to call its functions", "call one, e.g. vm.println(x)");
  p.next();
  const nameTok = p.expect("ident", "a vm function name");
  if (!p.check("(")) p.fail(nameTok, K.vmNotCalled(), "this needs arguments in parentheses", `write vm.${p.text(nameTok)}(...)`);
  const args = p.args();
  return {
    kind: "vmcall",
    name: p.text(nameTok),
    nameSpan: sp(nameTok.start, nameTok.end),
    args,
    target: null,
    argTypes: [],
    targetType: null,
    msgType: null,
    spawnFn: null,
    ...exprBase(sp(tok.start, p.prevEnd())),
  };
};

const grouping: PrefixFn = (p, tok) => {
  if (p.check(")")) p.fail(p.peek(), K.emptyParens(), "expected an expression here", "`()` is not a value; use null for nothing");
  const first = p.expression();
  if (p.match(",")) {
    const elements = [first];
    while (!p.check(")") && !p.check("eof")) {
      elements.push(p.expression());
      if (!p.match(",")) break;
    }
    p.expect(")", "`)` to close the tuple");
    return { kind: "tuple", elements, ...exprBase(sp(tok.start, p.prevEnd())) };
  }
  p.expect(")", "`)`");
  first.span = sp(tok.start, p.prevEnd()); // the parentheses belong to the expression
  return first;
};

const list: PrefixFn = (p, tok) => {
  const elements: Expr[] = [];
  while (!p.check("]") && !p.check("eof")) {
    elements.push(p.expression());
    if (!p.match(",")) break;
  }
  p.expect("]", "`]` to close the list");
  return { kind: "list", elements, ...exprBase(sp(tok.start, p.prevEnd())) };
};

const unary: PrefixFn = (p, tok) => {
  if (tok.kind === "!") {
    // `!` binds looser than comparison: `!a > 0` is `!(a > 0)`.
    const operand = p.parsePrecedence(Prec.Comparison);
    return { kind: "unary", op: "!", operand, ...exprBase(sp(tok.start, operand.span.end)) };
  }
  // Unary `-` binds tighter than `**` (SPEC §2): `-x ** 2` is `(-x) ** 2`.
  // `-` written straight before a number makes a negative literal (so -2147483648 fits); in
  // front of anything else — `-(-2147483648)` — it is the operator, which may overflow.
  const literal = p.peek().kind === "int" || p.peek().kind === "float";
  const operand = p.parsePrecedence(Prec.Unary);
  const span = sp(tok.start, operand.span.end);
  if (literal && (operand.kind === "int" || operand.kind === "float")) {
    return { ...operand, value: -operand.value, span };
  }
  return { kind: "unary", op: "-", operand, ...exprBase(span) };
};

const isTest: InfixFn = (p, left, _tok) => {
  const typeNode = p.type();
  return { kind: "is", operand: left, typeNode, ...exprBase(sp(left.span.start, typeNode.span.end)) };
};

const badCall: InfixFn = (p, left, tok) => {
  return p.fail(tok, K.callNotNamed(), "this is not a function name", "call a top-level function by its name: f(x)");
};

const index: InfixFn = (p, left, _tok) => {
  const idx = p.expression();
  p.expect("]", "`]` to close the index");
  return { kind: "index", object: left, index: idx, ...exprBase(sp(left.span.start, p.prevEnd())) };
};

const dot: InfixFn = (p, left, tok) => {
  const t = p.peek();
  if (t.kind === ".") {
    // `a..b`: written out with its own bounds where they are plain numbers or names.
    const bound = (span: Span, fallback: string) => {
      const text = p.spanText(span);
      return /^[A-Za-z_0-9]{1,20}$/.test(text) ? text : fallback;
    };
    const whole = ["{", ";", ")", "]", ",", "eof"].includes(p.peek(2).kind);
    const [from, to] = [bound(left.span, "0"), whole ? bound(p.peek(1), "n") : "n"];
    p.failAt(sp(tok.start, t.end), K.noRanges(), "`..` is not an operator", `let i = ${from}; loop { if (i == ${to}) { break; } ... i++; }`);
  }
  if (t.kind === "int") {
    p.next();
    const text = p.text(t);
    if (!/^[0-9]+$/.test(text)) p.fail(t, K.badTupleField(), "a tuple field is a plain number", "write t.0, t.1, ...");
    return { kind: "field", object: left, index: Number(text), ...exprBase(sp(left.span.start, t.end)) };
  }
  const nameTok = p.expect("ident", "a method name or tuple field number");
  if (!p.check("(")) {
    p.fail(nameTok, K.methodNotCalled(), `\`${p.text(nameTok)}\` is not a field`, `call it: .${p.text(nameTok)}()`);
  }
  const args = p.args();
  return {
    kind: "method",
    receiver: left,
    name: p.text(nameTok),
    nameSpan: sp(nameTok.start, nameTok.end),
    args,
    key: "",
    receiverTy: T.null,
    targetType: null,
    msgType: null,
    inPlace: false,
    ...exprBase(sp(left.span.start, p.prevEnd())),
  };
};

const handler: InfixFn = (p, left, open) => {
  const kw = p.next();
  const word = p.text(kw);
  let h: Handler;
  if (word === "panic") {
    const message = p.match(":") ? p.expression() : null;
    p.expect("}", "`}` to close the handler");
    h = { kind: "panic", message, span: sp(open.start, p.prevEnd()) };
  } else {
    if (!p.check(":")) {
      const at = p.peek();
      p.skipPast("}"); // the handler's own `}`: recovery goes on after it, not at it
      p.fail(at, K.handlerNeedsValue({ WORD: word }), "expected `:` here", `write {${word}: ${word === "message" ? '"text"' : "value"}}`);
    }
    p.next();
    const e = p.expression();
    p.expect("}", "`}` to close the handler");
    h = word === "message" ? { kind: "message", message: e, span: sp(open.start, p.prevEnd()) } : { kind: "default", value: e, span: sp(open.start, p.prevEnd()) };
  }
  return { kind: "handle", expr: left, handler: h, ...exprBase(sp(left.span.start, p.prevEnd())) };
};

const RULES: Partial<Record<TokenKind, Rule>> = {
  int: { prefix: literal, prec: Prec.None },
  float: { prefix: literal, prec: Prec.None },
  char: { prefix: literal, prec: Prec.None },
  string: { prefix: literal, prec: Prec.None },
  true: { prefix: literal, prec: Prec.None },
  false: { prefix: literal, prec: Prec.None },
  null: { prefix: literal, prec: Prec.None },
  ident: { prefix: identifier, prec: Prec.None },
  vm: { prefix: vmCall, prec: Prec.None },
  "(": { prefix: grouping, infix: badCall, prec: Prec.Postfix },
  "[": { prefix: list, infix: index, prec: Prec.Postfix },
  ".": { infix: dot, prec: Prec.Postfix },
  "{": { infix: handler, prec: Prec.Postfix }, // only when isHandlerStart(); see infixPrec
  "!": { prefix: unary, prec: Prec.None },
  "-": { prefix: unary, infix: binary(Prec.Term), prec: Prec.Term },
  "+": { infix: binary(Prec.Term), prec: Prec.Term },
  "*": { infix: binary(Prec.Factor), prec: Prec.Factor },
  "/": { infix: binary(Prec.Factor), prec: Prec.Factor },
  "%": { infix: binary(Prec.Factor), prec: Prec.Factor },
  "**": { infix: binary(Prec.Power, true), prec: Prec.Power },
  "<<": { infix: binary(Prec.Shift), prec: Prec.Shift },
  ">>": { infix: binary(Prec.Shift), prec: Prec.Shift },
  "&": { infix: binary(Prec.BitAnd), prec: Prec.BitAnd },
  "^": { infix: binary(Prec.BitXor), prec: Prec.BitXor },
  "|": { infix: binary(Prec.BitOr), prec: Prec.BitOr },
  "==": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  "!=": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  "<": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  ">": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  "<=": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  ">=": { infix: binary(Prec.Comparison), prec: Prec.Comparison },
  is: { infix: isTest, prec: Prec.Comparison },
  "&&": { infix: binary(Prec.And), prec: Prec.And },
  "||": { infix: binary(Prec.Or), prec: Prec.Or },
};

// ------------------------------------------------------------------------ parser

export class Parser {
  private pos = 0;
  private depth = 0;
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly file: string,
  ) {}

  // -- token helpers
  peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }
  prev(): Token {
    return this.tokens[Math.max(0, this.pos - 1)]!;
  }
  prevEnd(): number {
    return this.prev().end;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  check(k: TokenKind): boolean {
    return this.peek().kind === k;
  }
  match(k: TokenKind): boolean {
    if (!this.check(k)) return false;
    this.next();
    return true;
  }
  text(t: Token): string {
    return this.source.slice(t.start, t.end);
  }
  spanText(s: Span): string {
    return this.source.slice(s.start, s.end);
  }
  expect(k: TokenKind, what: string): Token {
    if (this.check(k)) return this.next();
    const t = this.peek();
    if (k === ";" || k === ")" || k === "]") {
      // Point just after the previous token: that is where the missing `;` belongs.
      const at = this.pos > 0 ? this.prevEnd() : t.start;
      return this.failAt(sp(at, at), K.missingToken({ WHAT: what }), `expected ${what} here`, k === ";" ? "statements end with `;`" : undefined);
    }
    return this.fail(t, K.unexpectedToken({ WHAT: what, FOUND: describeKind(t.kind) }), `expected ${what}`);
  }
  /** Skips to just past the next `close` on the way (stopping at a `;` or `{` first, or the end). */
  skipPast(close: "}" | "]"): void {
    while (!this.check("eof") && !this.check(";") && !this.check("{")) {
      if (this.next().kind === close) return;
    }
  }
  fail(t: Token, title: Titled, msg: string, hint?: string): never {
    return this.failAt(sp(t.start, t.end), title, msg, hint);
  }
  failAt(span: Span, title: Titled, msg: string, hint?: string): never {
    this.report(span, title, msg, hint);
    throw SIGNAL;
  }
  /** A syntax error that needs no recovery: parsing goes on where it is. */
  report(span: Span, title: Titled, msg: string, hint?: string): void {
    this.diagnostics.push(diagnostic(this.file, title, span, msg, hint));
  }
  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) {
      this.fail(t, K.nestingTooDeep(), `more than ${MAX_DEPTH} levels of nesting`, "split this into smaller expressions or functions");
    }
  }

  // -- program
  parseProgram(): Program {
    const items: Item[] = [];
    const functions: FnDecl[] = [];
    const main: Stmt[] = [];
    while (!this.check("eof")) {
      const start = this.pos;
      const depth = this.depth;
      try {
        if (this.check("fn")) {
          const f = this.fnDecl();
          items.push(f);
          functions.push(f);
        } else if (this.check("}")) {
          this.fail(this.peek(), K.unexpectedCloseBrace(), "this `}` closes nothing", "check that the braces match");
        } else {
          const s = this.statement();
          items.push(s);
          main.push(s);
        }
      } catch (e) {
        if (e !== SIGNAL) throw e;
        this.depth = depth;
        this.synchronize(start);
      }
    }
    const end = this.source.length;
    return { file: this.file, items, functions, main: { name: "main", span: sp(0, end), body: main, locals: [], mayReturnError: false } };
  }

  /** Skips to a statement boundary after a syntax error (panic-mode recovery). */
  private synchronize(startPos: number): void {
    if (this.pos === startPos) this.next(); // always make progress
    while (!this.check("eof")) {
      if (this.prev().kind === ";" && this.pos > startPos) return;
      const k = this.peek().kind;
      if (STATEMENT_START.has(k) || k === "}") return;
      if (k === "{") {
        this.skipBalanced();
        return;
      }
      this.next();
    }
  }
  private skipBalanced(): void {
    let depth = 0;
    while (!this.check("eof")) {
      const k = this.next().kind;
      if (k === "{") depth++;
      else if (k === "}" && --depth <= 0) return;
    }
  }

  private fnDecl(): FnDecl {
    const fnTok = this.next();
    const nameTok = this.expect("ident", "a function name");
    this.expect("(", "`(` to start the parameters");
    const params: Param[] = [];
    while (!this.check(")") && !this.check("eof")) {
      const pTok = this.expect("ident", "a parameter name");
      if (!this.check(":")) this.fail(this.peek(), K.paramNeedsType(), "expected `:` and a type", `write ${this.text(pTok)}: integer`);
      this.next();
      const annot = this.type();
      params.push({ name: this.text(pTok), span: sp(pTok.start, pTok.end), annot, binding: null });
      if (!this.match(",")) break;
    }
    this.expect(")", "`)` to close the parameters");
    const retAnnot = this.match("->") ? this.type() : null;
    if (!this.check("{")) this.fail(this.peek(), K.unexpectedToken({ WHAT: "`{`", FOUND: describeKind(this.peek().kind) }), "expected the function body");
    const body = this.block();
    return {
      kind: "fn",
      span: sp(fnTok.start, body.span.end),
      fnSpan: sp(fnTok.start, fnTok.end),
      name: this.text(nameTok),
      nameSpan: sp(nameTok.start, nameTok.end),
      params,
      retAnnot,
      body,
      paramTypes: [],
      ret: T.null,
      locals: [],
      mayReturnError: false,
    };
  }

  /** `{ stmt* }` with recovery inside: a broken statement does not lose the rest of the block. */
  block(): Block {
    const open = this.expect("{", "`{`");
    this.enter(open);
    const stmts: Stmt[] = [];
    while (!this.check("}") && !this.check("eof")) {
      const start = this.pos;
      const depth = this.depth;
      try {
        if (this.check("fn")) this.fail(this.peek(), K.nestedFunction(), "a function cannot be declared inside a block", "move this function to the top level of the file");
        stmts.push(this.statement());
      } catch (e) {
        if (e !== SIGNAL) throw e;
        this.depth = depth;
        this.synchronize(start);
      }
    }
    this.depth--;
    if (!this.check("}")) this.failAt(sp(open.start, open.end), K.unclosed({ WHAT: "block" }), "this `{` is never closed", "add a `}`");
    this.next();
    return { span: sp(open.start, this.prevEnd()), stmts };
  }

  statement(): Stmt {
    const t = this.peek();
    switch (t.kind) {
      case "let":
        return this.letStmt();
      case "if":
        return this.ifStmt();
      case "loop": {
        this.next();
        const body = this.block();
        return { kind: "loop", span: sp(t.start, body.span.end), body };
      }
      case "for":
        return this.forStmt();
      case "break":
      case "continue": {
        this.next();
        this.expect(";", "`;`");
        return { kind: t.kind, span: sp(t.start, this.prevEnd()) };
      }
      case "return": {
        this.next();
        const value = this.check(";") ? null : this.expression();
        this.expect(";", "`;`");
        return { kind: "return", span: sp(t.start, this.prevEnd()), value };
      }
      case "{": {
        const body = this.block();
        return { kind: "block", span: body.span, body };
      }
      case "else":
        return this.fail(t, K.elseWithoutIf(), "this `else` follows no `if` block");
      default:
        if (t.kind === "ident" && this.text(t) === "while") this.noWhile(t);
        if (t.kind === "ident" && this.peek(1).kind === "{" && this.text(t) === "receive") return this.receiveStmt();
        return this.simpleStmt();
    }
  }

  /**
   * `while (cond) { }` (or `while cond { }`) where a statement starts: Kaylee has no `while`
   * ("work out the iterations yourself"), and says so. A statement `while(x);` calling a
   * function named `while` is left alone.
   */
  private noWhile(t: Token): void {
    const after = this.peek(1);
    if (after.kind !== "(" && !WHILE_FOLLOWERS.has(after.kind)) return;
    // The condition runs to the body's `{` (after the parentheses, when it has them).
    let depth = 0;
    let k = 1;
    for (; ; k++) {
      const kind = this.peek(k).kind;
      if (kind === "eof" || kind === ";" || (kind === "{" && depth === 0)) break;
      if (kind === "(") depth++;
      else if (kind === ")" && --depth === 0 && after.kind === "(") {
        k++;
        break;
      }
    }
    if (after.kind === "(" && this.peek(k).kind !== "{") return;
    let cond = this.source.slice(after.start, this.peek(k).start).trim();
    if (after.kind === "(") cond = cond.slice(1, -1).trim();
    const hint =
      cond === "true" ? "write: loop { ... }" : `write: loop { if (!(${cond.length > 0 && cond.length <= 40 && !cond.includes("\n") ? cond : "condition"})) { break; } ... }`;
    this.fail(t, K.noWhile(), "`while` is not a keyword", hint);
  }

  /** `receive { name: T => { } ... [after ms => { }] }`, with recovery arm by arm. */
  private receiveStmt(): ReceiveStmt {
    const kw = this.next();
    const kwSpan = sp(kw.start, kw.end);
    const open = this.next();
    this.enter(open);
    const arms: ReceiveArm[] = [];
    let after: AfterClause | null = null;
    let clauses = 0;
    while (!this.check("}") && !this.check("eof")) {
      const depth = this.depth;
      clauses++;
      try {
        const t = this.peek();
        if (t.kind === "ident" && this.text(t) === "after" && this.peek(1).kind !== ":") {
          const clause = this.afterClause();
          if (after) this.report(clause.kwSpan, K.secondAfter(), "a receive has at most one `after` clause", "keep one timeout");
          else after = clause;
          continue;
        }
        const arm = this.receiveArm();
        if (after) this.report(arm.nameSpan, K.armAfterAfter(), "`after` must be the last clause of a receive", "move the `after` clause to the end");
        arms.push(arm);
      } catch (e) {
        if (e !== SIGNAL) throw e;
        this.depth = depth;
        this.skipArm();
      }
    }
    this.depth--;
    if (!this.check("}")) this.failAt(sp(open.start, open.end), K.unclosed({ WHAT: "receive" }), "this `{` is never closed", "add a `}`");
    this.next();
    if (clauses === 0) {
      this.report(kwSpan, K.emptyReceive(), "this receive would wait forever for nothing", "add an arm, e.g. msg: string => { ... }, or `after ms => { ... }`");
    }
    return { kind: "receive", span: sp(kw.start, this.prevEnd()), kwSpan, arms, after };
  }

  private receiveArm(): ReceiveArm {
    const nameTok = this.peek();
    if (nameTok.kind !== "ident") {
      this.fail(nameTok, K.unexpectedToken({ WHAT: "an arm of the receive", FOUND: describeKind(nameTok.kind) }), "expected `name: type => { ... }` or `after ms => { ... }`", nameTok.kind === "vm" ? "`vm` is reserved" : undefined);
    }
    this.next();
    const name = this.text(nameTok);
    if (!this.check(":")) this.fail(this.peek(), K.armNeedsType(), "expected `:` and the message type", `write ${name}: integer => { ... }`);
    this.next();
    const annot = this.type();
    this.expect("=>", "`=>`");
    if (!this.check("{")) this.fail(this.peek(), K.unexpectedToken({ WHAT: "`{`", FOUND: describeKind(this.peek().kind) }), "expected the arm's block");
    const body = this.block();
    return { span: sp(nameTok.start, body.span.end), name, nameSpan: sp(nameTok.start, nameTok.end), annot, body, type: T.null, binding: null };
  }

  private afterClause(): AfterClause {
    const kw = this.next();
    const ms = this.expression();
    this.expect("=>", "`=>`");
    if (!this.check("{")) this.fail(this.peek(), K.unexpectedToken({ WHAT: "`{`", FOUND: describeKind(this.peek().kind) }), "expected the `after` clause's block");
    const body = this.block();
    return { span: sp(kw.start, body.span.end), kwSpan: sp(kw.start, kw.end), ms, body };
  }

  /** After a broken arm: on to the end of its block (or of the receive). */
  private skipArm(): void {
    while (!this.check("eof") && !this.check("}")) {
      if (this.check("{")) {
        this.skipBalanced();
        return;
      }
      this.next();
    }
  }

  private letStmt(): Stmt {
    const letTok = this.next();
    const nameTok = this.peek();
    if (nameTok.kind !== "ident") {
      this.fail(nameTok, K.unexpectedToken({ WHAT: "a variable name", FOUND: describeKind(nameTok.kind) }), "expected a name", nameTok.kind === "vm" ? "`vm` is reserved" : undefined);
    }
    this.next();
    const annot = this.match(":") ? this.type() : null;
    let init: Expr | null = null;
    if (this.match("=")) init = this.expression();
    else if (!this.check(";")) this.fail(this.peek(), K.unexpectedToken({ WHAT: "`=` or `;`", FOUND: describeKind(this.peek().kind) }), "expected `=` or `;`");
    this.expect(";", "`;`");
    return {
      kind: "let",
      span: sp(letTok.start, this.prevEnd()),
      name: this.text(nameTok),
      nameSpan: sp(nameTok.start, nameTok.end),
      annot,
      init,
      binding: null,
    };
  }

  /** `if (c) { } else if (c) { } ... else { }`: a chain of any length is one level of nesting. */
  private ifStmt(): IfStmt {
    this.enter(this.peek());
    const arms: { start: number; cond: Expr; then: Block }[] = [];
    let els: Block | null = null;
    for (;;) {
      const ifTok = this.next();
      if (!this.check("(")) {
        this.fail(this.peek(), K.conditionParens(), "expected `(` here", "Kaylee writes conditions in parentheses: if (x > 0) { }");
      }
      this.next();
      const cond = this.expression();
      this.expect(")", "`)` to close the condition");
      arms.push({ start: ifTok.start, cond, then: this.block() });
      if (!this.match("else")) break;
      if (!this.check("if")) {
        els = this.block();
        break;
      }
    }
    // `else if` is an else block holding just that if (ast.ts, ifChain), built from the end.
    let s: IfStmt | null = null;
    for (let i = arms.length - 1; i >= 0; i--) {
      const a = arms[i];
      const end = els ? els.span.end : a.then.span.end;
      s = { kind: "if", span: sp(a.start, end), cond: a.cond, then: a.then, else: els };
      els = { span: s.span, stmts: [s] };
    }
    this.depth--;
    return s!;
  }

  private forStmt(): Stmt {
    const forTok = this.next();
    const item = this.expect("ident", "the loop variable's name");
    this.expect("in", "`in`");
    const iterable = this.expression();
    const body = this.block();
    return {
      kind: "for",
      span: sp(forTok.start, body.span.end),
      item: this.text(item),
      itemSpan: sp(item.start, item.end),
      iterable,
      body,
      itemBinding: null,
      iterKind: "vector",
      writesBack: false,
      collectionBinding: null,
      indexBinding: null,
    };
  }

  private simpleStmt(): Stmt {
    const start = this.peek().start;
    const expr = this.expression();
    const t = this.peek();
    if (ASSIGN_OPS.has(t.kind)) {
      this.next();
      const value = this.expression();
      this.expect(";", "`;`");
      return { kind: "assign", span: sp(start, this.prevEnd()), target: expr, op: t.kind as AssignOp, value };
    }
    if (t.kind === "++" || t.kind === "--") {
      this.next();
      this.expect(";", "`;`");
      return { kind: "incdec", span: sp(start, this.prevEnd()), target: expr, op: t.kind };
    }
    this.expect(";", "`;`");
    return { kind: "expr", span: sp(start, this.prevEnd()), expr };
  }

  // -- expressions
  expression(): Expr {
    return this.parsePrecedence(Prec.Or);
  }

  parsePrecedence(prec: Prec): Expr {
    const tok = this.next();
    this.enter(tok);
    const rule = RULES[tok.kind];
    if (!rule?.prefix) {
      this.depth--;
      const hint = tok.kind === "++" || tok.kind === "--" ? `write x${tok.kind}; as a statement` : undefined;
      if (tok.kind === "eof") return this.failAt(sp(tok.start, tok.end), K.unexpectedEof(), "expected an expression", hint);
      return this.fail(tok, K.unexpectedToken({ WHAT: "an expression", FOUND: describeKind(tok.kind) }), "expected an expression", hint);
    }
    let left = rule.prefix(this, tok);
    let chain = 0;
    while (prec <= this.infixPrec()) {
      if (this.depth + ++chain > MAX_DEPTH) {
        this.fail(this.peek(), K.expressionTooLong(), `more than ${MAX_DEPTH} operations in one expression`, "split it with variables");
      }
      const t = this.next();
      left = RULES[t.kind]!.infix!(this, left, t);
    }
    this.depth--;
    return left;
  }

  private infixPrec(): Prec {
    const t = this.peek();
    if (t.kind === "{") return this.isHandlerStart() ? Prec.Postfix : Prec.None;
    const r = RULES[t.kind];
    return r?.infix ? r.prec : Prec.None;
  }

  /** `{` opens an error handler only as `{panic}`, `{panic:`, `{message:`, `{default:` (or `}`). */
  private isHandlerStart(): boolean {
    const a = this.peek(1);
    const b = this.peek(2);
    if (a.kind !== "ident") return false;
    const w = this.text(a);
    return (w === "panic" || w === "message" || w === "default") && (b.kind === ":" || b.kind === "}");
  }

  args(): Expr[] {
    this.expect("(", "`(`");
    const out: Expr[] = [];
    while (!this.check(")") && !this.check("eof")) {
      out.push(this.expression());
      if (!this.match(",")) break;
    }
    this.expect(")", "`)` to close the arguments");
    return out;
  }

  // -- types
  type(): TypeNode {
    const t = this.next();
    this.enter(t);
    let out: TypeNode;
    if (t.kind === "(") {
      const elems: TypeNode[] = [];
      while (!this.check(")") && !this.check("eof")) {
        elems.push(this.type());
        if (!this.match(",")) break;
      }
      this.expect(")", "`)` to close the tuple type");
      out = { kind: "tuple", elems, span: sp(t.start, this.prevEnd()) };
    } else if (t.kind === "null") {
      out = { kind: "named", name: "null", span: sp(t.start, t.end) };
    } else if (t.kind === "ident") {
      const name = this.text(t);
      if ((name === "vector" || name === "array" || name === "slice") && this.check("[")) {
        this.next();
        const elem = this.type();
        if (name === "vector") {
          this.expect("]", "`]`");
          out = { kind: "vector", elem, span: sp(t.start, this.prevEnd()) };
        } else {
          if (!this.check(";")) this.fail(this.peek(), K.typeNeedsLength({ NAME: name }), "expected `;` and a length", `write ${name}[integer; 3]`);
          this.next();
          const n = this.peek();
          if (n.kind !== "int" || !/^[0-9_]+$/.test(this.text(n))) {
            this.skipPast("]"); // the type's own `]`: its `;` is no statement's end to recover at
            this.fail(n, K.expectedLength(), "the length must be a whole number", `write ${name}[integer; 3]`);
          }
          this.next();
          this.expect("]", "`]`");
          out = { kind: name, elem, length: n.value as number, span: sp(t.start, this.prevEnd()) };
        }
      } else out = { kind: "named", name, span: sp(t.start, t.end) };
    } else {
      return this.fail(t, K.unexpectedToken({ WHAT: "a type", FOUND: describeKind(t.kind) }), "expected a type", "types are integer, float, byte, char, bool, string, vector[T], array[T; N], (T1, T2), ...");
    }
    this.depth--;
    return out;
  }
}

/** Lexes and parses a file. Never throws on bad input: every problem is a diagnostic. */
export function parse(source: string, file: string): ParseResult {
  const { tokens, diagnostics, swallowedFrom } = lex(source, file);
  const p = new Parser(tokens, source, file);
  const program = p.parseProgram();
  // After an unterminated string or comment, the rest of the file is noise: say nothing more.
  // A syntax error on a line with a lexical error is that error's echo (the bad characters
  // were dropped, or a char literal took the rest of the line): only the lexical one is said.
  if (diagnostics.length === 0 && p.diagnostics.length === 0) return { program, diagnostics: [], complete: swallowedFrom === null };
  const lines = new LineIndex(source);
  const lexLines = new Set(diagnostics.map((d) => lines.lineOf(d.labels[0]?.span.start ?? 0)));
  const syntax = p.diagnostics.filter((d) => {
    const at = d.labels[0]?.span.start ?? 0;
    return (swallowedFrom === null || at < swallowedFrom) && !lexLines.has(lines.lineOf(at));
  });
  return { program, diagnostics: [...diagnostics, ...syntax], complete: swallowedFrom === null && p.diagnostics.length === 0 };
}
