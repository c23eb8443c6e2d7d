// Links, monitors and exit signals, with Erlang's semantics (SPEC §3).
//
// An exit signal (vm.kill, a linked process's end) and a monitor's notice are *signals*:
// they go through one first-in-first-out worklist rather than by calling into the receiver,
// so ending one process never recurses on the host stack however long a chain of links it
// sets off (a chain of 100,000 linked processes ends tail to head in a loop). A signal sent
// while no other is being handled is handled before `send` returns, as before; one sent
// while handling another (a process ended by a signal tells its own links) joins the back
// of the queue. Because the queue keeps the order signals were sent in, signals from one
// sender arrive in the order it sent them, and after the messages it sent before them.
//
// A signal that ends a process carries its cause (who sent it, over a link or not, and the
// panic it began with) so that the end of the main process can say where it came from.
// With several schedulers, signals are what crosses between them besides messages.

import { Status, pidString, type Process } from "./process.js";
import { ExitNotice } from "./values.js";
import { RefTable } from "./ref-table.js";
import type { PanicInfo, VMCore } from "./vm-core.js";

/** Why a process was ended by a signal (see `VMCore.exit`). */
export interface ExitCause {
  /** The process the signal came from. */
  from: number;
  /** It came over a link (the sender ended). */
  linked: boolean;
  /** The panic the chain of exits began with, if it began with one. */
  origin: PanicInfo | null;
}

interface Signal {
  from: number;
  to: number;
  reason: string;
  /** An exit signal sent by a linked process's end (not vm.kill): "kill" is then trappable. */
  linked: boolean;
  /** A monitor's notice: an `exit` message for a monitoring process, not an exit signal. */
  notice: boolean;
  /** The monitor a notice is for (0: none, a notice of a monitor that was never set up). */
  ref: number;
  origin: PanicInfo | null;
}

export class Signals {
  /** Signals not yet handled, oldest first from `head`. */
  private queue: (Signal | null)[] = [];
  private head = 0;
  private draining = false;

  constructor(private readonly vm: VMCore) {}

  /**
   * Links `a` (here) and `b`. False when `b` has ended and `a` does not trap exits: as
   * Erlang's link/1 raises noproc then, the caller's vm.link returns an error value. A caller
   * that traps exits gets an exit message with reason noproc instead (Erlang's too). (A
   * process elsewhere that ends while the link is on its way answers with that exit signal.)
   */
  link(a: number, b: number): boolean {
    if (a === b) return true;
    const procs = this.vm.procs;
    const pa = procs.get(a);
    const pb = procs.get(b);
    if (!pa) return true;
    if (!pb && this.vm.remote !== null && this.vm.remote.link(a, b)) {
      (pa.links ??= new Set()).add(b);
      return true;
    }
    if (!pb) {
      if (!pa.trapExits) return false;
      this.send(b, a, "noproc");
      return true;
    }
    (pa.links ??= new Set()).add(b);
    (pb.links ??= new Set()).add(a);
    return true;
  }

  unlink(a: number, b: number): void {
    const procs = this.vm.procs;
    const pa = procs.get(a);
    // A supervisor keeps its children linked: a child's unlink of it does nothing.
    if (pa !== undefined && pa.supervised && b === pa.parent) return;
    pa?.links?.delete(b);
    if (procs.has(b)) this.unlinkedFrom(a, b);
    else this.vm.remote?.unlink(a, b);
  }

  /** `to`'s end of a link `from` removed (here, or on another scheduler). */
  unlinkedFrom(from: number, to: number): void {
    const q = this.vm.procs.get(to);
    if (!q?.links?.delete(from)) return;
    if (q.supervisor !== null) this.vm.supervisors?.unlinked(this.vm, q, from);
  }

  /** The other end of a link `from` made on another scheduler; noproc back if `to` has ended. */
  linkedFrom(from: number, to: number): void {
    const q = this.vm.procs.get(to);
    if (q) (q.links ??= new Set()).add(from);
    else this.send(to, from, "noproc");
  }

  /** A monitor of `target` (here) held by `watcher` elsewhere; a noproc notice if it has ended. */
  monitoredFrom(ref: number, watcher: number, target: number): void {
    const t = this.vm.procs.get(target);
    if (t) (t.monitoredBy ??= new RefTable()).set(ref, watcher);
    else this.queue.push({ from: target, to: watcher, reason: "noproc", linked: false, notice: true, ref, origin: null }), this.drain();
  }

  /** A signal from another scheduler for a process here. */
  arrived(from: number, to: number, reason: string, linked: boolean, notice: boolean, ref: number, origin: PanicInfo | null): void {
    this.queue.push({ from, to, reason, linked, notice, ref, origin });
    this.drain();
  }

  /** A new monitor of `target` held by `watcher`; its ref. A noproc notice at once if `target` has ended. */
  monitor(watcher: number, target: number): number {
    const ref = this.vm.newRef();
    // Monitoring yourself sets up nothing (Erlang's too): no notice, not in monitors(), and
    // demonitor of its ref is false.
    if (watcher === target) return ref;
    if (!this.watch(watcher, target, ref)) this.vm.deliver(watcher, "exit", new ExitNotice(target, "noproc", ref));
    return ref;
  }

  /**
   * Sets up monitor `ref` of `target` held by `watcher` (which lives here). False, with nothing
   * set up, when `target` is known to have ended; a target elsewhere that has ended answers
   * with a noproc notice (monitoredFrom).
   */
  watch(watcher: number, target: number, ref: number): boolean {
    const remote = this.vm.remote;
    const t = this.vm.procs.get(target);
    const w = this.vm.procs.get(watcher);
    if (!w) return true;
    if (!t && remote !== null && remote.monitor(ref, watcher, target)) {
      (w.monitors ??= new RefTable()).set(ref, target);
      return true;
    }
    if (!t) return false;
    (w.monitors ??= new RefTable()).set(ref, target);
    (t.monitoredBy ??= new RefTable()).set(ref, watcher);
    return true;
  }

  /**
   * Removes monitor `ref` held by `w`, at both ends (the other end by a DEMONITOR record when
   * the target lives elsewhere). False when `w` holds no such monitor: it never did, or it
   * fired already (its notice reached `w`, or reaches it and is dropped for lack of it).
   */
  demonitor(w: Process, ref: number): boolean {
    const target = w.monitors?.get(ref);
    if (target === undefined) return false;
    w.monitors!.delete(ref);
    const t = this.vm.procs.get(target);
    if (t) t.monitoredBy?.delete(ref);
    else this.vm.remote?.demonitor(ref, w.pid, target);
    return true;
  }

  /**
   * An exit signal from `from` to `to` with `reason` (Erlang's exit/2). "kill" is
   * untrappable and ends the target with "killed".
   */
  send(from: number, to: number, reason: string): void {
    this.queue.push({ from, to, reason, linked: false, notice: false, ref: 0, origin: null });
    this.drain();
  }

  /**
   * An exit signal from outside the program (the observer's kill) for `pid`, which lives on
   * this scheduler: `"kill"` is vm.kill(p); any other reason comes as if from its parent, so
   * that every process obeys it, supervisors included. False when `pid` is not here.
   */
  fromOutside(pid: number, reason: string): boolean {
    const p = this.vm.procs.get(pid);
    if (!p) return false;
    const log = this.vm.log;
    if (log.enabled("info")) log.log("info", `kill ${pidString(pid)} by the observer${reason === "kill" ? "" : ` (${JSON.stringify(reason)})`}`);
    this.send(reason === "kill" ? 0 : p.parent, pid, reason);
    return true;
  }

  /**
   * Process `p` has ended with `reason` (already out of the process table): its monitors'
   * notices and its links' exit signals are queued, then handled. Notices go first, so that a
   * watcher hears of `p` before it can hear of what `p`'s end set off through a link (its
   * supervisor's end, say). A process that both monitors `p` and is linked to it gets the
   * link's signal first and then the notice, as on the BEAM (trapping exits, it takes the exit
   * message before the notice).
   */
  ended(p: Process, reason: string, origin: PanicInfo | null): void {
    const procs = this.vm.procs;
    if (p.monitors)
      for (const [ref, target] of p.monitors) {
        const t = procs.get(target);
        if (t) t.monitoredBy?.delete(ref);
        else this.vm.remote?.demonitor(ref, p.pid, target);
      }
    p.monitors = null;
    // The watcher drops its monitor, and a linked process its link, when the signal reaches
    // it (handle): the same whether it lives on this scheduler or another.
    const links = p.links;
    p.links = null;
    const watchers = p.monitoredBy;
    p.monitoredBy = null;
    if (watchers)
      for (const [ref, watcher] of watchers) {
        if (links !== null && links.delete(watcher)) this.queue.push({ from: p.pid, to: watcher, reason, linked: true, notice: false, ref: 0, origin });
        this.queue.push({ from: p.pid, to: watcher, reason, linked: false, notice: true, ref, origin: null });
      }
    if (links) for (const l of links) this.queue.push({ from: p.pid, to: l, reason, linked: true, notice: false, ref: 0, origin });
    this.drain();
  }

  /** Handles queued signals until none is left (a nested call leaves them to the outer loop). */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      const q = this.queue;
      while (this.head < q.length) {
        const s = q[this.head]!;
        q[this.head++] = null;
        this.handle(s);
      }
    } finally {
      // A throw (the receiver of a notice is the running process and went over its heap)
      // leaves the rest queued for the next drain.
      this.draining = false;
      if (this.head >= this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
    }
  }

  private handle(s: Signal): void {
    const vm = this.vm;
    const q = vm.procs.get(s.to);
    if (!q) {
      vm.remote?.signal(s.from, s.to, s.reason, s.linked, s.notice, s.ref, s.origin);
      return;
    }
    if (s.notice) {
      // Only for a monitor the watcher still holds (once, however the notice came).
      if (s.ref !== 0 && !q.monitors?.delete(s.ref)) return;
      // The monitor of a vm.call the watcher waits in: the call ends with an error instead.
      if (s.ref !== 0 && s.ref === q.callRef) return vm.servers.down(q, s.from, s.reason);
      vm.deliver(s.to, "exit", new ExitNotice(s.from, s.reason, s.ref));
      return;
    }
    // An exit signal over a link counts only while the link is there (not after an unlink).
    if (s.linked && !q.links?.delete(s.from)) return;
    if (s.reason === "kill" && !s.linked) {
      vm.exit(q, "killed", { from: s.from, linked: false, origin: null });
      return;
    }
    if (q.supervisor !== null && vm.supervisors) {
      vm.supervisors.signal(vm, q, s.from, s.reason);
      return;
    }
    if (q.trapExits) {
      vm.deliver(s.to, "exit", new ExitNotice(s.from, s.reason));
      return;
    }
    if (s.reason === "normal" && s.from !== s.to) return;
    if (q.status !== Status.Dead) vm.exit(q, s.reason, { from: s.from, linked: s.linked, origin: s.origin });
  }
}
