// Chaos: a supervised pool (test/programs/supervision/pool_chaos.kl) processes 10,000 jobs
// while a killer process kills random workers every few milliseconds. Every job must complete
// exactly once: the pool re-queues the job a dead worker held. Kill timing follows the wall
// clock, so the run is not bit-for-bit reproducible; the seed fixes which workers are picked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Raft } from "../src/raft.js";

const source = readFileSync(new URL("../../test/programs/supervision/pool_chaos.kl", import.meta.url), "utf8");

test("chaos: 10,000 jobs complete exactly once while workers are killed", { timeout: 30_000 }, async () => {
  const out: string[] = [];
  let restarts = 0;
  let killed = 0;
  const t0 = performance.now();
  const r = await new Raft({
    stdout: (s) => out.push(...s.split("\n").filter((l) => l !== "")),
    stderr: () => {},
    args: ["10000"],
    seed: 42,
    onEvent: (e) => {
      if (e.kind === "restart") restarts++;
      if (e.kind === "exit" && (e as { reason: string }).reason === "killed") killed++;
    },
  }).run(source, { file: "pool_chaos.kl" });
  const ms = performance.now() - t0;
  assert.equal(r.exitCode, 0, JSON.stringify(r.panic));
  assert.equal(out[0], "completed 10000");
  assert.equal(out[1], "exactly once 10000");
  assert.equal(out[2], "wrong results 0");
  const m = /^killed (\d+) workers, re-queued (\d+) jobs$/.exec(out[3]);
  assert.ok(m, out[3]);
  const kills = Number(m[1]);
  assert.ok(kills >= 20, `only ${kills} kills: the chaos did not happen`);
  assert.equal(killed, kills);
  // every kill of a supervised worker was followed by a restart (the supervisor never gave up)
  assert.equal(restarts, kills);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
