// Supervisor trees (SPEC §3, seed 000 "Supervisor Trees"), with Erlang/OTP's semantics.
//
// A supervisor is a process with no bytecode: `VMCore.spawnNative` makes the shell and this
// module keeps its state in `Process.supervisor` (a `SupState`). The VM hands us the calls
// (`SupervisorHooks.op`: vm.supervisor, start_supervisor, set_strategy, start_child,
// restart_child, terminate_child, delete_child, count_children, which_children), every exit
// signal aimed at a supervisor (`SupervisorHooks.signal`: supervisors trap exits), its end
// (`ended`), and the calls that come from processes on other schedulers (`answer`).
//
// How a supervisor runs. Everything that reaches it is an event in its inbox, handled one at
// a time by `pump`, in arrival order: exit signals, and calls (a call is a request with a
// reply, as OTP's gen_server calls to a supervisor are). Most events are handled at once (a
// one_for_one restart, ignoring a "normal" exit of a transient child, start_child): a call
// handled at once answers before the calling process goes on. Work that must wait — stopping
// children one at a time in reverse start order, each with "shutdown" and then, for a worker
// that has not ended within the grace time, a kill — is a *job*: a generator that yields the
// child it waits for. While a job waits, other events stay queued (as in OTP, where the
// supervisor is busy in its own receive), and a caller whose call waits is parked until its
// answer. An event about a pid that is no longer one of the children is stale and ignored.
// Exit signals reach a supervisor from the VM's signal queue (signals.ts), which may be
// handling them while the supervisor itself acts (a child asked to stop may end at once), so
// `pump` is guarded against re-entry: a nested call only queues.
//
// Exit signals from whom: a supervisor obeys its parent (the supervisor that started it, or
// the process that called vm.supervisor) and its children's ends; any other exit signal (a
// stranger's vm.kill(sup, reason), a crash of a linked process that is not a child) is
// logged at warn and ignored. vm.kill(sup) is untrappable and never reaches this module.
//
// Child specs: a worker child is (function, arguments deep-copied, restart type); a child
// supervisor is represented by the `SupState` of its latest instance, which holds its
// strategy, limits and child specs, so restarting it restores the whole subtree
// (temporary children excepted). A child is named by the pid of its latest start, also after
// it has ended. With several schedulers a worker child may be placed on any of them, like a
// spawn; a supervisor itself never moves, and calls from other schedulers reach it as
// questions (threads/remote.ts) answered through the same inbox.

import type { SupervisorHooks, SysCtx, VMCore } from "./vm-core.js";
import { Status, pidArg, pidString, type Process } from "./process.js";
import type { NativeFn } from "./native-api.js";
import { Fault, KError, fault } from "./values.js";
import { C } from "./error-codes.js";
import { failureValue } from "./fallible.js";
import { deepCopy } from "./copy.js";
import { Question } from "../threads/protocol.js";
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
  /** The process of the latest start (kept after it ends: the child's name). */
  pid: number;
  /** Started and not yet known to have ended. */
  running: boolean;
}

/** How a call is answered: once, with its value or its error value. */
type Reply = (value: unknown) => void;

const EXIT = 0;
const CALL = 1;

interface ExitEvent {
  kind: typeof EXIT;
  from: number;
  reason: string;
}

interface CallEvent {
  kind: typeof CALL;
  name: string;
  args: unknown[];
  /** start_child: the function index of the new child. */
  fnIndex: number;
  reply: Reply;
}

type Event = ExitEvent | CallEvent;

/** A job yields the child it has asked to stop; it resumes when that child has ended. */
type Job = Generator<Child, void, void>;

export class SupState {
  children: Child[] = [];
  /** Times (vm.now()) of the restarts still inside the period. */
  restarts: number[] = [];
  inbox: Event[] = [];
  job: Job | null = null;
  /** The call the running job answers when it is done (restart_child, terminate_child). */
  jobReply: Reply | null = null;
  waitPid = 0;
  waitTimer = 0;
  pumping = false;
  /** A stop job has begun: the supervisor is going away. */
  stopping = false;
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

function notAlive(pid: number): Fault {
  return fault(`${pidString(pid)} is not alive (expected a supervisor)`, C.noproc);
}

function notSupervisor(pid: number): Fault {
  return fault(`${pidString(pid)} is not a supervisor`, C.not_supervisor);
}

/** The child of `st` whose latest process is `pid`, or a fault saying it is none. */
function childOf(st: SupState, v: unknown): Child {
  const pid = pidArg(v);
  const c = st.children.find((k) => k.pid === pid);
  if (!c) throw fault(`${pidString(pid)} is not a child of supervisor ${pidString(st.proc.pid)}`, C.not_found);
  return c;
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
    // Placed like any spawn (with several schedulers, maybe on another one), linked to us.
    const pid = vm.spawnFromCode(st.proc, c.fn, c.args.slice(), 1); // linked (each argument deep-copied there)
    if (pid instanceof KError) throw new Fault(pid);
    c.pid = pid as number;
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
          const i = exitOf(vm, st, st.waitPid);
          if (i < 0) return; // still waiting: an exit signal or the grace timer resumes us
          st.inbox.splice(i, 1);
          st.known.delete(st.waitPid);
          if (st.waitTimer) vm.timers.cancel(st.waitTimer);
          st.waitPid = 0;
          st.waitTimer = 0;
        }
        let r: IteratorResult<Child, void>;
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
      let ev = st.inbox[0];
      if (ev === undefined) return;
      if (ev.kind === CALL) {
        // A call about children that have ended answers after their ends are handled.
        const i = endsFirst(vm, st, ev);
        if (i < 0) return; // an exit signal is on its way from another scheduler
        ev = st.inbox.splice(i, 1)[0];
      } else st.inbox.shift();
      try {
        if (ev.kind === CALL) call(vm, st, ev);
        else handle(vm, st, ev);
      } catch (e) {
        if (!(e instanceof Fault)) throw e;
        failed(vm, st, e);
      }
    }
  } finally {
    st.pumping = false;
  }
}

/**
 * Before call `ev` (first in the inbox) is answered, the ends of the children it is about —
 * the one it names, or all of them for which_children and count_children — that have ended
 * must have been handled (a restart is done at once): so that a caller who has seen a child
 * end (a monitor's notice) gets an answer that knows of it, as on one scheduler, where an
 * exit signal is handled when it is sent. Returns the index of the event to handle now: 0
 * (the call), the exit signal of such a child (queued behind the call), or -1 when that
 * signal has not come yet (it is on its way from the child's scheduler: it resumes pump).
 */
function endsFirst(vm: VMCore, st: SupState, ev: CallEvent): number {
  let ended: Child | null = null;
  switch (ev.name) {
    case "which_children":
    case "count_children":
      for (const c of st.children) if (c.running && !vm.isAlive(c.pid)) ended = c;
      break;
    case "restart_child":
    case "terminate_child":
    case "delete_child": {
      const c = typeof ev.args[1] === "number" ? st.children.find((k) => k.pid === ev.args[1]) : undefined;
      if (c !== undefined && c.running && !vm.isAlive(c.pid)) ended = c;
      break;
    }
  }
  return ended === null ? 0 : exitOf(vm, st, ended.pid);
}

/**
 * The index in the inbox of the exit signal of child `pid`, or -1 while it is on its way.
 * (A supervisor keeps its children linked — see `unlinked` — but a child that ended unlinked
 * would never send one: it gets one made up, reason "noproc", as a link to it would.)
 */
function exitOf(vm: VMCore, st: SupState, pid: number): number {
  const i = st.inbox.findIndex((e) => e.kind === EXIT && e.from === pid);
  if (i >= 0 || st.proc.links?.has(pid) || vm.isAlive(pid)) return i;
  st.inbox.push({ kind: EXIT, from: pid, reason: "noproc" });
  return st.inbox.length - 1;
}

/** Arms the wait for child `c` (asked to stop): a worker is killed after the grace time. */
function wait(vm: VMCore, st: SupState, c: Child): void {
  const pid = c.pid;
  st.waitPid = pid;
  if (c.sub === null) {
    st.waitTimer = vm.timers.add(vm.now() + GRACE_MS, () => {
      st.waitTimer = 0;
      if (st.waitPid === pid && st.proc.status !== Status.Dead && vm.isAlive(pid)) {
        vm.log.log("info", `kill ${pidString(pid)} by ${pidString(st.proc.pid)} (no exit within ${GRACE_MS} ms of shutdown)`);
        vm.signals.send(st.proc.pid, pid, "kill");
      }
    });
  }
}

/** The answer to the call the running job was doing, if any. */
function answerJob(st: SupState, value: unknown): void {
  const reply = st.jobReply;
  st.jobReply = null;
  reply?.(value);
}

/**
 * The supervisor has ended (killed outright, or its stop job finished): drop what is left.
 * Calls not answered yet are answered with an error value, so that no caller waits for ever.
 */
function abandon(vm: VMCore, st: SupState): void {
  st.job = null;
  const gone = (): KError => new KError(`supervisor ${pidString(st.proc.pid)} ended (${st.proc.exitReason}) before it answered`, C.noproc);
  if (st.jobReply) answerJob(st, gone());
  const inbox = st.inbox;
  st.inbox = [];
  for (const ev of inbox) if (ev.kind === CALL) ev.reply(gone());
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
    // Not (or no longer) a child. From the parent, any reason — "normal" too, as an OTP
    // supervisor takes {'EXIT', Parent, normal} — stops the supervisor gracefully (children
    // first) and it exits with that reason. From anyone else — a stranger's vm.kill(sup,
    // reason), a linked process that is not a child — it is ignored, as in OTP (an abnormal
    // one is logged).
    if (st.stopping) return;
    if (ev.from === st.proc.parent) {
      st.job = stopAll(vm, st, ev.reason);
      return;
    }
    if (ev.reason === "normal") return;
    if (vm.log.enabled("warn")) vm.log.log("warn", `supervisor ${pidString(st.proc.pid)} ignored an exit signal from ${pidString(ev.from)}, which is neither its parent nor its child: ${JSON.stringify(ev.reason)}`);
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

/** Is child `c` running (started, and its end not yet handled nor happened)? */
function isRunning(vm: VMCore, c: Child): boolean {
  return c.running && vm.isAlive(c.pid);
}

/** Asks child `c` to stop with "shutdown"; the caller yields it to wait for its end. */
function askToStop(vm: VMCore, st: SupState, c: Child): boolean {
  if (!isRunning(vm, c)) return false;
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
    if (askToStop(vm, st, group[i])) yield group[i];
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
    if (askToStop(vm, st, c)) yield c;
    c.running = false;
  }
  vm.exit(st.proc, reason);
}

/**
 * vm.restart_child of a running child: stop it (shutdown, then a kill after the grace time)
 * and only once it has ended — its name released, its monitors told — start it again in its
 * place. Answers the new process.
 */
function* restartRunning(vm: VMCore, st: SupState, c: Child): Job {
  const old = c.pid;
  if (askToStop(vm, st, c)) yield c;
  c.running = false;
  startAgain(vm, st, c, old);
}

/** Starts stopped child `c` again by hand (not counted toward the intensity, as in OTP). */
function startAgain(vm: VMCore, st: SupState, c: Child, old: number): void {
  try {
    startChild(vm, st, c);
  } catch (e) {
    return answerJob(st, failureValue(e)); // e.g. too many processes: the call's error value
  }
  logRestart(vm, st, old, c.pid, "restart_child");
  answerJob(st, c.pid);
}

/** vm.terminate_child of a running child: stop it as above; a temporary child's spec goes. */
function* terminateRunning(vm: VMCore, st: SupState, c: Child): Job {
  if (askToStop(vm, st, c)) yield c;
  stopped(st, c);
  answerJob(st, null);
}

/** Child `c` has been stopped by hand: it stays stopped (a temporary one is forgotten). */
function stopped(st: SupState, c: Child): void {
  c.running = false;
  if (c.restart === "temporary") {
    const i = st.children.indexOf(c);
    if (i >= 0) st.children.splice(i, 1);
  }
}

// ── calls ───────────────────────────────────────────────────────────────────────────────

/** One call, with no job running: answered now, or by the job it starts. */
function call(vm: VMCore, st: SupState, ev: CallEvent): void {
  const a = ev.args;
  let value: unknown = null;
  try {
    switch (ev.name) {
      case "start_supervisor": {
        const strategy = strategyArg(a[1]);
        const [max, period] = limitsArg(a[2], a[3]);
        const sub = newSupervisor(vm, st.proc.pid, strategy, max, period);
        vm.signals.link(st.proc.pid, sub.proc.pid);
        st.children.push({ restart: "permanent", fn: -1, args: [], sub, pid: sub.proc.pid, running: true });
        st.known.add(sub.proc.pid);
        value = sub.proc.pid;
        break;
      }
      case "set_strategy":
        st.strategy = strategyArg(a[1]);
        break;
      case "start_child": {
        const restart = restartArg(a[1]);
        const c: Child = { restart, fn: ev.fnIndex, args: a.slice(2).map((x) => deepCopy(x)), sub: null, pid: 0, running: false };
        startChild(vm, st, c);
        st.children.push(c);
        value = c.pid;
        break;
      }
      case "restart_child": {
        const c = childOf(st, a[1]);
        const running = isRunning(vm, c);
        if (c.restart === "temporary" && running) throw fault(`${pidString(c.pid)} is a temporary child, still running: a temporary child is never started again`, C.running);
        st.jobReply = ev.reply;
        if (running) st.job = restartRunning(vm, st, c);
        else {
          c.running = false;
          startAgain(vm, st, c, c.pid);
        }
        return;
      }
      case "terminate_child": {
        const c = childOf(st, a[1]);
        if (isRunning(vm, c)) {
          st.jobReply = ev.reply;
          st.job = terminateRunning(vm, st, c);
          return;
        }
        stopped(st, c);
        break;
      }
      case "delete_child": {
        const c = childOf(st, a[1]);
        if (isRunning(vm, c)) throw fault(`${pidString(c.pid)} is still running: terminate_child it first`, C.running);
        st.children.splice(st.children.indexOf(c), 1);
        break;
      }
      case "count_children":
        value = runningChildren(vm, st).length;
        break;
      case "which_children":
        value = runningChildren(vm, st);
        break;
      default:
        throw fault(`unknown supervisor operation ${ev.name}`, C.bad_code);
    }
  } catch (e) {
    value = failureValue(e);
  }
  ev.reply(value);
}

/** The running children's processes, in start order. */
function runningChildren(vm: VMCore, st: SupState): number[] {
  const out: number[] = [];
  for (const c of st.children) if (isRunning(vm, c)) out.push(c.pid);
  return out;
}

/**
 * Hands call `name` to supervisor `st` (on this scheduler). Its answer, or, when the
 * supervisor cannot answer at once (it is busy with a job, or the call waits for a child to
 * end), a promise of it that the calling process parks on.
 */
function request(vm: VMCore, st: SupState, name: string, args: unknown[], fnIndex: number, reply?: Reply): unknown {
  let answered = false;
  let answer: unknown = null;
  let resolve: Reply | null = null;
  const done: Reply =
    reply ??
    ((v) => {
      if (resolve !== null) resolve(v);
      else {
        answered = true;
        answer = v;
      }
    });
  if (st.stopping || st.proc.status === Status.Dead) {
    done(new KError(`supervisor ${pidString(st.proc.pid)} is shutting down`, C.shutdown));
  } else {
    st.inbox.push({ kind: CALL, name, args, fnIndex, reply: done });
    pump(vm, st);
  }
  if (reply || answered) return answer;
  return new Promise((ok) => (resolve = ok));
}

// ── the hooks ───────────────────────────────────────────────────────────────────────────

/**
 * A supervisor call (`vm.supervisor`, `start_child`, ...) by process `caller`: its answer,
 * or a promise of it (the caller parks). Its failure is the value it returns.
 */
function op(vm: VMCore, caller: Process, name: string, args: unknown[], fnIndex: number): unknown {
  try {
    if (name === "supervisor") {
      const strategy = strategyArg(args[0]);
      const [max, period] = limitsArg(args[1], args[2]);
      return newSupervisor(vm, caller.pid, strategy, max, period).proc.pid;
    }
    const pid = pidArg(args[0]);
    const p = vm.procs.get(pid);
    if (p) {
      if (!(p.supervisor instanceof SupState)) throw notSupervisor(pid);
      return request(vm, p.supervisor, name, args, fnIndex);
    }
    // On another scheduler: asked there (after every signal this one sent it before).
    const asked = vm.remote?.ask(pid, Question.Supervisor, [name, args, fnIndex]);
    if (asked) return asked;
    throw notAlive(pid);
  } catch (e) {
    return failureValue(e);
  }
}

/** A supervisor call from a process on another scheduler, for supervisor `pid` here. */
function answer(vm: VMCore, pid: number, payload: unknown, reply: Reply): void {
  const [name, args, fnIndex] = payload as [string, unknown[], number];
  const p = vm.procs.get(pid);
  if (p?.supervisor instanceof SupState) request(vm, p.supervisor, name, args, fnIndex, reply);
  else if (p) reply(notSupervisor(pid).error);
  else reply(notAlive(pid).error);
}

function signal(vm: VMCore, sup: Process, from: number, reason: string): void {
  const st = sup.supervisor as SupState;
  st.inbox.push({ kind: EXIT, from, reason });
  pump(vm, st);
}

/**
 * Process `from` removed its link to supervisor `sup`. A supervisor keeps its children linked
 * (that is how it learns of their ends): a running child is linked again — or, if it has
 * ended meanwhile, that link brings its exit signal ("noproc").
 */
function unlinked(vm: VMCore, sup: Process, from: number): void {
  const st = sup.supervisor as SupState;
  if (st.children.some((c) => c.running && c.pid === from)) vm.signals.link(sup.pid, from);
}

/** Supervisor `sup` has ended (VMCore.exit): whoever still waits for an answer gets one. */
function ended(vm: VMCore, sup: Process): void {
  const st = sup.supervisor as SupState;
  if (!st.pumping) abandon(vm, st);
  // (A pump running now abandons the rest when it sees the supervisor dead.)
}

export const SUPERVISOR_HOOKS: SupervisorHooks = { op, signal, ended, answer, unlinked };

export function installSupervisors(vm: VMCore): void {
  vm.supervisors = SUPERVISOR_HOOKS;
}

/** A supervisor call that is a native (the others are opcodes: see the interpreter). */
function native(name: string): NativeFn {
  return (ctx, a) => {
    const c = ctx as SysCtx;
    return c.vm.supervisorOp(c.proc, name, a, -1);
  };
}

export const SUPERVISOR_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>(
  ["which_children", "terminate_child", "delete_child", "count_children"].map((n) => [`vm.${n}`, native(n)]),
);
