// The verifier: every module is checked before it runs, in one pass per function in the
// manner of wasm validation. It decodes the code (valid opcodes, no truncated operands),
// checks every operand against what it names (constants of the right kind, locals, functions,
// jump targets on instruction starts, byte counts, addresses within the largest linear
// memory, operand places and, where they are constant, their lengths: places.ts), and
// follows every path with the stack depth, which must agree wherever paths meet, never go
// negative or past a bound, and never run off the end of a function. A bad module is refused with a one-line `ModuleError`.
//
// Along with the depth it follows what it can tell of the two top values' types: whether one
// is certainly a float (a float constant or a float operation's result). An index that is
// certainly a float (`Index`, `StoreIndex`, `IndexString`) is refused; the interpreter and
// the second tier also refuse any index that is not an integer when it runs.

import { OPCODES, Op, effect, type EffectCtx } from "./opcodes.js";
import { decodeFunction, operandKinds, type Instr } from "./encoding.js";
import { ModuleError, type Module } from "./module.js";
import { extProblem } from "./ext.js";
import { parseTypeKey, parseTypeSet, TypeKeyError } from "./types.js";
import { MAX_LINEAR_MEMORY, checkPlaceOperands } from "./places.js";

/** Most values one frame may hold on its operand stack (locals excluded). */
export const MAX_FRAME_STACK = 4096;
export const MAX_LOCALS = 65535;

export interface VerifiedFunction {
  instrs: Instr[];
  /** Instruction index by byte offset (-1 between instruction starts). */
  indexAt: Int32Array;
  /** Operand-stack depth before each instruction (-1 if unreachable). */
  depth: Int32Array;
  maxDepth: number;
}

export function verifyModule(m: Module): VerifiedFunction[] {
  if (m.functions.length === 0) throw new ModuleError("bad module: it has no functions");
  if (m.entry >= m.functions.length) throw new ModuleError(`bad module: entry function ${m.entry} does not exist`);
  if (m.functions[m.entry].params !== 0) throw new ModuleError(`bad module: entry function ${m.functions[m.entry].name} takes parameters`);
  m.consts.forEach((c, i) => {
    if (c.tag === "type" || c.tag === "typeset") {
      try {
        // A word that is no Kaylee type names a host type: linking checks the VM defines it.
        if (c.tag === "type") parseTypeKey(c.value, () => true);
        else parseTypeSet(c.value, () => true);
      } catch (e) {
        if (e instanceof TypeKeyError) throw new ModuleError(`bad module: constant #${i}: ${e.message}`);
        throw e;
      }
    }
  });
  const seen = new Set<string>();
  for (const d of m.exts ?? []) {
    const why = extProblem(d);
    if (why !== null) throw new ModuleError(`bad module: ${why}`);
    if (seen.has(d.name.toLowerCase())) throw new ModuleError(`bad module: extension opcode ${d.name} is listed twice`);
    seen.add(d.name.toLowerCase());
  }
  return m.functions.map((f, fi) => verifyFunction(m, fi, moduleEffects(m)));
}

/** The context the stack effects of module `m`'s instructions are computed in. */
export function moduleEffects(m: Module): EffectCtx {
  return { fnParams: (i) => m.functions[i].params, ext: (i) => m.exts![i] };
}

function verifyFunction(m: Module, fi: number, ctx: EffectCtx): VerifiedFunction {
  const f = m.functions[fi];
  const where = `function ${JSON.stringify(f.name)}`;
  if (f.params > f.locals) throw new ModuleError(`${where}: ${f.params} parameters but only ${f.locals} locals`);
  if (f.code.length === 0) throw new ModuleError(`${where}: empty code`);
  const instrs = decodeFunction(f.code, where, m.exts);
  const indexAt = new Int32Array(f.code.length + 1).fill(-1);
  instrs.forEach((ins, i) => (indexAt[ins.offset] = i));

  /** `target`: where paths meet, for a disagreement there (the message names its byte). */
  const fail = (ins: Instr, why: string, target?: number): never => {
    const at = target === undefined ? "" : ` at byte ${target}`;
    const name = ins.op === Op.Ext ? m.exts![ins.operands[0]].name : OPCODES[ins.op].name;
    throw new ModuleError(`${where}: ${name} at byte ${ins.offset}: ${why}${at}`, { fn: fi, offset: ins.offset, why, target });
  };
  // Operands (an extension opcode's own, too: checked by the kinds its table entry declares).
  for (const ins of instrs) {
    const info = OPCODES[ins.op];
    if (ins.op === Op.Wide) fail(ins, "stray Wide prefix");
    const kinds = operandKinds(ins.op, m.exts ?? [], ins.operands[0]);
    kinds.forEach((kind, k) => {
      const v = ins.operands[k];
      switch (kind) {
        case "const": {
          const c = m.consts[v];
          if (!c) fail(ins, `constant #${v} does not exist`);
          if (c.tag === "type" || c.tag === "native" || c.tag === "typeset") fail(ins, `constant #${v} is a ${c.tag === "typeset" ? "type set" : c.tag}, not a value`);
          if (info.constTag && c.tag !== info.constTag) fail(ins, `constant #${v} is not ${info.constTag === "int" ? "an integer" : `a ${info.constTag}`}`);
          break;
        }
        case "type":
          if (m.consts[v]?.tag !== "type") fail(ins, `constant #${v} is not a type`);
          break;
        case "typeset":
          if (m.consts[v]?.tag !== "typeset") fail(ins, `constant #${v} is not a type set`);
          break;
        case "native":
          if (m.consts[v]?.tag !== "native") fail(ins, `constant #${v} is not a native name`);
          break;
        case "local":
          if (v >= f.locals) fail(ins, `local $${v} out of range (the function has ${f.locals})`);
          break;
        case "fn":
          if (v >= m.functions.length) fail(ins, `function ${v} does not exist`);
          break;
        case "label":
          if (v >= f.code.length || indexAt[v] < 0) fail(ins, `jump target ${v} is not the start of an instruction`);
          break;
        case "len":
          if (v < 1 || v > 4) fail(ins, `byte count ${v} is not 1 to 4`);
          break;
        case "count":
          if (v > 0xffff) fail(ins, `count ${v} is too large`);
          break;
        case "addr": {
          const len = kinds[k + 1] === "len" ? ins.operands[k + 1] : ins.op === Op.Ext ? 1 : 4;
          if (v + len > MAX_LINEAR_MEMORY) fail(ins, `${len} bytes at address ${v} are past the largest linear memory (${MAX_LINEAR_MEMORY} bytes)`);
          break;
        }
        case "mode": {
          const why = checkPlaceOperands(info.name, ins.operands, { consts: m.consts, locals: f.locals });
          if (why !== null) fail(ins, why);
          break;
        }
        case "place":
        case "imm":
        case "ext": // decodeFunction found the entry
          break;
      }
    });
    if (ins.op === Op.MakeVector || ins.op === Op.MakeTuple) {
      if (ins.operands[0] > MAX_FRAME_STACK) fail(ins, "too many elements");
    }
  }
  // Stack depth along every path, and whether the top and second values are certainly floats
  // (kinds: a pair of bits, FLOAT_TOP | FLOAT_SECOND; where paths meet, only what both agree on).
  const depth = new Int32Array(instrs.length).fill(-1);
  const kinds = new Uint8Array(instrs.length);
  let maxDepth = 0;
  const work: number[] = [0];
  depth[0] = 0;
  const flowTo = (from: Instr, target: number, d: number, k: number) => {
    const ti = indexAt[target];
    if (depth[ti] === -1) {
      depth[ti] = d;
      kinds[ti] = k;
      work.push(ti);
    } else if (depth[ti] !== d) {
      fail(from, `stack depth ${d} disagrees with ${depth[ti]} where paths meet`, target);
    } else if ((kinds[ti] & k) !== kinds[ti]) {
      kinds[ti] &= k;
      work.push(ti);
    }
  };
  while (work.length) {
    const i = work.pop()!;
    const ins = instrs[i];
    const info = OPCODES[ins.op];
    const d = depth[i];
    const pops = effect(info.pops, ins.operands, ctx);
    const pushes = effect(info.pushes, ins.operands, ctx);
    if (d < pops) fail(ins, `needs ${pops} ${pops === 1 ? "value" : "values"} on the stack but has ${d}`);
    const k = kinds[i];
    if ((ins.op === Op.Index || ins.op === Op.IndexString) && k & FLOAT_TOP) fail(ins, "the index is a float");
    if (ins.op === Op.StoreIndex && k & FLOAT_SECOND) fail(ins, "the index is a float");
    const kAfter = kindsAfter(m, ins, k, pops, pushes);
    const after = d - pops + pushes;
    if (after > MAX_FRAME_STACK) fail(ins, `stack deeper than ${MAX_FRAME_STACK}`);
    if (after > maxDepth) maxDepth = after;
    const next = ins.offset + ins.size;
    const fallsThrough = info.flow !== "jump" && info.flow !== "end";
    if (info.flow === "jump" || info.flow === "branch") flowTo(ins, ins.operands[info.operands.indexOf("label")], after, kAfter);
    if (info.flow === "try") {
      // A handler before its region would make a loop that no backward jump pays for.
      if (ins.operands[0] <= ins.offset) fail(ins, "a try handler must come after its TryBegin");
      flowTo(ins, ins.operands[0], after + 1, 0);
    }
    if (fallsThrough) {
      if (next >= f.code.length) fail(ins, "falls off the end of the function");
      flowTo(ins, next, after, kAfter);
    }
  }
  return { instrs, indexAt, depth, maxDepth };
}

const FLOAT_TOP = 1;
const FLOAT_SECOND = 2;

/** Instructions whose result is a float (for a well-typed program). */
export const FLOAT_RESULTS = new Set<number>(
  ["AddFloat", "SubFloat", "MulFloat", "DivFloat", "ModFloat", "NegFloat", "ExpFloat", "SqrtFloat", "AddFloatLocal", "SubFloatLocal", "MulFloatLocal", "DivFloatLocal", "AddFloatLocals", "SubFloatLocals", "MulFloatLocals", "DivFloatLocals", "AddFloatConst", "SubFloatConst", "MulFloatConst", "DivFloatConst"].map((n) => Op[n as keyof typeof Op]),
);

/** What is known of the two top values after `ins` (which pops `pops` and pushes `pushes`). */
function kindsAfter(m: Module, ins: Instr, k: number, pops: number, pushes: number): number {
  // What stays of the values below the popped ones: the second becomes the top after one pop.
  const kept = pops === 0 ? k : pops === 1 ? (k & FLOAT_SECOND ? FLOAT_TOP : 0) : 0;
  if (pushes === 0) return kept;
  if (pushes !== 1) return 0;
  const float = FLOAT_RESULTS.has(ins.op) || (ins.op === Op.PushConst && m.consts[ins.operands[0]]?.tag === "float");
  return (float ? FLOAT_TOP : 0) | (kept & FLOAT_TOP ? FLOAT_SECOND : 0);
}
