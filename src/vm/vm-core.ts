// The VM: the process table, the scheduler, message passing, links, monitors, the name
// registry and exit signals with Erlang's semantics (SPEC §3), and the door to natives.
//
// Scheduling is a plain run queue. Each turn of the host event loop runs slices — a slice is
// one process executing until its reduction budget runs out or it blocks — for a few
// milliseconds, then yields to the event loop with setImmediate so that timers and I/O
// progress. Timers (receive timeouts, sleeps, supervisor grace times) live in one heap.
// Supervisors are processes too, but run natively: see supervisor.ts, which plugs in through
// `SupervisorHooks`.

import type { Program } from "./program.js";
import { NO_MAIL, NO_TRIES, Process, Status, pidString, type Message } from "./process.js";
import { Exec, NO_MESSAGE, execute, usedError } from "./interpreter.js";
import { ExitNotice, Fault, KError, ProgramExit, fault } from "./values.js";
import type { Host, NativeCtx, NativeFn } from "./native-api.js";
import type { Type } from "../bytecode/types.js";
import { MAX_HOST_DELAY_MS, TimerHeap } from "./timers.js";
import { Logger } from "./log.js";
import { deepCopy } from "./copy.js";
import { JIT_THRESHOLD } from "./jit.js";
import { ProcessTable } from "./proc-table.js";
import { RunQueue } from "./run-queue.js";
import type { CancelReason } from "./cancel.js";

/**
 * A monotonic clock in milliseconds. (process.uptime() is a monotonic high-resolution clock
 * too; `performance.now()` would make Node load perf_hooks at start-up.)
 */
function monotonicMs(): number {
  return process.uptime() * 1000;
}
import { DEFAULT_MAX_HEAP, DEFAULT_MAX_PROCESSES, admitMessage, chargeNative, heapExit } from "./heap.js"; // memory & safety (heap.ts)

/** Reductions in one slice (the BEAM gives 4,000). */
export const SLICE = 4000;

export interface VMOptions {
  host: Host;
  logger: Logger;
  /** Seeded randomness for vm.random_number. */
  random: () => number;
  /** Milliseconds since some origin; injectable for tests (a virtual clock). */
  clock?: () => number;
  maxProcesses?: number;
  maxReductions?: number;
  maxHeap?: number;
  /** Events for embedders: spawn, exit, restart, log. */
  onEvent?: (e: VMEvent) => void;
  /**
   * The VM owns the host's event loop (the CLI): a lone busy process need not give the event
   * loop a turn every 10 ms unless the VM itself waits for I/O. Embedders leave it off.
   */
  exclusive?: boolean;
  /** The second tier: "on" (compile hot functions, the default), "off", or "eager" (compile at first call: for tests). */
  jit?: "on" | "off" | "eager";
}

export type VMEvent =
  | { kind: "spawn"; pid: number; fn: string; parent: number }
  | { kind: "exit"; pid: number; reason: string }
  | { kind: "restart"; old: number; pid: number; supervisor: number; strategy: string }
  | { kind: "log"; level: string; message: string };

export interface TraceFrame {
  fn: string;
  line: number;
  col: number;
  /** How many more times this same frame repeats below it (deep recursion). */
  repeated?: number;
}

export interface PanicInfo {
  pid: number;
  message: string;
  trace: TraceFrame[];
}

export interface RunOutcome {
  exitCode: number;
  panic: PanicInfo | null;
  /** Values left on the main process's stack when it halted (for assembly programs). */
  leftover: unknown[];
  stats: { processes: number; reductions: number; messages: number };
  /** Set when the embedder ended the run (`cancel`): exit code 1, no panic. */
  cancelled: CancelReason | null;
}

/** How a resident main reports to its embedder (the REPL session). */
export interface ResidentHooks {
  /** Main finished the code it was given and rests. */
  done(p: Process): void;
  /** Main ended (panic, kill, linked exit); the VM goes on. */
  ended(p: Process, panic: PanicInfo | null): void;
  /** The VM stopped (vm.exit). */
  stopped(o: RunOutcome): void;
}

/** What a supervisor implementation provides to the VM. */
export interface SupervisorHooks {
  op(vm: VMCore, caller: Process, name: string, args: unknown[], fnIndex: number): unknown;
  /** An exit signal reached supervisor `sup` (supervisors trap exits). */
  signal(vm: VMCore, sup: Process, from: number, reason: string): void;
}

/** The context natives receive; system natives also see the VM and the calling process. */
export interface SysCtx extends NativeCtx {
  vm: VMCore;
  proc: Process;
}

/**
 * The VMCore whose run stopped last, kept alive on purpose. V8 discards optimized code (the
 * interpreter's and the second tier's) at a full GC once no VMCore it ran with is alive, so
 * without this, an embedding that runs one module again and again paid the whole warm-up
 * again on every run after a GC (measured: n-body 50k steps, 15 ms warm, 40-60 ms after each
 * GC). `release()` empties what it holds once its run is over.
 */
let lastStopped: VMCore | null = null;

/** How often a VM on an embedder's clock looks at it while it waits for a timer (real ms). */
const VIRTUAL_CLOCK_POLL_MS = 10;

export class VMCore {
  program!: Program;
  readonly host: Host;
  readonly log: Logger;
  readonly procs = new ProcessTable();
  readonly registry = new Map<string, number>();
  readonly timers = new TimerHeap();
  readonly maxStringLength = 1 << 28;
  /** Bytes of managed heap one process may use (--max-heap, or the default). */
  readonly heapLimit: number;
  supervisors: SupervisorHooks | null = null;
  /** Reductions left in the running slice, shared with compiled code (jit.ts). */
  budget = 0;
  /** How compiled code was entered, for an unwind: the callee's argument count, or -1 for on-stack replacement. */
  jitArgs = 0;
  /** Calls or loop back-edges before a function is compiled (Infinity: the second tier is off). */
  jitThreshold: number;
  main: Process | null = null;
  current: Process | null = null;
  lastPanic: PanicInfo | null = null;

  private nextPid = 1;
  private nextRef = 1;
  private readonly runQueue = new RunQueue();
  private scheduled = false;
  private hostTimer: ReturnType<typeof setTimeout> | null = null;
  private hostTimerAt = Infinity;
  private parked = 0;
  private stopped = false;
  private cancelled: CancelReason | null = null;
  private finish: ((o: RunOutcome) => void) | null = null;
  private outcome: RunOutcome | null = null;
  private readonly clock: () => number;
  private readonly t0: number;
  private readonly ctx: SysCtx;
  private reductions = 0;
  private messages = 0;
  private spawned = 0;

  constructor(readonly opts: VMOptions) {
    this.host = opts.host;
    this.log = opts.logger;
    this.clock = opts.clock ?? monotonicMs;
    this.heapLimit = opts.maxHeap !== undefined && opts.maxHeap > 0 ? opts.maxHeap : DEFAULT_MAX_HEAP;
    this.jitThreshold = opts.jit === "off" ? Infinity : opts.jit === "eager" ? 0 : JIT_THRESHOLD;
    this.t0 = this.clock();
    const vm = this;
    this.ctx = {
      host: opts.host,
      self: 0,
      random: opts.random,
      now: () => vm.now(),
      argTypes: null,
      charge: (n: number) => vm.chargeWork(n),
      vm,
      proc: null as unknown as Process,
    };
  }

  now(): number {
    return this.clock() - this.t0;
  }

  // ── running ─────────────────────────────────────────────────────────────────────────

  /** Starts `program`'s entry function as the main process and runs until it ends. */
  run(program: Program, args: unknown[] = []): Promise<RunOutcome> {
    this.program = program;
    return new Promise((resolve) => {
      this.finish = resolve;
      try {
        this.main = this.spawn(program.module.entry, args, 0, false);
      } catch (e) {
        if (!(e instanceof Fault)) throw e;
        return this.stop(1, { pid: 0, message: e.error.message, trace: [] });
      }
      this.schedule();
    });
  }

  /** Stops everything: the program is over. */
  stop(exitCode: number, panic: PanicInfo | null = null, leftover: unknown[] = []): void {
    if (this.stopped) return;
    this.stopped = true;
    this.budget = 0; // a slice still running (stop called from a native) yields at its next check
    this.timers.clear();
    if (this.hostTimer) clearTimeout(this.hostTimer);
    this.outcome = { exitCode, panic, leftover, stats: { processes: this.spawned, reductions: this.reductions, messages: this.messages }, cancelled: this.cancelled };
    lastStopped = this;
    this.finish?.(this.outcome);
  }

  /**
   * Ends the run for the embedder (its AbortSignal or time limit; see cancel.ts): every process,
   * every timer and every pending native go with it — a native that settles later is ignored —
   * and the run resolves with exit code 1 and `cancelled: reason`. Safe at any time, also from
   * inside a native: its process stops as the call returns.
   */
  cancel(reason: CancelReason): void {
    if (this.stopped) return;
    this.cancelled = reason;
    if (this.current) this.current.status = Status.Dead;
    this.stop(1);
  }

  /**
   * After its run has stopped: lets go of the processes (those still waiting when the main
   * process ended), the run queue's room and the registered names, so that the VM kept as
   * `lastStopped` holds little.
   */
  release(): void {
    if (!this.stopped) return;
    this.procs.clear();
    this.runQueue.clear();
    this.registry.clear();
    this.main = null;
    this.current = null;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.stopped) return;
    this.fireTimers();
    const until = monotonicMs() + 10;
    this.sliceDeadline = until;
    // The clock is read every 16 slices that did real work between them, or every 1024
    // short ones (a clock read costs as much as a message hop, and ring-style programs run
    // millions of slices of a few reductions each).
    let n = 0;
    let r0 = this.reductions;
    while (this.runQueue.length !== 0 && !this.stopped) {
      const p = this.runQueue.shift()!;
      if (p.status !== Status.Runnable) continue;
      this.runSlice(p);
      if ((++n & 15) === 0 && (this.reductions - r0 >= SLICE || (n & 1023) === 0)) {
        if (monotonicMs() > until) break;
        r0 = this.reductions;
      }
    }
    if (this.stopped) return;
    if (this.runQueue.length !== 0) this.schedule();
    else this.idle();
  };

  private runSlice(p: Process): void {
    p.status = Status.Running;
    this.current = p;
    const r0 = this.reductions;
    let budget = SLICE;
    const max = this.opts.maxReductions;
    if (max !== undefined) {
      const left = max - this.reductions;
      if (left <= 0) return this.outOfReductions();
      if (left < budget) budget = left;
    }
    let r: Exec;
    try {
      this.budget = budget;
      r = execute(this, p);
    } catch (e) {
      if (e instanceof ProgramExit) return this.stop(e.code);
      const msg = e instanceof Error ? e.message : String(e);
      this.recordPanic(p, new KError(`internal error: ${msg}`, "internal"), p.pc);
      r = Exec.Panicked;
    }
    this.current = null;
    // What the slice used, charged work included (refills were counted as they were granted).
    this.reductions += Math.max(1, budget - this.budget);
    p.reductions += this.reductions - r0; // per process, refills included (introspect.ts)
    switch (r) {
      case Exec.Yield:
        if (p.status === Status.Running) this.makeRunnable(p);
        break;
      case Exec.Blocked:
      case Exec.Dead:
        break;
      case Exec.Done:
        if (p === this.main && this.resident && (p.status as Status) !== Status.Dead) this.rest(p); // [resident main]
        else if ((p.status as Status) !== Status.Dead) this.exit(p, "normal");
        break;
      case Exec.Panicked:
        if ((p.status as Status) !== Status.Dead) this.exit(p, p.exitReason);
        break;
    }
  }

  /**
   * The running slice's budget is spent. If no other process is waiting to run and the event
   * loop had a turn recently, the slice goes on with a fresh budget (returned) instead of
   * paying for a switch that would pick the same process again; 0 means yield now.
   */
  refill(): number {
    const left = this.budget;
    if (this.runQueue.length !== 0 || this.stopped) return left;
    // The event loop gets a turn every 10 ms when someone else may need it (an embedding host,
    // or a host promise of ours such as a file read), and whenever a timer falls due. In the
    // CLI, a lone busy process otherwise runs on without the cost of a switch.
    if ((this.parked > 0 || !this.opts.exclusive) && monotonicMs() > this.sliceDeadline) return left;
    if (this.timers.size > 0 && this.timers.next() <= this.now()) return left;
    const max = this.opts.maxReductions;
    this.reductions += SLICE;
    if (max !== undefined && this.reductions >= max) return left;
    return left + SLICE;
  }

  /**
   * Work that grows with data (copying a message, a big concatenation, a native's result)
   * costs reductions in proportion, so a slice — and --max-reductions — bound real time.
   */
  chargeWork(units: number): void {
    this.budget -= units;
  }

  private sliceDeadline = 0;

  private outOfReductions(): void {
    this.host.stderr(`error: the run used its --max-reductions budget (${this.opts.maxReductions})\n`);
    this.stop(1, this.lastPanic);
  }

  /** Nothing is runnable: wait for a timer or a host promise, or report a deadlock. */
  private idle(): void {
    const next = this.timers.next();
    if (next !== Infinity) return this.armHostTimer(next);
    if (this.parked > 0) return;
    const main = this.main;
    if (main && main.alive && !this.resting) {
      const waiting = main.status === Status.Receiving ? `a message of type ${main.waitType}` : "something";
      this.lastPanic = { pid: main.pid, message: `deadlock: every process is waiting and nothing can wake the main process (it waits for ${waiting})`, trace: this.traceOf(main, main.pc) };
      main.exitReason = this.lastPanic.message;
      this.exit(main, main.exitReason);
    }
  }

  /**
   * Wakes the scheduler when the earliest timer falls due at `at` (clock ms). With an
   * embedder's clock, whose ms need not be real ones (a test's virtual clock may run fast,
   * slow or stand still), the host timer only polls: on waking, due timers fire and idle()
   * arms it again for the rest. A wait longer than a host timeout can take is armed in
   * parts the same way (the early wake finds nothing due and arms again).
   */
  private armHostTimer(at: number): void {
    if (this.hostTimer && this.hostTimerAt <= at) return;
    const wait = Math.max(0, Math.ceil(at - this.now()));
    if (this.hostTimer) clearTimeout(this.hostTimer);
    this.hostTimerAt = at;
    this.hostTimer = setTimeout(
      () => {
        this.hostTimer = null;
        this.hostTimerAt = Infinity;
        this.fireTimers();
        if (this.runQueue.length !== 0) this.schedule();
        else this.idle();
      },
      Math.min(wait, this.opts.clock ? VIRTUAL_CLOCK_POLL_MS : MAX_HOST_DELAY_MS),
    );
  }

  private fireTimers(): void {
    for (const t of this.timers.due(this.now())) t.fire();
  }

  /** For tests with a virtual clock: run every timer due now. */
  advanceTimers(): void {
    this.fireTimers();
    if (this.runQueue.length !== 0) this.schedule();
  }

  makeRunnable(p: Process): void {
    p.status = Status.Runnable;
    this.runQueue.push(p);
    this.schedule();
  }

  // ── processes ───────────────────────────────────────────────────────────────────────

  spawn(fn: number, args: unknown[], parent: number, link: boolean): Process {
    const max = this.opts.maxProcesses ?? DEFAULT_MAX_PROCESSES; // default limit (heap.ts)
    if (this.liveCount() >= max) throw fault(`too many processes (--max-processes=${max})`, "system_limit");
    const pid = this.nextPid++;
    const prog = this.program;
    const p = new Process(pid, prog.fnName(fn), parent, prog.fnLocals[fn] + prog.fnMaxStack[fn] + 1);
    for (let i = 0; i < args.length; i++) p.stack[i] = args[i];
    p.sp = prog.fnLocals[fn];
    p.pc = prog.fnEntry[fn];
    this.procs.set(pid, p);
    this.spawned++;
    if (link && parent) this.link(parent, pid);
    if (this.log.info) this.log.log("info", `spawn ${pidString(pid)} ${p.fnName}`);
    this.opts.onEvent?.({ kind: "spawn", pid, fn: p.fnName, parent });
    this.makeRunnable(p);
    return p;
  }

  /** A process shell with no code of its own (supervisors). */
  spawnNative(name: string, parent: number): Process {
    const max = this.opts.maxProcesses ?? DEFAULT_MAX_PROCESSES; // default limit (heap.ts)
    if (this.liveCount() >= max) throw fault(`too many processes (--max-processes=${max})`, "system_limit");
    const pid = this.nextPid++;
    const p = new Process(pid, name, parent);
    p.status = Status.Receiving;
    p.trapExits = true;
    this.procs.set(pid, p);
    this.spawned++;
    if (this.log.info) this.log.log("info", `spawn ${pidString(pid)} ${name}`);
    this.opts.onEvent?.({ kind: "spawn", pid, fn: name, parent });
    return p;
  }

  liveCount(): number {
    return this.procs.size;
  }

  /** `args` is the caller's own fresh array: the copies replace its elements. */
  spawnFromCode(p: Process, fn: number, args: unknown[], link: boolean): number {
    for (let i = 0; i < args.length; i++) args[i] = deepCopy(args[i]);
    return this.spawn(fn, args, p.pid, link).pid;
  }

  isAlive(pid: number): boolean {
    return this.procs.has(pid);
  }

  // ── messages ────────────────────────────────────────────────────────────────────────

  /** SendMessage: `typeConst` is the constant-pool index of the message's static type. */
  sendFromCode(p: Process, to: number, typeConst: number, value: unknown): void {
    if (value instanceof KError) throw usedError(value);
    if (typeof to !== "number") throw fault("send: not a process", "bad_code");
    const copy = deepCopy(value);
    if (typeof copy === "object" && copy !== null) this.chargeWork(copySize(copy));
    if (this.log.debug) this.log.log("debug", `send ${pidString(p.pid)} -> ${pidString(to)} ${this.program.constKeys[typeConst]}${this.procs.has(to) ? "" : " (dropped: no such process)"}`);
    this.deliver(to, this.program.constKeys[typeConst], copy);
  }

  /**
   * Puts a message in `to`'s mailbox (dropped if `to` has ended). A process waiting for a
   * message of this type gets it directly instead: it has none of that type queued (or it
   * would not be waiting), so this is the message its receive would take.
   */
  deliver(to: number, type: string, value: unknown): void {
    const q = this.procs.get(to);
    if (!q) return;
    this.messages++;
    if (q.supervisor !== null) return;
    if (!admitMessage(this, q, value)) return; // mailbox bound and heap charge (heap.ts)
    if (q.status === Status.Receiving && q.waitType === type) return this.handOff(q, value);
    const m: Message = { type, value };
    if (q.mailbox === NO_MAIL) q.mailbox = [m];
    else q.mailbox.push(m);
  }

  /** Wakes a waiting receiver with `value` as what its receive returns (see interpreter.ts). */
  private handOff(q: Process, value: unknown): void {
    if (q.timerSeq) {
      this.timers.cancel(q.timerSeq);
      q.timerSeq = 0;
    }
    q.timedOut = false;
    q.hasResume = true;
    q.resumeReceive = true;
    q.resumeValue = value;
    this.makeRunnable(q);
  }

  /**
   * Selective receive: the oldest message of the wanted type, or NO_MESSAGE after arranging
   * to wait (with a timeout when ms >= 0). A timed-out wait yields a "timeout" error value.
   */
  receive(p: Process, typeConst: number, timed: boolean, ms: number): unknown {
    const want = this.program.constKeys[typeConst];
    const box = p.mailbox;
    for (let i = 0; i < box.length; i++) {
      if (box[i].type === want) {
        const m = box[i];
        if (i === 0) box.shift();
        else box.splice(i, 1);
        if (p.timerSeq) {
          this.timers.cancel(p.timerSeq);
          p.timerSeq = 0;
        }
        p.timedOut = false;
        return m.value;
      }
    }
    if (timed) {
      if (typeof ms !== "number" || !(ms >= 0)) throw fault(`receive: bad timeout ${ms} (it must be 0 or more)`, "range");
      if (p.timedOut || ms === 0) {
        p.timedOut = false;
        return new KError(`receive timeout: no message of type ${want} within ${ms} ms`, "timeout");
      }
      if (p.timerSeq === 0) {
        p.timerSeq = this.timers.add(this.now() + ms, () => {
          if (p.status !== Status.Receiving || p.timerSeq === 0) return;
          p.timerSeq = 0;
          p.timedOut = true;
          this.makeRunnable(p);
        });
      }
    }
    p.waitType = want;
    p.status = Status.Receiving;
    return NO_MESSAGE;
  }

  // ── natives ─────────────────────────────────────────────────────────────────────────

  callNative(p: Process, idx: number, args: unknown[], typeConst: number): unknown {
    const ctx = this.ctx;
    ctx.self = p.pid;
    ctx.proc = p;
    ctx.argTypes = typeConst >= 0 ? (this.program.constType(typeConst) as { elems: Type[] }).elems : null;
    const fn: NativeFn = this.program.natives[idx];
    try {
      const r = fn(ctx, args);
      chargeNative(this, p, r, args, ctx.charge); // heap accounting (heap.ts)
      return r;
    } catch (e) {
      if (e instanceof Fault || e instanceof ProgramExit) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw fault(`native ${this.program.nativeNames[idx]} failed: ${msg}`, "native");
    }
  }

  /** Parks `p` until `promise` settles; its value (or error) is pushed when it resumes. */
  park(p: Process, promise: Promise<unknown>): void {
    if (p.status === Status.Dead) return; // ended during its own native call: the result is dropped
    p.status = Status.Parked;
    this.parked++;
    promise.then(
      (v) => this.unpark(p, v, null),
      (e) => this.unpark(p, null, e instanceof Fault ? e.error : new KError(`native failed: ${e instanceof Error ? e.message : String(e)}`, "native")),
    );
  }

  /**
   * A native's promise settled. If its process has ended meanwhile (exit() stopped counting it
   * as parked) or the run has stopped, the result is dropped.
   */
  private unpark(p: Process, v: unknown, err: KError | null): void {
    if (p.status !== Status.Parked || this.stopped) return;
    this.parked--;
    p.hasResume = true;
    p.resumeValue = v;
    p.resumeFault = err;
    this.makeRunnable(p);
  }

  /** A host promise that the timer heap resolves after `ms` (vm.sleep). */
  sleep(ms: number): Promise<null> {
    if (!(ms >= 0)) throw fault(`sleep: bad duration ${ms}`, "range");
    return new Promise((resolve) => {
      this.timers.add(this.now() + ms, () => resolve(null));
      if (this.runQueue.length === 0) this.armHostTimer(this.timers.next());
    });
  }

  supervisorOp(p: Process, name: string, args: unknown[], fnIndex: number): unknown {
    if (!this.supervisors) throw fault("supervisors are not available in this VM", "unsupported");
    return this.supervisors.op(this, p, name, args, fnIndex);
  }

  // ── links, monitors, exits ──────────────────────────────────────────────────────────

  link(a: number, b: number): void {
    if (a === b) return;
    const pa = this.procs.get(a);
    const pb = this.procs.get(b);
    if (!pa) return;
    if (!pb) {
      // Linking to a dead process: Erlang sends the linker an exit signal with reason noproc.
      this.signal(b, a, "noproc");
      return;
    }
    (pa.links ??= new Set()).add(b);
    (pb.links ??= new Set()).add(a);
  }

  unlink(a: number, b: number): void {
    this.procs.get(a)?.links?.delete(b);
    this.procs.get(b)?.links?.delete(a);
  }

  monitor(watcher: number, target: number): number {
    const ref = this.nextRef++;
    const t = this.procs.get(target);
    const w = this.procs.get(watcher);
    if (!w) return ref;
    if (!t) {
      this.deliver(watcher, "exit", new ExitNotice(target, "noproc"));
      return ref;
    }
    (w.monitors ??= new Map()).set(ref, target);
    (t.monitoredBy ??= new Map()).set(ref, watcher);
    return ref;
  }

  /**
   * An exit signal from `from` to `to` with `reason` (Erlang's exit/2 and link propagation).
   * "kill" is untrappable and ends the target with "killed".
   */
  signal(from: number, to: number, reason: string, viaLink = false): void {
    const q = this.procs.get(to);
    if (!q) return;
    if (q.supervisor !== null && this.supervisors) {
      if (reason === "kill" && !viaLink) return this.exit(q, "killed");
      return this.supervisors.signal(this, q, from, reason);
    }
    if (reason === "kill" && !viaLink) return this.exit(q, "killed");
    if (q.trapExits) {
      this.deliver(to, "exit", new ExitNotice(from, reason));
      return;
    }
    if (reason === "normal" && from !== to) return;
    this.exit(q, reason);
  }

  /** Ends process `p` with `reason`: links, monitors, the registry and supervisors hear of it. */
  exit(p: Process, reason: string): void {
    if (p.status === Status.Dead) return;
    if (p.status === Status.Parked) this.parked--;
    p.status = Status.Dead;
    p.exitReason = reason;
    if (p.timerSeq) {
      this.timers.cancel(p.timerSeq);
      p.timerSeq = 0;
    }
    this.procs.delete(p.pid);
    if (p.name !== null) {
      this.registry.delete(p.name);
      p.name = null;
    }
    if (this.log.info) this.log.log("info", `exit ${pidString(p.pid)} ${reason === "normal" || reason === "killed" || reason === "shutdown" ? reason : `panic: ${JSON.stringify(reason)}`}`);
    this.opts.onEvent?.({ kind: "exit", pid: p.pid, reason });
    if (p.monitors) for (const [ref, target] of p.monitors) this.procs.get(target)?.monitoredBy?.delete(ref);
    p.monitors = null;
    if (p.monitoredBy)
      for (const [ref, watcher] of p.monitoredBy) {
        const w = this.procs.get(watcher);
        if (!w) continue;
        w.monitors?.delete(ref);
        this.deliver(watcher, "exit", new ExitNotice(p.pid, reason));
      }
    p.monitoredBy = null;
    const links = p.links;
    p.links = null;
    if (links) for (const l of links) {
      this.procs.get(l)?.links?.delete(p.pid);
      this.signal(p.pid, l, reason, true);
    }
    if (p.mailbox.length !== 0) p.mailbox = NO_MAIL;
    heapExit(this, p); // heap accounting (heap.ts)
    if (p === this.main) this.mainEnded(p, reason);
  }

  private mainEnded(p: Process, reason: string): void {
    if (this.resident) {
      // [resident main] the VM goes on without it; the embedder may start another main.
      this.resting = false;
      const panic = reason === "normal" ? null : this.lastPanic && this.lastPanic.pid === p.pid ? this.lastPanic : { pid: p.pid, message: reason, trace: [] };
      return this.resident.ended(p, panic);
    }
    if (reason === "normal") {
      const prog = this.program;
      const fn = prog.pcFn[p.pc] ?? 0;
      const bottom = p.fp === 0 ? prog.fnLocals[fn] : p.base + prog.fnLocals[fn];
      this.stop(0, null, p.stack.slice(bottom, p.sp));
      return;
    }
    const info = this.lastPanic && this.lastPanic.pid === p.pid ? this.lastPanic : { pid: p.pid, message: reason, trace: [] };
    this.stop(1, info);
  }

  // ── resident main (the REPL: src/session.ts) ────────────────────────────────────────
  //
  // In resident mode the main process outlives its code: when the code it was started with
  // finishes, the process rests (alive, with its pid, mailbox, links and linear memory; no
  // message wakes it) and `resident.done` is told; `startResident` then runs the next piece
  // of code in it. A resting main is not a deadlock. If main ends (a panic, a kill, a linked
  // exit), `resident.ended` is told and the VM keeps running the other processes; the next
  // `startResident` spawns a new main. `resident.stopped` hears when the VM stops (vm.exit).
  resident: ResidentHooks | null = null;
  resting = false;

  makeResident(program: Program, hooks: ResidentHooks): void {
    this.program = program;
    this.resident = hooks;
    this.finish = hooks.stopped;
  }

  /** Runs function `fn` of `program` (which must extend the current program) in main. */
  startResident(program: Program, fn: number): Process {
    this.program = program;
    const p = this.main;
    if (!p || !p.alive || !this.resting) {
      this.resting = false;
      this.main = this.spawn(fn, [], 0, false);
      return this.main;
    }
    const need = program.fnLocals[fn] + program.fnMaxStack[fn] + 1;
    if (p.stack.length < need) p.stack.length = need;
    p.stack.fill(null);
    p.sp = program.fnLocals[fn];
    p.pc = program.fnEntry[fn];
    p.fp = 0;
    p.base = 0;
    p.tries = NO_TRIES;
    p.hasResume = false;
    p.resumeReceive = false;
    p.waitType = "";
    this.resting = false;
    this.makeRunnable(p);
    return p;
  }

  private rest(p: Process): void {
    p.status = Status.Receiving;
    p.waitType = "\u0000resting";
    this.resting = true;
    this.resident!.done(p);
  }

  // ── panics ──────────────────────────────────────────────────────────────────────────

  recordPanic(p: Process, err: KError, pc: number): void {
    p.exitReason = err.message;
    this.lastPanic = { pid: p.pid, message: err.message, trace: this.traceOf(p, pc) };
    if (p !== this.main && this.log.enabled("warn")) {
      this.log.log("warn", formatTrace(this.lastPanic, this.program.module.file).trimEnd());
    }
  }

  /** The Kaylee stack trace, innermost first; runs of one frame (recursion) are folded. */
  traceOf(p: Process, pc: number): TraceFrame[] {
    const prog = this.program;
    const out: TraceFrame[] = [];
    const add = (at: number) => {
      const w = prog.where(at);
      const last = out[out.length - 1];
      if (last && last.fn === w.fn && last.line === w.line && last.col === w.col) last.repeated = (last.repeated ?? 0) + 1;
      else if (out.length < 64) out.push(w);
    };
    add(pc);
    for (let i = p.fp - 1; i >= 0; i--) add(p.frameRet[i] - 1);
    return out;
  }

  // ── strings ─────────────────────────────────────────────────────────────────────────

  private lastStr = "";
  private lastChars: string[] | null = null;

  /** s[i] by Unicode scalar values. */
  indexString(s: string, i: number): number {
    if (typeof s !== "string") {
      if ((s as unknown) instanceof KError) throw usedError(s as unknown as KError);
      throw fault("invalid operand for string indexing", "bad_code");
    }
    if (s !== this.lastStr) {
      this.lastStr = s;
      this.lastChars = /[\uD800-\uDFFF]/.test(s) ? [...s] : null;
    }
    const chars = this.lastChars;
    const n = chars ? chars.length : s.length;
    if (!(i >= 0 && i < n)) throw fault(`index out of range: index ${i} but length ${n}`, "index_out_of_range");
    return chars ? chars[i].codePointAt(0)! : s.charCodeAt(i);
  }

  newRef(): number {
    return this.nextRef++;
  }
}

export { pidString };

/** Reductions for copying a message: one per 16 slots or characters it holds (bounded walk). */
function copySize(v: unknown): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length && n < 1 << 24) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      n += x.length + 1;
      for (const y of x) if (typeof y === "object" && y !== null) stack.push(y);
      else if (typeof y === "string") n += y.length >>> 2;
    } else if (typeof x === "string") n += x.length >>> 2;
  }
  return n >>> 4;
}

/** How a panic is shown: the message, the process, and the Kaylee stack trace. */
export function formatTrace(p: PanicInfo, file: string): string {
  const lines = [`panic in ${pidString(p.pid)}: ${p.message}`];
  for (const t of p.trace) {
    lines.push(`    at ${t.fn} (${file}:${t.line}:${t.col})`);
    if (t.repeated) lines.push(`    [the frame above repeats ${t.repeated} more times]`);
  }
  return lines.join("\n") + "\n";
}
