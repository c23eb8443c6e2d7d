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

// ── assembly checked at its source positions ──────────────────────────────────────────

test("assembly the verifier refuses: a diagnostic at the instruction's line and column (check, run, build)", async () => {
  const p = file("under.raft", "fn main locals=0\n    PushInt 1\n    JumpIfFalse @end\n  end:\n    PushInt 2\n    Pop\n    Pop\n    Halt\n");
  for (const cmd of ["check", "run", "build"]) {
    const r = await cli([cmd, p]);
    assert.equal(r.code, 2, cmd);
    assert.match(r.err, /^error: Pop: needs 1 values on the stack but has 0\n --> .*under\.raft:7:5\n/, cmd);
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
