// A scheduler thread (worker_threads): scheduler 1, 2, ... of the host process's pool.
//
// It learns of a run by postMessage (the module's bytes, the run's shared buffers and its
// options: pool.ts), links the module itself — every thread has the same built-in natives —
// and makes a VM for it with no main process: the run's processes come to it as SPAWN records
// (remote.ts), and the records of every run arrive in this thread's one inbox (hub.ts).
// Output goes straight to file descriptors 1 and 2 when the run's host writes there (the
// CLI), so what a process prints is written before the process goes on; for an embedder that
// takes output itself it goes to scheduler 0 as OUT records, in order. Natives the embedder
// defined run on its thread: a call from here is a CALL there, and the caller parks.

import { parentPort, workerData } from "node:worker_threads";
import { writeAll } from "../vm/fd-write.js";
import { Hub } from "./hub.js";
import { Remote } from "./remote.js";
import { SharedRun } from "./shared-run.js";
import type { RunSetup } from "./pool.js";
import { readModule } from "../bytecode/module.js";
import { link } from "../vm/program.js";
import { attachStore } from "../vm/jit-cache.js";
import { remoteOpcode } from "../vm/ext-opcodes.js";
import { Natives } from "../vm/natives.js";
import { VMCore, type SysCtx } from "../vm/vm-core.js";
import { heapRoom, shareHostTotal } from "../vm/heap.js";
import { OutTo } from "./protocol.js";
import type { NativeTable } from "../vm/program.js";
import { Logger } from "../vm/log.js";
import { makeRandom } from "../vm/random.js";
import { installSupervisors } from "../vm/supervisor.js";
import type { Host, NativeFn } from "../vm/native-api.js";
import { nodeFs } from "../vm/node-fs.js";

const { id, inboxes, hostTotals } = workerData as { id: number; inboxes: SharedArrayBuffer[]; hostTotals: SharedArrayBuffer };
shareHostTotal(hostTotals); // one memory ceiling for every thread (heap.ts)
const hub = new Hub(id, inboxes);
const natives = new Natives();

parentPort!.on("message", (m: RunSetup | { kind: "peer"; id: number; inbox: SharedArrayBuffer }) => {
  if (m.kind === "peer") hub.addPeer(m.id, m.inbox);
  else join(m);
});

function join(setup: RunSetup): void {
  const o = setup.options;
  // The embedder's natives (and standard input) live on its thread: a call goes there.
  const home = new Set(o.homeNatives);
  const table: NativeTable = { lookup: (name) => (home.has(name) ? callHome(name) : natives.lookup(name)) };
  // Extension opcodes and host types are the embedder's, on its thread: processes that use
  // them stay there (setup.home), so here they are stand-ins that are never run.
  const module = readModule(setup.module);
  const stand = new Map((module.exts ?? []).map((d) => [d.name.toLowerCase(), remoteOpcode(d)]));
  const program = link(module, table, { opcode: (name) => stand.get(name.toLowerCase()), hostType: () => true, hostNative: () => false });
  program.home = new Uint8Array(program.home.length);
  for (const f of setup.home) program.home[f] = 1;
  // The cache across runs, read only: what scheduler 0 compiled before, this thread need not generate again.
  const store = attachStore(program, o.jitCache, false);
  // Output goes to the file descriptors, or to scheduler 0 for an embedder that takes it.
  let remote: Remote | null = null;
  const out = (to: OutTo) => (o.directIO ? (s: string) => writeFd(to === OutTo.Stdout ? 1 : 2, s) : (s: string) => remote?.output(to, s));
  const host: Host = {
    stdout: out(OutTo.Stdout),
    stderr: out(OutTo.Stderr),
    readLine: async () => null,
    args: o.args,
    permissions: o.permissions,
    env: o.env,
    fs: nodeFs,
  };
  const vm = new VMCore({
    host,
    logger: new Logger(o.log, out(OutTo.Log)),
    random: makeRandom(o.seed),
    maxProcesses: o.maxProcesses,
    maxReductions: o.maxReductions,
    maxHeap: o.maxHeap,
    maxMailbox: o.maxMailbox,
    jit: o.jit,
    seed: o.seed,
    t0: o.t0,
    onEvent: o.events ? (e) => remote?.event(e) : undefined,
  });
  installSupervisors(vm);
  if (store && vm.log.debug) store.log = (text) => vm.log.log("debug", text);
  vm.program = program;
  const shared = new SharedRun(setup.buffers, () => hub.poll());
  remote = new Remote(vm, hub, setup.run, shared, setup.schedulers, o.spread);
  vm.remote = remote;
  vm.registry.share(shared.names, (pid) => vm.isAlive(pid));
  hub.attach(setup.run, remote);
  vm.sched.schedule();
  parentPort!.postMessage({ kind: "joined", run: setup.run });
}

/** A native that runs on the embedder's thread: the caller parks until it has answered. */
function callHome(name: string): NativeFn {
  return (ctx, args) => {
    const { vm, proc } = ctx as SysCtx;
    return vm.remote!.callHome(name, proc, args, heapRoom(vm, proc));
  };
}

/** Output straight to the file descriptor; a closed pipe is scheduler 0's to act on. */
function writeFd(fd: number, s: string): void {
  writeAll(fd, s, () => {});
}
