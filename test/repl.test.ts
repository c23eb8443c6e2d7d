// `raft repl`: piped sessions (spawning the CLI) and the Session API underneath it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Raft } from "../src/index.js";
import { complete, isOpen } from "../src/cli/repl.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function repl(input: string, args: string[] = []): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/raft.js", "repl", ...args], { cwd: ROOT, env: { ...process.env, RAFT_HISTORY: "/dev/null" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}

test("piped: a variable persists and an expression shows value and type", async () => {
  const r = await repl("let x: integer = 40;\nx + 2;\n");
  assert.equal(r.stdout, "42 : integer\n");
  assert.equal(r.code, 0);
});

test("piped: a multi-line fn, then a call (the ';' may be left out)", async () => {
  const r = await repl("fn sq(n: integer) -> integer {\n  let m = n * n;\n  return m;\n}\nsq(12)\n\"a\" + \"b\";\n");
  assert.equal(r.stdout, "144 : integer\n\"ab\" : string\n");
  assert.equal(r.stderr, "");
});

test("piped --asm: the stack is shown after each line", async () => {
  const r = await repl("1 2 +\n");
  void r;
  const a = await repl("1 2 +\n10\n*\nfn dbl params=1 locals=1\n  Load $0\n  PushInt 2\n  Mul\n  Return\n\nCall @dbl\n", ["--asm"]);
  assert.equal(a.stdout, "[3]\n[3, 10]\n[30]\n[60]\n");
  assert.equal(a.code, 0);
});

test("piped: the REPL is a process: spawn in one input, receive in a later one", async () => {
  const r = await repl(
    [
      "fn echo(to: process) { let m: integer = vm.receive(); to.send(m * 2); }",
      "let p: process = vm.spawn(echo, vm.self());",
      "p.alive();",
      "p.send(21);",
      "let got: integer = vm.receive();",
      "got;",
      "p.alive();",
    ].join("\n") + "\n",
  );
  assert.equal(r.stdout, "true : bool\n42 : integer\nfalse : bool\n");
});

test("piped: a panic prints message and trace, and the session goes on; each statement runs once", async () => {
  const r = await repl('let n = 1;\nvm.println("side effect");\nlet z = 0;\nn / z;\nn + 1;\n');
  assert.equal(r.stdout, "side effect\n2 : integer\n");
  assert.match(r.stderr, /panic in <0\.1>: division by zero\n {4}at main \(<repl>:1:1\)/);
  assert.equal(r.code, 0);
});

test("piped: compile errors are diagnostics against the input; vm.get_user_input reads the next line", async () => {
  const r = await repl('let s: integer = "no";\nlet line = vm.get_user_input();\ntyped by the user\nline.upper();\nline;\n');
  assert.match(r.stderr, /type mismatch/);
  assert.match(r.stderr, /<repl>:1:18/);
  assert.equal(r.stdout, '"TYPED BY THE USER" : string\n');
});

test("piped: :type, :asm, :help, :quit and vm.exit", async () => {
  const r = await repl('let v = [1, 2];\n:type v.length() + 1\n:asm let w = 1 + 2;\n:help\n:quit\nvm.println("not reached");\n');
  assert.match(r.stdout, /^v\.length\(\) \+ 1 : integer\n/);
  assert.match(r.stdout, /fn main params=0/);
  assert.match(r.stdout, /:quit/);
  assert.doesNotMatch(r.stdout, /not reached/);
  const e = await repl("vm.exit(7);\nvm.println(1);\n");
  assert.equal(e.code, 7);
  assert.equal(e.stdout, "");
});

test("Session API: definitions, redefinition, in-place methods, error values", async () => {
  const raft = new Raft({ stdout: () => {} });
  const s = await raft.session();
  assert.equal((await s.eval("let name = \"abc\";")).kind, "ok");
  assert.equal((await s.eval("name.reverse();")).kind, "ok");
  assert.deepEqual(pick(await s.eval("name;")), '"cba" : string');
  await s.eval("fn f() -> integer { return 1; }");
  assert.equal(pick(await s.eval("f();")), "1 : integer");
  await s.eval("fn f() -> integer { return 2; }");
  assert.equal(pick(await s.eval("f();")), "2 : integer");
  assert.match(pick(await s.eval('vm.read_file("/nope");')), /permission_denied.* : string$/);
  assert.deepEqual(s.typeOf("name.length()"), { type: "integer" });
  const [names] = complete(s, "vm.spa");
  assert.deepEqual(names, ["spawn", "spawn_link", "spawn_monitor"]);
  assert.ok(complete(s, "name.up")[0].includes("upper"));
  assert.ok(complete(s, "na")[0].includes("name"));
  s.close();
});

test("isOpen: continues over open braces, parens, strings and comments", () => {
  assert.equal(isOpen("fn f() {"), true);
  assert.equal(isOpen("fn f() { }"), false);
  assert.equal(isOpen('let s = "{";'), false);
  assert.equal(isOpen("vm.println(1, // )\n"), true);
  assert.equal(isOpen("/* {"), true);
  assert.equal(isOpen("let c = '(';"), false);
});

function pick(r: { kind: string; text?: string }): string {
  return r.kind === "value" ? r.text! : `${r.kind}: ${r.text ?? ""}`;
}

test("piped: :ps, :tree and :info show the running processes (the observer's introspection)", async () => {
  const r = await repl(
    [
      "fn w(n: integer) { let m: integer = vm.receive(); }",
      'let sup: process = vm.supervisor("one_for_one", 3, 1000);',
      'let a: process = vm.start_child(sup, "permanent", w, 1);',
      'let sub: process = vm.start_supervisor(sup, "rest_for_one", 3, 1000);',
      'let b: process = vm.start_child(sub, "transient", w, 2);',
      "let p: process = vm.spawn(w, 3);",
      'vm.register("lonely", p);',
      'p.send("hi");',
      "p.send([1, 2]);",
      ":ps",
      ":tree",
      ":info lonely",
      ":info <0.99>",
    ].join("\n") + "\n",
  );
  const ps = r.stdout.split("\n");
  assert.match(ps[0], /^PID +NAME +STATUS +MAILBOX +MEMORY +REDUCTIONS +FUNCTION$/);
  assert.match(r.stdout, /^<0\.6> +lonely +waiting +2 +\d+ +\d+ +w$/m);
  assert.match(r.stdout, /^6 processes, 2 messages queued/m);
  assert.ok(
    r.stdout.includes(
      [
        "<0.2> supervisor one_for_one, 0 restarts (0 of 3 in 1000 ms)",
        "├─ <0.3> w permanent",
        "└─ <0.4> supervisor rest_for_one, 0 restarts (0 of 3 in 1000 ms) permanent",
        "   └─ <0.5> w transient",
      ].join("\n"),
    ),
    r.stdout,
  );
  assert.match(r.stdout, /^<0\.6> "lonely"\n  status +waiting\n/m);
  assert.match(r.stdout, /first messages\n    "hi"\n    \[1, 2\]\n  stack\n    at w \(line 1:/);
  assert.equal(r.stderr, "error: <0.99> is not alive\n");
});
