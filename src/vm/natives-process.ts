// The process natives of SPEC §3 that are not opcodes of their own: links, monitors,
// trapping exits, kill, the name registry, liveness, sleep, `vm.memory`, and introspection
// (`p.status()` ..., `vm.processes()`, `vm.registered()`: read through introspect.ts); calls,
// refs and timers are servers.ts's. They reach the VM through the system context (`SysCtx`)
// every native call receives.

import type { NativeFn } from "./native-api.js";
import type { SysCtx } from "./vm-core.js";
import { KError } from "./values.js";
import { C } from "./error-codes.js";
import { pidArg, pidString } from "./process.js";
import { Question } from "../threads/protocol.js";
import { allProcesses, askAbout, nameOfProcess, registeredNames } from "./introspect.js";
import { notRegistered } from "./registry.js";

const sys = (f: (c: SysCtx, a: unknown[]) => unknown): NativeFn => (ctx, a) => f(ctx as SysCtx, a);

export const PROCESS_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>([
  ["vm.self", sys((c) => c.proc.pid)],
  ["process.alive", sys((c, a) => c.vm.aliveFrom(pidArg(a[0])))],
  [
    "vm.link",
    sys((c, a) => {
      const to = pidArg(a[0]);
      return c.vm.signals.link(c.proc.pid, to) ? null : new KError(`link: ${pidString(to)} is not alive`, C.noproc);
    }),
  ],
  ["vm.unlink", sys((c, a) => (c.vm.signals.unlink(c.proc.pid, pidArg(a[0])), null))],
  ["vm.trap_exits", sys((c, a) => ((c.proc.trapExits = a[0] === true), null))],
  ["vm.monitor", sys((c, a) => c.vm.signals.monitor(c.proc.pid, pidArg(a[0])))],
  [
    "vm.kill",
    sys((c, a) => {
      const reason = a.length > 1 ? String(a[1]) : "kill";
      const target = pidArg(a[0]);
      c.vm.log.log("info", `kill ${pidString(target)} by ${pidString(c.proc.pid)}${reason === "kill" ? "" : ` (${JSON.stringify(reason)})`}`);
      c.vm.signals.send(c.proc.pid, target, reason);
      return null;
    }),
  ],
  [
    "vm.register",
    sys((c, a) => {
      const name = String(a[0]);
      const pid = pidArg(a[1]);
      const p = c.vm.procs.get(pid);
      if (p) return c.vm.registry.register(name, p);
      // Its own scheduler gives it the name (the caller waits for the answer).
      return c.vm.remote?.ask(pid, Question.Register, name) ?? notRegistered(name, pid);
    }),
  ],
  [
    "vm.whereis",
    sys((c, a) => {
      const pid = c.vm.registry.whereis(String(a[0]));
      return pid === undefined ? new KError(`no process is registered as ${JSON.stringify(a[0])}`, C.not_found) : pid;
    }),
  ],
  [
    "vm.unregister",
    sys((c, a) => c.vm.registry.unregister(String(a[0]), (pid) => c.vm.procs.get(pid))),
  ],
  ["vm.registered", sys((c) => registeredNames(c.vm))],
  ["vm.processes", sys((c) => allProcesses(c.vm))],
  ["vm.sleep", sys((c, a) => c.vm.sched.sleep(c.proc, a[0] as number))],
  // Introspection: answered here, or by the scheduler the process lives on (the caller parks).
  ["process.status", question(Question.Status)],
  ["process.mailbox_length", question(Question.MailboxLength)],
  ["process.memory", question(Question.Memory)],
  ["process.reductions", question(Question.Reductions)],
  ["process.links", question(Question.Links)],
  ["process.monitors", question(Question.Monitors)],
  ["process.current_function", question(Question.CurrentFunction)],
  ["process.name", sys((c, a) => nameOfProcess(c.vm, pidArg(a[0])))],
]);

function question(q: Question): NativeFn {
  return sys((c, a) => askAbout(c.vm, pidArg(a[0]), q));
}
