// The pool of scheduler threads (src/threads/pool.ts): threads started ahead of a run that
// then never goes parallel must not hold the host process open.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const pool = fileURLToPath(new URL("../src/threads/pool.js", import.meta.url));

test("threads started ahead of time (warm) let the host process exit when nothing uses them", () => {
  const script = `import { Pool } from ${JSON.stringify(pool)}; Pool.get().warm(2); console.log("warmed");`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.signal, null, "the process had to be killed: an idle thread held it open");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "warmed\n");
});
