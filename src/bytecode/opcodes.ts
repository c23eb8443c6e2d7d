// The one opcode table. Every Raft instruction is declared here once — its name, number,
// operands, stack effect and meaning — and everything else derives from this table: the
// interpreter's `Op` numbers, the assembler's mnemonics and operand shapes, the
// disassembler, the verifier's stack-depth check and the encoder/decoder.
//
// Instruction format (seed 003): one opcode byte followed by up to three operand bytes, so an
// instruction is 1 to 4 bytes. When an operand does not fit in a byte (or is negative for a
// signed `imm`), the instruction is preceded by the `Wide` prefix and then every operand of
// that instruction takes four bytes, little-endian.
//
// Operand kinds, with their assembly marks:
//   const  `#v`    index into the constant pool (assembly writes the value: #300, #"hi", #1.5)
//   type   `#T`    constant-pool index of a type key (assembly: #vector[integer])
//   typeset `#{T}` constant-pool index of a type set: distinct type keys in order (assembly:
//                  #{(process, string), exit}), what ReceiveSelect matches
//   native `#name` constant-pool index of a native's name (assembly: #vm.println)
//   local  `$n`    a local slot of the current frame (parameters first)
//   label  `@l`    a program point inside the current function (encoded as a byte offset)
//   fn     `@f`    a function of the module, by name (encoded as its index)
//   addr   `&n`    an address in the process's linear memory
//   len    `..n`   a byte count (1 to 4) following an address: `&100..3`, `&$0..2`
//   imm    `n`     a small signed integer
//   count  `n`     a small unsigned count (arguments, elements)
//   mode           the shapes of the places that follow (not written: the places say it)
//   place  `P`     any operand place, `>A B<` regions included (see places.ts)
//   ext            an entry of the module's extension table (ext.ts): the irregular `Ext`
//                  row, written by the extension opcode's own name, its operands after
//
// Numbers are the row index below; reordering rows changes the module format version.
// Several rows may share one assembly mnemonic when their operand shapes differ (seed 003's
// "variation in the instruction operands"): `Load $0`, `Load &100`, `Load &$0..2` are three rows.
//
// Superinstructions: a row with `fuses` does in one dispatch what the listed rows do in a
// row, and its operands are theirs, concatenated (`LoadMulInt $a n` is `Load $a`, `PushInt n`,
// `Mul`; where `partOperands` is given, it maps them and says when the parts fuse). The code
// generator's peephole pass (FunctionBuilder.fuse) derives its rewrite rules
// from these lists; assembly is taken as written and never fused.
//
// Semantics: a regular row says what it does in `sem` (semantics.ts: an operator over values
// from the stack, locals, immediates or constants, its result pushed or stored, or a branch on
// one), and a superinstruction means its parts in sequence. Both tiers' code for regular rows
// comes from that alone: the interpreter's cases are generated into interpreter.ts
// (vm/interp-source.ts), the second tier reads the rows at run time (vm/jit.ts). Rows without
// either (calls, receives, memory, places...) are written by hand once in each tier.
// Adding a regular instruction is one row here, then `UPDATE_OPS=1` to regenerate
// (docs/architecture.md, "Adding an opcode").

import { branchIf, jump, op, type OperatorName, type Sem, type Val } from "./semantics.js";

export type OperandKind = "const" | "type" | "typeset" | "native" | "local" | "label" | "fn" | "addr" | "len" | "imm" | "count" | "mode" | "place" | "ext";

/** Context a variable stack effect is computed in. */
export interface EffectCtx {
  fnParams(index: number): number;
  /** The stack effect of entry `index` of the module's extension table (ext.ts). */
  ext(index: number): { pops: number; pushes: number };
}

export type Effect = number | ((operands: readonly number[], ctx: EffectCtx) => number);

export interface OpInfo {
  /** Unique name of the row (also the `Op` enum key). */
  name: string;
  /** Assembly mnemonic; several rows may share one when their operand shapes differ. */
  mnemonic: string;
  operands: readonly OperandKind[];
  pops: Effect;
  pushes: Effect;
  /** Control flow: "jump" (unconditional), "branch" (conditional), "end" (no fall-through), "try". */
  flow?: "jump" | "branch" | "end" | "try";
  doc: string;
  /**
   * How the operands are written in assembly, one pattern per written operand:
   * "#" constant, "$" local, "@" label or function, "n" plain integer, and the memory forms
   * "&" (&100), "&.." (&100..3), "&$" (&$0), "&$.." (&$0..2). A memory form may stand for two
   * encoded operands (address or local, then byte count). "P" is any place (places.ts): the
   * rows that take places encode a mode before them. Derived from `operands` if absent.
   */
  asm: readonly AsmPattern[];
  /** A superinstruction: the rows (by name) whose sequence it stands for, operands concatenated. */
  fuses?: readonly string[];
  /**
   * For a superinstruction whose operands are not simply its parts' (concatenated, as the
   * argument): this row's operands, or null where the parts may not be fused.
   */
  fuseOperands?: (parts: readonly number[]) => number[] | null;
  /** The kind of constant a `const` operand must name (the verifier refuses others). */
  constTag?: "int" | "float" | "string";
  /** What a regular row does (semantics.ts); both tiers' code for it is made from this. */
  sem?: Sem;
  /**
   * For a superinstruction whose operands are not its parts' concatenated: for each operand
   * of the parts in turn, the index of this row's operand it is, or a literal `=n` that part
   * operand must be. `fuseOperands` is derived from it.
   */
  partOperands?: readonly (number | `=${number}`)[];
}

export type AsmPattern = "#" | "$" | "@" | "n" | "&" | "&.." | "&$" | "&$.." | "P";

/** How many encoded operands one written pattern stands for. */
export function patternWidth(p: AsmPattern): number {
  return p === "&.." || p === "&$.." ? 2 : 1;
}

function defaultAsm(kinds: OperandKind[]): AsmPattern[] {
  return kinds.map((k): AsmPattern => {
    switch (k) {
      case "const":
      case "type":
      case "typeset":
      case "native":
        return "#";
      case "local":
        return "$";
      case "label":
      case "fn":
        return "@";
      case "addr":
        return "&";
      default:
        return "n";
    }
  });
}

const argc = (i: number) => (ops: readonly number[]) => ops[i];
const calleeParams = (ops: readonly number[], ctx: EffectCtx) => ctx.fnParams(ops[0]);

function row(name: string, operands: OperandKind[], pops: Effect, pushes: Effect, doc: string, extra: Partial<OpInfo> = {}): OpInfo {
  return { name, mnemonic: name, operands, pops, pushes, doc, asm: defaultAsm(operands), ...extra };
}
function variant(mnemonic: string, name: string, operands: OperandKind[], pops: Effect, pushes: Effect, doc: string, asm?: AsmPattern[], sem?: Sem): OpInfo {
  return { name, mnemonic, operands, pops, pushes, doc, asm: asm ?? defaultAsm(operands), ...(sem ? { sem } : {}) };
}

/** A binary operator on the two top values, the result pushed. */
const stackOp = (name: OperatorName): Sem => op(name, ["s", "s"]);
/** Compare-and-branch: go to @l (operand 2) unless `$a name b` (b: `$1` a local, `n1` an immediate, `#1` a constant). */
const compareBranch = (name: OperatorName, b: Val): Sem => branchIf(name, ["$0", b], false, 2);

/** IncLocal $a 1 followed by a compare-and-branch whose left side is $a: operands $a, right side, label. */
const incThenCompare = [0, "=1", 0, 1, 2] as const;

/** The operands of a superinstruction from its parts' (see partOperands), or null where they do not fuse. */
function operandsFromParts(map: readonly (number | `=${number}`)[]): (parts: readonly number[]) => number[] | null {
  return (parts) => {
    const out: number[] = [];
    for (let k = 0; k < map.length; k++) {
      const m = map[k];
      if (typeof m === "string") {
        if (parts[k] !== Number(m.slice(1))) return null;
      } else if (out[m] === undefined) out[m] = parts[k];
      else if (out[m] !== parts[k]) return null;
    }
    return out;
  };
}

/** A superinstruction row: the sequence `parts` (row names) in one instruction. */
function fused(name: string, operands: OperandKind[], pops: number, pushes: number, parts: string[], doc: string, extra: Partial<OpInfo> = {}): OpInfo {
  const derived = extra.partOperands ? { fuseOperands: operandsFromParts(extra.partOperands) } : {};
  return { name, mnemonic: name, operands, pops, pushes, doc, asm: defaultAsm(operands), fuses: parts, ...extra, ...derived };
}

export const OPCODES: readonly OpInfo[] = [
  // ── prefix and no-ops ──────────────────────────────────────────────────────────────
  row("Nop", [], 0, 0, "do nothing"),
  row("Wide", [], 0, 0, "prefix: every operand of the next instruction is 4 bytes"),
  row("Halt", [], 0, 0, "end the process normally; `raft run` prints what is left on main's stack", { flow: "end" }),

  // ── stack ──────────────────────────────────────────────────────────────────────────
  row("PushConst", ["const"], 0, 1, "push constant #k", { sem: op("copy", ["#0"]) }),
  row("PushInt", ["imm"], 0, 1, "push the small integer n", { sem: op("copy", ["n0"]) }),
  row("PushNull", [], 0, 1, "push null", { sem: op("copy", ["=null"]) }),
  row("PushTrue", [], 0, 1, "push true", { sem: op("copy", ["=true"]) }),
  row("PushFalse", [], 0, 1, "push false", { sem: op("copy", ["=false"]) }),
  row("Pop", [], 1, 0, "discard the top value"),
  row("Dup", [], 1, 2, "duplicate the top value"),
  row("Swap", [], 2, 2, "swap the two top values"),

  // ── locals ─────────────────────────────────────────────────────────────────────────
  row("Load", ["local"], 0, 1, "push local $n", { sem: op("copy", ["$0"]) }),
  row("Store", ["local"], 1, 0, "pop into local $n", { sem: op("copy", ["s"], "$0") }),
  variant("Copy", "CopyLocalConst", ["local", "const"], 0, 0, "$d := constant #k", undefined, op("copy", ["#1"], "$0")),
  variant("Copy", "CopyLocalLocal", ["local", "local"], 0, 0, "$d := $s", undefined, op("copy", ["$1"], "$0")),
  row("IncLocal", ["local", "imm"], 0, 0, "$n := $n + imm (integer, checked)", { sem: op("add", ["$0", "n1"], "$0") }),

  // ── integer arithmetic (i32, checked: overflow and division by zero are errors) ─────
  row("Add", [], 2, 1, "a + b", { sem: stackOp("add") }),
  row("Sub", [], 2, 1, "a - b", { sem: stackOp("sub") }),
  row("Mul", [], 2, 1, "a * b", { sem: stackOp("mul") }),
  row("Div", [], 2, 1, "a / b, truncated toward zero", { sem: stackOp("div") }),
  row("Mod", [], 2, 1, "a % b, with the sign of a", { sem: stackOp("mod") }),
  row("Neg", [], 1, 1, "-a", { sem: op("neg", ["s"]) }),
  row("Exp", [], 2, 1, "a ** b (b >= 0)", { sem: stackOp("pow") }),
  row("AddInt", ["imm"], 1, 1, "a + imm", { sem: op("add", ["s", "n0"]) }),
  row("BitAnd", [], 2, 1, "a & b", { sem: stackOp("and") }),
  row("BitOr", [], 2, 1, "a | b", { sem: stackOp("or") }),
  row("BitXor", [], 2, 1, "a ^ b", { sem: stackOp("xor") }),
  row("Shl", [], 2, 1, "a << b", { sem: stackOp("shl") }),
  row("Shr", [], 2, 1, "a >> b (arithmetic)", { sem: stackOp("shr") }),
  row("CheckByte", [], 1, 1, "error unless 0 <= a <= 255 (byte arithmetic)", { sem: op("byte", ["s"]) }),

  // ── float arithmetic (f32: every result rounded with Math.fround) ───────────────────
  row("AddFloat", [], 2, 1, "a + b", { sem: stackOp("fadd") }),
  row("SubFloat", [], 2, 1, "a - b", { sem: stackOp("fsub") }),
  row("MulFloat", [], 2, 1, "a * b", { sem: stackOp("fmul") }),
  row("DivFloat", [], 2, 1, "a / b", { sem: stackOp("fdiv") }),
  row("ModFloat", [], 2, 1, "a % b", { sem: stackOp("fmod") }),
  row("NegFloat", [], 1, 1, "-a", { sem: op("fneg", ["s"]) }),
  row("ExpFloat", [], 2, 1, "a ** b", { sem: stackOp("fpow") }),

  // ── comparison and logic ───────────────────────────────────────────────────────────
  row("Eq", [], 2, 1, "a == b (scalars: numbers, bools, strings, null)", { sem: stackOp("eq") }),
  row("NotEq", [], 2, 1, "a != b (scalars)", { sem: stackOp("ne") }),
  row("Less", [], 2, 1, "a < b (numbers or strings)", { sem: stackOp("lt") }),
  row("LessEq", [], 2, 1, "a <= b", { sem: stackOp("le") }),
  row("Greater", [], 2, 1, "a > b", { sem: stackOp("gt") }),
  row("GreaterEq", [], 2, 1, "a >= b", { sem: stackOp("ge") }),
  row("EqValue", [], 2, 1, "a == b by content (vectors, arrays, tuples)", { sem: stackOp("eqv") }),
  row("NotEqValue", [], 2, 1, "a != b by content", { sem: stackOp("nev") }),
  row("Not", [], 1, 1, "!a", { sem: op("not", ["s"]) }),

  // ── control ────────────────────────────────────────────────────────────────────────
  row("Jump", ["label"], 0, 0, "go to @l", { flow: "jump", sem: jump(0) }),
  row("JumpIfFalse", ["label"], 1, 0, "pop; go to @l if it is false (or, in assembly, 0 or null)", { flow: "branch", sem: branchIf("falsy", ["s"], true, 0) }),
  row("JumpIfTrue", ["label"], 1, 0, "pop; go to @l unless it is false, 0 or null", { flow: "branch", sem: branchIf("falsy", ["s"], false, 0) }),
  row("LessJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a < $b (integers)", { flow: "branch", sem: compareBranch("lt", "$1") }),
  row("Call", ["fn"], calleeParams, 1, "call @f with its arguments on the stack; pushes its result"),
  row("Return", [], 1, 0, "return the top value to the caller", { flow: "end" }),
  row("CallNative", ["native", "count"], argc(1), 1, "call native #name with n arguments (methods are natives named type.method)"),
  row("CallNativeTyped", ["native", "count", "type"], argc(1), 1, "as CallNative, passing the arguments' static types (a tuple type)"),

  // ── strings and collections ────────────────────────────────────────────────────────
  row("Concat", [], 2, 1, "string a + b"),
  row("MakeVector", ["count"], argc(0), 1, "pop n values into a new vector (or array)"),
  row("MakeTuple", ["count"], argc(0), 1, "pop n values into a new tuple"),
  row("Index", [], 2, 1, "v[i] of a vector or array; out of range is an error"),
  row("StoreIndex", [], 3, 0, "v[i] := x (pops v, i, x); out of range is an error"),
  row("IndexString", [], 2, 1, "s[i]: the i-th char of a string", { sem: stackOp("strindex") }),
  row("GetField", ["count"], 1, 1, "t.n of a tuple"),
  row("SetField", ["count"], 2, 0, "t.n := x (pops t, x)"),
  row("Length", [], 1, 1, "length of a vector, array or slice", { sem: op("len", ["s"]) }),
  row("CopyValue", [], 1, 1, "deep copy (value semantics of vectors, arrays, tuples)"),

  // ── errors as values ───────────────────────────────────────────────────────────────
  row("CheckError", [], 1, 1, "panic if the top value is an error (a use of a captured error)"),
  row("IsError", [], 1, 1, "a is error", { sem: op("iserr", ["s"]) }),
  row("TryBegin", ["label"], 0, 0, "a fault in this frame until TryEnd pushes its error value and goes to @l", { flow: "try" }),
  row("TryEnd", [], 0, 0, "close the innermost TryBegin region"),
  row("PanicIfError", [], 1, 1, "handler {panic}: panic now if the top value is an error"),
  row("PanicIfErrorMsg", ["const"], 1, 1, "handler {panic: m}: panic with message #m if the top value is an error", { constTag: "string" }),
  row("SetErrorMessage", ["const"], 1, 1, "handler {message: m}: an error keeps its code and takes message #m", { constTag: "string" }),
  row("Panic", [], 1, 0, "panic with the string on top of the stack", { flow: "end" }),

  // ── processes (seed 000) ───────────────────────────────────────────────────────────
  row("SpawnActor", ["fn", "count"], calleeParams, 1, "start @f in a new process (linked if n=1, monitored if n=2); pushes its pid (n=2: the tuple (pid, ref))"),
  row("SendMessage", ["type"], 2, 1, "pops pid, message: copy the message (of type #T) into the mailbox; pushes null"),
  row("ReceiveMessage", ["type"], 0, 1, "take the oldest message of type #T, waiting for one"),
  row("ReceiveTimeout", ["type"], 1, 1, "as ReceiveMessage, waiting at most the popped ms; a timeout error otherwise"),
  row("Self", [], 0, 1, "push this process's pid"),

  // ── supervision (seed 000) ─────────────────────────────────────────────────────────
  row("SpawnSupervisor", ["count"], (ops) => (ops[0] ? 4 : 3), 1, "pops [parent,] strategy, max restarts, period ms; starts a supervisor (under parent if n=1); pushes its pid"),
  row("SetStrategy", [], 2, 1, "pops supervisor, strategy name; pushes null"),
  row("StartChild", ["fn"], (ops, ctx) => 2 + ctx.fnParams(ops[0]), 1, "pops supervisor, restart type, arguments of @f: starts a child; pushes its pid"),
  row("RestartChild", [], 2, 1, "pops supervisor, child: restarts that child now; pushes the new pid"),

  // ── linear memory (seed 003 `&` operands) ──────────────────────────────────────────
  variant("Load", "LoadMem", ["addr"], 0, 1, "push the i32 at &a"),
  variant("Load", "LoadMemN", ["addr", "len"], 0, 1, "push the n-byte unsigned little-endian integer at &a", ["&.."]),
  variant("Load", "LoadMemInd", ["local"], 0, 1, "push the i32 at the address in $l", ["&$"]),
  variant("Load", "LoadMemIndN", ["local", "len"], 0, 1, "push the n-byte integer at the address in $l", ["&$.."]),
  variant("Store", "StoreMem", ["addr"], 1, 0, "pop an i32 into &a"),
  variant("Store", "StoreMemN", ["addr", "len"], 1, 0, "pop into the n bytes at &a", ["&.."]),
  variant("Store", "StoreMemInd", ["local"], 1, 0, "pop an i32 into the address in $l", ["&$"]),
  variant("Store", "StoreMemIndN", ["local", "len"], 1, 0, "pop into the n bytes at the address in $l", ["&$.."]),
  variant("Copy", "CopyLocalMem", ["local", "addr"], 0, 0, "$d := the i32 at &a"),
  variant("Copy", "CopyLocalMemN", ["local", "addr", "len"], 0, 0, "$d := the n bytes at &a", ["$", "&.."]),
  variant("Copy", "CopyLocalMemInd", ["local", "local"], 0, 0, "$d := the i32 at the address in $s", ["$", "&$"]),
  variant("Copy", "CopyLocalMemIndN", ["local", "local", "len"], 0, 0, "$d := the n bytes at the address in $s", ["$", "&$.."]),
  variant("Copy", "CopyMemLocal", ["addr", "local"], 0, 0, "the i32 at &a := $s"),
  variant("Copy", "CopyMemNLocal", ["addr", "len", "local"], 0, 0, "the n bytes at &a := $s", ["&..", "$"]),
  variant("Copy", "CopyMemIndLocal", ["local", "local"], 0, 0, "the i32 at the address in $d := $s", ["&$", "$"]),

  // ── compare and branch on locals (superinstructions for loop and if conditions) ─────
  row("EqJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a == $b (numbers)", { flow: "branch", sem: compareBranch("eq", "$1") }),
  row("NotEqJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a != $b (numbers)", { flow: "branch", sem: compareBranch("ne", "$1") }),
  row("LessEqJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a <= $b (numbers)", { flow: "branch", sem: compareBranch("le", "$1") }),
  row("GreaterJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a > $b (numbers)", { flow: "branch", sem: compareBranch("gt", "$1") }),
  row("GreaterEqJumpIfFalse", ["local", "local", "label"], 0, 0, "go to @l unless $a >= $b (numbers)", { flow: "branch", sem: compareBranch("ge", "$1") }),
  row("EqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a == n", { flow: "branch", sem: compareBranch("eq", "n1") }),
  row("NotEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a != n", { flow: "branch", sem: compareBranch("ne", "n1") }),
  row("LessIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a < n", { flow: "branch", sem: compareBranch("lt", "n1") }),
  row("LessEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a <= n", { flow: "branch", sem: compareBranch("le", "n1") }),
  row("GreaterIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a > n", { flow: "branch", sem: compareBranch("gt", "n1") }),
  row("GreaterEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, "go to @l unless $a >= n", { flow: "branch", sem: compareBranch("ge", "n1") }),

  // ── superinstructions: an operand from a local, an immediate or a constant ───────────
  fused("AddLocal", ["local"], 1, 1, ["Load", "Add"], "a + $b (integer, checked)"),
  fused("SubLocal", ["local"], 1, 1, ["Load", "Sub"], "a - $b (integer, checked)"),
  fused("MulLocal", ["local"], 1, 1, ["Load", "Mul"], "a * $b (integer, checked)"),
  fused("AddLocals", ["local", "local"], 0, 1, ["Load", "Load", "Add"], "push $a + $b (integer, checked)"),
  fused("SubLocals", ["local", "local"], 0, 1, ["Load", "Load", "Sub"], "push $a - $b (integer, checked)"),
  fused("MulLocals", ["local", "local"], 0, 1, ["Load", "Load", "Mul"], "push $a * $b (integer, checked)"),
  fused("SubInt", ["imm"], 1, 1, ["PushInt", "Sub"], "a - n (integer, checked)"),
  fused("MulInt", ["imm"], 1, 1, ["PushInt", "Mul"], "a * n (integer, checked)"),
  fused("DivInt", ["imm"], 1, 1, ["PushInt", "Div"], "a / n (integer, checked)"),
  fused("ModInt", ["imm"], 1, 1, ["PushInt", "Mod"], "a % n (integer, checked)"),
  fused("MulConst", ["const"], 1, 1, ["PushConst", "Mul"], "a * #k (integer constant, checked)", { constTag: "int" }),
  fused("DivConst", ["const"], 1, 1, ["PushConst", "Div"], "a / #k (integer constant, checked)", { constTag: "int" }),
  fused("ModConst", ["const"], 1, 1, ["PushConst", "Mod"], "a % #k (integer constant, checked)", { constTag: "int" }),
  fused("LoadAddInt", ["local", "imm"], 0, 1, ["Load", "AddInt"], "push $a + n (integer, checked)"),
  fused("LoadSubInt", ["local", "imm"], 0, 1, ["Load", "PushInt", "Sub"], "push $a - n (integer, checked)"),
  fused("LoadMulInt", ["local", "imm"], 0, 1, ["Load", "PushInt", "Mul"], "push $a * n (integer, checked)"),
  fused("AddFloatLocal", ["local"], 1, 1, ["Load", "AddFloat"], "a + $b (float)"),
  fused("SubFloatLocal", ["local"], 1, 1, ["Load", "SubFloat"], "a - $b (float)"),
  fused("MulFloatLocal", ["local"], 1, 1, ["Load", "MulFloat"], "a * $b (float)"),
  fused("DivFloatLocal", ["local"], 1, 1, ["Load", "DivFloat"], "a / $b (float)"),
  fused("AddFloatLocals", ["local", "local"], 0, 1, ["Load", "Load", "AddFloat"], "push $a + $b (float)"),
  fused("SubFloatLocals", ["local", "local"], 0, 1, ["Load", "Load", "SubFloat"], "push $a - $b (float)"),
  fused("MulFloatLocals", ["local", "local"], 0, 1, ["Load", "Load", "MulFloat"], "push $a * $b (float)"),
  fused("DivFloatLocals", ["local", "local"], 0, 1, ["Load", "Load", "DivFloat"], "push $a / $b (float)"),
  fused("AddFloatConst", ["const"], 1, 1, ["PushConst", "AddFloat"], "a + #k (float constant)", { constTag: "float" }),
  fused("SubFloatConst", ["const"], 1, 1, ["PushConst", "SubFloat"], "a - #k (float constant)", { constTag: "float" }),
  fused("MulFloatConst", ["const"], 1, 1, ["PushConst", "MulFloat"], "a * #k (float constant)", { constTag: "float" }),
  fused("DivFloatConst", ["const"], 1, 1, ["PushConst", "DivFloat"], "a / #k (float constant)", { constTag: "float" }),
  fused("IndexLocals", ["local", "local"], 0, 1, ["Load", "Load", "Index"], "push $v[$i] (vector or array); out of range is an error"),
  fused("ReturnLocal", ["local"], 0, 0, ["Load", "Return"], "return $a to the caller", { flow: "end" }),
  row("StoreIndexLocals", ["local", "local"], 1, 0, "$v[$i] := x (pops x); out of range is an error"),
  // ── an arithmetic result stored into a local: `x = ... + ...` ──────────────────────
  fused("AddStore", ["local"], 2, 0, ["Add", "Store"], "$d := a + b (integer, checked)"),
  fused("SubStore", ["local"], 2, 0, ["Sub", "Store"], "$d := a - b (integer, checked)"),
  fused("MulStore", ["local"], 2, 0, ["Mul", "Store"], "$d := a * b (integer, checked)"),
  fused("AddFloatStore", ["local"], 2, 0, ["AddFloat", "Store"], "$d := a + b (float)"),
  fused("SubFloatStore", ["local"], 2, 0, ["SubFloat", "Store"], "$d := a - b (float)"),
  fused("MulFloatStore", ["local"], 2, 0, ["MulFloat", "Store"], "$d := a * b (float)"),
  fused("DivFloatStore", ["local"], 2, 0, ["DivFloat", "Store"], "$d := a / b (float)"),

  // ── v[i] op= x on a float element, v and i locals (x computed first: the compiler uses
  //    these only when computing x cannot fault) ─────────────────────────────────────────
  row("AddFloatIndexLocals", ["local", "local"], 1, 0, "$v[$i] := $v[$i] + x (pops x; floats); out of range is an error"),
  row("SubFloatIndexLocals", ["local", "local"], 1, 0, "$v[$i] := $v[$i] - x (pops x; floats); out of range is an error"),
  row("MulFloatIndexLocals", ["local", "local"], 1, 0, "$v[$i] := $v[$i] * x (pops x; floats); out of range is an error"),
  row("DivFloatIndexLocals", ["local", "local"], 1, 0, "$v[$i] := $v[$i] / x (pops x; floats); out of range is an error"),

  // ── a loop's counter step and its test at the bottom: `IncLocal $a 1` then a compare-and-branch on $a ──
  fused("IncEqJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "EqJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a == $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncNotEqJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "NotEqJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a != $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncLessJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "LessJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a < $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncLessEqJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "LessEqJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a <= $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncGreaterJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "GreaterJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a > $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncGreaterEqJumpIfFalse", ["local", "local", "label"], 0, 0, ["IncLocal", "GreaterEqJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a >= $b", { flow: "branch", partOperands: incThenCompare }),
  fused("IncEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "EqIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a == n", { flow: "branch", partOperands: incThenCompare }),
  fused("IncNotEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "NotEqIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a != n", { flow: "branch", partOperands: incThenCompare }),
  fused("IncLessIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "LessIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a < n", { flow: "branch", partOperands: incThenCompare }),
  fused("IncLessEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "LessEqIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a <= n", { flow: "branch", partOperands: incThenCompare }),
  fused("IncGreaterIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "GreaterIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a > n", { flow: "branch", partOperands: incThenCompare }),
  fused("IncGreaterEqIntJumpIfFalse", ["local", "imm", "label"], 0, 0, ["IncLocal", "GreaterEqIntJumpIfFalse"], "$a := $a + 1 (checked), then go to @l unless $a >= n", { flow: "branch", partOperands: incThenCompare }),
  row("SqrtFloat", [], 1, 1, "the square root of a float (as float.sqrt)", { sem: op("fsqrt", ["s"]) }),
  // ── a remainder stored into a local: `x = ... % k` ─────────────────────────────────
  fused("ModIntStore", ["imm", "local"], 1, 0, ["PushInt", "Mod", "Store"], "$d := a % n (integer, checked)"),
  fused("ModConstStore", ["const", "local"], 1, 0, ["PushConst", "Mod", "Store"], "$d := a % #k (integer constant, checked)", { constTag: "int" }),
  // ── the receive { } statement: the oldest message of any of several types ───────────
  row("ReceiveSelect", ["typeset"], 0, 2, "take the oldest message whose type is in the set #S, waiting for one; pushes it, then its type's position in #S"),
  row("ReceiveSelectTimeout", ["typeset"], 1, 2, "as ReceiveSelect, waiting at most the popped ms (negative: a range fault); on a timeout pushes null, then -1"),
  // ── seed 003's operand places: Copy between any two, a region as Load's or Store's operand ──
  variant("Copy", "CopyPlaces", ["mode", "place", "place"], 0, 0, "DEST := SRC, for the pairs of places without a row of their own (#k $n &a &a..n &$n &$n..m >A B<); between memory places a byte copy", ["P", "P"]),
  variant("Load", "LoadPlace", ["mode", "place"], 0, 1, "push the integer in the region >A B< (1 to 4 bytes, little-endian)", ["P"]),
  variant("Store", "StorePlace", ["mode", "place"], 1, 0, "pop an integer into the region >A B< (1 to 4 bytes, little-endian)", ["P"]),
  // ── an opcode the embedder defined (vm.defineOpcode; ext.ts): irregular, its own operands follow ──
  row("Ext", ["ext"], (ops, ctx) => ctx.ext(ops[0]).pops, (ops, ctx) => ctx.ext(ops[0]).pushes, "extension opcode #e of the module's extension table, then its own operands; written by its name (Crc32 &100 16)", { asm: [] }),
];

/**
 * The compare-and-branch rows by Kaylee comparison, for the code generator: read off the rows
 * whose `sem` goes to a label unless `$a op $b` (locals) or `$a op n` (int).
 */
export const FUSED_COMPARE: Readonly<Record<string, { locals: string; int: string }>> = (() => {
  const kaylee: Partial<Record<OperatorName, string>> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
  const out: Record<string, { locals: string; int: string }> = Object.create(null);
  for (const o of OPCODES) {
    const s = o.sem;
    if (!s || s.k !== "branch" || s.when || !s.op || !kaylee[s.op] || s.args.length !== 2 || s.args[0] !== "$0") continue;
    const entry = (out[kaylee[s.op]!] ??= { locals: "", int: "" });
    if (s.args[1][0] === "$") entry.locals = o.name;
    else if (s.args[1][0] === "n") entry.int = o.name;
  }
  return out;
})();

/** Opcode numbers by row name: `Op.Add` (no prototype: `Op["toString"]` is undefined). */
export const Op: Readonly<Record<string, number>> = (() => {
  const m = Object.create(null) as Record<string, number>;
  for (let i = 0; i < OPCODES.length; i++) m[OPCODES[i].name] = i;
  return Object.freeze(m);
})();

export const OP_COUNT = OPCODES.length;

/** Code slots each instruction takes in a linked program: its opcode and its operands. */
export const SIZE: readonly number[] = OPCODES.map((o) => 1 + o.operands.length);

/** Rows by mnemonic in lower case, for the assembler (mnemonics are matched without regard to case). */
export const BY_MNEMONIC: ReadonlyMap<string, readonly OpInfo[]> = (() => {
  const m = new Map<string, OpInfo[]>();
  for (const o of OPCODES) {
    const key = o.mnemonic.toLowerCase();
    const list = m.get(key) ?? [];
    list.push(o);
    m.set(key, list);
  }
  return m;
})();

export function opNumber(name: string): number {
  const n = Op[name];
  if (n === undefined) throw new Error(`no opcode ${name}`);
  return n;
}

export function effect(e: Effect, operands: readonly number[], ctx: EffectCtx): number {
  return typeof e === "number" ? e : e(operands, ctx);
}

/** Operand kinds that may be negative (encoded as signed). */
export function isSigned(kind: OperandKind): boolean {
  return kind === "imm";
}
