// Receiving in the second tier (src/vm/jit.ts, "Receiving"): a server loop that waits for
// every request is compiled, leaves compiled code at each wait and is entered again at its
// receive — the premise, checked on the program's own tables and by counting the entries —
// and both tiers count the same reductions and print the same under a seed on one scheduler.
// (What the programs do is in test/programs/receive, run in every mode by programs.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Raft } from "../src/raft.js";
import { Op } from "../src/bytecode/opcodes.js";
import { link, type JitEntry, type Program } from "../src/vm/program.js";
import { SIZE } from "../src/bytecode/opcodes.js";

/** Code indices of function `name`'s instructions with opcode `op`. */
function pcsOf(prog: Program, name: string, op: number): number[] {
  const f = prog.module.functions.findIndex((fn) => fn.name === name);
  assert.ok(f >= 0, `function ${name}`);
  const out: number[] = [];
  for (let pc = prog.fnEntry[f]; pc < prog.fnEnd[f]; pc += SIZE[prog.code[pc]]) if (prog.code[pc] === op) out.push(pc);
  return out;
}

/**
 * Runs `src` on one scheduler with the loop nests compiled around receives counted: how often
 * the interpreter entered each one at a receive, and how often it left to wait (~pc).
 */
async function counted(src: string, jit: "on" | "eager"): Promise<{ out: string; prog: Program; entries: number; waits: number }> {
  let out = "";
  const raft = new Raft({ jit, schedulers: 1, seed: 3, cache: false, stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
  const c = raft.compile(src, "server.kl");
  assert.ok(c.module, JSON.stringify(c.diagnostics));
  const prog = link(c.module!, raft.natives);
  let entries = 0;
  let waits = 0;
  const table = prog.jitAtWait;
  const set = table.set.bind(table);
  // Each nest registered at its receives is wrapped once, where it is registered.
  const wrapped = new Map<JitEntry, JitEntry>();
  table.set = (pc: number, e: JitEntry) => {
    let w = wrapped.get(e);
    if (w === undefined) {
      w = (vm, p, blk, frame, o) => {
        entries++;
        const r = e(vm, p, blk, frame, o);
        if (typeof r === "number" && r < 0) waits++;
        return r;
      };
      wrapped.set(e, w);
    }
    return set(pc, w);
  };
  const vm = await raft.createVM();
  const o = await vm.run(prog);
  vm.release();
  assert.equal(o.exitCode, 0, out);
  return { out, prog, entries, waits };
}

const SERVER = `
fn server(n: integer) {
    let state: vector[integer] = [0, 0, 0, 0];
    let i: integer = 0;
    loop {
        let m: (process, string) = vm.receive();
        let parts: vector[string] = m.1.split(" ");
        let k: integer = parts[0].into(){panic};
        let v: integer = parts[1].into(){panic};
        state[k] = (state[k] + v) % 1000003;
        vm.send(m.0, state[k]);
        i++;
        if (i == n) { break; }
    }
}
let n: integer = 2000;
let s: process = vm.spawn(server, n);
let i: integer = 0;
let sum: integer = 0;
loop {
    if (i == n) { break; }
    vm.send(s, (vm.self(), (i % 4).into() + " " + i.into()));
    let r: integer = vm.receive();
    sum = (sum + r) % 1000003;
    i++;
}
vm.println(sum);
`;

for (const jit of ["on", "eager"] as const) {
  test(`a server loop that waits for every request runs in compiled code between its waits (jit ${jit})`, async () => {
    const { out, prog, entries, waits } = await counted(SERVER, jit);
    assert.equal(out, "82498\n");
    // The premise: the server's receive belongs to a compiled loop nest...
    const [recv] = pcsOf(prog, "server", Op.ReceiveMessage);
    assert.ok(prog.jitAtWait.has(recv), "the loop around the server's receive is compiled");
    // ... which its process left at (nearly) every wait and entered again at the receive
    // when the next request came: the parsing, the state and the reply ran compiled.
    const hot = jit === "eager" ? 1 : 40;
    assert.ok(waits >= 2000 - hot, `${waits} waits left compiled code`);
    assert.ok(entries >= 2000 - hot, `${entries} entries at the receive`);
    // The client's loop, which also receives, too.
    const [mainRecv] = pcsOf(prog, "main", Op.ReceiveMessage);
    assert.ok(prog.jitAtWait.has(mainRecv), "main's loop around its receive is compiled");
  });
}

test("a loop that waits in vm.call runs in compiled code between its calls", async () => {
  const src = readFileSync("bench/call.kl", "utf8").replace("let args: vector[string] = vm.args();\nlet n: integer = args[0].into(){panic};", "let n: integer = 3000;");
  const { out, prog, entries, waits } = await counted(src, "on");
  assert.equal(out, "3000\n");
  // The client's loop and the server's are compiled; each waits at nearly every turn.
  const [call] = pcsOf(prog, "main", Op.CallNativeTyped).filter((pc) => prog.nativeNames[prog.code[pc + 1]] === "vm.call");
  assert.ok(prog.jitAtWait.has(call + SIZE[Op.CallNativeTyped]), "main's loop is compiled, entered again after its call");
  const [recv] = pcsOf(prog, "server", Op.ReceiveMessage);
  assert.ok(prog.jitAtWait.has(recv), "the server's loop is compiled");
  assert.ok(waits >= 2 * (3000 - 40), `${waits} waits left compiled code`);
  assert.ok(entries >= 2 * (3000 - 40), `${entries} entries where they waited`);
});

test("a function that receives, called hot, is compiled whole and waits from compiled frames", async () => {
  const src = readFileSync("test/programs/receive/receive_in_callee.kl", "utf8");
  const { out, prog } = await counted(src, "on");
  assert.equal(out, "532444\n");
  const f = prog.module.functions.findIndex((fn) => fn.name === "wait_for");
  assert.notEqual(prog.jit[f], null, "wait_for is compiled");
  assert.equal(prog.jitState[f], 1);
});

/** Output and reductions of `src` run on one scheduler under a seed, in tier `jit`. */
async function seeded(src: string, file: string, jit: "off" | "on" | "eager", args: string[] = []): Promise<{ out: string; reductions: number; messages: number }> {
  let out = "";
  const raft = new Raft({ jit, schedulers: 1, seed: 11, cache: false, args, stdout: (s) => void (out += s), stderr: () => {} });
  const r = await raft.run(src, { file });
  assert.equal(r.exitCode, 0, out);
  return { out, reductions: r.stats.reductions, messages: r.stats.messages };
}

test("both tiers print the same and count the same reductions for programs that receive (--schedulers=1 --seed)", async () => {
  const programs: [string, string[]][] = [
    ["test/programs/receive/server_waits_compiled.kl", []],
    ["test/programs/receive/receive_in_callee.kl", []],
    ["test/programs/receive/calls_and_exits_compiled.kl", []],
    ["test/programs/servers/server_loop_compiled.kl", []],
    ["bench/server.kl", ["20000"]],
    ["bench/call.kl", ["3000"]],
    ["bench/ring.kl", ["100", "20"]],
  ];
  for (const [file, args] of programs) {
    const src = readFileSync(file, "utf8");
    const off = await seeded(src, file, "off", args);
    for (const jit of ["on", "eager"] as const) {
      const r = await seeded(src, file, jit, args);
      assert.equal(r.out, off.out, `${file}: output (jit ${jit})`);
      assert.equal(r.reductions, off.reductions, `${file}: reductions (jit ${jit})`);
      assert.equal(r.messages, off.messages, `${file}: messages (jit ${jit})`);
    }
    // And the same run again.
    assert.deepEqual(await seeded(src, file, "on", args), await seeded(src, file, "on", args), `${file}: run twice`);
  }
});
