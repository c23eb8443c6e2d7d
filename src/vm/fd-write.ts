// Writing text to a file descriptor synchronously, whole: what the CLI's output and every
// scheduler thread's output use, so that what a process prints is written before it goes on
// (a program printing in a busy loop may not give the event loop a turn) and the output of
// several threads is never interleaved within one write.

import { writeSync } from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `s` to `fd`, waiting while a pipe is full. A closed pipe (EPIPE) calls
 * `closed` and drops the rest; any other error is thrown.
 */
export function writeAll(fd: number, s: string, closed: () => void): void {
  const buf = Buffer.from(s, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else if (code === "EPIPE") return closed();
      else throw e;
    }
  }
}
