// One thread's end of the scheduler threads: its own inbox, the inboxes of the others, and
// the runs it takes part in. Every record that arrives is handed to its run's `Remote`
// (remote.ts) at a safe point — between slices, or when the thread has nothing else to do —
// never in the middle of an instruction.
//
// Pushing may have to wait for room in another scheduler's inbox; meanwhile this thread's own
// inbox is read into `held` (copied, not handled), so two threads filling each other's inboxes
// both go on, and nothing is handled mid-instruction. `poll` handles held records first, so
// the order of arrival is kept.

import { Inbox } from "./inbox.js";
import { Reader, Writer } from "./codec.js";
import { Rec } from "./protocol.js";

/** What a run's end of the hub does with a record (remote.ts). */
export interface RunEnd {
  /** Handles one record of this run; `r` is positioned after its kind and run id. */
  apply(kind: Rec, r: Reader): void;
  /** A record of this run arrived: the run's scheduler on this thread has work again. */
  arrived(): void;
}

export class Hub {
  readonly inbox: Inbox;
  private readonly peers: (Inbox | null)[] = [];
  /** The record being written (one at a time: a record is written and pushed at once). */
  readonly w = new Writer();
  private readonly r = new Reader();
  private readonly runs = new Map<number, RunEnd>();
  /** Records of runs this thread has not joined yet (their set-up comes by postMessage). */
  private early = new Map<number, Uint8Array[]>();
  /** Records read while a push waited for room, not yet handled. */
  private held: Uint8Array[] = [];
  private sleeping = false;
  /** What to do after the next wake-up (each run that went idle on this thread). */
  private afterWake = new Set<() => void>();

  constructor(
    readonly id: number,
    inboxes: readonly SharedArrayBuffer[],
  ) {
    this.inbox = new Inbox(inboxes[id]);
    for (let i = 0; i < inboxes.length; i++) this.addPeer(i, inboxes[i]);
  }

  addPeer(id: number, buffer: SharedArrayBuffer): void {
    while (this.peers.length <= id) this.peers.push(null);
    if (this.peers[id] === null) this.peers[id] = id === this.id ? this.inbox : new Inbox(buffer);
  }

  attach(run: number, end: RunEnd): void {
    this.runs.set(run, end);
    const early = this.early.get(run);
    if (early) {
      this.early.delete(run);
      for (const b of early) this.dispatch(b, 0, b.length);
    }
  }

  detach(run: number): void {
    this.runs.delete(run);
    this.early.delete(run);
  }

  get runCount(): number {
    return this.runs.size;
  }

  /** Starts a record of `kind` for `run` in `w`. */
  begin(kind: Rec, run: number): Writer {
    const w = this.w.reset();
    w.u8(kind);
    w.i32(run);
    return w;
  }

  /** Pushes the record in `w` to scheduler `to`. */
  push(to: number): void {
    const peer = this.peers[to];
    if (!peer) throw new Error(`no scheduler ${to}`);
    peer.push(this.w.bytes, this.w.len, this.hold);
  }

  private readonly hold = (): void => {
    this.inbox.drain((b, off, len) => this.held.push(b.slice(off, off + len)));
  };

  /** Handles every record that has arrived. Call only between slices. */
  poll(): void {
    if (this.held.length !== 0) {
      const held = this.held;
      this.held = [];
      for (const b of held) this.dispatch(b, 0, b.length);
    }
    if (this.inbox.pending) this.inbox.drain(this.dispatch);
  }

  private readonly dispatch = (b: Uint8Array, off: number, len: number): void => {
    // A record handled while another is (a lock's idle callback polls) reads with its own reader.
    const r = (this.dispatching++ === 0 ? this.r : new Reader()).on(b, off, len);
    try {
      this.handle(r, b, off, len);
    } finally {
      this.dispatching--;
    }
  };

  private dispatching = 0;

  private handle(r: Reader, b: Uint8Array, off: number, len: number): void {
    const kind = r.u8() as Rec;
    const run = r.i32();
    const end = this.runs.get(run);
    if (end) {
      end.arrived();
      end.apply(kind, r);
      return;
    }
    if (kind === Rec.Stop) return;
    let list = this.early.get(run);
    if (!list) this.early.set(run, (list = []));
    list.push(b.slice(off, off + len));
  }

  /**
   * A run on this thread has nothing to do: handle the next record as soon as one is pushed
   * (or after a second), then call `then` (which checks again, and may sleep again).
   */
  sleep(then: () => void): void {
    this.afterWake.add(then);
    if (this.sleeping) return;
    this.sleeping = true;
    // Records a push stashed while it waited for room are work already here: no wait.
    const wait = this.held.length !== 0 ? null : this.inbox.waitAsync(1000);
    const wake = (): void => {
      this.sleeping = false;
      this.poll();
      const all = [...this.afterWake];
      this.afterWake.clear();
      for (const f of all) f();
    };
    if (wait === null) setImmediate(wake);
    else void wait.then(wake);
  }
}
