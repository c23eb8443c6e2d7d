// The native table: every method on a type and every `vm.*` call the VM can run, keyed by
// the name the compiler puts in the constant pool ("string.trim", "vm.println"). Built-ins
// and embedder-defined natives are registered the same way (seed 000, "Extensibility").

import type { NativeFn } from "./native-api.js";
import { METHODS, VALUE_INTO } from "./methods.js";
import { BASIC_NATIVES } from "./natives-basic.js";
import { PROCESS_NATIVES } from "./natives-process.js";
import { SERVER_NATIVES } from "./servers.js";
import { SUPERVISOR_NATIVES } from "./supervisor.js";
import { MEMORY_NATIVES } from "./natives-memory.js";
import type { NativeTable } from "./program.js";
import { KError, fault } from "./values.js";
import { FALLIBLE_NATIVES, returningFailures } from "./fallible.js";
import { chargeFor, compareCodePoints, withCodePoint } from "./strings.js";
import { C } from "./error-codes.js";

export class Natives implements NativeTable {
  private table = new Map<string, NativeFn>();

  constructor() {
    // A fallible call's failure is the value it returns (fallible.ts); the others fault.
    for (const m of [METHODS, BASIC_NATIVES, PROCESS_NATIVES, SERVER_NATIVES, SUPERVISOR_NATIVES, MEMORY_NATIVES]) for (const [k, v] of m) this.table.set(k, FALLIBLE_NATIVES.has(k) ? returningFailures(v) : v);
    this.table.set("value.into", VALUE_INTO);
    // For-in write-back over a string: the string with char i replaced.
    this.table.set("string.set_char", (ctx, a) => withCodePoint(a[0] as string, a[1] as number, a[2] as number, ctx.charge));
    // A long vector or tuple literal, grown a chunk at a time (codegen.ts, FnGen.literal).
    this.table.set("vector.extend", (ctx, a) => {
      const v = a[0] as unknown[];
      const chunk = a[1] as unknown[];
      if (!Array.isArray(v) || !Array.isArray(chunk)) throw fault("vector.extend: expected two vectors", C.bad_code);
      ctx.charge(chunk.length >>> 4);
      for (let i = 0; i < chunk.length; i++) v.push(chunk[i]);
      return null;
    });
    // `<` `<=` `>` `>=` on strings (codegen.ts): -1, 0 or 1, by code points, work charged.
    this.table.set("string.compare", (ctx, a) => {
      const x = a[0] as string;
      const y = a[1] as string;
      chargeFor(ctx.charge, Math.min(x.length, y.length));
      return compareCodePoints(x, y);
    });
    // The {message: m} handler with a computed message.
    this.table.set("error.with_message", (_ctx, a) => new KError(String(a[1]), (a[0] as KError).code));
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
