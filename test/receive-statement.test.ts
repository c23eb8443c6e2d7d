// The receive { } statement against a model of Erlang's multi-clause receive: random
// interleavings of sends (to self, of five types) and receives over random subsets of those
// types, in random arm order, must take exactly the message the model says — the oldest of
// any arm's type — and leave the rest queued in order. (Its cost, one queue head per arm, is
// measured in mailbox.test.ts.)

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Raft } from "../src/raft.js";

/** The message types, how a message of each is written (from its sequence number) and printed. */
const TYPES = [
  { type: "integer", make: (k: number) => `${k}`, show: (v: string) => `${v}.into()`, print: (k: number) => `${k}` },
  { type: "string", make: (k: number) => `"s${k}"`, show: (v: string) => v, print: (k: number) => `s${k}` },
  { type: "float", make: (k: number) => `${k}.5`, show: (v: string) => `${v}.into()`, print: (k: number) => `${k}.5` },
  { type: "(integer, string)", make: (k: number) => `(${k}, "t")`, show: (v: string) => `${v}.0.into() + ${v}.1`, print: (k: number) => `${k}t` },
  { type: "vector[integer]", make: (k: number) => `[${k}]`, show: (v: string) => `${v}[0].into() + "v"`, print: (k: number) => `${k}v` },
];

type Op = { send: number } | { arms: number[] };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    fc.record({ send: fc.nat(TYPES.length - 1) }),
    fc.record({ arms: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 }) }),
  ),
  { minLength: 1, maxLength: 40 },
);

/** The program for `plan`, and what it must print: each receive prints "arm: message" or "none". */
function build(plan: Op[]): { src: string; want: string } {
  const lines = ["let me: process = vm.self();"];
  const want: string[] = [];
  const queue: { t: number; k: number }[] = [];
  let seq = 0;
  for (const op of plan) {
    if ("send" in op) {
      lines.push(`vm.send(me, ${TYPES[op.send].make(seq)});`);
      queue.push({ t: op.send, k: seq++ });
      continue;
    }
    const arms = op.arms.map((t, i) => `    m${i}: ${TYPES[t].type} => { vm.println("${i}: " + ${TYPES[t].show(`m${i}`)}); }`);
    lines.push("receive {", ...arms, '    after 0 => { vm.println("none"); }', "}");
    const at = queue.findIndex((m) => op.arms.includes(m.t));
    if (at < 0) want.push("none");
    else {
      const [m] = queue.splice(at, 1);
      want.push(`${op.arms.indexOf(m.t)}: ${TYPES[m.t].print(m.k)}`);
    }
  }
  // What is left comes out in arrival order too (`continue` and `break` in arms).
  const drain = ["loop {", "receive {", ...TYPES.map((t, i) => `    m${i}: ${t.type} => { vm.println("${i}: " + ${t.show(`m${i}`)}); continue; }`), "    after 0 => { break; }", "}", "}"];
  for (const m of queue) want.push(`${m.t}: ${TYPES[m.t].print(m.k)}`);
  return { src: [...lines, ...drain].join("\n") + "\n", want: want.map((l) => l + "\n").join("") };
}

test("property: receive { } takes the oldest message of any arm's type, as the model says", async () => {
  await fc.assert(
    fc.asyncProperty(ops, async (plan) => {
      const { src, want } = build(plan);
      let out = "";
      const r = await new Raft({ stdout: (s) => (out += s), stderr: (s) => (out += s), schedulers: 1 }).run(src, { file: "select.kl" });
      assert.equal(r.exitCode, 0, out + "\n" + src);
      assert.equal(out, want, src);
    }),
    { numRuns: 60 },
  );
});
