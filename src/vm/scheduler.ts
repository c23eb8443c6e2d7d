// The scheduler: the run queue, slices, timers, the host timer, processes parked on host
// promises, and idle and deadlock detection. Everything here is local to the thread that
// runs it; messages, signals and names (mailbox.ts, signals.ts, registry.ts) are what
// processes share.
//
// Scheduling is a plain run queue. Each turn of the host event loop runs slices — a slice is
// one process executing until its reduction budget runs out or it blocks — for a few
// milliseconds, then yields to the event loop with setImmediate so that timers and I/O
// progress. Timers (receive timeouts, sleeps, supervisor grace times) live in one heap, and a
// timer a process waits on is its own: it goes when the process ends (VMCore.exit).

import { Status, pidString, type Process } from "./process.js";
import { Exec, execute } from "./interpreter.js";
import { executeTraced } from "./trace.js";
import { Fault, KError, ProgramExit, fault } from "./values.js";
import { C } from "./error-codes.js";
import { setRunning } from "./memory.js";
import { MAX_HOST_DELAY_MS, TimerHeap } from "./timers.js";
import { RunQueue } from "./run-queue.js";
import type { VMCore } from "./vm-core.js";

/**
 * Full ticks in a row that end with processes still waiting before a run goes parallel, and
 * before a scheduler of a parallel run hands some to an idle one: a burst of spawns that then
 * wait (a ring being built) is not more work than one scheduler can do; work that keeps a
 * scheduler busy this long is.
 */
export const BUSY_TICKS = 3;

/**
 * How long a scheduler of a run on several must be about to sleep before it looks for
 * send_after timers whose destination has ended elsewhere (`idle`): they would fire into
 * nothing, and until then keep the run from being found deadlocked.
 */
const LONG_SLEEP_MS = 1000;

/** Reductions in one slice (the BEAM gives 4,000). */
export const SLICE = 4000;

/**
 * The longest slice, in SLICEs. A slice that ends inside the second tier leaves its compiled
 * frames to be rebuilt as the interpreter's, and the frames go on in the interpreter until
 * they return: about a microsecond a frame, against a few nanoseconds a reduction in compiled
 * code. A process that was stopped `d` frames deep therefore gets a next slice of
 * `SLICE * d / UNWOUND_FRAMES_PER_SLICE` reductions (at least one SLICE, at most MAX_SLICES), so
 * that the switch stays about a tenth of the slice; 16 SLICEs is well under a millisecond of
 * compiled work. The rule reads reductions and frames only, never a clock, so a run under
 * `--seed` on one scheduler stays the same run.
 */
const MAX_SLICES = 16;
const UNWOUND_FRAMES_PER_SLICE = 2;

/** The budget of a process's next slice (see MAX_SLICES). */
export function sliceFor(p: { unwoundDepth: number }): number {
  const d = p.unwoundDepth;
  if (d <= UNWOUND_FRAMES_PER_SLICE) return SLICE;
  return SLICE * Math.min(MAX_SLICES, Math.ceil(d / UNWOUND_FRAMES_PER_SLICE));
}

/** How often a VM on an embedder's clock looks at it while it waits for a timer (real ms). */
const VIRTUAL_CLOCK_POLL_MS = 10;

/**
 * A monotonic clock in milliseconds. (process.uptime() is a monotonic high-resolution clock
 * too; `performance.now()` would make Node load perf_hooks at start-up.)
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}

export class Scheduler {
  readonly timers = new TimerHeap();
  /** Reductions used by the whole run. */
  reductions = 0;
  /** Processes waiting for a host promise. */
  parked = 0;
  private readonly runQueue = new RunQueue();
  /** Processes whose timeout is to be armed at the next clock reading (deferTimer). */
  private readonly deferred: Process[] = [];
  private scheduled = false;
  private hostTimer: ReturnType<typeof setTimeout> | null = null;
  private hostTimerAt = Infinity;
  private sliceDeadline = 0;
  /** Busy ticks in a row (see tick). */
  private busyTicks = 0;
  /** Processes that used a whole slice in this tick (counted when one differs from the last). */
  private hungry = 0;
  private lastHungry = 0;
  /** The running slice: the run's reductions and the budget when it began (sliceReductions). */
  private sliceR0 = 0;
  private sliceBudget = 0;

  constructor(private readonly vm: VMCore) {}

  get runnable(): number {
    return this.runQueue.length;
  }

  makeRunnable(p: Process): void {
    p.status = Status.Runnable;
    this.runQueue.push(p);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.vm.isStopped) return;
    this.scheduled = true;
    setImmediate(this.tick);
  }

  /** Nothing runs until `resume` (a run spread from its start waits for its threads: VMCore.run). */
  private paused = false;

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** The run is over: no timer fires again. */
  stop(): void {
    this.timers.clear();
    this.deferred.length = 0;
    if (this.hostTimer) clearTimeout(this.hostTimer);
    this.hostTimer = null;
  }

  /** Takes up to `max` of the `scan` youngest runnable processes that `take` accepts out of the queue (to move them). */
  takeWhere(max: number, scan: number, take: (p: Process) => boolean): Process[] {
    return this.runQueue.takeWhere(max, scan, take);
  }

  /** Lets go of the queued processes (after the run stopped). */
  release(): void {
    this.runQueue.clear();
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    const vm = this.vm;
    if (vm.isStopped || this.paused) return;
    const remote = vm.remote;
    if (remote !== null) remote.hub.poll();
    this.fireTimers();
    const until = monotonicMs() + 10;
    this.sliceDeadline = until;
    // The clock is read every 16 slices that did real work between them, or every 1024
    // short ones (a clock read costs as much as a message hop, and ring-style programs run
    // millions of slices of a few reductions each).
    let n = 0;
    let r0 = this.reductions;
    let full = false;
    this.hungry = 0;
    this.lastHungry = 0;
    while (this.runQueue.length !== 0 && !vm.isStopped) {
      const p = this.runQueue.shift()!;
      if (p.status !== Status.Runnable) continue;
      this.runSlice(p);
      // Records from other schedulers are taken between any two slices (an atomic read when
      // none came): a message left waiting for the tick's end keeps its receiver idle, and
      // two schedulers passing work back and forth then take turns instead of working at once
      // (ring-x: a thread went to sleep 28,000 times a run, 5,000-11,000 times polling here,
      // and the run took about 3% less time).
      if (remote !== null) remote.hub.poll();
      if ((++n & 15) === 0 || (remote !== null && remote.spread && (n & 3) === 0)) {
        if (remote !== null) remote.midTick();
        if (this.reductions - r0 >= SLICE || (n & 1023) === 0) {
          this.armDeferred();
          if (monotonicMs() > until) {
            full = true;
            break;
          }
          r0 = this.reductions;
        }
      }
    }
    if (vm.isStopped) return;
    this.armDeferred();
    // A busy tick: it ran its whole time, two or more processes used whole slices in it, and
    // two or more still wait. Ticks like that in a row: more than one scheduler can do.
    const busy = full && this.hungry >= 2 && this.runQueue.length >= 2;
    this.busyTicks = busy ? this.busyTicks + 1 : 0;
    if (remote !== null) remote.ticked(this.busyTicks >= BUSY_TICKS);
    else if (this.busyTicks >= BUSY_TICKS) vm.goParallel();
    else if (this.busyTicks === 1) vm.prepareParallel();
    if (this.runQueue.length !== 0) this.schedule();
    else this.idle();
  };

  private runSlice(p: Process): void {
    const vm = this.vm;
    p.status = Status.Running;
    vm.current = p;
    setRunning(p);
    const r0 = this.reductions;
    let budget = sliceFor(p);
    p.unwoundDepth = 0;
    const max = vm.opts.maxReductions;
    if (max !== undefined) {
      const left = max - this.runReductions();
      if (left <= 0) return this.outOfReductions();
      if (left < budget) budget = left;
    }
    let r: Exec;
    this.sliceR0 = r0;
    this.sliceBudget = budget;
    try {
      vm.budget = budget;
      // A traced process (RAFT_LOG=trace, trace:<0.N>) runs one instruction at a time: asked
      // here, once a slice, so that the interpreter's loop pays nothing for tracing.
      r = vm.log.tracePid !== 0 && vm.log.traces(p.pid) ? executeTraced(vm, p) : execute(vm, p);
    } catch (e) {
      if (e instanceof ProgramExit) return vm.stop(e.code);
      const msg = e instanceof Error ? e.message : String(e);
      vm.recordPanic(p, new KError(`internal error: ${msg}`, C.internal), p.pc);
      r = Exec.Panicked;
    }
    vm.current = null;
    setRunning(null);
    // What the slice used, charged work included (refills were counted as they were granted).
    this.reductions += Math.max(1, budget - vm.budget);
    p.reductions += this.reductions - r0; // per process, refills included (introspect.ts)
    p.hungry = false;
    if (vm.log.debug) vm.log.log("debug", `slice ${pidString(p.pid)} ${this.reductions - r0} reductions: ${sliceEnd(r, p)}`);
    switch (r) {
      case Exec.Yield:
        if (p.status === Status.Running) {
          // It used its whole budget: work that another scheduler could take.
          p.hungry = true;
          if (p.pid !== this.lastHungry) {
            this.hungry++;
            this.lastHungry = p.pid;
          }
          this.makeRunnable(p);
        }
        break;
      case Exec.Blocked:
      case Exec.Dead:
        break;
      case Exec.Done:
        if (p === vm.main && vm.resident && (p.status as Status) !== Status.Dead) vm.rest(p); // [resident main]
        else if ((p.status as Status) !== Status.Dead) vm.exit(p, "normal");
        break;
      case Exec.Panicked:
        if ((p.status as Status) !== Status.Dead) vm.exit(p, p.exitReason);
        break;
    }
  }

  /** Reductions the running slice has used so far (its process's count grows by them when it ends). */
  sliceReductions(): number {
    return this.reductions - this.sliceR0 + this.sliceBudget - this.vm.budget;
  }

  /**
   * The running slice's budget is spent. If no other process is waiting to run and the event
   * loop had a turn recently, the slice goes on with a fresh budget (returned) instead of
   * paying for a switch that would pick the same process again; 0 means yield now.
   */
  refill(): number {
    const vm = this.vm;
    const left = vm.budget;
    if (this.runQueue.length !== 0 || vm.isStopped) return left;
    // Another scheduler sent something: yield, so that the tick hands it over.
    if (vm.remote !== null && vm.remote.hub.inbox.pending) return left;
    // The event loop gets a turn every 10 ms when someone else may need it (an embedding host,
    // or a host promise of ours such as a file read), and whenever a timer falls due. In the
    // CLI, a lone busy process otherwise runs on without the cost of a switch.
    if ((this.parked > 0 || !vm.opts.exclusive) && monotonicMs() > this.sliceDeadline) return left;
    this.armDeferred();
    if (this.timers.size > 0 && this.timers.next() <= vm.now()) return left;
    const max = vm.opts.maxReductions;
    this.reductions += SLICE;
    if (max !== undefined && this.runReductions() >= max) return left;
    return left + SLICE;
  }

  /** Reductions the whole run has used: this scheduler's, and its other schedulers' too. */
  private runReductions(): number {
    const remote = this.vm.remote;
    return remote === null ? this.reductions : remote.runReductions();
  }

  private outOfReductions(): void {
    const vm = this.vm;
    vm.host.stderr(`error: the run used its --max-reductions budget (${vm.opts.maxReductions})\n`);
    vm.stop(1, vm.lastPanic);
  }

  /** Nothing is runnable: wait for a timer or a host promise, or report a deadlock. */
  private idle(): void {
    this.armDeferred();
    const remote = this.vm.remote;
    let next = this.timers.next();
    // About to sleep a while on several schedulers: send_after timers for processes that have
    // ended on another scheduler go now (servers.ts), or they would keep the run waiting.
    if (remote !== null && next !== Infinity && next - this.vm.now() >= LONG_SLEEP_MS && this.vm.servers.dropForEnded()) next = this.timers.next();
    if (next !== Infinity || this.parked > 0) {
      if (next !== Infinity) this.armHostTimer(next);
      // Still active for the run, but records from other schedulers must not wait for the timer.
      if (remote !== null) remote.hub.sleep(this.wake);
      return;
    }
    if (remote !== null) return remote.idle(this.wake);
    this.vm.deadlock();
  }

  /** After a record came (several schedulers): run what it made runnable, or be idle again. */
  private readonly wake = (): void => {
    if (this.vm.isStopped) return;
    if (this.runQueue.length !== 0) this.schedule();
    else if (!this.scheduled) this.idle();
  };

  /**
   * Wakes the scheduler when the earliest timer falls due at `at` (clock ms). With an
   * embedder's clock, whose ms need not be real ones (a test's virtual clock may run fast,
   * slow or stand still), the host timer only polls: on waking, due timers fire and idle()
   * arms it again for the rest. A wait longer than a host timeout can be wakes early and
   * arms again.
   */
  private armHostTimer(at: number): void {
    if (this.hostTimer && this.hostTimerAt <= at) return;
    const wait = Math.min(MAX_HOST_DELAY_MS, Math.max(0, Math.ceil(at - this.vm.now())));
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
      this.vm.opts.clock ? Math.min(wait, VIRTUAL_CLOCK_POLL_MS) : wait,
    );
  }

  private fireTimers(): void {
    this.armDeferred();
    for (const t of this.timers.due(this.vm.now())) t.fire();
  }

  /** For tests with a virtual clock: run every timer due now. */
  advanceTimers(): void {
    this.fireTimers();
    if (this.runQueue.length !== 0) this.schedule();
  }

  /** Parks `p` until `promise` settles; its value (or error) is pushed when it resumes. */
  park(p: Process, promise: Promise<unknown>): void {
    if (p.status === Status.Dead) return; // ended during its own native call: the result is dropped
    p.status = Status.Parked;
    this.parked++;
    promise.then(
      (v) => this.unpark(p, v, null),
      (e) => this.unpark(p, null, e instanceof Fault ? e.error : new KError(`native failed: ${e instanceof Error ? e.message : String(e)}`, C.native)),
    );
  }

  private unpark(p: Process, v: unknown, err: KError | null): void {
    if (p.status !== Status.Parked || this.vm.isStopped) {
      // Ended while parked (VMCore.exit no longer counts it), or the run is over.
      if (!this.vm.isStopped && this.parked === 0 && this.runQueue.length === 0) this.idle();
      return;
    }
    this.parked--;
    p.hasResume = true;
    p.resumeValue = v;
    p.resumeFault = err;
    this.makeRunnable(p);
  }

  /**
   * vm.sleep: a host promise that `p`'s own timer resolves after `ms`. The timer is the
   * process's (`timerSeq`), so it is cancelled if the process ends first.
   */
  sleep(p: Process, ms: number): Promise<null> {
    if (!(ms >= 0)) throw fault(`sleep: bad duration ${ms}`, C.range);
    return new Promise((resolve) => {
      const seq = this.timers.add(this.vm.now() + ms, () => {
        if (p.timerSeq === seq) p.timerSeq = 0;
        resolve(null);
      });
      p.timerSeq = seq;
      if (this.runQueue.length === 0) this.armHostTimer(this.timers.next());
    });
  }

  /** `p` waits in a receive with a timeout of `ms` (it is not armed yet). */
  armReceiveTimeout(p: Process, ms: number): void {
    this.deferTimer(p, ms);
  }

  /**
   * The timeout of `ms` of a receive or a call `p` now waits in (`p.callRef` says which). It
   * is armed, `ms` from then, at the scheduler's next reading of the clock (armDeferred) —
   * the next tick, or a check within this one — rather than now: most waits end sooner (the
   * reply of a call comes in the same tick), and then cancelling it costs nothing, where
   * arming it would read the clock and add to and take from the timer heap at every call. A
   * timeout so fires up to a tick (10 ms) later than `ms` after the wait began, never sooner;
   * timers fire only between slices anyway.
   */
  deferTimer(p: Process, ms: number): void {
    // Not armed yet: -1 - ms (an armed timer's seq is positive). The list may name a process
    // twice (a wait ended and another began before the next reading): armDeferred arms the
    // first and skips the rest; it is bounded by the slices between two readings.
    p.timerSeq = -1 - ms;
    this.deferred.push(p);
  }

  /** Arms the deferred timeouts of processes still waiting (see deferTimer). */
  armDeferred(): void {
    const list = this.deferred;
    if (list.length === 0) return;
    const now = this.vm.now();
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p.timerSeq >= 0) continue;
      const ms = -1 - p.timerSeq;
      if (p.callRef !== 0) p.timerSeq = this.vm.servers.armTimeout(p, now + ms, ms);
      else {
        p.timerSeq = this.timers.add(now + ms, () => {
          if (p.status !== Status.Receiving || p.timerSeq === 0) return;
          p.timerSeq = 0;
          p.timedOut = true;
          this.makeRunnable(p);
        });
      }
    }
    list.length = 0;
  }

  /** Cancels the timer `p` waits on, if any (a message came, or the process ended). */
  cancelTimer(p: Process): void {
    if (p.timerSeq !== 0) {
      if (p.timerSeq > 0) this.timers.cancel(p.timerSeq);
      p.timerSeq = 0;
    }
  }
}

/** Why a slice ended, for the debug log. */
function sliceEnd(r: Exec, p: Process): string {
  switch (r) {
    case Exec.Yield:
      return "budget spent, back in the run queue";
    case Exec.Blocked:
      return p.status === Status.Receiving ? `waits for a message of type ${p.waitType}` : "waits (a timer or the host)";
    case Exec.Done:
      return "done";
    case Exec.Panicked:
      return "panicked";
    default:
      return "ended";
  }
}
