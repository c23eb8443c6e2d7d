// What crosses threads: the value codec (any value back exactly, refs, reply addresses and
// notices included; no host recursion, cycles refused) and the scheduler inbox (nothing lost,
// nothing duplicated, per-producer order, fragments, a full ring, two threads filling each
// other's rings).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Worker } from "node:worker_threads";
import { Reader, Writer } from "../src/threads/codec.js";
import { Inbox, inboxBuffer } from "../src/threads/inbox.js";
import { valueArbitrary } from "./helpers/value-arbitrary.js";
import { ExitNotice, ReplyTo } from "../src/vm/values.js";

const value = valueArbitrary();

function roundTrip(v: unknown): unknown {
  const w = new Writer();
  w.value(v);
  const r = new Reader().on(w.bytes, 0, w.len);
  const back = r.value();
  assert.ok(r.done, "the reader used every byte");
  return back;
}

test("codec: every value comes back equal, with its class", () => {
  fc.assert(
    fc.property(value, (v) => {
      assert.deepStrictEqual(roundTrip(v), v);
    }),
    { numRuns: 2000 },
  );
});

test("codec: -0, NaN, astral strings and long strings", () => {
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.ok(Number.isNaN(roundTrip(NaN) as number));
  const s = "x\u{1F600}é".repeat(1000);
  assert.equal(roundTrip(s), s);
  assert.deepEqual(roundTrip([s, [s, "ab"]]), [s, [s, "ab"]]);
  // A leading U+FEFF is a character like any other, short or long (a decoder drops it by default).
  for (const b of ["\ufeffx", "\ufeff" + "y".repeat(5000), "\ufeff\ufeff"]) assert.equal(roundTrip(b), b);
});

test("codec: refs past 32 bits, reply addresses and monitor notices come back exactly", () => {
  const from = new ReplyTo(7, 2 ** 40 + 3);
  const back = roundTrip([2 ** 40 + 3, from, new ExitNotice(7, "normal", 2 ** 33), new ExitNotice(8, "killed")]) as unknown[];
  assert.equal(back[0], 2 ** 40 + 3);
  assert.ok(back[1] instanceof ReplyTo && back[1] !== from);
  assert.deepEqual(back[1], from);
  assert.deepEqual(back[2], new ExitNotice(7, "normal", 2 ** 33));
  assert.equal((back[3] as ExitNotice).ref, 0);
});

test("codec: a 200,000-deep value crosses without host recursion; a cycle is refused", () => {
  let deep: unknown[] = [1];
  for (let i = 0; i < 200_000; i++) deep = [deep];
  let back = roundTrip(deep) as unknown[];
  let depth = 0;
  while (Array.isArray(back[0])) {
    back = back[0] as unknown[];
    depth++;
  }
  assert.equal(depth, 200_000);
  assert.deepEqual(back, [1]);
  const cyc: unknown[] = [1, 2];
  cyc.push([cyc]);
  assert.throws(() => new Writer().value(cyc), /cyclic/);
  // The same array twice (not a cycle) is fine: it arrives as two copies.
  const shared = [1, 2];
  assert.deepEqual(roundTrip([shared, shared]), [[1, 2], [1, 2]]);
});

function records(inbox: Inbox): number[][] {
  const out: number[][] = [];
  inbox.drain((b, off, len) => out.push([...b.subarray(off, off + len)]));
  return out;
}

test("inbox: records in order, across the ring's end, and fragments of a record larger than the ring", () => {
  const inbox = new Inbox(inboxBuffer(1024));
  const idle = () => assert.fail("a single thread never waits here");
  for (let round = 0; round < 50; round++) {
    const sent: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const n = (round * 37 + k * 11) % 200;
      const r = Array.from({ length: n }, (_, i) => (i + round + k) & 0xff);
      sent.push(r);
      inbox.push(Uint8Array.from(r), n, idle);
    }
    assert.ok(inbox.pending);
    assert.deepEqual(records(inbox), sent);
    assert.ok(!inbox.pending);
  }
  // A record of 5,000 bytes through a 1 KiB ring: fragments, drained as the producer waits.
  const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
  const got: number[][] = [];
  let waits = 0;
  inbox.push(big, big.length, () => {
    waits++;
    inbox.drain((b, off, len) => got.push([...b.subarray(off, off + len)]));
  });
  inbox.drain((b, off, len) => got.push([...b.subarray(off, off + len)]));
  assert.ok(waits > 0, "the producer waited for room (the premise)");
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], [...big]);
});

test("inbox: a handler that drains again (a push waiting for room) sees each record once, in order", () => {
  // A scheduler handling a record may push to another scheduler; a push that waits for room
  // drains its own inbox meanwhile (hub.ts `hold`). The inner drain must take the records after
  // the current one, once, and the outer one must not hand them over again nor give back room
  // it no longer owns.
  const inbox = new Inbox(inboxBuffer(1024));
  const rec = (k: number) => Uint8Array.from([k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7]);
  const idle = () => assert.fail("a ring with room never waits");
  for (let k = 0; k < 40; k++) inbox.push(rec(k), 8, idle);
  const outer: number[] = [];
  const held: number[] = [];
  let inner = 0;
  inbox.drain((b, off) => {
    outer.push(b[off]);
    if (b[off] === 3) inner = inbox.drain((c, o) => void held.push(c[o]));
    // The record handed over is intact after the inner drain (its room may be reused).
    assert.deepEqual([...b.subarray(off, off + 8)], [...rec(outer[outer.length - 1])]);
  });
  assert.equal(inner, 36, "the premise: the inner drain took the rest");
  assert.deepEqual(outer, [0, 1, 2, 3]);
  assert.deepEqual(held, Array.from({ length: 36 }, (_, i) => i + 4));
  assert.ok(!inbox.pending);
  // The ring is consistent: the next records, wrapping round it several times, come once each.
  const later: number[] = [];
  for (let k = 0; k < 300; k++) {
    inbox.push(rec(k & 0x7f), 8, idle);
    if (k % 50 === 49) inbox.drain((b, off) => void later.push(b[off]));
  }
  inbox.drain((b, off) => void later.push(b[off]));
  assert.deepEqual(later, Array.from({ length: 300 }, (_, k) => k & 0x7f));
});

function runWorker(data: object): Promise<{ id: number; seen: number; ordered: boolean }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./helpers/inbox-worker.js", import.meta.url), { workerData: data });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

test("inbox: one producer thread through a small ring many times over: every record intact, in order", async () => {
  // A lone producer keeps the consumer's position it last read and reads it again only when
  // short of room (inbox.ts): over many laps of a small ring, no record may overwrite one not yet read.
  const buf = inboxBuffer(1024);
  const inbox = new Inbox(buf);
  const count = 30_000;
  const producer = runWorker({ target: buf, own: null, id: 7, count, maxFill: 200 });
  let next = 0;
  const deadline = Date.now() + 60_000;
  while (next < count && Date.now() < deadline) {
    inbox.drain((b, off, len) => {
      const v = new DataView(b.buffer, b.byteOffset + off, len);
      assert.equal(v.getInt32(0, true), 7);
      assert.equal(v.getInt32(4, true), next, "in order");
      for (let k = 8; k < len; k++) assert.equal(b[off + k], (next + k - 8) & 0xff);
      next++;
    });
    if (next < count) inbox.waitSync(5);
  }
  await producer;
  assert.equal(next, count);
});

test("inbox: three producer threads into a small ring: nothing lost or duplicated, each in order", async () => {
  const buf = inboxBuffer(4096);
  const inbox = new Inbox(buf);
  const count = 20_000;
  const producers = [1, 2, 3].map((id) => runWorker({ target: buf, own: null, id, count, maxFill: 300 }));
  const next = new Map<number, number>([[1, 0], [2, 0], [3, 0]]);
  let total = 0;
  const deadline = Date.now() + 60_000;
  while (total < 3 * count && Date.now() < deadline) {
    total += inbox.drain((b, off, len) => {
      const v = new DataView(b.buffer, b.byteOffset + off, len);
      const id = v.getInt32(0, true);
      const seq = v.getInt32(4, true);
      assert.equal(seq, next.get(id), `producer ${id} in order`);
      next.set(id, seq + 1);
      for (let k = 8; k < len; k++) assert.equal(b[off + k], (seq + k - 8) & 0xff);
    });
    if (total < 3 * count) inbox.waitSync(5);
  }
  await Promise.all(producers);
  assert.equal(total, 3 * count);
  assert.deepEqual([...next.values()], [count, count, count]);
});

test("inbox: two threads each filling the other's small ring both finish", async () => {
  const a = inboxBuffer(1024);
  const b = inboxBuffer(1024);
  const [ra, rb] = await Promise.all([
    runWorker({ target: b, own: a, id: 1, count: 5000, maxFill: 200 }),
    runWorker({ target: a, own: b, id: 2, count: 5000, maxFill: 200 }),
  ]);
  assert.deepEqual([ra.seen, ra.ordered, rb.seen, rb.ordered], [5000, true, 5000, true]);
});
