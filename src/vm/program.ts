// Linking: turns a verified module into the form the interpreter runs. All functions' code
// is laid out in one Int32Array, each instruction as its opcode followed by its operands
// (Wide prefixes gone, jump targets rewritten to absolute indices, native names resolved to
// the VM's native table), and constants become run-time values (type keys parsed once, type
// sets made `TypeSet`s).
// It also keeps what panics need to name places: each code index's function and source
// position.
//
// Extensions (ext-opcodes.ts, host-types.ts): each extension opcode the module names must be
// defined by the VM with the same signature, and each host type its types name must be
// defined; a use of an extension opcode becomes `Ext SITE` (Program.extSites). Linking also
// finds which functions must run on the embedder's thread (`home`): those that reach (through
// calls) an extension opcode, a type that holds a host type, or a native whose signature
// does. A process started in one of them stays on scheduler 0.

import { OPCODES, Op } from "../bytecode/opcodes.js";
import { ModuleError, lineAt, type Module } from "../bytecode/module.js";
import { verifyModule } from "../bytecode/verifier.js";
import { hostNames, parseTypeKey, parseTypeSet, typeKey, type Type } from "../bytecode/types.js";
import { extDirective, sameExt } from "../bytecode/ext.js";
import type { NativeFn } from "./native-api.js";
import type { ExtOpcode, ExtSite } from "./ext-opcodes.js";
import { A } from "../diag/codes.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JitFn = (...args: any[]) => unknown;
/**
 * A compiled function's or loop nest's entry: at block `blk` (-1: a call, its arguments in
 * `frame` from index `o`), with the frame — locals, then the operand stack there — in `frame`
 * from index `o` (the interpreter passes its stack and the frame's base), where it leaves the
 * frame again when control goes back to the interpreter (see jit.ts).
 */
export type JitEntry = (vm: unknown, p: unknown, blk: number, frame: unknown[], o: number) => unknown;

/**
 * What the second tier made of one unit — a whole function (`f<index>`) or a loop nest
 * (`r<index>:<first>:<end>`, code indices) — as a cache across runs keeps it (jit-cache.ts):
 * its generated source, or null when it cannot be compiled, and the functions it calls.
 */
export interface JitUnit {
  src: string | null;
  callees: number[];
}

/** Where jit.ts looks for a unit before generating it, and records what it generated. */
export interface JitStore {
  get(key: string): JitUnit | undefined;
  put(key: string, unit: JitUnit): void;
}

export interface NativeTable {
  lookup(name: string): NativeFn | undefined;
}

/** What a VM adds to the language, as linking needs it. */
export interface LinkExtensions {
  /** The definition of extension opcode `name` (matched without regard to case), if any. */
  opcode(name: string): ExtOpcode | undefined;
  /** Is `name` a host type of this VM? */
  hostType(name: string): boolean;
  /** Does native `name`'s signature hold a host type (so its callers run on scheduler 0)? */
  hostNative(name: string): boolean;
}

/** A VM with no extension opcodes or host types. */
export const NO_EXTENSIONS: LinkExtensions = { opcode: () => undefined, hostType: () => false, hostNative: () => false };

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
    this.jitAtWait = new Map();
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
  /** The compiled loop nest holding each place a process waits at (by code index: a receive,
   *  the instruction after a vm.call), entered there when the process runs again after
   *  waiting. See interpreter.ts resumeCompiled. */
  readonly jitAtWait: Map<number, JitEntry>;
  /** The second tier's cache across runs for this module (jit-cache.ts), or null. */
  jitStore: JitStore | null = null;
  /** The uses of extension opcodes, which `Ext` instructions index (ext-opcodes.ts). */
  extSites: readonly ExtSite[] = [];
  /** 1 for each function a process must run on scheduler 0 when it starts there (see the header). */
  home: Uint8Array = new Uint8Array(0);

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

  /** The keys of the types in the tuple type constant `k` (a typed native call's argument types), made once. */
  argKeys(k: number): readonly string[] {
    let keys = this.argKeyCache[k];
    if (keys === undefined) this.argKeyCache[k] = keys = (this.consts[k] as { elems: Type[] }).elems.map(typeKey);
    return keys;
  }
  private readonly argKeyCache: (readonly string[] | undefined)[] = [];
}

/** Verifies and links a module. Throws `ModuleError` for anything wrong with it. */
export function link(m: Module, natives: NativeTable, ext: LinkExtensions = NO_EXTENSIONS): Program {
  const verified = verifyModule(m);
  const extOps: ExtOpcode[] = (m.exts ?? []).map((d) => {
    const op = ext.opcode(d.name);
    if (op === undefined) throw new ModuleError(`this module uses the extension opcode ${d.name}, which this VM does not define (vm.defineOpcode)`);
    if (!sameExt(op, d)) throw new ModuleError(`extension opcode ${d.name}: the module uses it as ${extDirective(d)}, but this VM defines ${extDirective(op)}`);
    return op;
  });
  /** Does constant #k hold a host type (a type, or a type set with one)? */
  const hostConst = m.consts.map((c) => {
    if (c.tag !== "type" && c.tag !== "typeset") return false;
    const names = (c.tag === "type" ? [c.value] : parseTypeSet(c.value, () => true)).flatMap((k) => hostNames(parseTypeKey(k, () => true)));
    for (const n of names) if (!ext.hostType(n)) throw new ModuleError(`this module uses the host type ${n}, which this VM does not define (vm.defineType)`);
    return names.length !== 0;
  });
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
        return parseTypeKey(c.value, ext.hostType);
      case "typeset":
        return new TypeSet(parseTypeSet(c.value, ext.hostType));
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
  const extSites: ExtSite[] = [];
  const home = new Uint8Array(m.functions.length);
  const callers: number[][] = m.functions.map(() => []);
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
        else if (kind === "native") {
          if (ext.hostNative(m.consts[val].value as string)) home[fi] = 1;
          val = consts[val] as number;
        } else if (kind === "ext") {
          extSites.push({ op: extOps[val], encoded: ins.operands });
          val = extSites.length - 1;
          home[fi] = 1;
        } else if ((kind === "type" || kind === "typeset") && hostConst[val]) home[fi] = 1;
        else if (kind === "fn" && ins.op === Op.Call) callers[val].push(fi);
        code[at + 1 + k] = val;
      });
      for (let j = 0; j <= info.operands.length; j++) {
        pcOffset[at + j] = ins.offset;
        pcFn[at + j] = fi;
      }
    });
  });
  // A caller of a function that must run on scheduler 0 must too (its process runs the callee).
  const todo: number[] = [];
  home.forEach((h, fi) => h && todo.push(fi));
  while (todo.length) for (const c of callers[todo.pop()!]) if (!home[c]) (home[c] = 1), todo.push(c);
  const prog = new Program(
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
  prog.extSites = extSites;
  prog.home = home;
  return prog;
}
