// A producer thread for test/threads-inbox.test.ts: pushes `count` records, each holding its
// producer id and sequence number (and, for size, some filler), into the target inbox; while
// the target is full it drains its own inbox (if it has one) and counts what it read.
import { parentPort, workerData } from "node:worker_threads";
import { Inbox } from "../../src/threads/inbox.js";

const { target, own, id, count, maxFill } = workerData as { target: SharedArrayBuffer; own: SharedArrayBuffer | null; id: number; count: number; maxFill: number };
const out = new Inbox(target);
const mine = own ? new Inbox(own) : null;
const seen: number[] = [];
const check = (b: Uint8Array, off: number, len: number) => {
  const v = new DataView(b.buffer, b.byteOffset + off, len);
  seen.push(v.getInt32(4, true));
};
const idle = () => {
  mine?.drain(check);
};
const buf = new Uint8Array(8 + maxFill);
const view = new DataView(buf.buffer);
let x = id * 7919;
for (let i = 0; i < count; i++) {
  view.setInt32(0, id, true);
  view.setInt32(4, i, true);
  x = (x * 1103515245 + 12345) >>> 0;
  const fill = maxFill === 0 ? 0 : x % maxFill;
  for (let k = 0; k < fill; k++) buf[8 + k] = (i + k) & 0xff;
  out.push(buf, 8 + fill, idle);
}
// Keep draining our own inbox until the peer says it is done.
if (mine) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    mine.drain(check);
    if (seen.length >= count) break;
    mine.waitSync(5);
  }
}
parentPort!.postMessage({ id, seen: seen.length, ordered: seen.every((v, i) => v === i) });
