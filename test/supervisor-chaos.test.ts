// Chaos: a supervised pool (test/programs/supervision/pool_chaos.kl) processes 10,000 jobs
// while a killer process kills random workers every few milliseconds. Every job must complete
// exactly once: the pool re-queues the job a dead worker held. The killer also tells the
// supervisor itself to stop now and then (vm.kill(sup, "chaos")), which a supervisor ignores
// from anyone but its parent: it must keep supervising. Kill timing follows the wall clock,
// so the run is not bit-for-bit reproducible; the seed fixes which workers are picked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Raft } from "../src/raft.js";

const source = readFileSync(new URL("../../test/programs/supervision/pool_chaos.kl", import.meta.url), "utf8");

test("chaos: 10,000 jobs complete exactly once while workers are killed", { timeout: 30_000 }, async () => {
  const out: string[] = [];
  let err = "";
  let restarts = 0;
  let killed = 0;
  const t0 = performance.now();
  const r = await new Raft({
    stdout: (s) => out.push(...s.split("\n").filter((l) => l !== "")),
    stderr: (s) => (err += s),
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
  // the stranger's signals were each logged and ignored
  const s = /^supervisor told to stop by a stranger (\d+) times, alive true$/.exec(out[4]);
  assert.ok(s, out[4]);
  const ignored = err.split("\n").filter((l) => /^WARN supervisor <0\.2> ignored an exit signal from <0\.\d+>, which is neither its parent nor its child: "chaos"$/.test(l)).length;
  assert.equal(ignored, Number(s[1]));
  assert.ok(ignored >= 2, `only ${ignored} stranger signals`);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
