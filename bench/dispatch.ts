// `node dist/bench/dispatch.js`: what one bytecode dispatch costs in V8 on this machine, the
// floor under any interpreter written in JavaScript as a `switch` over an Int32Array.
//
// It builds (with `new Function`) a dispatch loop like the interpreter's: a `switch` over
// `code[pc]` with 150 cases (as many as Raft's opcode table), run over code made only of
// one cheap instruction (add an operand to an accumulator), and times it beside a plain loop
// doing the same work without dispatch. The difference is the price of a dispatch alone.
// Lua 5.4's cost per instruction for the counting loop is printed beside it when `lua5.4` is
// on PATH (its loop body is 4 instructions: MULK, ADD, MODK, FORLOOP).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const CASES = 150;
const N = 100_000_000;

type Loop = (code: Int32Array, n: number, count: number) => number;

/** A dispatch loop whose case `hot` is the instruction the code is made of. */
function dispatchLoop(hot: number): Loop {
  let cases = "";
  for (let i = 0; i < CASES; i++) {
    cases +=
      i === hot
        ? `case ${i}: acc = (acc + code[pc + 1]) | 0; pc += 2; if (pc >= n) pc = 0; count--; break;\n`
        : `case ${i}: acc = (acc ^ ${i}) | 0; pc += 1; break;\n`;
  }
  return new Function("code", "n", "count", `let pc = 0, acc = 0; for (;;) { if (count <= 0) return acc; switch (code[pc]) {\n${cases}} }`) as Loop;
}

/** The same work without a dispatch. */
const plainLoop: Loop = (code, n, count) => {
  let pc = 0;
  let acc = 0;
  while (count-- > 0) {
    acc = (acc + code[pc + 1]) | 0;
    pc += 2;
    if (pc >= n) pc = 0;
  }
  return acc;
};

function nsPer(f: Loop, code: Int32Array): number {
  f(code, code.length, 1_000_000); // warm up
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    f(code, code.length, N);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return (times[1] * 1e6) / N;
}

function luaPerInstruction(): number | null {
  if (spawnSync("sh", ["-c", "command -v lua5.4"]).status !== 0) return null;
  const file = fileURLToPath(new URL("../../bench/peers/loop.lua", import.meta.url));
  const r = spawnSync("lua5.4", [file, "30000000"], { encoding: "utf8" });
  const ms = /@@ms ([\d.]+)/.exec(r.stdout);
  return ms ? (Number(ms[1]) * 1e6) / 30_000_000 / 4 : null;
}

const hot = 75;
const code = new Int32Array(1000);
for (let i = 0; i < code.length; i += 2) {
  code[i] = hot;
  code[i + 1] = 1;
}
const plain = nsPer(plainLoop, code);
const switched = nsPer(dispatchLoop(hot), code);
console.log(`plain loop:            ${plain.toFixed(2)} ns an iteration`);
console.log(`switch dispatch loop:  ${switched.toFixed(2)} ns an instruction (${CASES} cases)`);
console.log(`a dispatch alone:      ${(switched - plain).toFixed(2)} ns`);
const lua = luaPerInstruction();
if (lua !== null) console.log(`Lua 5.4, counting loop: ${lua.toFixed(2)} ns an instruction (whole instruction, work included)`);
