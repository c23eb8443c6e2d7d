// The `Host` the CLI runs programs with: Node's standard streams, node:fs and
// node:path. Embedders and tests supply their own `Host` instead.
//
// Standard input is read lazily: nothing touches stdin until the first `readLine`, and the
// stream is paused whenever no one is waiting for a line, so an idle or finished program
// never keeps Node's event loop alive. `close()` lets go of stdin for good.
// A closed stdout (EPIPE, as with `raft run x.kl | head`) silences output instead of
// crashing the host.

import { nodeFs } from "./node-fs.js";
import { TooLarge, type Host, type Permissions, type ReadBudget } from "./native-api.js";
import { MAX_STRING_LENGTH } from "./values.js";

export type Output = NodeJS.WritableStream | ((text: string) => void);

export interface NodeHostOptions {
  args: string[];
  permissions: Permissions;
  env?: Record<string, string | undefined>;
  stdout?: Output;
  stderr?: Output;
  stdin?: NodeJS.ReadableStream;
}

export interface NodeHost extends Host {
  /** Stops reading standard input; pending and later `readLine`s see end of input. */
  close(): void;
}

export function makeNodeHost(opts: NodeHostOptions): NodeHost {
  const lines = new LineReader(opts.stdin ?? (() => process.stdin));
  return {
    stdout: writer(opts.stdout ?? process.stdout),
    stderr: writer(opts.stderr ?? process.stderr),
    readLine: (take) => lines.readLine(take),
    args: opts.args,
    permissions: opts.permissions,
    env: opts.env ?? process.env,
    fs: nodeFs,
    close: () => lines.close(),
  };
}

/** A text sink over a stream that goes quiet once the stream breaks (EPIPE). */
function writer(out: Output): (text: string) => void {
  if (typeof out === "function") return out;
  let broken = false;
  out.on("error", () => {
    broken = true;
  });
  return (text) => {
    if (broken || text === "") return;
    try {
      out.write(text);
    } catch {
      broken = true;
    }
  };
}

interface Waiter {
  ok: (line: string | null) => void;
  fail: (e: Error) => void;
  take: ReadBudget | undefined;
}

/** A line that did not fit its reader: the waiter that gets it is refused with TooLarge. */
const TOO_LONG = Symbol("too long");

/**
 * Splits a readable stream into lines on demand. Work is linear in the input: each chunk is
 * scanned once for newlines and the pieces of a line are kept in a list, joined once when its
 * newline arrives. The pieces of the line being read are offered to the budget of the waiter
 * who will get it as they arrive; a line that does not fit is skipped up to its newline and
 * that waiter gets a TooLarge error.
 */
export class LineReader {
  private stream: NodeJS.ReadableStream | null = null;
  /** The line being read: its pieces, their total length, and whether it is being skipped. */
  private pieces: string[] = [];
  private pending = 0;
  private skipping = false;
  private readonly lines: (string | typeof TOO_LONG)[] = [];
  private readonly waiters: Waiter[] = [];
  private attached = false;
  private ended = false;

  /** `source` may be a function, called at the first read (so that stdin is not opened before). */
  constructor(private readonly source: NodeJS.ReadableStream | (() => NodeJS.ReadableStream)) {}

  private get input(): NodeJS.ReadableStream {
    if (this.stream === null) this.stream = typeof this.source === "function" ? this.source() : this.source;
    return this.stream;
  }

  /** The next line without its `\n` (or `\r\n`), or null at end of input. */
  readLine(take?: ReadBudget): Promise<string | null> {
    if (this.lines.length > 0) {
      const line = this.lines.shift()!;
      if (line === TOO_LONG) return Promise.reject(tooLong());
      if (take && !take(line.length)) return Promise.reject(tooLong());
      return Promise.resolve(line);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((ok, fail) => {
      this.waiters.push({ ok, fail, take });
      // Pieces that came while no one waited (a paused stream may still hand over a chunk)
      // are offered now to the budget of the one who will get them.
      if (this.waiters.length === 1 && this.pending > 0 && take && !take(this.pending)) this.skip();
      this.attach();
      this.hold(true);
    });
  }

  close(): void {
    if (!this.ended) this.finish(false);
    if (this.attached) this.detach();
    if (this.stream !== null) this.hold(false);
  }

  /**
   * Reading or not. A paused socket may still hold a libuv read, so the handle is also
   * unref'd: only a waiting `readLine` keeps the process alive.
   */
  private hold(reading: boolean): void {
    const handle = this.input as { ref?: () => void; unref?: () => void };
    if (reading) {
      handle.ref?.();
      this.input.resume();
    } else {
      this.input.pause();
      handle.unref?.();
    }
  }

  private readonly onData = (chunk: string | Buffer): void => {
    const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let from = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", from)) >= 0) {
      this.add(text.slice(from, nl));
      this.endLine();
      from = nl + 1;
    }
    if (from < text.length) this.add(from === 0 ? text : text.slice(from));
    this.deliver();
  };

  /** A piece of the line being read, offered to the budget of the waiter it will go to. */
  private add(piece: string): void {
    if (this.skipping || piece === "") return;
    const owner = this.waiters[this.lines.length];
    if (this.pending + piece.length > MAX_STRING_LENGTH || (owner?.take && !owner.take(piece.length))) return this.skip();
    this.pieces.push(piece);
    this.pending += piece.length;
  }

  /** Drops the line being read up to its newline. */
  private skip(): void {
    this.pieces = [];
    this.pending = 0;
    this.skipping = true;
  }

  private endLine(): void {
    if (this.skipping) this.lines.push(TOO_LONG);
    else {
      const line = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join("");
      this.lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    this.pieces = [];
    this.pending = 0;
    this.skipping = false;
  }

  private readonly onEnd = (): void => {
    this.finish(true);
  };

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.input.setEncoding("utf8");
    this.input.on("data", this.onData);
    this.input.on("end", this.onEnd);
    this.input.on("error", this.onEnd);
  }

  private detach(): void {
    this.attached = false;
    this.input.off("data", this.onData);
    this.input.off("end", this.onEnd);
    this.input.off("error", this.onEnd);
  }

  /** Hands buffered lines to waiters; pauses the stream when no one waits any more. */
  private deliver(): void {
    while (this.waiters.length > 0 && this.lines.length > 0) {
      const w = this.waiters.shift()!;
      const line = this.lines.shift()!;
      if (line === TOO_LONG) w.fail(tooLong());
      else w.ok(line);
    }
    if (this.ended) while (this.waiters.length > 0) this.waiters.shift()!.ok(null);
    if (this.waiters.length === 0 && !this.ended) this.hold(false);
  }

  /** End of input: a final line without a newline still counts. */
  private finish(keepPartial: boolean): void {
    if (keepPartial && (this.pending > 0 || this.skipping)) this.endLine();
    this.pieces = [];
    this.pending = 0;
    this.ended = true;
    this.deliver();
  }
}

function tooLong(): TooLarge {
  return new TooLarge("the line is longer than the reader may hold");
}
