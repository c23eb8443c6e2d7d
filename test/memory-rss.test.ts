// Accounting is real: for each kind of value a program can hold, a fresh Node (mem-child.js)
// builds a lot of it and measures its RSS after a collection; RSS must stay within 2x of the
// memory charged to the processes plus the fixed baseline (the RSS before the run and
// RSS_BASELINE_SLACK). Sizes are chosen so that the data is well above the slack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RSS_BASELINE_SLACK } from "../src/vm/heap.js";
import { child } from "./mem-child.js";

const MB = 1 << 20;

const KINDS: [string, number, number][] = [
  // kind, items, the least it must be charged (so the test is about real amounts)
  ["integers", 8_000_000, 90 * MB],
  ["floats", 4_000_000, 90 * MB],
  ["strings", 2_000_000, 90 * MB],
  ["long string", 20_000_000, 60 * MB],
  ["nested vectors", 1_000_000, 90 * MB],
  ["empty vectors", 2_000_000, 90 * MB],
  ["tuples", 1_000_000, 90 * MB],
  ["messages in flight", 95_000, 14 * MB],
  ["messages handed to waiting receivers", 200, 90 * MB],
  ["linear memory", 60_000_000, 55 * MB],
  ["processes", 100_000, 50 * MB],
];

for (const [kind, n, least] of KINDS) {
  test(`RSS within 2x of the memory charged plus the baseline: ${kind}`, (t) => {
    const r = child(["value", kind, String(n)]);
    assert.deepEqual(r.reasons, [], `the program ran to its probe: ${r.reasons.join("; ")}`);
    assert.ok(r.charged >= least, `charged ${(r.charged / MB).toFixed(1)} MB, expected at least ${least / MB} MB`);
    const grown = r.rss - r.rss0;
    const bound = 2 * r.charged + RSS_BASELINE_SLACK;
    t.diagnostic(`${kind}: charged ${(r.charged / MB).toFixed(1)} MB, RSS grew ${(grown / MB).toFixed(1)} MB (${(grown / r.charged).toFixed(2)}x)`);
    assert.ok(grown <= bound, `${kind}: RSS grew ${(grown / MB).toFixed(1)} MB, charged ${(r.charged / MB).toFixed(1)} MB (bound ${(bound / MB).toFixed(1)} MB)`);
  });
}
