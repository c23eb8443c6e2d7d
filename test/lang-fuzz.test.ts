// Property tests: the front end never throws on any input and always answers with either a
// program or at least one error diagnostic. Inputs: random text, random token soup, and
// mutations (deletions, insertions, swaps) of real Kaylee programs. Kept to a few seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileFrontEnd } from "../src/lang/checker.js";
import { renderDiagnostics } from "../src/diag/render.js";

const SEEDS = [
  `vm.println("Welcome!");
let answer: integer = vm.random_number(1, 10);
loop {
    let input: string = vm.get_user_input().clean();
    let guess: integer = input.into();
    if (guess is error) { vm.println(guess.message()); continue; }
    if (!guess > 0 || !guess < 11) { continue; }
    if (guess == answer) { vm.exit(); } else { vm.println("no"); }
}`,
  `fn fib(n: integer) -> integer {
    if (n < 2) { return n; }
    return fib(n - 1) + fib(n - 2);
}
let v: vector[integer] = [1, 2, 3];
for x in v { x = x * 10; }
let t: (string, integer) = ("age", 42);
vm.println(t.1 + fib(v[0]));`,
  `fn worker(parent: process, n: integer) {
    let x: integer = vm.receive();
    vm.send(parent, x * n);
}
let w: process = vm.spawn(worker, vm.self(), 3);
let m: integer = vm.receive(50){default: -1};
let c: string = vm.read_file("/x"){message: "no"}.trim();
let p: pointer = vm.alloc(16);
p.offset(4).write_byte(7);
let s: slice[byte; 4] = p.slice(4);`,
  `fn serve(boss: process) -> integer {
    let n: integer = 0;
    loop {
        receive {
            req: (process, string) => { vm.send(req.0, "pong"); n++; }
            down: exit => { break; }
            after n * 10 => { continue; }
        }
    }
    receive { k: integer => { return k; } after 0 => { return n; } }
}`,
];

const TOKENS = ["let", "fn", "if", "else", "loop", "for", "in", "return", "break", "continue", "vm", ".", "(", ")", "{", "}", "[", "]", ";", ",", ":", "=", "+", "-", "*", "**", "!", "==", "<", "&&", "||", "is", "error", "x", "y", "f", "integer", "string", "vector", "1", "2.5", '"s"', "'c'", "->", "{panic}", "{default: 1}", "println", "into", "push", "receive", "after", "=>", "\n"];

function checkTotal(src: string): void {
  let r;
  try {
    r = compileFrontEnd(src, "fuzz.kl");
  } catch (e) {
    assert.fail(`compileFrontEnd threw on ${JSON.stringify(src.slice(0, 200))}: ${String(e)}`);
  }
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.ok(r.program !== null || errors.length > 0, `no program and no error for ${JSON.stringify(src.slice(0, 200))}`);
  assert.ok(r.program === null || errors.length === 0);
  // rendering never throws either
  renderDiagnostics(r.diagnostics, src);
}

test("random text never throws", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), checkTotal), { numRuns: 300, seed: 1 });
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 100 }), checkTotal), { numRuns: 150, seed: 2 });
});

test("token soup never throws", () => {
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(" "));
  fc.assert(fc.property(soup, checkTotal), { numRuns: 400, seed: 3 });
});

test("mutated programs never throw", () => {
  const mutation = fc.record({
    seed: fc.nat(SEEDS.length - 1),
    ops: fc.array(
      fc.record({ kind: fc.constantFrom("delete", "insert", "dup"), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }), text: fc.constantFrom(...TOKENS) }),
      { minLength: 1, maxLength: 4 },
    ),
  });
  fc.assert(
    fc.property(mutation, ({ seed, ops }) => {
      let s = SEEDS[seed]!;
      for (const op of ops) {
        const at = op.at % (s.length + 1);
        if (op.kind === "delete") s = s.slice(0, at) + s.slice(at + op.len);
        else if (op.kind === "insert") s = s.slice(0, at) + op.text + s.slice(at);
        else s = s.slice(0, at) + s.slice(at, at + op.len) + s.slice(at);
      }
      checkTotal(s);
    }),
    { numRuns: 400, seed: 4 },
  );
});

test("the unmutated seeds compile", () => {
  for (const s of SEEDS) assert.ok(compileFrontEnd(s, "seed.kl").program, s.slice(0, 40));
});

test("pathological sizes stay diagnostics", () => {
  for (const src of ["(".repeat(20000), "[".repeat(20000), "-".repeat(20000) + "1;", "let x = " + "1 + ".repeat(20000) + "1;", "if (true) {} " + "else if (true) {} ".repeat(5000), "!".repeat(20000) + "true;"]) checkTotal(src);
});
