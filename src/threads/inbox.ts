// The inbox of one scheduler: a queue of byte records in a SharedArrayBuffer that any thread
// may write to and only the owning scheduler reads (multi-producer, single-consumer).
//
// Everything one scheduler tells another — a message, an exit signal, a link, a process that
// moves — is one record here, so the order in which records are pushed is the order in which
// the owner sees them. That is what keeps Erlang's per-sender order across threads: a sender
// that pushed m1 and then m2 (from whatever scheduler it ran on at the time) put m1 first.
//
// Layout: a header of three 64-byte cache lines, then the data ring (a power of two of
// bytes). The producers' words (LOCK, TAIL, SEQ), the consumer's (HEAD, FULL) and SLEEPING
// (written only around a sleep, read by every push) sit on different lines, so that a push
// and a drain going on at once on two cores do not pass one line back and forth for words
// the other does not need (ring-x, every message across threads: see docs/performance.md).
// A record is a u32 word (its length, with MORE set when a later record continues it) and
// its bytes, padded to 4. A record never wraps: where the ring's end is too close, the
// producer writes PAD and starts again at 0. Records larger than a quarter of the ring are
// cut into fragments pushed under one hold of the lock, so fragments of two senders never
// interleave.
//
// Producers take a lock (mutex.ts); the consumer never locks. A ring
// without room makes `push` wait, and while it waits it calls the producer's own `idle`
// callback (which drains the producer's own inbox): two schedulers each pushing into the
// other's full ring therefore both make progress, and no thread ever waits for itself.
//
// Positions (HEAD, TAIL) count bytes since the start modulo 2^32; differences are taken with
// `>>> 0`, so they never overflow while the ring is at most 2^30 bytes.

import { lock, unlock } from "./mutex.js";

// The producers' line.
const LOCK = 0;
const TAIL = 1;
/** Bumped on every publish; the consumer sleeps on it. */
const SEQ = 2;
// The consumer's line.
const HEAD = 16;
/** Set by a producer waiting for room, so that the consumer knows to notify. */
const FULL = 17;
// A line of its own.
/** Set by a consumer about to sleep, so that producers know to notify. */
const SLEEPING = 32;
const HEADER_BYTES = 192;

const MORE = 0x80000000;
const PAD = 0x7fffffff;

/**
 * Copies n bytes. Most records are a few dozen bytes (a message of a scalar type is about 20),
 * and for those a loop beats `set(subarray(...))`, which makes a view object for every record
 * and calls into the runtime; longer ones go through `set`.
 */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n > 64) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2022 library does not declare. */
interface AtomicsWithWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, ms: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

export const DEFAULT_INBOX_BYTES = 1 << 22;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The shared memory of one inbox, as handed to another thread (postMessage of the buffer). */
export function inboxBuffer(bytes = DEFAULT_INBOX_BYTES): SharedArrayBuffer {
  if (bytes < 1024 || (bytes & (bytes - 1)) !== 0 || bytes > 1 << 30) throw new RangeError(`inbox size ${bytes}: a power of two from 1 KiB to 1 GiB`);
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

export class Inbox {
  private readonly h: Int32Array;
  private readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly cap: number;
  private readonly mask: number;
  /** Largest fragment a producer writes. */
  private readonly maxFragment: number;
  /** A record the consumer is assembling from fragments (null when none). */
  private partial: Uint8Array | null = null;
  private partialLen = 0;
  /** Drains in progress on this thread (a push inside a handler may drain again). */
  private depth = 0;
  /** Where the outermost drain copies a record before handing it over. */
  private scratch = new Uint8Array(256);
  /**
   * The consumer's HEAD as this producer last read it, and TAIL and SEQ as this producer left
   * them. While no other producer has pushed since (TAIL and SEQ unchanged), HEAD can only
   * have moved forward by at most a ring's worth, so room reckoned from the old value is never
   * more than there is; HEAD is then read again only when that room is too small, and the
   * consumer's line is not fetched for every record. After another producer's push, HEAD is
   * read every time (positions wrap at 2^32, so a value that old could mislead).
   */
  private headSeen = 0;
  private tailLeft = -1;
  private seqLeft = -1;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.h = new Int32Array(buffer, 0, HEADER_BYTES >> 2);
    this.cap = buffer.byteLength - HEADER_BYTES;
    this.mask = this.cap - 1;
    this.data = new Uint8Array(buffer, HEADER_BYTES, this.cap);
    this.view = new DataView(buffer, HEADER_BYTES, this.cap);
    this.maxFragment = (this.cap >> 2) - 8;
  }

  // ── producers (any thread) ──────────────────────────────────────────────────────────

  /**
   * Appends `len` bytes of `src` as one record. Waits while the ring is full, calling `idle`
   * between waits (the caller drains its own inbox there). Never fails.
   */
  push(src: Uint8Array, len: number, idle: () => void): void {
    lock(this.h, LOCK, idle);
    try {
      let off = 0;
      do {
        const n = Math.min(len - off, this.maxFragment);
        const more = off + n < len;
        this.write(src, off, n, more, idle);
        off += n;
      } while (off < len);
    } finally {
      unlock(this.h, LOCK);
    }
    this.seqLeft = (Atomics.add(this.h, SEQ, 1) + 1) | 0;
    // One wake-up a sleep: the first producer to see the consumer asleep clears the flag.
    if (Atomics.load(this.h, SLEEPING) !== 0 && Atomics.compareExchange(this.h, SLEEPING, 1, 0) === 1) Atomics.notify(this.h, SEQ);
  }

  private write(src: Uint8Array, off: number, n: number, more: boolean, idle: () => void): void {
    const need = 4 + align4(n);
    for (;;) {
      const tail = this.h[TAIL];
      const pos = tail & this.mask;
      const toEnd = this.cap - pos;
      const pad = need > toEnd ? toEnd : 0;
      let head = this.headSeen;
      if (tail !== this.tailLeft || Atomics.load(this.h, SEQ) !== this.seqLeft || ((tail - head) >>> 0) + pad + need > this.cap) head = this.headSeen = Atomics.load(this.h, HEAD);
      if (((tail - head) >>> 0) + pad + need <= this.cap) {
        let at = pos;
        let t = tail;
        if (pad !== 0) {
          this.view.setUint32(pos, PAD, true);
          t = (t + pad) | 0;
          at = 0;
        }
        this.view.setUint32(at, more ? (n | MORE) >>> 0 : n, true);
        copyBytes(src, off, this.data, at + 4, n);
        Atomics.store(this.h, TAIL, (this.tailLeft = (t + need) | 0));
        return;
      }
      // No room: publish what is there, let our own scheduler drain, and wait for the consumer.
      Atomics.store(this.h, FULL, 1);
      Atomics.add(this.h, SEQ, 1);
      Atomics.notify(this.h, SEQ);
      idle();
      Atomics.wait(this.h, HEAD, head, 1);
    }
  }

  // ── the consumer (the owning thread only) ───────────────────────────────────────────

  /** Is anything waiting to be read? */
  get pending(): boolean {
    return Atomics.load(this.h, TAIL) !== this.h[HEAD];
  }

  /**
   * Reads every complete record published so far, in order: `each(bytes, offset, length)`.
   * The bytes are the record's own copy (a scratch buffer reused by the next record at this
   * depth): read them before returning. Returns the count.
   *
   * Re-entrant: `each` may push to another scheduler, and a push that waits for room drains
   * this inbox again meanwhile (hub.ts `hold`), as may a lock's idle callback. So each record
   * is copied out and its room given back before it is handed over, and the position is
   * re-read after every record: an inner drain takes the records after the current one, and
   * the outer one sees they are gone. (Handing over bytes still in the ring and giving the
   * room back afterwards let an inner drain read the current record again, and then moved
   * HEAD backwards over room producers had already reused.)
   */
  drain(each: (bytes: Uint8Array, off: number, len: number) => void): number {
    const tail = Atomics.load(this.h, TAIL);
    let count = 0;
    const outer = this.depth++ === 0;
    try {
      for (;;) {
        const head = this.h[HEAD];
        // Signed distance: an inner drain may have gone past the tail this one started with.
        if (((tail - head) | 0) <= 0) break;
        const pos = head & this.mask;
        const w = this.view.getUint32(pos, true);
        if (w === PAD) {
          Atomics.store(this.h, HEAD, (head + (this.cap - pos)) | 0);
          continue;
        }
        const n = (w & ~MORE) >>> 0;
        const more = (w & MORE) !== 0;
        const next = (head + 4 + align4(n)) | 0;
        if (more || this.partial !== null) {
          this.append(pos + 4, n);
          Atomics.store(this.h, HEAD, next);
          if (more) continue;
          const whole = this.partial!;
          const len = this.partialLen;
          this.partial = null;
          this.partialLen = 0;
          each(whole, 0, len);
        } else {
          let copy = outer ? this.scratch : new Uint8Array(n);
          if (copy.length < n) copy = this.scratch = new Uint8Array(Math.max(n, copy.length * 2));
          copyBytes(this.data, pos + 4, copy, 0, n);
          // Give room back as we go, so that a producer waiting for it can go on.
          Atomics.store(this.h, HEAD, next);
          each(copy, 0, n);
        }
        count++;
      }
    } finally {
      this.depth--;
    }
    if (Atomics.load(this.h, FULL) !== 0) {
      Atomics.store(this.h, FULL, 0);
      Atomics.notify(this.h, HEAD);
    }
    return count;
  }

  private append(at: number, n: number): void {
    let buf = this.partial;
    const need = this.partialLen + n;
    if (buf === null || buf.length < need) {
      const grown = new Uint8Array(Math.max(need, buf === null ? 1024 : buf.length * 2));
      if (buf !== null) grown.set(buf.subarray(0, this.partialLen));
      buf = this.partial = grown;
    }
    buf.set(this.data.subarray(at, at + n), this.partialLen);
    this.partialLen = need;
  }

  /**
   * Resolves when a producer may have published something since `drain` last saw the ring
   * empty (or after `ms`). For a scheduler's idle wait on its event loop.
   */
  waitAsync(ms: number): Promise<unknown> | null {
    const seq = Atomics.load(this.h, SEQ);
    Atomics.store(this.h, SLEEPING, 1);
    if (this.pending) {
      Atomics.store(this.h, SLEEPING, 0);
      return null;
    }
    const r = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(this.h, SEQ, seq, ms);
    if (!r.async) {
      Atomics.store(this.h, SLEEPING, 0);
      return null;
    }
    return r.value.then((v) => {
      Atomics.store(this.h, SLEEPING, 0);
      return v;
    });
  }

  /** Blocks the calling thread until something is published or `ms` pass (a worker's idle wait). */
  waitSync(ms: number): void {
    const seq = Atomics.load(this.h, SEQ);
    Atomics.store(this.h, SLEEPING, 1);
    if (!this.pending) Atomics.wait(this.h, SEQ, seq, ms);
    Atomics.store(this.h, SLEEPING, 0);
  }
}
