// The name registry (vm.register, vm.whereis): one table of names to live processes. A
// process holds at most one name (kept on the process as `Process.name`), and its name is
// released when it ends, before any monitor notice of that end is delivered (VMCore.exit).
// With several schedulers this is the one table they all share, so register and whereis
// stay atomic.

import type { Process } from "./process.js";
import { pidString } from "./process.js";
import { KError } from "./values.js";
import { C } from "./error-codes.js";

export class Registry {
  private readonly names = new Map<string, number>();

  /** Gives `p` (alive) the name; an error value when the name or the process is taken. */
  register(name: string, p: Process): KError | null {
    const holder = this.names.get(name);
    if (holder !== undefined) return new KError(`the name ${JSON.stringify(name)} is already registered to ${pidString(holder)}`, C.already_registered);
    if (p.name !== null) return new KError(`${pidString(p.pid)} is already registered as ${JSON.stringify(p.name)}`, C.already_registered);
    this.names.set(name, p.pid);
    p.name = name;
    return null;
  }

  /** The process registered as `name`, or undefined. */
  whereis(name: string): number | undefined {
    return this.names.get(name);
  }

  /** `p` has ended: its name is free again. */
  release(p: Process): void {
    if (p.name === null) return;
    this.names.delete(p.name);
    p.name = null;
  }

  clear(): void {
    this.names.clear();
  }
}
