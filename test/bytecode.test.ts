// The bytecode layer: the opcode table and what derives from it, the module format, the
// assembler/disassembler round trip, and the verifier's refusals.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { OPCODES, Op } from "../src/bytecode/opcodes.js";
import { opEnumSource } from "../src/bytecode/op-enum-source.js";
import { withInterpreterCases } from "../src/vm/interp-source.js";
import { partsSource } from "../src/bytecode/parts-source.js";
import { assemble } from "../src/bytecode/assembler.js";
import { disassemble } from "../src/bytecode/disasm.js";
import { ModuleError, readModule, writeModule, type Module } from "../src/bytecode/module.js";
import { verifyModule } from "../src/bytecode/verifier.js";
import { FLOAT_FORM, floatArithmetic } from "../src/bytecode/stack-types.js";
import { FunctionBuilder, ModuleBuilder } from "../src/bytecode/builder.js";
import { Raft } from "../src/raft.js";
import { assertGenerated } from "./helpers/generated.js";

const SEED_OPS = ["Add", "Sub", "Mul", "Div", "Mod", "Neg", "Exp", "PushConst", "Pop", "Dup", "Swap", "Jump", "JumpIfFalse", "Call", "Return", "SpawnActor", "SendMessage", "ReceiveMessage", "SpawnSupervisor", "SetStrategy", "RestartChild"];

function asm(src: string): Module {
  const r = assemble(src, "t.raft");
  assert.equal(r.diagnostics.length, 0, JSON.stringify(r.diagnostics.map((d) => d.title)));
  return r.module!;
}

function roundTrip(m: Module): void {
  const bytes = writeModule(m);
  const text = disassemble(readModule(bytes));
  const again = assemble(text, m.file);
  assert.equal(again.diagnostics.length, 0, text + JSON.stringify(again.diagnostics.map((d) => d.title)));
  assert.deepEqual(writeModule(again.module!), bytes, text);
}

test("op.ts is generated from the opcode table", () => {
  assertGenerated("src/bytecode/op.ts", opEnumSource(), "UPDATE_OPS");
});

test("the second tier's table of expanded parts is generated from the opcode table", () => {
  assertGenerated("src/vm/jit-parts.ts", partsSource(), "UPDATE_OPS");
});

test("the interpreter's cases for the regular instructions are generated from the opcode table", () => {
  assertGenerated("src/vm/interpreter.ts", withInterpreterCases(readFileSync("src/vm/interpreter.ts", "utf8")), "UPDATE_OPS");
});

test("the table holds every seed opcode, unique names, at most three operands", () => {
  const names = new Set(OPCODES.map((o) => o.name));
  assert.equal(names.size, OPCODES.length);
  for (const s of SEED_OPS) assert.ok(names.has(s), s);
  for (const o of OPCODES) {
    assert.ok(o.operands.length <= 3, `${o.name}: an instruction is 1 to 4 bytes`);
    assert.ok(o.doc.length > 0, `${o.name} has a doc line`);
  }
  assert.ok(OPCODES.length <= 256);
});

test("the seed's 1 2 + assembles to PushConst, PushConst, Add, Halt and runs to 3", async () => {
  const m = asm("# push 1 and 2 on the stack and add them\n1 2 +\n");
  const ops = verifyModule(m)[0].instrs.map((i) => OPCODES[i.op].name);
  assert.deepEqual(ops, ["PushConst", "PushConst", "Add", "Halt"]);
  const r = await new Raft({ stdout: () => {} }).run(m);
  assert.deepEqual(r.leftover, [3]);
});

test("a module's string constants come back exactly from its bytes, a leading U+FEFF included", () => {
  const mb = new ModuleBuilder("bom.raft");
  const fb = new FunctionBuilder("main", 0, 0);
  const texts = ["\ufeffx", "\ufeff", "a\ufeff", "\u{1F600}"];
  for (const t of texts) fb.emit(Op.PushConst, mb.string(t));
  fb.emit(Op.Halt);
  mb.define(fb);
  const back = readModule(writeModule(mb.finish()));
  assert.deepEqual(
    back.consts.filter((c) => c.tag === "string").map((c) => c.value),
    texts,
  );
});

test("every assembly test program round-trips through disassembly to identical bytes", () => {
  const dirs = ["test/programs/asm", "../shared/conformance/asm", "../shared/conformance/seed"];
  let n = 0;
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(d).filter((f) => f.endsWith(".raft"));
    } catch {
      continue;
    }
    for (const f of files) {
      // What a program expects (its `// expect` directives) says whether it may be refused:
      // a diagnostic by the assembler, or (exit code 2 and no diagnostic line) by the verifier,
      // which the assembler runs on what it builds (its refusal is a diagnostic too).
      const src = readFileSync(`${d}/${f}`, "utf8");
      const diagnosed = /\/\/ expect error:/.test(src);
      const refused = !diagnosed && /\/\/ expect exit: 2\s*$/m.test(src);
      const r = assemble(src, f);
      if (diagnosed) {
        assert.equal(r.module, null, `${d}/${f} expects a diagnostic but assembles`);
        continue;
      }
      if (refused) {
        assert.equal(r.module, null, `${d}/${f} expects the verifier to refuse it`);
        assert.ok(r.diagnostics.some((x) => x.labels.some((l) => l.message === "the verifier refuses this instruction")), `${d}/${f}: ${r.diagnostics.map((x) => x.title).join("; ")}`);
        continue;
      }
      assert.ok(r.module, `${d}/${f} no longer assembles: ${r.diagnostics.map((x) => x.title).join("; ")}`);
      verifyModule(r.module);
      roundTrip(r.module);
      n++;
    }
  }
  assert.ok(n >= 20, `only ${n} assembly programs round-tripped`);
});

test("Kaylee modules round-trip through disassembly too", () => {
  const raft = new Raft();
  const src = `fn f(n: integer) -> integer { if (n < 2) { return n; } return f(n - 1) + f(n - 2); }
let v: vector[string] = ["a", "b"];
for s in v { s = s.upper(); }
let t: (integer, float) = (1, 2.5);
vm.println(f(10) + t.0);
let x: integer = "12".into(){default: 0};
vm.println(v);
loop {
    receive {
        job: (process, integer) => { vm.send(job.0, job.1 * 2); }
        down: exit => { break; }
        after x * 10 => { continue; }
    }
}
receive { n: integer => { } s: string => { } }
receive { only: float => { } }`;
  const r = raft.compile(src, "k.kl");
  assert.ok(r.module, JSON.stringify(r.diagnostics));
  roundTrip(r.module!);
  const text = disassemble(r.module!);
  assert.match(text, /ReceiveSelectTimeout #\{\(process, integer\), exit\}\n/);
  assert.match(text, /ReceiveSelect #\{integer, string\}\n/);
  // One arm and no `after` is the one-type receive.
  assert.match(text, /ReceiveMessage #float\n/);
});

// A generator of random valid functions: straight-line stack code with forward and
// backward jumps, constants of every kind, locals, and forced Wide forms.
const programArb = fc
  .array(
    fc.oneof(
      fc.record({ k: fc.constant("int" as const), v: fc.integer() }),
      fc.record({ k: fc.constant("small" as const), v: fc.integer({ min: -300, max: 300 }) }),
      fc.record({ k: fc.constant("float" as const), v: fc.float({ noNaN: true }) }),
      fc.record({ k: fc.constant("str" as const), v: fc.string({ maxLength: 8 }) }),
      fc.record({ k: fc.constant("binop" as const), v: fc.constantFrom(Op.Add, Op.Sub, Op.BitXor, Op.Eq, Op.Less, Op.Swap) }),
      fc.record({ k: fc.constant("store" as const), v: fc.integer({ min: 0, max: 299 }) }),
      fc.record({ k: fc.constant("label" as const), v: fc.nat(5) }),
      fc.record({ k: fc.constant("wide" as const), v: fc.integer({ min: -5, max: 5 }) }),
    ),
    { maxLength: 120 },
  )
  .map((steps) => {
    const mb = new ModuleBuilder("gen.raft");
    const fb = new FunctionBuilder("main", 0, 300);
    let depth = 0;
    const labels = [fb.newLabel(), fb.newLabel(), fb.newLabel(), fb.newLabel(), fb.newLabel(), fb.newLabel()];
    const placed = new Set<number>();
    for (const s of steps) {
      switch (s.k) {
        case "int":
          fb.emit(Op.PushConst, mb.int(s.v));
          depth++;
          break;
        case "small":
          fb.emit(Op.PushInt, s.v);
          depth++;
          break;
        case "float":
          fb.emit(Op.PushConst, mb.float(s.v));
          depth++;
          break;
        case "str":
          fb.emit(Op.PushConst, mb.string(s.v));
          depth++;
          break;
        case "binop":
          if (depth >= 2) {
            fb.emit(s.v);
            if (s.v !== Op.Swap) depth--;
          }
          break;
        case "store":
          if (depth >= 1) {
            fb.emit(Op.Store, s.v);
            depth--;
          } else {
            fb.emit(Op.Load, s.v);
            depth++;
          }
          break;
        case "label":
          // Jumps are only taken at depth 0, to keep depths consistent where paths meet.
          if (depth === 0) {
            if (!placed.has(s.v)) {
              fb.place(labels[s.v]);
              placed.add(s.v);
            } else {
              fb.emit(Op.PushFalse);
              fb.emit(Op.JumpIfTrue, labels[s.v]);
            }
          }
          break;
        case "wide":
          fb.emitWide(Op.PushInt, s.v);
          depth++;
          break;
      }
    }
    for (let i = 0; i < labels.length; i++) if (!placed.has(i)) fb.place(labels[i]);
    fb.emit(Op.Halt);
    mb.define(fb);
    return mb.finish();
  });

test("property: disassemble then assemble is the identity on random valid modules", () => {
  fc.assert(
    fc.property(programArb, (m) => {
      verifyModule(m);
      // Generic arithmetic on known floats is written in its float form by the assembler, and
      // a float with an integer is refused (next test): such modules do not come back as they were.
      fc.pre(floatArithmetic(m).length === 0);
      roundTrip(m);
    }),
    { numRuns: 300, seed: 20261123 },
  );
});

test("property: generic arithmetic on floats assembles to its float form; a float with an integer is refused", () => {
  let floats = 0;
  let mixed = 0;
  fc.assert(
    fc.property(programArb, (m) => {
      verifyModule(m);
      const found = floatArithmetic(m);
      fc.pre(found.length !== 0);
      const r = assemble(disassemble(m), "t.raft");
      if (found.some((a) => a.kind === "mixed")) {
        mixed++;
        assert.equal(r.module, null);
        assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.code === "A0019"), r.diagnostics.map((d) => d.code).join());
        return;
      }
      floats++;
      assert.ok(r.module, r.diagnostics.map((d) => d.title).join("; "));
      // Byte for byte the same, but for each such instruction's opcode, now its float form.
      const want = m.functions.map((f) => Uint8Array.from(f.code));
      for (const a of found) want[a.fn][a.offset] = FLOAT_FORM.get(a.op)!;
      assert.deepEqual(r.module!.functions.map((f) => Uint8Array.from(f.code)), want);
    }),
    { numRuns: 200, seed: 20261208 },
  );
  assert.ok(floats > 0 && mixed > 0, `floats ${floats}, mixed ${mixed}`);
});

/** Assembly the verifier refuses: one diagnostic, at the instruction, with the verifier's reason. */
function refused(src: string, why: RegExp): void {
  const r = assemble(src, "t.raft");
  assert.equal(r.module, null, src);
  assert.equal(r.diagnostics.length, 1, src);
  assert.match(r.diagnostics[0].title, why, src);
  assert.equal(r.diagnostics[0].labels[0].message, "the verifier refuses this instruction", src);
}

test("the verifier refuses bad code with a reason, which assembly reports at the instruction", () => {
  refused("fn main locals=0\n  Add\n  Halt\n", /needs 2 values on the stack but has 0/);
  refused("fn main locals=0\n  PushInt 1\n", /falls off the end/);
  refused("fn main locals=0\n  PushInt 1\n  JumpIfFalse @a\n  PushInt 2\n a:\n  Halt\n", /disagrees/);
  refused("fn main locals=0\n  Return\n", /needs 1 value/);
  refused("fn main locals=1\n  Load $0\n  Call @f\n  Halt\nfn f params=2 locals=2\n  Load $0\n  Return\n", /needs 2 values/);
});

test("the verifier refuses out-of-range operands in hand-made modules", () => {
  const m = asm("fn main locals=1\n  Load $0\n  Halt\n");
  const bad = (patch: (m: Module) => void, why: RegExp) => {
    const copy = readModule(writeModule(m));
    patch(copy);
    assert.throws(() => verifyModule(copy), (e: unknown) => e instanceof ModuleError && why.test(e.message), String(why));
  };
  bad((c) => (c.functions[0].locals = 0), /parameters|local \$0 out of range/);
  bad((c) => (c.functions[0].code = Uint8Array.from([Op.Jump, 1, Op.Halt])), /jump target 1 is not the start of an instruction/);
  bad((c) => (c.functions[0].code = Uint8Array.from([250])), /invalid opcode 250/);
  bad((c) => (c.functions[0].code = Uint8Array.from([Op.PushConst, 9, Op.Halt])), /constant #9 does not exist/);
  bad((c) => (c.functions[0].code = Uint8Array.from([Op.PushConst])), /truncated/);
  bad((c) => (c.entry = 5), /entry function 5 does not exist/);
});

test("the verifier refuses a malformed select", () => {
  // Paths that leave the select's two results in different states meet with different depths.
  refused("fn main locals=0\n  PushInt 0\n  JumpIfFalse @a\n  ReceiveSelect #{integer, string}\n  Pop\n a:\n  Halt\n", /disagrees/);
  refused("fn main locals=0\n  ReceiveSelectTimeout #{integer}\n  Halt\n", /^ReceiveSelectTimeout: needs 1 value on the stack but has 0$/);
  const m = asm("fn main locals=0\n  PushInt 5\n  ReceiveSelectTimeout #{integer, (process, string)}\n  Pop\n  Pop\n  Halt\n");
  const k = m.consts.findIndex((c) => c.tag === "typeset");
  assert.deepEqual(m.consts[k], { tag: "typeset", value: "{integer, (process, string)}" });
  verifyModule(m);
  const bad = (patch: (c: Module) => void, why: RegExp) => {
    const copy = readModule(writeModule(m));
    patch(copy);
    assert.throws(() => verifyModule(copy), (e: unknown) => e instanceof ModuleError && why.test(e.message), String(why));
  };
  // The operand must name a type set: not a type, not a missing constant; and a set is not a value.
  bad((c) => (c.consts[k] = { tag: "type", value: "integer" }), /ReceiveSelectTimeout at byte 2: constant #\d+ is not a type set/);
  bad((c) => (c.functions[0].code = Uint8Array.from([Op.ReceiveSelect, 40, Op.Pop, Op.Pop, Op.Halt])), /constant #40 is not a type set/);
  bad((c) => (c.functions[0].code = Uint8Array.from([Op.PushConst, k, Op.Halt])), /is a type set, not a value/);
  // The set itself: well-formed keys, each type once.
  bad((c) => (c.consts[k] = { tag: "typeset", value: "{integer, integer}" }), /a type set lists this type twice: "integer"/);
  // A word that is no Kaylee type names a host type (vm.defineType): the module is well formed,
  // and a VM that does not define that type refuses to link it.
  const hosted = readModule(writeModule(m));
  hosted.consts[k] = { tag: "typeset", value: "{integer, nope}" };
  verifyModule(hosted);
  assert.throws(() => new Raft().link(hosted), (e: unknown) => e instanceof ModuleError && /^this module uses the host type nope, which this VM does not define \(vm\.defineType\)$/.test(e.message));
  bad((c) => (c.consts[k] = { tag: "typeset", value: "integer" }), /bad type descriptor/);
  // The assembler refuses what is not a set where one is expected.
  for (const src of ["ReceiveSelect #integer\n", "ReceiveSelect #{integer, integer}\n", ".typeset integer\n"]) {
    assert.ok(assemble(src, "t.raft").diagnostics.length > 0, src);
  }
});

test("type sets: any spacing in, one canonical text out, positions kept", () => {
  const m = asm("fn main locals=0\n  ReceiveSelect #{ exit,(process,string) , vector[ integer ] }\n  Pop\n  Pop\n  Halt\n");
  assert.deepEqual(m.consts.find((c) => c.tag === "typeset"), { tag: "typeset", value: "{exit, (process, string), vector[integer]}" });
  const text = disassemble(m);
  assert.match(text, /^\.typeset \{exit, \(process, string\), vector\[integer\]\}$/m);
  assert.match(text, /^ {4}ReceiveSelect #\{exit, \(process, string\), vector\[integer\]\}$/m);
  roundTrip(m);
  // The same set written twice is one constant; the empty set is one too.
  const two = asm("ReceiveSelect #{integer,string}\nPop\nPop\nReceiveSelect #{integer, string}\nPop\nPop\nPushInt 0\nReceiveSelectTimeout #{}\n");
  assert.deepEqual(two.consts.filter((c) => c.tag === "typeset").map((c) => c.value), ["{integer, string}", "{}"]);
});

test("the module reader refuses every truncation of a valid module", () => {
  const m = asm("fn main locals=1\n  PushConst #\"hello\"\n  PushConst #1.5\n  Pop\n  Store $0\n  Halt\n");
  const bytes = writeModule(m);
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => readModule(bytes.subarray(0, n)), ModuleError, `prefix of ${n} bytes`);
  }
  assert.doesNotThrow(() => readModule(bytes));
});

test("property: corrupted modules are refused cleanly or run within a budget", async () => {
  const src = "fn main locals=2\n  PushInt 3\n  Store $0\n top:\n  Load $0\n  JumpIfFalse @done\n  Load $0\n  PushInt 1\n  Sub\n  Store $0\n  Jump @top\n done:\n  PushConst #\"ok\"\n  CallNative #vm.println 1\n  Halt\n";
  const bytes = writeModule(asm(src));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), async (edits) => {
      const b = bytes.slice();
      for (const [i, v] of edits) b[i] = v;
      const raft = new Raft({ stdout: () => {}, stderr: () => {}, maxReductions: 20_000 });
      const r = await raft.run(b, { file: "fuzz.rbc" });
      assert.ok([0, 1, 2].includes(r.exitCode), `exit ${r.exitCode}`);
    }),
    { numRuns: 400, seed: 7 },
  );
});

test("docs/bytecode.md lists every opcode as the table defines it", async () => {
  const { withOpcodeTable } = await import("../src/bytecode/opcode-doc.js");
  assertGenerated("docs/bytecode.md", withOpcodeTable(readFileSync("docs/bytecode.md", "utf8")), "UPDATE_OPS");
});
