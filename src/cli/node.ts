// Binds the CLI to the real process: streams, environment, exit code. Any unexpected host
// exception is reported as an internal error in one line (never a JS stack trace), exit 2.

import { writeSync } from "node:fs";
import { main } from "./main.js";

export function run(argv: string[]): void {
  const io = {
    stdout: writeStdout,
    stderr: (s: string) => void process.stderr.write(s),
    stdin: process.stdin,
    env: process.env,
    color: process.stderr.isTTY === true && !process.env.NO_COLOR,
  };
  // The reader went away (`raft run x.kl | head -1`): stop, as a Unix tool stops on SIGPIPE.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
  });
  main(argv, io).then(
    (code) => exit(code),
    (e) => {
      process.stderr.write(`error: internal error in raft: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.RAFT_DEBUG) process.stderr.write(String(e instanceof Error ? e.stack : e) + "\n");
      exit(2);
    },
  );
}

/**
 * stdout for the program, written synchronously: a program printing in a busy loop may not
 * give the event loop a turn, so a closed pipe (`raft run x.kl | head -1`) must be seen here
 * (EPIPE: stop, as a Unix tool stops on SIGPIPE), and a full pipe waits for its reader.
 */
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeStdout(s: string): void {
  const buf = Buffer.from(s, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else if (code === "EPIPE") process.exit(0);
      else throw e;
    }
  }
}

function exit(code: number): void {
  const done = () => process.exit(code);
  if (process.stdout.writableLength > 0) process.stdout.once("drain", done);
  else done();
}
