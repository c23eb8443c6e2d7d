// Binds the CLI to the real process: streams, environment, exit code. Any unexpected host
// exception is reported as an internal error in one line (never a JS stack trace), exit 2.
//
// Start-up matters here (`raft run` should start about as fast as `node -e 0`), so nothing
// opens a Node stream until it is used: output goes to file descriptors 1 and 2 with
// writeSync, stdin is opened at the first read, and whether stderr is a terminal is asked
// only when a diagnostic is coloured.

import { writeSync } from "node:fs";
import { main } from "./main.js";

export function run(argv: string[]): void {
  const io = {
    stdout: (s: string) => writeFd(1, s),
    stderr: (s: string) => writeFd(2, s),
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    get color() {
      return process.stderr.isTTY === true && !process.env.NO_COLOR;
    },
  };
  main(argv, io).then(
    (code) => process.exit(code),
    (e) => {
      writeFd(2, `error: internal error in raft: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.RAFT_DEBUG) writeFd(2, String(e instanceof Error ? e.stack : e) + "\n");
      process.exit(2);
    },
  );
}

/**
 * Writes synchronously: a program printing in a busy loop may not give the event loop a turn,
 * so a closed pipe (`raft run x.kl | head -1`) must be seen here (EPIPE on stdout: stop, as a
 * Unix tool stops on SIGPIPE; on stderr: drop the text), and a full pipe waits for its reader.
 */
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeFd(fd: number, s: string): void {
  const buf = Buffer.from(s, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else if (code === "EPIPE" && fd === 1) process.exit(0);
      else if (code === "EPIPE") return;
      else throw e;
    }
  }
}
