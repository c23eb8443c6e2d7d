// The test harness itself: what would let a test pass without checking anything. Diagnostic
// positions match exactly; a rewrite mode (UPDATE_OPS, UPDATE_GOLDEN) fails the run that
// rewrote a file and refuses to run under CI.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { K } from "../src/diag/codes.js";
import { diagnostic } from "../src/diag/diagnostic.js";
import { renderDiagnostics } from "../src/diag/render.js";
import { errorPositions } from "./helpers/diag-positions.js";
import { assertGenerated } from "./helpers/generated.js";

test("the test programs' `expect error: L:C` matches positions exactly, errors only", () => {
  const src = "\n".repeat(11) + "    x\n" + "a".repeat(60) + "\n";
  const at12 = src.indexOf("x");
  const line13 = src.indexOf("a");
  const out = renderDiagnostics(
    [
      diagnostic("t.kl", K.unknownName({ NAME: "x" }), { start: at12, end: at12 + 1 }, "here"),
      diagnostic("t.kl", K.unknownName({ NAME: "a" }), { start: line13 + 54, end: line13 + 55 }, "there"),
      { ...diagnostic("t.kl", K.badNumber(), { start: 0, end: 0 }, "a warning"), severity: "warning" as const },
    ],
    src,
  );
  assert.match(out, /--> t\.kl:12:5$/m);
  assert.deepEqual(errorPositions(out), ["12:5", "13:55"]);
  // What a substring test took for a match: `:13:5` is in `t.kl:13:55`.
  assert.ok(out.includes(":13:5") && !errorPositions(out).includes("13:5"));
  assert.deepEqual(errorPositions("error: bad module: no functions\n"), []);
});

/** Runs `f` with the environment variables `vars` set (undefined: unset), restoring them after. */
function withEnv(vars: Record<string, string | undefined>, f: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  put(vars);
  try {
    f();
  } finally {
    put(saved);
  }
}

test("a rewrite mode fails the run that rewrote a file, passes one with nothing to rewrite, and refuses CI", () => {
  const dir = mkdtempSync(join(tmpdir(), "raft-generated-"));
  try {
    const file = join(dir, "golden.txt");
    writeFileSync(file, "old\n");
    // Without the mode: a check, which fails on a stale file and leaves it alone.
    withEnv({ UPDATE_TEST_MODE: undefined, CI: undefined }, () => {
      assert.throws(() => assertGenerated(file, "new\n", "UPDATE_TEST_MODE"), /out of date: run UPDATE_TEST_MODE=1/);
      assert.throws(() => assertGenerated(join(dir, "missing.txt"), "x", "UPDATE_TEST_MODE"), /missing/);
    });
    assert.equal(readFileSync(file, "utf8"), "old\n");
    // Under CI the mode refuses, and writes nothing.
    withEnv({ UPDATE_TEST_MODE: "1", CI: "true" }, () => {
      assert.throws(() => assertGenerated(file, "new\n", "UPDATE_TEST_MODE"), /refuses to run under CI/);
    });
    assert.equal(readFileSync(file, "utf8"), "old\n");
    // Elsewhere it rewrites and fails; once the file is right, it passes.
    withEnv({ UPDATE_TEST_MODE: "1", CI: undefined }, () => {
      assert.throws(() => assertGenerated(file, "new\n", "UPDATE_TEST_MODE"), /rewrote .*golden\.txt/);
      assert.equal(readFileSync(file, "utf8"), "new\n");
      assertGenerated(file, "new\n", "UPDATE_TEST_MODE");
    });
    withEnv({ UPDATE_TEST_MODE: undefined, CI: undefined }, () => assertGenerated(file, "new\n", "UPDATE_TEST_MODE"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
