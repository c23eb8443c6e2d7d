// Supervisor trees (SPEC §3, seed 000 "Supervisor Trees"), with Erlang/OTP's semantics.
//
// A supervisor is a process with no bytecode: `VMCore.spawnNative` makes the shell and this
// module keeps its state in `Process.supervisor` (a `SupState`). The VM hands us the calls
// (`SupervisorHooks.op`: vm.supervisor, start_supervisor, set_strategy, start_child,
// restart_child) and every exit signal aimed at a supervisor (`SupervisorHooks.signal`:
// supervisors trap exits). `vm.which_children` is a plain native (`SUPERVISOR_NATIVES`).
//
// How a supervisor runs. Exit signals are events in the supervisor's inbox, handled one at a
// time by `pump`. Most are handled at once (a one_for_one restart, ignoring a "normal" exit
// of a transient child). Work that must wait — stopping children one at a time in reverse
// start order, each with "shutdown" and then, for a worker that has not ended within the
// grace time, a kill — is a *job*: a generator that yields the pid it waits for. While a job
// waits, other events stay queued (as in OTP, where the supervisor is busy in its own receive);
// an event about a pid that is no longer one of the children is stale and ignored. Exit
// signals reach a supervisor from the VM's signal queue (signals.ts), which may be handling
// them while the supervisor itself acts (a child asked to stop may end at once), so `pump`
// is guarded against re-entry: a nested call only queues.
//
// Child specs: a worker child is (function, arguments deep-copied, restart type); a child
// supervisor is represented by the `SupState` of its latest instance, which holds its
// strategy, limits and child specs, so restarting it restores the whole subtree
// (temporary children excepted).

import type { SupervisorHooks, SysCtx, VMCore } from "./vm-core.js";
import { Status, pidArg, pidString, type Process } from "./process.js";
import type { NativeFn } from "./native-api.js";
import { Fault, KError, fault } from "./values.js";
import { C } from "./error-codes.js";
import { failureValue } from "./fallible.js";
import { deepCopy } from "./copy.js";
import { STRATEGIES, RESTARTS as RESTART_TYPES } from "../lang/builtins.js";

export type Strategy = (typeof STRATEGIES)[number];
export type RestartType = (typeof RESTART_TYPES)[number];

/** How long a worker child has to end after "shutdown" before it is killed (SPEC §3). */
export const GRACE_MS = 5000;

/** One child spec and the process currently (or last) running it. */
export interface Child {
  restart: RestartType;
  /** Function index of a worker; -1 for a child supervisor. */
  fn: number;
  /** A worker's arguments (a private deep copy; each start gets its own copy). */
  args: unknown[];
  /** A child supervisor: the state of its latest instance (its spec). */
  sub: SupState | null;
  /** The process of the latest start (kept after it ends, for restart_child and logs). */
  pid: number;
  /** Started and not yet known to have ended. */
  running: boolean;
}

interface ExitEvent {
  from: number;
  reason: string;
}

/** A job yields the pid of the child it has asked to stop; it resumes when that child ends. */
type Job = Generator<number, void, void>;

export class SupState {
  children: Child[] = [];
  /** Times (vm.now()) of the restarts still inside the period. */
  restarts: number[] = [];
  inbox: ExitEvent[] = [];
  job: Job | null = null;
  waitPid = 0;
  waitTimer = 0;
  pumping = false;
  /** A stop job has begun: the supervisor is going away. */
  stopping = false;
  /** Old processes of restart_child, being shut down in the background: pid -> grace timer. */
  retiring = new Map<number, number>();
  /** Restarts since it started (for introspection: the limit counts `restarts`). */
  restartCount = 0;
  /** Every child process started and not yet heard of ending (to tell stale notices apart). */
  known = new Set<number>();

  constructor(
    readonly proc: Process,
    public strategy: Strategy,
    public maxRestarts: number,
    public periodMs: number,
  ) {}
}

// ── validation ──────────────────────────────────────────────────────────────────────────

function strategyArg(v: unknown): Strategy {
  if (typeof v === "string" && (STRATEGIES as readonly string[]).includes(v)) return v as Strategy;
  throw fault(`unknown supervisor strategy ${JSON.stringify(v)}: use ${oneOf(STRATEGIES)}`, C.range);
}

function restartArg(v: unknown): RestartType {
  if (typeof v === "string" && (RESTART_TYPES as readonly string[]).includes(v)) return v as RestartType;
  throw fault(`unknown restart type ${JSON.stringify(v)}: use ${oneOf(RESTART_TYPES)}`, C.range);
}

/** `"a", "b" or "c"` */
function oneOf(names: readonly string[]): string {
  const q = names.map((n) => JSON.stringify(n));
  return `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

function limitsArg(max: unknown, period: unknown): [number, number] {
  if (typeof max !== "number" || !Number.isInteger(max) || max < 0) throw fault(`supervisor max_restarts must be 0 or more, got ${String(max)}`, C.range);
  if (typeof period !== "number" || !Number.isInteger(period) || period < 1) throw fault(`supervisor period_ms must be 1 or more, got ${String(period)}`, C.range);
  return [max, period];
}

/** The state of live supervisor `pid`, or a fault saying why there is none. */
function supOf(vm: VMCore, v: unknown): SupState {
  const pid = pidArg(v);
  const p = vm.procs.get(pid);
  if (!p) throw fault(`${pidString(pid)} is not alive (expected a supervisor)`, C.noproc);
  if (!(p.supervisor instanceof SupState)) throw fault(`${pidString(pid)} is not a supervisor`, C.not_supervisor);
  return p.supervisor;
}

function notStopping(st: SupState): void {
  if (st.stopping) throw fault(`supervisor ${pidString(st.proc.pid)} is shutting down`, C.shutdown);
}

// ── creating supervisors and children ───────────────────────────────────────────────────

function newSupervisor(vm: VMCore, parent: number, strategy: Strategy, max: number, period: number): SupState {
  const proc = vm.spawnNative("supervisor", parent);
  const st = new SupState(proc, strategy, max, period);
  proc.supervisor = st;
  return st;
}

/** Starts (or starts again) child `c` of `st`; a child supervisor comes back with its subtree. */
function startChild(vm: VMCore, st: SupState, c: Child): void {
  if (c.sub) {
    const sub = restore(vm, c.sub, st.proc.pid);
    c.sub = sub;
    c.pid = sub.proc.pid;
  } else {
    c.pid = vm.spawn(c.fn, deepCopy(c.args), st.proc.pid, true).pid;
  }
  c.running = true;
  st.known.add(c.pid);
}

/** A fresh instance of supervisor `old` under `parent`: same strategy and limits, every
 *  non-temporary child started afresh in start order. */
function restore(vm: VMCore, old: SupState, parent: number): SupState {
  const st = newSupervisor(vm, parent, old.strategy, old.maxRestarts, old.periodMs);
  vm.signals.link(parent, st.proc.pid);
  st.children = old.children.filter((c) => c.restart !== "temporary").map((c) => ({ ...c, running: false }));
  for (const c of st.children) startChild(vm, st, c);
  return st;
}

function logRestart(vm: VMCore, st: SupState, old: number, pid: number, why: string): void {
  st.restartCount++;
  vm.log.log("info", `restart ${pidString(old)} -> ${pidString(pid)} by ${pidString(st.proc.pid)} (${why})`);
  vm.opts.onEvent?.({ kind: "restart", old, pid, supervisor: st.proc.pid, strategy: why });
}

// ── the event loop of one supervisor ────────────────────────────────────────────────────

function pump(vm: VMCore, st: SupState): void {
  if (st.pumping) return;
  st.pumping = true;
  try {
    for (;;) {
      if (st.proc.status === Status.Dead) return abandon(vm, st);
      if (st.job) {
        if (st.waitPid) {
          const i = st.inbox.findIndex((e) => e.from === st.waitPid);
          if (i < 0) return; // still waiting: an exit signal or the grace timer resumes us
          st.inbox.splice(i, 1);
          st.known.delete(st.waitPid);
          if (st.waitTimer) vm.timers.cancel(st.waitTimer);
          st.waitPid = 0;
          st.waitTimer = 0;
        }
        let r: IteratorResult<number, void>;
        try {
          r = st.job.next();
        } catch (e) {
          st.job = null;
          if (!(e instanceof Fault)) throw e;
          failed(vm, st, e);
          continue;
        }
        if (r.done) {
          st.job = null;
          continue;
        }
        wait(vm, st, r.value);
        continue;
      }
      const ev = st.inbox.shift();
      if (!ev) return;
      try {
        handle(vm, st, ev);
      } catch (e) {
        if (!(e instanceof Fault)) throw e;
        failed(vm, st, e);
      }
    }
  } finally {
    st.pumping = false;
  }
}

/** Arms the wait for child `pid` (asked to stop): a worker is killed after the grace time. */
function wait(vm: VMCore, st: SupState, pid: number): void {
  st.waitPid = pid;
  const q = vm.procs.get(pid);
  if (q && q.supervisor === null) {
    st.waitTimer = vm.timers.add(vm.now() + GRACE_MS, () => {
      st.waitTimer = 0;
      if (st.waitPid === pid && st.proc.status !== Status.Dead && vm.isAlive(pid)) {
        vm.log.log("info", `kill ${pidString(pid)} by ${pidString(st.proc.pid)} (no exit within ${GRACE_MS} ms of shutdown)`);
        vm.signals.send(st.proc.pid, pid, "kill");
      }
    });
  }
}

/** The supervisor has ended (killed outright, or its stop job finished): drop what is left. */
function abandon(vm: VMCore, st: SupState): void {
  st.job = null;
  st.inbox = [];
  st.waitPid = 0;
  if (st.waitTimer) vm.timers.cancel(st.waitTimer);
  st.waitTimer = 0;
}

/** Starting a process failed in the middle of a restart (e.g. --max-processes): give up. */
function failed(vm: VMCore, st: SupState, e: Fault): void {
  vm.log.log("warn", `supervisor ${pidString(st.proc.pid)} could not restart a child: ${e.error.message}`);
  if (!st.stopping) st.job = stopAll(vm, st, "shutdown");
}

/** One exit signal, with no job running. */
function handle(vm: VMCore, st: SupState, ev: ExitEvent): void {
  const idx = st.children.findIndex((c) => c.running && c.pid === ev.from);
  if (st.known.delete(ev.from) && idx < 0) return; // a child already restarted or stopped
  if (idx < 0) {
    // Not (or no longer) a child. A stale notice of a child already restarted or stopped is
    // ignored, as is a "normal" exit of anyone; any other exit signal — from the parent
    // supervisor, a linked process, or vm.kill(sup, reason) — stops the supervisor
    // gracefully and it exits with that reason.
    if (ev.reason === "normal" || st.stopping) return;
    st.job = stopAll(vm, st, ev.reason);
    return;
  }
  const c = st.children[idx];
  c.running = false;
  if (st.stopping) return;
  if (c.restart === "temporary") {
    st.children.splice(idx, 1);
    return;
  }
  if (c.restart === "transient" && (ev.reason === "normal" || ev.reason === "shutdown")) return;
  if (!countRestart(vm, st)) return;
  switch (st.strategy) {
    case "one_for_one": {
      const old = c.pid;
      startChild(vm, st, c);
      logRestart(vm, st, old, c.pid, st.strategy);
      return;
    }
    case "one_for_all":
      st.job = restartFrom(vm, st, 0);
      return;
    case "rest_for_one":
      st.job = restartFrom(vm, st, idx);
      return;
  }
}

/** Records one restart; false (and the supervisor gives up) when the intensity is exceeded. */
function countRestart(vm: VMCore, st: SupState): boolean {
  const now = vm.now();
  st.restarts.push(now);
  st.restarts = st.restarts.filter((t) => now - t < st.periodMs);
  if (st.restarts.length <= st.maxRestarts) return true;
  vm.log.log("info", `give_up ${pidString(st.proc.pid)} (${st.restarts.length} restarts in ${st.periodMs} ms)`);
  st.job = stopAll(vm, st, "shutdown");
  return false;
}

/** Asks child `c` to stop with "shutdown"; the caller yields its pid to wait for its end. */
function askToStop(vm: VMCore, st: SupState, c: Child): boolean {
  if (!c.running || !vm.isAlive(c.pid)) return false;
  // A child that unlinked itself would never tell us it ended: link it again first.
  if (!st.proc.links?.has(c.pid)) vm.signals.link(st.proc.pid, c.pid);
  vm.signals.send(st.proc.pid, c.pid, "shutdown");
  return true;
}

/** one_for_all (from = 0) and rest_for_one (from = the failed child): stop the children from
 *  `from` on in reverse start order, then start them again in start order. One restart. */
function* restartFrom(vm: VMCore, st: SupState, from: number): Job {
  const group = st.children.slice(from);
  const old = group.map((c) => c.pid);
  for (let i = group.length - 1; i >= 0; i--) {
    if (askToStop(vm, st, group[i])) yield group[i].pid;
    group[i].running = false;
  }
  st.children = st.children.filter((c) => !(group.includes(c) && c.restart === "temporary"));
  for (let i = 0; i < group.length; i++) {
    const c = group[i];
    if (c.restart === "temporary" || !st.children.includes(c)) continue;
    startChild(vm, st, c);
    logRestart(vm, st, old[i], c.pid, st.strategy);
  }
}

/** Stops every child, one at a time in reverse start order, then exits with `reason`. */
function* stopAll(vm: VMCore, st: SupState, reason: string): Job {
  st.stopping = true;
  for (let i = st.children.length - 1; i >= 0; i--) {
    const c = st.children[i];
    if (askToStop(vm, st, c)) yield c.pid;
    c.running = false;
  }
  vm.exit(st.proc, reason);
}

// ── the hooks ───────────────────────────────────────────────────────────────────────────

/** A supervisor call (`vm.supervisor`, `start_child`, ...): its failure is the value it returns. */
function op(vm: VMCore, caller: Process, name: string, args: unknown[], fnIndex: number): unknown {
  try {
    return runOp(vm, caller, name, args, fnIndex);
  } catch (e) {
    return failureValue(e);
  }
}

function runOp(vm: VMCore, caller: Process, name: string, args: unknown[], fnIndex: number): unknown {
  switch (name) {
    case "supervisor": {
      const strategy = strategyArg(args[0]);
      const [max, period] = limitsArg(args[1], args[2]);
      return newSupervisor(vm, caller.pid, strategy, max, period).proc.pid;
    }
    case "start_supervisor": {
      const parent = supOf(vm, args[0]);
      const strategy = strategyArg(args[1]);
      const [max, period] = limitsArg(args[2], args[3]);
      notStopping(parent);
      const st = newSupervisor(vm, parent.proc.pid, strategy, max, period);
      vm.signals.link(parent.proc.pid, st.proc.pid);
      parent.children.push({ restart: "permanent", fn: -1, args: [], sub: st, pid: st.proc.pid, running: true });
      return st.proc.pid;
    }
    case "set_strategy": {
      const st = supOf(vm, args[0]);
      st.strategy = strategyArg(args[1]);
      return null;
    }
    case "start_child": {
      const st = supOf(vm, args[0]);
      const restart = restartArg(args[1]);
      notStopping(st);
      const c: Child = { restart, fn: fnIndex, args: args.slice(2).map(deepCopy), sub: null, pid: 0, running: false };
      startChild(vm, st, c);
      st.children.push(c);
      return c.pid;
    }
    case "restart_child":
      return restartChild(vm, args[0], args[1]);
    default:
      throw fault(`unknown supervisor operation ${name}`, C.bad_code);
  }
}

/** vm.restart_child(sup, child): the child starts again now, in its place; the old process
 *  is shut down in the background (killed after the grace time). Not counted as a restart
 *  toward the intensity (as OTP's restart_child). An error value when `child` is not a
 *  child of `sup`. */
function restartChild(vm: VMCore, supV: unknown, childV: unknown): unknown {
  const st = supOf(vm, supV);
  const pid = pidArg(childV);
  const c = st.children.find((k) => k.pid === pid);
  if (!c) return new KError(`${pidString(pid)} is not a child of supervisor ${pidString(st.proc.pid)}`, C.not_found);
  if (st.stopping) return new KError(`supervisor ${pidString(st.proc.pid)} is shutting down`, C.shutdown);
  const wasRunning = c.running && vm.isAlive(pid);
  const wasSupervisor = vm.procs.get(pid)?.supervisor != null;
  c.running = false;
  if (wasRunning) {
    if (!wasSupervisor) {
      st.retiring.set(
        pid,
        vm.timers.add(vm.now() + GRACE_MS, () => {
          st.retiring.delete(pid);
          if (vm.isAlive(pid)) vm.signals.send(st.proc.pid, pid, "kill");
        }),
      );
    } else {
      st.retiring.set(pid, 0);
    }
  }
  startChild(vm, st, c);
  if (wasRunning) vm.signals.send(st.proc.pid, pid, "shutdown");
  logRestart(vm, st, pid, c.pid, "restart_child");
  return c.pid;
}

function signal(vm: VMCore, sup: Process, from: number, reason: string): void {
  const st = sup.supervisor as SupState;
  const t = st.retiring.get(from);
  if (t !== undefined) {
    if (t) vm.timers.cancel(t);
    st.retiring.delete(from);
    st.known.delete(from);
    return;
  }
  st.inbox.push({ from, reason });
  pump(vm, st);
}

export const SUPERVISOR_HOOKS: SupervisorHooks = { op, signal };

export function installSupervisors(vm: VMCore): void {
  vm.supervisors = SUPERVISOR_HOOKS;
}

/** The supervisor's running children, in start order (empty for a supervisor that has ended). */
export function whichChildren(vm: VMCore, supV: unknown): number[] {
  const pid = pidArg(supV);
  const p = vm.procs.get(pid);
  if (!p) return [];
  if (!(p.supervisor instanceof SupState)) throw fault(`${pidString(pid)} is not a supervisor`, C.not_supervisor);
  return p.supervisor.children.filter((c) => c.running && vm.isAlive(c.pid)).map((c) => c.pid);
}

export const SUPERVISOR_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>([
  ["vm.which_children", (ctx, a) => whichChildren((ctx as SysCtx).vm, a[0])],
]);
