// Introspection: what a running VM looks like from outside — each process's status, mailbox
// length, memory, reductions, current function, links, monitors, first messages and stack
// trace; each supervisor's strategy, restart counts and children. One implementation for
// every reader: the observer (src/observe/) and the REPL's `:ps`, `:tree`, `:info` (through
// the census, census.ts, which merges the rows that every scheduler of a run makes here:
// threads/survey.ts), and the language's `p.status()`, `p.mailbox_length()` ...
// (`askAbout`; for a process on another scheduler, that scheduler answers with
// `answerAbout`), `vm.processes()`.
//
// Every read is bounded: a row is O(1); the detail of one process reads at most a few
// messages, links and monitors, and a supervisor's state at most SUP_CHILDREN_MAX children.
// The language's reads that grow with the data (a process's links, every live process, its
// memory's measure) charge the caller reductions in proportion. Nothing here recurses on the
// host stack or changes the VM.
//
// The VM's internals are read only through the small accessors in the first section
// (mailbox, counters, the process table), so that a change of the VM's data structures is
// adapted here in one place.

import type { Process } from "./process.js";
import { Status, pidString } from "./process.js";
import type { TraceFrame, VMCore } from "./vm-core.js";
import { SupState } from "./supervisor.js";
import { formatNested } from "./print.js";
import { parseTypeKey, type Type } from "../bytecode/types.js";
import { memoryReport } from "./heap.js";
import { Question } from "../threads/protocol.js";
import { KError } from "./values.js";
import { C } from "./error-codes.js";

// ── accessors: the only places that know the VM's data structures ─────────────────────

/** Calls `f` for every live process of this scheduler, in pid order. */
export function forEachProcess(vm: VMCore, f: (p: Process) => void): void {
  vm.procs.forEach(f);
}

/** Calls `f` for this scheduler's live processes from pid `from` on, in pid order, until it returns false. */
export function forEachProcessFrom(vm: VMCore, from: number, f: (p: Process) => boolean): void {
  vm.procs.forEachFrom(from, f);
}

/** The scheduler this VM is (0 for a run on one). */
export function schedulerOf(vm: VMCore): number {
  return vm.remote === null ? 0 : vm.remote.self;
}

export function processOf(vm: VMCore, pid: number): Process | undefined {
  return vm.procs.get(pid);
}

export function mailboxLength(p: Process): number {
  return p.mailbox.length;
}

/** The oldest `n` messages of `p`'s mailbox, in arrival order: their type keys and values. */
export function mailboxPeek(p: Process, n: number): { type: string; value: unknown }[] {
  return p.mailbox.peek(n);
}

/** The run's running totals since it started: on several schedulers, every scheduler's. */
export function vmCounters(vm: VMCore): { reductions: number; messages: number; spawned: number } {
  if (vm.remote !== null) return vm.remote.runCounters();
  const s = vm.stats();
  return { reductions: s.reductions, messages: s.messages, spawned: s.processes };
}

/** Bytes the heap accounting last measured for `p` (a never-measured process: its stack's size). */
export function memoryOf(p: Process): number {
  return p.heapLast > 0 ? p.heapLast : 16 + 8 * p.stack.length;
}

// ── processes ───────────────────────────────────────────────────────────────────────────

export type ProcStatus = "running" | "runnable" | "waiting" | "sleeping" | "parked" | "dead";

export function statusOf(p: Process): ProcStatus {
  switch (p.status) {
    case Status.Running:
      return "running";
    case Status.Runnable:
      return "runnable";
    case Status.Receiving:
      return "waiting";
    case Status.Parked:
      // vm.sleep parks the process on a timer of its own (scheduler.ts); a host call has none.
      return p.timerSeq !== 0 ? "sleeping" : "parked";
    default:
      return "dead";
  }
}

/** The function `p` is in now (where it will resume), or "supervisor" for a supervisor. */
export function currentFunction(vm: VMCore, p: Process): string {
  if (p.supervisor !== null) return "supervisor";
  const prog = vm.program;
  const fi = prog.pcFn[p.pc];
  return fi === undefined ? p.fnName : prog.fnName(fi);
}

/** One row of a process list: everything here is O(1) to read. */
export interface ProcessRow {
  pid: number;
  /** Registered name, or "" for none. */
  name: string;
  status: ProcStatus;
  mailbox: number;
  memory: number;
  /** Reductions the process has used since it started. */
  reductions: number;
  /** Function it is in now. */
  fn: string;
  /** Function it was started with. */
  started: string;
  /** Scheduler it runs on (0 for a run on one scheduler). */
  scheduler: number;
  supervisor: boolean;
  parent: number;
}

export function processRow(vm: VMCore, p: Process): ProcessRow {
  return {
    pid: p.pid,
    name: p.name ?? "",
    status: statusOf(p),
    mailbox: mailboxLength(p),
    memory: memoryOf(p),
    reductions: p.reductions,
    fn: currentFunction(vm, p),
    started: p.fnName,
    scheduler: schedulerOf(vm),
    supervisor: p.supervisor !== null,
    parent: p.parent,
  };
}

/** Most entries of a list (links, monitors) one detail reads. */
export const DETAIL_LIST_MAX = 200;
/** Mailbox messages one detail prints, and the characters of each. */
export const DETAIL_MESSAGES = 5;
export const MESSAGE_CHARS = 300;

export interface ProcessDetail extends ProcessRow {
  links: number[];
  /** Processes this one monitors. */
  monitors: number[];
  /** Processes monitoring this one. */
  monitoredBy: number[];
  trapExits: boolean;
  /** The first messages, printed as Kaylee prints them. */
  messages: string[];
  trace: TraceFrame[];
  /** For a supervisor: its state. */
  sup: SupervisorInfo | null;
}

/** Everything about one live process, or null when `pid` is not alive. */
export function processDetail(vm: VMCore, pid: number): ProcessDetail | null {
  const p = processOf(vm, pid);
  if (!p) return null;
  return {
    ...processRow(vm, p),
    links: firstOf(p.links?.values()),
    monitors: firstOf(p.monitors?.values()),
    monitoredBy: firstOf(p.monitoredBy?.values()),
    trapExits: p.trapExits,
    messages: mailboxPeek(p, DETAIL_MESSAGES).map(printMessage),
    trace: p.supervisor !== null ? [] : vm.traceOf(p, p.pc),
    sup: supervisorOf(vm, p),
  };
}

function firstOf(it: Iterator<number> | undefined): number[] {
  const out: number[] = [];
  if (!it) return out;
  for (let r = it.next(); !r.done && out.length < DETAIL_LIST_MAX; r = it.next()) out.push(r.value);
  return out;
}

const typeCache = new Map<string, Type>();
/** Printed messages by value (a collection is printed once, however many snapshots show it; the print's work is bounded too). */
const printed = new WeakMap<object, string>();

/** A message as Kaylee prints it inside a collection, cut at MESSAGE_CHARS. */
export function printMessage(m: { type: string; value: unknown }): string {
  const v = m.value;
  const key = typeof v === "object" && v !== null ? v : null;
  const hit = key && printed.get(key);
  if (hit) return hit;
  let t = typeCache.get(m.type);
  if (t === undefined) {
    try {
      t = parseTypeKey(m.type, () => true); // a message's key came from the linked program: a word in it is a host type
    } catch {
      t = { kind: "null" } as Type;
    }
    if (typeCache.size < 4096) typeCache.set(m.type, t);
  }
  // A long string is cut before printing: its quoting is O(its length).
  let s = typeof v === "string" && v.length > MESSAGE_CHARS ? formatNested(v.slice(0, MESSAGE_CHARS), t) : formatNested(v, t, MESSAGE_CHARS);
  if (s.length > MESSAGE_CHARS) s = s.slice(0, MESSAGE_CHARS) + "...";
  if (key) printed.set(key, s);
  return s;
}

// ── the language's questions: p.status(), p.links(), vm.processes() ... ───────────────

/**
 * Question `q` (threads/protocol.ts: Status .. CurrentFunction) about process `pid`, asked by
 * the running process: the answer, a promise of it when `pid` lives on another scheduler (the
 * caller parks; the answer comes after every signal the caller sent it before), or the error
 * value for a process that has ended.
 */
export function askAbout(vm: VMCore, pid: number, q: Question): unknown {
  const p = processOf(vm, pid);
  if (p) return answerOf(vm, p, q);
  return vm.remote?.ask(pid, q) ?? notAlive(pid);
}

/** The answer to question `q` about process `pid` of this scheduler (for another scheduler's ASK). */
export function answerAbout(vm: VMCore, pid: number, q: Question): unknown {
  const p = processOf(vm, pid);
  return p ? answerOf(vm, p, q) : notAlive(pid);
}

function notAlive(pid: number): KError {
  return new KError(`${pidString(pid)} is not alive`, C.noproc);
}

/** Live process `p`'s answer to `q`; work that grows with `p`'s data is charged to the running process. */
function answerOf(vm: VMCore, p: Process, q: Question): unknown {
  switch (q) {
    case Question.Status:
      return statusOf(p);
    case Question.MailboxLength:
      return mailboxLength(p);
    case Question.Memory: {
      const n = memoryReport(p); // a measure: O(what p holds)
      vm.chargeWork(n >>> 10);
      return n;
    }
    case Question.Reductions:
      return reductionsOf(vm, p);
    case Question.Links:
      return charged(vm, p.links ? [...p.links] : []);
    case Question.Monitors:
      return charged(vm, p.monitors ? [...p.monitors.values()] : []);
    case Question.CurrentFunction:
      return currentFunction(vm, p);
    default:
      return new KError(`unknown question ${q as number}`, C.bad_code);
  }
}

function charged<T>(vm: VMCore, list: T[]): T[] {
  vm.chargeWork(list.length >>> 4);
  return list;
}

/** Reductions `p` has used since it started; for the running process, its current slice's too. */
export function reductionsOf(vm: VMCore, p: Process): number {
  return p === vm.current ? p.reductions + vm.sched.sliceReductions() : p.reductions;
}

/** `p.name()`: the name process `pid` is registered under, or an error value (none; not alive). */
export function nameOfProcess(vm: VMCore, pid: number): string | KError {
  if (!vm.isAlive(pid)) return notAlive(pid);
  // On several schedulers the answer may take a walk of the shared table: charged as such,
  // so that a loop of p.name() keeps its slices short (nothing is charged on one scheduler).
  vm.chargeWork(vm.registry.walkCost);
  const name = vm.registry.nameOf(pid, processOf(vm, pid));
  return name ?? new KError(`${pidString(pid)} is not registered`, C.not_found);
}

/** `vm.processes()`: every live process of the run, on every scheduler, in pid order. */
export function allProcesses(vm: VMCore): number[] {
  const remote = vm.remote;
  if (remote !== null) {
    const { pids, scanned } = remote.shared.loc.livePids();
    vm.chargeWork(scanned >>> 6);
    return charged(vm, pids);
  }
  const out: number[] = [];
  forEachProcess(vm, (p) => void out.push(p.pid));
  return charged(vm, out);
}

/** `vm.registered()`: every name held by a live process, sorted. */
export function registeredNames(vm: VMCore): string[] {
  const names = vm.registry.list();
  vm.chargeWork((names.length * Math.log2(names.length + 2)) >>> 4);
  return names;
}

// ── supervisors ─────────────────────────────────────────────────────────────────────────

export interface SupervisorChild {
  pid: number;
  /** A worker's function, or "supervisor". */
  fn: string;
  restart: string;
  running: boolean;
}

/** Most children one supervisor's state lists (the rest are counted in `omitted`). */
export const SUP_CHILDREN_MAX = 2000;

export interface SupervisorInfo {
  pid: number;
  strategy: string;
  maxRestarts: number;
  periodMs: number;
  /** Restarts since it started. */
  restarts: number;
  /** Restarts still inside the period (what the limit counts). */
  recentRestarts: number;
  /** Children in start order (the first SUP_CHILDREN_MAX). */
  children: SupervisorChild[];
  /** Children past SUP_CHILDREN_MAX, not listed. */
  omitted: number;
}

export function supervisorInfo(vm: VMCore, st: SupState): SupervisorInfo {
  const all = st.children;
  const n = Math.min(all.length, SUP_CHILDREN_MAX);
  const children: SupervisorChild[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = all[i];
    children[i] = { pid: c.pid, fn: childFn(vm, c), restart: c.restart, running: c.running };
  }
  return {
    pid: st.proc.pid,
    strategy: st.strategy,
    maxRestarts: st.maxRestarts,
    periodMs: st.periodMs,
    restarts: st.restartCount,
    recentRestarts: st.restarts.length,
    children,
    omitted: all.length - n,
  };
}

/** The state of supervisor `p`, or null when `p` is not one (or a supervisor without a state yet). */
export function supervisorOf(vm: VMCore, p: Process): SupervisorInfo | null {
  return p.supervisor instanceof SupState ? supervisorInfo(vm, p.supervisor) : null;
}

function childFn(vm: VMCore, c: SupState["children"][number]): string {
  return c.sub || c.fn < 0 ? "supervisor" : vm.program.fnName(c.fn);
}
