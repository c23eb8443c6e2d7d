// Seed 003's operand places (bytecode/places.ts): `Copy DEST SRC` between every pair of place
// shapes, checked against a model of memory and locals in both tiers; the verifier's refusals
// of hand-made place instructions; mnemonics in any case; places in the REPL's joined programs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";
import { assemble } from "../src/bytecode/assembler.js";
import { FunctionBuilder, ModuleBuilder } from "../src/bytecode/builder.js";
import { Op } from "../src/bytecode/opcodes.js";
import { ModuleError } from "../src/bytecode/module.js";
import { verifyModule } from "../src/bytecode/verifier.js";
import { SHAPES, copyMode, packRegion, type Shape } from "../src/bytecode/places.js";

// The frame every pair runs in: bytes 100..107 and 200..207 hold known values, $0..$3 hold
// the addresses 100, 104, 200, 204 (region bounds and `&$` addresses), $4 a value, $5 is the
// destination local. Every region below is 4 bytes.
const SETUP = `    PushConst #0x13121110
    Store &100
    PushConst #0x17161514
    Store &104
    PushConst #0x23222120
    Store &200
    PushConst #0x27262524
    Store &204
    Copy $0 #100
    Copy $1 #104
    Copy $2 #200
    Copy $3 #204
    Copy $4 #0x0A0B0C0D
    Copy $5 #77
`;

function written(s: Shape, dst: boolean): string {
  const [a, b, la, lb] = dst ? ["100", "104", "$0", "$1"] : ["200", "204", "$2", "$3"];
  switch (s.kind) {
    case "const":
      return "#-5";
    case "local":
      return dst ? "$5" : "$4";
    case "mem":
      return s.len === 4 ? `&${a}` : `&${a}..${s.len}`;
    case "ind":
      return s.len === 4 ? `&${la}` : `&${la}..${s.len}`;
    case "region":
      return `>${s.aLocal ? la : a} ${s.bLocal ? lb : b}<`;
  }
}

/** What a place holds as bytes in the model: its start and length, or null for a value place. */
function bytesOf(s: Shape, dst: boolean): [number, number] | null {
  const start = dst ? 100 : 200;
  if (s.kind === "mem" || s.kind === "ind") return [start, s.len];
  if (s.kind === "region") return [start, 4];
  return null;
}

type Expected = { refused: true } | { fault: RegExp } | { out: string };

/** The model: what `Copy D S` leaves in $5, &100 and &104. */
function model(d: Shape, s: Shape): Expected {
  const mem = new Uint8Array(256);
  const view = new DataView(mem.buffer);
  view.setInt32(100, 0x13121110, true);
  view.setInt32(104, 0x17161514, true);
  view.setInt32(200, 0x23222120, true);
  view.setInt32(204, 0x27262524, true);
  let local5 = 77;
  const db = bytesOf(d, true);
  const sb = bytesOf(s, false);
  const known = (x: Shape) => x.kind === "mem" || x.kind === "ind" || (x.kind === "region" && !x.aLocal && !x.bLocal);
  if (db && sb) {
    if (db[1] !== sb[1]) return known(d) && known(s) ? { refused: true } : { fault: /must be one length/ };
    mem.copyWithin(db[0], sb[0], sb[0] + sb[1]);
  } else {
    let v: number;
    if (sb) {
      let u = 0;
      for (let i = sb[1] - 1; i >= 0; i--) u = u * 256 + mem[sb[0] + i];
      v = sb[1] === 4 ? u | 0 : u;
    } else v = s.kind === "const" ? -5 : 0x0a0b0c0d;
    if (db) for (let i = 0; i < db[1]; i++) mem[db[0] + i] = (v >> (8 * i)) & 0xff;
    else local5 = v;
  }
  return { out: `[${local5}, ${view.getInt32(100, true)}, ${view.getInt32(104, true)}]\n` };
}

function program(d: Shape, s: Shape): string {
  return `fn main locals=0
    Call @t
    Halt
fn t locals=6
${SETUP}    Copy ${written(d, true)} ${written(s, false)}
    Load $5
    Load &100
    Load &104
    MakeVector 3
    CallNativeTyped #vm.println 1 #(vector[integer])
    Return
`;
}

test("Copy between every pair of places does what the model says, in both tiers", async () => {
  const tiers = ["off", "eager"] as const;
  let pairs = 0;
  let refused = 0;
  for (const d of SHAPES) {
    if (d.kind === "const") continue;
    for (const s of SHAPES) {
      const src = program(d, s);
      const want = model(d, s);
      const what = `Copy ${written(d, true)} ${written(s, false)}`;
      const asm = assemble(src, "pair.raft");
      if ("refused" in want) {
        assert.equal(asm.module, null, `${what} should be refused`);
        assert.match(asm.diagnostics[0].title, /bad operands for Copy/);
        refused++;
        continue;
      }
      assert.ok(asm.module, `${what}: ${asm.diagnostics.map((x) => x.title + " " + x.labels[0]?.message).join("; ")}`);
      for (const jit of tiers) {
        let out = "";
        const r = await new Raft({ jit, stdout: (t) => (out += t) }).run(asm.module!);
        if ("fault" in want) {
          assert.equal(r.exitCode, 1, `${what} (${jit})`);
          assert.match(r.panic?.message ?? "", want.fault, `${what} (${jit})`);
        } else {
          assert.equal(r.exitCode, 0, `${what} (${jit}): ${r.panic?.message}`);
          assert.equal(out, want.out, `${what} (${jit})`);
        }
      }
      pairs++;
    }
  }
  // 13 destinations by 14 sources; the memory pairs whose lengths differ where both are
  // known (60 of them) are refused by the assembler.
  assert.deepEqual([pairs, refused], [122, 60]);
});

/** A module of one function `main` (locals 2) whose code `emit` writes, then Halt. */
function handMade(emit: (fb: FunctionBuilder, mb: ModuleBuilder) => void): ReturnType<ModuleBuilder["finish"]> {
  const mb = new ModuleBuilder("hand.rbc");
  const fb = new FunctionBuilder("main", 0, 2);
  emit(fb, mb);
  fb.emit(Op.Halt);
  mb.define(fb);
  mb.entry = mb.declare("main");
  return mb.finish();
}

const shape = (kind: Shape["kind"], len = 0, aLocal = false, bLocal = false) => SHAPES.findIndex((s) => s.kind === kind && s.len === len && s.aLocal === aLocal && s.bLocal === bLocal);

test("the verifier refuses place instructions that are malformed or say something impossible", () => {
  const refused = (why: RegExp, emit: (fb: FunctionBuilder, mb: ModuleBuilder) => void) => assert.throws(() => verifyModule(handMade(emit)), (e: unknown) => e instanceof ModuleError && why.test(e.message));
  const L = shape("local");
  const K = shape("const");
  const M4 = shape("mem", 4);
  const M2 = shape("mem", 2);
  const RKK = shape("region");
  const RLL = shape("region", 0, true, true);
  // A pair with an instruction of its own has no second encoding.
  refused(/instruction of its own \(CopyLocalConst\)/, (fb, mb) => fb.emit(Op.CopyPlaces, copyMode(L, K), 0, mb.int(1)));
  refused(/names no pair/, (fb) => fb.emit(Op.CopyPlaces, 3, 0, 0));
  refused(/names no pair/, (fb) => fb.emitWide(Op.CopyPlaces, 5000, 0, 0));
  refused(/is not a region/, (fb) => fb.emit(Op.LoadPlace, M4, 100));
  refused(/local \$7 out of range/, (fb) => fb.emit(Op.LoadPlace, RLL, packRegion(0, 7)));
  refused(/region bound #\d+ is not an integer constant/, (fb, mb) => fb.emitWide(Op.LoadPlace, RKK, packRegion(mb.int(100), mb.string("x"))));
  refused(/region ends before it starts/, (fb, mb) => fb.emitWide(Op.LoadPlace, RKK, packRegion(mb.int(104), mb.int(100))));
  refused(/holds no value/, (fb, mb) => fb.emitWide(Op.LoadPlace, RKK, packRegion(mb.int(100), mb.int(108))));
  refused(/hold 4 and 2 bytes/, (fb, mb) => fb.emitWide(Op.CopyPlaces, copyMode(M2, RKK), 100, packRegion(mb.int(200), mb.int(204))));
  refused(/not an integer \(memory holds integers\)/, (fb, mb) => fb.emit(Op.CopyPlaces, copyMode(M4, K), 100, mb.float(1.5)));
  refused(/past the largest linear memory/, (fb) => fb.emitWide(Op.CopyPlaces, copyMode(M4, K), 64 * 1024 * 1024 - 2, 0));
  // The rows of old have the static bound too.
  refused(/past the largest linear memory/, (fb) => fb.emitWide(Op.LoadMem, 64 * 1024 * 1024 - 3));
  // And what it accepts runs.
  verifyModule(handMade((fb, mb) => fb.emitWide(Op.CopyPlaces, copyMode(M4, RKK), 100, packRegion(mb.int(200), mb.int(204)))));
});

test("mnemonics are matched without regard to case; the seed's COPY examples assemble as written", () => {
  const src = "COPY $0 #300\ncopy $1 $0\nCoPy &100 $0\nCOPY $1 &100\nCOPY $1 &100..3\nCOPY $1 &$0\nCOPY $1 &$0..2\nwide pushint 5\nLOAD >100 102<\n";
  const r = assemble(src, "seed.raft");
  assert.deepEqual(r.diagnostics, []);
  const lower = assemble(src.toLowerCase(), "seed.raft");
  assert.deepEqual(lower.module, { ...r.module!, file: "seed.raft" });
});

test("a region's constant bounds are rebased when the REPL joins its inputs into one program", async () => {
  const raft = new Raft({ stdout: () => {} });
  const s = await raft.session();
  // Each input adds constants ahead of the region's bounds: they must still name 300 and 302.
  const first = await s.evalAsm('PushConst #"a"\nPop\nCopy &300 #0x0102\n');
  assert.notEqual(first.kind, "error", JSON.stringify(first));
  const r = await s.evalAsm('PushConst #"b"\nPushConst #1.5\nPop\nPop\nLoad >300 302<\nLoad >300 301<\n');
  assert.equal(r.kind, "value", JSON.stringify(r));
  assert.match((r as { text: string }).text, /\[258, 2\]/);
});
