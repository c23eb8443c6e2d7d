// The native table: every method on a type and every `vm.*` call the VM can run, keyed by
// the name the compiler puts in the constant pool ("string.trim", "vm.println"). Built-ins
// and embedder-defined natives are registered the same way (seed 000, "Extensibility").

import type { NativeFn } from "./native-api.js";
import { METHODS, convert } from "./methods.js";
import { BASIC_NATIVES } from "./natives-basic.js";
import { PROCESS_NATIVES } from "./natives-process.js";
import type { NativeTable } from "./program.js";

export class Natives implements NativeTable {
  private table = new Map<string, NativeFn>();

  constructor() {
    for (const m of [METHODS, BASIC_NATIVES, PROCESS_NATIVES]) for (const [k, v] of m) this.table.set(k, v);
    // `x.into()`: the call passes (source type, target type) as its static types.
    this.table.set("value.into", (ctx, a) => convert(a[0], ctx.argTypes![0], ctx.argTypes![1]));
  }

  register(name: string, fn: NativeFn): void {
    this.table.set(name, fn);
  }

  lookup(name: string): NativeFn | undefined {
    return this.table.get(name);
  }

  has(name: string): boolean {
    return this.table.has(name);
  }

  names(): string[] {
    return [...this.table.keys()];
  }
}
