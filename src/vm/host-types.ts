// Host types at run time: the opaque values an embedder defines with
// `vm.defineType(name, { print, size, send, close })` (a file handle, a socket, a counter),
// which its natives hand out and take back and Kaylee programs hold in variables of that type.
//
// A host value is the embedder's JS value boxed in a `HostValue` (values.ts), so that the VM
// can tell it apart from Kaylee's own values, print it (`print`, through print.ts), count it
// (`size`, toward its owner's heap: heap.ts adds `Process.hostBytes`) and close it (`close`).
// Natives whose signature names a host type get the JS values and return them (`hostCalls`):
// boxing and unboxing follow the signature's types, through vectors, arrays and tuples.
//
// Ownership, as with Erlang's resources: every host value has one owner, the process whose end
// runs `close` on it, once.
//   - A native's result belongs to the process that called it. A native that returns a JS
//     object the program already holds gives back the same value (no second owner, no second
//     close), unless that one was closed; a primitive is a new value each time.
//   - Sending one (a message, a spawn's argument, a call's request or reply, send_after) does
//     what its type's `send` says: "copy" sends a `structuredClone` of it, which belongs to
//     the receiver once delivered (until then to the sender: a pending send_after's copy is
//     the sender's); "share" sends the same value, which stays its owner's — the receiver
//     holds it, but it is closed when its owner ends, like an Erlang port whose owner died;
//     "deny" refuses: a compile error where the checker sees the type, a fault with code
//     `not_sendable` otherwise.
//   - A closed value (a shared one whose owner ended) given to a native is a fault with code
//     `closed`; the native never sees it.
//   - When a run stops, every value still owned is closed.
// `close` and `size` are the embedder's code: a throw in `close` is logged (warn) and the
// others are still closed; a throw in `size` is a fault of the process that made the value.
//
// Threads: host values never cross threads. A process that holds one lives on scheduler 0,
// the embedder's (program.ts `home` keeps a process whose code can touch a host type there;
// `Process.home` marks one that received one anyway), and the codec refuses to carry one.

import { Fault, HostValue, KError, fault, type HostType } from "./values.js";
import { C } from "./error-codes.js";
import { HOST_TYPE_NAME, RESERVED_TYPE_NAMES, hostNames, parseTypeKey, type Type } from "../bytecode/types.js";
import type { NativeCtx } from "./native-api.js";
import type { Process } from "./process.js";
import type { VMCore } from "./vm-core.js";

/** What `vm.defineType` takes (every part optional; `send` is "deny" unless said). */
export interface HostTypeSpec {
  /** How a value prints (`vm.println`, `into()` to string); default `<name>`. */
  print?(v: any): string;
  /** Bytes a value holds, counted toward its owner's heap (`--max-heap`); default 0. */
  size?(v: any): number;
  /** What sending one does: "copy" (structuredClone), "share" (the same value), "deny" (refused). */
  send?: "copy" | "share" | "deny";
  /** Runs once per value when its owner ends (or the run stops). */
  close?(v: any): unknown;
}

/** A host type from what `vm.defineType` was given; throws TypeError for what cannot be meant. */
export function makeHostType(name: string, spec: HostTypeSpec): HostType {
  if (typeof name !== "string" || !HOST_TYPE_NAME.test(name) || name.length > 64) throw new TypeError(`defineType: bad type name ${JSON.stringify(String(name)).slice(0, 70)} (lower-case letters, digits and _, at most 64)`);
  if (RESERVED_TYPE_NAMES.has(name)) throw new TypeError(`defineType: ${name} is a Kaylee type`);
  if (typeof spec !== "object" || spec === null) throw new TypeError(`defineType ${name}: expected an object { print, size, send, close }`);
  const send = spec.send ?? "deny";
  if (send !== "copy" && send !== "share" && send !== "deny") throw new TypeError(`defineType ${name}: send must be "copy", "share" or "deny"`);
  for (const k of ["print", "size", "close"] as const) if (spec[k] !== undefined && typeof spec[k] !== "function") throw new TypeError(`defineType ${name}: ${k} must be a function`);
  const none = () => undefined;
  return {
    name,
    send,
    print: spec.print ? (v) => spec.print!(v) : () => `<${name}>`,
    size: spec.size ? (v) => spec.size!(v) : () => 0,
    close: spec.close ? (v) => spec.close!(v) : none,
  };
}

// ── natives ───────────────────────────────────────────────────────────────────────────

/** The VM and process a native runs for (natives called by `VMCore.callNative`: SysCtx). */
interface HostCtx {
  vm?: VMCore;
  proc?: Process;
}

/**
 * The call of a native whose signature (`params`, `ret`) holds host types: its arguments are
 * unboxed before it runs, its result boxed (and owned by the caller) after, and the values it
 * was given are measured again (it may have grown them). Null when the signature holds none.
 */
export function hostCalls(params: readonly Type[], ret: Type, types: (name: string) => HostType | undefined): ((ctx: NativeCtx, fn: (...a: unknown[]) => unknown, args: unknown[]) => unknown) | null {
  if (!params.some((t) => hostNames(t).length !== 0) && hostNames(ret).length === 0) return null;
  const typeOf = (name: string): HostType => types(name)!;
  return (ctx, fn, args) => {
    const { vm, proc } = ctx as NativeCtx & HostCtx;
    if (vm === undefined || proc === undefined) throw fault("a native whose values are of a host type runs only for processes on the embedder's scheduler", C.internal);
    const given: HostValue[] = [];
    const raw = args.map((a, i) => convert(a, params[i], (h, t) => unbox(h, t, typeOf, given)));
    const done = (r: unknown): unknown => {
      for (const h of given) resize(vm, h);
      const p = vm.procs.get(proc.pid) === proc ? proc : null;
      return convert(r, ret, (v, t) => box(vm, p, v, typeOf(t)));
    };
    const r = fn(...raw);
    return r instanceof Promise ? r.then(done) : done(r);
  };
}

/**
 * `v` with each value at a host type of `t` replaced by `f(value, type name)`: through
 * vectors, arrays and tuples (a new array where one changed). `t` comes from a signature, so
 * the walk's depth is the type's.
 */
function convert(v: unknown, t: Type, f: (v: unknown, name: string) => unknown): unknown {
  switch (t.kind) {
    case "host":
      return f(v, t.name);
    case "vector":
    case "array":
    case "slice":
      if (!Array.isArray(v) || hostNames(t.elem).length === 0) return v;
      return v.map((x) => convert(x, t.elem, f));
    case "tuple":
      if (!Array.isArray(v) || hostNames(t).length === 0) return v;
      return v.map((x, i) => (i < t.elems.length ? convert(x, t.elems[i], f) : x));
    default:
      return v;
  }
}

/** A host value given to a native: the embedder's value, if it is an open one of type `name`. */
function unbox(h: unknown, name: string, typeOf: (name: string) => HostType, given: HostValue[]): unknown {
  if (h instanceof KError) throw new Fault(new KError(`used an error value: ${h.message}`, h.code));
  if (!(h instanceof HostValue) || h.type !== typeOf(name)) throw fault(`expected a ${name}`, C.bad_code);
  if (h.closed) throw fault(`used a ${name} that was closed (its owner ended)`, C.closed);
  given.push(h);
  return h.value;
}

/** Boxes per VM: a JS object the program already holds as a host value is that value again. */
const boxesOf = new WeakMap<VMCore, WeakMap<object, HostValue>>();

/** A native's result `v` of host type `type`, owned by `p` (null: it has ended: closed at once). */
function box(vm: VMCore, p: Process | null, v: unknown, type: HostType): HostValue {
  if (v instanceof KError) return v as unknown as HostValue; // a fallible native's error value
  const obj = typeof v === "object" && v !== null ? v : typeof v === "function" ? v : null;
  let boxes = boxesOf.get(vm);
  if (obj !== null) {
    const known = boxes?.get(obj);
    if (known !== undefined && !known.closed && known.type === type) return known;
  }
  const h = new HostValue(type, v);
  if (obj !== null) {
    if (boxes === undefined) boxesOf.set(vm, (boxes = new WeakMap()));
    boxes.set(obj, h);
  }
  if (p === null || vm.isStopped) closeValue(vm, h);
  else own(vm, p, h);
  return h;
}

/** `p` owns `h` from now on: its size counts toward p's heap. */
function own(vm: VMCore, p: Process, h: HostValue): void {
  h.owner = p.pid;
  (p.owned ??= new Set()).add(h);
  p.home = true;
  h.bytes = measured(h);
  p.hostBytes += h.bytes;
  p.heapBytes += h.bytes; // measured at the next charge (heap.ts)
}

/** Measures `h` again after a native had it, and updates its owner's count. */
function resize(vm: VMCore, h: HostValue): void {
  if (h.closed) return;
  const now = measured(h);
  const owner = vm.procs.get(h.owner);
  if (owner !== undefined && owner.owned?.has(h)) {
    owner.hostBytes += now - h.bytes;
    owner.heapBytes += now - h.bytes;
  }
  h.bytes = now;
}

/** What `h`'s type says it holds, in bytes. */
function measured(h: HostValue): number {
  let n: unknown;
  try {
    n = h.type.size(h.value);
  } catch (e) {
    throw fault(`size of a ${h.type.name} failed: ${e instanceof Error ? e.message : String(e)}`, C.native);
  }
  if (typeof n !== "number" || !(n >= 0) || n === Infinity) throw fault(`size of a ${h.type.name} returned ${typeof n === "number" ? n : typeof n}, not a number of bytes`, C.native);
  return Math.ceil(n);
}

// ── messages ──────────────────────────────────────────────────────────────────────────

/**
 * What a message (or a spawn's argument) carries in place of host value `h`, sent by `from`
 * (see the header: copy, share or deny). A copy is `from`'s until it is delivered (`arrive`).
 */
export function sendHost(vm: VMCore, from: Process | null, h: HostValue): HostValue {
  const type = h.type;
  if (type.send === "share") return h;
  if (type.send === "deny") throw fault(`a ${type.name} cannot be sent (its type is declared send: "deny")`, C.not_sendable);
  if (h.closed) throw fault(`sent a ${type.name} that was closed (its owner ended)`, C.closed);
  let clone: unknown;
  try {
    clone = structuredClone(h.value);
  } catch (e) {
    throw fault(`a ${type.name} cannot be copied: ${e instanceof Error ? e.message : String(e)}`, C.native);
  }
  const c = new HostValue(type, clone);
  if (from === null || !from.alive) closeValue(vm, c);
  else {
    own(vm, from, c);
    c.transit = true;
  }
  return c;
}

/**
 * Message (or spawn arguments) `v` has reached process `q` here: the copies made for it
 * become q's, and q holds host values, so it stays on this scheduler (0). Walks `v` (its work
 * is the copy's, already charged).
 */
export function arrive(vm: VMCore, q: Process, v: unknown): void {
  const todo: unknown[] = [v];
  while (todo.length !== 0) {
    const x = todo.pop();
    if (x instanceof HostValue) {
      q.home = true;
      if (!x.transit) continue;
      x.transit = false;
      const from = vm.procs.get(x.owner);
      if (from !== undefined && from.owned?.delete(x)) {
        from.hostBytes -= x.bytes;
        from.heapBytes -= x.bytes;
      }
      if (x.closed) continue;
      x.owner = q.pid;
      (q.owned ??= new Set()).add(x);
      q.hostBytes += x.bytes;
      q.heapBytes += x.bytes;
    } else if (Array.isArray(x)) for (const e of x) if (typeof e === "object" && e !== null) todo.push(e);
  }
}

/** Does `v` hold a host value anywhere (arrays walked)? */
export function holdsHost(v: unknown): boolean {
  const todo: unknown[] = [v];
  while (todo.length !== 0) {
    const x = todo.pop();
    if (x instanceof HostValue) return true;
    if (Array.isArray(x)) for (const e of x) if (typeof e === "object" && e !== null) todo.push(e);
  }
  return false;
}

/** Does the type with key `key` hold a host type? (A message's type, known when it is sent.) */
export function keyHoldsHost(key: string): boolean {
  let r = keyCache.get(key);
  if (r === undefined) {
    try {
      r = hostNames(parseTypeKey(key, () => true)).length !== 0;
    } catch {
      r = false;
    }
    if (keyCache.size < 4096) keyCache.set(key, r);
  }
  return r;
}
const keyCache = new Map<string, boolean>();

// ── the end of an owner ───────────────────────────────────────────────────────────────

/** Process `p` has ended: each value it owns is closed, once. */
export function closeOwned(vm: VMCore, p: Process): void {
  const owned = p.owned;
  if (owned === null) return;
  p.owned = null;
  p.hostBytes = 0;
  for (const h of owned) closeValue(vm, h);
}

/** Runs `h`'s type's `close` on it, once; a failure is logged, never thrown. */
function closeValue(vm: VMCore, h: HostValue): void {
  if (h.closed) return;
  h.closed = true;
  const failed = (e: unknown) => {
    if (vm.log.enabled("warn")) vm.log.log("warn", `close of a ${h.type.name} failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  try {
    const r = h.type.close(h.value);
    if (r instanceof Promise) r.catch(failed);
  } catch (e) {
    failed(e);
  }
}
