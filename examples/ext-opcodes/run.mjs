// Extension opcodes (docs/embedding.md): defines Crc32 and SatAdd, then runs checksum.raft,
// which uses them by name. Run with `npm run build && node examples/ext-opcodes/run.mjs`.
import { readFileSync } from "node:fs";
import { Raft } from "raft-vm";

const raft = new Raft();

// The CRC-32 (IEEE 802.3) table, made once.
const TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

raft.defineOpcode({
  name: "Crc32",
  operands: ["addr", "count"],
  pops: 0,
  pushes: 1,
  doc: "push the CRC-32 of the N bytes of linear memory at &ADDR, as an i32",
  exec(_args, [address, length], ctx) {
    const bytes = ctx.memory(address, length); // bounds-checked: outside memory it is a fault
    ctx.charge(bytes.length >>> 4); // work in proportion to the data
    let c = -1;
    for (const b of bytes) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return ~c | 0;
  },
});

raft.defineOpcode({
  name: "SatAdd",
  operands: [],
  pops: 2,
  pushes: 1,
  doc: "a + b clamped to the i32 range",
  exec([a, b]) {
    if (typeof a !== "number" || typeof b !== "number") throw new Error("SatAdd adds integers");
    return Math.max(-2147483648, Math.min(2147483647, a + b));
  },
});

const file = new URL("./checksum.raft", import.meta.url);
const r = await raft.run(readFileSync(file, "utf8"), { file: "checksum.raft" });
if (r.exitCode !== 0) {
  console.error(r.diagnostics.map((d) => d.title).join("\n") || r.panic?.message);
  process.exit(r.exitCode);
}
const [crc, worker, sum] = r.leftover;
const hex = (n) => (n >>> 0).toString(16).padStart(8, "0");
console.log(`crc32("123456789") = ${hex(crc)}`);
console.log(`crc32("Raft") from a worker process = ${hex(worker)}`);
console.log(`saturating sum = ${sum}`);
