// Golden-file diagnostics: every test/diagnostics/NAME.kl is compiled and its rendered
// diagnostics (no colour) must equal test/diagnostics/NAME.expected exactly.
// UPDATE_GOLDEN=1 rewrites the .expected files from the current output (and fails the tests
// whose file it changed; under CI it refuses: see helpers/generated.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { compileFrontEnd } from "../src/lang/checker.js";
import { renderDiagnostics } from "../src/diag/render.js";
import { assertGenerated } from "./helpers/generated.js";

const dir = path.join(process.cwd(), "test", "diagnostics");
const cases = fs.readdirSync(dir).filter((f) => f.endsWith(".kl")).sort();

test("there are at least 25 golden diagnostics", () => {
  assert.ok(cases.length >= 25, `only ${cases.length}`);
});

for (const name of cases) {
  test(`golden ${name}`, () => {
    const file = path.join(dir, name);
    const src = fs.readFileSync(file, "utf8");
    const r = compileFrontEnd(src, name);
    assert.equal(r.program, null, "a golden case must fail to compile");
    assert.ok(r.diagnostics.length > 0);
    const out = renderDiagnostics(r.diagnostics, src);
    assertGenerated(file.replace(/\.kl$/, ".expected"), out, "UPDATE_GOLDEN");
  });
}
