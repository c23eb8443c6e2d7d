// Where a rendered diagnostic says it is: the test programs' `// expect error: L:C` are
// matched against these exactly (a substring test takes `t.kl:2:55` for `2:5`).

/** The positions of the error diagnostics in `stderr`, `L:C` each, from their `--> FILE:L:C` lines. */
export function errorPositions(stderr: string): string[] {
  return [...stderr.matchAll(/^error: .*\n *--> .*:(\d+):(\d+)$/gm)].map((m) => `${m[1]}:${m[2]}`);
}
