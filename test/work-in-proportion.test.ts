// Work that grows with the data costs reductions in proportion, in both tiers: `==` on long
// vectors and strings, ordering long strings, indexing long strings. And a string is indexed
// in O(1) amortized: alternating between two long strings with astral characters does not
// rebuild their code-point index (building it is what costs). Reductions are counted from the
// run's stats, never from the clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Raft } from "../src/raft.js";
import { codePointAtIndex, codePointLength } from "../src/vm/strings.js";

async function reductions(src: string, jit: "off" | "eager", maxReductions?: number): Promise<{ reductions: number; exitCode: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (err += s), jit, maxReductions });
  const r = await raft.run(src, { file: "work.kl" });
  assert.deepEqual(r.diagnostics, []);
  return { reductions: r.stats.reductions, exitCode: r.exitCode, out, err };
}

/** A string of 2^k copies of `unit`, built by doubling. */
const doubled = (name: string, unit: string, k: number) => `let ${name}: string = "${unit}";\nlet ${name}_k: integer = 0;\nloop { if (${name}_k == ${k}) { break; } ${name} = ${name} + ${name}; ${name}_k++; }`;

const TIERS = ["off", "eager"] as const;

test("== on long vectors and strings costs reductions in proportion to their length", async () => {
  const len = 1 << 17;
  const vectors = `let a: vector[integer] = [];\nlet i: integer = 0;\nloop { if (i == ${len}) { break; } a.push(i); i++; }\nlet b = a;\nlet n: integer = 0;\nlet same: integer = 0;\nloop { if (n == 50) { break; } if (a == b) { same++; } n++; }\nvm.println(same);`;
  const strings = `${doubled("a", "ab", 17)}\n${doubled("b", "ab", 17)}\nlet n: integer = 0;\nlet same: integer = 0;\nloop { if (n == 50) { break; } if (a == b) { same++; } if (a != b) { same--; } n++; }\nvm.println(same);`;
  for (const jit of TIERS) {
    const v = await reductions(vectors, jit);
    assert.equal(v.out, "50\n");
    // Building the vector costs ~len; 50 comparisons of len slots cost >= 50 * len / 16.
    assert.ok(v.reductions >= 50 * (len / 16), `${jit}: vectors: ${v.reductions} reductions`);
    const s = await reductions(strings, jit);
    assert.equal(s.out, "50\n");
    assert.ok(s.reductions >= 100 * ((2 * len) / 16), `${jit}: strings: ${s.reductions} reductions`);
  }
});

test("ordering long strings costs reductions in proportion", async () => {
  const src = `${doubled("a", "ab", 17)}\n${doubled("b", "ab", 17)}\nb = b + "c";\nlet n: integer = 0;\nlet less: integer = 0;\nloop { if (n == 50) { break; } if (a < b) { less++; } if (b >= a) { less++; } n++; }\nvm.println(less);`;
  for (const jit of TIERS) {
    const r = await reductions(src, jit);
    assert.equal(r.out, "100\n");
    assert.ok(r.reductions >= 100 * ((1 << 18) / 16), `${jit}: ${r.reductions} reductions`);
  }
});

test("indexing alternately two long strings with astral characters builds each index once", async () => {
  // Two strings of 2^15 code points ('x', '😀', ... and '😀', 'y', ...), indexed 20,000 times
  // each, alternately; the same loop over two short strings is the baseline.
  const prog = (k: number) =>
    `${doubled("a", "x😀", k)}\n${doubled("b", "😀y", k)}\nlet n: integer = 0;\nlet sum: integer = 0;\nloop { if (n == 20000) { break; } let c: char = a[n % a.length()]; let d: char = b[(n + 1) % b.length()]; let ci: integer = c.into(); let di: integer = d.into(); sum = sum + ci - di; n++; }\nvm.println(sum);`;
  const units = 3 * (1 << 14);
  for (const jit of TIERS) {
    const long = await reductions(prog(14), jit);
    const short = await reductions(prog(3), jit);
    assert.equal(long.out, "-10000\n");
    assert.equal(short.out, "-10000\n");
    // Building each string's index is charged once (units / 16 reductions each); rebuilding
    // it per index would cost 40,000 times that.
    const extra = long.reductions - short.reductions;
    assert.ok(extra >= 2 * (units / 16), `${jit}: the index build is charged (${extra} more reductions)`);
    assert.ok(extra < 8 * (units / 16), `${jit}: ${extra} more reductions: an index is rebuilt`);
  }
});

test("the code-point index: built once per string, O(1) per index, kept for several strings at once", () => {
  const a = "x😀".repeat(50_000);
  const b = "😀y".repeat(50_000);
  let charged = 0;
  const charge = (n: number) => (charged += n);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) sum += codePointAtIndex(a, i, charge) - codePointAtIndex(b, i + 1, charge);
  assert.equal(sum, 5000 * ("x".codePointAt(0)! - "y".codePointAt(0)!));
  assert.equal(charged, 2 * ((3 * 50_000) >>> 4), "each string's index built (and charged) once");
  assert.equal(codePointLength(a, charge), 100_000);
  assert.equal(codePointAtIndex(a, 100_000, charge), -1);
  assert.equal(codePointAtIndex(a, 99_999, charge), "😀".codePointAt(0));
  assert.equal(charged, 2 * ((3 * 50_000) >>> 4));
});

test("--max-reductions stops a loop of long comparisons within its budget", async () => {
  const src = `${doubled("a", "ab", 18)}\n${doubled("b", "ab", 18)}\nlet n: integer = 0;\nloop { if (a == b) { n++; vm.println(n); } }`;
  for (const jit of TIERS) {
    const r = await reductions(src, jit, 100_000);
    assert.equal(r.exitCode, 1);
    assert.match(r.err, /max-reductions/);
    // Each comparison of 2^19 units costs 2^15 reductions: only a few fit in the budget.
    assert.ok(r.out.split("\n").length < 6, `${jit}: ${r.out.split("\n").length - 1} comparisons`);
    // One comparison of 2^19 units is 2^15 reductions: the run ends within a few of them.
    assert.ok(r.reductions < 100_000 + 4 * (1 << 15), `${jit}: ${r.reductions} reductions`);
  }
});

test("the standard library's methods cost reductions in proportion to the data they walk or build", async () => {
  // Each expression runs 50 times on a string of 2^17 units (or a vector of 2^17 elements);
  // each pass walks or builds at least that much, so costs at least 2^17 / 16 reductions.
  const len = 1 << 17;
  const setup = `${doubled("s", "ab", 16)}\nlet v: vector[integer] = [];\nlet i: integer = 0;\nloop { if (i == ${len}) { break; } v.push(i); i++; }\nlet w = s.split("b");`;
  const calls = [
    "s.substring(1, s.length() - 1).length()",
    "s.index_of(\"zz\")",
    "s.replace(\"a\", \"c\").length()",
    "s.pad_end(s.length() + 2, 'x').length()",
    "\"ab\".repeat(" + len / 2 + ").length()",
    "s.lines().length()",
    "v.index_of(-1)",
    "v.slice(0, v.length()).length()",
    "v.sum(){default: 0}",
    "v.max()",
    "w.join(\"-\").length()",
  ];
  for (const jit of TIERS) {
    const base = await reductions(`${setup}\nvm.println(0);`, jit);
    for (const call of calls) {
      const r = await reductions(`${setup}\nlet n: integer = 0;\nloop { if (n == 50) { break; } let x = ${call}; n++; }\nvm.println(n);`, jit);
      assert.equal(r.out, "50\n", `${jit}: ${call}: ${r.err}`);
      const extra = r.reductions - base.reductions;
      assert.ok(extra >= 50 * (len / 16), `${jit}: ${call}: ${extra} reductions for 50 calls`);
    }
  }
});

test("vm.processes() on many processes costs reductions and heap in proportion", async () => {
  // 20,000 idle processes, then vm.processes() 20 times; the baseline calls it with none.
  const prog = (n: number) =>
    `fn idle() { let never: string = vm.receive(); }\nlet i: integer = 0;\nloop { if (i == ${n}) { break; } vm.spawn(idle); i++; }\nlet k: integer = 0;\nlet total: integer = 0;\nloop { if (k == 20) { break; } total = total + vm.processes().length(); k++; }\nvm.println(total);\nvm.exit(0);`;
  const n = 20_000;
  for (const jit of TIERS) {
    const many = await reductions(prog(n), jit);
    const none = await reductions(prog(0), jit);
    assert.equal(many.out, `${20 * (n + 1)}\n`);
    assert.equal(none.out, "20\n");
    // Spawning costs its own; each listing of n processes costs at least n / 16 more.
    const spawning = await reductions(prog(n).replace("k == 20", "k == 0"), jit);
    assert.ok(many.reductions - spawning.reductions >= 20 * (n / 16), `${jit}: ${many.reductions} vs ${spawning.reductions} reductions without listing`);
  }
  // The list is the caller's: kept, it counts toward the caller's heap (a heap too small for
  // it ends the caller with "heap_limit", and the VM goes on).
  let err = "";
  const keep = `fn idle() { let never: string = vm.receive(); }
let i: integer = 0;
loop { if (i == ${n}) { break; } vm.spawn(idle); i++; }
let all: vector[process] = vm.processes();
let again: vector[process] = vm.processes();
vm.println(all.length() + again.length());`;
  const ok = await new Raft({ stdout: (s) => (err += s), stderr: () => {}, maxHeap: 1 << 20 }).run(keep, { file: "work.kl" });
  assert.equal(ok.exitCode, 0, err);
  err = "";
  const small = await new Raft({ stdout: () => {}, stderr: (s) => (err += s), maxHeap: 96 * 1024 }).run(keep, { file: "work.kl" });
  assert.equal(small.exitCode, 1);
  assert.match(err, /heap_limit/);
});
