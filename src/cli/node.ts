// Binds the CLI to the real process: streams, environment, exit code. Any unexpected host
// exception is reported as an internal error in one line (never a JS stack trace), exit 2.
//
// Start-up matters here (`raft run` should start about as fast as `node -e 0`), so nothing
// opens a Node stream until it is used: output goes to file descriptors 1 and 2 with
// writeSync, stdin is opened at the first read, and whether stderr is a terminal is asked
// only when a diagnostic is coloured.

import { writeAll } from "../vm/fd-write.js";
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
    directIO: true,
  };
  // A fault of Raft's own outside any promise (a scheduler's tick, a timer): one line, never a
  // JavaScript stack trace (RAFT_DEBUG=1 shows it), and exit code 2 as for any internal error.
  process.on("uncaughtException", (e) => {
    writeFd(2, `error: internal error in raft: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.RAFT_DEBUG) writeFd(2, String(e instanceof Error ? e.stack : e) + "\n");
    process.exit(2);
  });
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
 * Writes synchronously (fd-write.ts): a closed pipe (`raft run x.kl | head -1`) on stdout stops
 * the program, as a Unix tool stops on SIGPIPE; on stderr the text is dropped.
 */
function writeFd(fd: number, s: string): void {
  writeAll(fd, s, () => {
    if (fd === 1) process.exit(0);
  });
}
