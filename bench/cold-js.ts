// One plain-JavaScript baseline as a program of its own, for the first-run rows
// (bench/cold.ts): `node cold-js.js NAME ARGS...` prints what bench/NAME.kl prints.

import { fib, loop, nbody, sort, strings } from "./baselines.js";

const PROGRAMS: ReadonlyMap<string, (n: number) => string> = new Map([
  ["fib", fib],
  ["loop", loop],
  ["nbody", nbody],
  ["sort", sort],
  ["strings", strings],
]);

const [name, ...args] = process.argv.slice(2);
const program = PROGRAMS.get(name ?? "");
if (!program) {
  process.stderr.write(`usage: cold-js.js ${[...PROGRAMS.keys()].join("|")} N\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(program(Number(args[0])));
}
