// Parser unit tests: precedence, statements, handlers vs blocks, recovery and limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "../src/lang/parser.js";
import type { Expr, Stmt } from "../src/lang/ast.js";

function show(e: Expr): string {
  switch (e.kind) {
    case "int":
    case "float":
      return String(e.value);
    case "ident":
      return e.name;
    case "string":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "unary":
      return `(${e.op}${show(e.operand)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "is":
      return `(${show(e.operand)} is error)`;
    case "call":
      return `${e.name}(${e.args.map(show).join(", ")})`;
    case "vmcall":
      return `vm.${e.name}(${e.args.map(show).join(", ")})`;
    case "method":
      return `${show(e.receiver)}.${e.name}(${e.args.map(show).join(", ")})`;
    case "index":
      return `${show(e.object)}[${show(e.index)}]`;
    case "field":
      return `${show(e.object)}.${e.index}`;
    case "list":
      return `[${e.elements.map(show).join(", ")}]`;
    case "tuple":
      return `(${e.elements.map(show).join(", ")},)`;
    case "handle": {
      const h = e.handler;
      const inner = h.kind === "default" ? `default: ${show(h.value)}` : h.kind === "message" ? `message: ${show(h.message)}` : h.message ? `panic: ${show(h.message)}` : "panic";
      return `${show(e.expr)}{${inner}}`;
    }
    default:
      return e.kind;
  }
}

function expr(src: string): string {
  const r = parse(`x = ${src};`, "t.kl");
  assert.deepEqual(r.diagnostics, [], src);
  const s = r.program.main.body[0]!;
  assert.equal(s.kind, "assign");
  return show((s as Extract<Stmt, { kind: "assign" }>).value);
}

test("precedence follows SPEC §2", () => {
  assert.equal(expr("1 + 2 * 3"), "(1 + (2 * 3))");
  assert.equal(expr("2 ** 3 ** 2"), "(2 ** (3 ** 2))");
  // unary `-` binds tighter than `**` (SPEC §2 lists it above `**`): (-x) ** 2
  assert.equal(expr("-x ** 2"), "((-x) ** 2)");
  assert.equal(expr("2 ** -x"), "(2 ** (-x))");
  assert.equal(expr("-x * 2"), "((-x) * 2)");
  assert.equal(expr("1 << 4 | 1"), "((1 << 4) | 1)");
  assert.equal(expr("a | b ^ c & d"), "(a | (b ^ (c & d)))");
  assert.equal(expr("a == b || c && d"), "((a == b) || (c && d))");
  assert.equal(expr("a + 1 < b << 2"), "((a + 1) < (b << 2))");
});

test("`!` binds looser than comparison", () => {
  assert.equal(expr("!guess > 0 || !guess < 11"), "((!(guess > 0)) || (!(guess < 11)))");
  assert.equal(expr("!a && b"), "((!a) && b)");
  assert.equal(expr("!!a"), "(!(!a))");
});

test("is error, postfix chains, tuple fields, literals", () => {
  assert.equal(expr("x is error"), "(x is error)");
  assert.equal(expr("a.b(1).c()[2].0"), "a.b(1).c()[2].0");
  assert.equal(expr("t.0.1"), "t.0.1");
  assert.equal(expr("(1, \"a\")"), '(1, "a",)');
  assert.equal(expr("[1, 2, 3]"), "[1, 2, 3]");
  assert.equal(expr("(1 + 2) * 3"), "((1 + 2) * 3)");
  assert.equal(expr("-5"), "-5");
  assert.equal(expr("vm.read_file(p)"), "vm.read_file(p)");
});

test("error handlers and chaining after them", () => {
  assert.equal(expr("f(){panic}"), "f(){panic}");
  assert.equal(expr('f(){panic: "m"}'), 'f(){panic: "m"}');
  assert.equal(expr('vm.read_file(p){message: "no"}.trim()'), 'vm.read_file(p){message: "no"}.trim()');
  assert.equal(expr("s.into(){default: 12}"), "s.into(){default: 12}");
  assert.equal(expr("s.into(){default: f(s)}"), "s.into(){default: f(s)}");
});

test("`{` after a for-in iterable opens the body, not a handler", () => {
  const r = parse("for x in v { vm.println(x); }\nfor d in v { default = 1; }", "t.kl");
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.program.main.body.length, 2);
  const f = r.program.main.body[0]!;
  assert.equal(f.kind, "for");
});

test("statements", () => {
  const src = `let a: integer = 1;
let b = 2;
let c: vector[array[integer; 3]];
let t: (string, integer) = ("a", 1);
a += 1; a -= 1; a *= 2; a /= 2; a %= 2;
a++; b--;
v[0] = 1; t.1 = 2;
if (a > 0) { } else if (a < 0) { } else { }
loop { break; continue; }
for x in v { x = 1; }
fn f(a: integer, s: string) -> integer { return a; }
fn g() { return; }
vm.println(a);`;
  const r = parse(src, "t.kl");
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.program.functions.length, 2);
  assert.deepEqual(
    r.program.main.body.map((s) => s.kind),
    ["let", "let", "let", "let", "assign", "assign", "assign", "assign", "assign", "incdec", "incdec", "assign", "assign", "if", "loop", "for", "expr"],
  );
  const ifs = r.program.main.body[13] as Extract<Stmt, { kind: "if" }>;
  assert.equal(ifs.else!.stmts[0]!.kind, "if", "else-if is an else block holding the inner if");
  assert.equal(r.program.items.length, 19);
});

test("receive { }: arms, after, and `receive` and `after` as ordinary names elsewhere", () => {
  const src = `receive {
    req: (process, string) => { vm.send(req.0, "pong"); }
    down: exit => { }
    after 50 * n => { break; }
}
let receive = vm.receive();
let after: integer = receive + 1;
receive { after: integer => { } }`;
  const r = parse(src, "t.kl");
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.program.main.body.map((s) => s.kind), ["receive", "let", "let", "receive"]);
  const rs = r.program.main.body[0] as Extract<Stmt, { kind: "receive" }>;
  assert.deepEqual(rs.arms.map((a) => [a.name, a.annot.kind]), [["req", "tuple"], ["down", "named"]]);
  assert.deepEqual(rs.kwSpan, { start: 0, end: 7 });
  assert.deepEqual(rs.arms[0]!.nameSpan, { start: 14, end: 17 });
  assert.equal(rs.arms[0]!.body.stmts.length, 1);
  assert.equal(show(rs.after!.ms), "(50 * n)");
  assert.equal(rs.after!.body.stmts[0]!.kind, "break");
  assert.equal(rs.span.end, src.indexOf("}\nlet") + 1);
  // An arm may be named `after` (a name followed by `:`).
  const last = r.program.main.body[3] as Extract<Stmt, { kind: "receive" }>;
  assert.deepEqual([last.arms.map((a) => a.name), last.after], [["after"], null]);
});

test("receive { }: structural mistakes are reported where they are, and parsing goes on", () => {
  const at = (src: string) => parse(src, "t.kl").diagnostics.map((d) => [d.title, d.labels[0]!.span.start]);
  assert.deepEqual(at("receive { }"), [["a receive with no arms", 0]]);
  assert.deepEqual(at("receive { after 1 => { } n: integer => { } }"), [["an arm after the `after` clause", 25]]);
  assert.deepEqual(at("receive { after 1 => { } after 2 => { } }"), [["a second `after` in one receive", 25]]);
  assert.deepEqual(at("receive { n: integer { } }"), [["expected `=>`, found `{`", 21]]);
  assert.deepEqual(at("receive { n integer => { } }"), [["a receive arm needs a type", 12]]);
  assert.deepEqual(at("receive { 5: integer => { } }"), [["expected an arm of the receive, found an integer", 10]]);
  assert.deepEqual(at("receive { after 5 { } }"), [["expected `=>`, found `{`", 18]]);
  assert.deepEqual(at("receive { n: integer => { }"), [["unclosed receive", 8]]);
  // Each broken arm once, the good ones kept, and the statements after the receive too.
  const r = parse("receive {\n  a integer => { }\n  b: bool => { }\n  c: => { }\n}\nvm.println(1);", "t.kl");
  assert.equal(r.diagnostics.length, 2);
  assert.deepEqual(r.program.main.body.map((s) => s.kind), ["receive", "expr"]);
  assert.deepEqual((r.program.main.body[0] as Extract<Stmt, { kind: "receive" }>).arms.map((a) => a.name), ["b"]);
});

test("every node has a span", () => {
  const r = parse("let x: integer = (1 + f(2))[0];", "t.kl");
  const s = r.program.main.body[0] as Extract<Stmt, { kind: "let" }>;
  assert.deepEqual(s.span, { start: 0, end: 31 });
  assert.deepEqual(s.init!.span, { start: 17, end: 30 });
  assert.deepEqual(s.nameSpan, { start: 4, end: 5 });
});

test("panic-mode recovery: one diagnostic per broken statement, all reported", () => {
  const r = parse("let x: integer = ;\nlet y = 1;\nlet z = * 3;\nif x > 0 { a; b; c }\nvm.println(y);", "t.kl");
  assert.equal(r.diagnostics.length, 3);
  assert.equal(r.program.main.body.length, 2); // y and the println survive
});

test("errors are diagnostics even on hostile input", () => {
  for (const src of ["(".repeat(5000), "{".repeat(5000), "1" + "+1".repeat(5000) + ";", "x" + ".a()".repeat(3000) + ";", "fn", "fn f(", "let", "}}}", "if (", "vm", "vm.x", "else {}", "f(1)(2);"]) {
    const r = parse(src, "t.kl");
    assert.ok(r.diagnostics.length >= 1, src.slice(0, 20));
  }
});

test("deep but legal nesting parses", () => {
  const r = parse("let x: integer = " + "(".repeat(100) + "1" + ")".repeat(100) + ";", "t.kl");
  assert.deepEqual(r.diagnostics, []);
});
