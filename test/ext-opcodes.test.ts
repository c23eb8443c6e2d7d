// Extension opcodes (vm.defineOpcode; docs/embedding.md): instructions an embedder adds, used
// by name in assembly and modules, recorded in a module's extension table, checked by the
// verifier by their declared stack effect, run by both tiers, faults of the calling process
// when exec throws, charged in reductions, and kept on the embedder's scheduler when a run
// uses several.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ModuleError, Raft } from "../src/index.js";
import { readModule, writeModule, type Module } from "../src/bytecode/module.js";
import { assemble } from "../src/bytecode/assembler.js";
import { disassemble } from "../src/bytecode/disasm.js";
import { verifyModule } from "../src/bytecode/verifier.js";
import { Op } from "../src/bytecode/opcodes.js";
import type { OpcodeSpec } from "../src/vm/ext-opcodes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TIERS = ["off", "eager"] as const;

/** SatAdd (pops 2), Probe (operands const, local, int, addr: returns them) and Boom (throws). */
export function defineTestOpcodes(raft: Raft): void {
  raft.defineOpcode({ name: "SatAdd", operands: [], pops: 2, pushes: 1, doc: "a + b, clamped", exec: ([a, b]) => Math.max(-2147483648, Math.min(2147483647, (a as number) + (b as number))) });
  raft.defineOpcode({ name: "Probe", operands: ["const", "local"], pops: 1, pushes: 1, exec: (args, ops) => [args[0], ...ops] as unknown[] });
  raft.defineOpcode({ name: "Imm", operands: ["int", "addr"], pops: 0, pushes: 1, exec: (_a, ops, ctx) => [...(ops as number[]), ctx.self] });
  raft.defineOpcode({ name: "Drop", operands: ["count"], pops: 1, pushes: 0, exec: () => 99 });
  raft.defineOpcode({
    name: "Boom",
    operands: [],
    pops: 0,
    pushes: 1,
    exec: () => {
      throw new Error("boom");
    },
  });
}

function tiered(jit: "off" | "eager", opts: ConstructorParameters<typeof Raft>[0] = {}): { raft: Raft; out: string[] } {
  const out: string[] = [];
  const raft = new Raft({ jit, stdout: (s) => out.push(s), stderr: () => {}, ...opts });
  defineTestOpcodes(raft);
  return { raft, out };
}

function asm(raft: Raft, src: string): Module {
  const r = raft.assemble(src, "t.raft");
  assert.equal(r.diagnostics.length, 0, r.diagnostics.map((d) => d.title).join("; "));
  return r.module!;
}

// A function that does not receive, so that with jit "eager" the second tier runs it.
const OPERANDS = `
fn main
    Call @f
    Halt
fn f locals=2
    PushConst #"s"
    Store $1
    PushInt 7
    Probe #1.5 $1
    PushInt 20
    PushInt 22
    SatAdd
    Wide Imm -1000 &300
    PushConst #2147483000
    PushConst #2000
    SatAdd
    PushInt 5
    Drop 3
    Return
`;

test("extension opcodes run in both tiers with their operands decoded and stack effects kept", async () => {
  for (const jit of TIERS) {
    const { raft } = tiered(jit);
    // Main leaves what f returns: f returns its top value; the rest of f's stack is dropped.
    const m = asm(raft, OPERANDS.replace("    Return\n", "    MakeVector 4\n    Return\n"));
    const r = await raft.run(m);
    assert.equal(r.exitCode, 0, `${jit}: ${r.panic?.message}`);
    assert.deepEqual(r.leftover, [[[7, 1.5, "s"], 42, [-1000, 300, 1], 2147483647]], jit);
  }
});

test("an extension opcode in a loop is charged a reduction a use, plus what exec charges", async () => {
  const raft = new Raft({ jit: "off" });
  raft.defineOpcode({ name: "Heavy", operands: [], pops: 0, pushes: 0, exec: (_a, _o, ctx) => ctx.charge(1000) });
  const src = "fn main locals=1\n    PushInt 50\n    Store $0\n  top:\n    Heavy\n    IncLocal $0 -1\n    Load $0\n    JumpIfTrue @top\n    Halt\n";
  const r = await raft.run(asm(raft, src));
  assert.equal(r.exitCode, 0);
  assert.ok(r.stats.reductions >= 50 * 1001, `${r.stats.reductions} reductions`);
  // The reduction budget bounds it: the run stops long before 50 uses.
  const capped = new Raft({ jit: "off", maxReductions: 10_000, stderr: () => {} });
  capped.defineOpcode({ name: "Heavy", operands: [], pops: 0, pushes: 0, exec: (_a, _o, ctx) => ctx.charge(1000) });
  const c = await capped.run(asm(capped, src));
  assert.notEqual(c.exitCode, 0);
});

test("a throw in exec is a fault of the calling process, never the host's", async () => {
  for (const jit of TIERS) {
    const { raft } = tiered(jit);
    const r = await raft.run(asm(raft, "fn main\n    Call @f\n    Halt\nfn f\n    PushInt 1\n    Boom\n    Return\n"));
    assert.equal(r.exitCode, 1, jit);
    assert.equal(r.panic!.message, "extension opcode Boom failed: boom");
    assert.deepEqual(r.panic!.trace[0], { fn: "f", line: 6, col: 5 });
    // A try region catches it like any fault, with code "native".
    const caught = await raft.run(asm(raft, "fn main\n    Call @f\n    Halt\nfn f\n    TryBegin @h\n    Boom\n    TryEnd\n    Return\n  h:\n    CallNative #error.code 1\n    Return\n"));
    assert.equal(caught.exitCode, 0, caught.panic?.message);
    assert.deepEqual(caught.leftover, ["native"], jit);
  }
  // What exec returns must be a Kaylee value; its memory reads are bounds-checked.
  const raft = new Raft({ stderr: () => {} });
  raft.defineOpcode({ name: "Obj", operands: [], pops: 0, pushes: 1, exec: () => ({ a: 1 }) });
  raft.defineOpcode({ name: "Later", operands: [], pops: 0, pushes: 1, exec: async () => 1 });
  raft.defineOpcode({ name: "Peek", operands: ["addr", "count"], pops: 0, pushes: 1, exec: (_a, [at, n], ctx) => ctx.memory(at as number, n as number).length });
  for (const [src, why] of [
    ["Obj", /^extension opcode Obj returned an object, which is no Kaylee value$/],
    ["Later", /^extension opcode Later returned a Promise \(exec must be synchronous\), which is no Kaylee value$/],
    ["Peek &65530 10", /^memory access out of bounds: 10 bytes at address 65530/],
  ] as const) {
    const r = await raft.run(src, { file: "x.raft" });
    assert.equal(r.exitCode, 1, src);
    assert.match(r.panic!.message, why);
  }
  const ok = await raft.run("Peek &65530 6", { file: "x.raft" });
  assert.deepEqual(ok.leftover, [6]);
});

test("modules record extension opcodes by name: version 2, round trip, disassembly", async () => {
  const { raft } = tiered("off");
  const m = asm(raft, OPERANDS);
  assert.deepEqual(m.exts!.map((d) => d.name), ["Probe", "SatAdd", "Imm", "Drop"]);
  const bytes = writeModule(m);
  assert.equal(bytes[4] | (bytes[5] << 8), 2, "a module with extension opcodes is format version 2");
  assert.equal(writeModule(asm(raft, "1 2 +"))[4], 1, "one without is version 1, as before");
  const back = readModule(bytes);
  assert.deepEqual(back.exts, m.exts);
  const text = disassemble(back);
  assert.match(text, /^\.ext Probe operands=const,local pops=1 pushes=1$/m);
  assert.match(text, /^\.ext SatAdd pops=2 pushes=1$/m);
  assert.match(text, /^ {4}Probe #1\.5 \$1$/m);
  assert.match(text, /^ {4}Wide Imm -1000 &300$/m);
  // The text assembles to the same bytes, with this Raft's definitions and without any: the
  // `.ext` lines declare what the code uses.
  assert.deepEqual(writeModule(asm(raft, text)), bytes);
  const bare = assemble(text, "t.raft");
  assert.equal(bare.diagnostics.length, 0, bare.diagnostics.map((d) => d.title).join("; "));
  assert.deepEqual(writeModule(bare.module!), bytes);
  // Loaded from bytes, it runs where the opcodes are defined.
  const r = await raft.run(bytes, { file: "t.rbc" });
  assert.equal(r.exitCode, 0, r.panic?.message);
});

test("a module that needs an extension opcode the VM lacks, or has otherwise, is refused clearly", async () => {
  const { raft } = tiered("off");
  const bytes = writeModule(asm(raft, "1 2 SatAdd"));
  const bare = await new Raft().run(bytes, { file: "sat.rbc" });
  assert.equal(bare.exitCode, 2);
  assert.equal(bare.diagnostics[0].title, "this module uses the extension opcode SatAdd, which this VM does not define (vm.defineOpcode)");
  const other = new Raft();
  other.defineOpcode({ name: "satadd", operands: ["int"], pops: 2, pushes: 1, exec: () => 0 });
  const r = await other.run(bytes, { file: "sat.rbc" });
  assert.equal(r.exitCode, 2);
  assert.equal(r.diagnostics[0].title, "extension opcode SatAdd: the module uses it as SatAdd pops=2 pushes=1, but this VM defines satadd operands=int pops=2 pushes=1");
  assert.throws(() => other.link(readModule(bytes)), ModuleError);
  // Without a definition or a declaration, the assembler does not know the name.
  const unknown = assemble("1 2 SatAdd\n", "t.raft");
  assert.equal(unknown.diagnostics[0].title, "unknown instruction SatAdd");
  // The irregular row itself is not written in assembly.
  assert.equal(assemble("Ext 0\n", "t.raft").diagnostics[0].title, "Ext is written by the extension opcode's name");
  // A declaration that disagrees with the definition is refused where it is written.
  const clash = raft.assemble(".ext SatAdd pops=1 pushes=1\n1 SatAdd\n", "t.raft");
  assert.equal(clash.diagnostics[0].title, "extension opcode SatAdd is declared otherwise");
  assert.deepEqual([clash.diagnostics[0].line, clash.diagnostics[0].column], [1, 6]);
});

test("the verifier checks each use by its declared stack effect and operand kinds", () => {
  const { raft } = tiered("off");
  const refused = (src: string, title: string, line: number, column: number) => {
    const r = raft.assemble(src, "t.raft");
    assert.equal(r.module, null, src);
    assert.equal(r.diagnostics[0].title, title);
    assert.deepEqual([r.diagnostics[0].line, r.diagnostics[0].column], [line, column], src);
  };
  refused("fn main\n    PushInt 1\n    SatAdd\n    Halt\n", "SatAdd: needs 2 values on the stack but has 1", 3, 5);
  refused("fn main locals=1\n    PushInt 1\n    Probe #1 $3\n    Halt\n", "Probe: local $3 out of range (the function has 1)", 3, 5);
  refused("fn main\n    Drop 1\n    Halt\n", "Drop: needs 1 value on the stack but has 0", 2, 5);
  // Paths that meet must agree on the depth: SatAdd leaves one value where two were.
  refused("fn main\n    PushInt 1\n    PushInt 2\n    PushInt 0\n    JumpIfFalse @end\n    SatAdd\n  end:\n    Halt\n", "SatAdd: stack depth 1 disagrees with 2 where paths meet", 6, 5);
  // Operand shapes come from the kinds: a local where a constant is wanted does not fit.
  const r = raft.assemble("Probe $0 $1\n", "t.raft");
  assert.equal(r.diagnostics[0].title, "bad operands for Probe");
  assert.match(r.diagnostics[0].labels[0].message + r.diagnostics[0].hint, /expected Probe #const \$local/);
  // A module whose bytes break the declared effect is refused when it is loaded (no assembler).
  const m = asm(raft, "fn main\n    PushInt 1\n    PushInt 2\n    SatAdd\n    Halt\n");
  const bytes = writeModule(m);
  const patched = readModule(bytes);
  patched.exts = [{ ...patched.exts![0], pops: 3 }];
  assert.throws(() => verifyModule(patched), (e: unknown) => e instanceof ModuleError && /SatAdd at byte 4: needs 3 values on the stack but has 2/.test(e.message));
  const noEntry = readModule(bytes);
  noEntry.functions[0].code = Uint8Array.from([Op.PushInt, 1, Op.PushInt, 2, Op.Ext, 5, Op.Halt]);
  assert.throws(() => verifyModule(noEntry), /names extension opcode #5, which the module's extension table \(1 entries\) does not have/);
  const dup = readModule(bytes);
  dup.exts = [dup.exts![0], { ...dup.exts![0], name: "SATADD" }];
  assert.throws(() => verifyModule(dup), /extension opcode SATADD is listed twice/);
});

test("defineOpcode refuses what cannot be meant", () => {
  const raft = new Raft();
  const base: OpcodeSpec = { name: "Ok", operands: [], pops: 0, pushes: 1, exec: () => 1 };
  for (const [spec, why] of [
    [{ ...base, name: "Add" }, /Add is an instruction of the opcode table/],
    [{ ...base, name: "wide" }, /is an instruction of the opcode table/],
    [{ ...base, name: "1up" }, /bad extension opcode name/],
    [{ ...base, name: "FN" }, /fn starts a function in assembly/],
    [{ ...base, operands: ["int", "int", "int"] }, /at most 2 operands/],
    [{ ...base, operands: ["label"] }, /unknown operand kind "label"/],
    [{ ...base, pushes: 2 }, /pushes must be 0 or 1/],
    [{ ...base, pops: -1 }, /pops must be 0 to 255/],
    [{ ...base, exec: 5 }, /exec must be a function/],
  ] as [OpcodeSpec, RegExp][]) {
    assert.throws(() => raft.defineOpcode(spec), (e: unknown) => e instanceof TypeError && why.test(e.message), String(why));
  }
});

test("the CLI refuses a module with an extension opcode it does not have, without a trace", async () => {
  const bytes = writeModule(assemble(".ext SatAdd pops=2 pushes=1\n1 2 SatAdd\n", "sat.raft").module!);
  const { stderr, code } = await new Promise<{ stderr: string; code: number }>((resolve) => {
    execFile(process.execPath, ["bin/raft.js", "run", "-"], { cwd: ROOT }, (err, _out, stderr) => resolve({ stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 })).stdin!.end(bytes);
  });
  assert.equal(code, 2);
  assert.match(stderr, /this module uses the extension opcode SatAdd, which this VM does not define \(vm\.defineOpcode\)/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

test("examples/ext-opcodes runs in both tiers and with processes spread over two schedulers", async () => {
  const expected = 'crc32("123456789") = cbf43926\ncrc32("Raft") from a worker process = 6d9ac026\nsaturating sum = 2147483647\n';
  for (const env of [{}, { RAFT_JIT: "eager" }, { RAFT_JIT: "off" }, { RAFT_SCHEDULERS: "2", RAFT_SPREAD: "1" }]) {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(process.execPath, ["examples/ext-opcodes/run.mjs"], { cwd: ROOT, env: { ...process.env, RAFT_JIT: "", RAFT_SCHEDULERS: "", RAFT_SPREAD: "", ...env } }, (err, stdout, stderr) =>
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
    });
    assert.equal(code, 0, `${JSON.stringify(env)}: ${stderr}`);
    assert.equal(stdout, expected, JSON.stringify(env));
  }
});

test("with several schedulers, a process that runs an extension opcode stays on scheduler 0", async () => {
  // Every spawn of `worker` would go round the schedulers (spread); exec throws if it is not
  // called on this thread, for the process that asked.
  const prev = process.env.RAFT_SPREAD;
  process.env.RAFT_SPREAD = "1";
  try {
    const raft = new Raft({ schedulers: 2 });
    const seen = new Set<number>();
    raft.defineOpcode({ name: "Mark", operands: [], pops: 0, pushes: 1, exec: (_a, _o, ctx) => (seen.add(ctx.self), ctx.self) });
    const src = `fn main locals=1
    PushInt 8
    Store $0
  spawn:
    Self
    SpawnActor @worker 0
    Pop
    IncLocal $0 -1
    Load $0
    JumpIfTrue @spawn
    PushInt 8
    Store $0
  collect:
    ReceiveMessage #integer
    Pop
    IncLocal $0 -1
    Load $0
    JumpIfTrue @collect
    PushInt 0
    Halt
fn worker params=1
    Call @mark
    Load $0
    Swap
    SendMessage #integer
    Return
fn mark
    Mark
    Return
`;
    const r = await raft.run(src, { file: "mark.raft" });
    assert.equal(r.exitCode, 0, r.panic?.message);
    assert.equal(seen.size, 8);
  } finally {
    if (prev === undefined) delete process.env.RAFT_SPREAD;
    else process.env.RAFT_SPREAD = prev;
  }
});

test("a session's assembly lines use extension opcodes, their constants kept as the lines grow", async () => {
  const { raft } = tiered("off");
  const s = await raft.session();
  try {
    const texts: string[] = [];
    for (const line of ["1 2 SatAdd", 'Probe #"c" $0', "PushInt 3\nDrop 0"]) {
      const r = await s.evalAsm(line);
      texts.push(r.kind === "value" ? r.text : r.kind);
    }
    assert.deepEqual(texts, ["[3]", '[[3, "c", null]]', '[[3, "c", null]]']);
  } finally {
    s.close();
  }
});
