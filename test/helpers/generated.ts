// Files the tests compare with what the code generates (src/bytecode/op.ts, the opcode table
// in docs/bytecode.md, the golden diagnostics): a rewrite mode (UPDATE_OPS=1,
// UPDATE_GOLDEN=1) can never make a run pass silently. Under CI (`CI` set) it refuses to
// run; elsewhere a test whose file it rewrote fails, naming the file, so the run that
// regenerated something is red and the next one, without the mode, checks it.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Asserts that `path` holds `want`; with `mode` in the environment, rewrites it first (and then fails). */
export function assertGenerated(path: string, want: string, mode: string): void {
  const have = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (process.env[mode]) {
    if (process.env.CI) assert.fail(`${mode} rewrites committed files; it refuses to run under CI`);
    if (have === want) return;
    writeFileSync(path, want);
    assert.fail(`${mode}: rewrote ${path}; review and commit it, then run the tests again without ${mode}`);
  }
  assert.ok(have !== null, `${path} is missing: run ${mode}=1 npm test to write it`);
  assert.equal(have, want, `${path} is out of date: run ${mode}=1 npm test to regenerate it`);
}
