// The VM: the owner that wires the process table, the scheduler (scheduler.ts), mailboxes
// (mailbox.ts), links, monitors and exit signals (signals.ts), calls, refs and timers
// (servers.ts) and the name registry (registry.ts), and the door to natives. It keeps the hot
// entry points that compiled and interpreted code call — send, receive, spawn — and the end
// of a process, where all of those meet. Also the resident main of the REPL, and panics.
//
// Supervisors are processes too, but run natively: see supervisor.ts, which plugs in through
// `SupervisorHooks`.

import type { Spread } from "../threads/protocol.js";
import type { Program, TypeSet } from "./program.js";
import { NO_TRIES, Process, Status, pidString } from "./process.js";
import { usedError } from "./interpreter.js";
import { ExitNotice, Fault, KError, MAX_STRING_LENGTH, ProgramExit, fault, type HostValue } from "./values.js";
import { C } from "./error-codes.js";
import { failureValue } from "./fallible.js";
import type { Host, NativeCtx, NativeFn } from "./native-api.js";
import type { Type } from "../bytecode/types.js";
import type { TimerHeap } from "./timers.js";
import { Logger } from "./log.js";
import { copyInside, deepCopy } from "./copy.js";
import { runExt, type ExtSite } from "./ext-opcodes.js";
import { arrive, closeOwned, holdsHost, keyHoldsHost, sendHost } from "./host-types.js";
import { JIT_THRESHOLD } from "./jit.js";
import { ProcessTable } from "./proc-table.js";
import { NO_MAIL, NONE, NO_MESSAGE, SELECT_WAIT, Mailbox } from "./mailbox.js";
import { Scheduler, monotonicMs } from "./scheduler.js";
import { Signals, type ExitCause } from "./signals.js";
import { Servers } from "./servers.js";
import { RefTable } from "./ref-table.js";
import { Registry } from "./registry.js";
import type { CancelReason } from "./cancel.js";
import type { Remote } from "../threads/remote.js";
import { Question } from "../threads/protocol.js";
import { childKey, nextFloat, seedKey, streamState } from "./random.js";
import { DEFAULT_MAX_HEAP, DEFAULT_MAX_PROCESSES, HardExit, admitMessage, chargeNative, copyWorkOf, heapClose, heapExit, heapPeak, heapSpawn, messageSizeCap, sizeOfValue } from "./heap.js"; // memory & safety (heap.ts)

/** The stream key of every process when there is no seed (it draws from the VM's generator). */
const NO_KEY: [number, number] = [0, 0];

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
  /** Messages one mailbox may hold; a delivery past it ends the receiver (default: no count limit). */
  maxMailbox?: number;
  /** Events for embedders: spawn, exit, restart, log. */
  onEvent?: (e: VMEvent) => void;
  /**
   * The VM owns the host's event loop (the CLI): a lone busy process need not give the event
   * loop a turn every 10 ms unless the VM itself waits for I/O. Embedders leave it off.
   */
  exclusive?: boolean;
  /** The second tier: "on" (compile hot functions, the default), "off", or "eager" (compile at first call: for tests). */
  jit?: "on" | "off" | "eager";
  /** When the run started (clock ms): given to a run's VMs on other schedulers. */
  t0?: number;
  /** The seed of `random` (so that other schedulers can draw alike). */
  seed?: number;
  /** Schedulers the run may use (default 1: this thread only; 0: one a core). */
  schedulers?: number;
  /**
   * Spread processes over the schedulers from the first spawn (RAFT_SPREAD): "move" (tests of
   * the cross-thread paths) places new processes round the schedulers and keeps moving half of
   * the runnable ones on; "place" only places them so (the bench's cross-thread ring).
   */
  spread?: Spread;
  /**
   * Output goes to file descriptors 1 and 2 (the CLI), which every thread can write to;
   * otherwise other schedulers send what their processes write here (threads/remote.ts OUT).
   */
  directIO?: boolean;
  /** The embedder supplied its own file system (other threads have only Node's: one scheduler). */
  customFs?: boolean;
  /** The natives every scheduler thread has (the built-in ones). */
  builtinNatives?: { has(name: string): boolean };
  /** Makes this run use `schedulers` threads (threads/pool.ts, wired in by the library API). */
  parallel?: (vm: VMCore) => Promise<void> | undefined;
  /** Starts the threads a later `parallel` would use (see VMCore.prepareParallel). */
  prepareParallel?: (vm: VMCore) => void;
  /** The embedder defined host types (host-types.ts): messages and spawns look for their values. */
  hostTypes?: boolean;
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
  /** The process was ended by an exit signal from this process (then `trace` is empty). */
  from?: number;
  /** That signal came over a link (the sender ended), rather than from vm.kill. */
  linked?: boolean;
  /** The panic that chain of exits began with, in the process where it happened, with its trace. */
  origin?: PanicInfo;
}

export interface RunOutcome {
  exitCode: number;
  panic: PanicInfo | null;
  /** Values left on the main process's stack when it halted (for assembly programs). */
  leftover: unknown[];
  /** `memory`: the most bytes the run's processes were charged at once (heap.ts). */
  stats: { processes: number; reductions: number; messages: number; memory: number };
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
  /** A supervisor call by `caller`: its value, or a promise of it (the caller parks). */
  op(vm: VMCore, caller: Process, name: string, args: unknown[], fnIndex: number): unknown;
  /** An exit signal reached supervisor `sup` (supervisors trap exits). */
  signal(vm: VMCore, sup: Process, from: number, reason: string): void;
  /** Process `from` removed its link to supervisor `sup` (which keeps its children linked). */
  unlinked(vm: VMCore, sup: Process, from: number): void;
  /** Supervisor `sup` has ended (calls still waiting for it are answered). */
  ended(vm: VMCore, sup: Process): void;
  /** A supervisor call from another scheduler for supervisor `pid` here; `reply` answers it, once. */
  answer(vm: VMCore, pid: number, payload: unknown, reply: (value: unknown) => void): void;
}

/** The context natives receive; system natives also see the VM and the calling process. */
export interface SysCtx extends NativeCtx {
  vm: VMCore;
  proc: Process;
  /** The constant of argTypes (CallNativeTyped), or -1: where the keys of those types are found (Program.argKeys). */
  typeConst: number;
}

/**
 * The VMCore whose run stopped last, kept alive on purpose. V8 discards optimized code (the
 * interpreter's and the second tier's) at a full GC once no VMCore it ran with is alive, so
 * without this, an embedding that runs one module again and again paid the whole warm-up
 * again on every run after a GC (measured: n-body 50k steps, 15 ms warm, 40-60 ms after each
 * GC). `release()` empties what it holds once its run is over.
 */
let lastStopped: VMCore | null = null;

export class VMCore {
  program!: Program;
  readonly host: Host;
  readonly log: Logger;
  readonly procs = new ProcessTable();
  readonly registry = new Registry();
  readonly sched: Scheduler;
  readonly signals: Signals;
  readonly servers: Servers;
  /** The scheduler's timers (supervisors arm their grace times here). */
  readonly timers: TimerHeap;
  readonly maxStringLength = MAX_STRING_LENGTH;
  /** Bytes of managed heap one process may use (--max-heap, or the default). */
  readonly heapLimit: number;
  /** Messages one mailbox may hold (--max-mailbox; default: no count limit). */
  readonly maxMailbox: number;
  supervisors: SupervisorHooks | null = null;
  /** This run's bridge to its other schedulers (threads/remote.ts); null while it runs on one. */
  remote: Remote | null = null;
  /** Reductions left in the running slice, shared with compiled code (jit.ts). */
  budget = 0;
  /** The compiled frames a slice's end returned through (jit.ts UNWIND), until the interpreter takes them. */
  unwound: unknown = null;
  /** How compiled code was entered, for an unwind: the callee's argument count, or -1 for on-stack replacement. */
  jitArgs = 0;
  /** Where the frame a compiled entry works on starts in the array it was given (jit.ts entry, read once by the unit entered). */
  jitBase = 0;
  /** The block a compiled entry starts at (-1: a call), read once by the unit entered (jit.ts entry). */
  jitBlk = -1;
  /** The message `receiveSelect` just took, until the instruction that called it pushes it (same instruction). */
  selected: unknown = null;
  /** The last message copyMessage copied, and its size (sizeOfCopy). */
  private sized: unknown = null;
  private sizedBytes = 0;
  /** Calls or loop back-edges before a function is compiled (Infinity: the second tier is off). */
  jitThreshold: number;
  main: Process | null = null;
  current: Process | null = null;
  lastPanic: PanicInfo | null = null;

  private nextPid = 1;
  /** Under `--seed`: the seed's stream key (random.ts), and how many root processes have started. */
  private readonly rootKey: [number, number] | null;
  private roots = 0;
  /** The next ref while the run is on one scheduler (then the run's shared counter: newRef). */
  private nextRef = 1;
  private stopped = false;
  private cancelled: CancelReason | null = null;
  private finish: ((o: RunOutcome) => void) | null = null;
  private outcome: RunOutcome | null = null;
  private readonly clock: () => number;
  private readonly t0: number;
  private readonly ctx: SysCtx;
  private messages = 0;
  private spawned = 0;

  constructor(readonly opts: VMOptions) {
    this.host = opts.host;
    this.log = opts.logger;
    this.clock = opts.clock ?? monotonicMs;
    this.heapLimit = opts.maxHeap !== undefined && opts.maxHeap > 0 ? opts.maxHeap : DEFAULT_MAX_HEAP;
    this.maxMailbox = opts.maxMailbox !== undefined && opts.maxMailbox > 0 ? opts.maxMailbox : Infinity;
    this.jitThreshold = opts.jit === "off" ? Infinity : opts.jit === "eager" ? 0 : JIT_THRESHOLD;
    this.t0 = opts.t0 ?? this.clock();
    this.sched = new Scheduler(this);
    this.timers = this.sched.timers;
    this.signals = new Signals(this);
    this.servers = new Servers(this);
    const vm = this;
    this.rootKey = opts.seed === undefined ? null : seedKey(opts.seed);
    this.ctx = {
      host: opts.host,
      self: 0,
      // Under a seed, every process draws from its own stream (random.ts).
      random: this.rootKey === null ? opts.random : () => vm.drawFor(vm.ctx.proc),
      now: () => vm.now(),
      argTypes: null,
      charge: vm.chargeWork, // the same function everywhere: strings.ts keeps its cache per VM by it
      vm,
      proc: null as unknown as Process,
      typeConst: -1,
    };
  }

  now(): number {
    return this.clock() - this.t0;
  }

  /** The next number of `p`'s own random stream (under a seed). */
  private drawFor(p: Process): number {
    return nextFloat((p.rng ??= streamState(p.key0, p.key1)));
  }

  /**
   * Under a seed, the stream key of the next process that `parent` spawns (random.ts): from
   * the spawner's key and how many it has spawned. A root process (parent 0: main, an
   * evaluation of a session) takes the seed's own key first and keys of their own after.
   */
  childKey(parent: number): [number, number] {
    const root = this.rootKey;
    if (root === null) return NO_KEY;
    const p = parent === 0 ? undefined : this.procs.get(parent);
    if (p !== undefined) return childKey(p.key0, p.key1, p.spawns++);
    const n = this.roots++;
    return n === 0 ? root : childKey(root[0] ^ 0x5bd1e995, root[1], n);
  }

  /** The frames compiled code left when its slice ended (see jit.ts UNWIND), taken once. */
  takeUnwound(): unknown {
    const u = this.unwound;
    this.unwound = null;
    return u;
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
      // Spreading (tests): every scheduler has joined the run before main starts (spawning
      // main above made it runnable: the scheduler waits).
      const joined = this.opts.spread ? this.goParallel() : undefined;
      if (joined) {
        this.sched.pause();
        void joined.then(() => this.sched.resume());
      } else this.sched.schedule();
    });
  }

  /** Stops everything: the program is over. */
  stop(exitCode: number, panic: PanicInfo | null = null, leftover: unknown[] = []): void {
    if (this.stopped) return;
    const remote = this.remote;
    if (remote !== null && remote.self !== 0) {
      // vm.exit or the reduction budget on another scheduler: scheduler 0 ends the run.
      remote.exitRun(exitCode);
      return this.stopHere();
    }
    this.stopped = true;
    this.budget = 0; // a slice still running (stop called from a native) yields at its next check
    this.sched.stop();
    heapClose(this); // what the processes left hold leaves the host's total (heap.ts)
    if (this.opts.hostTypes) this.procs.forEach((p) => closeOwned(this, p)); // their host values are closed (host-types.ts)
    let stats = this.stats();
    if (remote !== null) {
      remote.stopAll();
      remote.hub.detach(remote.run);
      stats = remote.totals();
    }
    this.outcome = { exitCode, panic, leftover, stats, cancelled: this.cancelled };
    lastStopped = this;
    this.finish?.(this.outcome);
  }

  /** The run is over on this scheduler (it is not scheduler 0): drop it, report nothing. */
  stopHere(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.budget = 0;
    this.sched.stop();
    heapClose(this); // what its processes here hold leaves this thread's total (heap.ts)
    if (this.remote !== null) this.remote.hub.detach(this.remote.run);
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
   * A callback of the embedder's (onEvent, stderr) threw `error`: the run ends as a cancel
   * does, and whoever awaits it learns why (`hostFault`; Raft.run rejects with it). The first
   * such throw is kept; later calls of the callbacks are not made.
   */
  failHost(what: string, error: unknown): void {
    if (this.hostFault !== null) return;
    this.hostFault = { what, error };
    this.cancel("aborted");
  }

  /** What failHost kept, or null. */
  hostFault: { what: string; error: unknown } | null = null;

  /**
   * After its run has stopped: lets go of the processes (those still waiting when the main
   * process ended), the run queue's room and the registered names, so that the VM kept as
   * `lastStopped` holds little.
   */
  release(): void {
    if (!this.stopped) return;
    this.procs.clear();
    this.sched.release();
    this.registry.clear();
    this.main = null;
    this.current = null;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The running slice's budget is spent: a fresh one, or 0 to yield (Scheduler.refill). */
  refill(): number {
    return this.sched.refill();
  }

  /**
   * Work that grows with data (copying a message, a big concatenation, a native's result)
   * costs reductions in proportion, so a slice — and --max-reductions — bound real time.
   */
  readonly chargeWork = (units: number): void => {
    this.budget -= units; // an arrow: the tiers pass it as a function (strings.ts)
  };

  /** Nothing can run and nothing is pending (Scheduler.idle): a waiting main is deadlocked. */
  deadlock(): void {
    const main = this.main;
    if (main && main.alive && !this.resting) {
      const waiting = main.status !== Status.Receiving ? "something" : main.waitSet >= 0 ? `a message of type ${oneOf((this.program.consts[main.waitSet] as TypeSet).keys)}` : `a message of type ${main.waitType}`;
      this.lastPanic = { pid: main.pid, message: `deadlock: every process is waiting and nothing can wake the main process (it waits for ${waiting})`, trace: this.traceOf(main, main.pc) };
      main.exitReason = this.lastPanic.message;
      this.exit(main, main.exitReason);
    }
  }

  // ── processes ───────────────────────────────────────────────────────────────────────

  spawn(fn: number, args: unknown[], parent: number, link: boolean): Process {
    return this.start(this.takePid(this.remote?.self), fn, args, parent, link, this.childKey(parent));
  }

  /**
   * A pid for a new process, within --max-processes (counted on every scheduler of the run);
   * `at`: the scheduler it will live on, when there are several.
   */
  private takePid(at = 0): number {
    const max = this.opts.maxProcesses ?? DEFAULT_MAX_PROCESSES; // default limit (heap.ts)
    const remote = this.remote;
    if (remote === null) {
      if (this.liveCount() >= max) throw tooMany(max);
      return this.nextPid++;
    }
    const pid = remote.newPid();
    if (!remote.admit(pid, at, max)) {
      const room = remote.shared.loc.maxLive; // the shared table's own limit
      throw room < max ? fault(`too many processes (at most ${room} at once on several schedulers; --max-processes=${max})`, C.system_limit) : tooMany(max);
    }
    return pid;
  }

  /**
   * A process another scheduler placed here (threads/remote.ts): its pid is taken and recorded.
   * It is charged here like any spawn (heap.ts); the spawner has its pid already, so one that
   * this scheduler's accounting refuses (the host's memory ceiling, arguments past --max-heap)
   * ends at once with that fault's code as its exit reason, which its link hears.
   */
  spawnPlaced(pid: number, fn: number, args: unknown[], parent: number, link: boolean, supervised: boolean, monitorRef: number, key: [number, number]): void {
    this.start(pid, fn, args, parent, link, key, true, monitorRef, supervised);
  }

  private start(pid: number, fn: number, args: unknown[], parent: number, link: boolean, key: [number, number], placed = false, monitorRef = 0, supervised = false): Process {
    const prog = this.program;
    const p = new Process(pid, prog.fnName(fn), parent, prog.fnLocals[fn] + prog.fnMaxStack[fn] + 1);
    p.supervised = supervised;
    p.key0 = key[0];
    p.key1 = key[1];
    p.home = prog.home[fn] === 1; // it stays on scheduler 0 (program.ts)
    if (this.opts.hostTypes && args.length !== 0) arrive(this, p, args); // copies of host values become its own
    for (let i = 0; i < args.length; i++) p.stack[i] = args[i];
    p.sp = prog.fnLocals[fn];
    p.pc = prog.fnEntry[fn];
    let refused: Fault | null = null;
    try {
      heapSpawn(this, p); // charged from the start (heap.ts)
    } catch (e) {
      if (!placed || !(e instanceof Fault)) throw e;
      refused = e;
    }
    this.procs.set(pid, p);
    this.spawned++;
    if (placed) {
      // The spawner linked (or, spawn_monitor, monitored) its own end already.
      if (link) (p.links ??= new Set()).add(parent);
      if (monitorRef !== 0) (p.monitoredBy ??= new RefTable()).set(monitorRef, parent);
    } else if (link && parent) this.signals.link(parent, pid);
    if (this.log.info) this.log.log("info", `spawn ${pidString(pid)} ${p.fnName}`);
    this.opts.onEvent?.({ kind: "spawn", pid, fn: p.fnName, parent });
    if (refused !== null) this.exit(p, refused.error.code);
    else this.sched.makeRunnable(p);
    return p;
  }

  /** A process shell with no code of its own (supervisors). */
  spawnNative(name: string, parent: number): Process {
    const pid = this.takePid(this.remote?.self);
    const p = new Process(pid, name, parent);
    [p.key0, p.key1] = this.childKey(parent);
    p.status = Status.Receiving;
    p.trapExits = true;
    heapSpawn(this, p);
    this.procs.set(pid, p);
    this.spawned++;
    if (this.log.info) this.log.log("info", `spawn ${pidString(pid)} ${name}`);
    this.opts.onEvent?.({ kind: "spawn", pid, fn: name, parent });
    return p;
  }

  liveCount(): number {
    return this.procs.size;
  }

  /**
   * SpawnActor: `mode` 0 spawn, 1 spawn_link, 2 spawn_monitor (then the result is the tuple
   * (pid, ref), the monitor set up before the new process can run). `args` is the caller's own
   * fresh array: the copies replace its elements.
   */
  spawnFromCode(p: Process, fn: number, args: unknown[], mode: number): number | unknown[] | KError {
    const host = this.hostCopier(p);
    for (let i = 0; i < args.length; i++) args[i] = deepCopy(args[i], host);
    const link = mode === 1;
    // A supervisor's children stay linked to it (Process.supervised).
    const supervised = link && p.supervisor !== null;
    try {
      const remote = this.remote;
      const ref = mode === 2 ? this.newRef() : 0;
      let pid: number;
      // A process that must live on the embedder's thread starts there (program.ts, host-types.ts).
      const at = remote !== null ? remote.place(this.program.home[fn] === 1 || (host !== undefined && holdsHost(args))) : 0;
      if (remote !== null && at !== remote.self) {
        pid = this.takePid(at);
        if (link) (p.links ??= new Set()).add(pid);
        if (ref !== 0) (p.monitors ??= new RefTable()).set(ref, pid);
        remote.spawnAt(at, pid, fn, args, p.pid, link, supervised, ref, this.childKey(p.pid)); // counted where it starts
      } else {
        const child = this.spawn(fn, args, p.pid, link);
        child.supervised = supervised;
        pid = child.pid;
        if (ref !== 0 && !this.signals.watch(p.pid, pid, ref)) this.deliver(p.pid, "exit", new ExitNotice(pid, "noproc", ref));
      }
      return ref !== 0 ? [pid, ref] : pid;
    } catch (e) {
      return failureValue(e); // vm.spawn is fallible: too many processes is its error value
    }
  }

  /** A new ref, unique for the VM's life on every scheduler (servers.ts). */
  newRef(): number {
    return this.remote !== null ? this.remote.newRef() : this.nextRef++;
  }

  isAlive(pid: number): boolean {
    return this.procs.has(pid) || (this.remote !== null && this.remote.alive(pid));
  }

  /**
   * `p.alive()` as Erlang's is_process_alive: for a process on another scheduler, the answer
   * comes after every signal the caller sent it (so a kill is seen), and the caller parks.
   */
  aliveFrom(pid: number): boolean | Promise<unknown> {
    if (this.procs.has(pid) || this.remote === null) return this.procs.has(pid);
    return this.remote.ask(pid, Question.Alive) ?? false;
  }

  /**
   * The run has more runnable work than this scheduler can do (or spreads from the start):
   * once, if it may, it becomes a run of several schedulers.
   */
  goParallel(): Promise<void> | undefined {
    const parallel = this.opts.parallel;
    if (parallel === undefined || !this.mayGoParallel()) return undefined;
    this.wentParallel = true;
    return parallel(this);
  }

  /** The run is on one scheduler and asked for more: it has not gone parallel (yet). */
  private mayGoParallel(): boolean {
    return (this.opts.schedulers ?? 1) !== 1 && this.remote === null && !this.wentParallel;
  }

  /**
   * The run looks like it may soon go parallel (one busy tick): the other schedulers' threads
   * start now, so that a thread's start-up (Node's own, then loading Raft) overlaps the ticks
   * that decide, instead of following them. Nothing happens if the run could not go parallel.
   */
  prepareParallel(): void {
    if (this.mayGoParallel()) this.opts.prepareParallel?.(this);
  }

  private wentParallel = false;

  /** From now on the run has other schedulers, reached through `remote` (threads/pool.ts). */
  becomeShared(remote: Remote): void {
    const shared = remote.shared;
    shared.loc.startAt(this.nextPid);
    this.procs.forEach((p) => shared.loc.add(p.pid, remote.self, Infinity));
    shared.setRef(this.nextRef);
    this.registry.share(shared.names, (pid) => this.isAlive(pid));
    this.remote = remote;
  }

  /** The run's start on the process-wide monotonic clock (the same on every thread). */
  t0Monotonic(): number {
    return this.t0;
  }

  /** Is `name` a native that every scheduler has (not one an embedder added)? */
  builtinNative(name: string): boolean {
    return this.opts.builtinNatives?.has(name) ?? false;
  }

  /** Processes spawned, reductions and messages counted on this scheduler. */
  stats(): RunOutcome["stats"] {
    return { processes: this.spawned, reductions: this.sched.reductions, messages: this.messages, memory: heapPeak(this) };
  }

  // ── messages ────────────────────────────────────────────────────────────────────────

  /** SendMessage: `typeConst` is the constant-pool index of the message's static type. */
  /** SendMessage; `fresh`: `value` is a vector or tuple just made and held nowhere else (compiled code knows). */
  sendFromCode(p: Process, to: number, typeConst: number, value: unknown, fresh = false): void {
    if (typeof to !== "number") throw fault("send: not a process", C.bad_code);
    this.sendValue(p, to, this.program.constKeys[typeConst], this.copyMessage(value, p, fresh));
  }

  /**
   * What a message's copy puts in place of each host value, sent by `from` (host-types.ts);
   * undefined when the embedder defined no host types.
   */
  private hostCopier(from: Process | null): ((h: HostValue) => HostValue) | undefined {
    // (The closure is made elsewhere: a closure here would cost its context at every send.)
    return this.opts.hostTypes ? hostSender(this, from) : undefined;
  }

  /** A message's private copy, its work charged (what the receiver gets: messages are copied); `from` sends it. */
  copyMessage(value: unknown, from: Process | null = this.current, fresh = false): unknown {
    if (value instanceof KError) throw usedError(value);
    const copy = fresh ? copyInside(value as unknown[], this.hostCopier(from)) : deepCopy(value, this.hostCopier(from));
    if (typeof copy === "object" && copy !== null) {
      // One walk for the copy's work and, when it is delivered here, its admission (sizeOfCopy).
      const n = sizeOfValue(copy, messageSizeCap(this));
      this.chargeWork(copyWorkOf(n));
      this.sized = copy;
      this.sizedBytes = n;
    }
    return copy;
  }

  /** The size copyMessage took of `copy` if it is the copy it made last (taken once), else -1. */
  sizeOfCopy(copy: unknown): number {
    if (copy !== this.sized || copy === null) return -1;
    this.sized = null;
    return this.sizedBytes;
  }

  /** `p` sends `copy` (its own copy: copyMessage), of static type `type`, to `to`. */
  sendValue(p: Process, to: number, type: string, copy: unknown): void {
    if (this.log.debug) this.log.log("debug", `send ${pidString(p.pid)} -> ${pidString(to)} ${type}${this.isAlive(to) ? "" : " (dropped: no such process)"}`);
    this.deliver(to, type, copy);
  }

  /** A message that reached its process by another way than `deliver` (a call's reply). */
  countMessage(): void {
    this.messages++;
  }

  /**
   * Puts a message in `to`'s mailbox (dropped if `to` has ended). A process waiting for a
   * message of this type gets it directly instead: it has none of that type queued (or it
   * would not be waiting), so this is the message its receive would take.
   */
  deliver(to: number, type: string, value: unknown): void {
    const q = this.procs.get(to);
    if (!q) {
      if (this.remote !== null && !this.staysHere(to, type, value)) this.remote.send(to, type, value); // counted where it arrives
      return;
    }
    this.messages++;
    if (q.supervisor !== null) return;
    if (this.opts.hostTypes) this.hostArrived(q, type, value);
    if (q.status === Status.Receiving && q.waitType === type) {
      this.handOff(q, value);
      admitMessage(this, q, value); // charged in q's hands, where a measurement sees it (heap.ts)
      return;
    }
    let box = q.mailbox;
    if (box.length >= this.maxMailbox) return this.mailboxOverflow(q);
    if (!admitMessage(this, q, value)) return; // heap charge (heap.ts)
    if (box === NO_MAIL) q.mailbox = box = new Mailbox();
    box.push(type, value);
    // A receive { } waiting for this type runs again and takes it: it had nothing of its
    // types queued, so this message is now the oldest it matches.
    if (q.waitSet >= 0 && q.status === Status.Receiving && (this.program.consts[q.waitSet] as TypeSet).pos.has(type)) {
      if (q.timerSeq !== 0) this.sched.cancelTimer(q);
      q.timedOut = false;
      q.waitSet = -1;
      this.sched.makeRunnable(q);
    }
  }

  /** Message `value` of type `type` reached `q` here: copies of host values in it become q's (host-types.ts). */
  hostArrived(q: Process, type: string, value: unknown): void {
    if (this.opts.hostTypes && keyHoldsHost(type)) arrive(this, q, value);
  }

  /**
   * Host values never cross threads (host-types.ts): a message holding one for process `to` on
   * another scheduler is dropped, with a warning. (A process that can receive a message of a
   * type that holds a host type lives on scheduler 0, so only one that could never take it
   * from its mailbox is elsewhere.) True when it was dropped.
   */
  staysHere(to: number, type: string, value: unknown): boolean {
    if (!this.opts.hostTypes || !keyHoldsHost(type) || !holdsHost(value)) return false;
    if (this.log.enabled("warn")) this.log.log("warn", `a message of type ${type} for ${pidString(to)} was dropped: it holds host values, which stay on the embedder's scheduler, and ${pidString(to)} runs on another`);
    return true;
  }

  /** A delivery past --max-mailbox ends the receiver (the sender never fails). */
  private mailboxOverflow(q: Process): void {
    if (this.log.enabled("warn")) this.log.log("warn", `mailbox_overflow ${pidString(q.pid)}: more than ${this.maxMailbox} queued messages (--max-mailbox)`);
    if (q === this.current) throw new HardExit(C.mailbox_overflow);
    this.exit(q, "mailbox_overflow");
  }

  /** Wakes a waiting receiver with `value` as what its receive returns (`receive` takes it, in either tier). */
  private handOff(q: Process, value: unknown): void {
    if (q.timerSeq !== 0) this.sched.cancelTimer(q);
    q.timedOut = false;
    q.hasResume = true;
    q.resumeReceive = true;
    q.resumeValue = value;
    this.sched.makeRunnable(q);
  }

  /**
   * Selective receive: the oldest message of the wanted type, or NO_MESSAGE after arranging
   * to wait (with a timeout when ms >= 0). A timed-out wait yields a "timeout" error value.
   */
  receive(p: Process, typeConst: number, timed: boolean, ms: number): unknown {
    if (p.resumeReceive) {
      // The message handed over while it waited here (handOff).
      p.resumeReceive = false;
      p.hasResume = false;
      const v = p.resumeValue;
      p.resumeValue = null;
      return v;
    }
    const want = this.program.constKeys[typeConst];
    if (timed && (typeof ms !== "number" || !(ms >= 0))) return badTimeout(ms);
    const box = p.mailbox;
    if (box.length !== 0) {
      const m = box.take(want);
      if (m !== NONE) {
        if (p.timerSeq !== 0) this.sched.cancelTimer(p);
        p.timedOut = false;
        return m;
      }
    }
    if (timed) {
      if (p.timedOut || ms === 0) {
        p.timedOut = false;
        return new KError(`receive timeout: no message of type ${want} within ${ms} ms`, C.timeout);
      }
      if (p.timerSeq === 0) this.sched.armReceiveTimeout(p, ms);
    }
    p.waitType = want;
    p.waitSet = -1;
    p.status = Status.Receiving;
    return NO_MESSAGE;
  }

  /**
   * The receive { } statement (ReceiveSelect): takes the oldest message whose type is in the
   * type set at constant `setConst` — one look at the head of each of those types' queues —
   * leaves it in `selected` and returns its type's position in the set; returns -1 when a
   * timed wait is over (`selected` null), or SELECT_WAIT after arranging to wait (with a
   * timeout when timed). A delivery of any of the set's types makes the process run the
   * instruction again (deliver). A negative timeout is the fault `vm.receive(ms)` returns as
   * an error value (code "range"): the statement has no value to carry it.
   */
  receiveSelect(p: Process, setConst: number, timed: boolean, ms: number): number {
    if (timed && (typeof ms !== "number" || !(ms >= 0))) throw new Fault(badTimeout(ms));
    const keys = (this.program.consts[setConst] as TypeSet).keys;
    if (keys.length > 16) this.chargeWork(keys.length >> 4); // one queue head looked at per arm
    const box = p.mailbox;
    if (box.length !== 0) {
      const i = box.oldestOf(keys);
      if (i >= 0) {
        this.selected = box.take(keys[i]);
        if (p.timerSeq !== 0) this.sched.cancelTimer(p);
        p.timedOut = false;
        p.waitSet = -1;
        return i;
      }
    }
    if (timed) {
      if (p.timedOut || ms === 0) {
        p.timedOut = false;
        p.waitSet = -1;
        this.selected = null;
        return -1;
      }
      if (p.timerSeq === 0) this.sched.armReceiveTimeout(p, ms);
    }
    p.waitType = "";
    p.waitSet = setConst;
    p.status = Status.Receiving;
    return SELECT_WAIT;
  }

  // ── natives ─────────────────────────────────────────────────────────────────────────

  /** `sp`: the interpreter's exact stack top, for the heap check of the result; -1 from compiled code (heap.ts, chargeNative). */
  callNative(p: Process, idx: number, args: unknown[], typeConst: number, sp = -1): unknown {
    const ctx = this.ctx;
    ctx.self = p.pid;
    ctx.proc = p;
    ctx.argTypes = typeConst >= 0 ? (this.program.constType(typeConst) as { elems: Type[] }).elems : null;
    ctx.typeConst = typeConst;
    const fn: NativeFn = this.program.natives[idx];
    try {
      let r = fn(ctx, args);
      // A rejection names the native too, as a throw does.
      if (r instanceof Promise) r = r.catch((e: unknown) => Promise.reject(this.nativeFailure(idx, e)));
      chargeNative(this, p, r, args, ctx.charge, sp); // heap accounting (heap.ts)
      return r;
    } catch (e) {
      throw this.nativeFailure(idx, e);
    }
  }

  /** What a native's throw or rejection `e` becomes: the fault `native NAME failed: ...` (a Fault or an exit as it is). */
  private nativeFailure(idx: number, e: unknown): unknown {
    if (e instanceof Fault || e instanceof ProgramExit) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return fault(`native ${this.program.nativeNames[idx]} failed: ${msg}`, C.native);
  }

  /**
   * Ext: runs `site`, a use of an extension opcode (ext-opcodes.ts), for `p`, whose local
   * slot s is `frame[base + s]`; its result is charged as a native's (`sp` as for callNative).
   */
  execExt(p: Process, site: ExtSite, args: unknown[], frame: readonly unknown[], base: number, sp = -1): unknown {
    const r = runExt(p, site, args, frame, base, this.program.consts, this.chargeWork);
    chargeNative(this, p, r, args, this.chargeWork, sp); // heap accounting (heap.ts)
    return r;
  }

  /** Parks `p` until `promise` settles (Scheduler.park). */
  park(p: Process, promise: Promise<unknown>): void {
    this.sched.park(p, promise);
  }

  supervisorOp(p: Process, name: string, args: unknown[], fnIndex: number): unknown {
    if (!this.supervisors) throw fault("supervisors are not available in this VM", C.unsupported);
    return this.supervisors.op(this, p, name, args, fnIndex);
  }

  // ── the end of a process ────────────────────────────────────────────────────────────

  /**
   * Ends process `p` with `reason`: its timer is cancelled, its name released, then its
   * monitors and links hear of it (signals.ts) and supervisors through them. `cause`: it was
   * ended by an exit signal (who sent it, and the panic the chain began with).
   */
  exit(p: Process, reason: string, cause: ExitCause | null = null): void {
    if (p.status === Status.Dead) return;
    if (p.status === Status.Parked) this.sched.parked--;
    p.status = Status.Dead;
    p.exitReason = reason;
    this.sched.cancelTimer(p);
    this.servers.outlive(p);
    this.procs.delete(p.pid);
    this.registry.release(p);
    this.remote?.removed(p.pid);
    if (this.log.info) this.log.log("info", `exit ${pidString(p.pid)} ${reason === "normal" || reason === "killed" || reason === "shutdown" ? reason : `panic: ${JSON.stringify(reason)}`}`);
    this.opts.onEvent?.({ kind: "exit", pid: p.pid, reason });
    if (p.mailbox.length !== 0) p.mailbox = NO_MAIL;
    heapExit(this, p); // heap accounting (heap.ts)
    if (p.owned !== null) closeOwned(this, p); // its host values are closed (host-types.ts)
    if (p.supervisor !== null) this.supervisors?.ended(this, p);
    const origin = cause ? cause.origin : this.lastPanic !== null && this.lastPanic.pid === p.pid ? this.lastPanic : null;
    this.signals.ended(p, reason, origin);
    if (p === this.main) this.mainEnded(p, reason, cause);
  }

  private mainEnded(p: Process, reason: string, cause: ExitCause | null): void {
    if (this.resident) {
      // [resident main] the VM goes on without it; the embedder may start another main.
      this.resting = false;
      return this.resident.ended(p, reason === "normal" ? null : this.endInfo(p, reason, cause));
    }
    if (reason === "normal") {
      const prog = this.program;
      const fn = prog.pcFn[p.pc] ?? 0;
      const bottom = p.fp === 0 ? prog.fnLocals[fn] : p.base + prog.fnLocals[fn];
      const left = p.stack.slice(bottom, p.sp);
      this.stop(0, null, left);
      return;
    }
    this.stop(1, this.endInfo(p, reason, cause));
  }

  /** How process `p`'s abnormal end is reported: its own panic, or the signal that ended it. */
  private endInfo(p: Process, reason: string, cause: ExitCause | null): PanicInfo {
    if (cause) {
      const info: PanicInfo = { pid: p.pid, message: reason, trace: [], from: cause.from, linked: cause.linked };
      if (cause.origin) info.origin = cause.origin;
      return info;
    }
    return this.lastPanic && this.lastPanic.pid === p.pid ? this.lastPanic : { pid: p.pid, message: reason, trace: [] };
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
    p.waitSet = -1;
    this.resting = false;
    this.sched.makeRunnable(p);
    return p;
  }

  /** Main finished the code it was given: it rests, alive (Scheduler.runSlice). */
  rest(p: Process): void {
    p.status = Status.Receiving;
    p.waitType = "\u0000resting";
    p.waitSet = -1;
    this.resting = true;
    this.resident!.done(p);
  }

  // ── panics ──────────────────────────────────────────────────────────────────────────

  recordPanic(p: Process, err: KError, pc: number): void {
    p.exitReason = panicReason(err.message);
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
}

export { pidString };

/**
 * The exit reason of a process that panicked with `message`: the message itself, unless it is
 * a reason the VM reads a meaning into — "normal" (a clean end: links ignore it, a transient
 * child is not restarted, main exits with 0) or "noproc" (what vm.call reports for a process
 * that does not exist) — which becomes "panic: normal" or "panic: noproc". A panic is never
 * taken for a clean end, as Erlang's error(normal) ends a process with {normal, Stack}.
 */
export function panicReason(message: string): string {
  return message === "normal" || message === "noproc" ? `panic: ${message}` : message;
}

/** A negative (or, from hand-written bytecode, non-numeric) receive timeout: code "range". */
function badTimeout(ms: unknown): KError {
  return new KError(`receive: bad timeout ${ms} (it must be 0 or more)`, C.range);
}

/** "a", "a or b", "a, b or c": the types a receive { } waits for, for a deadlock's message. */
function oneOf(keys: readonly string[]): string {
  return keys.length < 2 ? (keys[0] ?? "(none)") : `${keys.slice(0, -1).join(", ")} or ${keys[keys.length - 1]}`;
}

/**
 * How a panic is shown: the message, the process, and the Kaylee stack trace. A process
 * ended by an exit signal says who sent it (and whether over a link), then shows the panic
 * the chain of exits began with, with that process's trace.
 */
export function formatTrace(p: PanicInfo, file: string): string {
  if (p.from !== undefined) {
    const head = `${pidString(p.pid)} ended: exit signal from ${pidString(p.from)}${p.linked ? " (linked)" : ""}: ${p.message}\n`;
    return p.origin ? head + formatTrace(p.origin, file) : head;
  }
  const lines = [`panic in ${pidString(p.pid)}: ${p.message}`];
  for (const t of p.trace) {
    lines.push(`    at ${t.fn} (${file}:${t.line}:${t.col})`);
    if (t.repeated) lines.push(`    [the frame above repeats ${t.repeated} more times]`);
  }
  return lines.join("\n") + "\n";
}

function tooMany(max: number): Fault {
  return fault(`too many processes (--max-processes=${max})`, C.system_limit);
}

/** What hostCopier hands a message's copy: `from`'s host values as a message carries them. */
function hostSender(vm: VMCore, from: Process | null): (h: HostValue) => HostValue {
  return (h) => sendHost(vm, from, h);
}
