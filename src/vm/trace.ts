// Tracing one process's every instruction (`RAFT_LOG=trace:<0.N>`, or every process's with
// `trace`), at no cost to the others: the scheduler asks once a slice whether the process is
// traced (Logger.traces) and runs a traced one here instead of straight in the interpreter.
//
// The interpreter's loop has no check of its own for this. A traced process runs over a copy
// of the program whose code holds TRACE_STEP at every instruction start: before each step the
// real opcode is put back at the one instruction to run, so the loop runs exactly that one and
// stops at the next instruction start, whatever the control flow (a jump, a call, a return, a
// fault's handler). Each step logs `TRACE <0.N> fn line:col Mnemonic operands | stack [...]`
// (the frame's operand stack before it, its top values).
// The copy never compiles (it has no second tier), so the trace sees every instruction.

import { OPCODES, Op } from "../bytecode/opcodes.js";
import { mnemonicOf } from "../bytecode/encoding.js";
import { operandTexts } from "../bytecode/disasm.js";
import { Exec, TRACE_STEP, execute } from "./interpreter.js";
import { formatAny } from "./print.js";
import { Program } from "./program.js";
import { pidString, type Process } from "./process.js";
import type { VMCore } from "./vm-core.js";

/** The traced copy of each program (made when a process of it is first traced). */
const copies = new WeakMap<Program, Program>();

function tracedCopy(prog: Program): Program {
  let t = copies.get(prog);
  if (t !== undefined) return t;
  const code = prog.code.slice();
  for (let pc = 0; pc < code.length; pc += 1 + OPCODES[prog.code[pc]].operands.length) code[pc] = TRACE_STEP;
  // No depths: the second tier stays off for the copy (Program.pcDepth).
  t = new Program(prog.module, code, prog.fnEntry, prog.fnParams, prog.fnLocals, prog.fnMaxStack, prog.consts, prog.natives, prog.nativeNames, prog.pcOffset, prog.pcFn);
  t.extSites = prog.extSites;
  t.home = prog.home;
  t.jitState.fill(2);
  copies.set(prog, t);
  return t;
}

/** Values of the current frame's operand stack shown in a trace line (the top ones). */
const SHOWN = 4;

/** One instruction of `p` as a trace line. */
function describe(prog: Program, p: Process, pc: number): string {
  const op = prog.code[pc];
  const info = OPCODES[op];
  // An extension opcode's use is written as the module has it (its site keeps that).
  const operands = op === Op.Ext ? prog.extSites[prog.code[pc + 1]].encoded : Array.from(prog.code.subarray(pc + 1, pc + 1 + info.operands.length));
  const parts = operandTexts(prog.module, op, operands, (v) => `@L${prog.pcOffset[v]}`, (v) => prog.nativeNames[v] ?? "?");
  const w = prog.where(pc);
  const bottom = p.base + prog.fnLocals[prog.pcFn[pc]];
  const values: string[] = [];
  for (let i = Math.max(bottom, p.sp - SHOWN); i < p.sp; i++) values.push(formatAny(p.stack[i], true, 64));
  if (p.sp - bottom > SHOWN) values.unshift("...");
  return `${pidString(p.pid)} ${w.fn} ${w.line}:${w.col} ${[mnemonicOf(prog.module, op, operands), ...parts].join(" ")} | stack [${values.join(", ")}]`;
}

/** Instructions a traced process runs before it yields (a slice; its reductions may not end it). */
const STEPS = 4000;

/** Runs a slice of traced process `p` one instruction at a time, logging each. */
export function executeTraced(vm: VMCore, p: Process): Exec {
  const prog = vm.program;
  const t = tracedCopy(prog);
  for (let n = 0; n < STEPS; n++) {
    const pc = p.pc;
    vm.log.log("trace", describe(prog, p, pc));
    t.code[pc] = prog.code[pc];
    let r: Exec;
    try {
      r = execute(vm, p, t);
    } finally {
      t.code[pc] = TRACE_STEP;
    }
    if (r !== Exec.Step) return r;
  }
  return Exec.Yield;
}
