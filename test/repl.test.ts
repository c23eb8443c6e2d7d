// `raft repl`: piped sessions (spawning the CLI) and the Session API underneath it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { Raft } from "../src/index.js";
import { ReplScreen, complete, isOpen, startRepl } from "../src/cli/repl.js";
import type { CliIO } from "../src/cli/main.js";
import { infoText, psText, treeText } from "../src/cli/inspect.js";
import { censusNow } from "../src/threads/survey.js";
import { TWO_LEVELS, startOnTwo } from "./helpers/two-schedulers.js";

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

test("piped: an expression whose line ends with an operator goes on to the next line", async () => {
  const r = await repl("let x: integer = 40;\nx +\n2;\n");
  assert.equal(r.stdout, "42 : integer\n");
  assert.equal(r.stderr, "");
});

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

test("piped --asm: a line mixes numbers and instructions; values print as Kaylee prints them; refusals at line:col", async () => {
  const r = await repl(
    ["fn sq params=1 locals=1", "  Load $0", "  Load $0", "  Mul", "  Return", "", "5 Call @sq", "Self", "PushConst #1.5 PushConst #1.5 AddFloat", "Pop", "Pop Pop Pop", "fn bad locals=0", "  Pop", "  Return", "", ""].join("\n"),
    ["--asm"],
  );
  // A kept value keeps its type on later lines: the pid still prints as <0.1>.
  assert.equal(r.stdout, "[25]\n[25, <0.1>]\n[25, <0.1>, 3.0]\n[25, <0.1>]\n");
  assert.equal(
    r.stderr,
    [
      "error: Pop: needs 1 value on the stack but has 0",
      " --> <repl>:1:9",
      "  |",
      "1 | Pop Pop Pop",
      "  |         ^^^ the verifier refuses this instruction",
      "  = explain: raft explain A0014",
      "error: Pop: needs 1 value on the stack but has 0",
      " --> <repl>:2:3",
      "  |",
      "2 |   Pop",
      "  |   ^^^ the verifier refuses this instruction",
      "  = explain: raft explain A0014",
      "",
    ].join("\n"),
  );
});

test("piped --asm: generic arithmetic on a float kept from an earlier line takes its float form", async () => {
  const r = await repl("PushConst #2.5\nNeg\nPushConst #1.5 PushConst #1.0 Add\n+\n2 *\n", ["--asm"]);
  assert.equal(r.stdout, "[2.5]\n[-2.5]\n[-2.5, 2.5]\n[0.0]\n");
  assert.match(r.stderr, /^error: Mul of a float and an integer\n --> <repl>:1:3\n/);
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

test("piped: receive { } in later inputs (their type sets join the session's program)", async () => {
  const r = await repl(
    [
      "vm.send(vm.self(), 5);",
      "receive { n: integer => { vm.println(n); } after 0 => { vm.println(\"none\"); } }",
      "receive {",
      "  n: integer => { vm.println(n); }",
      "  s: string => { vm.println(s); }",
      "  after 0 => { vm.println(\"none\"); }",
      "}",
      "vm.send(vm.self(), \"hi\");",
      "receive { b: bool => { } s: string => { vm.println(s); } }",
    ].join("\n") + "\n",
  );
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "5\nnone\nhi\n");
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
  // `line.upper();` changes the variable in place and shows its new value; `line;` shows it again.
  assert.equal(r.stdout, '"TYPED BY THE USER" : string\n"TYPED BY THE USER" : string\n');
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
  assert.equal(pick(await s.eval("name.reverse();")), '"cba" : string');
  assert.deepEqual(pick(await s.eval("name;")), '"cba" : string');
  // A mutator that returns nothing shows the variable's new value; one that returns a value shows it.
  await s.eval("let v = [3, 1, 2];");
  assert.equal(pick(await s.eval("v.sort();")), "[1, 2, 3] : vector[integer]");
  assert.equal(pick(await s.eval("v.push(4);")), "[1, 2, 3, 4] : vector[integer]");
  assert.equal(pick(await s.eval("v.pop();")), "4 : integer");
  assert.equal(pick(await s.eval("v;")), "[1, 2, 3] : vector[integer]");
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
  // Completion reads the standard library's table: a vector has its own methods and into().
  assert.equal((await s.eval("let nums: vector[integer] = [1, 2];")).kind, "ok");
  assert.deepEqual(complete(s, "nums.s"), [["slice", "sort", "sum"], "s"]);
  assert.deepEqual(complete(s, "nums.in"), [["index_of", "insert", "into"], "in"]);
  assert.deepEqual(complete(s, "name.pad"), [["pad_end", "pad_start"], "pad"]);
  assert.ok(!complete(s, "nums.")[0].includes("substring"));
  s.close();
});

test("isOpen: continues over open braces, parens, strings and comments", () => {
  assert.equal(isOpen("fn f() {"), true);
  assert.equal(isOpen("fn f() { }"), false);
  assert.equal(isOpen('let s = "{";'), false);
  assert.equal(isOpen("vm.println(1, // )\n"), true);
  assert.equal(isOpen("/* {"), true);
  assert.equal(isOpen("let c = '(';"), false);
  // A line ending with an operator that needs a right-hand side goes on, as in Node's REPL.
  assert.equal(isOpen("x +"), true);
  assert.equal(isOpen("let ok = a &&  // and\n"), true);
  assert.equal(isOpen("fn f() ->"), true);
  assert.equal(isOpen("x++"), false);
  assert.equal(isOpen("x--"), false);
  assert.equal(isOpen("x + 1"), false);
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
  assert.match(ps[0], /^PID +NAME +STATUS +MAILBOX +MEMORY +REDUCTIONS +SCHED +FUNCTION$/);
  assert.match(r.stdout, /^<0\.6> +lonely +waiting +2 +\d+ +\d+ +0 +w$/m);
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

test(":ps, :tree and :info on two schedulers: every scheduler's processes, each with the scheduler it runs on", async () => {
  // (A REPL session itself runs on one scheduler; these are the same views of a run on two.)
  const r = await startOnTwo(TWO_LEVELS, 13);
  try {
    const vm = r.vm;
    const census = await censusNow(vm);
    const ps = psText(vm, census).split("\n");
    assert.match(ps[0], /^PID +NAME +STATUS +MAILBOX +MEMORY +REDUCTIONS +SCHED +FUNCTION$/);
    const rows = ps.slice(1, 14).map((l) => {
      const cells = l.split(/ +/);
      return { pid: Number(/^<0\.(\d+)>$/.exec(cells[0])![1]), sched: Number(cells[cells.length - 2]), fn: cells[cells.length - 1] };
    });
    // The premise: processes on both schedulers (waiting ones stay where they are).
    const where = rows.map((x) => r.owner(x.pid));
    assert.ok(where.includes(0) && where.includes(1), `the processes run on schedulers ${where}`);
    assert.deepEqual(rows.map((x) => x.sched), where);
    assert.deepEqual(rows.map((x) => x.fn), ["main", "team", "supervisor", "worker", "worker", "supervisor", "worker", "worker", "worker", "supervisor", "worker", "worker", "worker"]);
    assert.match(ps[2], /^<0\.2> +team +waiting /);
    assert.match(ps[7], /^<0\.7> +first +waiting /);
    assert.match(ps[14], /^13 processes, 0 messages queued, \d+ reductions on 2 schedulers$/);
    // Every node of the tree says where it runs.
    const tree = treeText(census).trimEnd().split("\n");
    assert.equal(tree.length, 11, tree.join("\n"));
    for (const l of tree) {
      const m = /<0\.(\d+)>.* \[scheduler (\d)\]$/.exec(l);
      assert.ok(m, l);
      assert.equal(Number(m[2]), r.owner(Number(m[1])), l);
    }
    assert.match(tree[0], /^<0\.3> supervisor rest_for_one, 0 restarts \(0 of 100 in 1000 ms\) \[scheduler \d\]$/);
    assert.match(tree[3], /^<0\.6> supervisor one_for_one, 0 restarts \(0 of 100 in 1000 ms\) \[scheduler \d\]$/);
    // :info of a worker on scheduler 1: its page comes from that scheduler.
    const w = rows.find((x) => x.fn === "worker" && x.sched === 1)!;
    const info = await infoText(vm, `<0.${w.pid}>`);
    assert.match(info, new RegExp(`^<0\\.${w.pid}>\n  status +waiting\n  scheduler +1\n  current function +worker \\(started as worker\\)\n`));
    assert.match(info, /  links +<0\.\d+>\n/);
    assert.match(info, /  stack\n    at worker \(line 3:/);
    assert.equal(await infoText(vm, "<0.999>"), "error: <0.999> is not alive\n");
  } finally {
    await r.stop();
  }
});

// ── on a terminal ─────────────────────────────────────────────────────────────────────

/**
 * What a terminal shows after `out`, the bytes written to it: text, `\r`, `\n` (as a tty
 * with onlcr: to the next line's start) and the CSI sequences readline uses (cursor moves,
 * erase to the end of the line or the screen).
 */
function visible(out: string): string[] {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  for (let i = 0; i < out.length; i++) {
    const ch = out[i];
    if (ch === "\r") c = 0;
    else if (ch === "\n") {
      r++;
      c = 0;
      rows[r] ??= [];
    } else if (ch === "\x1b" && out[i + 1] === "[") {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(out.slice(i));
      assert.ok(m, `unknown escape at ${JSON.stringify(out.slice(i, i + 8))}`);
      i += m[0].length - 1;
      const n = m[1] === "" ? undefined : Number(m[1]);
      if (m[2] === "G") c = (n ?? 1) - 1;
      else if (m[2] === "A") r = Math.max(0, r - (n ?? 1));
      else if (m[2] === "B") (r += n ?? 1), (rows[r] ??= []);
      else if (m[2] === "C") c += n ?? 1;
      else if (m[2] === "D") c = Math.max(0, c - (n ?? 1));
      else if (m[2] === "J") (rows[r].length = Math.min(rows[r].length, c)), (rows.length = r + 1);
      else if (m[2] === "K") rows[r].length = Math.min(rows[r].length, c);
      else assert.fail(`unknown escape ${JSON.stringify(m[0])}`);
    } else {
      while (rows[r].length < c) rows[r].push(" ");
      rows[r][c++] = ch;
    }
  }
  return rows.map((row) => row.join(""));
}

/**
 * A REPL on a pretend terminal: keystrokes go in, and everything drawn — readline's drawing
 * and the REPL's output alike — comes out on one stream, as on a real terminal.
 */
function onTerminal(setup: (raft: Raft) => void = () => {}) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100, rows: 24 });
  let drawn = "";
  output.setEncoding("utf8");
  output.on("data", (d: string) => (drawn += d));
  const io: CliIO = { stdout: (t) => void output.write(t), stderr: (t) => void output.write(t), stdin: input, env: { RAFT_HISTORY: "/dev/null" }, color: false };
  const screen = new ReplScreen(io, output);
  const raft = new Raft({ stdout: screen.io.stdout, stderr: screen.io.stderr, schedulers: 1 });
  setup(raft);
  const done = startRepl(raft, screen, false);
  const shown = () => visible(drawn);
  /** Waits until the screen's last lines are `last`; fails the test if they never are. */
  const until = async (...last: string[]): Promise<void> => {
    for (let waited = 0; waited < 20_000; waited += 10) {
      if (shown().slice(-last.length).join("\n") === last.join("\n")) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`the screen never ended with ${JSON.stringify(last)}:\n${shown().join("\n")}`);
  };
  return {
    type: (keys: string) => void input.write(keys),
    until,
    shown,
    close: () => (input.end(), done),
  };
}

test("terminal: Ctrl+C drops the typed text, as in node's REPL; on an empty line it says how to leave", async () => {
  const t = onTerminal();
  await t.until("> ");
  t.type("2");
  await t.until("> 2");
  t.type("\x03");
  // The dropped text stays in view; the new line starts empty.
  await t.until("> 2", "> ");
  t.type("let abc = 1;\rabc\r"); // `abc` typed ahead: it runs when the first line is done, with no prompt of its own
  await t.until("> let abc = 1;", "abc", "1 : integer", "> ");
  // An open multi-line input is dropped too; on an empty line, the hint.
  t.type("fn f() {\r");
  await t.until("> fn f() {", "... ");
  t.type("\x03");
  await t.until("> fn f() {", "... ", "> ");
  t.type("\x03");
  await t.until("> ", "(to leave, type :quit or press Ctrl+D)", "> ");
  t.type("abc + 1\r");
  await t.until("> abc + 1", "2 : integer", "> ");
  assert.equal(await t.close(), 0);
});

test("terminal: a background process's output goes above the prompt, which is drawn again with the typed text", async () => {
  let release = () => {};
  const gate = new Promise<null>((r) => (release = () => r(null)));
  const t = onTerminal((raft) => raft.defineNative("gate", [], "null", () => gate));
  await t.until("> ");
  const input = 'fn bg() { vm.gate(); vm.println("from the background"); } vm.spawn(bg);';
  t.type(input + "\r");
  await t.until("> " + input, "<0.2> : process", "> ");
  t.type("4");
  await t.until("<0.2> : process", "> 4");
  release();
  await t.until("<0.2> : process", "from the background", "> 4");
  // What was typed is still the line being edited.
  t.type(" + 1\r");
  await t.until("from the background", "> 4 + 1", "5 : integer", "> ");
  assert.equal(await t.close(), 0);
});
