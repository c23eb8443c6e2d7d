// Control-flow facts that need no types: does a statement list always end in `return`
// (SPEC §2: a missing `return` on a path of a non-null function is a compile error)?
// Structural and conservative: `if` needs an `else` with both sides returning; a `loop`
// with no `break` of its own never falls through; a `receive { }` returns when every arm and
// its `after` (if any) does.

import { ifChain, type Block, type Stmt } from "./ast.js";

export function alwaysReturns(stmts: readonly Stmt[]): boolean {
  return stmts.some(stmtReturns);
}

function stmtReturns(s: Stmt): boolean {
  switch (s.kind) {
    case "return":
      return true;
    case "if": {
      const { arms, last } = ifChain(s);
      return last !== null && alwaysReturns(last.stmts) && arms.every((a) => alwaysReturns(a.then.stmts));
    }
    case "block":
      return alwaysReturns(s.body.stmts);
    case "loop":
      return !breaksOut(s.body);
    case "receive":
      return s.arms.every((a) => alwaysReturns(a.body.stmts)) && (s.after === null || alwaysReturns(s.after.body.stmts));
    default:
      return false;
  }
}

/** Does this loop body contain a `break` that leaves this loop (not a nested one)? */
function breaksOut(b: Block): boolean {
  const walk = (s: Stmt): boolean => {
    switch (s.kind) {
      case "break":
        return true;
      case "if": {
        const { arms, last } = ifChain(s);
        return arms.some((a) => a.then.stmts.some(walk)) || (last ? last.stmts.some(walk) : false);
      }
      case "block":
        return s.body.stmts.some(walk);
      case "receive":
        return s.arms.some((a) => a.body.stmts.some(walk)) || (s.after !== null && s.after.body.stmts.some(walk));
      default:
        return false; // nested loop/for: their breaks are their own
    }
  };
  return b.stmts.some(walk);
}
