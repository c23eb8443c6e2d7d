// Fuzzing the whole pipeline (SECURITY.md, "How it is tested").
//
// Three kinds of case, all seeded with fast-check (a failure prints the seed and the
// shrunk counterexample, and FUZZ_SEED=N reproduces a run):
//   - source: a corpus Kaylee program with random edits (deletions, duplications, inserted
//     tokens and bytes) through the compiler, which must never throw; what compiles is run;
//   - prefix: every prefix of a valid module's bytes through readModule + link + run;
//   - bytes: a valid module with random byte changes through the same; also modules that use
//     extension opcodes and a host type (EXTENSION_ASM), run by a Raft that defines them.
// A run has a small reduction budget, a heap and process cap, no permissions, no stdin and a
// fast virtual clock; it must resolve (exit code 0, 1 or 2, or vm.exit's) within TIME_BOUND
// ms and never reject: any exception escaping `Raft.run` is a bug.
//
// `npm test` runs a few thousand cases (test/fuzz.test.ts); `npm run fuzz` runs this file
// directly: 1,000,000 cases (or FUZZ_CASES), printing progress and the final count.

import fc from "fast-check";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Raft } from "../src/raft.js";
import { compileKaylee } from "../src/lang/compile.js";
import { writeModule } from "../src/bytecode/module.js";

export const TIME_BOUND = 5000;

const EMBEDDED: string[] = [
  `let x: integer = 7;
let s: string = "hi";
fn f(a: integer, b: string) -> integer { return a * 2 + b.length(); }
vm.println(f(x, s));
let v: vector[integer] = [3, 1, 2];
v.sort();
v.push(9);
for item in v { item = item + 1; }
vm.println(v);
let t: (integer, string) = (1, "a");
vm.println(t.1);
if (x > 3 && !(x == 4)) { vm.println("big"); } else { vm.println("small"); }
let n: integer = "12".into(){default: 0};
vm.println(n / 5 % 3);`,
  `let p: pointer = vm.alloc(16);
p.write_integer(123456);
p.offset(4).write_byte(7);
vm.println(p.read_integer());
let s: slice[byte; 4] = p.slice(4);
s[1] = 3;
vm.println(s[1]);
p.claim(64);
p.free();
let x: integer = p.read_integer(){default: -1};
vm.println(x);
vm.println(vm.memory() > 0);`,
  `fn worker(parent: process, n: integer) {
  let m: integer = vm.receive();
  vm.send(parent, m + n);
}
let w: process = vm.spawn(worker, vm.self(), 5);
vm.monitor(w);
w.send(10);
let r: integer = vm.receive();
vm.println(r);
let e: exit = vm.receive();
vm.println(e.reason());
let t: integer = vm.receive(5){default: 0};
vm.println(t);`,
  `fn fact(n: integer) -> integer { if (n <= 1) { return 1; } return n * fact(n - 1); }
let i: integer = 0;
let acc: string = "";
loop {
  if (i >= 10) { break; }
  acc = acc + i.into();
  i++;
  if (i % 2 == 0) { continue; }
}
vm.println(acc);
vm.println(fact(10));
let parts: vector[string] = "a,b,c".split(",");
vm.println(parts.length());
let c: char = 'x';
vm.println(c.is_alpha());
let f: float = 3.5;
vm.println(f * 2.0);
let e: error = vm.error("bad", "code");
if (e is error) { vm.println(e.message()); }`,
  `fn child() { loop { let m: string = vm.receive(); if (m == "stop") { break; } } }
let sup: process = vm.supervisor("one_for_one", 3, 1000);
let c: process = vm.start_child(sup, "permanent", child);
vm.println(vm.which_children(sup).length());
vm.kill(c);
vm.sleep(10);
vm.println(vm.which_children(sup).length());
vm.register("me", vm.self());
let me: process = vm.whereis("me"){panic};
vm.println(me == vm.self());`,
];

const EMBEDDED_ASM: string[] = [
  `fn main locals=2
    PushConst #5
    Store $0
    PushConst #0
    Store $1
  loop:
    Load $0
    JumpIfFalse @done
    Load $1
    Load $0
    Add
    Store $1
    Load $0
    PushConst #1
    Sub
    Store $0
    Jump @loop
  done:
    Load $1
    Copy &100 $1
    Load &100
    Halt
`,
];

/**
 * Programs that use extension opcodes and a host type (defineFuzzExtensions): their modules
 * carry an extension table and type keys that name the host type.
 */
const EXTENSION_ASM: string[] = [
  `fn main locals=2
    PushInt 40
    Store $0
  top:
    Load $0
    PushConst #2147483600
    SatAdd
    Store $1
    Peek &100 16
    Pop
    IncLocal $0 -1
    Load $0
    JumpIfTrue @top
    CallNative #vm.cell_new 0
    Dup
    CallNative #vm.cell_get 1
    PushInt 9
    Probe #3 $1
    Call @f
    Halt

fn f params=1 locals=1
    Load $0
    Self
    Swap
    SendMessage #(integer, cell)
    Pop
    PushInt 0
    ReceiveTimeout #(integer, cell)
    Return
`,
  `.ext Probe operands=const,local pops=1 pushes=1
fn main locals=1
    Self
    SpawnActor @g 0
    Pop
    ReceiveMessage #cell
    CallNative #vm.cell_get 1
    Wide Probe #"x" $0
    Halt

fn g params=1
    Load $0
    CallNative #vm.cell_new 0
    SendMessage #cell
    Return
`,
];

/**
 * The extension opcodes and host type the fuzz corpus's extension programs use: a saturating
 * add, a memory read, an operand probe, and a `cell` with natives that make and read one.
 */
export function defineFuzzExtensions(raft: Raft): void {
  raft.defineOpcode({ name: "SatAdd", operands: [], pops: 2, pushes: 1, exec: ([a, b]) => Math.max(-2147483648, Math.min(2147483647, Number(a) + Number(b))) });
  raft.defineOpcode({ name: "Peek", operands: ["addr", "count"], pops: 0, pushes: 1, exec: (_a, [at, n], ctx) => ctx.memory(at as number, n as number).length });
  raft.defineOpcode({ name: "Probe", operands: ["const", "local"], pops: 1, pushes: 1, exec: (args, ops) => [args[0], ...ops] as unknown[] });
  raft.defineType("cell", { print: (c: { v: number }) => `cell(${c.v})`, size: () => 32, send: "copy", close: () => {} });
  raft.defineNative("cell_new", [], "cell", () => ({ v: 1 }));
  raft.defineNative("cell_get", ["cell"], "integer", (c: { v: number }) => c.v);
}

function walkFiles(dir: string, ext: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    try {
      if (statSync(p).isDirectory()) walkFiles(p, ext, out);
      else if (n.endsWith(ext)) out.push(readFileSync(p, "utf8"));
    } catch {
      // unreadable: skip
    }
  }
}

export interface Corpus {
  sources: string[];
  modules: Uint8Array[];
  /** Modules with extension opcodes and host types (run by a Raft that defines them). */
  extModules: Uint8Array[];
}

/** Embedded programs plus the suite's own test programs (which compile). */
export function loadCorpus(): Corpus {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, "..", "..");
  const files: string[] = [];
  walkFiles(join(root, "test", "programs"), ".kl", files);
  // Programs that wait on real time (sleeps, receive timeouts, supervisor grace times) would
  // make every case wait too: the corpus keeps the ones that run on the CPU alone.
  const waits = /vm\.sleep|receive\(\s*\w|supervisor|start_child|\/\/ stdin:|\/\/ timeout:/;
  const sources = [...EMBEDDED, ...files].filter((s) => !waits.test(s) && s.length < 4000);
  const modules: Uint8Array[] = [];
  const raft = new Raft();
  for (const s of sources) {
    const c = raft.compile(s, "corpus.kl");
    if (c.module) modules.push(writeModule(c.module));
  }
  const asm: string[] = [...EMBEDDED_ASM];
  walkFiles(join(root, "test", "programs"), ".raft", asm);
  for (const s of asm) {
    const c = raft.assemble(s, "corpus.raft");
    if (c.module) modules.push(writeModule(c.module));
  }
  defineFuzzExtensions(raft);
  const extModules = EXTENSION_ASM.map((s) => {
    const c = raft.assemble(s, "corpus.raft");
    if (!c.module) throw new Error(`fuzz corpus: ${c.diagnostics.map((d) => d.title).join("; ")}`);
    return writeModule(c.module);
  });
  return { sources, modules, extModules };
}

let runs = 0;

/**
 * Runs a program or module under the fuzz limits; throws if it escapes or overstays.
 * Runs alternate between the interpreter alone and every function compiled (the second tier).
 */
export async function guardedRun(input: string | Uint8Array): Promise<number> {
  const t0 = performance.now();
  const raft = new Raft({
    jit: runs++ % 2 === 0 ? "off" : "eager",
    stdout: () => {},
    stderr: () => {},
    log: "error",
    maxReductions: 20_000,
    maxHeap: 4 << 20,
    maxProcesses: 64,
    readLine: async () => null,
    clock: () => (performance.now() - t0) * 1000,
    seed: 1,
  });
  defineFuzzExtensions(raft);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overstay = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not end within ${TIME_BOUND} ms`)), TIME_BOUND);
  });
  try {
    const r = await Promise.race([raft.run(input, typeof input === "string" ? { file: "fuzz.kl", kind: "kaylee" } : { file: "fuzz.rbc", kind: "module" }), overstay]);
    if (!Number.isInteger(r.exitCode)) throw new Error(`bad exit code ${r.exitCode}`);
    return r.exitCode;
  } finally {
    clearTimeout(timer);
  }
}

const TOKENS = ["{", "}", "(", ")", ";", "let", "fn", "loop", "break;", "return", "vm.spawn(", "vm.receive()", "x", "0", "-1", "2147483647", "\"", "'", "/*", "//", "[", "]", ".", ",", "+", "**", "is error", "{default: 0}", "{panic}", "pointer", "slice[byte; 2]", "\u{1F600}", "\\u{", "\n", "vm.alloc(4)", ".free()", "integer", "string"];

type Edit = { kind: number; pos: number; len: number; tok: number; byte: number };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.nat(4),
  pos: fc.nat(),
  len: fc.nat(12),
  tok: fc.nat(TOKENS.length - 1),
  byte: fc.integer({ min: 0, max: 0x7f }),
});

export function mutateSource(src: string, edits: Edit[]): string {
  let s = src;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.pos % (s.length + 1);
    switch (e.kind) {
      case 0:
        s = s.slice(0, at) + s.slice(at + e.len);
        break;
      case 1:
        s = s.slice(0, at) + TOKENS[e.tok] + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + String.fromCharCode(e.byte) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + e.len * 4) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + s.slice(at + e.len, at + 2 * e.len) + s.slice(at, at + e.len) + s.slice(at + 2 * e.len);
    }
  }
  return s;
}

export function sourceProperty(corpus: Corpus, run: boolean) {
  return fc.asyncProperty(fc.nat(corpus.sources.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), async (i, edits) => {
    const src = mutateSource(corpus.sources[i], edits);
    const c = compileKaylee(src, "fuzz.kl");
    if (c.module && run) await guardedRun(writeModule(c.module));
  });
}

type ByteEdit = { pos: number; byte: number; kind: number };
const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({ pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.nat(3) });

export function mutateBytes(bytes: Uint8Array, edits: ByteEdit[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const e of edits) {
    const at = e.pos % Math.max(1, b.length);
    if (e.kind === 0 && b.length > 0) b[at] = e.byte;
    else if (e.kind === 1 && b.length > 0) b[at] ^= 1 << (e.byte & 7);
    else if (e.kind === 2) b = Uint8Array.from([...b.subarray(0, at), e.byte, ...b.subarray(at)]);
    else b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + (e.byte & 3))]);
  }
  return b;
}

export function bytesProperty(corpus: Corpus, modules: Uint8Array[] = corpus.modules) {
  return fc.asyncProperty(fc.nat(modules.length - 1), fc.array(byteEdit, { minLength: 1, maxLength: 3 }), async (i, edits) => {
    await guardedRun(mutateBytes(modules[i], edits));
  });
}

/** Every prefix of module `m` (strict prefixes; each must be refused or run cleanly). */
export async function prefixCases(m: Uint8Array, step = 1): Promise<number> {
  let n = 0;
  for (let k = 0; k < m.length; k += step) {
    await guardedRun(m.subarray(0, k));
    n++;
  }
  return n;
}

async function main(): Promise<void> {
  const total = Number(process.env.FUZZ_CASES ?? 1_000_000);
  const seed0 = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
  const corpus = loadCorpus();
  console.log(`fuzz: ${total} cases, seed ${seed0}, corpus ${corpus.sources.length} sources, ${corpus.modules.length} modules`);
  let done = 0;
  let failures = 0;
  const t0 = Date.now();
  // Prefixes of every module first.
  for (const m of [...corpus.modules, ...corpus.extModules]) {
    if (done >= total) break;
    done += await prefixCases(m);
  }
  const batch = 2000;
  let round = 0;
  while (done < total) {
    const seed = seed0 + round++;
    const n = Math.min(batch, total - done);
    const kinds: [string, fc.IAsyncProperty<any>, number][] = [
      ["compile", sourceProperty(corpus, false), Math.ceil(n * 0.4)],
      ["source+run", sourceProperty(corpus, true), Math.ceil(n * 0.2)],
      ["bytes+run", bytesProperty(corpus), n - Math.ceil(n * 0.4) - Math.ceil(n * 0.2) - Math.ceil(n * 0.05)],
      ["extensions", bytesProperty(corpus, corpus.extModules), Math.ceil(n * 0.05)],
    ];
    for (const [name, prop, runs] of kinds) {
      if (runs <= 0) continue;
      try {
        await fc.assert(prop, { seed, numRuns: runs, endOnFailure: true });
      } catch (e) {
        failures++;
        console.log(`FAILURE (${name}, seed ${seed}, numRuns ${runs}):\n${e instanceof Error ? e.message : String(e)}`);
      }
      done += runs;
    }
    if (round % 10 === 0 || done >= total) console.log(`fuzz: ${done} cases, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`fuzz: done: ${done} cases, ${failures} failures`);
  process.exit(failures > 0 ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
