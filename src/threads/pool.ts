// The scheduler threads of this host process: one set, shared by every run of every `Raft`
// in it. Scheduler 0 is the thread the embedder runs on (the CLI's main thread); schedulers
// 1 .. N-1 are worker threads (worker.ts), started only when a run first has more runnable
// work than one scheduler can do, and kept for later runs.
//
// A run that goes parallel (`goParallel`) gets its shared tables (shared-run.ts), a Remote on
// scheduler 0, and one on each worker, which links the same module again from its bytes. From
// then on its processes may be started on any of its schedulers (remote.ts).
//
// Workers hold the host process open only while a run uses them (ref/unref), so a program
// that has ended never waits for idle threads.

import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { inboxBuffer } from "./inbox.js";
import type { Spread } from "./protocol.js";
import { Hub } from "./hub.js";
import { Remote } from "./remote.js";
import { MAX_SCHEDULERS, SharedRun, type SharedRunBuffers } from "./shared-run.js";
import { writeModule } from "../bytecode/module.js";
import type { VMCore } from "../vm/vm-core.js";
import { OPCODES } from "../bytecode/opcodes.js";
import type { Permissions } from "../vm/native-api.js";
import { shareHostTotal } from "../vm/heap.js";
import { DiskStore } from "../vm/jit-cache.js";

/** What a worker needs to take part in a run (sent once, by postMessage). */
export interface RunSetup {
  kind: "run";
  run: number;
  schedulers: number;
  module: Uint8Array;
  buffers: SharedRunBuffers;
  options: WorkerRunOptions;
  /** The functions whose processes live on scheduler 0 (Program.home): a spawn of one from here goes there. */
  home: number[];
}

/** The options of a run that a worker's VM needs: plain data only. */
export interface WorkerRunOptions {
  log: string | undefined;
  maxProcesses: number | undefined;
  maxReductions: number | undefined;
  maxHeap: number | undefined;
  maxMailbox: number | undefined;
  jit: "on" | "off" | "eager" | undefined;
  seed: number | undefined;
  args: string[];
  env: Record<string, string | undefined>;
  permissions: Permissions;
  /** Start time of the run on the shared monotonic clock (vm.time() agrees on every thread). */
  t0: number;
  /** Spread new processes over the schedulers from the start (RAFT_SPREAD; VMOptions.spread). */
  spread: Spread | undefined;
  /** Output goes to file descriptors 1 and 2; otherwise it is sent to scheduler 0 (OUT). */
  directIO: boolean;
  /** Scheduler 0 has an onEvent listener: events elsewhere are sent to it (EVENT). */
  events: boolean;
  /** Natives of the module that run on scheduler 0 only (CALL): the embedder's, and standard input. */
  homeNatives: string[];
  /** The second tier's cache folder (vm/jit-cache.ts), read by the worker too; null when off. */
  jitCache: string | null;
}

/** Built-in natives that only the embedder's thread may run (they use its stdin). */
const HOME_NATIVES = new Set(["vm.get_user_input"]);

/**
 * The natives of `vm`'s module that live on the embedder's thread: those it defined, and
 * those that read its standard input. Other schedulers call them there (remote.ts CALL).
 */
export function homeNatives(vm: VMCore): string[] {
  return vm.program.nativeNames.filter((name) => HOME_NATIVES.has(name) || !vm.builtinNative(name));
}

/** The number of schedulers `auto` means: one per available core. */
export function autoSchedulers(): number {
  return Math.max(1, Math.min(MAX_SCHEDULERS, nodeModule<typeof import("node:os")>("node:os").availableParallelism()));
}

/** A built-in module, loaded when first needed (start-up loads none it may not use). */
function nodeModule<T>(name: string): T {
  return createRequire(import.meta.url)(name) as T;
}

export class Pool {
  private static instance: Pool | null = null;

  /** The host process's pool (made at the first run that needs a second scheduler). */
  static get(): Pool {
    return (Pool.instance ??= new Pool());
  }

  private readonly inboxes: SharedArrayBuffer[] = [];
  private readonly workers: (Worker | null)[] = [null];
  readonly hub: Hub;
  private nextRun = 1;
  private live = 0;

  /** What each thread's processes are charged, in KiB: one host-wide memory ceiling (heap.ts). */
  private readonly hostTotals = new SharedArrayBuffer(4);

  private constructor() {
    for (let i = 0; i < MAX_SCHEDULERS; i++) this.inboxes.push(i === 0 ? inboxBuffer() : (null as unknown as SharedArrayBuffer));
    this.hub = new Hub(0, [this.inboxes[0]]);
    shareHostTotal(this.hostTotals);
  }

  /** Starts worker threads until there are `n` schedulers in all (also ahead of a run going parallel). */
  warm(n: number): void {
    for (let id = this.workers.length; id < n; id++) {
      this.inboxes[id] = inboxBuffer();
      this.hub.addPeer(id, this.inboxes[id]);
      const { Worker } = nodeModule<typeof import("node:worker_threads")>("node:worker_threads");
      const w = new Worker(workerUrl(), { workerData: { id, inboxes: this.inboxes.slice(0, id + 1), hostTotals: this.hostTotals } });
      w.on("message", (m: { kind: "joined"; run: number }) => {
        const key = `${m.run}:${id}`;
        this.joins.get(key)?.();
        this.joins.delete(key);
      });
      w.on("error", (e) => process.stderr.write(`error: internal error in raft: scheduler ${id}: ${e instanceof Error ? e.message : String(e)}\n`));
      // After the listeners: adding a "message" listener refs the worker's port again. An
      // idle worker (started ahead of a run that then did not go parallel) never holds the
      // host process open.
      w.unref();
      // Every earlier worker learns of the new one.
      for (let j = 1; j < id; j++) this.workers[j]!.postMessage({ kind: "peer", id, inbox: this.inboxes[id] });
      this.workers.push(w);
    }
  }

  /**
   * Makes `vm`'s run (on scheduler 0, this thread) a run of `n` schedulers. The processes it
   * has stay here; new ones may start anywhere.
   */
  goParallel(vm: VMCore, n: number, spread: Spread | undefined): Promise<void> {
    this.warm(n);
    const run = this.nextRun++;
    const buffers = SharedRun.buffers(vm.opts.maxProcesses ?? 262_144);
    const shared = new SharedRun(buffers, () => this.hub.poll());
    // A scheduler counts as busy until it has joined and found nothing to do: no share is
    // sent to a thread still starting (it would wait in that inbox, and fill it).
    for (let id = 1; id < n; id++) shared.active(id);
    const remote = new Remote(vm, this.hub, run, shared, n, spread);
    remote.onEnd = () => this.ended();
    vm.becomeShared(remote);
    this.hub.attach(run, remote);
    if (vm.log.debug) vm.log.log("debug", `run ${run} goes parallel on ${n} schedulers (${vm.sched.runnable} runnable)`);
    const o = vm.opts;
    const setup: RunSetup = {
      kind: "run",
      run,
      schedulers: n,
      module: writeModule(vm.program.module),
      buffers,
      home: Array.from(vm.program.home).flatMap((h, f) => (h ? [f] : [])),
      options: {
        log: vm.log.level,
        maxProcesses: o.maxProcesses,
        maxReductions: o.maxReductions,
        maxHeap: o.maxHeap,
        maxMailbox: o.maxMailbox,
        jit: o.jit,
        seed: o.seed,
        args: vm.host.args,
        env: vm.host.permissions.env ? { ...vm.host.env } : {},
        permissions: vm.host.permissions,
        t0: vm.t0Monotonic(),
        spread,
        directIO: o.directIO === true,
        events: o.onEvent !== undefined,
        homeNatives: homeNatives(vm),
        jitCache: vm.program.jitStore instanceof DiskStore ? vm.program.jitStore.dir : null,
      },
    };
    const joined: Promise<void>[] = [];
    for (let id = 1; id < n; id++) {
      const w = this.workers[id]!;
      joined.push(new Promise((ok) => this.joins.set(`${run}:${id}`, ok)));
      w.postMessage(setup);
      w.ref();
    }
    this.live++;
    const t0 = Date.now();
    return Promise.all(joined).then(() => {
      if (vm.log.debug) vm.log.log("debug", `run ${run}: ${n - 1} scheduler threads joined in ${Date.now() - t0} ms`);
    });
  }

  /** Runs waiting for a worker to say it has joined: "run:scheduler". */
  private readonly joins = new Map<string, () => void>();

  /** A parallel run has ended: idle workers no longer keep the host process open. */
  ended(): void {
    if (--this.live === 0) for (const w of this.workers) w?.unref();
  }
}

/**
 * Can this run use other threads? Not with an embedder's own file system or clock, which
 * other threads do not have, nor for a session (the REPL), whose VM lives on between
 * evaluations. The embedder's natives are no obstacle: other schedulers call them on its
 * thread (remote.ts CALL). Supervisors work across threads: a supervisor stays on the
 * scheduler it was started on, its children may live anywhere, and a call from a process
 * elsewhere is a question its scheduler answers (supervisor.ts).
 */
export function canGoParallel(vm: VMCore): boolean {
  if (vm.opts.clock !== undefined || vm.resident !== null || vm.opts.customFs === true) return false;
  const prog = vm.program;
  const code = prog.code;
  for (let pc = 0; pc < code.length; ) {
    const info = OPCODES[code[pc]];
    if (info === undefined) return false;
    pc += 1 + info.operands.length;
  }
  return true;
}

/**
 * A scheduler thread's code: the bundle beside the CLI's (dist/raft-worker.cjs, one file that
 * loads in a fraction of the time of the modules it holds), loaded by bin/raft-worker.js from
 * its V8 code cache; else the module worker.js.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  // In the bundled CLI this module is part of dist/raft-cli.cjs; otherwise it is dist/src/threads/pool.js.
  const dist = here.endsWith(".cjs") ? new URL("./", here) : new URL("../../", here);
  const fs = nodeModule<typeof import("node:fs")>("node:fs");
  const boot = new URL("../bin/raft-worker.js", dist);
  if (fs.existsSync(new URL("./raft-worker.cjs", dist)) && fs.existsSync(boot)) return boot;
  return here.endsWith(".cjs") ? new URL("./src/threads/worker.js", here) : new URL("./worker.js", here);
}
