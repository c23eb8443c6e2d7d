// The contract between the VM and everything it calls out to: methods on types, `vm.*`
// natives (built in or registered by an embedder), and the host that supplies I/O.
//
// A native is a plain function of its arguments. It may
//   - return a value (for a fallible call, a `KError` value: errors are values in Kaylee),
//   - throw a `Fault` (an operation error such as an out-of-range index: it panics in place
//     unless the expression carries a handler),
//   - return a Promise: the calling process is parked until it settles, the others run on.
// Natives never see the interpreter's stacks; they get a `NativeCtx`.

import type { Type } from "../bytecode/types.js";
import { C } from "./error-codes.js";

/** What the embedder or the CLI supplies: all I/O goes through here, never through globals. */
export interface Host {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * One line of standard input without its newline, or null at end of input. `take`, when
   * given, is offered the line's bytes as they arrive; when it says no, the rest of the line
   * is skipped and the promise rejects with a `TooLarge` error.
   */
  readLine(take?: ReadBudget): Promise<string | null>;
  /** Program arguments (`vm.args()`). */
  args: string[];
  permissions: Permissions;
  /** Reads and writes files; injected so that embedders and tests can sandbox them. */
  fs: HostFs;
  /** Environment variables for `vm.env` (consulted only with permission). */
  env: Record<string, string | undefined>;
}

/** Counts `bytes` just read toward the reading process's heap; false: they do not fit, stop. */
export type ReadBudget = (bytes: number) => boolean;

/** A read stopped because what it read would not fit (error code "too_large"). */
export class TooLarge extends Error {
  readonly code = C.too_large;
}

export interface HostFs {
  /** The file's text (UTF-8). `take`, when given, is offered the bytes as they are read; when
   *  it says no, reading stops and the promise rejects with a `TooLarge` error. */
  readFile(path: string, take?: ReadBudget): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  /**
   * The real path of a path, for permission checks and then for the access itself: absolute,
   * with `..` and symbolic links resolved (a path that does not exist yet resolves through its
   * nearest existing parent). May throw (a loop of links); the call then fails.
   */
  resolve(path: string): string;
}

/** `true` = everything; an array = those paths and below; `false` = nothing. */
export type PathGrant = boolean | string[];
export interface Permissions {
  read: PathGrant;
  write: PathGrant;
  env: boolean;
}

/** Per-call context handed to natives. `proc` is the calling process's id. */
export interface NativeCtx {
  host: Host;
  /** The calling process id (`<0.N>`). */
  self: number;
  /** Deterministic under `--seed`: a float in [0, 1). */
  random(): number;
  /** Milliseconds since the VM started. */
  now(): number;
  /** Static types of the arguments, for natives declared with `passTypes`. */
  argTypes: Type[] | null;
  /** Charge extra reductions for work proportional to data size. */
  charge(reductions: number): void;
}

export type NativeFn = (ctx: NativeCtx, args: unknown[]) => unknown;

/** A method or `vm` function the checker can see and the VM can call. */
export interface NativeSpec {
  /** `"string.trim"`, `"vector.push"`, or `"vm.read_file"`; embedder natives are `"vm.NAME"`. */
  name: string;
  /** Parameter types (receiver excluded for methods). */
  params: Type[];
  ret: Type;
  /** May return an error value (the compiler checks uses of the result). */
  fallible: boolean;
  fn: NativeFn;
}
