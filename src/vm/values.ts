// The few run-time value classes that are objects rather than JS primitives, and the
// signals that travel by `throw` out of natives and helpers (never out of the VM).
//
// Kaylee values carry no tags (see docs/architecture.md): integers, floats, chars, bytes and
// process ids and refs are JS numbers, strings are JS strings, collections are JS arrays. Only
// errors, exit notices, reply addresses, memory handles and values of host types are objects.

import { C, type ErrorCode } from "./error-codes.js";

/** The longest string a value may be (V8's own limit is a little more than 2^29 units). */
export const MAX_STRING_LENGTH = 1 << 28;

/** An error value: `vm.read_file` of a missing file, a failed `into()`, `vm.error(msg)`. */
export class KError {
  constructor(
    readonly message: string,
    readonly code: string,
  ) {}
}

/**
 * A down/exit notice (`exit` type): which process ended and why, and for a monitor's notice
 * the monitor's ref (0: it came over a link or from vm.kill).
 */
export class ExitNotice {
  constructor(
    readonly process: number,
    readonly reason: string,
    readonly ref: number = 0,
  ) {}
}

/**
 * A reply address (`from` type, servers.ts): the calling process and the ref of the call that
 * waits for the reply. Immutable, so copies share it. Only `vm.call` makes one.
 */
export class ReplyTo {
  constructor(
    readonly pid: number,
    readonly ref: number,
  ) {}
}

/** What an embedder defined for a host type (`vm.defineType`; host-types.ts). */
export interface HostType {
  readonly name: string;
  /** How a message (or a spawn's argument) holding one crosses to another process. */
  readonly send: "copy" | "share" | "deny";
  print(v: unknown): unknown;
  size(v: unknown): unknown;
  close(v: unknown): unknown;
}

/**
 * A value of a host type: the embedder's JS value `value` (what its natives get and return),
 * boxed so that the VM can tell it apart, print it, count it and close it. `owner` is the
 * process whose end closes it (host-types.ts); `bytes` is what its `size` said last, counted
 * toward the owner's heap; `transit`: a copy made for a message, owned by the sender until it
 * is delivered.
 */
export class HostValue {
  owner = 0;
  bytes = 0;
  closed = false;
  transit = false;
  constructor(
    readonly type: HostType,
    readonly value: unknown,
  ) {}
}

/**
 * An operation failed (overflow, index out of range, use of an error value ...).
 * Thrown by helpers and natives; the interpreter turns it into the error value of an
 * enclosing handler in the same frame, or into a panic of the process.
 */
export class Fault {
  constructor(readonly error: KError) {}
}

/** A fault with a code from the catalogue (error-codes.ts). */
export function fault(message: string, code: ErrorCode): Fault {
  return new Fault(new KError(message, code));
}

/** A position outside a string, vector, array or slice: one wording and one code everywhere. */
export function outOfRange(i: unknown, length: number): Fault {
  return fault(`index out of range: index ${String(i)} but length ${length}`, C.index_out_of_range);
}

/** An error value used as an operand, argument, receiver...: it panics, keeping its code. */
export function usedError(e: KError): Fault {
  return new Fault(new KError(`used an error value: ${e.message}`, e.code));
}

/** An error value with a code from the catalogue: what a failing method or `vm` call returns. */
export function errorValue(message: string, code: ErrorCode): KError {
  return new KError(message, code);
}

/** `vm.exit(n)`: ends the whole program with exit code n. */
export class ProgramExit {
  constructor(readonly code: number) {}
}

export function isError(v: unknown): v is KError {
  return v instanceof KError;
}
