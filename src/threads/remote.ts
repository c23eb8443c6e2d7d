// One run's bridge between its VM on this thread and its VMs on the other scheduler threads.
//
// A VM that runs alone never has one (`VMCore.remote` is null, and every path is the single
// scheduler's). Once a run uses several schedulers, each of its VMs gets a Remote, and
// whatever concerns a process that is not in the local process table goes through it:
//   - spawning: pids come from the run's shared counter and every live process is in the
//     shared location table (locations.ts); a new process may be placed on another
//     scheduler (SPAWN);
//   - a message to a process elsewhere (MSG), an exit signal or monitor notice (SIGNAL), the
//     other end of a link or a monitor (LINK, UNLINK, MONITOR, DEMONITOR), a reply to a call
//     (REPLY: vm/servers.ts);
//   - names: the run's registry is the shared one (names.ts);
//   - the observer's and the REPL's look at every scheduler: CENSUS and ROWS records, and the
//     questions Detail and Kill (survey.ts);
//   - quiescence: each scheduler says when it has nothing left for the run, and the records
//     in flight are counted, so that a main process waiting for ever is found deadlocked
//     only when no scheduler could still wake it (shared-run.ts).
// And it applies the records that other schedulers send this run (`apply`).

import { Writer, type Reader } from "./codec.js";
import { MigrationRefused, canMigrate, readProcess, writeProcess } from "./process-state.js";
import { Status, type Process } from "../vm/process.js";
import { heapArrive, heapExit } from "../vm/heap.js";
import type { Hub, RunEnd } from "./hub.js";
import { GONE } from "./locations.js";
import { OutTo, Question, Rec, SIG_LINKED, SIG_NOTICE, type Spread } from "./protocol.js";
import { STAT_MEMORY, STAT_MESSAGES, STAT_REDUCTIONS, STAT_SPAWNED, type SharedRun } from "./shared-run.js";
import type { PanicInfo, RunOutcome, VMCore, VMEvent } from "../vm/vm-core.js";
import { answerAbout } from "../vm/introspect.js";
import { notRegistered } from "../vm/registry.js";
import { detailText, writeRows, type Survey } from "./survey.js";
import { Fault, KError, fault } from "../vm/values.js";
import { C } from "../vm/error-codes.js";
import { nextFloat, streamState } from "../vm/random.js";
import type { NativeFn } from "../vm/native-api.js";

/** How far into the run queue (from its young end) a share looks for processes to move. */
const SCAN = 4096;

/** A message record's body (Remote.send): no closure, so that a message allocates none. */
function writeMessage(w: Writer, to: number, type: string, value: unknown): void {
  w.i32(to);
  w.str(type);
  w.value(value);
}

/** A reply record's body (Remote.reply). */
function writeReply(w: Writer, to: number, ref: number, type: string, value: unknown): void {
  w.i32(to);
  w.f64(ref);
  w.str(type);
  w.value(value);
}

export class Remote implements RunEnd {
  /** Statistics not yet added to the shared counters. */
  private reductions0 = 0;
  private messages0 = 0;
  private spawned0 = 0;
  private memory0 = 0;

  constructor(
    readonly vm: VMCore,
    readonly hub: Hub,
    readonly run: number,
    readonly shared: SharedRun,
    /** How many schedulers the run may use (ids 0 .. schedulers-1). */
    readonly schedulers: number,
    /**
     * RAFT_SPREAD: new processes go round the schedulers in turn; with "move" (tests of the
     * cross-thread paths) half of the runnable processes also move on to the next scheduler
     * every few slices.
     */
    spreadMode: Spread | undefined = undefined,
  ) {
    this.placeRound = spreadMode !== undefined;
    this.spread = spreadMode === "move";
  }

  /** New processes go round the schedulers in turn (RAFT_SPREAD). */
  private readonly placeRound: boolean;
  /** Runnable processes keep moving on (RAFT_SPREAD=1, tests). */
  readonly spread: boolean;

  get self(): number {
    return this.hub.id;
  }

  // ── processes ───────────────────────────────────────────────────────────────────────

  newPid(): number {
    return this.shared.loc.nextPid();
  }

  /** Records `pid` as living on scheduler `at`; false when `max` processes are alive already. */
  admit(pid: number, at: number, max: number): boolean {
    return this.shared.loc.add(pid, at, max);
  }

  removed(pid: number): void {
    this.shared.loc.remove(pid);
  }

  alive(pid: number): boolean {
    return this.shared.loc.owner(pid) !== GONE;
  }

  /** Round-robin placement (spread), for tests of the cross-thread paths. */
  private turn = 0;

  /**
   * The scheduler a new process starts on: the spawner's, as the BEAM does (what it is sent
   * first is local, and a tree of processes stays together); a scheduler with more than it
   * can do hands work to idle ones after its ticks (`ticked`). A process that must live on
   * the embedder's thread (`home`: it can run an extension opcode or touch a host value) starts
   * on scheduler 0.
   */
  place(home: boolean): number {
    if (home) return 0;
    if (this.placeRound) return (this.turn = (this.turn + 1) % this.schedulers);
    return this.self;
  }

  /**
   * Starts `fn(args)` as `pid` on scheduler `s` (the pid is taken and recorded there), linked
   * to `parent` or monitored by it with `monitorRef` (not 0) as the spawner asked; `key` is its
   * random stream's key under a seed.
   */
  spawnAt(s: number, pid: number, fn: number, args: unknown[], parent: number, link: boolean, supervised: boolean, monitorRef: number, key: [number, number]): void {
    const w = this.begin(Rec.Spawn);
    w.i32(pid);
    w.i32(parent);
    w.i32(fn);
    w.u8((link ? 1 : 0) | (supervised ? 2 : 0));
    w.i32(key[0]);
    w.i32(key[1]);
    w.f64(monitorRef);
    w.value(args);
    this.push(s);
  }

  // ── messages and signals ────────────────────────────────────────────────────────────

  /**
   * Writes a record of `kind` for process `to` (`write(w, to, a, b, c)` adds what follows the
   * kind and run) and pushes it to the scheduler that owns `to`, holding a pin on `to` meanwhile so
   * that it cannot move away in between. False (nothing pushed) if `to` has ended. The hot
   * records (messages, replies) pass a function that closes over nothing and their values as
   * `a`, `b` and `c`, so that sending one allocates no closure.
   */
  private toOwner<A, B, C>(to: number, kind: Rec, write: (w: Writer, to: number, a: A, b: B, c: C) => void, a: A, b: B, c: C): boolean {
    const loc = this.shared.loc;
    const pinned = loc.pin(to, this.holdIdle);
    if (pinned < 0) return false;
    try {
      write(this.begin(kind), to, a, b, c);
      this.push(loc.pinnedOwner(pinned));
    } finally {
      loc.unpin(pinned);
    }
    return true;
  }

  /** A message for `to`, which is not here; false if it has ended. */
  send(to: number, type: string, value: unknown): boolean {
    return this.toOwner(to, Rec.Msg, writeMessage, type, value, null);
  }

  /** An exit signal or (notice) a monitor's notice for `to`, which is not here. */
  signal(from: number, to: number, reason: string, linked: boolean, notice: boolean, ref: number, origin: PanicInfo | null): boolean {
    return this.toOwner(to, Rec.Signal, (w) => {
      w.i32(from);
      w.i32(to);
      w.str(reason);
      w.u8((linked ? SIG_LINKED : 0) | (notice ? SIG_NOTICE : 0));
      w.f64(ref);
      writePanic(w, origin);
    }, null, null, null);
  }

  /** Tells `to`'s scheduler of a link `from` made (false: `to` has ended). */
  link(from: number, to: number): boolean {
    return this.pair(Rec.Link, from, to);
  }

  unlink(from: number, to: number): void {
    this.pair(Rec.Unlink, from, to);
  }

  /** Monitor `ref` of `target` held by `watcher` (false: `target` has ended). */
  monitor(ref: number, watcher: number, target: number): boolean {
    return this.pair(Rec.Monitor, watcher, target, ref);
  }

  demonitor(ref: number, watcher: number, target: number): void {
    this.pair(Rec.Demonitor, watcher, target, ref);
  }

  private pair(kind: Rec, from: number, to: number, ref = 0): boolean {
    return this.toOwner(to, kind, (w) => {
      w.i32(from);
      w.i32(to);
      w.f64(ref);
    }, null, null, null);
  }

  /** vm.reply's answer to the call `ref` of process `to`, which is not here (dropped if it has ended). */
  reply(to: number, ref: number, type: string, value: unknown): void {
    this.toOwner(to, Rec.Reply, writeReply, ref, type, value);
  }

  private nextAsk = 1;
  private readonly asked = new Map<number, (answer: unknown) => void>();

  /**
   * Asks `pid`'s scheduler `q` about it (with `payload`, a value): the answer comes after
   * everything this scheduler sent that process before (the asking process parks on the
   * promise). Undefined if it has ended.
   */
  ask(pid: number, q: Question, payload: unknown = null): Promise<unknown> | undefined {
    const id = this.nextAsk;
    const sent = this.toOwner(pid, Rec.Ask, (w) => {
      w.i32(id);
      w.u8(this.self);
      w.u8(q);
      w.i32(pid);
      w.value(payload);
    }, null, null, null);
    if (!sent) return undefined;
    this.nextAsk++;
    return new Promise<unknown>((resolve) => this.asked.set(id, resolve));
  }

  // ── the observer's and the REPL's look at every scheduler (survey.ts) ──────────────

  /** Scheduler 0's survey of the other schedulers' processes, once someone has looked. */
  survey: Survey | null = null;

  /** Asks scheduler `s` for the rows of its processes after pid `after`, at most `max` (a ROWS answer, tagged `id`). */
  census(s: number, id: number, after: number, max: number): void {
    const w = this.begin(Rec.Census);
    w.i32(id);
    w.u8(this.self);
    w.i32(after);
    w.u32(max);
    this.push(s);
  }

  // ── the embedder's thread: natives, output and events ─────────────────────────────

  private nextCall = 1;
  private readonly calls = new Map<number, { p: Process; ok: (v: unknown) => void; fail: (e: unknown) => void }>();

  /**
   * Process `p` here calls `name`, a native that lives on the embedder's thread (scheduler
   * 0): the call goes there with its arguments (copied, as a message is), `p` parks on the
   * promise, and the answer comes back as a RETURN. `room` is how many bytes `p` may still
   * hold, which bounds what a read made for it there may take. Under a seed, the stream `p`
   * draws from goes along and comes back advanced.
   */
  callHome(name: string, p: Process, args: unknown[], room: number): Promise<unknown> {
    const id = this.nextCall++;
    const w = this.begin(Rec.Call);
    w.i32(id);
    w.u8(this.self);
    w.i32(p.pid);
    w.str(name);
    w.f64(room);
    writeStreamState(w, this.vm.opts.seed === undefined ? null : (p.rng ??= streamState(p.key0, p.key1)));
    try {
      w.value(args);
    } catch (e) {
      if (e instanceof RangeError) throw fault(`${name}: its arguments cannot go to the embedder's thread (${e.message})`, C.native);
      throw e;
    }
    this.push(0);
    return new Promise((ok, fail) => this.calls.set(id, { p, ok, fail }));
  }

  /** Natives of this run's module on scheduler 0, by name (for CALL). */
  private homeNatives: Map<string, NativeFn> | null = null;

  /** Runs a CALL here (scheduler 0) and sends its RETURN when it has settled. */
  private runCall(r: Reader): void {
    const vm = this.vm;
    const id = r.i32();
    const from = r.u8();
    const pid = r.i32();
    const name = r.str();
    const room = r.f64();
    const stream = readStream(r);
    const args = r.value() as unknown[];
    if (this.homeNatives === null) {
      const prog = vm.program;
      this.homeNatives = new Map(prog.nativeNames.map((n, i) => [n, prog.natives[i]]));
    }
    const fn = this.homeNatives.get(name);
    // What the native sees: the caller's pid, the caller's random stream, and a read budget
    // of the caller's room (its heap is on its own thread, which counts the result on arrival).
    const ctx = {
      host: vm.host,
      self: pid,
      random: stream === null ? vm.opts.random : () => nextFloat(stream),
      now: () => vm.now(),
      argTypes: null,
      charge: () => {},
      readRoom: room,
    };
    const answer = (v: unknown, err: KError | null): void => {
      if (vm.isStopped) return;
      const w = this.begin(Rec.Return);
      w.i32(id);
      writeStreamState(w, stream);
      if (err === null) {
        w.u8(0);
        try {
          w.value(v);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          return answer(null, new KError(`${name}: its result cannot go to the caller's thread (${e.message})`, C.native));
        }
      } else {
        w.u8(1);
        w.str(err.message);
        w.str(err.code);
      }
      this.push(from);
    };
    const failed = (e: unknown): void => answer(null, e instanceof Fault ? e.error : new KError(`native ${name} failed: ${e instanceof Error ? e.message : String(e)}`, C.native));
    if (fn === undefined) return failed(new Error("no such native on the embedder's thread"));
    let result: unknown;
    try {
      result = fn(ctx, args);
    } catch (e) {
      return failed(e);
    }
    if (result instanceof Promise) result.then((v) => answer(v, null), failed);
    else answer(result, null);
  }

  /** A RETURN: the parked caller goes on with the value, or with the fault. */
  private returned(r: Reader): void {
    const id = r.i32();
    const call = this.calls.get(id);
    this.calls.delete(id);
    const state = readStream(r);
    if (call === undefined) return;
    if (state !== null) call.p.rng = state;
    if (r.u8() === 0) call.ok(r.value());
    else {
      const message = r.str();
      call.fail(new Fault(new KError(message, r.str())));
    }
  }

  /** Text for scheduler 0's host (an embedder that takes the output itself). */
  output(to: OutTo, text: string): void {
    const w = this.begin(Rec.Out);
    w.u8(to);
    w.str(text);
    this.push(0);
  }

  /** An event for scheduler 0's onEvent. */
  event(e: VMEvent): void {
    if (e.kind === "log") return; // log lines go as OUT, and scheduler 0's logger tells onEvent
    const w = this.begin(Rec.Event);
    if (e.kind === "spawn") {
      w.u8(0);
      w.i32(e.pid);
      w.str(e.fn);
      w.i32(e.parent);
    } else if (e.kind === "exit") {
      w.u8(1);
      w.i32(e.pid);
      w.str(e.reason);
    } else {
      w.u8(2);
      w.i32(e.old);
      w.i32(e.pid);
      w.i32(e.supervisor);
      w.str(e.strategy);
    }
    this.push(0);
  }

  private takeEvent(r: Reader): VMEvent {
    const k = r.u8();
    if (k === 0) return { kind: "spawn", pid: r.i32(), fn: r.str(), parent: r.i32() };
    if (k === 1) return { kind: "exit", pid: r.i32(), reason: r.str() };
    return { kind: "restart", old: r.i32(), pid: r.i32(), supervisor: r.i32(), strategy: r.str() };
  }

  /** vm.exit(code), or the run's reduction budget spent, on a scheduler other than 0. */
  exitRun(code: number): void {
    const w = this.begin(Rec.Exit);
    w.i32(code);
    this.push(0);
  }

  newRef(): number {
    return this.shared.nextRef();
  }

  // ── the run's end ───────────────────────────────────────────────────────────────────

  /** Called once the run has ended on scheduler 0 (the pool lets its threads rest). */
  onEnd: (() => void) | null = null;

  /** Scheduler 0 ends the run: every other scheduler drops it. */
  stopAll(): void {
    this.shared.stop();
    for (let s = 0; s < this.schedulers; s++) {
      if (s === this.self) continue;
      this.begin(Rec.Stop);
      this.push(s);
    }
    this.flushStats();
    this.onEnd?.();
    this.onEnd = null;
  }

  // ── quiescence ──────────────────────────────────────────────────────────────────────

  /**
   * This scheduler has nothing runnable, no timer and no host call pending for the run. If no
   * scheduler of the run can ever be woken again, the main process's scheduler (0) hears of
   * it and reports the deadlock; meanwhile this thread sleeps until a record comes.
   */
  idle(then: () => void): void {
    this.flushStats();
    this.shared.publishLoad(this.self, 0);
    this.shared.idle(this.self);
    if (this.shared.quiescent(this.schedulers)) {
      if (this.self === 0) {
        this.vm.deadlock();
        if (this.vm.isStopped) return;
      } else {
        this.begin(Rec.Wake);
        this.push(0);
      }
    }
    this.hub.sleep(then);
  }

  /**
   * After a tick: publish this scheduler's load, add statistics to the run's totals, and if
   * processes are waiting here while another scheduler of the run has nothing to do, hand
   * it half of them.
   */
  ticked(busy: boolean): void {
    const waiting = this.vm.sched.runnable;
    this.shared.publishLoad(this.self, waiting);
    this.flushStats();
    if (this.spread ? waiting >= 1 : busy) this.share(waiting);
  }

  /** Every few slices within a tick (what has arrived is taken after every slice): when spreading, move some on. */
  midTick(): void {
    if (this.spread && this.vm.sched.runnable !== 0) this.share(this.vm.sched.runnable);
  }

  private readonly probe = new Writer();

  /** Moves half of the `waiting` runnable processes to an idle scheduler of the run, if any. */
  private share(waiting: number): void {
    let to = -1;
    if (this.spread) to = (this.self + 1) % this.schedulers;
    else for (let s = 0; s < this.schedulers; s++) if (s !== this.self && this.shared.load(s) === 0 && !this.shared.isActive(s)) to = s;
    if (to < 0) return;
    const vm = this.vm;
    // Half of those that use whole slices (a process that soon waits again gains nothing by
    // moving, and its messages would cross threads): any, when spreading.
    const half = (waiting + (this.spread ? 1 : 0)) >> 1;
    const give = vm.sched.takeWhere(half, SCAN, (p) => p !== vm.main && (this.spread || p.hungry) && canMigrate(p));
    let moved = 0;
    for (const p of give) {
      if (this.moveOut(p, to)) moved++;
      // It stays, runnable — unless what arrived while others moved (moveOut polls the inbox)
      // ended it: a process that has ended never runs (or moves) again.
      else if (p.status === Status.Runnable) vm.sched.makeRunnable(p);
    }
    if (moved !== 0) this.shared.publishLoad(to, moved); // until it publishes its own
    if (vm.log.debug) vm.log.log("debug", `scheduler ${this.self}: ${moved} of ${waiting} runnable processes moved to scheduler ${to}`);
  }

  /** Hands runnable `p` to scheduler `to` (false: it cannot move, and stays). */
  private moveOut(p: Process, to: number): boolean {
    // A value that cannot cross (a cycle, from hand-written bytecode) keeps it here.
    const vm = this.vm;
    try {
      writeProcess(this.probe.reset(), p, vm.now());
    } catch (e) {
      if (e instanceof MigrationRefused || e instanceof RangeError) return false;
      throw e;
    }
    return this.shared.loc.move(p.pid, to, this.holdIdle, () => {
      // No one can send to p now, and what was sent before is in our inbox: deliver it.
      this.hub.poll();
      if (vm.isStopped || p.status !== Status.Runnable) return false;
      const w = this.begin(Rec.Move);
      try {
        writeProcess(w, p, vm.now());
      } catch (e) {
        if (e instanceof MigrationRefused || e instanceof RangeError) return false;
        throw e;
      }
      this.push(to);
      vm.procs.delete(p.pid);
      heapExit(vm, p);
      vm.servers.dropTimers(p); // its send_after timers went with it
      p.status = Status.Dead; // the husk left here: no queue or table holds it
      return true;
    });
  }

  arrived(): void {
    this.shared.active(this.self);
  }

  private flushStats(): void {
    const s = this.vm.stats();
    this.shared.count(STAT_REDUCTIONS, s.reductions - this.reductions0);
    this.shared.count(STAT_MESSAGES, s.messages - this.messages0);
    this.shared.count(STAT_SPAWNED, s.processes - this.spawned0);
    this.shared.count(STAT_MEMORY, s.memory - this.memory0);
    this.reductions0 = s.reductions;
    this.messages0 = s.messages;
    this.spawned0 = s.processes;
    this.memory0 = s.memory;
  }

  /** The run's totals so far: every scheduler's reported ones, and ours not yet reported. */
  runCounters(): { reductions: number; messages: number; spawned: number } {
    const s = this.vm.stats();
    return {
      reductions: this.shared.stat(STAT_REDUCTIONS) + (s.reductions - this.reductions0),
      messages: this.shared.stat(STAT_MESSAGES) + (s.messages - this.messages0),
      spawned: this.shared.stat(STAT_SPAWNED) + (s.processes - this.spawned0),
    };
  }

  /** Reductions of the whole run so far: every scheduler's reported ones, and ours not yet reported. */
  runReductions(): number {
    return this.shared.stat(STAT_REDUCTIONS) + (this.vm.sched.reductions - this.reductions0);
  }

  /**
   * The run's totals over every scheduler (scheduler 0, after stopAll). `memory` is the sum of
   * each scheduler's own peak, so with several schedulers it is an upper bound on the most the
   * run's processes held at once.
   */
  totals(): RunOutcome["stats"] {
    return {
      processes: this.shared.stat(STAT_SPAWNED),
      reductions: this.shared.stat(STAT_REDUCTIONS),
      messages: this.shared.stat(STAT_MESSAGES),
      memory: this.shared.stat(STAT_MEMORY),
    };
  }

  // ── records from other schedulers ───────────────────────────────────────────────────

  apply(kind: Rec, r: Reader): void {
    const vm = this.vm;
    try {
      switch (kind) {
        case Rec.Spawn: {
          const pid = r.i32();
          const parent = r.i32();
          const fn = r.i32();
          const flags = r.u8();
          const key: [number, number] = [r.i32(), r.i32()];
          const monitorRef = r.f64();
          vm.spawnPlaced(pid, fn, r.value() as unknown[], parent, (flags & 1) !== 0, (flags & 2) !== 0, monitorRef, key);
          break;
        }
        case Rec.Msg: {
          const to = r.i32();
          const type = r.key();
          vm.deliver(to, type, r.value());
          break;
        }
        case Rec.Signal: {
          const from = r.i32();
          const to = r.i32();
          const reason = r.key();
          const flags = r.u8();
          const ref = r.f64();
          const origin = readPanic(r);
          vm.signals.arrived(from, to, reason, (flags & SIG_LINKED) !== 0, (flags & SIG_NOTICE) !== 0, ref, origin);
          break;
        }
        case Rec.Link:
        case Rec.Unlink:
        case Rec.Monitor:
        case Rec.Demonitor: {
          const from = r.i32();
          const to = r.i32();
          const ref = r.f64();
          if (kind === Rec.Link) vm.signals.linkedFrom(from, to);
          else if (kind === Rec.Unlink) vm.signals.unlinkedFrom(from, to);
          else if (kind === Rec.Monitor) vm.signals.monitoredFrom(ref, from, to);
          else vm.procs.get(to)?.monitoredBy?.delete(ref);
          break;
        }
        case Rec.Ask: {
          const id = r.i32();
          const from = r.u8();
          const q = r.u8() as Question;
          const pid = r.i32();
          const payload = r.value();
          const reply = (answer: unknown): void => {
            if (vm.isStopped) return;
            const w = this.begin(Rec.Answer);
            w.i32(id);
            w.value(answer);
            this.push(from);
          };
          if (q === Question.Alive) reply(vm.procs.has(pid));
          else if (q === Question.Detail) reply(detailText(vm, pid));
          else if (q === Question.Kill) reply(vm.signals.fromOutside(pid, String(payload)) ? true : null);
          else if (q === Question.Register) {
            const p = vm.procs.get(pid);
            reply(p ? vm.registry.register(String(payload), p) : notRegistered(String(payload), pid));
          }
          else if (q === Question.Supervisor) {
            if (vm.supervisors) vm.supervisors.answer(vm, pid, payload, reply);
            else reply(new KError("supervisors are not available in this VM", C.unsupported));
          } else reply(answerAbout(vm, pid, q));
          break;
        }
        case Rec.Answer: {
          const id = r.i32();
          const resolve = this.asked.get(id);
          this.asked.delete(id);
          resolve?.(r.value());
          break;
        }
        case Rec.Move: {
          const p = readProcess(r, vm.now());
          vm.procs.set(p.pid, p);
          heapArrive(vm, p); // what it is charged moves with it (its old thread let go: heapExit)
          vm.servers.adoptTimers(p);
          vm.sched.makeRunnable(p);
          break;
        }
        case Rec.Census: {
          const id = r.i32();
          const from = r.u8();
          const after = r.i32();
          const max = r.u32();
          if (vm.isStopped) break;
          const w = this.begin(Rec.Rows);
          w.i32(id);
          w.u8(this.self);
          writeRows(vm, w, after, max);
          this.push(from);
          break;
        }
        case Rec.Rows: {
          const id = r.i32();
          const from = r.u8();
          this.survey?.take(id, from, r);
          break;
        }
        case Rec.Reply: {
          const to = r.i32();
          const ref = r.f64();
          const type = r.key();
          vm.servers.replied(to, ref, type, r.value());
          break;
        }
        case Rec.Exit:
          vm.stop(r.i32());
          break;
        case Rec.Wake:
          break;
        case Rec.Call:
          this.runCall(r);
          break;
        case Rec.Return:
          this.returned(r);
          break;
        case Rec.Out: {
          const to = r.u8() as OutTo;
          const text = r.str();
          if (to === OutTo.Stdout) vm.host.stdout(text);
          else if (to === OutTo.Stderr) vm.host.stderr(text);
          else vm.log.line(text);
          break;
        }
        case Rec.Event:
          vm.opts.onEvent?.(this.takeEvent(r));
          break;
        case Rec.Stop:
          vm.stopHere();
          break;
        default:
          throw new Error(`unknown record ${kind}`);
      }
    } finally {
      this.shared.handled(this.self);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────

  private readonly holdIdle = (): void => {
    // A sender waiting for a process that is moving: nothing to do here but let it move.
  };

  private begin(kind: Rec): Writer {
    return this.hub.begin(kind, this.run);
  }

  private push(to: number): void {
    this.shared.sending(this.self);
    this.hub.push(to);
  }
}

function writeStreamState(w: Writer, s: Int32Array | null): void {
  w.u8(s === null ? 0 : 1);
  if (s !== null) for (let i = 0; i < 4; i++) w.i32(s[i]);
}

function readStream(r: Reader): Int32Array | null {
  return r.u8() === 1 ? Int32Array.of(r.i32(), r.i32(), r.i32(), r.i32()) : null;
}

function writePanic(w: Writer, p: PanicInfo | null): void {
  if (p === null) {
    w.u8(0);
    return;
  }
  w.u8(1);
  w.i32(p.pid);
  w.str(p.message);
  w.u32(p.trace.length);
  for (const t of p.trace) {
    w.str(t.fn);
    w.i32(t.line);
    w.i32(t.col);
    w.i32(t.repeated ?? 0);
  }
}

function readPanic(r: Reader): PanicInfo | null {
  if (r.u8() === 0) return null;
  const pid = r.i32();
  const message = r.str();
  const n = r.u32();
  const trace: PanicInfo["trace"] = [];
  for (let i = 0; i < n; i++) {
    const fn = r.str();
    const line = r.i32();
    const col = r.i32();
    const repeated = r.i32();
    trace.push(repeated ? { fn, line, col, repeated } : { fn, line, col });
  }
  return { pid, message, trace };
}
