// One Raft process: its operand stack and frames, its mailbox, its links and monitors, and
// what it is waiting for. One monomorphic class — every field is set in the constructor —
// so that V8 keeps one hidden class for all processes, supervisors included.
//
// Frames live in three parallel Int32Arrays (return pc, caller's base, caller's fn) that
// grow by doubling up to the frame cap; a call never allocates once they are big enough.

import { KError, fault, usedError, type HostValue } from "./values.js";
import { C } from "./error-codes.js";
import { NO_MAIL, type Mailbox } from "./mailbox.js";
import { formatPid } from "./print.js";
import type { RefTable } from "./ref-table.js";

export const enum Status {
  Runnable = 0,
  Running = 1,
  /** Waiting in ReceiveMessage / ReceiveTimeout / ReceiveSelect / ReceiveSelectTimeout. */
  Receiving = 2,
  /** Waiting for a host promise (read_file, sleep, get_user_input, an async native). */
  Parked = 3,
  Dead = 4,
}

/** Bytes a new process may allocate before its first measurement (heap.ts). */
const FIRST_HEAP_ALLOWANCE = 4096;

export class Process {
  // Execution state (saved when the process is not running).
  stack: unknown[];
  sp = 0;
  pc = 0;
  base = 0;
  fp = 0;
  /** Return pc and caller base of each frame below the current one (allocated on the first call). */
  frameRet: Int32Array = NO_FRAMES;
  frameBase: Int32Array = NO_FRAMES;
  /** Try regions: flat triples (frame depth, handler pc, stack pointer); shared empty until used. */
  tries: number[] = NO_TRIES;

  status: Status = Status.Runnable;
  /** Value (or fault) to push when a parked process resumes. */
  resumeValue: unknown = null;
  resumeFault: KError | null = null;
  hasResume = false;
  /** The resume value is a message handed to a waiting receive: step past that instruction. */
  resumeReceive = false;

  /** Messages not yet received (the shared empty NO_MAIL until the first one: mailbox.ts). */
  mailbox: Mailbox = NO_MAIL;
  /** Type key a receiving process waits for ("" while it waits in a receive { }). */
  waitType = "";
  /** The type set (its constant index) a process waiting in a receive { } waits for; -1 otherwise. */
  waitSet = -1;
  /** The timer this process waits on — a receive or call timeout, or a sleep — (0 = none; -1 - ms:
   *  a timeout of ms not armed yet, Scheduler.deferTimer); a receive timeout fired. */
  timerSeq = 0;
  timedOut = false;

  /** Linked pids (null until the first link: most processes never link). */
  links: Set<number> | null = null;
  /** Monitors this process holds: ref -> watched pid (null until used). */
  monitors: RefTable | null = null;
  /** Monitors on this process: ref -> watcher pid (null until used). */
  monitoredBy: RefTable | null = null;
  /** The ref of the `vm.call` this process waits in (0 = none), and the reply type it expects (servers.ts). */
  callRef = 0;
  callType = "";
  /** Its pending `vm.send_after` timers by ref (null until the first): servers.ts. */
  sendTimers: Map<number, SendTimer> | null = null;
  trapExits = false;
  /**
   * Started by a supervisor (its parent), which keeps it linked for its whole life: its own
   * `vm.unlink` of that supervisor does nothing (signals.ts), so the supervisor always learns
   * how it ended, on any number of schedulers.
   */
  supervised = false;
  name: string | null = null;
  exitReason = "";
  /** The supervisor state, when this process is a supervisor (run natively, not by bytecode). */
  supervisor: unknown = null;
  /**
   * Heap accounting (heap.ts): bytes allocated since the last measurement, counted up from
   * minus the allowance; past 0 the process is measured. A new process starts with a small
   * allowance, so that one which only receives a few messages is never measured.
   */
  heapBytes = -FIRST_HEAP_ALLOWANCE;
  /** Bytes the last measurement found (charged at spawn, so 0 only before). */
  heapLast = 0;
  /** Bytes of reads in progress (a file, a line of stdin), counted as they arrive (heap.ts). */
  heapReserved = 0;
  /** Linear memory (seed 003 memory types), created on first use. */
  memory: unknown = null;
  /** Reductions used since it started (counted per slice by the scheduler). */
  reductions = 0;
  /** Its last slice used the whole budget (CPU-bound work another scheduler could take). */
  hungry = false;
  /**
   * How many compiled frames its last slice left when the budget ran out inside the second
   * tier (0 otherwise): the scheduler lengthens the next slice in proportion (see
   * Scheduler.sliceFor), so that the switch, which rebuilds those frames, stays a small part
   * of the work.
   */
  unwoundDepth = 0;
  /**
   * Under `--seed`, its random stream (random.ts): the key it was given at spawn, how many
   * processes it has spawned (the index of the next child's key), and the generator's state,
   * made at its first draw. The key's words are int32, as random.ts makes them: V8 keeps an
   * int32 in the field itself, a number above 2^31 in a box of its own (32 bytes a process
   * for the two).
   */
  key0 = 0;
  key1 = 0;
  spawns = 0;
  rng: Int32Array | null = null;
  /**
   * It stays on scheduler 0, the embedder's thread: its code can reach an extension opcode or
   * a host type (Program.home), or it has held a host value (host-types.ts). Never moves.
   */
  home = false;
  /** The host values it owns, closed when it ends (host-types.ts; null until the first). */
  owned: Set<HostValue> | null = null;
  /** What its owned host values say they hold (their `size`), counted toward its heap (heap.ts). */
  hostBytes = 0;
  /** Function this process was started with, for logs and supervisors. */
  readonly fnName: string;

  constructor(
    readonly pid: number,
    fnName: string,
    readonly parent: number,
    stackSize = 16,
  ) {
    this.stack = new Array(stackSize).fill(null);
    this.fnName = fnName;
  }

  get alive(): boolean {
    return this.status !== Status.Dead;
  }
}

/**
 * A pending `vm.send_after` (servers.ts): the message `value` of static type `type` for
 * process `to`, due at `at` (the VM's clock); `seq` is its entry in the scheduler's timer heap.
 * The process that started it holds it (and is charged for it) until it fires or is cancelled;
 * if that process ends first, the timer lives on, held by no process (servers.ts `outlive`).
 */
export interface SendTimer {
  readonly ref: number;
  readonly to: number;
  readonly type: string;
  readonly value: unknown;
  at: number;
  seq: number;
}

const NO_FRAMES = new Int32Array(0);
/** Shared by every process without try regions; TryBegin replaces it before pushing. */
export const NO_TRIES: number[] = [];

/** A pid as Kaylee prints it, `<0.N>` (print.ts). */
export function pidString(pid: number): string {
  return formatPid(pid);
}

/** A process argument of a native: its pid, or the fault of a used error or a non-process. */
export function pidArg(v: unknown): number {
  if (v instanceof KError) throw usedError(v);
  if (typeof v !== "number") throw fault("expected a process", C.bad_code);
  return v;
}
