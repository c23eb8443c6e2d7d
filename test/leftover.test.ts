// What an assembly program leaves on its stack prints as Kaylee prints it: the types are read
// off the code (bytecode/stack-types.ts), as far as it says them, and by the values' shapes past that.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft, formatLeftover } from "../src/raft.js";

async function left(src: string): Promise<string> {
  const r = await new Raft({ stdout: () => {} }).run(src, { file: "left.raft" });
  assert.equal(r.exitCode, 0, JSON.stringify(r.panic ?? r.diagnostics));
  assert.equal(r.leftoverTypes.length, r.leftover.length);
  return formatLeftover(r.leftover, r.leftoverTypes);
}

test("the seed's 1 2 + prints 3; a float constant prints with its point, a pid as <0.N>", async () => {
  assert.equal(await left("# push 1 and 2 on the stack and add them\n1 2 +\n"), "3\n");
  assert.equal(await left("PushConst #3.0\nSelf\nPushConst #-0.0\nPushConst #1e20\n"), "3.0\n<0.1>\n-0.0\n1.0e20\n");
  // Without the types, by shape: what the printout was before.
  const r = await new Raft({ stdout: () => {} }).run("PushConst #3.0\nSelf\n", { file: "left.raft" });
  assert.equal(formatLeftover(r.leftover), "3\n1\n");
});

test("types follow values through locals, Dup and Swap, and the frame's return", async () => {
  assert.equal(await left("fn main locals=2\n  PushConst #2.0\n  Store $0\n  Self\n  Load $0\n  Swap\n  Dup\n  Copy $1 $0\n  Load $1\n  Halt\n"), "2.0\n<0.1>\n<0.1>\n2.0\n");
  assert.equal(await left("fn main locals=1\n  Copy $0 #4.0\n  ReturnLocal $0\n"), "4.0\n");
});

test("where two paths leave different types, the value prints by its shape", async () => {
  const src = (cond: string) => `fn main locals=0
    ${cond}
    JumpIfFalse @int
    PushConst #2.0
    Jump @done
  int:
    PushInt 2
  done:
    PushConst #5.0
    Halt
`;
  // The first value may be a float or an integer: printed as what it is (2); the second is a float.
  assert.equal(await left(src("PushTrue")), "2\n5.0\n");
  assert.equal(await left(src("PushFalse")), "2\n5.0\n");
});

test("the pass is bounded: a huge function still halts at once, its values printed by shape", async () => {
  const body = Array.from({ length: 200 }, () => "  PushConst #1.5\n  Pop\n").join("");
  assert.equal(await left(`fn main locals=65535\n${body}  PushConst #3.0\n  Halt\n`), "3\n");
  assert.equal(await left(`fn main locals=4\n${body}  PushConst #3.0\n  Halt\n`), "3.0\n");
});
