// The opcode table's semantics (bytecode/semantics.ts) and the code made from it: every
// regular row agrees with its operands and stack effect; each tier has exactly one case for
// every opcode, the regular ones only where they are generated; a row added to a table is
// emitted by the interpreter's generator and the second tier without another edit; and every
// regular instruction does in both tiers what its parts do one by one (superinstructions
// against the same program written with their parts, over edge values: overflow, division by
// zero, i32 bounds, floats).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FUSED_COMPARE, OPCODES, SIZE, type OpInfo } from "../src/bytecode/opcodes.js";
import { branchIf, checkRow, expand, expandAll, op, type Part } from "../src/bytecode/semantics.js";
import { caseSource, interpreterCases } from "../src/vm/interp-source.js";
import { UNSUPPORTED, compileFunction, regularJs, type JsBlock } from "../src/vm/jit.js";
import { assemble } from "../src/bytecode/assembler.js";
import { link } from "../src/vm/program.js";
import { Natives } from "../src/vm/natives.js";
import { Raft } from "../src/raft.js";

const PARTS = expandAll(OPCODES);
const regular = OPCODES.filter((_, i) => PARTS[i] !== null);
const irregular = OPCODES.filter((_, i) => PARTS[i] === null);

test("every regular row's parts agree with its operand kinds and its stack effect", () => {
  assert.ok(regular.length >= 100, `${regular.length} regular rows`);
  for (const o of regular) checkRow(o, expand(o, OPCODES)!);
  // A part that names an operand of the wrong kind, or pops more than the row says, is refused.
  const bad = { ...OPCODES.find((o) => o.name === "AddInt")!, sem: op("add", ["s", "$0"]) };
  assert.throws(() => checkRow(bad, expand(bad, OPCODES)!), /AddInt: \$0 names a imm operand/);
  const greedy = { ...OPCODES.find((o) => o.name === "Neg")!, sem: op("neg", ["s"]), pops: 0 };
  assert.throws(() => checkRow(greedy, expand(greedy, OPCODES)!), /Neg: its parts pop 1, the row says 0/);
});

test("the irregular rows are the ones written by hand: calls, receives, memory, places, collections", () => {
  const names = irregular.map((o) => o.name);
  for (const n of ["Call", "Return", "CallNative", "ReceiveMessage", "ReceiveSelect", "SpawnActor", "TryBegin", "LoadMem", "CopyPlaces", "Index", "ReturnLocal"]) assert.ok(names.includes(n), n);
  for (const n of ["Add", "LessJumpIfFalse", "IncLessIntJumpIfFalse", "MulConst", "AddFloatStore", "ModIntStore", "JumpIfTrue", "Store"]) assert.ok(!names.includes(n), n);
});

/** The `case Op.X:` labels of the switch that follows `opening` in `file`, with the line each is on. */
function caseLabels(file: string, opening: string): { name: string; line: number }[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.findIndex((l) => l.includes(opening));
  assert.ok(start >= 0, `${file}: ${opening}`);
  const indent = /^\s*/.exec(lines[start])![0].length;
  const out: { name: string; line: number }[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].trim() === "}" && /^\s*/.exec(lines[i])![0].length === indent) break;
    const m = /^\s*case Op\.(\w+):/.exec(lines[i]);
    if (m) out.push({ name: m[1], line: i });
  }
  return out;
}

test("the interpreter has one case for every opcode: the regular ones generated, the others by hand", () => {
  const text = readFileSync("src/vm/interpreter.ts", "utf8").split("\n");
  const begin = text.findIndex((l) => l.includes("── generated from the opcode table"));
  const end = text.findIndex((l) => l.includes("── end of the generated cases"));
  assert.ok(begin > 0 && end > begin);
  const labels = caseLabels("src/vm/interpreter.ts", "switch (code[pc]) {");
  for (const o of OPCODES) {
    const at = labels.filter((l) => l.name === o.name);
    if (o.name === "Wide") {
      assert.equal(at.length, 0, "Wide is a prefix the linker removes");
      continue;
    }
    assert.equal(at.length, 1, `${o.name}: ${at.length} cases`);
    const generated = at[0].line > begin && at[0].line < end;
    assert.equal(generated, PARTS[OPCODES.indexOf(o)] !== null, `${o.name} is ${generated ? "" : "not "}in the generated region`);
  }
  // Hand-written cases step by Size.X (a literal from op.ts), never by a number of their own;
  // labels that share one case have one size, or the case steps by each one's.
  const hand = text.filter((_, i) => i < begin || i > end).join("\n");
  assert.doesNotMatch(hand, /pc \+= \d/);
  assert.doesNotMatch(hand, /pc \+ [2-9];/);
  const groups: { labels: string[]; body: string }[] = [];
  let prevCase = false;
  for (const l of hand.slice(hand.indexOf("switch (code[pc]) {")).split("\n")) {
    const m = /^\s*case Op\.(\w+):/.exec(l);
    if (m && !prevCase) groups.push({ labels: [], body: "" });
    if (m) groups[groups.length - 1].labels.push(m[1]);
    else if (groups.length) groups[groups.length - 1].body += l + "\n";
    prevCase = m !== null;
  }
  for (const g of groups) {
    const sizes = new Set(g.labels.map((n) => SIZE[OPCODES.findIndex((o) => o.name === n)]));
    if (sizes.size > 1) for (const n of g.labels) assert.match(g.body, new RegExp(`Size\\.${n}\\b`), `${g.labels.join(", ")} share a case but not a size`);
  }
});

test("the second tier writes a case by hand only for irregular opcodes, one each", () => {
  const labels = caseLabels("src/vm/jit.ts", "    switch (op) {");
  for (const o of irregular) {
    const n = labels.filter((l) => l.name === o.name).length;
    assert.equal(n, UNSUPPORTED.has(OPCODES.indexOf(o)) ? 0 : 1, `${o.name}: ${n} cases`);
  }
  for (const o of regular) assert.ok(!labels.some((l) => l.name === o.name), `${o.name} is regular: no hand-written case`);
  assert.doesNotMatch(readFileSync("src/vm/jit.ts", "utf8"), /FUSED_OPS|INT_OPS|FLOAT_OPS|FUSED_INT|FUSED_FLOAT/);
});

test("the code generator's compare-and-branch table is read off the rows", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(FUSED_COMPARE).sort()),
    Object.fromEntries(
      [
        ["!=", "NotEq"],
        ["<", "Less"],
        ["<=", "LessEq"],
        ["==", "Eq"],
        [">", "Greater"],
        [">=", "GreaterEq"],
      ].map(([k, n]) => [k, { locals: `${n}JumpIfFalse`, int: `${n}IntJumpIfFalse` }]),
    ),
  );
});

test("a counter step fuses with a compare-and-branch only on the same local and a step of 1", () => {
  const inc = OPCODES.find((o) => o.name === "IncLessJumpIfFalse")!;
  assert.deepEqual(inc.fuseOperands!([3, 1, 3, 4, 9]), [3, 4, 9]);
  assert.equal(inc.fuseOperands!([3, 2, 3, 4, 9]), null);
  assert.equal(inc.fuseOperands!([3, 1, 5, 4, 9]), null);
});

// ── adding a row: one line of the table, nothing else ─────────────────────────────────

/** Two rows a table could gain: a compare-and-branch on a constant and a fused store of a difference. */
const EXTRA: OpInfo[] = [
  {
    name: "LessEqConstJumpIfFalse", mnemonic: "LessEqConstJumpIfFalse", operands: ["local", "const", "label"], pops: 0, pushes: 0, flow: "branch",
    doc: "go to @l unless $a <= #k", asm: ["$", "#", "@"], sem: branchIf("le", ["$0", "#1"], false, 2),
  },
  {
    name: "SubLocalsStore", mnemonic: "SubLocalsStore", operands: ["local", "local", "local"], pops: 0, pushes: 0,
    doc: "$d := $a - $b (integer, checked)", asm: ["$", "$", "$"], fuses: ["Load", "Load", "Sub", "Store"],
  },
];

test("the interpreter's generator emits a row added to the table, with its literal size and the one taken-branch stanza", () => {
  const rows = [...OPCODES, ...EXTRA];
  assert.equal(
    caseSource(EXTRA[0], rows),
    [
      "          case Op.LessEqConstJumpIfFalse: {",
      "            const a = stack[base + code[pc + 1]] as number;",
      "            const b = consts[code[pc + 2]] as number;",
      "            if (a <= b) pc += 4;",
      "            else {",
      "              target = code[pc + 3];",
      "              if (target <= pc) break backEdge;",
      "              pc = target;",
      "            }",
      "            break;",
      "          }",
    ].join("\n"),
  );
  assert.equal(
    caseSource(EXTRA[1], rows),
    [
      "          case Op.SubLocalsStore: {",
      "            const a = stack[base + code[pc + 1]] as number;",
      "            const b = stack[base + code[pc + 2]] as number;",
      "            const r = a - b;",
      '            if ((r | 0) !== r) throw overflow(a, "-", b);',
      "            stack[base + code[pc + 3]] = r;",
      "            pc += 4;",
      "            break;",
      "          }",
    ].join("\n"),
  );
  const region = interpreterCases(rows);
  assert.ok(region.indexOf("case Op.SubLocalsStore:") > region.indexOf("case Op.LessEqConstJumpIfFalse:"));
  // An irregular row gets no generated case.
  assert.equal(caseSource(OPCODES.find((o) => o.name === "Call")!, rows), null);
});

/** A stand-in for the second tier's block state: locals l0.., temporaries t0.., a jump is `goto N`. */
function fakeBlock(depth: number, consts: unknown[]): { b: JsBlock; out: string[] } {
  const out: string[] = [];
  let temps = 0;
  const names = Array.from({ length: depth }, (_, i) => `s${i}`);
  const b: JsBlock = {
    names,
    tmp: () => `t${temps++}`,
    def(k, e) {
      const t = `t${temps++}`;
      out.push(`${t} = ${e};`);
      names[k] = t;
      return t;
    },
    emit: (l) => out.push(l),
    flush() {},
    written() {},
    L: (n) => `l${n}`,
    lit: (c) => (c < 0 ? `(${c})` : String(c)),
    consts,
    intTemps: new Set(),
  };
  return { b, out };
}

test("the second tier emits a row added to the table from its parts alone", () => {
  const rows = [...OPCODES, ...EXTRA];
  const cmp = fakeBlock(0, [2.5]);
  regularJs(expand(EXTRA[0], rows)!, [1, 0, 40], 0, 12, (t) => `goto ${t};`, cmp.b);
  assert.deepEqual(cmp.out, ["if (!(l1 <= 2.5)) { goto 40; }"]);
  const store = fakeBlock(0, []);
  regularJs(expand(EXTRA[1], rows)!, [0, 1, 2], 0, 12, (t) => `goto ${t};`, store.b);
  assert.deepEqual(store.out, ['t0 = l0 - l1; if ((t0 | 0) !== t0) { at = 12; throw H.ovf(l0, "-", l1); }', "l2 = t0;"]);
});

// ── both tiers do what the parts do ─────────────────────────────────────────────────────

const INTS = [0, 1, -1, 3, -7, 46341, 1000003, 2147483647, -2147483648];
const IMMS = [0, 1, -1, 2, 31, 2147483647, -2147483648];
const FLOATS = [1.5, -0.25, 0.1, 3.75, 1e30];
const FLOAT_OPS = new Set(["fadd", "fsub", "fmul", "fdiv", "fmod", "fpow", "fneg", "fsqrt"]);

/** A small deterministic generator, so a failure names a case that comes back. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const num = (v: number, float: boolean): string => (float ? (Number.isInteger(v) ? v.toFixed(1) : String(v)) : String(v));

/**
 * A module whose function `f` sets its locals, pushes the values the instruction pops, runs
 * `instr` (the row, or its parts), and returns its stack and locals as a tuple; a branch
 * pushes 1 where it falls through and 2 where it goes.
 */
function program(instr: string[], locals: number[], stackIn: number[], pushes: number, float: boolean, branch: boolean): string {
  const push = (v: number) => (float ? `    PushConst #${num(v, true)}` : `    PushInt ${v}`);
  const lines = ["fn main locals=0", "    Call @f", "    Halt", "", `fn f locals=${locals.length}`];
  locals.forEach((v, i) => lines.push(push(v), `    Store $${i}`));
  for (const v of stackIn) lines.push(push(v));
  lines.push(...instr.map((l) => `    ${l}`));
  let depth = pushes + (branch ? 1 : 0);
  if (branch) lines.push("    PushInt 1", "    Jump @out", "  taken:", "    PushInt 2", "  out:");
  locals.forEach((_, i) => lines.push(`    Load $${i}`));
  depth += locals.length;
  lines.push(`    MakeTuple ${depth}`, "    Return");
  return lines.join("\n") + "\n";
}

/** An instruction of `row` as assembly: its mnemonic and operands. */
function asmOf(row: OpInfo, operands: number[], float: boolean): string {
  return [row.mnemonic, ...operands.map((v, i) => {
    const k = row.operands[i];
    if (k === "local") return `$${v}`;
    if (k === "label") return "@taken";
    if (k === "const") return `#${num(v, row.constTag === "float" || (float && row.constTag !== "int"))}`;
    return String(v);
  })].join(" ");
}

/** The row as its parts (a superinstruction's, with their operands), or as itself. */
function partsOf(row: OpInfo, operands: number[], float: boolean): string[] {
  if (!row.fuses) return [asmOf(row, operands, float)];
  const out: string[] = [];
  let k = 0;
  for (const name of row.fuses) {
    const part = OPCODES.find((o) => o.name === name)!;
    const ops = part.operands.map(() => {
      const m = row.partOperands ? row.partOperands[k] : k;
      k++;
      return typeof m === "string" ? Number(m.slice(1)) : operands[m];
    });
    // The parts' constants are the row's: a part's own constTag is none.
    out.push(asmOf({ ...part, constTag: row.constTag }, ops, float));
  }
  return out;
}

async function outcome(src: string, jit: "off" | "eager"): Promise<string> {
  const r = assemble(src, "t.raft");
  assert.equal(r.diagnostics.length, 0, src + JSON.stringify(r.diagnostics.map((d) => d.title)));
  if (jit === "eager") assert.ok(compileFunction(link(r.module!, new Natives()), 1), "f compiles:\n" + src);
  const res = await new Raft({ jit, stdout: () => {}, stderr: () => {} }).run(r.module!);
  return res.panic ? `panic: ${res.panic.message}` : JSON.stringify(res.leftover, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

test("every regular instruction does the same in both tiers as its parts one by one", async () => {
  const rand = rng(2026);
  let runs = 0;
  for (const row of regular) {
    const parts = PARTS[OPCODES.indexOf(row)] as Part[];
    if (row.operands.includes("count")) continue;
    const float = parts.some((p) => p.op !== null && FLOAT_OPS.has(p.op)) || row.constTag === "float";
    const branch = row.flow === "branch" || row.flow === "jump";
    if (row.flow === "jump" || row.name === "PushNull" || row.name === "PushTrue" || row.name === "PushFalse") continue;
    // Strings and vectors are another test's business: these rows take numbers here.
    if (["EqValue", "NotEqValue", "IndexString", "Length", "IsError", "Not"].includes(row.name)) continue;
    const locals = row.operands.filter((k) => k === "local").length;
    for (let n = 0; n < 12; n++) {
      const pick = (xs: number[]) => xs[Math.floor(rand() * xs.length)];
      const values = float ? FLOATS : INTS;
      // Distinct locals, or (every third case) all the same local.
      const same = n % 3 === 2;
      let next = 0;
      const operands = row.operands.map((k) => (k === "local" ? (same ? 0 : next++) : k === "imm" ? pick(IMMS) : k === "const" ? pick(row.constTag === "float" || float ? FLOATS : INTS) : 0));
      const localVals = Array.from({ length: same ? 1 : Math.max(locals, 1) }, () => pick(values));
      const stackIn = Array.from({ length: row.pops as number }, () => pick(values));
      const fused = program([asmOf(row, operands, float)], localVals, stackIn, row.pushes as number, float, branch);
      const byParts = program(partsOf(row, operands, float), localVals, stackIn, row.pushes as number, float, branch);
      const want = await outcome(byParts, "off");
      assert.equal(await outcome(fused, "off"), want, `interpreter, ${row.name}:\n${fused}`);
      assert.equal(await outcome(fused, "eager"), want, `second tier, ${row.name}:\n${fused}`);
      runs += 3;
    }
  }
  assert.ok(runs > 1000, `${runs} runs`);
});
