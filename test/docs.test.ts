// Docs that run, as Rust's doctests do: every fenced code block in README.md and docs/*.md is
// checked, and a block that stops working fails this test. A block says what it is in its
// info string (GitHub shows only the first word's highlighting; the rest is for this test):
//
//   ```kaylee            (or kl) a whole Kaylee program: compiled, then run through the CLI
//                        (bin/raft.js, one scheduler); it must exit 0. Its shown output is
//                        compared: `// prints: TEXT` comments (stdout is exactly those lines,
//                        in order) or a `text stdout` block after it.
//   ```raft              a whole assembly program, the same way (`# prints: 3` also works).
//   ```kaylee fragment   not a whole program: compiled as a file of its own (Kaylee's top
//                        level is main's body, so any statements and fns), never run. Names it
//                        uses without declaring them are allowed (the doc leaves them out);
//                        any other compile error fails, and so does an undeclared name the
//                        compiler would correct ("did you mean"). ```raft fragment: assembled,
//                        verified and linked, never run.
//     flags of a program: file=NAME (also saved as NAME, for the doc's shell blocks to use),
//     exit=N (the exit code it must end with), env=NAME=VALUE (run with that variable).
//   ```kaylee error=CODE a failing example (docs/diagnostics.md): compiled (and linked), never
//                        run; it must fail, and every error it reports must have that code
//                        (E0052, A0001). ```raft error=CODE likewise.
//   ```text stdout       output of the nearest program above it in the same doc: stdout,
//                        exactly. ```text stderr: these lines appear in its stderr, in this
//                        order (other lines — warnings, log lines — may come between).
//   ```text              anything else shown (diagnostics, tables): not checked.
//   ```erlang            an Erlang twin shown for comparison: not checked either.
//   ```ts  ```js         type-checked under strict TypeScript (checkJs for JS) against the
//                        shipped dist/src/index.d.ts, imported as "raft-vm" (a node_modules
//                        link in a scratch folder), in one tsc run. Each snippet is a module;
//                        the few names the docs use for the reader's own things (`raft`,
//                        `source`, ...: PRELUDE in test/helpers/doctest.ts) are declared.
//   ```js run            also run with node (those names then hold a default Raft and a
//                        small program); it must exit 0, and `// prints: TEXT` comments, if
//                        any, give its stdout exactly.
//   ```sh                commands, one a line. `raft ...` (or `npx raft ...`) runs the built
//                        CLI in a scratch folder holding examples/ and the doc's file= blocks,
//                        with stdin at its end; it must exit 0 (or stop on "end of input").
//                        `npm run X` / `npm test` must name a script of package.json, `node F`
//                        a file of the project; any other command fails the check.
//   ```console           a transcript: `$ raft ...` lines are run as above, and the lines
//                        under one are its output (stdout and stderr as a terminal shows
//                        them), compared exactly; exit=N on the block for another exit code.
//                        Under `$ raft repl`, lines starting `> ` or `... ` are typed input.
//   ... ignore: WHY      on any block: not checked, for the reason given (keep these rare).
//
// An unlabelled block, an unknown language or flag, and an unclosed fence are failures too.
// The test also checks itself: a document of broken blocks must fail in the expected ways.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkDocs, type Doc } from "./helpers/doctest.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const DOCS: Doc[] = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)].map((name) => ({
  name,
  markdown: readFileSync(join(ROOT, name), "utf8"),
}));

// The self-check: each block, and the problem it must be reported with (null: none).
const F = "```";
const SELF: [string, RegExp | null][] = [
  [`${F}kaylee\nvm.println(6 * 7); // prints: 42\n${F}`, null],
  [`${F}kaylee\nvm.println(6 * 7); // prints: 41\n${F}`, /stdout differs from its `prints:` comments/],
  [`${F}kaylee\nlet x: integer = "five";\n${F}`, /selftest\.md:\d+:18: type mismatch/],
  [`${F}kaylee exit=3\nvm.exit(3);\n${F}`, null],
  [`${F}kaylee exit=1\nvm.println(1);\n${F}`, /exited with 0, not 1/],
  [`${F}kaylee fragment\nlet sup: process = vm.supervisor("one_for_one", 1, 10);\nvm.start_child(sup, "permanent", worker, 1);\nhelper(2);\n${F}`, null],
  [`${F}kaylee fragment\nlet n: integer = helper(2);\nvm.printline(n);\n${F}`, /unknown|cannot find|no method/],
  [`${F}kaylee fragment\nfn worker() { }\nvm.spawn(workr);\n${F}`, /workr/],
  [`${F}kaylee\nvm.println("a");\nvm.println("b");\n${F}`, null],
  [`${F}text stdout\na\nb\n${F}`, null],
  [`${F}text stdout\nc\n${F}`, /prints something else/],
  [`${F}kaylee env=RAFT_LOG=info\nfn w() { }\nvm.spawn(w);\n${F}`, null],
  [`${F}text stderr\nINFO spawn <0.1> main\nINFO spawn <0.2> w\n${F}`, null],
  [`${F}text stderr\nINFO spawn <0.9> w\n${F}`, /does not write "INFO spawn <0.9> w"/],
  [`${F}raft\n1 2 +   # prints: 4\n${F}`, /stdout differs/],
  [`${F}raft fragment\nCallNative #vm.no_such_native 0\n${F}`, /no_such_native/],
  [`${F}ts\nimport { Raft } from "raft-vm";\nconst r: Raft = new Raft();\nconst n: number = r.compile("x").module;\n${F}`, /selftest\.md:\d+:7: error TS2322/],
  [`${F}js\nimport { NoSuchThing } from "raft-vm";\n${F}`, /TS2305/],
  [`${F}ts\nconst out = await raft.run(source);\nconst n: number = out.exitCode;\n${F}`, null],
  [`${F}js run\nimport { Raft } from "raft-vm";\nconst r = await new Raft().run("vm.println(7);", { file: "x.kl" }); // prints: 7\nconsole.log(r.exitCode); // prints: 0\n${F}`, null],
  [`${F}js run\nconsole.log("yes"); // prints: no\n${F}`, /stdout differs/],
  [`${F}js run\nawait raft.run("vm.exit(1);");\nthrow new Error("boom");\n${F}`, /running it exited with 1/],
  [`${F}kaylee file=hi.kl\nvm.println("hi");\n${F}`, null],
  [`${F}console\n$ raft run hi.kl\nhi\n$ raft run hi.kl\nho\n${F}`, /the output of `raft run hi.kl` differs/],
  [`${F}console\n$ raft repl\n> let x: integer = 40;\n> x + 2;\n42 : integer\n${F}`, null],
  [`${F}sh\nraft run examples/hello.kl   # fine\nraft run missing.kl\n${F}`, /`raft run missing.kl` exited with 2/],
  [`${F}sh\nnpm run no-such-script\nnode no/such/file.js\nfrobnicate --now\nraft run - < hi.kl\n${F}`, /^(?=[^]*no script "no-such-script")(?=[^]*no file no\/such\/file\.js)(?=[^]*no check for `frobnicate`)(?=[^]*shell syntax)/],
  [`${F}sh\n$ raft run hi.kl\n${F}`, /shell syntax/],
  [`${F}sh ignore: serves a page until stopped\nraft run --observe examples/observed_system.kl\n${F}`, null],
  [`${F}sh ignore\nraft run x.kl\n${F}`, /needs a reason/],
  [`${F}\nno label\n${F}`, /must say what it is/],
  [`${F}kaylee fragmnet\nvm.println(1);\n${F}`, /"fragmnet" is not a flag/],
  [`${F}kaylee error=E0052\nlet x: integer = "five";\nlet y: bool = 1;\n${F}`, null],
  [`${F}kaylee error=E0044\nlet x: integer = "five";\nvm.println(nope);\n${F}`, /selftest\.md:\d+:18: type mismatch.*: E0052, not the E0044 it is shown failing with/],
  [`${F}kaylee error=E0052\nlet x: integer = 5;\n${F}`, /compiles, but is shown failing with E0052/],
  [`${F}raft error=A0102\nCallNative #vm.no_such_native 0\n${F}`, null],
  [`${F}kaylee error=E0052 exit=2\nlet x: integer = "five";\n${F}`, /a failing example \(error=\) does not run/],
  [`${F}kaylee\nvm.println(1);\n\n${F} not a closing fence\n`, /never closed/],
];

test("every code block in README.md and docs/*.md works as shown", { timeout: 10 * 60_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), "raft-docs-"));
  try {
    const self: Doc = { name: "selftest.md", markdown: SELF.map(([md]) => md).join("\n\nSome prose.\n\n") + "\n" };
    const results = await checkDocs([...DOCS, self], { root: ROOT, work });

    const real = results.filter((r) => r.block.doc !== "selftest.md");
    assert.ok(real.length >= 20, `only ${real.length} code blocks found in the docs`);
    for (const r of real) {
      const b = r.block;
      const name = `${b.doc}:${b.line} ${b.info || "(no info string)"}`;
      if (b.ignore !== null && r.problems.length === 0) t.diagnostic(`not checked: ${b.doc}:${b.line}: ${b.ignore}`);
      await t.test(name, () => assert.deepEqual(r.problems, [], `${name}\n${r.problems.join("\n")}`));
    }

    await t.test("the check itself fails on broken blocks, in the expected ways", () => {
      const mine = results.filter((r) => r.block.doc === "selftest.md");
      assert.equal(mine.length, SELF.length, "one result per self-check block");
      SELF.forEach(([md, want], i) => {
        const got = mine[i].problems.join("\n");
        if (want === null) assert.equal(got, "", `expected no problem:\n${md}`);
        else assert.match(got, want, `expected ${want} for:\n${md}\ngot: ${got || "(no problem)"}`);
      });
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// docs/language.md shows the four server patterns in Kaylee beside Erlang/OTP with a line count
// for each; the counts are checked here (blank lines and comments left out, as the doc says),
// and so is the claim they make: Kaylee's version is the shorter.
test("the server patterns of docs/language.md: counts as stated, Kaylee shorter than Erlang", () => {
  const md = readFileSync(join(ROOT, "docs/language.md"), "utf8");
  const start = md.indexOf("### Four server patterns, beside Erlang");
  assert.ok(start >= 0, "the section is in docs/language.md");
  const end = md.indexOf("\n#", start + 1);
  const section = md.slice(start, end < 0 ? undefined : end);
  const patterns = section.split(/\n(?=\*\*[^*\n]+\*\*)/).slice(1);
  assert.equal(patterns.length, 4, "four patterns");
  const count = (text: string, lang: string, comment: string) => {
    const blocks = [...text.matchAll(new RegExp("```" + lang + "[^\\n]*\\n([^]*?)```", "g"))].map((m) => m[1]);
    assert.ok(blocks.length > 0, `a ${lang} block`);
    return blocks.join("").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith(comment)).length;
  };
  for (const p of patterns) {
    const title = p.slice(0, p.indexOf("**", 2) + 2);
    const claim = /Kaylee (\d+)\s+lines,\s+Erlang(?:\/OTP)? (\d+)/.exec(p);
    assert.ok(claim, `${title} states its counts`);
    const kaylee = count(p, "kaylee", "//");
    const erlang = count(p, "erlang", "%");
    assert.equal(kaylee, Number(claim[1]), `${title}: Kaylee lines`);
    assert.equal(erlang, Number(claim[2]), `${title}: Erlang lines`);
    assert.ok(kaylee < erlang, `${title}: Kaylee ${kaylee} lines, Erlang ${erlang}`);
  }
});
