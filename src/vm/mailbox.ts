// A process's mailbox: the messages sent to it and not yet received, and selective receive.
//
// Kaylee receives by static type (`let m: T = vm.receive();` takes the oldest message whose
// type is T), so the mailbox keeps one first-in-first-out queue per message type instead of
// one list that a receive scans: taking the oldest message of a type is O(1) however many
// messages of other types are queued ahead of it. This is the effect of Erlang's receive
// markers (a receive never looks again at what an earlier receive of the same kind skipped),
// made structural. Every message also gets an arrival number, so the oldest message of any
// of several types (the multi-type `receive {}` statement) is the head with the lowest number
// among those types' queues: O(number of types), never O(messages).
//
// Messages of one type stay in arrival order, so the order in which one sender's messages
// arrive is the order they are received in. A mailbox is touched only by the scheduler that
// runs its process; messages from elsewhere enter through `VMCore.deliver`.

/** What `take` returns when no message of the type is queued. */
export const NONE: unique symbol = Symbol("no message");
/** What `VMCore.receive` returns when nothing matched: the process waits (both tiers read it). */
export const NO_MESSAGE: unique symbol = Symbol("must wait");
/** What `VMCore.receiveSelect` returns when nothing matched: the process waits. */
export const SELECT_WAIT = -2;

/**
 * Work done by mailboxes, for tests that check that receiving costs the same however long
 * the mailbox is: `examined` counts every queue head a take or a lookup looked at.
 */
export const mailboxStats = { examined: 0 };

/** The queue of one message type: a ring buffer of values and their arrival numbers. */
class TypeQueue {
  vals: unknown[] = new Array(8).fill(null);
  seqs: number[] = new Array(8).fill(0);
  head = 0;
  count = 0;

  push(v: unknown, seq: number): void {
    if (this.count === this.vals.length) this.grow();
    const i = (this.head + this.count) & (this.vals.length - 1);
    this.vals[i] = v;
    this.seqs[i] = seq;
    this.count++;
  }

  shift(): unknown {
    const i = this.head;
    const v = this.vals[i];
    this.vals[i] = null;
    this.head = (i + 1) & (this.vals.length - 1);
    // Emptied after it grew (a burst): give the room back.
    if (--this.count === 0 && this.vals.length > 64) {
      this.vals = new Array(8).fill(null);
      this.seqs = new Array(8).fill(0);
      this.head = 0;
    }
    return v;
  }

  /** Arrival number of the oldest queued message (the queue is not empty). */
  oldest(): number {
    return this.seqs[this.head];
  }

  /** Removes the oldest value `match` accepts, keeping the others in order; false if none. O(count). */
  removeFirst(match: (v: unknown) => boolean): boolean {
    const mask = this.vals.length - 1;
    let k = 0;
    while (k < this.count && !match(this.vals[(this.head + k) & mask])) k++;
    if (k === this.count) return false;
    for (; k + 1 < this.count; k++) {
      const to = (this.head + k) & mask;
      const from = (this.head + k + 1) & mask;
      this.vals[to] = this.vals[from];
      this.seqs[to] = this.seqs[from];
    }
    this.vals[(this.head + this.count - 1) & mask] = null;
    this.count--;
    return true;
  }

  forEach(f: (v: unknown) => void): void {
    const mask = this.vals.length - 1;
    for (let k = 0; k < this.count; k++) f(this.vals[(this.head + k) & mask]);
  }

  forEachWithSeq(f: (v: unknown, seq: number) => void): void {
    const mask = this.vals.length - 1;
    for (let k = 0; k < this.count; k++) f(this.vals[(this.head + k) & mask], this.seqs[(this.head + k) & mask]);
  }

  /** Arrival number of the newest queued message (the queue is not empty). */
  newest(): number {
    return this.seqs[(this.head + this.count - 1) & (this.vals.length - 1)];
  }

  private grow(): void {
    const n = this.vals.length;
    const vals: unknown[] = new Array(n * 2).fill(null);
    const seqs: number[] = new Array(n * 2).fill(0);
    for (let k = 0; k < this.count; k++) {
      vals[k] = this.vals[(this.head + k) & (n - 1)];
      seqs[k] = this.seqs[(this.head + k) & (n - 1)];
    }
    this.vals = vals;
    this.seqs = seqs;
    this.head = 0;
  }
}

export class Mailbox {
  /** Messages queued, all types together. */
  length = 0;
  /** The next arrival number. */
  private seq = 0;
  /** The queue of the first type that arrived (most processes receive one type): no Map lookup. */
  private firstType = "";
  private first: TypeQueue | null = null;
  /** The queues of every other type, created as messages of that type arrive. */
  private others: Map<string, TypeQueue> | null = null;

  push(type: string, value: unknown): void {
    let q = type === this.firstType ? this.first : null;
    if (q === null) q = this.queueFor(type);
    q.push(value, this.seq++);
    this.length++;
  }

  /** The oldest queued message of `type`, removed; NONE when there is none. */
  take(type: string): unknown {
    mailboxStats.examined++;
    const q = type === this.firstType ? this.first : this.others === null ? undefined : this.others.get(type);
    if (q === null || q === undefined || q.count === 0) return NONE;
    this.length--;
    return q.shift();
  }

  /** How many messages of `type` are queued. */
  countOf(type: string): number {
    const q = type === this.firstType ? this.first : this.others === null ? undefined : this.others.get(type);
    return q === null || q === undefined ? 0 : q.count;
  }

  /**
   * Removes the oldest queued message of `type` that `match` accepts (the others keep their
   * order and arrival numbers); false when there is none. O(messages of that type): for
   * `vm.demonitor`'s flush of a notice already queued, whose caller charges the work.
   */
  removeFirst(type: string, match: (v: unknown) => boolean): boolean {
    const q = type === this.firstType ? this.first : this.others === null ? undefined : this.others.get(type);
    if (q === null || q === undefined || !q.removeFirst(match)) return false;
    this.length--;
    return true;
  }

  /**
   * Which of `types` has the oldest queued message (its index in `types`), or -1 when none
   * has any: with `take`, the multi-type receive, which takes the oldest message matching
   * any of its arms.
   */
  oldestOf(types: readonly string[]): number {
    let best = -1;
    let bestSeq = Infinity;
    for (let i = 0; i < types.length; i++) {
      mailboxStats.examined++;
      const t = types[i];
      const q = t === this.firstType ? this.first : this.others === null ? undefined : this.others.get(t);
      if (q === null || q === undefined || q.count === 0) continue;
      const s = q.oldest();
      if (s < bestSeq) {
        bestSeq = s;
        best = i;
      }
    }
    return best;
  }

  /**
   * The oldest `n` messages, all types together, in arrival order (introspection): a merge
   * of the queues' heads, O(n × types) — never a walk of the whole mailbox.
   */
  peek(n: number): { type: string; value: unknown }[] {
    const queues: [string, TypeQueue][] = [];
    if (this.first !== null) queues.push([this.firstType, this.first]);
    if (this.others !== null) for (const e of this.others) queues.push(e);
    const at = new Array<number>(queues.length).fill(0);
    const out: { type: string; value: unknown }[] = [];
    while (out.length < n) {
      let best = -1;
      let bestSeq = Infinity;
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i][1];
        if (at[i] >= q.count) continue;
        const s = q.seqs[(q.head + at[i]) & (q.vals.length - 1)];
        if (s < bestSeq) {
          bestSeq = s;
          best = i;
        }
      }
      if (best < 0) break;
      const q = queues[best][1];
      out.push({ type: queues[best][0], value: q.vals[(q.head + at[best]++) & (q.vals.length - 1)] });
    }
    return out;
  }

  /** Calls `f` with every queued value (in no particular order): heap measurement. */
  forEachValue(f: (v: unknown) => void): void {
    if (this.first !== null) this.first.forEach(f);
    if (this.others !== null) for (const q of this.others.values()) q.forEach(f);
  }

  // ── moving a mailbox to another thread (threads/process-state.ts) ─────────────────────

  /** The arrival number the next message will get. */
  get nextSeq(): number {
    return this.seq;
  }

  /** How many message types have a queue (emptied ones included). */
  get typeCount(): number {
    return this.first === null ? 0 : 1 + (this.others === null ? 0 : this.others.size);
  }

  /**
   * Every type's queue, the first type that arrived first (emptied queues included): `queue`
   * gets its type and how many messages it holds, then `message` each of them, oldest first,
   * with its arrival number.
   */
  exportQueues(queue: (type: string, count: number) => void, message: (value: unknown, seq: number) => void): void {
    if (this.first === null) return;
    queue(this.firstType, this.first.count);
    this.first.forEachWithSeq(message);
    if (this.others !== null) {
      for (const [type, q] of this.others) {
        queue(type, q.count);
        q.forEachWithSeq(message);
      }
    }
  }

  /** An empty mailbox whose next message gets arrival number `nextSeq`; filled by `restore*`. */
  static rebuilt(nextSeq: number): Mailbox {
    if (!(Number.isSafeInteger(nextSeq) && nextSeq >= 0)) throw new RangeError(`bad mailbox: next arrival number ${nextSeq}`);
    const m = new Mailbox();
    m.seq = nextSeq;
    return m;
  }

  /** Recreates the (perhaps empty) queue of `type`, in the order `exportQueues` gave them. */
  restoreQueue(type: string): void {
    this.queueFor(type);
  }

  /**
   * Puts back a message of `type` with its arrival number: oldest first within a type, every
   * number below `nextSeq` (checked, so that the rebuilt mailbox keeps the
   * order invariants `take` and `oldestOf` rely on).
   */
  restoreMessage(type: string, value: unknown, seq: number): void {
    const q = type === this.firstType && this.first !== null ? this.first : this.queueFor(type);
    if (!(Number.isSafeInteger(seq) && seq >= 0 && seq < this.seq) || (q.count !== 0 && q.newest() >= seq)) {
      throw new RangeError(`bad mailbox: arrival number ${seq} out of order for type ${type}`);
    }
    q.push(value, seq);
    this.length++;
  }

  private queueFor(type: string): TypeQueue {
    if (this.first === null) {
      this.firstType = type;
      return (this.first = new TypeQueue());
    }
    const others = (this.others ??= new Map());
    let q = others.get(type);
    if (q === undefined) others.set(type, (q = new TypeQueue()));
    return q;
  }
}

/** The mailbox of every process that has not been sent anything: never pushed onto. */
export const NO_MAIL: Mailbox = new Mailbox();
