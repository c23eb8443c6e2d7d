// Linear memory: the block allocator (a model-based property test: blocks never overlap,
// contents survive claim, freed blocks stay freed), pointers and slices from Kaylee, and
// heap accounting (vm.memory).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Block, LinearMemory, Pointer, ptrReadInt, ptrWriteInt, ptrReadByte, ptrWriteByte, ptrSlice, sliceGet } from "../src/vm/memory.js";
import { Fault } from "../src/vm/values.js";
import { Raft, type RaftOptions } from "../src/raft.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20240603);

function faultCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof Fault) return e.error.code;
    throw e;
  }
  return "none";
}

type Cmd = { op: "alloc"; n: number } | { op: "free"; i: number } | { op: "claim"; i: number; n: number } | { op: "write"; i: number; v: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant("alloc" as const), n: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 40000 })) }),
  fc.record({ op: fc.constant("free" as const), i: fc.nat(50) }),
  fc.record({ op: fc.constant("claim" as const), i: fc.nat(50), n: fc.integer({ min: 0, max: 30000 }) }),
  fc.record({ op: fc.constant("write" as const), i: fc.nat(50), v: fc.integer({ min: 0, max: 255 }) }),
);

test("allocator: blocks never overlap, contents survive claim, freed stays freed (model)", () => {
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
      const m = new LinearMemory(1 << 20);
      const blocks: { b: Block; data: number[] }[] = [];
      for (const c of cmds) {
        if (c.op === "alloc") {
          const b = m.alloc(c.n);
          blocks.push({ b, data: new Array(c.n).fill(0) });
        } else if (blocks.length > 0) {
          const e = blocks[c.i % blocks.length];
          if (c.op === "free") {
            if (e.b.live) m.freeBlock(e.b);
            else assert.equal(faultCode(() => m.freeBlock(e.b)), "double_free");
          } else if (c.op === "claim") {
            if (!e.b.live) assert.equal(faultCode(() => m.claim(e.b, c.n)), "use_after_free");
            else {
              m.claim(e.b, c.n);
              while (e.data.length < c.n) e.data.push(0);
            }
          } else {
            const p = new Pointer(e.b, e.data.length - 1);
            if (!e.b.live) assert.equal(faultCode(() => ptrWriteByte(p, c.v)), "use_after_free");
            else if (e.data.length === 0) assert.equal(faultCode(() => ptrWriteByte(p, c.v)), "out_of_bounds");
            else {
              ptrWriteByte(p, c.v);
              e.data[e.data.length - 1] = c.v;
            }
          }
        }
        // Invariants: live blocks are disjoint and inside memory; their bytes match the model.
        const live = blocks.filter((e) => e.b.live).sort((a, b) => a.b.start - b.b.start);
        for (let k = 0; k < live.length; k++) {
          const b = live[k].b;
          assert.ok(b.start >= 0 && b.start + b.size <= m.bytes.length);
          if (k > 0) assert.ok(live[k - 1].b.start + Math.max(live[k - 1].b.size, 1) <= b.start, "overlap");
          for (let j = 0; j < b.size; j++) assert.equal(m.bytes[b.start + j], live[k].data[j]);
        }
        assert.equal(m.count, live.length);
      }
    }),
    { seed: SEED, numRuns: 150 },
  );
});

test("allocator: freed space is reused and coalesced", () => {
  const m = new LinearMemory();
  const a = m.alloc(1000);
  const b = m.alloc(1000);
  const c = m.alloc(1000);
  m.freeBlock(a);
  m.freeBlock(b);
  const d = m.alloc(2000);
  assert.equal(d.start, a.start);
  m.freeBlock(c);
  m.freeBlock(d);
  assert.deepEqual(m.free, [0, m.bytes.length]);
});

test("allocator: grows past 64 KiB and refuses past its cap", () => {
  const m = new LinearMemory(256 * 1024);
  const a = m.alloc(100_000);
  assert.ok(m.bytes.length >= 100_000);
  assert.equal(faultCode(() => m.alloc(300_000)), "heap_limit");
  m.claim(a, 200_000);
  assert.equal(a.size, 200_000);
  assert.equal(faultCode(() => m.claim(a, 10_000_000)), "heap_limit");
  assert.equal(faultCode(() => m.alloc(-1)), "range");
});

test("pointers: little-endian i32, bounds and liveness", () => {
  const m = new LinearMemory();
  const b = m.alloc(8);
  const p = new Pointer(b, 0);
  ptrWriteInt(p, -2);
  assert.equal(ptrReadInt(p), -2);
  assert.equal(ptrReadByte(p), 0xfe);
  assert.equal(ptrReadByte(new Pointer(b, 3)), 0xff);
  ptrWriteInt(new Pointer(b, 4), 0x01020304);
  assert.equal(ptrReadByte(new Pointer(b, 4)), 4);
  assert.equal(faultCode(() => ptrReadInt(new Pointer(b, 5))), "out_of_bounds");
  assert.equal(faultCode(() => ptrReadInt(new Pointer(b, -1))), "out_of_bounds");
  const s = ptrSlice(new Pointer(b, 4), 4);
  assert.equal(sliceGet(s, 3), 1);
  assert.equal(faultCode(() => sliceGet(s, 4)), "index_out_of_range");
  assert.equal(faultCode(() => ptrSlice(new Pointer(b, 4), 5)), "out_of_bounds");
  m.freeBlock(b);
  assert.equal(faultCode(() => ptrReadInt(p)), "use_after_free");
  assert.equal(faultCode(() => sliceGet(s, 0)), "use_after_free");
  // A new block in the same place is not reachable through the old pointer.
  const b2 = m.alloc(8);
  assert.equal(b2.start, b.start);
  assert.equal(faultCode(() => ptrReadInt(p)), "use_after_free");
});

async function run(src: string, opts: RaftOptions = {}): Promise<{ out: string; err: string; exitCode: number }> {
  let out = "";
  let err = "";
  const raft = new Raft({ stdout: (s) => (out += s), stderr: (s) => (err += s), log: "error", ...opts });
  const r = await raft.run(src, { file: "memory.kl" });
  if (r.diagnostics.length) err += raft.render(r.diagnostics, src);
  if (r.panic) err += `panic: ${r.panic.message}\n`;
  return { out, err, exitCode: r.exitCode };
}

test("Kaylee: claim keeps contents and pointers valid when the block moves", async () => {
  const r = await run(`
let p: pointer = vm.alloc(8);
let q: pointer = vm.alloc(8);
p.write_integer(77);
p.offset(4).write_integer(-5);
p.claim(100000);
p.offset(99996).write_integer(3);
vm.println(p.read_integer());
vm.println(p.offset(4).read_integer());
vm.println(p.offset(99996).read_integer());
q.write_integer(1);
vm.println(q.read_integer());
`);
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "77\n-5\n3\n1\n");
});

test("Kaylee: slices read and write the block", async () => {
  const r = await run(`
let p: pointer = vm.alloc(4);
let s: slice[byte; 4] = p.slice(4);
s[0] = 1;
s[3] = 2;
vm.println(p.read_integer());
vm.println(s);
vm.println(s.length());
let t: integer = s[4]{default: 9};
`);
  assert.equal(r.exitCode, 2, "s[4] is a compile-time range error");
  const r2 = await run(`
let p: pointer = vm.alloc(4);
let s: slice[byte; 4] = p.slice(4);
s[0] = 1;
s[3] = 2;
vm.println(p.read_integer());
vm.println(s);
vm.println(s.length());
`);
  assert.equal(r2.exitCode, 0, r2.err);
  assert.equal(r2.out, "33554433\n[1, 0, 0, 2]\n4\n");
});

test("Kaylee: vm.memory grows with live data and falls back when it is dropped", async () => {
  const r = await run(`
fn build() -> integer {
  let v: vector[integer] = [];
  let i: integer = 0;
  loop { if (i == 10000) { break; } v.push(i); i++; }
  return vm.memory();
}
let a: integer = vm.memory();
let b: integer = build();
let c: integer = vm.memory();
vm.println(b > a + 50000);
vm.println(c < b);
let p: pointer = vm.alloc(4096);
vm.println(vm.memory() >= c + 4096);
`);
  assert.equal(r.exitCode, 0, r.err);
  assert.equal(r.out, "true\ntrue\ntrue\n");
});
