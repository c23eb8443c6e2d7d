// How the benchmarks start an Erlang twin (bench/peers/MODULE.erl): one place, so that every
// table runs `erl` the same way.
//
// The program's `main/1` runs from `-run`, then `-s erlang halt` ends the VM at once. Not
// `-s init stop`: init's orderly shutdown takes about a second on its own, which whole-process
// rows (cold, parallel) would count as Erlang's time.

/** The argv of `erl` running MODULE:main(ARGS) on `schedulers` schedulers, compiled into `erlDir`. */
export function erlArgv(erlDir: string, module: string, args: readonly string[], schedulers = 1): string[] {
  return ["+S", String(schedulers), "+P", "5000000", "-noshell", "-pa", erlDir, "-run", module, "main", ...args, "-s", "erlang", "halt"];
}
