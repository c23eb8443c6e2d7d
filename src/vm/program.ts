// Linking: turns a verified module into the form the interpreter runs. All functions' code
// is laid out in one Int32Array, each instruction as its opcode followed by its operands
// (Wide prefixes gone, jump targets rewritten to absolute indices, native names resolved to
// the VM's native table), and constants become run-time values (type keys parsed once, type
// sets made `TypeSet`s).
// It also keeps what panics need to name places: each code index's function and source
// position.

import { OPCODES } from "../bytecode/opcodes.js";
import { ModuleError, lineAt, type Module } from "../bytecode/module.js";
import { verifyModule } from "../bytecode/verifier.js";
import { parseTypeKey, parseTypeSet, type Type } from "../bytecode/types.js";
import type { NativeFn } from "./native-api.js";
import { A } from "../diag/codes.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JitFn = (...args: any[]) => unknown;
export type JitEntry = (vm: unknown, p: unknown, blk: number, locals: unknown[]) => unknown;

export interface NativeTable {
  lookup(name: string): NativeFn | undefined;
}

/** A linked type set (ReceiveSelect's operand): its keys in order, and each key's position. */
export class TypeSet {
  readonly pos: ReadonlyMap<string, number>;
  constructor(readonly keys: readonly string[]) {
    this.pos = new Map(keys.map((k, i) => [k, i]));
  }
}

export class Program {
  constructor(
    readonly module: Module,
    readonly code: Int32Array,
    readonly fnEntry: Int32Array,
    readonly fnParams: Int32Array,
    readonly fnLocals: Int32Array,
    readonly fnMaxStack: Int32Array,
    readonly consts: unknown[],
    readonly natives: NativeFn[],
    readonly nativeNames: string[],
    /** For each code index: the byte offset of its instruction within its function. */
    readonly pcOffset: Int32Array,
    /** For each code index: its function. */
    readonly pcFn: Int32Array,
    /** For each instruction start: the operand-stack depth before it (from the verifier; empty if unknown, which keeps the second tier off). */
    readonly pcDepth: Int32Array = new Int32Array(0),
  ) {
    this.constKeys = module.consts.map((c) => (c.tag === "type" ? c.value : ""));
    this.fnEnd = new Int32Array(fnEntry.length);
    for (let i = 0; i < fnEntry.length; i++) this.fnEnd[i] = i + 1 < fnEntry.length ? fnEntry[i + 1] : code.length;
    this.jit = new Array(fnEntry.length).fill(null);
    this.jitEntry = new Array(fnEntry.length).fill(null);
    this.hot = new Int32Array(fnEntry.length);
    this.jitState = new Int8Array(fnEntry.length);
    this.jitRegions = new Map();
  }

  /** Canonical key of each type constant (what messages are matched on); "" for others. */
  readonly constKeys: string[];
  /** End (exclusive) of each function's code. */
  readonly fnEnd: Int32Array;
  /** Second tier: compiled JS for hot functions (null until compiled). See jit.ts. */
  readonly jit: (JitFn | null)[];
  /** Entry with a locals array and a start block, for on-stack replacement and resumption. */
  readonly jitEntry: (JitEntry | null)[];
  /** Calls and loop back-edges counted toward compiling a function. */
  readonly hot: Int32Array;
  /** 0 = not tried, 1 = compiled, 2 = not eligible. */
  readonly jitState: Int8Array;
  /** Loop nests compiled for on-stack replacement, by the loop head entered at (null: not
   *  compilable) and by -1 - the nest's first code index. See jit.ts compileRegion. */
  readonly jitRegions: Map<number, JitEntry | null>;

  fnName(i: number): string {
    return this.module.functions[i].name;
  }

  /** `file:line:col` of the instruction at code index pc, or the file alone. */
  where(pc: number): { fn: string; line: number; col: number } {
    const fi = this.pcFn[pc] ?? 0;
    const f = this.module.functions[fi];
    const l = f ? lineAt(f, this.pcOffset[pc]) : null;
    return { fn: f?.name ?? "?", line: l?.line ?? 0, col: l?.col ?? 0 };
  }

  constType(k: number): Type {
    return this.consts[k] as Type;
  }
}

/** Verifies and links a module. Throws `ModuleError` for anything wrong with it. */
export function link(m: Module, natives: NativeTable): Program {
  const verified = verifyModule(m);
  const nativeIndex = new Map<string, number>();
  const nativeFns: NativeFn[] = [];
  const nativeNames: string[] = [];
  const consts: unknown[] = m.consts.map((c) => {
    switch (c.tag) {
      case "int":
      case "float":
      case "string":
        return c.value;
      case "type":
        return parseTypeKey(c.value);
      case "typeset":
        return new TypeSet(parseTypeSet(c.value));
      case "native": {
        let i = nativeIndex.get(c.value);
        if (i === undefined) {
          const fn = natives.lookup(c.value);
          if (!fn) {
            const t = A.unknownNative({ NAME: JSON.stringify(c.value) });
            throw new ModuleError(t.title, null, t);
          }
          i = nativeFns.length;
          nativeFns.push(fn);
          nativeNames.push(c.value);
          nativeIndex.set(c.value, i);
        }
        return i;
      }
    }
  });
  // Layout: each instruction takes 1 + operand count slots.
  let total = 0;
  const starts: Int32Array[] = verified.map((v) => {
    const s = new Int32Array(v.instrs.length);
    v.instrs.forEach((ins, i) => {
      s[i] = total;
      total += 1 + OPCODES[ins.op].operands.length;
    });
    return s;
  });
  const code = new Int32Array(total);
  const pcOffset = new Int32Array(total);
  const pcFn = new Int32Array(total);
  const pcDepth = new Int32Array(total).fill(-1);
  const fnEntry = new Int32Array(m.functions.length);
  verified.forEach((v, fi) => {
    fnEntry[fi] = starts[fi][0];
    v.instrs.forEach((ins, i) => {
      const at = starts[fi][i];
      const info = OPCODES[ins.op];
      code[at] = ins.op;
      pcDepth[at] = v.depth[i];
      info.operands.forEach((kind, k) => {
        let val = ins.operands[k];
        if (kind === "label") val = starts[fi][v.indexAt[val]];
        else if (kind === "native") val = consts[val] as number;
        code[at + 1 + k] = val;
      });
      for (let j = 0; j <= info.operands.length; j++) {
        pcOffset[at + j] = ins.offset;
        pcFn[at + j] = fi;
      }
    });
  });
  return new Program(
    m,
    code,
    fnEntry,
    Int32Array.from(m.functions.map((f) => f.params)),
    Int32Array.from(m.functions.map((f) => f.locals)),
    Int32Array.from(verified.map((v) => v.maxDepth)),
    consts,
    nativeFns,
    nativeNames,
    pcOffset,
    pcFn,
    pcDepth,
  );
}
