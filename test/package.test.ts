// What `npm pack` ships: the library and CLI builds, and also the license, the documentation
// and the examples the README points to (package.json "files").

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

test("npm pack ships LICENSE, docs/ and examples/ with the builds", () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the running tests.
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  for (const f of ["LICENSE", "README.md", "package.json", "bin/raft.js", "dist/raft-cli.cjs", "dist/src/index.js"]) assert.ok(files.has(f), `the package lacks ${f}`);
  for (const d of ["docs", "examples"]) {
    const want = readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(want.length > 0, d);
    for (const e of want) {
      const f = `${e.parentPath ?? e.path}/${e.name}`;
      assert.ok(files.has(f), `the package lacks ${f}`);
    }
  }
  for (const f of files) assert.ok(!f.startsWith("test/") && !f.startsWith("src/") && !f.startsWith("dist/test/"), `the package ships ${f}`);
});

test("LICENSE is the MIT license package.json names, held by the Raft authors", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { license: string };
  assert.equal(pkg.license, "MIT");
  const text = readFileSync("LICENSE", "utf8");
  assert.match(text, /^MIT License\n/);
  assert.match(text, /Copyright \(c\) the Raft authors/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});
