// The name registry (vm.register, vm.whereis, vm.unregister, vm.registered, p.name()): one
// table of names to live processes. A process holds at most one name (kept on the process as
// `Process.name`), and its name is released when it ends, before any monitor notice of that
// end is delivered (VMCore.exit).
//
// While a run has one scheduler the table is a Map here. Once it has several, the table is
// the run's shared one (threads/names.ts), so register and whereis stay atomic across
// threads; a name whose holder has ended counts as free there too (its scheduler releases it
// as the process ends, and a look-up that finds an ended holder treats the name as free).
// A name is given by the scheduler where its process lives (a register of a process elsewhere
// asks that scheduler: threads/protocol.ts Question.Register), so `Process.name` there is
// always the process's one name and two registers of one process cannot both win.

import type { Process } from "./process.js";
import { pidString } from "./process.js";
import { KError } from "./values.js";
import { C } from "./error-codes.js";
import { MAX_NAME, MAX_NAMES, type Names } from "../threads/names.js";

/** The error value of `vm.register(name, pid)` when `pid` is not alive. */
export function notRegistered(name: string, pid: number): KError {
  return new KError(`cannot register ${JSON.stringify(name)}: ${pidString(pid)} is not alive`, C.noproc);
}

export class Registry {
  private readonly names = new Map<string, number>();
  private shared: Names | null = null;
  private alive: (pid: number) => boolean = () => true;

  /** From now on the run's shared table holds the names (those held now move there). */
  share(table: Names, alive: (pid: number) => boolean): void {
    for (const [name, pid] of this.names) table.register(name, pid);
    this.names.clear();
    this.shared = table;
    this.alive = alive;
  }

  /** Gives `p` (alive, here) the name; an error value when the name or the process is taken. */
  register(name: string, p: Process): KError | null {
    const held = this.heldBy(name);
    if (held) return held;
    if (p.name !== null) {
      // (A name unregistered on another scheduler stays on the process until it looks.)
      if (this.shared === null || this.shared.whereis(p.name) === p.pid) return new KError(`${pidString(p.pid)} is already registered as ${JSON.stringify(p.name)}`, C.already_registered);
      p.name = null;
    }
    const refused = this.claim(name, p.pid);
    if (refused) return refused;
    p.name = name;
    return null;
  }

  /** The error value for a name a live process holds, or null. */
  private heldBy(name: string): KError | null {
    const holder = this.whereis(name);
    return holder === undefined ? null : new KError(`the name ${JSON.stringify(name)} is already registered to ${pidString(holder)}`, C.already_registered);
  }

  /** Enters `name` for `pid` (free, as far as whereis saw); a name held by an ended process is taken over. */
  private claim(name: string, pid: number): KError | null {
    const shared = this.shared;
    if (shared === null) {
      // The shared table's limits, on one scheduler too (threads/names.ts).
      if (name.length > MAX_NAME) return tooLong(name);
      if (this.names.size >= MAX_NAMES) return tooMany();
      this.names.set(name, pid);
      return null;
    }
    for (;;) {
      const r = shared.register(name, pid);
      if (r === "ok") return null;
      if (r === "too_long") return tooLong(name);
      if (r === "full") return tooMany();
      // Taken meanwhile, by another scheduler's process, or held by a process that has ended.
      const holder = shared.whereis(name);
      if (holder !== 0 && this.alive(holder)) return new KError(`the name ${JSON.stringify(name)} is already registered to ${pidString(holder)}`, C.already_registered);
      shared.unregister(name, holder);
    }
  }

  /** The process registered as `name`, or undefined. */
  whereis(name: string): number | undefined {
    const shared = this.shared;
    if (shared === null) return this.names.get(name);
    const pid = shared.whereis(name);
    return pid !== 0 && this.alive(pid) ? pid : undefined;
  }

  /**
   * vm.unregister(name): the name is free again; an error value when no live process holds
   * it. `local` finds the holder if it lives on this scheduler.
   */
  unregister(name: string, local: (pid: number) => Process | undefined): KError | null {
    const pid = this.whereis(name);
    if (pid === undefined) return new KError(`no process is registered as ${JSON.stringify(name)}`, C.not_found);
    if (this.shared !== null) this.shared.unregister(name, pid);
    else this.names.delete(name);
    const p = local(pid);
    if (p !== undefined && p.name === name) p.name = null;
    return null;
  }

  /** What a walk of the shared table costs (reductions), for `nameOf` of a name held elsewhere: 0 on one scheduler. */
  get walkCost(): number {
    return this.shared === null ? 0 : this.shared.slots >>> 6;
  }

  /** The name `pid` holds (`p`: the process, if it lives on this scheduler), or undefined. */
  nameOf(pid: number, p: Process | undefined): string | undefined {
    const shared = this.shared;
    if (shared === null) return p?.name ?? undefined;
    // Here, the process knows its one name (only its own scheduler gives it one); the table
    // may have let go of it since (unregistered elsewhere).
    if (p !== undefined) return p.name !== null && shared.whereis(p.name) === pid ? p.name : undefined;
    // A process of another scheduler: a walk of the table.
    return shared.nameOf(pid) ?? undefined;
  }

  /** Every name a live process holds, by pid (one walk of the table, whatever the number of names). */
  holders(): Map<number, string> {
    const out = new Map<number, string>();
    const shared = this.shared;
    if (shared === null) for (const [name, pid] of this.names) out.set(pid, name);
    else for (const [name, pid] of shared.entries()) if (pid !== 0 && this.alive(pid)) out.set(pid, name);
    return out;
  }

  /** Every name a live process holds, sorted (the same order on any number of schedulers). */
  list(): string[] {
    const shared = this.shared;
    const names = shared === null ? [...this.names.keys()] : shared.list().filter((n) => this.whereis(n) !== undefined);
    return names.sort();
  }

  /** `p` has ended: its name is free again. */
  release(p: Process): void {
    if (p.name === null) return;
    if (this.shared !== null) this.shared.unregister(p.name, p.pid);
    else this.names.delete(p.name);
    p.name = null;
  }

  clear(): void {
    this.names.clear();
  }
}

function tooLong(name: string): KError {
  return new KError(`a registered name is at most ${MAX_NAME} characters (this one has ${name.length})`, C.range);
}

function tooMany(): KError {
  return new KError(`too many registered names (at most ${MAX_NAMES} at once)`, C.system_limit);
}
