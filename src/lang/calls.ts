// Typing of calls for the checker: user functions, `vm.*` builtins and embedder natives,
// and methods on types (tables in builtins.ts), including the rules no table row can state:
// target-typed `into()`, `vm.receive()` and `vm.call()`, `vm.error` (fits any type),
// `vm.spawn(f, args...)` checked against f, any-typed `print`/`send` and messages
// (`send_after`, `call`, `reply`), compile-time checked strategy and restart names,
// `pointer.slice(n)`, and `x.message()`/`x.code()` only on a known error.

import { T, type Type } from "../bytecode/types.js";
import { K } from "../diag/codes.js";
import { withLabel, type Span } from "../diag/diagnostic.js";
import type { CallExpr, Expr, MethodExpr, VmCallExpr } from "./ast.js";
import { METHODS, VECTOR_MUTATORS, VM_FUNCTIONS, intoTargets, methodNames, methodSig, type BuiltinSig, type SigType } from "./builtins.js";
import type { Checker } from "./checker.js";
import { closest, describe, hasUnknown, show, UNKNOWN } from "./typeutil.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function argCountError(c: Checker, span: Span, what: string, min: number, max: number, got: number): void {
  const takes = min === max ? plural(min, "argument") : max === Infinity ? `at least ${plural(min, "argument")}` : `${min} to ${max} arguments`;
  c.err(span, K.argumentCount({ WHAT: what, N: takes, M: got }), `called with ${plural(got, "argument")}`);
}

/** Checks each argument against its parameter type (args beyond `params` are typed loosely). */
function checkArgs(c: Checker, args: Expr[], params: readonly Type[]): void {
  args.forEach((a, i) => {
    const p = params[i];
    c.expr(a, p ?? null);
    if (p) c.expectType(a, p);
  });
}

// ------------------------------------------------------------------ user functions

export function checkCall(c: Checker, e: CallExpr): Type {
  const f = c.functions.get(e.name);
  if (!f) {
    checkArgs(c, e.args, []);
    const local = c.lookup(e.name);
    if (local) c.err(e.nameSpan, K.notAFunction({ NAME: e.name }), `this is ${describe(local.type)}`, "only top-level functions can be called");
    else {
      const near = closest(e.name, c.functions.keys(), c.suggestBudget);
      c.err(e.nameSpan, K.unknownFunction({ NAME: e.name }), "not found", near ? `did you mean \`${near}\`?` : VM_FUNCTIONS.has(e.name) ? `did you mean vm.${e.name}(...)?` : undefined);
    }
    return UNKNOWN;
  }
  e.fn = f;
  if (e.args.length !== f.params.length) {
    argCountError(c, e.span, `\`${f.name}\``, f.params.length, f.params.length, e.args.length);
    const d = c.diagnostics[c.diagnostics.length - 1]!;
    withLabel(d, f.nameSpan, "defined here");
  }
  checkArgs(c, e.args, f.paramTypes);
  return f.ret;
}


// ------------------------------------------------------------------ vm.*

export function checkVmCall(c: Checker, e: VmCallExpr, expected: Type | null): Type {
  const sig = VM_FUNCTIONS.get(e.name);
  if (!sig) {
    const native = c.natives.get(e.name);
    if (native) {
      e.target = { kind: "native", spec: native };
      if (e.args.length !== native.params.length) argCountError(c, e.span, `vm.${e.name}`, native.params.length, native.params.length, e.args.length);
      checkArgs(c, e.args, native.params);
      e.argTypes = e.args.map((a) => a.ty);
      return native.ret;
    }
    checkArgs(c, e.args, []);
    const near = closest(e.name, [...VM_FUNCTIONS.keys(), ...c.natives.keys()], c.suggestBudget);
    c.err(e.nameSpan, K.unknownVmFunction({ NAME: e.name }), "unknown vm function", near ? `did you mean vm.${near}(...)?` : "the `vm` calls are listed in docs/reference.md");
    return UNKNOWN;
  }
  e.target = { kind: "builtin", sig };
  const ty = vmSpecial(c, e, sig, expected);
  e.argTypes = e.args.map((a) => a.ty);
  return ty;
}

function vmSpecial(c: Checker, e: VmCallExpr, sig: BuiltinSig, expected: Type | null): Type {
  const n = e.args.length;
  switch (sig.special) {
    case "print": {
      const min = sig.params.length - sig.optional;
      if (n < min || n > 1) argCountError(c, e.span, `vm.${e.name}`, min, 1, n);
      // A function's name is no value: the checker has said so (E0046), whatever it is passed to.
      e.args.forEach((a) => c.expr(a, null));
      return T.null;
    }
    case "error":
      plainArgs(c, e, sig);
      // Always an error value, so it fits wherever it is put.
      return expected ?? T.error;
    case "send": {
      if (n !== 2) argCountError(c, e.span, "vm.send", 2, 2, n);
      if (e.args[0]) {
        c.expr(e.args[0], T.process);
        c.expectType(e.args[0], T.process);
      }
      if (e.args[1]) e.msgType = sendable(c, e.args[1]);
      e.args.slice(2).forEach((a) => c.expr(a, null));
      return T.null;
    }
    case "receive": {
      plainArgs(c, e, sig);
      if (!expected) {
        c.err(e.span, K.receiveTypeUnknown(), "the expected type is unknown here", "annotate the variable: let m: integer = vm.receive();");
        return UNKNOWN;
      }
      if (notReceivable(expected)) c.err(e.span, K.cannotReceive({ T: describe(expected) }), "not a message type");
      e.targetType = expected;
      return expected;
    }
    case "message":
    case "call": {
      // Ordinary parameters, except the message ("any"), which may be of any sendable type.
      const max = sig.params.length;
      if (n !== max) argCountError(c, e.span, `vm.${e.name}`, max, max, n);
      e.args.forEach((a, i) => {
        const p = sig.params[i];
        if (p === "any") e.msgType = sendable(c, a);
        else if (p === undefined || typeof p === "string") c.expr(a, null);
        else {
          c.expr(a, p);
          c.expectType(a, p);
        }
      });
      if (sig.special === "message") return sig.ret as Type;
      if (!expected) {
        c.err(e.span, K.replyTypeUnknown(), "the expected type is unknown here", "annotate the variable: let answer: string = vm.call(server, request, 1000);");
        return UNKNOWN;
      }
      if (expected.kind === "fn" || expected.kind === "error") c.err(e.span, K.cannotWaitFor({ T: describe(expected) }), "not a reply type");
      e.targetType = expected;
      return expected;
    }
    case "spawn":
    case "start_child": {
      const lead: Type[] = sig.special === "start_child" ? [T.process, T.string] : [];
      const fIndex = lead.length;
      if (n <= fIndex) {
        argCountError(c, e.span, `vm.${e.name}`, fIndex + 1, Infinity, n);
        checkArgs(c, e.args, lead);
        return sig.ret as Type;
      }
      checkArgs(c, e.args.slice(0, fIndex), lead);
      checkLiterals(c, e.args, sig);
      const fArg = e.args[fIndex]!;
      if (fArg.kind !== "ident") {
        c.expr(fArg, null);
        if (!hasUnknown(fArg.ty)) c.err(fArg.span, K.needsFunctionName({ NAME: e.name }), "not a function name", `write vm.${e.name}(${sig.special === "start_child" ? "sup, \"permanent\", " : ""}worker, args...)`);
        checkArgs(c, e.args.slice(fIndex + 1), []);
        return sig.ret as Type;
      }
      const ft = c.identExpr(fArg, true);
      const f = fArg.fn;
      const rest = e.args.slice(fIndex + 1);
      if (!f) {
        if (!hasUnknown(ft)) c.err(fArg.span, K.needsFunctionName({ NAME: e.name }), `this is ${describe(ft)}`, "pass a top-level function by name");
        checkArgs(c, rest, []);
        return sig.ret as Type;
      }
      e.spawnFn = f;
      if (rest.length !== f.params.length) {
        const d = c.err(e.span, K.spawnArgumentCount({ NAME: f.name, N: plural(f.params.length, "argument"), M: rest.length }), `starts ${f.name} with ${plural(rest.length, "argument")}`);
        withLabel(d, f.nameSpan, "defined here");
      }
      checkArgs(c, rest, f.paramTypes);
      rest.forEach((a, i) => i < f.paramTypes.length && !hasUnknown(a.ty) && notDenied(c, a, a.ty));
      return sig.ret as Type;
    }
    default:
      plainArgs(c, e, sig);
      return sig.ret as Type;
  }
}

/** A type no message has: what `vm.receive()` and a receive { } arm cannot wait for. */
export function notReceivable(t: Type): boolean {
  return t.kind === "fn" || t.kind === "error";
}

/** A message: any value type but linear memory (a function's name is no value at all). Returns its type. */
function sendable(c: Checker, a: Expr): Type {
  const t = c.expr(a, null);
  if (t.kind === "pointer" || t.kind === "slice") c.err(a.span, K.cannotSend({ T: describe(t) }), "linear memory belongs to one process", "send the bytes' values instead");
  else notDenied(c, a, t);
  return t;
}

/** A value that goes to another process (a message, a spawn's argument) may not hold a host type declared `send: "deny"`. */
function notDenied(c: Checker, a: Expr, t: Type): void {
  const denied = c.deniedHost(t);
  if (denied !== undefined) c.err(a.span, K.cannotSend({ T: describe(t) }), `a ${denied} stays with the process that owns it`, `its type is declared send: "deny"; send what the receiver needs instead`);
}

/** Arity, parameter types and literal checks for an ordinary row. */
function plainArgs(c: Checker, e: { args: Expr[]; span: Span }, sig: BuiltinSig, recv?: Type, label = sig.name): void {
  const max = sig.params.length;
  const min = max - sig.optional;
  if (e.args.length < min || e.args.length > max) argCountError(c, e.span, label, min, max, e.args.length);
  const params = sig.params.map((p) => concrete(p, recv));
  checkArgs(c, e.args, params.map((p) => p ?? UNKNOWN));
  checkLiterals(c, e.args, sig);
}

function checkLiterals(c: Checker, args: Expr[], sig: BuiltinSig): void {
  if (!sig.literals) return;
  for (const [k, allowed] of Object.entries(sig.literals)) {
    const a = args[Number(k)];
    if (a && a.kind === "string" && !allowed.includes(a.value)) {
      const near = closest(a.value, allowed);
      c.err(a.span, K.unknownSupervisorName({ WHAT: allowed.includes("permanent") ? "restart type" : "strategy", NAME: a.value }), "not one of the allowed names", `use one of ${allowed.map((x) => `"${x}"`).join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
}

function concrete(p: SigType, recv: Type | undefined): Type | null {
  if (p === "any" || p === "target") return null;
  if (p === "self") return recv ?? UNKNOWN;
  if (p === "elem") return recv && (recv.kind === "vector" || recv.kind === "array" || recv.kind === "slice") ? recv.elem : UNKNOWN;
  return p;
}

// ------------------------------------------------------------------ methods

export function checkMethod(c: Checker, e: MethodExpr, expected: Type | null): Type {
  const recv = c.expr(e.receiver, null);
  if (hasUnknown(recv) && !(e.receiver.kind === "ident" && e.receiver.binding)) {
    e.args.forEach((a) => c.expr(a, null));
    return UNKNOWN;
  }
  const known = recv.kind === "error" || (e.receiver.kind === "ident" && !!e.receiver.binding && c.narrowed.has(e.receiver.binding));
  // x.into() to string where x is known to be an error: the error as the printer shows it.
  if (e.name === "into" && known && expected?.kind === "string" && e.args.length === 0) {
    e.key = "value.into";
    e.receiverTy = T.error;
    e.targetType = T.string;
    return T.string;
  }
  // error.message() / error.code(): only on a value known to be an error.
  if (e.name === "message" || e.name === "code") {
    if (!known) {
      e.args.forEach((a) => c.expr(a, null));
      const name = e.receiver.kind === "ident" ? e.receiver.name : "x";
      c.err(e.nameSpan, K.errorMethodOutsideCheck({ NAME: e.name }), `${e.receiver.kind === "ident" ? `\`${name}\`` : "this"} is not known to be an error here`, `check first: if (${name} is error) { vm.println(${name}.${e.name}()); }`);
      return UNKNOWN;
    }
    e.key = `error.${e.name}`;
    e.receiverTy = T.error;
    plainArgs(c, e, METHODS.get(e.key)!, T.error, `${e.name}()`);
    return T.string;
  }
  if (hasUnknown(recv)) {
    e.args.forEach((a) => c.expr(a, null));
    return UNKNOWN;
  }
  e.receiverTy = recv;
  const sig = methodSig(recv.kind, e.name);
  if (!sig) {
    e.args.forEach((a) => c.expr(a, null));
    const names = methodNames(recv.kind);
    const near = closest(e.name, names);
    c.err(
      e.nameSpan,
      K.unknownMethod({ NAME: e.name, T: show(recv) }),
      `${describe(recv)} has no \`${e.name}\``,
      near ? `did you mean \`${near}()\`?` : names.length ? `${show(recv)} has: ${names.map((x) => x + "()").join(" ")}` : `${show(recv)} has no methods`,
    );
    return UNKNOWN;
  }
  e.key = sig.name;
  const label = `${e.name}()`;
  switch (sig.special) {
    case "into": {
      plainArgs(c, e, sig, recv, label);
      if (!expected) {
        c.err(e.span, K.intoTargetUnknown(), "the target type is unknown here", `annotate the variable: let x: ${recv.kind === "string" ? "integer" : "string"} = ${snippet(c, e.receiver)}.into();`);
        return UNKNOWN;
      }
      if (hasUnknown(expected)) return UNKNOWN;
      const targets = intoTargets(recv.kind);
      if (!targets.includes(expected.kind)) {
        c.err(e.span, K.noConversion({ T: show(recv), U: show(expected) }), `no conversion from ${show(recv)} to ${show(expected)}`, targets.length ? `${show(recv)} converts to ${targets.filter((t) => t !== recv.kind).join(", ")}` : undefined);
        return UNKNOWN;
      }
      e.targetType = expected;
      return expected;
    }
    case "send":
      if (e.args.length !== 1) argCountError(c, e.span, label, 1, 1, e.args.length);
      e.args.forEach((a, i) => {
        if (i === 0) e.msgType = sendable(c, a);
        else c.expr(a, null);
      });
      return T.null;
    case "slice": {
      plainArgs(c, e, sig, recv, label);
      const a = e.args[0];
      if (a && a.kind === "int" && a.value >= 0) return T.slice(T.byte, a.value);
      if (expected && expected.kind === "slice") return expected;
      c.err(e.span, K.sliceLengthUnknown(), "the length is not a literal", "give the length as a number, p.slice(4), or annotate: let s: slice[byte; 4] = p.slice(n);");
      return UNKNOWN;
    }
    case "push_str": {
      if (e.args.length !== 1) argCountError(c, e.span, label, 1, 1, e.args.length);
      e.args.forEach((a, i) => {
        const t = c.expr(a, null);
        if (i === 0 && !hasUnknown(t) && t.kind !== "char" && t.kind !== "string") c.err(a.span, K.typeMismatch({ T: "char or string", U: show(t) }), `this is ${describe(t)}`);
      });
      return T.string;
    }
    default:
      break;
  }
  plainArgs(c, e, sig, recv, label);
  if (recv.kind === "vector") {
    const rule = sig.elems;
    if (rule && !rule.kinds.includes(recv.elem.kind) && !hasUnknown(recv.elem)) c.err(e.nameSpan, K.elementKind({ VERB: rule.verb, T: describe(recv) }), rule.label, rule.hint);
    if (VECTOR_MUTATORS.has(e.name) && c.isPlace(e.receiver)) {
      e.inPlace = true;
      c.markWrite(e.receiver);
    }
  }
  const ret = sig.ret;
  if (ret === "elem" || ret === "self") return concrete(ret, recv)!;
  return ret as Type;
}

function snippet(c: Checker, e: Expr): string {
  const s = c.source.slice(e.span.start, e.span.end);
  return s.length <= 30 && !s.includes("\n") ? s : "x";
}
