// String builders: how the second tier appends to a string local in place.
//
// Kaylee strings are values, and Raft's are JS strings, so `s = s + x` and `s.push(c)` make a
// new string each time: V8 joins the two as a cons string (32 bytes pointing at both), and a
// loop that builds a long string leaves a tree of a node per append for the collector to walk,
// copy and promote until something flattens it. Erlang grows a binary that only one variable
// holds in place; this is the same idea for a string local of compiled code (jit.ts).
//
// A local the plan below picks keeps two things in its compiled frame: its JS variable `lN`,
// now the *head* of its value, and a `StringBuilder` `BN` (null until the frame has made
// BUILDER_AFTER plain appends to it, so that short builds never pay for one)
// holding the UTF-16 units appended since: one byte a unit while every unit is below 256 (a
// Buffer, read back with a latin1 decode), two once one is not (the same memory seen as a
// Uint16Array, read back as UCS-2, which keeps any unit as it is). The local's value is head
// followed by the pending units. An append copies the new units into the buffer, which
// doubles as it fills, up to 1M units (a string of 2,048 units or more is joined to the head
// as it is instead); a full buffer is decoded into one flat piece joined to the head, so a
// long build is a few big pieces instead of a tree of a node per append. A long string made
// of such pieces, none holding a surrogate, is told to strings.ts (`knowPieces`), which then
// indexes it without a scan and reads its chars from the pieces: V8 never copies it flat
// just so that it can be read.
//
// The builder is local to the compiled frame and invisible to the rest of the VM: wherever
// the value is read — a Load of the local (passing it, sending it, printing it, storing it
// elsewhere, returning it), leaving a loop nest compiled on its own, any unwind or suspension
// of the frame (which hands its locals to the interpreter) — the pending units are joined to
// the head first (`sbFlat`), and the plain string is what is read. A later append starts
// afresh on that string. So value semantics hold as for any string: a variable that took the
// old value keeps it.
//
// Appends keep the two tiers' accounting exactly: a builder append checks the length limits,
// charges the heap bytes and the reductions that the Concat or `string.push` it replaces
// charges (in the same order, faulting at the same instruction), and anything unusual (a
// value that is not a string, an invalid char) goes through the plain operation on the
// joined string.
//
// Which locals (`planBuilders`): a string local that is appended to inside a loop and read
// nowhere in the innermost loop around any such append, so that joining happens at most once
// per turn of an outer loop. An append is recognised in the bytecode as `Load $n`, values that
// do not touch the loaded one, `Concat` or `CallNative #string.push 2` on it (repeatable:
// `s = s + a + b`), then `Store $n`, all in one basic block, with nothing in between that can
// leave the frame other than by a fault (see `simple` in jit.ts).

import { OPCODES, SIZE } from "../bytecode/opcodes.js";
import { Op } from "../bytecode/op.js";
import { C } from "./error-codes.js";
import { HardExit, charge } from "./heap.js";
import type { Process } from "./process.js";
import type { Program } from "./program.js";
import type { VMCore } from "./vm-core.js";
import { PIECES_MIN, knowPieces, piecesOf } from "./strings.js";

/** Units a new builder holds before it grows. */
const FIRST_UNITS = 256;
/**
 * Units a builder holds at most: when full, they join the head as one piece. A piece this
 * big is a string whose characters live outside V8's heap (Node makes one from a buffer of
 * more than about 1 MB), so the collector never copies them, and the full buffer is reused
 * for the next piece. (A buffer that grew without bound would touch fresh memory at every
 * doubling instead; smaller pieces are copied by every scavenge they survive.)
 */
const MAX_UNITS = 1 << 20;
/** A buffer past this many units grows to MAX_UNITS at once; one of that size is kept per thread for the next builder. */
const SMALL_UNITS = 64 * 1024;
/** A string this long or longer is joined to the head as it is, not copied unit by unit. */
const LONG_PIECE = 2048;
/** Released builders kept for reuse, per thread. */
const POOL_SIZE = 8;
/** Uint16Array writes little-endian units here (as UCS-2 decoding reads them)? */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const NO_UNITS = new Uint16Array(0);
/**
 * Appends a compiled frame makes to a local before it takes a builder for it (until then,
 * plain ones): a builder costs a few hundred nanoseconds to take, join and give back, which
 * a handful of appends would not repay.
 */
export const BUILDER_AFTER = 8;
/** Pieces a builder tracks at most (past them, strings.ts is told nothing of the string). */
const MAX_PIECES = 256;

export class StringBuilder {
  /** The pending units while every one is below 256, a byte each. */
  bytes: Buffer = Buffer.allocUnsafeSlow(FIRST_UNITS);
  /** The pending units once one is not (`wide`), and the memory behind them. */
  units: Uint16Array = NO_UNITS;
  wideBytes: Buffer | null = null;
  /** Units pending. */
  k = 0;
  /** The pending units are in `units`. */
  wide = false;
  /** A pending unit is a surrogate. */
  surrogates = false;
  /**
   * The head is exactly `pieces` joined, each a flat string without a surrogate, so that the
   * string's index can be told rather than found (strings.ts, knowPieces).
   */
  tracked = false;
  pieces: string[] = [];
  /** The head grew since strings.ts was last told of it. */
  grew = false;
}

const pool: StringBuilder[] = [];

/** Node's own decoders, without Buffer.toString's argument checks (about half its cost for a short string). */
type Slicer = { latin1Slice?(start: number, end: number): string; ucs2Slice?(start: number, end: number): string };
const SLICES = typeof (Buffer.prototype as Slicer).latin1Slice === "function" && typeof (Buffer.prototype as Slicer).ucs2Slice === "function";
const latin1 = (b: Buffer, end: number): string => (SLICES ? (b as Slicer).latin1Slice!(0, end) : b.toString("latin1", 0, end));
const ucs2 = (b: Buffer, end: number): string => (SLICES ? (b as Slicer).ucs2Slice!(0, end) : b.toString("ucs2", 0, end));
/** A big buffer (MAX_UNITS bytes, or 2 * MAX_UNITS for 16-bit units) a builder gave back, for the next that needs one. */
let spareBytes: Buffer | null = null;
let spareWide: Buffer | null = null;

/** A buffer of at least `n` bytes: the spare one when it is big enough and `n` is big. */
function buffer(n: number, wide: boolean): Buffer {
  const spare = wide ? spareWide : spareBytes;
  if (n > SMALL_UNITS && spare !== null && spare.length >= n) {
    if (wide) spareWide = null;
    else spareBytes = null;
    return spare;
  }
  return Buffer.allocUnsafeSlow(n);
}

/** A builder for a local whose value is now `head`. */
export function sbNew(vm: VMCore, head: string): StringBuilder {
  const b = pool.pop() ?? new StringBuilder();
  track(vm, b, head);
  return b;
}

/** The local was assigned `head`: nothing is pending. */
export function sbReset(vm: VMCore, b: StringBuilder, head: string): void {
  clear(b);
  track(vm, b, head);
}

function clear(b: StringBuilder): void {
  b.k = 0;
  b.wide = false;
  b.surrogates = false;
  b.tracked = false;
  b.pieces = [];
  b.grew = false;
}

/** Whether the head, now `head`, is known as pieces (see `tracked`). */
function track(vm: VMCore, b: StringBuilder, head: string): void {
  const known = piecesOf(vm.chargeWork, head);
  b.tracked = known !== null;
  b.pieces = known ?? [];
}

/** The compiled frame that held `b` is leaving: `b` may serve another, and its big buffers the next builder. */
export function sbFree(b: StringBuilder): void {
  if (b.bytes.length > SMALL_UNITS) {
    if (spareBytes === null) spareBytes = b.bytes;
    b.bytes = Buffer.allocUnsafeSlow(FIRST_UNITS);
  }
  if (b.wideBytes !== null) {
    if (b.wideBytes.length > 2 * SMALL_UNITS && spareWide === null) spareWide = b.wideBytes;
    b.units = NO_UNITS;
    b.wideBytes = null;
  }
  if (pool.length < POOL_SIZE) {
    clear(b);
    pool.push(b);
  }
}

/** `head` and the pending units joined, as one new piece (none are pending after). */
function join(b: StringBuilder, head: string): string {
  const k = b.k;
  if (k === 0) return head;
  const s = b.wide ? ucs2(b.wideBytes!, 2 * k) : latin1(b.bytes, k);
  if (b.tracked) {
    if (b.surrogates || b.pieces.length >= MAX_PIECES) b.tracked = false;
    else b.pieces.push(s);
  }
  b.k = 0;
  b.wide = false;
  b.surrogates = false;
  b.grew = true;
  return head === "" ? s : head + s;
}

/** The head joined to `x` as it is (a long string, or what cannot go in the buffer). */
function joinAs(b: StringBuilder, head: string, x: string): string {
  const s = join(b, head) + x;
  b.tracked = false;
  return s;
}

/**
 * The local's whole value, where it is read: `head` and the pending units joined (one new
 * flat piece, however many appends made it). A long string made of tracked pieces is told to
 * strings.ts, which then indexes it without a scan and reads it without a flat copy.
 */
export function sbFlat(vm: VMCore, b: StringBuilder, head: string): string {
  const s = join(b, head);
  if (b.grew && b.tracked && s.length >= PIECES_MIN) knowPieces(vm.chargeWork, s, b.pieces.slice());
  b.grew = false;
  return s;
}

/**
 * Room for `m` more units: the buffer in use doubles until they fit, keeping what it holds,
 * up to MAX_UNITS; past that its units join the head (returned).
 */
function room(b: StringBuilder, head: string, m: number): string {
  const need = b.k + m;
  if (!b.wide) {
    if (need <= b.bytes.length) return head;
    if (need > MAX_UNITS) {
      head = join(b, head);
      if (m <= b.bytes.length) return head;
    }
    const bytes = buffer(grown(b.bytes.length, b.k + m), false);
    b.bytes.copy(bytes, 0, 0, b.k);
    b.bytes = bytes;
  } else if (need > b.units.length) {
    if (need > MAX_UNITS) return room(b, join(b, head), m);
    wideRoom(b, grown(b.units.length, need), b.k);
  }
  return head;
}

/** The room a buffer of `cap` units grows to for `need` (doubling while small, then MAX_UNITS). */
function grown(cap: number, need: number): number {
  const n = Math.max(need, 2 * cap);
  return n > SMALL_UNITS ? Math.max(need, MAX_UNITS) : n;
}

/** `units` with room for `cap`, its first `keep` units kept. */
function wideRoom(b: StringBuilder, cap: number, keep: number): void {
  const wb = buffer(2 * cap, true);
  cap = wb.length >> 1;
  if (keep > 0) b.wideBytes!.copy(wb, 0, 0, 2 * keep);
  b.wideBytes = wb;
  b.units = new Uint16Array(wb.buffer, wb.byteOffset, cap);
}

/** The pending bytes become 16-bit units (room for `m` more). */
function widen(b: StringBuilder, m: number): void {
  const k = b.k;
  if (b.units.length < k + m) wideRoom(b, grown(Math.max(k, FIRST_UNITS >> 1), k + m), 0);
  const bytes = b.bytes;
  const units = b.units;
  for (let i = 0; i < k; i++) units[i] = bytes[i];
  b.wide = true;
}

/** Appends the units of `x`; returns the head (a new one when units had to join it). */
function put(b: StringBuilder, head: string, x: string): string {
  const m = x.length;
  let k = b.k;
  if (!b.wide && k + m <= b.bytes.length) {
    // The common case: bytes, and room for them.
    const bytes = b.bytes;
    let j = 0;
    for (; j < m; j++) {
      const c = x.charCodeAt(j);
      if (c > 255) break;
      bytes[k++] = c;
    }
    b.k = k;
    return j === m ? head : putFrom(b, head, x, j);
  }
  return putFrom(b, head, x, 0);
}

/** Appends the units of `x` from index `j` on, whatever room and width that takes. */
function putFrom(b: StringBuilder, head: string, x: string, j: number): string {
  const m = x.length;
  if (m - j >= LONG_PIECE) return joinAs(b, head, j === 0 ? x : x.slice(j));
  head = room(b, head, m - j);
  let k = b.k;
  if (!b.wide) {
    const bytes = b.bytes;
    for (; j < m; j++) {
      const c = x.charCodeAt(j);
      if (c > 255) break;
      bytes[k++] = c;
    }
    b.k = k;
    if (j === m) return head;
    if (!LITTLE_ENDIAN) return joinAs(b, head, x.slice(j));
    widen(b, m - j);
  }
  const units = b.units;
  let surrogates = false;
  for (; j < m; j++) {
    const c = x.charCodeAt(j);
    units[k++] = c;
    if ((c & 0xf800) === 0xd800) surrogates = true;
  }
  b.k = k;
  if (surrogates) b.surrogates = true;
  return head;
}

/** The second tier's plain Concat: `a + x`, its limits and its charge. */
function concat(vm: VMCore, p: Process, a: string, x: string): string {
  const t = a + x;
  if (t.length > vm.maxStringLength || 2 * t.length > vm.heapLimit) throw new HardExit(C.heap_limit);
  if ((p.heapBytes += 32 + 2 * (a.length < x.length ? a.length : x.length)) > 0) charge(vm, p, 0, -1);
  return t;
}

/**
 * `s = s + x` for a builder local (`b`, `head`; no builder yet: a plain Concat): the second tier's Concat, appending in place.
 * Returns the new head.
 */
export function sbCat(vm: VMCore, p: Process, b: StringBuilder | null, head: string, x: string): string {
  if (b === null) return concat(vm, p, head, x);
  if (typeof x !== "string") {
    // Not a string (only hand-written bytecode makes one): the plain Concat.
    const a = join(b, head);
    b.tracked = false;
    return concat(vm, p, a, x);
  }
  const len = head.length + b.k;
  const m = x.length;
  const t = len + m;
  if (t > vm.maxStringLength || 2 * t > vm.heapLimit) throw new HardExit(C.heap_limit);
  if ((p.heapBytes += 32 + 2 * (len < m ? len : m)) > 0) charge(vm, p, 0, -1);
  return put(b, head, x);
}

/**
 * `s.push(c)` for a builder local: the native `string.push` (native `idx` of the program,
 * methods.ts), appending in place: the same length limit, then the result charged as a
 * native's is (heap.ts, chargeNative): the units it adds (all of the string when it adds
 * none), and reductions for 256 or more. Returns the new head.
 */
export function sbPush(vm: VMCore, p: Process, b: StringBuilder | null, head: string, c: unknown, idx: number): string {
  const len = head.length + (b === null ? 0 : b.k);
  const n = typeof c === "string" ? c.length : typeof c === "number" && c >= 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) && Number.isInteger(c) ? (c > 0xffff ? 2 : 1) : -1;
  if (n < 0) {
    // Anything else (an invalid char): the native itself, on the whole string.
    let a = head;
    if (b !== null) {
      a = join(b, head);
      b.tracked = false;
    }
    return vm.callNative(p, idx, [a, c], -1) as string;
  }
  const t = len + n;
  if (t > vm.maxStringLength || 2 * t > vm.heapLimit) throw new HardExit(C.heap_limit);
  if (typeof c === "string") {
    const work = n > 0 ? n : t;
    if (work >= 256) vm.chargeWork(work >>> 6);
    charge(vm, p, 32 + 2 * work, -1);
    return b === null ? head + c : put(b, head, c);
  }
  const u = c as number;
  charge(vm, p, 32 + 2 * n, -1);
  if (b === null) return head + String.fromCodePoint(u);
  if (u < 256 && !b.wide && b.k < b.bytes.length) {
    b.bytes[b.k++] = u;
    return head;
  }
  return pushAny(b, head, u, n);
}

/** Appends code point `u` (`n` units), whatever room and width that takes. */
function pushAny(b: StringBuilder, head: string, u: number, n: number): string {
  head = room(b, head, n);
  if (u < 256 && !b.wide) {
    b.bytes[b.k++] = u;
    return head;
  }
  if (!b.wide) {
    if (!LITTLE_ENDIAN) return joinAs(b, head, String.fromCodePoint(u));
    widen(b, n);
  }
  if (n === 1) b.units[b.k++] = u;
  else {
    b.units[b.k++] = 0xd800 + ((u - 0x10000) >> 10);
    b.units[b.k++] = 0xdc00 + ((u - 0x10000) & 0x3ff);
    b.surrogates = true;
  }
  return head;
}

/** `s.push(c)` for a builder local where `c` is a char below 256 the code names: sbPush's quickest case. */
export function sbPushByte(vm: VMCore, p: Process, b: StringBuilder | null, head: string, c: number): string {
  const t = head.length + (b === null ? 0 : b.k) + 1;
  if (t > vm.maxStringLength || 2 * t > vm.heapLimit) throw new HardExit(C.heap_limit);
  charge(vm, p, 34, -1);
  if (b === null) return head + String.fromCharCode(c);
  if (b.wide || b.k === b.bytes.length) return pushAny(b, head, c, 1);
  b.bytes[b.k++] = c;
  return head;
}

// ── which locals ─────────────────────────────────────────────────────────────────────────

/** What a compiled unit (a function, or a loop nest compiled on its own) looks like to the plan. */
export interface UnitView {
  prog: Program;
  /** The unit's instructions (code indices), in order. */
  pcs: readonly number[];
  /** Code indices that start a basic block. */
  leaders: ReadonlySet<number>;
  /** Local n lives unboxed as a float: never a builder. */
  isFloat(n: number): boolean;
  /**
   * The instruction neither leaves the frame nor can be caught in it other than by a fault,
   * and reads or writes locals only through its operands (regular instructions, Concat,
   * natives inlined by the second tier).
   */
  simple(pc: number): boolean;
  /** Values the instruction pops. */
  pops(pc: number): number;
  /** The native `string.push` at native index i is the built-in one. */
  isPush(i: number): boolean;
}

/** The role of an instruction in an append: the Load that starts it, each join, the Store that ends it. */
export type Role = "load" | "append" | "store";

export interface BuilderPlan {
  /** The locals kept as builders. */
  readonly locals: ReadonlySet<number>;
  /** The instructions of appends to them, by code index. */
  readonly roles: ReadonlyMap<number, { role: Role; local: number }>;
}

const NO_BUILDERS: BuilderPlan = { locals: new Set(), roles: new Map() };

/** Instructions that may name locals other than through `local` operands (places, extension opcodes). */
const HIDDEN_LOCALS: ReadonlySet<number> = new Set([Op.Ext, Op.CopyPlaces, Op.LoadPlace, Op.StorePlace]);
/** Instructions that can neither fault nor touch a local but by their operands. */
const QUIET: ReadonlySet<number> = new Set([Op.Load, Op.PushConst, Op.PushInt, Op.PushNull, Op.PushTrue, Op.PushFalse]);
/** Instructions an append may span at most (from its Load to its Store). */
const MAX_APPEND = 64;
/** Instructions besides appends that may name a builder local: reads (which join first) and plain stores. */
const PLAIN_USES: ReadonlySet<number> = new Set([Op.Load, Op.Store, Op.ReturnLocal, Op.CopyLocalLocal, Op.CopyLocalConst]);

function mentions(code: Int32Array, pc: number, n: number): boolean {
  const kinds = OPCODES[code[pc]].operands;
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === "local" && code[pc + 1 + i] === n) return true;
  return false;
}

/** Does the instruction read local n's value (rather than only overwrite it)? */
function reads(code: Int32Array, pc: number, n: number): boolean {
  const op = code[pc];
  return op === Op.Load || op === Op.ReturnLocal || (op === Op.CopyLocalLocal && code[pc + 2] === n);
}

/**
 * The append that the `Load $n` at `u.pcs[i]` starts, if it is one: its joins and its Store.
 * `chain`: joins may follow one another with instructions between that can fault (no try
 * region in the unit could catch the fault and see the local half-appended).
 */
function appendAt(u: UnitView, i: number, n: number, chain: boolean): { joins: number[]; store: number } | null {
  const { prog, pcs } = u;
  const code = prog.code;
  const d = prog.pcDepth[pcs[i]];
  const joins: number[] = [];
  for (let j = i + 1; j < pcs.length && j <= i + MAX_APPEND; j++) {
    const z = pcs[j];
    if (u.leaders.has(z)) return null;
    const op = code[z];
    const e = prog.pcDepth[z];
    if (mentions(code, z, n)) return joins.length > 0 && op === Op.Store && e - 1 === d ? { joins, store: z } : null;
    if (e - u.pops(z) > d) {
      // The loaded value stays where it is, below this instruction's operands.
      if (!u.simple(z) || (joins.length > 0 && !chain && !QUIET.has(op))) return null;
      continue;
    }
    // The loaded value (or what it has become) is the left operand of a join, or it is used otherwise.
    if (e - 2 !== d) return null;
    // A push can fault (an invalid char): where a handler could catch that, only first.
    if (op === Op.Concat || (op === Op.CallNative && (chain || joins.length === 0) && code[z + 2] === 2 && prog.nativeNames[code[z + 1]] === "string.push" && u.isPush(code[z + 1]))) joins.push(z);
    else return null;
  }
  return null;
}

/** The unit's loops: [head, end) of each backward jump or branch. */
function loopsOf(u: UnitView): [number, number][] {
  const code = u.prog.code;
  const loops: [number, number][] = [];
  for (const pc of u.pcs) {
    const info = OPCODES[code[pc]];
    if (info.flow !== "jump" && info.flow !== "branch") continue;
    const t = code[pc + 1 + info.operands.indexOf("label")];
    if (t <= pc) loops.push([t, pc + SIZE[code[pc]]]);
  }
  return loops;
}

/** The smallest loop around `pc`, or null. */
function innermost(loops: readonly [number, number][], pc: number): [number, number] | null {
  let best: [number, number] | null = null;
  for (const l of loops) if (l[0] <= pc && pc < l[1] && (best === null || l[1] - l[0] < best[1] - best[0])) best = l;
  return best;
}

/** The string locals of a unit that the second tier keeps as builders, and their appends. */
export function planBuilders(u: UnitView): BuilderPlan {
  const code = u.prog.code;
  if (u.pcs.some((pc) => HIDDEN_LOCALS.has(code[pc]))) return NO_BUILDERS;
  const chain = !u.pcs.some((pc) => OPCODES[code[pc]].flow === "try");
  // Locals stored right after a join: the only ones an append can end in.
  const stored = new Set<number>();
  for (let i = 1; i < u.pcs.length; i++) {
    const pc = u.pcs[i];
    const before = code[u.pcs[i - 1]];
    if (code[pc] === Op.Store && (before === Op.Concat || before === Op.CallNative)) stored.add(code[pc + 1]);
  }
  if (stored.size === 0) return NO_BUILDERS;
  const found = new Map<number, Map<number, Role>>();
  for (let i = 0; i < u.pcs.length; i++) {
    const pc = u.pcs[i];
    if (code[pc] !== Op.Load || !stored.has(code[pc + 1]) || u.isFloat(code[pc + 1])) continue;
    const n = code[pc + 1];
    const a = appendAt(u, i, n, chain);
    if (a === null) continue;
    let roles = found.get(n);
    if (roles === undefined) found.set(n, (roles = new Map()));
    roles.set(pc, "load");
    for (const z of a.joins) roles.set(z, "append");
    roles.set(a.store, "store");
  }
  if (found.size === 0) return NO_BUILDERS;
  const loops = loopsOf(u);
  const locals = new Set<number>();
  const all = new Map<number, { role: Role; local: number }>();
  for (const [n, roles] of found) {
    const readAt: number[] = [];
    let ok = true;
    for (const pc of u.pcs) {
      if (roles.has(pc) || !mentions(code, pc, n)) continue;
      if (!PLAIN_USES.has(code[pc])) ok = false;
      else if (reads(code, pc, n)) readAt.push(pc);
    }
    let inLoop = false;
    for (const [pc, role] of roles) {
      if (role !== "append") continue;
      const l = innermost(loops, pc);
      if (l === null) continue;
      inLoop = true;
      if (readAt.some((r) => l[0] <= r && r < l[1])) ok = false;
    }
    if (!ok || !inLoop) continue;
    locals.add(n);
    for (const [pc, role] of roles) all.set(pc, { role, local: n });
  }
  return locals.size === 0 ? NO_BUILDERS : { locals, roles: all };
}
