// The CLI in-process: `main(argv, io)` with fake I/O (SPEC §1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { main, type CliIO } from "../src/cli/main.js";
import { readModule } from "../src/bytecode/module.js";

async function cli(argv: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    stdin: Readable.from(stdin ? [stdin] : []),
    env: { RAFT_HISTORY: "/dev/null" },
    color: false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "raft-cli-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test("--version", async () => {
  const r = await cli(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.out, "raft 0.1.0\n");
});

test("--help lists the commands", async () => {
  const r = await cli(["--help"]);
  assert.equal(r.code, 0);
  for (const c of ["run", "build", "check", "disasm", "repl"]) assert.match(r.out, new RegExp(`raft ${c}`));
  assert.equal(r.err, "");
});

test("unknown command: exit 2, one line", async () => {
  const r = await cli(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.err.split("\n")[0], /^error: .*frobnicate/);
  assert.equal(r.out, "");
});

test("missing file: exit 2", async () => {
  const r = await cli(["run", join(dir, "nope.kl")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: cannot read .*nope\.kl: no such file\n$/);
});

test("bad flag: exit 2", async () => {
  const r = await cli(["run", "--bogus", "x.kl"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: /);
});

test("check on a bad file: exit 2 with a diagnostic", async () => {
  const p = file("bad.kl", 'let x: integer = "five";\n');
  const r = await cli(["check", p]);
  assert.equal(r.code, 2);
  assert.match(r.err, /error: type mismatch: expected integer, found string/);
  assert.match(r.err, /bad\.kl:1:18/);
  assert.match(r.err, /\^\^\^\^\^\^/);
  const ok = await cli(["check", file("good.kl", "vm.println(1);\n")]);
  assert.equal(ok.code, 0);
});

test("build then run x.rbc; disasm", async () => {
  const src = file("x.kl", 'fn add(a: integer, b: integer) -> integer { return a + b; }\nvm.println(add(40, 2));\nvm.println(vm.args());\n');
  const b = await cli(["build", src]);
  assert.equal(b.code, 0, b.err);
  const rbc = join(dir, "x.rbc");
  assert.ok(existsSync(rbc));
  const r = await cli(["run", rbc, "a", "b"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '42\n["a", "b"]\n');
  const out = join(dir, "y.rbc");
  assert.equal((await cli(["build", src, "-o", out])).code, 0);
  const d = await cli(["disasm", out]);
  assert.equal(d.code, 0);
  assert.match(d.out, /fn add params=2/);
  // disasm output assembles back and runs the same
  const back = file("back.raft", d.out);
  const r2 = await cli(["run", back]);
  assert.equal(r2.out, '42\n[]\n');
});

test("disasm of a source by its absolute path names it as build does: the listing assembles back to build's bytes", async () => {
  const src = file("named.kl", "vm.println(6 * 7);\n");
  const out = join(dir, "named.rbc");
  assert.equal((await cli(["build", src, "-o", out])).code, 0);
  const d = await cli(["disasm", src]);
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /^\.file "named\.kl"$/m);
  const back = join(dir, "named-back.rbc");
  assert.equal((await cli(["build", file("named-back.raft", d.out), "-o", back])).code, 0);
  assert.deepEqual(readFileSync(back), readFileSync(out));
});

test("run: a panic exits 1 with the trace; vm.exit(n) exits n; assembly leftovers print", async () => {
  const p = await cli(["run", file("p.kl", "let z = 0;\nvm.println(1 / z);\n")]);
  assert.equal(p.code, 1);
  assert.match(p.err, /panic in <0\.1>: division by zero\n {4}at main \(.*p\.kl:2:/);
  assert.equal((await cli(["run", file("e.kl", "vm.exit(5);\n")])).code, 5);
  const a = await cli(["run", file("s.raft", "1 2 +\n")]);
  assert.equal(a.out, "3\n");
});

test("repl in-process with piped stdin", async () => {
  const r = await cli(["repl"], "let x: integer = 40;\nx + 2;\n");
  assert.equal(r.code, 0);
  assert.equal(r.out, "42 : integer\n");
  const a = await cli(["repl", "--asm"], "1 2 +\n");
  assert.equal(a.out, "[3]\n");
});

// ── permissions on real paths ─────────────────────────────────────────────────────────

/** A folder `data` with links out of it (and one within it), beside files it must not reach. */
function linkFarm(): string {
  const root = mkdtempSync(join(tmpdir(), "raft-links-"));
  mkdirSync(join(root, "data"));
  writeFileSync(join(root, "secret.txt"), "secret\n");
  writeFileSync(join(root, "victim.txt"), "victim\n");
  writeFileSync(join(root, "data", "ok.txt"), "ok\n");
  symlinkSync("../secret.txt", join(root, "data", "link.txt"));
  symlinkSync("../victim.txt", join(root, "data", "wlink.txt"));
  symlinkSync("/etc", join(root, "data", "etclink"));
  symlinkSync("../created.txt", join(root, "data", "dangling"));
  symlinkSync("ok.txt", join(root, "data", "inner.txt"));
  return root;
}

/** Each access's result: the text read, "written", or the error code. */
let n = 0;
const read = (path: string) => `let r${n} = vm.read_file(${path});\nif (r${n} is error) { vm.println(r${n}.code()); } else { vm.print(r${n++}); }\n`;
const write = (path: string) => `let w${n} = vm.write_file(${path}, "pwned");\nif (w${n} is error) { vm.println(w${n++}.code()); } else { vm.println("written"); }\n`;
const ACCESSES =
  `let d: string = vm.args()[0];\n` +
  read(`d + "/link.txt"`) +
  read(`d + "/etclink/passwd"`) +
  read(`d + "/../data/link.txt"`) +
  write(`d + "/wlink.txt"`) +
  write(`d + "/dangling"`) +
  read(`d + "/inner.txt"`) +
  read(`d + "/ok.txt"`) +
  write(`d + "/new.txt"`);

test("--allow-read / --allow-write follow no link out of the granted folder", async () => {
  const root = linkFarm();
  const data = join(root, "data");
  const prog = file("links.kl", ACCESSES);
  const r = await cli(["run", `--allow-read=${data}`, `--allow-write=${data}`, prog, data]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, ["permission_denied", "permission_denied", "permission_denied", "permission_denied", "permission_denied", "ok", "ok", "written", ""].join("\n"));
  assert.equal(readFileSync(join(root, "victim.txt"), "utf8"), "victim\n");
  assert.equal(existsSync(join(root, "created.txt")), false);
  assert.equal(readFileSync(join(data, "new.txt"), "utf8"), "pwned");
  // The premise: without the grants' check, those links do reach outside (everything allowed).
  const all = await cli(["run", "--allow-read", prog, data]);
  assert.match(all.out, /^secret\n/);
  // A granted folder that is itself a link is granted as what it points to.
  symlinkSync(data, join(root, "alias"));
  const viaAlias = await cli(["run", `--allow-read=${join(root, "alias")}`, prog, data]);
  assert.match(viaAlias.out, /permission_denied\nok\nok\n/);
});

test("an empty --allow-read= / --allow-write= value is a usage error, not every path", async () => {
  const prog = file("r.kl", `vm.println(1);\n`);
  for (const flag of ["--allow-read=", "--allow-write=", "--allow-read=,", `--allow-read=${dir},`]) {
    const r = await cli(["run", flag, prog]);
    assert.equal(r.code, 2, flag);
    assert.match(r.err, /^error: --allow-(read|write) has an empty path: name the folders to allow/, flag);
    assert.equal(r.out, "");
  }
  assert.equal((await cli(["run", "--allow-read", prog])).code, 0);
});

// ── diagnostic codes: raft explain ─────────────────────────────────────────────────────

test("explain CODE prints the entry (any case); explain alone lists the codes; an unknown code is a usage error", async () => {
  const r = await cli(["explain", "e0052"]);
  assert.equal(r.code, 0);
  assert.equal(r.err, "");
  assert.ok(r.out.startsWith("E0052: type mismatch: expected T, found U\n\nA value of one type stands where another is expected"), r.out);
  assert.match(r.out, /\nThis fails:\n\n {4}let guess: integer = "five";\n\nThis works:\n\n {4}let guess: integer = /);
  const asm = await cli(["explain", "A0014"]);
  assert.match(asm.out, /^A0014: the verifier refuses an instruction \(the title: OP: WHY\)\n/);
  const list = await cli(["explain"]);
  assert.equal(list.code, 0);
  assert.match(list.out, /^Kaylee:\n {2}E0001 {2}unexpected character\n/);
  assert.match(list.out, /\n {2}E0052 {2}type mismatch: expected T, found U\n/);
  assert.match(list.out, /\nAssembly and modules:\n {2}A0001 {2}unknown instruction NAME\n/);
  assert.match(list.out, /\n {2}A0101 {2}the module cannot be loaded\n/);
  const bad = await cli(["explain", "E9999"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.out, "");
  assert.match(bad.err, /^error: unknown diagnostic code "E9999" \(`raft explain` lists them\)\n/);
  assert.equal((await cli(["explain", "E0001", "E0002"])).code, 2);
  assert.match((await cli(["--help"])).out, /raft explain \[CODE\]/);
});

test("every diagnostic the CLI prints ends with the command that explains its code", async () => {
  const r = await cli(["check", file("codes.kl", 'let x: integer = "five";\nvm.println(nope);\n')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: type mismatch: expected integer, found string\n(?:.*\n)*? {2}= explain: raft explain E0052\n\nerror: cannot find `nope` in this scope\n(?:.*\n)*? {2}= explain: raft explain E0044\n$/);
  // A module that cannot be loaded: the same shape, no source line to show.
  const m = await cli(["run", file("junk.rbc", "RAFT but not really")]);
  assert.equal(m.code, 2);
  assert.match(m.err, /^error: .*\n {2}--> .*junk\.rbc\n {2}= explain: raft explain A0101\n$/);
  const n = await cli(["run", file("native.raft", "CallNative #vm.no_such_native 0\n")]);
  assert.equal(n.code, 2);
  assert.match(n.err, /^error: bad module: unknown native "vm\.no_such_native"\n {2}--> .*native\.raft\n {2}= explain: raft explain A0102\n$/);
});

// ── host safety: a file of 100,000 bad lines ──────────────────────────────────────────

test("check of 100,000 bad lines (Kaylee and assembly) is quick: the first 100 diagnostics, then a count, exit 2", { timeout: 300_000 }, async () => {
  const n = 100_000;
  const lines = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n") + "\n";
  const cases: [string, string, string][] = [
    // type errors, and unknown names among as many declared ones ("did you mean" on each)
    ["types.kl", lines((i) => (i % 2 ? `let v${i}: integer = "s";` : `let w${i}: integer = w${i}x;`)), "E0052"],
    ["syntax.kl", lines(() => "let = ;"), "E0011"],
    ["junk.raft", lines((i) => `Frob${i % 7} 1`), "A0001"],
  ];
  for (const [name, text, code] of cases) {
    const p = file(name, text);
    const t0 = Date.now();
    const r = await cli(["check", p]);
    const ms = Date.now() - t0;
    assert.equal(r.code, 2, name);
    assert.equal(r.err.match(/^error: /gm)?.length, 100, name);
    assert.ok(r.err.endsWith(`\n\n... and ${n - 100} more errors\n`), `${name}: ${r.err.slice(-60)}`);
    assert.match(r.err, new RegExp(`--> .*${name.replace(".", "\\.")}:1:\\d+\\n`), name);
    assert.ok(r.err.includes(`= explain: raft explain ${code}\n`), name);
    // Rendering used to be quadratic (hours for this file); linear, it takes seconds.
    assert.ok(ms < 90_000, `${name}: ${ms} ms`);
  }
});

// ── assembly checked at its source positions ──────────────────────────────────────────

test("assembly the verifier refuses: a diagnostic at the instruction's line and column (check, run, build)", async () => {
  const p = file("under.raft", "fn main locals=0\n    PushInt 1\n    JumpIfFalse @end\n  end:\n    PushInt 2\n    Pop\n    Pop\n    Halt\n");
  for (const cmd of ["check", "run", "build"]) {
    const r = await cli([cmd, p]);
    assert.equal(r.code, 2, cmd);
    assert.match(r.err, /^error: Pop: needs 1 value on the stack but has 0\n --> .*under\.raft:7:5\n/, cmd);
    assert.doesNotMatch(r.err, /at byte/, cmd);
  }
  // Where paths meet with different depths, both places are shown.
  const m = await cli(["check", file("meet.raft", "fn main locals=0\n    PushInt 1\n    JumpIfFalse @end\n    PushInt 2\n  end:\n    Halt\n")]);
  assert.match(m.err, /^error: PushInt: stack depth 1 disagrees with 0 where paths meet\n --> .*meet\.raft:4:5\n/);
  assert.match(m.err, /6 \|     Halt\n {2}\| {5}-+ where the paths meet/);
});

// ── build ──────────────────────────────────────────────────────────────────────────────

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("build says where it wrote; the module names its source by a relative path, never an absolute one", async () => {
  const src = file("named.kl", "let z = 0;\nvm.println(1 / z);\n");
  const b = await cli(["build", src]);
  assert.equal(b.code, 0, b.err);
  const rbc = join(dir, "named.rbc");
  assert.equal(b.err, `wrote ${rbc} (${readFileSync(rbc).length} bytes)\n`);
  // Outside the current folder: the file's name alone.
  assert.equal(readModule(readFileSync(rbc)).file, "named.kl");
  const r = await cli(["run", rbc]);
  assert.match(r.err, /at main \(named\.kl:2:/);
  // Inside it: the path from there.
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(join(dir, "sub", "inner.kl"), "vm.println(1);\n");
  const out = execFileSync(process.execPath, [join(ROOT, "bin", "raft.js"), "build", join("sub", "inner.kl"), "-o", "inner.rbc"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.equal(out, "");
  assert.equal(readModule(readFileSync(join(dir, "inner.rbc"))).file, "sub/inner.kl");
});

// ── programs from stdin, and scripts ──────────────────────────────────────────────────

test("run -: the program comes from stdin, named <stdin>; its own stdin is then at its end", async () => {
  const prog = 'vm.println(vm.args());\nlet l = vm.get_user_input();\nif (l is error) { vm.println(l.code()); }\n';
  const r = await cli(["run", "-", "a", "b"], prog);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '["a", "b"]\neof\n');
  const bad = await cli(["check", "-"], 'let x: integer = "no";\n');
  assert.equal(bad.code, 2);
  assert.match(bad.err, / --> <stdin>:1:18\n/);
  const p = await cli(["run", "-"], "let z = 0;\nvm.println(1 / z);\n");
  assert.match(p.err, /at main \(<stdin>:2:12\)/);
  // build needs to be told where to write.
  const b = await cli(["build", "-"], "vm.println(1);\n");
  assert.equal(b.code, 2);
  assert.match(b.err, /^error: build - \(a program on stdin\) needs -o OUT\.rbc/);
  const out = join(dir, "from-stdin.rbc");
  assert.equal((await cli(["build", "-", "-o", out], "vm.println(1);\n")).code, 0);
  assert.equal(readModule(readFileSync(out)).file, "<stdin>");
});

test("scripts: a #! first line is skipped; a file without a known extension runs as Kaylee when it starts with #!", async () => {
  const script = file("hello", "#!/usr/bin/env -S raft run\nvm.println(\"hi \" + vm.args()[0]);\n");
  const r = await cli(["run", script, "there"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "hi there\n");
  // Positions count the #! line.
  const bad = await cli(["check", file("bad-script", "#!/usr/bin/env -S raft run\nlet x: integer = true;\n")]);
  assert.match(bad.err, /bad-script:2:18/);
  const notScript = await cli(["run", file("notes.txt", "vm.println(1);\n")]);
  assert.equal(notScript.code, 2);
  assert.match(notScript.err, /^error: .*notes\.txt: unknown file type/);
  // Run as a command by the kernel, through `#!/usr/bin/env -S raft run`, with a `raft` on PATH.
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, "raft"))) symlinkSync(join(ROOT, "bin", "raft.js"), join(bin, "raft"));
  chmodSync(script, 0o755);
  const env = { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}` };
  assert.equal(execFileSync(script, ["from the kernel"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }), "hi from the kernel\n");
});
