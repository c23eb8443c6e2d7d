// What a native the embedder defined (Raft.defineNative) returns, checked against the result
// type of its signature before the program sees it: the type checker trusted that signature,
// so an `integer` native that returns 2.5, or a `string` one that returns 42, would break the
// program's types where nothing could say why. A value that does not fit is the native's
// fault (`native vm.NAME returned 2.5, not an integer`). The walk is as long as the value,
// which the VM copies and charges for anyway. Also the one description of a JS value of the
// wrong kind, for the API's usage errors (`describeValue`).

import type { Type } from "../bytecode/types.js";
import { typeKey } from "../bytecode/types.js";
import { KError } from "./values.js";

/** Why `v` is not a value of type `t` ("2.5, not an integer"), or null when it is one. */
export function resultMismatch(v: unknown, t: Type): string | null {
  const todo: [unknown, Type][] = [[v, t]];
  while (todo.length !== 0) {
    const [x, want] = todo.pop()!;
    if (!fits(x, want, todo)) return `${describeValue(x)}, not ${article(typeKey(want))}`;
  }
  return null;
}

function fits(x: unknown, t: Type, todo: [unknown, Type][]): boolean {
  switch (t.kind) {
    case "null":
      return x === null;
    case "integer":
      return typeof x === "number" && (x | 0) === x && !Object.is(x, -0);
    case "float":
      return typeof x === "number";
    case "byte":
      return typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 255;
    case "char":
      return typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 0x10ffff && !(x >= 0xd800 && x <= 0xdfff);
    case "bool":
      return typeof x === "boolean";
    case "string":
      return typeof x === "string";
    case "error":
      return x instanceof KError;
    case "process":
      return typeof x === "number" && Number.isInteger(x) && x >= 1;
    case "ref":
      return typeof x === "number" && Number.isInteger(x);
    case "vector":
    case "array":
      if (!Array.isArray(x) || (t.kind === "array" && x.length !== t.length)) return false;
      for (let i = 0; i < x.length; i++) todo.push([x[i], t.elem]);
      return true;
    case "tuple":
      if (!Array.isArray(x) || x.length !== t.elems.length) return false;
      for (let i = 0; i < x.length; i++) todo.push([x[i], t.elems[i]]);
      return true;
    default:
      // exit, from, pointer, slice, fn, host values: made by the VM or checked where they cross (host-types.ts).
      return true;
  }
}

/** A JS value as a usage error or a native's fault names it: `2.5`, `"text"`, `an array of 3`, `an Object`. */
export function describeValue(x: unknown): string {
  if (typeof x === "string") return x.length > 40 ? `a string of ${x.length} characters` : JSON.stringify(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (x === undefined || x === null || typeof x === "number" || typeof x === "boolean") return String(x);
  if (typeof x === "function") return "a function";
  return article(typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x);
}

function article(name: string): string {
  return /^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}
