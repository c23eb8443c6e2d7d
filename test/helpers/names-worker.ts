// A registering thread for test/threads-names.test.ts: tries to register every name with its
// own id as the pid, and reports how many it won.
import { parentPort, workerData } from "node:worker_threads";
import { Names } from "../../src/threads/names.js";

const { buffer, id, names } = workerData as { buffer: SharedArrayBuffer; id: number; names: string[] };
const reg = new Names(buffer);
let won = 0;
for (const n of names) if (reg.register(n, id) === "ok") won++;
parentPort!.postMessage(won);
