// Superinstructions: the peephole pass that the opcode table's `fuses` lists drive, the
// verifier's refusals of bad operands, the code the compiler emits for hot shapes (loops with
// the test at the bottom, element updates without temporaries), and the second tier
// compiling every superinstruction.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OPCODES, Op } from "../src/bytecode/opcodes.js";
import { assemble } from "../src/bytecode/assembler.js";
import { disassemble } from "../src/bytecode/disasm.js";
import type { Module } from "../src/bytecode/module.js";
import { FunctionBuilder, ModuleBuilder } from "../src/bytecode/builder.js";
import { link } from "../src/vm/program.js";
import { Natives } from "../src/vm/natives.js";
import { compileFunction } from "../src/vm/jit.js";
import { Raft } from "../src/raft.js";

function asm(src: string): Module {
  const r = assemble(src, "t.raft");
  assert.equal(r.diagnostics.length, 0, JSON.stringify(r.diagnostics.map((d) => d.title)));
  return r.module!;
}

function compiled(src: string): string {
  const r = new Raft().compile(src, "t.kl");
  assert.ok(r.module, JSON.stringify(r.diagnostics.map((d) => d.title)));
  return disassemble(r.module!);
}

/** The instructions of function `fn` in a disassembly, without positions and labels. */
function body(text: string, fn: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`fn ${fn} `));
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith("fn ")) break;
    const t = l.trim();
    if (t === "" || t.startsWith(".line") || t.endsWith(":")) continue;
    out.push(t.replace(/^Wide /, ""));
  }
  return out;
}

test("every superinstruction's parts are rows, and its operands and stack effect are theirs", () => {
  for (const o of OPCODES) {
    if (!o.fuses) continue;
    const parts = o.fuses.map((n) => OPCODES.find((p) => p.name === n)!);
    assert.ok(parts.every(Boolean), o.name);
    if (!o.fuseOperands) assert.deepEqual(o.operands, parts.flatMap((p) => p.operands), `${o.name} operands`);
    // Net effect of the parts in sequence (all fixed effects).
    let need = 0;
    let depth = 0;
    for (const p of parts) {
      const pops = p.pops as number;
      depth -= pops;
      need = Math.max(need, -depth);
      depth += p.pushes as number;
    }
    assert.equal(o.pops, need, `${o.name} pops`);
    assert.equal((o.pushes as number) - (o.pops as number), depth, `${o.name} net stack effect`);
  }
});

test("the peephole pass fuses the longest run, never across a jump target, never what was forced wide", () => {
  const mb = new ModuleBuilder("t");
  const fb = new FunctionBuilder("main", 0, 3);
  const l = fb.newLabel();
  fb.emit(Op.Load, 0);
  fb.emit(Op.PushInt, 31);
  fb.emit(Op.Mul); // Load, PushInt, Mul: LoadMulInt
  fb.emit(Op.Load, 1);
  fb.place(l); // a jump target between Load and Add: no AddLocal
  fb.emit(Op.Add);
  fb.emit(Op.PushConst, mb.int(1000003));
  fb.emit(Op.Mod); // ModConst
  fb.emit(Op.PushConst, mb.float(2.5));
  fb.emit(Op.Mod); // a float constant: no ModConst
  fb.emitWide(Op.PushInt, 2);
  fb.emit(Op.Sub); // PushInt was forced wide: kept as written (Sub, Store: SubStore)
  fb.emit(Op.Store, 2);
  fb.emit(Op.Jump, l);
  fb.fuse((k) => mb.consts[k].tag);
  mb.define(fb);
  const text = disassemble(mb.finish());
  assert.deepEqual(body(text, "main"), ["LoadMulInt $0 31", "Load $1", "Add", "ModConst #1000003", "PushConst #2.5", "Mod", "PushInt 2", "SubStore $2", "Jump @L5"]);
});

test("the verifier refuses superinstructions with constants of the wrong kind or locals out of range", () => {
  // Assembly is verified as it is assembled: the refusal is a diagnostic at the instruction.
  const refused = (src: string, why: RegExp) => {
    const r = assemble(src, "t.raft");
    assert.equal(r.module, null, src);
    assert.match(r.diagnostics.map((d) => d.title).join("\n"), why, src);
  };
  refused('fn main locals=1\n  PushInt 1\n  ModConst #"x"\n  Halt\n', /ModConst: constant #0 is not an integer/);
  refused("fn main locals=1\n  PushInt 1\n  MulConst #1.5\n  Halt\n", /is not an integer/);
  refused("fn main locals=1\n  PushConst #1.5\n  MulFloatConst #2\n  Halt\n", /is not a float/);
  refused("fn main locals=1\n  AddLocals $0 $1\n  Halt\n", /local \$1 out of range/);
  refused("fn main locals=1\n  AddLocal $0\n  Halt\n", /needs 1 value on the stack but has 0/);
  refused("fn main locals=2\n  StoreIndexLocals $0 $1\n  Halt\n", /needs 1 value/);
  refused("fn main locals=1\n  SqrtFloat\n  Halt\n", /needs 1 value/);
  refused("fn main locals=1\n  ReturnLocal $3\n", /ReturnLocal: local \$3 out of range/);
});

test("Kaylee: the counting loop is four instructions an iteration, with the test at the bottom", () => {
  const text = compiled("let n: integer = 10;\nlet a: integer = 0;\nlet i: integer = 0;\nloop {\n    if (i == n) { break; }\n    a = (a * 31 + i) % 1000003;\n    i++;\n}\nvm.println(a);\n");
  const code = body(text, "main");
  const at = code.indexOf("LoadMulInt $1 31");
  assert.ok(at > 0, code.join("\n"));
  // Tested once on entry (the negated test jumps past the loop), then at the bottom only.
  assert.match(code[at - 1], /^NotEqJumpIfFalse \$2 \$0 @L/);
  assert.deepEqual(code.slice(at, at + 3), ["LoadMulInt $1 31", "AddLocal $2", "ModConstStore #1000003 $1"]);
  assert.match(code[at + 3], /^IncEqJumpIfFalse \$2 \$0 @L/);
});

test("Kaylee: a counter step fuses with the test after it unless the test is a jump target", () => {
  const fused = body(compiled("let v: vector[integer] = [1, 2];\nlet s: integer = 0;\nfor x in v { s += x; }\nvm.println(s);\n"), "main");
  assert.ok(fused.some((x) => /^IncGreaterEqJumpIfFalse /.test(x)), fused.join("\n"));
  // `continue` jumps to the bottom test: it stays a separate instruction.
  const kept = body(compiled("let i: integer = 0;\nloop {\n    if (i == 9) { break; }\n    if (i == 3) {\n        i = 5;\n        continue;\n    }\n    i++;\n}\n"), "main");
  assert.ok(kept.includes("IncLocal $0 1") && !kept.some((x) => x.startsWith("IncEq")), kept.join("\n"));
});

test("Kaylee: fib's calls take their arguments and return their base case in one instruction each", () => {
  const code = body(compiled("fn fib(n: integer) -> integer {\n    if (n < 2) { return n; }\n    return fib(n - 1) + fib(n - 2);\n}\nvm.println(fib(10));\n"), "fib");
  assert.deepEqual(code.slice(0, 8), [code[0], "ReturnLocal $0", "LoadSubInt $0 1", "Call @fib", "LoadSubInt $0 2", "Call @fib", "Add", "Return"]);
  assert.match(code[0], /^LessIntJumpIfFalse \$0 2 @L/);
});

test("Kaylee: element updates through locals use no temporaries; sqrt is one instruction", () => {
  const code = body(compiled("let v: array[float; 2] = [1.0, 2.0];\nlet i: integer = 1;\nlet d: float = 0.5;\nv[i] -= v[0] * d;\nv[i] = v[i].sqrt();\nv[i] -= d * d;\nvm.println(v);\n"), "main");
  const at = code.indexOf("IndexLocals $0 $1");
  // The value reads an element (it may fault): the element is read first, as written.
  assert.deepEqual(code.slice(at, at + 2), ["IndexLocals $0 $1", "Load $0"]);
  assert.deepEqual(code.slice(at + 4, at + 9), ["MulFloatLocal $2", "SubFloat", "StoreIndexLocals $0 $1", "IndexLocals $0 $1", "SqrtFloat"]);
  // The value cannot fault: computed first, then one read-update-write of the element.
  assert.deepEqual(code.slice(at + 9, at + 12), ["StoreIndexLocals $0 $1", "MulFloatLocals $2 $2", "SubFloatIndexLocals $0 $1"]);
});

test("Kaylee: if (c) { break; } inside a loop is one negated branch where negation is exact", () => {
  const ints = body(compiled("let i: integer = 0;\nloop {\n    i += 1;\n    if (i < 5) { continue; }\n    if (i >= 9) { break; }\n}\n"), "main");
  assert.ok(ints.some((x) => /^GreaterEqIntJumpIfFalse \$0 5 @L/.test(x)), ints.join("\n"));
  assert.ok(ints.some((x) => /^LessIntJumpIfFalse \$0 9 @L/.test(x)), ints.join("\n"));
  // Floats: a < b is not !(a >= b) when one is NaN, so the comparison is computed and tested.
  const floats = body(compiled("let f: float = 0.0;\nlet g: float = 1.0;\nloop {\n    f += 1.0;\n    if (f < g) { continue; }\n    if (f >= 3.0) { break; }\n}\n"), "main");
  assert.ok(floats.includes("Less") && floats.includes("GreaterEq") && floats.filter((x) => x.startsWith("JumpIfTrue")).length === 2, floats.join("\n"));
});

test("the second tier compiles every function of the superinstruction test program", () => {
  const m = asm(readFileSync("test/programs/asm/superinstructions.raft", "utf8"));
  const prog = link(m, new Natives());
  const used = new Set<string>();
  for (const f of m.functions) for (const l of body(disassemble(m), f.name)) used.add(l.split(" ")[0]);
  for (const o of OPCODES) if (o.fuses || o.name.endsWith("IndexLocals") || o.name === "SqrtFloat") assert.ok(used.has(o.name), `${o.name} is in the test program`);
  m.functions.forEach((f, i) => assert.ok(compileFunction(prog, i), `${f.name} compiles`));
});
