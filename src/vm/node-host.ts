// The `Host` the CLI runs programs with: Node's standard streams, node:fs and
// node:path. Embedders and tests supply their own `Host` instead.
//
// Standard input is read lazily: nothing touches stdin until the first `readLine`, and the
// stream is paused whenever no one is waiting for a line, so an idle or finished program
// never keeps Node's event loop alive. `close()` lets go of stdin for good.
// A closed stdout (EPIPE, as with `raft run x.kl | head`) silences output instead of
// crashing the host.

import { nodeFs } from "./node-fs.js";
import type { Host, Permissions } from "./native-api.js";

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
    readLine: () => lines.readLine(),
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

/** Splits a readable stream into lines on demand. */
export class LineReader {
  private stream: NodeJS.ReadableStream | null = null;
  private buffer = "";
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | null) => void)[] = [];
  private attached = false;
  private ended = false;

  /** `source` may be a function, called at the first read (so that stdin is not opened before). */
  constructor(private readonly source: NodeJS.ReadableStream | (() => NodeJS.ReadableStream)) {}

  private get input(): NodeJS.ReadableStream {
    if (this.stream === null) this.stream = typeof this.source === "function" ? this.source() : this.source;
    return this.stream;
  }

  /** The next line without its `\n` (or `\r\n`), or null at end of input. */
  readLine(): Promise<string | null> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
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
    this.buffer += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      this.push(this.buffer.slice(0, nl));
      this.buffer = this.buffer.slice(nl + 1);
    }
    this.deliver();
  };

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

  private push(line: string): void {
    this.lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  /** Hands buffered lines to waiters; pauses the stream when no one waits any more. */
  private deliver(): void {
    while (this.waiters.length > 0 && this.lines.length > 0) this.waiters.shift()!(this.lines.shift()!);
    if (this.ended) while (this.waiters.length > 0) this.waiters.shift()!(null);
    if (this.waiters.length === 0 && !this.ended) this.hold(false);
  }

  /** End of input: a final line without a newline still counts. */
  private finish(keepPartial: boolean): void {
    if (keepPartial && this.buffer !== "") this.push(this.buffer);
    this.buffer = "";
    this.ended = true;
    this.deliver();
  }
}
