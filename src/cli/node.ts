// Binds the CLI to the real process: streams, environment, exit code. Any unexpected host
// exception is reported as an internal error in one line (never a JS stack trace), exit 2.

import { main } from "./main.js";

export function run(argv: string[]): void {
  const io = {
    stdout: (s: string) => void process.stdout.write(s),
    stderr: (s: string) => void process.stderr.write(s),
    stdin: process.stdin,
    env: process.env,
    color: process.stderr.isTTY === true && !process.env.NO_COLOR,
  };
  process.stdout.on("error", () => {});
  main(argv, io).then(
    (code) => exit(code),
    (e) => {
      process.stderr.write(`error: internal error in raft: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.RAFT_DEBUG) process.stderr.write(String(e instanceof Error ? e.stack : e) + "\n");
      exit(2);
    },
  );
}

function exit(code: number): void {
  const done = () => process.exit(code);
  if (process.stdout.writableLength > 0) process.stdout.once("drain", done);
  else done();
}
