// Errors-as-values analysis (docs/architecture.md): after type checking, decide for every
// expression whether its value may be an error at run time (`mayError`), for every local
// whether it may hold one (flow-insensitive: any captured value that may be an error), and
// for every function whether it may return one (`mayReturnError`). These depend on each
// other through calls and variables, so the pass repeats until nothing changes (a monotone
// fixpoint over the call graph; it ends because flags only ever go from false to true).

import { ifChain, type Expr, type FnDecl, type LocalBinding, type Program, type Stmt } from "./ast.js";
import { METHODS, intoIsFallible } from "./builtins.js";

export function analyzeErrors(program: Program): void {
  let changed = true;
  let rounds = 0;
  const setBinding = (b: LocalBinding | null, v: boolean) => {
    if (b && v && !b.mayError) {
      b.mayError = true;
      changed = true;
    }
  };
  let current: { mayReturnError: boolean } = program.main;

  const expr = (e: Expr): boolean => {
    let m = false;
    switch (e.kind) {
      case "int":
      case "float":
      case "char":
      case "string":
      case "bool":
      case "null":
        break;
      case "ident":
        m = e.binding ? e.binding.mayError : false;
        break;
      case "unary":
        expr(e.operand);
        break;
      case "binary":
        expr(e.left);
        expr(e.right);
        break;
      case "is":
        expr(e.operand);
        break;
      case "call":
        e.args.forEach(expr);
        m = e.fn ? e.fn.mayReturnError : false;
        break;
      case "vmcall": {
        e.args.forEach(expr);
        const t = e.target;
        if (!t) break;
        if (t.kind === "native") m = t.spec.fallible;
        else if (t.sig.special === "receive") m = e.args.length > 0;
        else m = t.sig.fallible;
        break;
      }
      case "method":
        expr(e.receiver);
        e.args.forEach(expr);
        if (e.key.endsWith(".into")) m = e.targetType ? intoIsFallible(e.receiverTy, e.targetType) : false;
        else m = METHODS.get(e.key)?.fallible ?? false;
        break;
      case "index":
        expr(e.object);
        expr(e.index);
        break;
      case "field":
        expr(e.object);
        break;
      case "list":
      case "tuple":
        e.elements.forEach(expr);
        break;
      case "handle": {
        expr(e.expr);
        const h = e.handler;
        if (h.kind === "default") expr(h.value);
        else if (h.message) expr(h.message);
        m = h.kind === "message";
        break;
      }
    }
    e.mayError = m;
    return m;
  };

  const stmts = (ss: readonly Stmt[]) => ss.forEach(stmt);
  const stmt = (s: Stmt): void => {
    switch (s.kind) {
      case "let":
        if (s.init) setBinding(s.binding, expr(s.init));
        break;
      case "assign": {
        const m = expr(s.value);
        expr(s.target);
        if (s.op === "=" && s.target.kind === "ident") setBinding(s.target.binding, m);
        break;
      }
      case "incdec":
        expr(s.target);
        break;
      case "expr":
        expr(s.expr);
        break;
      case "if": {
        const { arms, last } = ifChain(s);
        for (const a of arms) {
          expr(a.cond);
          stmts(a.then.stmts);
        }
        if (last) stmts(last.stmts);
        break;
      }
      case "loop":
        stmts(s.body.stmts);
        break;
      case "for":
        expr(s.iterable);
        stmts(s.body.stmts);
        break;
      case "return":
        if (s.value && expr(s.value) && !current.mayReturnError) {
          current.mayReturnError = true;
          changed = true;
        }
        break;
      case "block":
        stmts(s.body.stmts);
        break;
      case "receive":
        // An arm's variable holds a message, never an error (sending one is a use).
        if (s.after) {
          expr(s.after.ms);
          stmts(s.after.body.stmts);
        }
        for (const a of s.arms) stmts(a.body.stmts);
        break;
      case "break":
      case "continue":
        break;
    }
  };

  while (changed && rounds < 10_000) {
    changed = false;
    rounds++;
    current = program.main;
    stmts(program.main.body);
    for (const f of program.functions as FnDecl[]) {
      current = f;
      stmts(f.body.stmts);
    }
  }
}
