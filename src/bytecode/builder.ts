// Builds functions and modules: the one back end shared by the Kaylee code generator and the
// assembler. Instructions are collected with symbolic labels; `finish` lays them out, widening
// exactly the instructions whose operands (jump offsets included) do not fit in a byte.
// `fuse` is the code generator's peephole pass: it replaces runs of instructions by the
// superinstructions the opcode table declares for them (rows with `fuses`).

import { OPCODES, Op, type OperandKind, type OpInfo } from "./opcodes.js";
import { encodeInstr, fitsNarrow, instrSize } from "./encoding.js";
import { type Const, type FunctionInfo, type LineEntry, type Module } from "./module.js";
import { typeSetText } from "./types.js";
import { extOperandKind, type ExtDecl } from "./ext.js";

/** One rewrite rule per superinstruction row: its parts as opcode numbers, longest rules first. */
interface FuseRule {
  op: number;
  parts: number[];
  info: OpInfo;
}
const FUSE_RULES: FuseRule[][] = (() => {
  const byFirst: FuseRule[][] = OPCODES.map(() => []);
  OPCODES.forEach((info, op) => {
    if (!info.fuses) return;
    const parts = info.fuses.map((n) => {
      const i = OPCODES.findIndex((o) => o.name === n);
      if (i < 0) throw new Error(`${info.name} fuses unknown row ${n}`);
      return i;
    });
    byFirst[parts[0]].push({ op, parts, info });
  });
  for (const rules of byFirst) rules.sort((a, b) => b.parts.length - a.parts.length);
  return byFirst;
})();

/** Instructions that cannot fault: a superinstruction takes the source position of its first other part. */
const NEVER_FAULTS = new Set<number>([Op.Load, Op.PushInt, Op.PushConst]);

interface PendingInstr {
  op: number;
  operands: number[];
  /** Indices into `operands` that hold label ids, to be resolved to byte offsets. */
  labelSlots: number[];
  /** The operands' kinds (the row's; for an extension opcode, its own after the table index). */
  kinds: readonly OperandKind[];
  line: number;
  col: number;
  forceWide: boolean;
}

export class FunctionBuilder {
  private instrs: PendingInstr[] = [];
  private labelAt: number[] = [];
  private line = 0;
  private col = 0;
  locals: number;
  /** After `finish`: the byte offset of each instruction, in the order they were emitted (and fused). */
  offsets: readonly number[] = [];

  constructor(
    readonly name: string,
    readonly params: number,
    locals?: number,
  ) {
    this.locals = locals ?? params;
  }

  /** Source position for the instructions emitted from now on. */
  at(line: number, col: number): void {
    this.line = line;
    this.col = col;
  }

  newLabel(): number {
    this.labelAt.push(-1);
    return this.labelAt.length - 1;
  }

  place(label: number): void {
    this.labelAt[label] = this.instrs.length;
  }

  isPlaced(label: number): boolean {
    return this.labelAt[label] >= 0;
  }

  /** Emits an instruction; operands of kind `label` are label ids from `newLabel`. */
  emit(op: number, ...operands: number[]): void {
    const info = OPCODES[op];
    if (!info) throw new Error(`emit: bad opcode ${op}`);
    if (operands.length !== info.operands.length) throw new Error(`emit ${info.name}: expected ${info.operands.length} operands, got ${operands.length}`);
    const labelSlots: number[] = [];
    info.operands.forEach((k, i) => k === "label" && labelSlots.push(i));
    this.instrs.push({ op, operands, labelSlots, kinds: info.operands, line: this.line, col: this.col, forceWide: false });
  }

  /** Emits a use of extension opcode `d`, entry `index` of the module's extension table (ModuleBuilder.ext). */
  emitExt(index: number, d: ExtDecl, operands: readonly number[], wide = false): void {
    if (operands.length !== d.operands.length) throw new Error(`emit ${d.name}: expected ${d.operands.length} operands, got ${operands.length}`);
    const kinds = [...OPCODES[Op.Ext].operands, ...d.operands.map(extOperandKind)];
    this.instrs.push({ op: Op.Ext, operands: [index, ...operands], labelSlots: [], kinds, line: this.line, col: this.col, forceWide: wide });
  }

  /** Emits with the Wide prefix even if the operands fit (assembly written with `Wide`). */
  emitWide(op: number, ...operands: number[]): void {
    this.emit(op, ...operands);
    this.instrs[this.instrs.length - 1].forceWide = true;
  }

  get length(): number {
    return this.instrs.length;
  }

  lastOp(): number {
    return this.instrs.length ? this.instrs[this.instrs.length - 1].op : -1;
  }

  /**
   * The peephole pass: replaces each run of instructions that a superinstruction stands for
   * (longest first, left to right) by that superinstruction. A run never spans a jump target
   * (a label some instruction names; only its first instruction may be one) and is never
   * forced wide. `constTag(k)` is the tag
   * of constant #k, for rows that take only integer or only float constants.
   */
  fuse(constTag: (k: number) => string): void {
    const n = this.instrs.length;
    const target = new Uint8Array(n + 1);
    for (const ins of this.instrs) for (const k of ins.labelSlots) if (this.labelAt[ins.operands[k]] >= 0) target[this.labelAt[ins.operands[k]]] = 1;
    const out: PendingInstr[] = [];
    const moved = new Int32Array(n + 1);
    for (let i = 0; i < n; ) {
      moved[i] = out.length;
      const ins = this.instrs[i];
      let done = false;
      if (!ins.forceWide)
        for (const rule of FUSE_RULES[ins.op]) {
          const k = rule.parts.length;
          if (i + k > n) continue;
          let ok = true;
          for (let j = 0; j < k && ok; j++) {
            const part = this.instrs[i + j];
            ok = part.op === rule.parts[j] && !part.forceWide && (j === 0 || !target[i + j]);
          }
          if (!ok) continue;
          const parts = this.instrs.slice(i, i + k).flatMap((x) => x.operands);
          const operands = rule.info.fuseOperands ? rule.info.fuseOperands(parts) : parts;
          if (operands === null) continue;
          const ci = rule.info.operands.indexOf("const");
          if (ci >= 0 && rule.info.constTag && constTag(operands[ci]) !== rule.info.constTag) continue;
          const pos = this.instrs.slice(i, i + k).find((x) => !NEVER_FAULTS.has(x.op)) ?? ins;
          const labelSlots: number[] = [];
          rule.info.operands.forEach((kind, j) => kind === "label" && labelSlots.push(j));
          out.push({ op: rule.op, operands, labelSlots, kinds: rule.info.operands, line: pos.line, col: pos.col, forceWide: false });
          for (let j = 1; j < k; j++) moved[i + j] = out.length - 1;
          i += k;
          done = true;
          break;
        }
      if (!done) {
        out.push(ins);
        i++;
      }
    }
    moved[n] = out.length;
    this.instrs = out;
    this.labelAt = this.labelAt.map((at) => (at >= 0 ? moved[at] : at));
  }

  finish(): FunctionInfo {
    for (let i = 0; i < this.labelAt.length; i++) if (this.labelAt[i] < 0) throw new Error(`${this.name}: label ${i} never placed`);
    const n = this.instrs.length;
    const wide = this.instrs.map((ins) => ins.forceWide || !fitsNarrow(ins.kinds, ins.labelSlots.length ? ins.operands.map((v, i) => (ins.labelSlots.includes(i) ? 0 : v)) : ins.operands));
    const offsets = new Array<number>(n + 1);
    const resolved = (ins: PendingInstr): number[] =>
      ins.labelSlots.length ? ins.operands.map((v, i) => (ins.labelSlots.includes(i) ? offsets[this.labelAt[v]] : v)) : ins.operands;
    // Grow to a fixed point: widening one jump can push another's target past 255.
    for (let changed = true; changed; ) {
      changed = false;
      let pos = 0;
      for (let i = 0; i < n; i++) {
        offsets[i] = pos;
        pos += instrSize(this.instrs[i].operands, wide[i]);
      }
      offsets[n] = pos;
      for (let i = 0; i < n; i++) {
        const ins = this.instrs[i];
        if (!wide[i] && ins.labelSlots.length && !fitsNarrow(ins.kinds, resolved(ins))) {
          wide[i] = true;
          changed = true;
        }
      }
    }
    const bytes: number[] = [];
    const lines: LineEntry[] = [];
    for (let i = 0; i < n; i++) {
      const ins = this.instrs[i];
      const last = lines[lines.length - 1];
      if (!last || last.line !== ins.line || last.col !== ins.col) lines.push({ offset: offsets[i], line: ins.line, col: ins.col });
      bytes.push(...encodeInstr(ins.op, resolved(ins), wide[i], ins.kinds));
    }
    this.offsets = offsets.slice(0, n);
    return { name: this.name, params: this.params, locals: this.locals, code: Uint8Array.from(bytes), lines };
  }
}

export class ModuleBuilder {
  readonly consts: Const[] = [];
  readonly functions: (FunctionBuilder | null)[] = [];
  /** The extension table: each extension opcode the code uses, in order of first use. */
  readonly exts: ExtDecl[] = [];
  private fnIndex = new Map<string, number>();
  entry = 0;

  constructor(readonly file: string) {}

  /** Pool index by tag and value (floats by bit pattern, so -0 and NaN stay distinct and found). */
  private constIndex = new Map<string, number>();

  constant(c: Const): number {
    const key = constKey(c);
    const i = this.constIndex.get(key);
    if (i !== undefined) return i;
    this.consts.push(c);
    this.constIndex.set(key, this.consts.length - 1);
    return this.consts.length - 1;
  }
  int(v: number): number {
    return this.constant({ tag: "int", value: v | 0 });
  }
  float(v: number): number {
    return this.constant({ tag: "float", value: Math.fround(v) });
  }
  string(v: string): number {
    return this.constant({ tag: "string", value: v });
  }
  type(key: string): number {
    return this.constant({ tag: "type", value: key });
  }
  native(name: string): number {
    return this.constant({ tag: "native", value: name });
  }
  /** A type set from canonical type keys, in order (ReceiveSelect's operand). */
  typeSet(keys: readonly string[]): number {
    return this.constant({ tag: "typeset", value: typeSetText(keys) });
  }

  /** The index of extension opcode `d` in the extension table (added at its first use; names without regard to case). */
  ext(d: ExtDecl): number {
    const i = this.exts.findIndex((e) => e.name.toLowerCase() === d.name.toLowerCase());
    if (i >= 0) return i;
    this.exts.push(d);
    return this.exts.length - 1;
  }

  /** Reserves a function index by name (so calls can be emitted before its body). */
  declare(name: string): number {
    let i = this.fnIndex.get(name);
    if (i === undefined) {
      i = this.functions.length;
      this.functions.push(null);
      this.fnIndex.set(name, i);
    }
    return i;
  }

  hasFunction(name: string): boolean {
    return this.fnIndex.has(name);
  }

  define(fb: FunctionBuilder): number {
    const i = this.declare(fb.name);
    this.functions[i] = fb;
    return i;
  }

  finish(): Module {
    const functions = this.functions.map((f, i) => {
      if (!f) throw new Error(`function ${[...this.fnIndex].find(([, j]) => j === i)?.[0]} declared but never defined`);
      return f.finish();
    });
    const m: Module = { file: this.file, consts: this.consts, functions, entry: this.entry };
    if (this.exts.length !== 0) m.exts = this.exts;
    return m;
  }
}

export { Op };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function constKey(c: Const): string {
  if (c.tag === "float") {
    f32[0] = c.value;
    return `f:${u32[0]}`;
  }
  return `${c.tag}:${c.value}`;
}
