// Golden-file diagnostics: every test/diagnostics/NAME.kl (or .raft, or .rbc) is run with the
// CLI (`raft run NAME.kl`, in-process, from that folder, no colour), which must exit with code
// 2 and write nothing to stdout, and its whole stderr must equal test/diagnostics/NAME.stderr
// exactly. Every code of the catalogue (but the internal ones, which no program causes on
// purpose) is produced by at least one of these programs. UPDATE_GOLDEN=1 rewrites the
// .stderr files from the current output (and fails the tests whose file it changed; under CI
// it refuses: see helpers/generated.ts).
//
// And every diagnostic any program of the test corpus (test/diagnostics, test/programs,
// examples) compiles to has a code of the catalogue, with a title that fits its entry.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { main, type CliIO } from "../src/cli/main.js";
import { CATALOGUE, lookupCode, titleFits } from "../src/diag/codes.js";
import { Raft } from "../src/raft.js";
import { assertGenerated } from "./helpers/generated.js";

const root = process.cwd();
const dir = path.join(root, "test", "diagnostics");
const cases = fs
  .readdirSync(dir)
  .filter((f) => /\.(kl|raft|rbc)$/.test(f))
  .sort();

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stdin: Readable.from([]), env: {}, color: false };
  const code = await main(argv, io);
  return { code, out, err };
}

test("there is a golden program for every code", () => {
  assert.ok(cases.length >= CATALOGUE.length - 3, `only ${cases.length}`);
});

const produced = new Set<string>();
// The file names in the output are relative to the folder, as a user in it would type them.
process.chdir(dir);

for (const name of cases) {
  test(`golden ${name}`, async () => {
    const r = await cli(["run", name]);
    assert.equal(r.code, 2, `a golden program must fail to compile (exit 2), not exit ${r.code}:\n${r.err}`);
    assert.equal(r.out, "");
    for (const m of r.err.matchAll(/^ *= explain: raft explain ([A-Z]\d{4})$/gm)) produced.add(m[1]);
    assertGenerated(path.join(dir, name.replace(/\.\w+$/, ".stderr")), r.err, "UPDATE_GOLDEN");
  });
}

test("every code but the internal ones is produced by a golden program", () => {
  const missing = CATALOGUE.filter((c) => !c.internal && !produced.has(c.code)).map((c) => c.code);
  assert.deepEqual(missing, [], "codes no golden program under test/diagnostics produces");
});

test("every golden output names codes of the catalogue", () => {
  for (const code of produced) assert.ok(lookupCode(code), code);
});

/** Every .kl and .raft below a folder. */
function sources(d: string): string[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    return e.isDirectory() ? sources(p) : /\.(kl|raft)$/.test(e.name) ? [p] : [];
  });
}

test("every diagnostic the test corpus compiles to has a code of the catalogue and a title that fits it", () => {
  const raft = new Raft();
  let seen = 0;
  for (const file of [dir, path.join(root, "test", "programs"), path.join(root, "examples")].flatMap(sources)) {
    const text = fs.readFileSync(file, "utf8");
    const r = file.endsWith(".raft") ? raft.assemble(text, file) : raft.compile(text, file);
    for (const d of r.diagnostics) {
      seen++;
      const c = lookupCode(d.code);
      assert.ok(c, `${file}: ${d.code} is not in the catalogue (${d.title})`);
      assert.ok(titleFits(c, d.title), `${file}: "${d.title}" does not fit ${c.code}'s title "${c.title}"`);
      assert.equal(d.severity, c.severity, file);
    }
  }
  assert.ok(seen >= 200, `only ${seen} diagnostics in the corpus`);
});
