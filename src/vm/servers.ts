// What makes a server short (SPEC §3, "Servers"): refs, calls and replies, demonitor's flush,
// spawn_monitor's ref, and `vm.send_after` timers. The natives are at the end of the file.
//
// Refs. A ref is a JS number (values carry no tags: the static type `ref` prints it as
// `#Ref<0.N>`), handed out by VMCore.newRef from one counter for the run, shared by every
// scheduler (threads/shared-run.ts), so a ref is unique for the VM's life wherever it was made.
// Monitors, calls and timers take theirs from the same counter.
//
// A call. `vm.call(p, request, ms)` in process C, as OTP's gen_server:call does it:
//   - it monitors p with a new ref R (so a server that ends wakes the call at once), sends p
//     the message `(from, request)` where from is ReplyTo(C, R), arms C's timer for ms, and
//     waits: C is Receiving, with `callRef` R and `callType` the reply type T it expects, and
//     a `waitType` no message type can have, so no ordinary message wakes it;
//   - `vm.reply(from, v)` sends v to C with R (a REPLY record when C lives on another
//     scheduler). Only a process waiting in the call R takes it: a reply that finds no such
//     call (it came after the timeout, it is a second reply, C has ended) is dropped, never
//     queued, so replies never show up in a receive;
//   - the first of these ends the call, and the others then find nothing: the reply (its
//     value; or, when its static type is not T, an error "bad_reply" that names both types,
//     so a wrong reply is never lost without the caller learning of it), the monitor's notice
//     (an error "down" whose message is p's exit reason, or "noproc" when p was gone before
//     the request reached it) or the timer (an error "timeout"). The monitor is removed at
//     both ends as the call ends, so no notice of it remains; a notice already on its way is
//     dropped where it arrives (Signals.handle: the watcher no longer holds the monitor).
// The waiting call is C's own state (callRef, callType, its timer), so a call works whatever
// schedulers C and p live on; a waiting process never moves, and once woken it carries no
// call state.
//
// send_after. `vm.send_after(p, msg, ms)` makes a timer that the process which started it
// holds, as it holds its sleep and receive timers: it is in that process's scheduler's timer
// heap, the message is charged to that process's heap until the timer fires (heap.ts), and it
// moves with the process to another scheduler (threads/process-state.ts writes what is left
// of each delay). As in Erlang, a timer lives as long as its destination, not its starter:
// when the starter ends, its timers for other processes stay where they are, held by no
// process and counted in the host's memory until they fire (its timers for itself go). A
// timer goes when its destination ends on this scheduler, whoever holds it (`byDest`); one
// for a process that has ended elsewhere goes when this scheduler looks (cancel_timer, or
// `dropForEnded` before a long sleep) or fires into nothing, and one started for a process
// that has already ended is cancelled at once. When a timer fires, the message is sent to p
// like any other. `vm.cancel_timer(r)` works on the caller's own timers (the ones it started
// and that are pending): it runs on the thread where the timer lives, so a timer either fired
// (its message is sent, perhaps still crossing to p's scheduler, and arrives once: false) or
// is cancelled (it never fires: true).

import type { NativeFn } from "./native-api.js";
import type { SysCtx, VMCore } from "./vm-core.js";
import { Status, pidString, type Process, type SendTimer } from "./process.js";
import { ExitNotice, KError, ReplyTo, fault } from "./values.js";
import { C } from "./error-codes.js";
import { admitMessage, chargeHeld, holdOrphan } from "./heap.js";
import { MAX_HOST_DELAY_MS } from "./timers.js";

/** The `waitType` of a process waiting in vm.call (no Kaylee type has this key). */
export const CALL_WAIT = "\u0000reply";

export class Servers {
  constructor(private readonly vm: VMCore) {}

  // ── calls ───────────────────────────────────────────────────────────────────────────

  /**
   * `vm.call`: `p` sends `(from, request)` (static type `msgType`) to `to` and waits for a
   * reply of type `replyType` for up to `ms`. Returns an error value when it cannot start (the
   * process blocks otherwise: see the header).
   */
  call(p: Process, to: number, msgType: string, request: unknown, replyType: string, ms: number): unknown {
    const vm = this.vm;
    if (typeof to !== "number") throw fault("call: not a process", C.bad_code);
    if (typeof ms !== "number" || !(ms >= 0)) return new KError(`call: bad timeout ${ms} (it must be 0 or more)`, C.range);
    if (ms > MAX_HOST_DELAY_MS) return new KError(`call: bad timeout ${ms} (at most ${MAX_HOST_DELAY_MS} ms)`, C.range);
    if (to === p.pid) return new KError(`call: ${pidString(to)} called itself, and could never answer`, C.calling_self);
    const ref = vm.newRef();
    if (!vm.isAlive(to) || !vm.signals.watch(p.pid, to, ref)) return noproc(to);
    p.callRef = ref;
    p.callType = replyType;
    p.waitType = CALL_WAIT;
    p.status = Status.Receiving;
    vm.sched.deferTimer(p, ms);
    // Sent last: if p dies of this very message (its mailbox or heap), the notice ends the call.
    vm.sendValue(p, to, msgType, [new ReplyTo(p.pid, ref), request]);
    return null;
  }

  /**
   * A reply for the call `ref` of process `to` (`value` is the replier's copy): it ends that
   * call if `to` waits in it, here or on another scheduler; otherwise it is dropped.
   */
  replied(to: number, ref: number, type: string, value: unknown): void {
    const vm = this.vm;
    const q = vm.procs.get(to);
    if (q === undefined) {
      if (vm.remote !== null && !vm.staysHere(to, type, value)) vm.remote.reply(to, ref, type, value);
      return;
    }
    if (q.callRef !== ref || q.status !== Status.Receiving) return; // no call waits for it: dropped
    vm.countMessage();
    vm.sched.cancelTimer(q);
    vm.signals.demonitor(q, ref);
    const v = type === q.callType ? value : new KError(`call: the reply is ${type}, but the call waits for ${q.callType}`, C.bad_reply);
    if (v === value) vm.hostArrived(q, type, v);
    this.wake(q, v);
    admitMessage(vm, q, v); // charged in q's hands, as a delivered message is (heap.ts)
  }

  /** The monitor of the call `q` waits in fired (Signals.handle): `from` ended with `reason`. */
  down(q: Process, from: number, reason: string): void {
    this.vm.sched.cancelTimer(q);
    this.wake(q, reason === "noproc" ? noproc(from) : new KError(reason, C.down));
  }

  /** Arms the timeout (`ms`, due at `at`) of the call `p` waits in (Scheduler.armDeferred); its timer's seq. */
  armTimeout(p: Process, at: number, ms: number): number {
    const ref = p.callRef;
    return this.vm.timers.add(at, () => this.timedOut(p, ref, ms));
  }

  private timedOut(p: Process, ref: number, ms: number): void {
    if (p.callRef !== ref) return;
    p.timerSeq = 0;
    this.vm.signals.demonitor(p, ref);
    this.wake(p, new KError(`call timeout: no reply within ${ms} ms`, C.timeout));
  }

  /** Ends the call `q` waits in: its result is `v` (pushed when q runs again). */
  private wake(q: Process, v: unknown): void {
    q.callRef = 0;
    q.callType = "";
    q.waitType = "";
    q.timedOut = false;
    q.hasResume = true;
    q.resumeReceive = false;
    q.resumeValue = v;
    this.vm.sched.makeRunnable(q);
  }

  // ── demonitor ───────────────────────────────────────────────────────────────────────

  /**
   * `vm.demonitor(ref)` by `p` (Erlang's demonitor(Ref, [flush, info])): the monitor goes, and
   * so does its notice if one is queued. True only if the monitor had not fired yet.
   */
  demonitor(p: Process, ref: number): boolean {
    if (this.vm.signals.demonitor(p, ref)) return true;
    // It fired (or never was this process's): drop its notice if it waits in the mailbox.
    const box = p.mailbox;
    if (ref !== 0 && box.length !== 0) {
      const n = box.countOf("exit");
      if (n !== 0) {
        this.vm.chargeWork(n >>> 4);
        box.removeFirst("exit", (v) => v instanceof ExitNotice && v.ref === ref);
      }
    }
    return false;
  }

  // ── send_after ──────────────────────────────────────────────────────────────────────

  /** `vm.send_after`: `value` (already `p`'s private copy) goes to `to` in `ms`; the timer's ref. */
  sendAfter(p: Process, to: number, type: string, value: unknown, ms: number): number | KError {
    const vm = this.vm;
    if (typeof to !== "number") throw fault("send_after: not a process", C.bad_code);
    if (typeof ms !== "number" || !(ms >= 0)) return new KError(`send_after: bad delay ${ms} (it must be 0 or more)`, C.range);
    if (ms > MAX_HOST_DELAY_MS) return new KError(`send_after: bad delay ${ms} (at most ${MAX_HOST_DELAY_MS} ms)`, C.range);
    // A timer for a process that has ended is cancelled at once, as Erlang's is (a ref that
    // cancel_timer then finds nothing for).
    if (to !== p.pid && !vm.isAlive(to)) return vm.newRef();
    chargeHeld(vm, p, value); // its heap holds the message until the timer fires (heap.ts)
    const t: SendTimer = { ref: vm.newRef(), to, type, value, at: vm.now() + ms, seq: 0 };
    (p.sendTimers ??= new Map()).set(t.ref, t);
    this.arm(p, t);
    return t.ref;
  }

  /** `vm.cancel_timer(ref)` by `p`: true when it stopped a timer of `p` that had not fired. */
  cancelTimer(p: Process, ref: number): boolean {
    const t = p.sendTimers?.get(ref);
    if (t === undefined) return false;
    this.disarm(p, t);
    // A timer for a process that ended on another scheduler was already gone, as in Erlang.
    return this.vm.isAlive(t.to);
  }

  /**
   * Drops the pending timers, held or orphaned, whose destination has ended on another
   * scheduler (one ending here takes its timers at once: `outlive`). True if any went.
   * Scheduler.idle calls it before a long sleep of a run on several schedulers.
   */
  dropForEnded(): boolean {
    const vm = this.vm;
    let dropped = false;
    for (const [to, held] of this.byDest) {
      if (vm.isAlive(to)) continue;
      for (const [t, starter] of held) this.disarm(starter, t);
      dropped = true;
    }
    if (this.orphans !== null) {
      for (const [to, all] of this.orphans) {
        if (vm.isAlive(to)) continue;
        this.orphans.delete(to);
        for (const [t, release] of all) {
          vm.timers.cancel(t.seq);
          release();
        }
        dropped = true;
      }
    }
    return dropped;
  }

  /**
   * The pending timers of live processes here for other processes, by destination, each with
   * the process holding it: when a destination ends here, its timers go (`outlive`).
   */
  private byDest = new Map<number, Map<SendTimer, Process>>();

  /**
   * Timers whose starter ended, by destination (see `outlive`). A destination that ends here
   * takes its own with it; one for a process elsewhere is dropped if that one has ended when
   * it fires.
   */
  private orphans: Map<number, Map<SendTimer, () => void>> | null = null;

  /**
   * `p` ended: its timers for other processes live on (see the header), held by no process and
   * counted in the host's memory until they fire; its timers for itself go, and so do the
   * orphaned timers for it.
   */
  outlive(p: Process): void {
    const vm = this.vm;
    const held = this.byDest.get(p.pid);
    if (held !== undefined) for (const [t, starter] of held) this.disarm(starter, t);
    const mine = this.orphans?.get(p.pid);
    if (mine !== undefined) {
      this.orphans!.delete(p.pid);
      for (const [t, release] of mine) {
        vm.timers.cancel(t.seq);
        release();
      }
    }
    const ts = p.sendTimers;
    if (ts === null) return;
    p.sendTimers = null;
    for (const t of ts.values()) {
      vm.timers.cancel(t.seq);
      this.unindex(t);
      if (t.to === p.pid || !vm.isAlive(t.to)) continue;
      const release = holdOrphan(vm, t.value);
      let all = (this.orphans ??= new Map()).get(t.to);
      if (all === undefined) this.orphans.set(t.to, (all = new Map()));
      all.set(t, release);
      t.seq = vm.timers.add(t.at, () => {
        all.delete(t);
        if (all.size === 0 && this.orphans!.get(t.to) === all) this.orphans!.delete(t.to);
        release();
        vm.deliver(t.to, t.type, t.value);
      });
    }
  }

  /** `p` moved to another scheduler: its timers here go (they went with it). */
  dropTimers(p: Process): void {
    const ts = p.sendTimers;
    if (ts === null) return;
    for (const t of ts.values()) {
      this.vm.timers.cancel(t.seq);
      this.unindex(t);
    }
    p.sendTimers = null;
  }

  /** `p` came from another scheduler with its timers (due times on this VM's clock): arm them here. */
  adoptTimers(p: Process): void {
    if (p.sendTimers !== null) for (const t of p.sendTimers.values()) this.arm(p, t);
  }

  private arm(p: Process, t: SendTimer): void {
    t.seq = this.vm.timers.add(t.at, () => {
      if (p.sendTimers?.get(t.ref) !== t) return;
      p.sendTimers.delete(t.ref);
      this.unindex(t);
      this.vm.deliver(t.to, t.type, t.value);
    });
    if (t.to !== p.pid) {
      let all = this.byDest.get(t.to);
      if (all === undefined) this.byDest.set(t.to, (all = new Map()));
      all.set(t, p);
    }
  }

  /** `p`'s pending timer `t` goes without firing. */
  private disarm(p: Process, t: SendTimer): void {
    this.vm.timers.cancel(t.seq);
    p.sendTimers?.delete(t.ref);
    this.unindex(t);
  }

  private unindex(t: SendTimer): void {
    const all = this.byDest.get(t.to);
    if (all !== undefined && all.delete(t) && all.size === 0) this.byDest.delete(t.to);
  }
}

function noproc(pid: number): KError {
  return new KError(`call: ${pidString(pid)} is not alive`, C.noproc);
}

// ── natives ───────────────────────────────────────────────────────────────────────────

const sys = (f: (c: SysCtx, a: unknown[]) => unknown): NativeFn => (ctx, a) => f(ctx as SysCtx, a);

/** The keys of the static types a call's code passed (CallNativeTyped): `n` of them, made once per constant. */
function keysOf(c: SysCtx, n: number): readonly string[] {
  if (c.typeConst < 0 || c.argTypes === null || c.argTypes.length < n) throw fault("a call, reply or send_after needs its message types (CallNativeTyped)", C.bad_code);
  return c.vm.program.argKeys(c.typeConst);
}

function refArg(v: unknown): number {
  if (typeof v !== "number") throw fault("expected a ref", C.bad_code);
  return v;
}

function replyArg(v: unknown): ReplyTo {
  if (!(v instanceof ReplyTo)) throw fault("expected a reply address (from)", C.bad_code);
  return v;
}

export const SERVER_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>([
  ["vm.make_ref", sys((c) => c.vm.newRef())],
  ["vm.demonitor", sys((c, a) => c.vm.servers.demonitor(c.proc, refArg(a[0])))],
  // argTypes: ((from, R), T): the request's message type and the reply type the call waits for.
  [
    "vm.call",
    sys((c, a) => {
      const k = keysOf(c, 2);
      return c.vm.servers.call(c.proc, a[0] as number, k[0], c.vm.copyMessage(a[1]), k[1], a[2] as number);
    }),
  ],
  [
    "vm.reply",
    sys((c, a) => {
      const f = replyArg(a[0]);
      c.vm.servers.replied(f.pid, f.ref, keysOf(c, 1)[0], c.vm.copyMessage(a[1]));
      return null;
    }),
  ],
  ["vm.send_after", sys((c, a) => c.vm.servers.sendAfter(c.proc, a[0] as number, keysOf(c, 1)[0], c.vm.copyMessage(a[1]), a[2] as number))],
  ["vm.cancel_timer", sys((c, a) => c.vm.servers.cancelTimer(c.proc, refArg(a[0])))],
  [
    "exit.ref",
    (_ctx, a) => {
      const e = a[0] as ExitNotice;
      if (e.ref === 0) return new KError(`exit.ref: the exit of ${pidString(e.process)} came over a link or from vm.kill, not from a monitor`, C.not_monitor);
      return e.ref;
    },
  ],
  ["from.process", (_ctx, a) => replyArg(a[0]).pid],
]);
