// A scheduler thread's side of moving a process, for test/threads-process-state.test.ts: reads
// each process record it is given (bytes by postMessage, or a range of a SharedArrayBuffer),
// checks its pointers work on this thread, writes it again and sends the bytes back.
import { parentPort } from "node:worker_threads";
import { Reader, Writer } from "../../src/threads/codec.js";
import { readProcess, writeProcess } from "../../src/threads/process-state.js";
import { LinearMemory, Pointer, Slice } from "../../src/vm/memory.js";

type Job = { bytes: Uint8Array } | { shared: SharedArrayBuffer; len: number };

const w = new Writer();
const r = new Reader();
parentPort!.on("message", (job: Job | "stop") => {
  if (job === "stop") return parentPort!.close();
  const bytes = "bytes" in job ? job.bytes : new Uint8Array(job.shared);
  const len = "bytes" in job ? job.bytes.length : job.len;
  const p = readProcess(r.on(bytes, 0, len));
  // Pointers on the stack refer to this thread's copy of the memory.
  let own = 0;
  for (let i = 0; i < p.sp; i++) {
    const v = p.stack[i];
    if ((v instanceof Pointer || v instanceof Slice) && v.block.mem === p.memory && p.memory instanceof LinearMemory) own++;
  }
  writeProcess(w.reset(), p);
  const out = w.bytes.slice(0, w.len);
  if ("bytes" in job) parentPort!.postMessage({ bytes: out, own, done: r.pos === len }, [out.buffer]);
  else {
    const back = new Uint8Array(job.shared);
    back.set(out);
    parentPort!.postMessage({ len: out.length, own, done: r.pos === len });
  }
});
