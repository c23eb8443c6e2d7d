// A sender thread for test/threads-locations.test.ts: pins a pid again and again, and while it
// holds the pin counts itself in `inside` (so the mover can check no one is inside a hand-over).
import { parentPort, workerData } from "node:worker_threads";
import { Locations } from "../../src/threads/locations.js";

const { buffer, inside, pid, rounds } = workerData as { buffer: SharedArrayBuffer; inside: SharedArrayBuffer; pid: number; rounds: number };
const loc = new Locations(buffer);
const flag = new Int32Array(inside);
const owners = [0, 0, 0];
for (let i = 0; i < rounds; i++) {
  const at = loc.pin(pid, () => {});
  if (at < 0) break;
  Atomics.add(flag, 0, 1);
  owners[loc.pinnedOwner(at)]++;
  Atomics.sub(flag, 0, 1);
  loc.unpin(at);
}
parentPort!.postMessage(owners);
