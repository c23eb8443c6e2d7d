// Checker tests: types, name resolution, call resolution, in-place marks, write-back,
// errors-as-values flags, definite assignment, returns, natives, and the conformance programs.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { T, typeKey } from "../src/bytecode/types.js";
import { compileFrontEnd } from "../src/lang/checker.js";
import { lineCol } from "../src/diag/render.js";
import type { Expr, Program, Stmt } from "../src/lang/ast.js";

function ok(src: string, natives?: Parameters<typeof compileFrontEnd>[2]): Program {
  const r = compileFrontEnd(src, "t.kl", natives);
  assert.deepEqual(
    r.diagnostics.map((d) => d.title),
    [],
    "expected no diagnostics",
  );
  assert.ok(r.program);
  return r.program;
}

function errs(src: string): { title: string; at: string }[] {
  const r = compileFrontEnd(src, "t.kl");
  assert.equal(r.program, null, "expected a compile error");
  return r.diagnostics.map((d) => {
    const lc = lineCol(src, d.labels.find((l) => l.primary)!.span.start);
    return { title: d.title, at: `${lc.line}:${lc.col}` };
  });
}

const main = (p: Program, i: number): Stmt => p.main.body[i]!;
const init = (p: Program, i: number): Expr => (main(p, i) as Extract<Stmt, { kind: "let" }>).init!;
const exprOf = (p: Program, i: number): Expr => (main(p, i) as Extract<Stmt, { kind: "expr" }>).expr;

test("conformance programs: the good compile, the bad fail at the expected places", () => {
  const root = path.join(process.cwd(), "..", "shared", "conformance");
  if (!fs.existsSync(root)) return;
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".kl") ? [path.join(d, e.name)] : []));
  for (const f of walk(root)) {
    const src = fs.readFileSync(f, "utf8");
    const expected = [...src.matchAll(/\/\/ expect error: (\d+:\d+)/g)].map((m) => m[1]);
    const r = compileFrontEnd(src, path.basename(f));
    if (expected.length === 0) assert.deepEqual(r.diagnostics.map((d) => d.title), [], f);
    else {
      const got = r.diagnostics.map((d) => {
        const lc = lineCol(src, d.labels.find((l) => l.primary)!.span.start);
        return `${lc.line}:${lc.col}`;
      });
      assert.deepEqual(got, expected, f);
    }
  }
});

test("conformance diagnostics positions (inline)", () => {
  assert.deepEqual(errs('let x: integer = "five";').map((e) => e.at), ["1:18"]);
  assert.deepEqual(errs("let a: integer = 1;\nvm.println(b);\nlet c: bool = a + 1;").map((e) => e.at), ["2:12", "3:15"]);
  assert.deepEqual(errs("fn sign(n: integer) -> integer {\n    if (n > 0) { return 1; }\n}\nvm.println(sign(3));").map((e) => e.at), ["1:1"]);
});

test("expression types and literal typing by expected type", () => {
  const p = ok(`let a = 1 + 2;
let b: byte = 7;
let c: byte = b + 1;
let f = 1.5 * 2.0;
let s = "a" + "b";
let ch = "abc"[0];
let v: vector[integer] = [];
let arr: array[float; 2] = [1.0, 2.0];
let t = (1, "x");
let m: integer = -2147483648;
let cmp = a < 3;
let w = [1, 2];`);
  const tys = p.main.body.map((s) => typeKey((s as Extract<Stmt, { kind: "let" }>).binding!.type));
  assert.deepEqual(tys, ["integer", "byte", "byte", "float", "string", "char", "vector[integer]", "array[float; 2]", "(integer, string)", "integer", "bool", "vector[integer]"]);
  const c = init(p, 2);
  assert.equal(c.kind, "binary");
  assert.equal(typeKey((c as Extract<Expr, { kind: "binary" }>).operandTy), "byte");
  assert.equal(typeKey((c as Extract<Expr, { kind: "binary" }>).right.ty), "byte");
  assert.equal(typeKey((init(p, 10) as Extract<Expr, { kind: "binary" }>).operandTy), "integer");
});

test("locals: unique ids per function, params first, shadowing in inner blocks", () => {
  const p = ok(`let x: integer = 1;
if (x > 0) { let x: string = "inner"; vm.println(x); }
vm.println(x);
fn f(a: integer, b: string) -> integer { let c = a; return c; }`);
  assert.deepEqual(p.main.locals.map((b) => [b.id, b.name, typeKey(b.type)]), [
    [0, "x", "integer"],
    [1, "x", "string"],
  ]);
  const f = p.functions[0]!;
  assert.deepEqual(f.locals.map((b) => [b.id, b.name, b.kind]), [
    [0, "a", "param"],
    [1, "b", "param"],
    [2, "c", "let"],
  ]);
  const last = exprOf(p, 2) as Extract<Expr, { kind: "vmcall" }>;
  const arg = last.args[0] as Extract<Expr, { kind: "ident" }>;
  assert.equal(arg.binding, p.main.locals[0]);
  assert.equal(typeKey(f.ret), "integer");
  assert.equal(typeKey(p.functions[0]!.paramTypes[1]!), "string");
});

test("call resolution: user functions, vm builtins, methods, print arg types", () => {
  const p = ok(`fn twice(n: integer) -> integer { return n * 2; }
vm.println(twice(3));
let s: string = " hi ".trim();
let n: integer = "12".into();
vm.print(1.5);`);
  const call = exprOf(p, 0) as Extract<Expr, { kind: "vmcall" }>;
  assert.equal(call.target?.kind, "builtin");
  assert.deepEqual(call.argTypes.map(typeKey), ["integer"]);
  assert.equal((call.args[0] as Extract<Expr, { kind: "call" }>).fn, p.functions[0]);
  const trim = init(p, 1) as Extract<Expr, { kind: "method" }>;
  assert.equal(trim.key, "string.trim");
  assert.equal(trim.inPlace, false, "inside an expression a transform does not change its receiver");
  const into = init(p, 2) as Extract<Expr, { kind: "method" }>;
  assert.equal(into.key, "string.into");
  assert.equal(typeKey(into.targetType!), "integer");
  assert.equal(into.mayError, true);
});

test("in-place statements and vector mutators record their place", () => {
  const p = ok(`let name: string = "Michael";
name.reverse();
let v: vector[integer] = [1];
v.push(2);
let last = v.pop();
let words: vector[string] = ["a "];
words[0].trim();
let t: (string, integer) = ("x", 1);
t.0.upper();
"lit".trim();`);
  assert.equal((exprOf(p, 1) as Extract<Expr, { kind: "method" }>).inPlace, true);
  assert.equal((exprOf(p, 3) as Extract<Expr, { kind: "method" }>).inPlace, true);
  assert.equal((init(p, 4) as Extract<Expr, { kind: "method" }>).inPlace, true, "pop mutates even inside an expression");
  assert.equal((exprOf(p, 6) as Extract<Expr, { kind: "method" }>).inPlace, true);
  assert.equal((exprOf(p, 8) as Extract<Expr, { kind: "method" }>).inPlace, true);
  assert.equal((exprOf(p, 9) as Extract<Expr, { kind: "method" }>).inPlace, false, "a literal is not a place");
  assert.equal(typeKey(init(p, 4).ty), "integer");
});

test("for-in: item types, write-back, hidden locals", () => {
  const p = ok(`let v: vector[integer] = [1, 2];
for x in v { x = x * 10; }
for x in v { vm.println(x); }
for c in "abc" { vm.println(c); }
let a: array[string; 2] = ["a", "b"];
for s in a { s.upper(); }
let vv: vector[vector[integer]] = [[1]];
for inner in vv { inner.push(1); }
for y in v { y++; }`);
  const fors = p.main.body.filter((s): s is Extract<Stmt, { kind: "for" }> => s.kind === "for");
  assert.deepEqual(fors.map((f) => [f.iterKind, f.writesBack, typeKey(f.itemBinding!.type)]), [
    ["vector", true, "integer"],
    ["vector", false, "integer"],
    ["string", false, "char"],
    ["array", true, "string"],
    ["vector", true, "vector[integer]"],
    ["vector", true, "integer"],
  ]);
  assert.equal(fors[0]!.collectionBinding!.kind, "hidden");
  assert.equal(typeKey(fors[0]!.indexBinding!.type), "integer");
});

test("mayError: fallible calls, handlers, variables, and functions (fixpoint)", () => {
  const p = ok(`let c: string = vm.read_file("x");
let d: string = vm.read_file("x"){default: "f"};
let e: string = vm.read_file("x"){message: "m"};
let f: string = vm.read_file("x"){panic};
let g: integer = a();
let h: integer = vm.receive();
let i: integer = vm.receive(5);
vm.println(c);
let k: integer = 1;
fn a() -> integer { return b(); }
fn b() -> integer { return vm.error("boom"); }
fn z() -> integer { return 1; }`);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((i) => init(p, i).mayError),
    [true, false, true, false, true, false, true],
  );
  assert.deepEqual(p.main.locals.map((b) => b.mayError), [true, false, true, false, true, false, true, false]);
  assert.deepEqual(p.functions.map((f) => f.mayReturnError), [true, true, false]);
  const use = (exprOf(p, 7) as Extract<Expr, { kind: "vmcall" }>).args[0]!;
  assert.equal(use.mayError, true, "loading c may give an error: the code generator checks the use");
  const err = (p.functions[1]!.body.stmts[0] as Extract<Stmt, { kind: "return" }>).value!;
  assert.equal(typeKey(err.ty), "integer", "vm.error takes the expected type");
});

test("variables become mayError through assignment", () => {
  const p = ok(`let x: string = "a";
let y: string = "b";
y = x;
x = vm.env("HOME");`);
  assert.deepEqual(p.main.locals.map((b) => b.mayError), [true, true]);
});

test("is error narrowing allows message() and code()", () => {
  ok(`let c: string = vm.read_file("x");
if (c is error) { vm.println(c.message() + c.code()); }`);
  const e = errs(`let c: string = vm.read_file("x");\nif (c is error) { }\nvm.println(c.code());`);
  assert.equal(e.length, 1);
  assert.match(e[0]!.title, /only allowed on a known error/);
});

test("receive, send, spawn, start_child, supervisors", () => {
  const p = ok(`fn worker(parent: process, n: integer) { vm.send(parent, (vm.self(), n)); }
let w: process = vm.spawn(worker, vm.self(), 3);
let m: (process, integer) = vm.receive();
let t: integer = vm.receive(50){default: -1};
w.send("hi");
let sup: process = vm.supervisor("one_for_one", 3, 5000);
let ch: process = vm.start_child(sup, "transient", worker, vm.self(), 1);`);
  const spawn = init(p, 0) as Extract<Expr, { kind: "vmcall" }>;
  assert.equal(spawn.spawnFn, p.functions[0]);
  const recv = init(p, 1) as Extract<Expr, { kind: "vmcall" }>;
  assert.equal(typeKey(recv.targetType!), "(process, integer)");
  const h = init(p, 2) as Extract<Expr, { kind: "handle" }>;
  assert.equal(typeKey((h.expr as Extract<Expr, { kind: "vmcall" }>).targetType!), "integer");
  assert.equal(h.mayError, false);
  assert.equal(h.expr.mayError, true);
  const send = (p.functions[0]!.body.stmts[0] as Extract<Stmt, { kind: "expr" }>).expr as Extract<Expr, { kind: "vmcall" }>;
  assert.equal(typeKey(send.msgType!), "(process, integer)");
  assert.equal(typeKey((exprOf(p, 3) as Extract<Expr, { kind: "method" }>).msgType!), "string");
  assert.equal((init(p, 5) as Extract<Expr, { kind: "vmcall" }>).spawnFn, p.functions[0]);
});

test("receive { }: arm types and variables, definite assignment, returns, break in arms", () => {
  const p = ok(`let x: integer;
receive {
    job: (process, integer) => { x = job.1; }
    s: string => { x = s.length(); }
    after 10 => { x = 0; }
}
vm.println(x);
fn serve() -> integer {
    receive {
        n: integer => { return n; }
        down: exit => { return -1; }
    }
}
fn drain() -> integer {
    let k: integer = 0;
    loop {
        receive {
            n: integer => { k += n; }
            stop: bool => { break; }
            after 0 => { continue; }
        }
    }
    return k;
}`);
  const r = main(p, 1) as Extract<Stmt, { kind: "receive" }>;
  assert.deepEqual(r.arms.map((a) => typeKey(a.type)), ["(process, integer)", "string"]);
  assert.deepEqual(r.arms.map((a) => [a.binding!.name, typeKey(a.binding!.type), a.binding!.mayError]), [["job", "(process, integer)", false], ["s", "string", false]]);
  assert.notEqual(r.arms[0]!.binding!.id, r.arms[1]!.binding!.id);
  assert.equal(r.after!.ms.ty.kind, "integer");
  // Definite assignment: every arm and the after clause must assign.
  assert.deepEqual(errs("let x: integer;\nreceive {\n    n: integer => { x = n; }\n    after 5 => { }\n}\nvm.println(x);").map((e) => e.at), ["6:12"]);
  // Returns: without `after` every arm must return; with it, `after` too.
  assert.equal(errs("fn f() -> integer { receive { n: integer => { return n; } s: string => { } } }").length, 1);
  assert.equal(errs("fn f() -> integer { receive { n: integer => { return n; } after 5 => { } } }").length, 1);
  // A `break` in an arm leaves the loop around it, so that loop may end.
  assert.equal(errs("fn f() -> integer { loop { receive { n: integer => { break; } after 5 => { } } } }").length, 1);
  ok("fn f() -> integer { loop { receive { n: integer => { return n; } after 5 => { } } } }");
  // `break` outside a loop, in an arm, is the usual error.
  assert.deepEqual(errs("receive { n: integer => { break; } }").map((e) => e.at), ["1:27"]);
  // An arm's variable is scoped to its arm; the same name in two arms is two variables.
  ok("receive { m: integer => { vm.println(m); } m: string => { vm.println(m); } }");
  assert.deepEqual(errs("receive { m: integer => { } after 0 => { vm.println(m); } }").map((e) => e.at), ["1:53"]);
});

test("receive { }: diagnostics at their exact places", () => {
  assert.deepEqual(errs("receive {\n  a: integer => { }\n  b: string => { }\n  c: integer => { }\n}"), [{ title: "two arms receive integer", at: "4:3" }]);
  assert.deepEqual(errs("receive { a: (integer, string) => { } b: (integer,string) => { } }").map((e) => e.at), ["1:39"]);
  assert.deepEqual(errs("let a: integer = 1;\nreceive { a: string => { } }"), [{ title: "the arm's name `a` shadows a variable", at: "2:11" }]);
  assert.deepEqual(errs("fn f(p: process) { receive { p: string => { } } }").map((e) => e.at), ["1:30"]);
  assert.deepEqual(errs("receive { m: integer => { receive { m: string => { } } } }").map((e) => e.at), ["1:37"]);
  assert.deepEqual(errs("receive { e: error => { } }"), [{ title: "cannot receive an error", at: "1:14" }]);
  assert.deepEqual(errs("receive { n: integr => { } }").map((e) => e.at), ["1:14"]);
  assert.deepEqual(errs('receive { n: integer => { } after "5" => { } }').map((e) => e.at), ["1:35"]);
  // A body's own mistakes are reported along with the receive's.
  assert.deepEqual(errs("receive { a: integer => { a = \"x\"; } b: integer => { } }").map((e) => e.at), ["1:31", "1:38"]);
});

test("into conversions", () => {
  ok(`let a: float = 3.into();
let b: string = 3.into();
let c: integer = 2.5.into();
let d: integer = 'a'.into();
let e: char = 97.into();
let f: string = true.into();
let g: float = "1.5".into();`);
  assert.equal(errs("let b: bool = 1.into();").length, 1);
  assert.equal(errs("let v: vector[integer] = \"1\".into();").length, 1);
});

test("embedder natives are callable as vm.NAME", () => {
  const natives = [{ name: "vm.http_get", params: [T.string], ret: T.string, fallible: true, fn: () => "" }];
  const p = ok(`let body: string = vm.http_get("http://x");`, { natives });
  const call = init(p, 0) as Extract<Expr, { kind: "vmcall" }>;
  assert.equal(call.target?.kind, "native");
  assert.equal(call.mayError, true);
  assert.equal(compileFrontEnd(`vm.http_get(1);`, "t.kl", { natives }).program, null);
  assert.equal(compileFrontEnd(`vm.http_get("x");`, "t.kl").program, null);
});

test("definite assignment", () => {
  ok(`let x: integer;
if (true) { x = 1; } else { x = 2; }
vm.println(x);
let y: integer;
loop { y = 3; break; }
vm.println(y);`);
  assert.equal(errs("let x: integer;\nif (true) { x = 1; }\nvm.println(x);").length, 1);
  assert.equal(errs("let x: integer;\nfor c in \"ab\" { x = 1; }\nvm.println(x);").length, 1);
  assert.equal(errs("let x: integer;\nx += 1;").length, 1);
});

test("returns on every path", () => {
  ok(`fn a(n: integer) -> integer { if (n > 0) { return 1; } else { return 2; } }
fn b() -> integer { loop { } }
fn c(n: integer) -> integer { if (n > 0) { return 1; } else if (n < 0) { return -1; } else { return 0; } }
fn d() { }`);
  assert.equal(errs("fn b() -> integer { loop { break; } }").length, 1);
  assert.equal(errs("fn b() -> integer { return; }").length, 1);
});

test("operators: allowed types, no implicit conversion", () => {
  ok(`let a = 1 + 2 - 3 * 4 / 5 % 6 ** 2;
let b = 1.0 + 2.0;
let c = "a" + "b";
let d = 'a' < 'b';
let e = "a" < "b";
let f = 1 << 2 | 3 & 4 ^ 5;
let g = [1] == [1];
let h = (1, "a") != (2, "b");
let i = true && !false || false;
let j = -1.5;`);
  for (const bad of ["1 + 1.0", '"a" - "b"', "true + true", "1.0 << 1", "true < false", "-true", '!"x"', "1 && true", "'a' + 'b'"]) {
    assert.ok(errs(`let x = ${bad};`).length === 1, bad);
  }
});

test("unknown names do not cascade", () => {
  const e = errs("let x = nope + 1;\nlet y = x * 2;\nvm.println(nope.length());\nnope.push(1);");
  assert.deepEqual(e.map((d) => d.at), ["1:9", "3:12", "4:1"]);
});

test("literal ranges, array lengths, misc diagnostics", () => {
  assert.equal(errs("let x: integer = 2147483648;").length, 1);
  assert.equal(errs("let b: byte = -1;").length, 1);
  assert.equal(errs("let a: array[integer; 2] = [1, 2, 3];").length, 1);
  assert.equal(errs("let a: array[integer; 2] = [1, 2];\nvm.println(a[2]);").length, 1);
  assert.equal(errs("fn f() { vm.println(1); }\nlet g = f;").length, 1);
  assert.equal(errs("vm.spawn(1);").length, 1);
  assert.equal(errs('vm.set_strategy(vm.self(), "all_for_one");').length, 1);
  assert.equal(errs("fn f() {}\nfn f() {}").length, 1);
  assert.equal(errs("let p: pointer = vm.alloc(8);\nlet s = p.slice(p.read_integer());").length, 1);
  ok("let p: pointer = vm.alloc(8);\nlet s = p.slice(4);\nlet k: slice[byte; 2] = p.slice(p.read_integer());\nvm.println(s[0]);");
});
