// A whole process through bytes (src/threads/process-state.ts): random processes come back
// with every field equal, pointers sharing one Block per block of the rebuilt memory, and
// foreign pointers unusable; what cannot move is refused; a real program whose main process
// moves through bytes between its slices prints what it prints unmoved; and a worker thread
// reads and re-writes a process to the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Worker } from "node:worker_threads";
import { ForeignHandle, Reader, Writer } from "../src/threads/codec.js";
import { MigrationRefused, canMigrate, migrationRefusal, readProcess, writeProcess } from "../src/threads/process-state.js";
import { NO_TRIES, Process, Status } from "../src/vm/process.js";
import { Mailbox, NO_MAIL } from "../src/vm/mailbox.js";
import { Block, LinearMemory, Pointer, Slice, ptrReadByte, ptrWriteByte, sliceGet } from "../src/vm/memory.js";
import { MEMORY_NATIVES } from "../src/vm/natives-memory.js";
import { ExitNotice, Fault, HostValue, KError, ReplyTo } from "../src/vm/values.js";
import { Raft } from "../src/raft.js";
import { valueArbitrary } from "./helpers/value-arbitrary.js";
import type { SysCtx } from "../src/vm/vm-core.js";
import { link } from "../src/vm/program.js";
import { indexSlow, storeIndexSlow } from "../src/vm/interpreter.js";
import { RefTable } from "../src/vm/ref-table.js";

// ── random processes ────────────────────────────────────────────────────────────────────

/** A value before its memory exists: pointers and slices name a block by index. */
type Plan = { ptr: number; off: number } | { slc: number; off: number; len: number } | { foreign: number; off: number } | unknown;

const plainValue = valueArbitrary(
  [
    fc.constantFrom(-0, NaN, Infinity, -Infinity, 0.1, 2 ** 53),
    fc.string({ unit: fc.constantFrom("a", "é", "😀", "\u{10FFFF}", "\ud800") }),
    fc.record({ ptr: fc.nat(20), off: fc.integer({ min: -4, max: 40 }) }),
    fc.record({ slc: fc.nat(20), off: fc.nat(8), len: fc.nat(8) }),
    fc.record({ foreign: fc.nat(3), off: fc.nat(8) }),
  ],
  5,
);

const TYPES = ["integer", "string", "vector[integer]", "exit", "(integer, string)"];

const processPlan = fc.record({
  pid: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  parent: fc.nat(),
  fnName: fc.string(),
  stack: fc.array(plainValue, { maxLength: 24 }),
  spare: fc.nat(40),
  pc: fc.nat(100000),
  base: fc.nat(30),
  frames: fc.array(fc.tuple(fc.nat(100000), fc.nat(1000)), { maxLength: 12 }),
  frameRoom: fc.nat(20),
  tries: fc.array(fc.tuple(fc.nat(12), fc.nat(100000), fc.nat(40)), { maxLength: 4 }),
  resume: fc.option(fc.record({ value: plainValue, fault: fc.option(fc.string()), receive: fc.boolean() })),
  mail: fc.option(
    fc.record({
      messages: fc.array(fc.tuple(fc.constantFrom(...TYPES), plainValue), { maxLength: 30 }),
      taken: fc.array(fc.constantFrom(...TYPES), { maxLength: 10 }),
    }),
  ),
  waitType: fc.constantFrom("", ...TYPES),
  waitSet: fc.integer({ min: -1, max: 1000 }),
  timedOut: fc.boolean(),
  links: fc.option(fc.uniqueArray(fc.nat(1000), { maxLength: 6 })),
  monitors: fc.option(fc.array(fc.tuple(fc.nat(1e9), fc.nat(1000)), { maxLength: 5 })),
  monitoredBy: fc.option(fc.array(fc.tuple(fc.nat(1e9), fc.nat(1000)), { maxLength: 5 })),
  call: fc.option(fc.record({ ref: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), type: fc.constantFrom(...TYPES) })),
  timers: fc.option(
    fc.uniqueArray(fc.record({ ref: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), to: fc.nat(), type: fc.constantFrom(...TYPES), value: plainValue, at: fc.integer({ min: -5, max: 2 ** 31 }) }), {
      maxLength: 5,
      selector: (t) => t.ref,
    }),
  ),
  trapExits: fc.boolean(),
  supervised: fc.boolean(),
  name: fc.option(fc.string()),
  exitReason: fc.string(),
  heapBytes: fc.integer({ min: -4096, max: 1 << 20 }),
  heapLast: fc.nat(1 << 24),
  heapReserved: fc.nat(1 << 20),
  reductions: fc.nat(1 << 30),
  hungry: fc.boolean(),
  unwoundDepth: fc.nat({ max: 100000 }),
  memory: fc.option(
    fc.record({
      sizes: fc.array(fc.nat(300), { maxLength: 20 }),
      freed: fc.array(fc.nat(20), { maxLength: 10 }),
      claims: fc.array(fc.tuple(fc.nat(20), fc.nat(2000)), { maxLength: 3 }),
      big: fc.boolean(),
      writes: fc.array(fc.tuple(fc.nat(20), fc.nat(300), fc.nat(255)), { maxLength: 30 }),
    }),
  ),
});

type Built = { p: Process; foreign: LinearMemory };

/** A Process from a plan: its memory first, then its values with the pointers resolved. */
function build(plan: PlanOf): Built {
  const p = new Process(plan.pid, plan.fnName, plan.parent, 16);
  const foreign = new LinearMemory();
  const foreignBlocks = [foreign.alloc(8), foreign.alloc(16), foreign.alloc(4), foreign.alloc(1)];
  foreign.freeBlock(foreignBlocks[2]);
  const blocks: Block[] = [];
  if (plan.memory !== null) {
    const m = new LinearMemory();
    p.memory = m;
    for (const n of plan.memory.sizes) blocks.push(m.alloc(n));
    if (plan.memory.big) blocks.push(m.alloc(100_000)); // memory grows past 64 KiB
    for (const [b, at, v] of plan.memory.writes) {
      const blk = blocks[b % Math.max(1, blocks.length)];
      if (blk && blk.size > 0) m.bytes[blk.start + (at % blk.size)] = v;
    }
    for (const [b, n] of plan.memory.claims) if (blocks.length) m.claim(blocks[b % blocks.length], n);
    for (const b of plan.memory.freed) if (blocks.length && blocks[b % blocks.length].live) m.freeBlock(blocks[b % blocks.length]);
  }
  const resolve = (v: Plan): unknown => {
    const todo: unknown[][] = [];
    const one = (x: Plan): unknown => {
      if (Array.isArray(x)) {
        const a = x.slice();
        todo.push(a);
        return a;
      }
      if (x !== null && typeof x === "object" && !(x instanceof KError) && !(x instanceof ExitNotice) && !(x instanceof ReplyTo)) {
        const o = x as Record<string, number>;
        if ("foreign" in o) return new Pointer(foreignBlocks[o.foreign], o.off);
        if (blocks.length === 0) return null;
        if ("ptr" in o) return new Pointer(blocks[o.ptr % blocks.length], o.off);
        return new Slice(blocks[o.slc % blocks.length], o.off, o.len);
      }
      return x;
    };
    const root = one(v);
    while (todo.length) {
      const a = todo.pop()!;
      for (let i = 0; i < a.length; i++) a[i] = one(a[i]);
    }
    return root;
  };
  const stack = plan.stack.map(resolve);
  p.stack = [...stack, ...new Array(plan.spare).fill(null)];
  if (p.stack.length === 0) p.stack.push(null);
  p.sp = stack.length;
  p.pc = plan.pc;
  p.base = plan.base;
  p.fp = plan.frames.length;
  if (plan.frames.length > 0 || plan.frameRoom > 10) {
    const n = plan.frames.length + plan.frameRoom + 1;
    p.frameRet = new Int32Array(n);
    p.frameBase = new Int32Array(n);
    plan.frames.forEach(([r, b], i) => {
      p.frameRet[i] = r;
      p.frameBase[i] = b;
    });
  }
  if (plan.tries.length) p.tries = plan.tries.flat();
  if (plan.resume) {
    p.hasResume = true;
    p.resumeValue = resolve(plan.resume.value);
    p.resumeFault = plan.resume.fault === null ? null : new KError(plan.resume.fault, "panic");
    p.resumeReceive = plan.resume.receive;
  }
  if (plan.mail) {
    p.mailbox = new Mailbox();
    for (const [t, v] of plan.mail.messages) p.mailbox.push(t, resolve(v));
    for (const t of plan.mail.taken) p.mailbox.take(t);
  }
  p.waitType = plan.waitType;
  p.waitSet = plan.waitSet;
  p.timedOut = plan.timedOut;
  if (plan.links) p.links = new Set(plan.links);
  if (plan.monitors) p.monitors = refTable(plan.monitors);
  if (plan.monitoredBy) p.monitoredBy = refTable(plan.monitoredBy);
  if (plan.call) {
    p.callRef = plan.call.ref;
    p.callType = plan.call.type;
  }
  if (plan.timers) p.sendTimers = new Map(plan.timers.map((t) => [t.ref, { ref: t.ref, to: t.to, type: t.type, value: resolve(t.value), at: t.at, seq: 0 }]));
  p.trapExits = plan.trapExits;
  p.supervised = plan.supervised;
  p.name = plan.name;
  p.exitReason = plan.exitReason;
  p.heapBytes = plan.heapBytes;
  p.heapLast = plan.heapLast;
  p.heapReserved = plan.heapReserved;
  p.reductions = plan.reductions;
  p.hungry = plan.hungry;
  p.unwoundDepth = plan.unwoundDepth;
  return { p, foreign };
}

function refTable(entries: [number, number][]): RefTable {
  const t = new RefTable();
  for (const [ref, pid] of entries) t.set(ref, pid);
  return t;
}

function roundTrip(p: Process, w = new Writer()): { q: Process; bytes: Uint8Array } {
  w.reset();
  writeProcess(w, p);
  const bytes = w.bytes.slice(0, w.len);
  const r = new Reader().on(bytes, 0, bytes.length);
  const q = readProcess(r);
  assert.ok(r.done, "the whole record was read");
  return { q, bytes };
}

/** Compares two values; pointers into `a`'s own memory must map one-to-one to `b`'s blocks. */
class Same {
  readonly blocks = new Map<Block, Block>();
  constructor(
    readonly from: LinearMemory | null,
    readonly to: LinearMemory | null,
  ) {}

  value(a: unknown, b: unknown, where: string): void {
    const todo: [unknown, unknown, string][] = [[a, b, where]];
    while (todo.length) {
      const [x, y, at] = todo.pop()!;
      if (Array.isArray(x)) {
        assert.ok(Array.isArray(y) && y.length === x.length, `${at}: array`);
        assert.notEqual(x, y);
        x.forEach((v, i) => todo.push([v, y[i], `${at}[${i}]`]));
      } else if (x instanceof Pointer || x instanceof Slice) {
        if (x.block.mem !== this.from) {
          assert.ok(y instanceof ForeignHandle, `${at}: a foreign handle`);
          assert.equal(y.text, String(x));
          continue;
        }
        assert.equal(y?.constructor, x.constructor, `${at}: kind`);
        const yy = y as Pointer | Slice;
        assert.equal(yy.offset, x.offset);
        if (x instanceof Slice) assert.equal((yy as Slice).length, x.length);
        this.block(x.block, yy.block, at);
      } else if (x instanceof KError) {
        assert.ok(y instanceof KError && y.message === x.message && y.code === x.code, `${at}: error`);
      } else if (x instanceof ExitNotice) {
        assert.ok(y instanceof ExitNotice && y.process === x.process && y.reason === x.reason && y.ref === x.ref, `${at}: exit`);
      } else if (x instanceof ReplyTo) {
        assert.ok(y instanceof ReplyTo && y !== x && y.pid === x.pid && y.ref === x.ref, `${at}: from`);
      } else assert.ok(Object.is(x, y), `${at}: ${String(x)} came back as ${String(y)}`);
    }
  }

  block(x: Block, y: Block, at: string): void {
    assert.equal(y.mem, this.to, `${at}: the block is in the rebuilt memory`);
    const seen = this.blocks.get(x);
    if (seen !== undefined) assert.equal(y, seen, `${at}: one Block per block`);
    else {
      for (const [k, v] of this.blocks) assert.ok(v !== y || k === x, `${at}: two blocks became one`);
      this.blocks.set(x, y);
    }
    assert.deepEqual([y.id, y.start, y.size, y.live], [x.id, x.start, x.size, x.live], `${at}: block fields`);
  }
}

function mailOf(m: Mailbox): [string, number, [unknown, number][]][] {
  const out: [string, number, [unknown, number][]][] = [];
  m.exportQueues(
    (t, n) => out.push([t, n, []]),
    (v, s) => out[out.length - 1][2].push([v, s]),
  );
  return out;
}

/** Every field of `q` equals `p`'s (`q` read back from `p`'s bytes). */
function assertSame(p: Process, q: Process): Same {
  assert.notEqual(q, p);
  for (const k of ["pid", "fnName", "parent", "sp", "pc", "base", "fp", "status", "hasResume", "resumeReceive", "waitType", "waitSet", "timerSeq", "timedOut", "trapExits", "supervised", "name", "exitReason", "heapBytes", "heapLast", "heapReserved", "reductions", "hungry", "unwoundDepth", "supervisor", "callRef", "callType"] as const) {
    assert.ok(Object.is(q[k], p[k]), `${k}: ${String(p[k])} came back as ${String(q[k])}`);
  }
  assert.equal(q.stack.length, p.stack.length);
  for (let i = p.sp; i < q.stack.length; i++) assert.equal(q.stack[i], null);
  assert.equal(q.frameRet.length, p.frameRet.length);
  assert.equal(q.frameBase.length, p.frameBase.length);
  assert.deepEqual([...q.frameRet.subarray(0, p.fp)], [...p.frameRet.subarray(0, p.fp)]);
  assert.deepEqual([...q.frameBase.subarray(0, p.fp)], [...p.frameBase.subarray(0, p.fp)]);
  assert.deepEqual(q.tries, p.tries);
  if (p.tries.length === 0) assert.equal(q.tries, NO_TRIES);
  assert.deepEqual(q.links, p.links);
  assert.deepEqual(q.monitors, p.monitors);
  assert.deepEqual(q.monitoredBy, p.monitoredBy);
  if (p.sendTimers === null) assert.equal(q.sendTimers, null);
  else {
    // Due times come back as they left (roundTrip moves between two clocks at 0), unarmed.
    const strip = (m: Map<number, { ref: number; to: number; type: string; at: number; seq: number }>) => [...m].map(([k, t]) => [k, t.ref, t.to, t.type, t.at, t.seq]);
    assert.deepEqual(strip(q.sendTimers!), strip(p.sendTimers));
  }
  const pm = p.memory as LinearMemory | null;
  const qm = q.memory as LinearMemory | null;
  if (pm === null) assert.equal(qm, null);
  else {
    assert.ok(qm instanceof LinearMemory && qm !== pm);
    assert.deepEqual(qm.bytes, pm.bytes);
    assert.deepEqual([qm.free, qm.used, qm.count, qm.nextBlockId, qm.cap], [pm.free, pm.used, pm.count, pm.nextBlockId, pm.cap]);
  }
  const same = new Same(pm, qm);
  same.value(p.stack.slice(0, p.sp), q.stack.slice(0, q.sp), "stack");
  same.value(p.resumeValue, q.resumeValue, "resume value");
  same.value(p.resumeFault, q.resumeFault, "resume fault");
  if (p.sendTimers !== null) same.value([...p.sendTimers.values()].map((t) => t.value), [...q.sendTimers!.values()].map((t) => t.value), "timers");
  if (p.mailbox === NO_MAIL) assert.equal(q.mailbox, NO_MAIL);
  else {
    assert.equal(q.mailbox.length, p.mailbox.length);
    assert.equal(q.mailbox.nextSeq, p.mailbox.nextSeq);
    const a = mailOf(p.mailbox);
    const b = mailOf(q.mailbox);
    assert.deepEqual(
      b.map(([t, n, m]) => [t, n, m.map(([, s]) => s)]),
      a.map(([t, n, m]) => [t, n, m.map(([, s]) => s)]),
    );
    same.value(
      a.map(([, , m]) => m.map(([v]) => v)),
      b.map(([, , m]) => m.map(([v]) => v)),
      "mailbox",
    );
  }
  return same;
}

type PlanOf = typeof processPlan extends fc.Arbitrary<infer T> ? T : never;

/** Builds a process from `plan`, moves it through bytes and checks the copy; returns how many blocks its pointers named. */
function checkMove(plan: PlanOf, w: Writer): number {
  const { p } = build(plan);
  const before = (p.memory as LinearMemory | null)?.bytes.slice();
  const { q, bytes } = roundTrip(p, w);
  const same = assertSame(p, q);
  // Written again, the copy gives the same bytes as the original.
  const w2 = new Writer();
  writeProcess(w2, q);
  assert.deepEqual(w2.bytes.subarray(0, w2.len), bytes);
  // Receiving and sending on the copy follows the same order as on the original.
  for (const t of TYPES) {
    const i = p.mailbox.oldestOf(TYPES);
    assert.equal(q.mailbox.oldestOf(TYPES), i);
    if (i >= 0) same.value(p.mailbox.take(TYPES[i]), q.mailbox.take(TYPES[i]), `take ${t}`);
  }
  const pm = p.memory as LinearMemory | null;
  const qm = q.memory as LinearMemory | null;
  for (const [x, y] of same.blocks) {
    if (y.live) {
      if (y.size > 0) {
        // Through the rebuilt memory, not the old one.
        const ptr = new Pointer(y, y.size - 1);
        ptrWriteByte(ptr, 0xab);
        assert.equal(qm!.bytes[y.start + y.size - 1], 0xab);
        assert.equal(ptrReadByte(ptr), 0xab);
        assert.deepEqual(pm!.bytes, before, "the original memory is untouched");
      }
      qm!.freeBlock(y);
      assert.equal(x.live, true);
    }
    assert.throws(
      () => ptrReadByte(new Pointer(y, 0)),
      (e: unknown) => e instanceof Fault && e.error.code === "use_after_free",
    );
  }
  // Both memories hand out the same next block.
  if (pm !== null) {
    for (const [x, y] of same.blocks) if (x.live) pm.freeBlock(x), assert.equal(y.live, false);
    const a = pm.alloc(24);
    const b = qm!.alloc(24);
    assert.deepEqual([b.id, b.start], [a.id, a.start]);
  }
  // A foreign pointer is refused as bad_pointer by every pointer operation.
  const readByte = MEMORY_NATIVES.get("pointer.read_byte")!;
  const sliceLength = MEMORY_NATIVES.get("slice.length")!;
  const ctx = { proc: q } as unknown as SysCtx;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!(v instanceof ForeignHandle)) return;
    const uses = [() => readByte(ctx, [v]), () => sliceLength(ctx, [v]), () => indexSlow(v, 0), () => storeIndexSlow(v, 0, 1)];
    for (const use of uses) assert.throws(use, (e: unknown) => e instanceof Fault && e.error.code === "bad_pointer");
  };
  walk(q.stack.slice(0, q.sp));
  return same.blocks.size;
}

test("a random process comes back with every field equal, its pointers on the rebuilt memory", () => {
  const w = new Writer();
  let blocks = 0;
  fc.assert(
    fc.property(processPlan, (plan) => {
      blocks += checkMove(plan, w);
    }),
    { numRuns: 300, seed: 14 },
  );
  assert.ok(blocks > 200, `pointers to blocks were moved (${blocks})`);
});

test("send_after timers move as what is left of their delays, on the reader's clock", () => {
  const p = new Process(5, "f", 1);
  p.sendTimers = new Map([
    [2 ** 40, { ref: 2 ** 40, to: 7, type: "(from, string)", value: [new ReplyTo(5, 2 ** 41), "x"], at: 1250, seq: 3 }],
    [9, { ref: 9, to: 5, type: "integer", value: 1, at: 990, seq: 4 }],
  ]);
  const w = new Writer();
  writeProcess(w, p, 1000); // left: 250 ms and -10 ms (due already)
  const q = readProcess(new Reader().on(w.bytes, 0, w.len), 40_000);
  assert.deepEqual([...q.sendTimers!.values()].map((t) => [t.ref, t.to, t.type, t.at, t.seq]), [
    [2 ** 40, 7, "(from, string)", 40_250, 0],
    [9, 5, "integer", 39_990, 0],
  ]);
  const v = q.sendTimers!.get(2 ** 40)!.value as unknown[];
  assert.ok(v[0] instanceof ReplyTo && v[0].pid === 5 && v[0].ref === 2 ** 41 && v[1] === "x");
});

test("pointers to one block share one Block after the move; a free through one is seen through all", () => {
  const p = new Process(5, "main", 0);
  const m = new LinearMemory();
  p.memory = m;
  const a = m.alloc(16);
  const gone = m.alloc(8);
  m.freeBlock(gone);
  const p1 = new Pointer(a, 0);
  const p2 = new Pointer(a, 4);
  const s = new Slice(a, 2, 6);
  ptrWriteByte(p2, 42);
  p.stack = [p1, [p2, [s]], new Pointer(gone, 0), null];
  p.sp = 3;
  p.mailbox = new Mailbox();
  p.mailbox.push("pointer", p2);
  p.mailbox.push("slice[byte; 6]", s);
  p.hasResume = true;
  p.resumeValue = s;
  const { q } = roundTrip(p);
  const q1 = q.stack[0] as Pointer;
  const q2 = ((q.stack[1] as unknown[])[0]) as Pointer;
  const qs = ((q.stack[1] as unknown[])[1] as unknown[])[0] as Slice;
  const qm2 = q.mailbox.take("pointer") as Pointer;
  const qms = q.mailbox.take("slice[byte; 6]") as Slice;
  for (const x of [q2, qs, qm2, qms, q.resumeValue as Slice]) assert.equal(x.block, q1.block);
  assert.equal(q1.block.mem, q.memory);
  assert.equal(sliceGet(qs, 2), 42);
  assert.equal(ptrReadByte(qm2), 42);
  assert.throws(() => ptrReadByte(q.stack[2] as Pointer), (e: unknown) => e instanceof Fault && e.error.code === "use_after_free");
  // Free through one: every other pointer sees it freed.
  const free = MEMORY_NATIVES.get("pointer.free")!;
  const ctx = { proc: q } as unknown as SysCtx;
  free(ctx, [q1]);
  assert.throws(() => sliceGet(qms, 0), (e: unknown) => e instanceof Fault && e.error.code === "use_after_free");
  assert.throws(() => free(ctx, [new Pointer(qm2.block, 0)]), (e: unknown) => e instanceof Fault && e.error.code === "double_free");
  assert.equal(a.live, true, "the original block is untouched");
  // The original process's pointers are foreign to the copy.
  assert.throws(() => MEMORY_NATIVES.get("pointer.read_byte")!(ctx, [p1]), (e: unknown) => e instanceof Fault && e.error.code === "bad_pointer");
});

test("what cannot move is refused with a reason, and the writer stays usable", () => {
  const w = new Writer();
  const refused = (p: Process, why: RegExp, walk = false) => {
    assert.equal(canMigrate(p), walk, "canMigrate sees what needs no walk");
    assert.throws(
      () => writeProcess(w.reset(), p),
      (e: unknown) => e instanceof MigrationRefused && why.test(e.message) && e.pid === p.pid,
    );
  };
  const sup = new Process(2, "sup", 1);
  sup.supervisor = { children: [] };
  refused(sup, /supervisor/);
  for (const [s, why] of [
    [Status.Running, /running/],
    [Status.Receiving, /receive/],
    [Status.Parked, /parked/],
    [Status.Dead, /dead/],
  ] as const) {
    const p = new Process(3, "f", 1);
    p.status = s;
    refused(p, why);
  }
  const timed = new Process(4, "f", 1);
  timed.timerSeq = 7;
  refused(timed, /timer/);
  const home = new Process(5, "f", 1);
  home.home = true;
  refused(home, /stays on the embedder's scheduler/);
  const cyclic: unknown[] = [1];
  cyclic.push([cyclic]);
  for (const [bad, why] of [
    [cyclic, /cyclic/],
    [() => 1, /function/],
    [new Map(), /Map/],
    [undefined, /undefined/],
    [Symbol("s"), /symbol/],
    [new HostValue({ name: "counter", send: "copy", print: () => "", size: () => 0, close: () => {} }, { n: 1 }), /a counter \(a value of a host type\) cannot cross threads/],
  ] as const) {
    for (const where of ["stack", "mailbox", "resume"]) {
      const p = new Process(6, "f", 1);
      if (where === "stack") {
        p.stack[0] = 1;
        p.stack[1] = [2, bad];
        p.sp = 2;
      } else if (where === "mailbox") {
        p.mailbox = new Mailbox();
        p.mailbox.push("t", [bad]);
      } else {
        p.hasResume = true;
        p.resumeValue = bad;
      }
      assert.equal(migrationRefusal(p), null, "only a walk finds a bad value");
      refused(p, why, true);
    }
  }
  // After refusals, the same writer writes a good process that reads back.
  const ok = new Process(9, "f", 1);
  ok.memory = new LinearMemory();
  ok.stack[0] = new Pointer((ok.memory as LinearMemory).alloc(4), 0);
  ok.sp = 1;
  const { q } = roundTrip(ok, w);
  assertSame(ok, q);
  // Garbage is refused by the reader, not turned into a process.
  assert.throws(() => readProcess(new Reader().on(new Uint8Array(16), 0, 16)), RangeError);
});

test("every field of a Process is one that process-state.ts moves or refuses on", () => {
  // A field added to Process must be handled in src/threads/process-state.ts (moved, or a
  // reason to refuse the move) and then listed here.
  const moved = ["stack", "sp", "pc", "base", "fp", "frameRet", "frameBase", "tries", "status", "resumeValue", "resumeFault", "hasResume", "resumeReceive", "mailbox", "waitType", "waitSet", "timerSeq", "timedOut", "links", "monitors", "monitoredBy", "callRef", "callType", "sendTimers", "trapExits", "supervised", "name", "exitReason", "supervisor", "heapBytes", "heapLast", "heapReserved", "reductions", "hungry", "unwoundDepth", "memory", "fnName", "pid", "parent", "key0", "key1", "spawns", "rng"];
  // A process that stays on the embedder's thread is refused (home), and only such a process
  // owns host values: these never move.
  moved.push("home", "owned", "hostBytes");
  assert.deepEqual(Object.keys(new Process(1, "f", 0)).sort(), moved.sort());
});

// ── a real program whose main process moves between its slices ──────────────────────────

const PROGRAM = `
fn fib(n: integer) -> integer { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
fn worker(parent: process) {
    loop { let m: integer = vm.receive(); vm.send(parent, m * 2); }
}
fn deep(n: integer, p: pointer) -> integer {
    if (n == 0) { let b: byte = p.read_byte(); let bi: integer = b.into(); return fib(17) + bi; }
    let r: integer = deep(n - 1, p);
    return r + 1;
}
vm.trap_exits(true);
let me: process = vm.self();
let w: process = vm.spawn_link(worker, me);
vm.monitor(w);
vm.send(me, "hello");
vm.send(me, "world");
vm.send(me, 2.5);
let t1: ref = vm.send_after(me, (77, true), 20);
let t2: ref = vm.send_after(me, (88, true), 100000);
let p: pointer = vm.alloc(16);
let q: pointer = vm.alloc(8);
let r: pointer = p.offset(4);
p.write_integer(123456);
q.free();
let s: slice[byte; 4] = p.slice(4);
let words: vector[string] = ["a", "é", "😀"];
let i: integer = 0;
let ib: byte = 0;
let acc: integer = 0;
loop {
    if (i == 40) { break; }
    acc += deep(20, r);
    r.write_byte(ib);
    ib++;
    vm.send(w, i);
    let back: integer = vm.receive();
    acc += back;
    words.push(words[i % 3] + i.into());
    i++;
}
vm.println(acc);
let t: integer = 0;
let k: integer = 0;
loop { if (k == 4) { break; } let sb: byte = s[k]; let si: integer = sb.into(); t += si; k++; }
vm.println(t);
vm.println(p.read_integer());
let h: string = vm.receive();
let wd: string = vm.receive();
let f: float = vm.receive();
vm.println(h + " " + wd + " " + f.into());
vm.println(words[words.length() - 1]);
let big: pointer = vm.alloc(4);
vm.println(q.read_byte(){default: 255});
vm.println(big.read_integer());
vm.kill(w);
let e: exit = vm.receive();
vm.println(e.reason());
vm.println(vm.cancel_timer(t2));
let tv: (integer, bool) = vm.receive();
vm.println(tv);
let none: (integer, bool) = vm.receive(50){default: (-1, false)};
vm.println(none);
vm.println(vm.cancel_timer(t1));
`;

type Moves = { count: number; maxFp: number; maxMail: number; withMemory: number; withResume: number; withTimers: number; bytes: number };

/** Runs PROGRAM; with `move`, main's state goes through bytes into a fresh Process whenever it sits runnable between slices. */
async function runMoving(move: boolean, jit: "off" | "eager"): Promise<{ out: string; moves: Moves }> {
  let out = "";
  const raft = new Raft({ jit, stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
  const c = raft.compile(PROGRAM);
  assert.ok(c.module, JSON.stringify(c.diagnostics));
  const vm = await raft.createVM();
  const moves: Moves = { count: 0, maxFp: 0, maxMail: 0, withMemory: 0, withResume: 0, withTimers: 0, bytes: 0 };
  const w = new Writer();
  const r = new Reader();
  // After every slice (as a scheduler with peers would, between slices): if main is runnable,
  // it moves. The old object stays in the run queue, dead, and is skipped.
  const sched = vm.sched as unknown as { runSlice(p: Process): void };
  const runSlice = sched.runSlice;
  sched.runSlice = function (this: unknown, p: Process) {
    runSlice.call(this, p);
    const m = vm.main;
    if (!move || vm.isStopped || m === null || !canMigrate(m)) return;
    writeProcess(w.reset(), m, vm.now());
    const bytes = w.bytes.slice(0, w.len);
    const q = readProcess(r.on(bytes, 0, bytes.length), vm.now());
    moves.count++;
    moves.bytes = Math.max(moves.bytes, bytes.length);
    moves.maxFp = Math.max(moves.maxFp, m.fp);
    moves.maxMail = Math.max(moves.maxMail, m.mailbox.length);
    if (m.memory !== null) moves.withMemory++;
    if (m.hasResume) moves.withResume++;
    if (m.sendTimers !== null && m.sendTimers.size !== 0) moves.withTimers++;
    vm.servers.dropTimers(m); // as a scheduler that moves a process away does (threads/remote.ts)
    m.status = Status.Dead;
    vm.procs.set(q.pid, q);
    vm.servers.adoptTimers(q);
    vm.main = q;
    vm.sched.makeRunnable(q);
  };
  const o = await vm.run(link(c.module!, raft.natives));
  vm.release();
  assert.equal(o.exitCode, 0, out);
  return { out, moves };
}

for (const jit of ["off", "eager"] as const) {
  test(`a program whose main process moves through bytes between slices prints the same (jit ${jit})`, async () => {
    const plain = await runMoving(false, jit);
    const moved = await runMoving(true, jit);
    assert.equal(moved.out, plain.out);
    assert.equal(plain.out, "66981\n291\n123456\nhello world 2.5\na39\n255\n0\nkilled\ntrue\n(77, true)\n(-1, false)\nfalse\n");
    const m = moved.moves;
    assert.ok(m.count >= 10, `main moved ${m.count} times`);
    assert.ok(m.maxFp >= 10, `moved with frames (fp up to ${m.maxFp})`);
    assert.ok(m.maxMail >= 3, `moved with messages (${m.maxMail})`);
    assert.ok(m.withMemory >= 1 && m.withResume >= 1 && m.withTimers >= 10, JSON.stringify(m));
  });
}

// ── through a real worker thread ────────────────────────────────────────────────────────

test("processes moved to a worker thread and back come back byte for byte", async () => {
  const worker = new Worker(new URL("./helpers/pstate-worker.js", import.meta.url));
  const ask = (job: object, transfer: ArrayBuffer[] = []) =>
    new Promise<{ bytes?: Uint8Array; len?: number; own: number; done: boolean }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage(job, transfer);
    });
  try {
    let own = 0;
    const plans = fc.sample(processPlan, { numRuns: 40, seed: 1414 });
    for (const [i, plan] of plans.entries()) {
      const { p } = build(plan);
      const w = new Writer();
      writeProcess(w, p);
      const bytes = w.bytes.slice(0, w.len);
      let back: Uint8Array;
      if (i % 2 === 0) {
        const copy = bytes.slice();
        const a = await ask({ bytes: copy }, [copy.buffer]);
        assert.equal(copy.length, 0, "the bytes were transferred, not copied");
        assert.ok(a.done);
        back = a.bytes!;
        own += a.own;
      } else {
        const shared = new SharedArrayBuffer(Math.max(bytes.length, 1));
        new Uint8Array(shared).set(bytes);
        const a = await ask({ shared, len: bytes.length });
        assert.ok(a.done);
        back = new Uint8Array(shared, 0, a.len!);
        own += a.own;
      }
      assert.deepEqual(back, bytes);
      // And it reads back here as the original.
      assertSame(p, readProcess(new Reader().on(back, 0, back.length)));
    }
    assert.ok(own > 10, `pointers into the moved memory on the worker (${own})`);
  } finally {
    worker.postMessage("stop");
    await new Promise((resolve) => worker.once("exit", resolve));
  }
});

test("a big process (a megabyte of values, a 100,000-deep value, 10,000 messages) moves without host recursion", () => {
  const p = new Process(8, "big", 1);
  let deep: unknown[] = [1];
  for (let i = 0; i < 100_000; i++) deep = [deep, i];
  p.stack[0] = Array.from({ length: 200_000 }, (_, i) => (i * 7919) | 0);
  p.stack[1] = deep;
  p.sp = 2;
  p.mailbox = new Mailbox();
  for (let i = 0; i < 10_000; i++) p.mailbox.push(i % 3 === 0 ? "string" : "integer", i % 3 === 0 ? `message ${i}` : i);
  const { q, bytes } = roundTrip(p);
  assert.ok(bytes.length > 1_000_000, `${bytes.length} bytes`);
  assert.deepEqual(q.stack[0], p.stack[0]);
  let a = p.stack[1] as unknown[];
  let b = q.stack[1] as unknown[];
  for (let i = 0; i < 100_000; i++) {
    assert.equal(b[1], a[1]);
    a = a[0] as unknown[];
    b = b[0] as unknown[];
  }
  assert.deepEqual(b, [1]);
  assert.equal(q.mailbox.length, 10_000);
  assert.equal(q.mailbox.take("string"), "message 0");
  assert.equal(q.mailbox.take("integer"), 1);
});
