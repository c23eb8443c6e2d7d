// Mailboxes: per-type queues in arrival order, the oldest of several types, and the cost of
// a receive, counted in queue heads examined (mailboxStats), not in wall-clock time: taking
// a message of one type (or of any of a receive { }'s types) costs the same however many
// messages of other types are queued.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Mailbox, NONE, mailboxStats } from "../src/vm/mailbox.js";
import { Raft } from "../src/raft.js";

test("messages of one type come out in arrival order; other types stay queued", () => {
  const m = new Mailbox();
  for (let i = 0; i < 100; i++) m.push(i % 3 === 0 ? "string" : "integer", i);
  assert.equal(m.length, 100);
  const strings: unknown[] = [];
  for (let v = m.take("string"); v !== NONE; v = m.take("string")) strings.push(v);
  assert.deepEqual(strings, Array.from({ length: 34 }, (_, k) => k * 3));
  const ints: unknown[] = [];
  for (let v = m.take("integer"); v !== NONE; v = m.take("integer")) ints.push(v);
  assert.deepEqual(ints, Array.from({ length: 100 }, (_, k) => k).filter((k) => k % 3 !== 0));
  assert.equal(m.length, 0);
  assert.equal(m.take("float"), NONE);
});

test("oldestOf: the type whose head arrived first, across any number of types", () => {
  const m = new Mailbox();
  m.push("a", 1);
  m.push("b", 2);
  m.push("c", 3);
  m.push("a", 4);
  const order: unknown[] = [];
  const types = ["c", "a", "b"];
  for (let i = m.oldestOf(types); i >= 0; i = m.oldestOf(types)) order.push(m.take(types[i]));
  assert.deepEqual(order, [1, 2, 3, 4]);
  assert.equal(m.oldestOf(["x"]), -1);
});

test("a queue that grew to a burst wraps around and gives its room back", () => {
  const m = new Mailbox();
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 37; i++) m.push("integer", next++);
    for (let i = 0; i < 29; i++) assert.equal(m.take("integer"), expect++);
  }
  let seen = 0;
  m.forEachValue(() => seen++);
  assert.equal(seen, m.length);
  while (m.length) assert.equal(m.take("integer"), expect++);
  assert.equal(expect, next);
});

/**
 * Runs `body` after main has queued 1,000,000 integers to itself; what it printed, its exit
 * code, and how many queue heads the mailboxes examined meanwhile.
 */
async function withMillionQueued(body: string): Promise<{ out: string; exitCode: number; examined: number }> {
  let out = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (out += s), schedulers: 1 });
  const before = mailboxStats.examined;
  const r = await raft.run(`
let me: process = vm.self();
let i: integer = 0;
loop { if (i == 1000000) { break; } me.send(i); i++; }
${body}`);
  return { out, exitCode: r.exitCode, examined: mailboxStats.examined - before };
}

test("receiving a type costs the same with 1,000,000 messages of another type queued ahead", async () => {
  // 2,000 times main sends itself a string and receives it, then takes the integers back in order.
  const { out, exitCode, examined } = await withMillionQueued(`
let k: integer = 0;
loop {
    if (k == 2000) { break; }
    me.send("s" + k.into());
    let s: string = vm.receive();
    if (s != "s" + k.into()) { vm.println("wrong string " + s); }
    k++;
}
let j: integer = 0;
loop {
    if (j == 1000000) { break; }
    let v: integer = vm.receive();
    if (v != j) { vm.println("out of order"); break; }
    j++;
}
vm.println(j);
`);
  assert.equal(exitCode, 0, out);
  assert.equal(out, "1000000\n");
  // One queue head per receive (2,000 strings + 1,000,000 integers), never a scan of the
  // integers queued ahead of each string.
  assert.ok(examined <= 1_002_000 + 10, `examined ${examined} queue entries`);
});

test("a receive { } costs one queue head per arm with 1,000,000 messages of another type queued ahead", async () => {
  const { out, exitCode, examined } = await withMillionQueued(`
let k: integer = 0;
let wrong: integer = 0;
loop {
    if (k == 2000) { break; }
    if (k % 2 == 0) { me.send("s" + k.into()); } else { me.send(k % 3 == 0); }
    receive {
        s: string => { if (s != "s" + k.into()) { wrong++; } }
        b: bool => { if (b != (k % 3 == 0)) { wrong++; } }
        f: float => { wrong++; }
    }
    k++;
}
vm.println(wrong);
let first: integer = vm.receive();
vm.println(first);
`);
  assert.equal(exitCode, 0, out);
  assert.equal(out, "0\n0\n");
  // Three heads per receive (one per arm) and a take: never a look at the integers.
  assert.ok(examined <= 2000 * 4 + 10, `examined ${examined} queue entries`);
});
