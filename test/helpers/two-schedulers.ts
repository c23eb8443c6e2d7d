// A run on two schedulers for the tests of the observer and the REPL's :ps: processes spread
// over both threads from the first spawn (RAFT_SPREAD=1), observed, with the run's location
// table at hand so that a test can check its premise (which scheduler runs which process).

import assert from "node:assert/strict";
import { Raft, type RaftEvent, type RaftOptions } from "../../src/raft.js";
import type { Observer } from "../../src/observe/server.js";
import type { VMCore } from "../../src/vm/vm-core.js";

/**
 * A process `team` that starts a supervisor of its own with two workers (with processes spread
 * from the first spawn, it runs on another scheduler than main, and so does its supervisor),
 * then tells main, which waits for that before it starts two supervisors (one under the
 * other) with three waiting workers each, so that the pids come in one order whichever thread
 * is quicker; then main sleeps. Main registers team as "team" and root's first worker as
 * "first", wherever they run (a register of a process on another scheduler waits for that
 * scheduler's answer). Thirteen processes, two trees: team's (pids 3-5), then root's (6-13).
 */
export const TWO_LEVELS = `
fn worker(n: integer) {
    loop { let m: string = vm.receive(); }
}
fn team(main: process) {
    let s: process = vm.supervisor("rest_for_one", 100, 1000);
    vm.start_child(s, "permanent", worker, 20);
    vm.start_child(s, "transient", worker, 21);
    main.send("ready");
    loop { let m: string = vm.receive(); }
}
vm.register("team", vm.spawn(team, vm.self()));
// Its tree first: the pids come in one order, whichever scheduler is quicker.
let ready: string = vm.receive();
let root: process = vm.supervisor("one_for_one", 100, 1000);
// Registered by main, wherever the worker runs.
vm.register("first", vm.start_child(root, "permanent", worker, 0));
let i: integer = 1;
loop {
    if (i == 3) { break; }
    vm.start_child(root, "permanent", worker, i);
    i++;
}
let sub: process = vm.start_supervisor(root, "one_for_all", 100, 1000);
i = 0;
loop {
    if (i == 3) { break; }
    vm.start_child(sub, "permanent", worker, 10 + i);
    i++;
}
loop { vm.sleep(60000); }
`;

export interface OnTwo {
  raft: Raft;
  obs: Observer;
  vm: VMCore;
  events: RaftEvent[];
  base: string;
  /** The scheduler that runs `pid` now, as the run's location table says (-1: ended). */
  owner(pid: number): number;
  stop(): Promise<void>;
}

/** Runs `src` on two schedulers, its processes spread over both from the first spawn (RAFT_SPREAD=1), observed. */
export async function startOnTwo(src: string, processes: number, opts: RaftOptions = {}): Promise<OnTwo> {
  const events: RaftEvent[] = [];
  const raft = new Raft({ stderr: () => {}, ...opts, schedulers: 2, onEvent: (e) => events.push(e) });
  const obs = await raft.observe();
  const { module } = raft.compile(src, "two.kl");
  assert.ok(module);
  const program = raft.link(module);
  const prev = process.env.RAFT_SPREAD;
  process.env.RAFT_SPREAD = "1";
  let vm: VMCore;
  try {
    vm = await raft.createVM();
  } finally {
    if (prev === undefined) delete process.env.RAFT_SPREAD;
    else process.env.RAFT_SPREAD = prev;
  }
  const done = vm.run(program);
  const owner = (pid: number) => (vm.remote ? vm.remote.shared.loc.owner(pid) : vm.isAlive(pid) ? 0 : -1);
  for (let i = 0; i < 100 && !(vm.remote && vm.remote.shared.loc.live >= processes); i++) await new Promise((res) => setTimeout(res, 50));
  assert.ok(vm.remote, "the run went parallel");
  return {
    raft,
    obs,
    vm,
    events,
    owner,
    base: `http://127.0.0.1:${obs.port}`,
    async stop() {
      vm.cancel("aborted");
      await done;
      await obs.close();
    },
  };
}

