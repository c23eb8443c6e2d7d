// Extension opcodes at run time: the instructions an embedder defines with
// `vm.defineOpcode({ name, operands, pops, pushes, doc, exec })` (docs/embedding.md).
//
// A module names the extension opcodes it uses in its extension table (bytecode/ext.ts);
// linking (program.ts) finds each one among the VM's definitions — a missing one, or one
// defined with another signature, refuses the module — and turns every use into an `Ext`
// instruction whose one operand is an `ExtSite`: the definition and the use's own operands.
// Both tiers run it through `runExt`: the popped values (bottom first) and the decoded
// operands go to `exec`, whose result is pushed (for `pushes: 1`). Each use costs a
// reduction, plus what `exec` charges; a throw in `exec` is a fault of the calling process
// (code `native`), never the host's.
//
// `exec` is the embedder's JavaScript and lives on the embedder's thread: a process whose
// code can reach an extension opcode runs on scheduler 0 only (program.ts `home`; see
// docs/architecture.md). On any other scheduler a definition is `remoteOpcode`, which refuses.

import type { ExtDecl, ExtOperandKind } from "../bytecode/ext.js";
import { Fault, KError, fault } from "./values.js";
import { C } from "./error-codes.js";
import { memSpan, memoryOf } from "./memory.js";
import type { Process } from "./process.js";

/** What `exec` gets as its third argument. */
export interface ExtCtx {
  /** The calling process's id (`<0.N>`). */
  readonly self: number;
  /**
   * A copy of `length` bytes of the calling process's linear memory at `address` (bounds-
   * checked: outside it, the instruction faults with code `out_of_bounds`). Costs a
   * reduction per 256 bytes.
   */
  memory(address: number, length: number): Uint8Array;
  /** Bills reductions for work in proportion to the data (a reduction is about one instruction). */
  charge(reductions: number): void;
}

/** What `vm.defineOpcode` takes. */
export interface OpcodeSpec {
  /** Its mnemonic in assembly (letters, digits, `_`; not an instruction of the opcode table). */
  name: string;
  /** Its operands' kinds, at most two: `"int"`, `"count"`, `"const"`, `"local"`, `"addr"`. */
  operands: ExtOperandKind[];
  /** How many values it pops (they reach `exec` bottom first). */
  pops: number;
  /** 1: it pushes what `exec` returns; 0: nothing. */
  pushes: 0 | 1;
  /** One line on what it does (for the embedder's own listings). */
  doc?: string;
  /**
   * Runs it, synchronously: `args` are the popped values, `operands` the decoded operands (an
   * `int`, `count` or `addr` as its number, a `const` as the constant's value, a `local` as
   * the local's value). Returns the value to push: a number, string, boolean, null (also for
   * undefined), an array of such values, or `raft.error(...)`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  exec(args: any[], operands: any[], ctx: ExtCtx): unknown;
}

/** A defined extension opcode: its signature and what runs it. */
export interface ExtOpcode extends ExtDecl {
  readonly doc: string;
  readonly exec: OpcodeSpec["exec"];
}

/** One use of an extension opcode in linked code: the `Ext` instruction's operand indexes these. */
export interface ExtSite {
  readonly op: ExtOpcode;
  /** The use as the module encodes it: its extension table index, then its own operands. */
  readonly encoded: readonly number[];
}

/**
 * The stand-in for a definition on a scheduler other than 0, which has none (the embedder's
 * code is on its thread): processes that can reach an extension opcode never run there, so
 * reaching it is a fault that says so.
 */
export function remoteOpcode(d: ExtDecl): ExtOpcode {
  return {
    ...d,
    doc: "",
    exec: () => {
      throw fault(`extension opcode ${d.name} runs only on the embedder's scheduler`, C.internal);
    },
  };
}

/**
 * Runs the use `site` by process `p`: `args` are the popped values; a `local` operand's value
 * is `frame[base + slot]`. Returns the value to push. `charge` bills reductions.
 */
export function runExt(p: Process, site: ExtSite, args: unknown[], frame: readonly unknown[], base: number, consts: readonly unknown[], charge: (n: number) => void): unknown {
  const op = site.op;
  const enc = site.encoded;
  const operands: unknown[] = [];
  for (let i = 0; i < op.operands.length; i++) {
    const v = enc[i + 1];
    const kind = op.operands[i];
    operands.push(kind === "const" ? consts[v] : kind === "local" ? frame[base + v] : v);
  }
  charge(1);
  const ctx: ExtCtx = {
    self: p.pid,
    memory: (address, length) => {
      if (!Number.isInteger(length) || length < 0) throw fault(`${op.name}: bad length ${String(length)} for a memory read`, C.range);
      if (length === 0) return new Uint8Array(0);
      const at = memSpan(p, address, 0, length);
      if (length >= 256) charge(length >>> 8);
      return memoryOf(p).bytes.slice(at, at + length);
    },
    charge: (n) => {
      if (typeof n === "number" && n > 0) charge(Math.min(Math.ceil(n), 1 << 30));
    },
  };
  let r: unknown;
  try {
    r = op.exec(args, operands, ctx);
  } catch (e) {
    if (e instanceof Fault) throw e; // ctx.memory's
    throw fault(`extension opcode ${op.name} failed: ${e instanceof Error ? e.message : String(e)}`, C.native);
  }
  return op.pushes === 0 ? null : pushable(op.name, r);
}

/** `exec`'s result as a value to push, or a fault for one that is no Kaylee value. */
function pushable(name: string, r: unknown): unknown {
  switch (typeof r) {
    case "undefined":
      return null;
    case "number":
    case "string":
    case "boolean":
      return r;
    case "object":
      if (r === null || Array.isArray(r) || r instanceof KError) return r;
      break;
  }
  const what = r instanceof Promise ? "a Promise (exec must be synchronous)" : typeof r === "object" ? "an object" : `a ${typeof r}`;
  throw fault(`extension opcode ${name} returned ${what}, which is no Kaylee value`, C.native);
}
