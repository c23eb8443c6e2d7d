// The basic `vm.*` natives: printing, standard input, files, random numbers, program exit,
// arguments, environment, time and `vm.error`. (Sleep, receive and the process and memory
// calls live with the scheduler and the linear memory.)
//
// Every call that can fail returns a `KError` value with a stable code: "permission_denied",
// "not_found", "io", "eof", "range", "too_large" (a read that would pass the reader's heap
// limit: what is read counts toward it as it arrives, see heap.ts). All I/O goes through
// `ctx.host`; file and environment access is checked against `host.permissions` before
// anything is touched.

import { TooLarge, type NativeCtx, type NativeFn, type ReadBudget } from "./native-api.js";
import type { SysCtx } from "./vm-core.js";
import { readBudget } from "./heap.js";
import { allowed } from "./permissions.js";
import { formatAny, formatValue } from "./print.js";
import { KError, ProgramExit, fault } from "./values.js";
import { C } from "./error-codes.js";

/** The printed form of the argument (`vm.println()` without one prints an empty line). */
function show(ctx: NativeCtx, args: unknown[]): string {
  if (args.length === 0) return "";
  const v = args[0];
  const t = ctx.argTypes?.[0];
  const text = t ? formatValue(v, t) : formatAny(v);
  if (text.length >= 64) ctx.charge(text.length >>> 6);
  return text;
}

/**
 * Runs `read` with a budget that counts what it reads toward the calling process's heap as it
 * arrives (heap.ts); a host that ignores the budget has its result counted when it comes. A
 * read that would not fit fails with TooLarge and keeps nothing.
 */
async function budgeted<T extends string | null>(ctx: NativeCtx, read: (take: ReadBudget) => Promise<T>): Promise<T> {
  const { vm, proc, readRoom } = ctx as Partial<SysCtx> & { readRoom?: number };
  // Called for a process on another scheduler (threads/remote.ts CALL): bounded by the room
  // it had; its own thread counts the result when it arrives.
  if (readRoom !== undefined) return roomBudgeted(readRoom, read);
  if (!vm || !proc) return read(() => true); // called outside a VM (a test of the native alone)
  const budget = readBudget(vm, proc);
  let offered = 0;
  const take: ReadBudget = (n) => budget.take(n) && (offered += n) >= 0;
  try {
    const text = await read(take);
    if (text !== null && text.length > offered && !take(text.length - offered)) throw new TooLarge("more than the reader may hold");
    budget.end(true);
    return text;
  } catch (e) {
    budget.end(false);
    throw e;
  }
}

async function roomBudgeted<T extends string | null>(room: number, read: (take: ReadBudget) => Promise<T>): Promise<T> {
  let offered = 0;
  const take: ReadBudget = (n) => (offered += n) * 2 <= room; // two bytes a UTF-16 unit, as readBudget counts
  const text = await read(take);
  if (text !== null && text.length > offered && !take(text.length - offered)) throw new TooLarge("more than the reader may hold");
  return text;
}

function tooLarge(what: string): KError {
  return new KError(`${what} is larger than this process may still hold (--max-heap)`, C.too_large);
}

async function getUserInput(ctx: NativeCtx): Promise<string | KError> {
  try {
    const line = await budgeted(ctx, (take) => ctx.host.readLine(take));
    return line === null ? new KError("end of input", C.eof) : line;
  } catch (e) {
    if (isTooLarge(e)) return tooLarge("the line of standard input");
    return new KError(`cannot read standard input: ${errorText(e)}`, C.io);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Maps a failed fs call to the error value a program sees. */
function fsError(e: unknown, op: "read" | "write", path: string): KError {
  switch (errnoOf(e)) {
    case "ENOENT":
    case "ENOTDIR":
      return new KError(`no such file "${path}"`, C.not_found);
    case "EACCES":
    case "EPERM":
      return new KError(`permission denied: ${op} "${path}"`, C.permission_denied);
    case "EISDIR":
      return new KError(`cannot ${op} "${path}": it is a directory`, C.io);
    default:
      return new KError(`cannot ${op} "${path}": ${errorText(e)}`, C.io);
  }
}

/**
 * The real path (links resolved: see HostFs.resolve) if `op` is allowed on `path`, else the
 * permission error; the access then uses that real path.
 */
function checkPath(ctx: NativeCtx, op: "read" | "write", path: string): string | KError {
  let abs: string;
  try {
    abs = ctx.host.fs.resolve(path);
  } catch (e) {
    return fsError(e, op, path);
  }
  const grant = op === "read" ? ctx.host.permissions.read : ctx.host.permissions.write;
  return allowed(grant, abs) ? abs : new KError(`permission denied: ${op} "${path}"`, C.permission_denied);
}

function readFile(ctx: NativeCtx, path: string): string | KError | Promise<string | KError> {
  const abs = checkPath(ctx, "read", path);
  if (abs instanceof KError) return abs;
  return budgeted(ctx, (take) => ctx.host.fs.readFile(abs, take)).then(
    (text) => (ctx.charge(text.length >>> 6), text),
    (e: unknown) => (isTooLarge(e) ? tooLarge(`"${path}"`) : fsError(e, "read", path)),
  );
}

function writeFile(ctx: NativeCtx, path: string, data: string): KError | Promise<null | KError> {
  const abs = checkPath(ctx, "write", path);
  if (abs instanceof KError) return abs;
  ctx.charge(data.length >>> 6);
  return ctx.host.fs.writeFile(abs, data).then(
    () => null,
    (e: unknown) => fsError(e, "write", path),
  );
}

function randomNumber(ctx: NativeCtx, lo: number, hi: number): number {
  if (lo > hi) throw fault(`random_number: empty range ${lo}..${hi}`, C.range);
  return lo + Math.floor(ctx.random() * (hi - lo + 1));
}

/**
 * `vm.exit(n)` ends the program with exit code n for a whole number 0 <= n <= 255 (what a
 * process exit status can carry, so the CLI and the API report the same code); any other n is
 * an error value and the program goes on.
 */
function programExit(args: unknown[]): KError {
  const code = args.length > 0 ? args[0] : 0;
  if (typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 255) throw new ProgramExit(code);
  return new KError(`exit code ${formatAny(code, true)} is out of range (it must be a whole number from 0 to 255)`, C.range);
}

function env(ctx: NativeCtx, name: string): string | KError {
  if (!ctx.host.permissions.env) return new KError(`permission denied: env "${name}"`, C.permission_denied);
  const value = Object.prototype.hasOwnProperty.call(ctx.host.env, name) ? ctx.host.env[name] : undefined;
  return value === undefined ? new KError(`environment variable "${name}" is not set`, C.not_found) : value;
}

function makeError(args: unknown[]): KError {
  const code = args.length > 1 && typeof args[1] === "string" ? args[1] : C.error;
  return new KError(String(args[0]), code);
}

/** The basic natives, keyed `"vm.name"`; arguments as the call gives them. */
/**
 * A read refused for its size: Raft's own TooLarge, or any error whose `code` is
 * "too_large", which is how an embedder's readLine or fs says it (docs/embedding.md).
 */
function isTooLarge(e: unknown): boolean {
  return e instanceof TooLarge || (typeof e === "object" && e !== null && (e as { code?: unknown }).code === C.too_large);
}

export const BASIC_NATIVES: Map<string, NativeFn> = new Map<string, NativeFn>([
  ["vm.print", (ctx, a) => (ctx.host.stdout(show(ctx, a)), null)],
  ["vm.println", (ctx, a) => (ctx.host.stdout(show(ctx, a) + "\n"), null)],
  ["vm.get_user_input", (ctx) => getUserInput(ctx)],
  ["vm.read_file", (ctx, a) => readFile(ctx, a[0] as string)],
  ["vm.write_file", (ctx, a) => writeFile(ctx, a[0] as string, a[1] as string)],
  ["vm.random_number", (ctx, a) => randomNumber(ctx, a[0] as number, a[1] as number)],
  ["vm.exit", (_ctx, a) => programExit(a)],
  ["vm.args", (ctx) => ctx.host.args.slice()],
  ["vm.env", (ctx, a) => env(ctx, a[0] as string)],
  ["vm.time", (ctx) => Math.floor(ctx.now()) | 0],
  ["vm.error", (_ctx, a) => makeError(a)],
]);
