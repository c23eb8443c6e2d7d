// The typing table of Kaylee's standard library: the methods on types (SPEC §2) and the `vm`
// calls (SPEC §2, §3, §4). One row per callable: name, parameter types (receiver excluded),
// how many trailing parameters are optional, return type, and `fallible`: the call can fail,
// and every failure (a bad argument, an empty vector, a position out of range, a dead process)
// is an error value it returns (SPEC's one rule for faults). The checker and the code
// generator read `fallible` to check uses of the result; the VM's native table (natives.ts)
// reads it to turn a failing native's fault into the value the call returns.
//
// A few calls have typing rules no row can state; `special` names the rule the checker applies:
//   "print"      any argument type (println also with none)
//   "error"      vm.error(msg[, code]): its type is assignable to every type (always an error)
//   "spawn"      vm.spawn(f, args...) / vm.spawn_link: f names a top-level function, args checked against it
//   "start_child" vm.start_child(sup, restart, f, args...)
//   "send"       any message type (recorded on the call)
//   "receive"    target-typed from the expected type; it can fail only with a timeout
//   "into"       target-typed conversion (see INTO_TARGETS)
//   "slice"      pointer.slice(n): slice[byte; n] with n a literal or from the expected type
//   "push_str"   string.push(c) takes a char or a string
// `literals` lists string parameters whose literal values are checked at compile time.

import { T, type Type } from "../bytecode/types.js";

/** A parameter or return type: a concrete type, or one that depends on the call. */
export type SigType =
  | Type
  | "any" // any type (print, send)
  | "elem" // the receiver collection's element type
  | "target"; // the expected type at the call site (into, receive)

export type Special = "print" | "error" | "spawn" | "start_child" | "send" | "receive" | "into" | "slice" | "push_str";

export interface BuiltinSig {
  /** `"vm.read_file"` or a method key `"string.trim"` (receiver kind, then name). */
  name: string;
  params: SigType[];
  /** How many trailing params may be omitted. */
  optional: number;
  ret: SigType;
  fallible: boolean;
  special?: Special;
  /** Parameter index -> allowed values when that argument is a string literal. */
  literals?: Record<number, readonly string[]>;
  doc: string;
}

export const STRATEGIES = ["one_for_one", "one_for_all", "rest_for_one"] as const;
export const RESTARTS = ["permanent", "transient", "temporary"] as const;

const row = (
  name: string,
  params: SigType[],
  ret: SigType,
  doc: string,
  extra: Partial<Pick<BuiltinSig, "optional" | "fallible" | "special" | "literals">> = {},
): BuiltinSig => ({ name, params, optional: extra.optional ?? 0, ret, fallible: extra.fallible ?? false, doc, ...extra });

const { integer, float, byte, char, bool, string, pointer, process } = T;
const nul = T.null;

const VM_ROWS: BuiltinSig[] = [
  row("vm.print", ["any"], nul, "write a value to stdout", { special: "print" }),
  row("vm.println", ["any"], nul, "write a value and a newline to stdout", { special: "print", optional: 1 }),
  row("vm.get_user_input", [], string, "one line of stdin without its newline; error \"eof\" at end of input", { fallible: true }),
  row("vm.read_file", [string], string, "a file's text", { fallible: true }),
  row("vm.write_file", [string, string], nul, "write text to a file", { fallible: true }),
  row("vm.random_number", [integer, integer], integer, "a random integer in lo..=hi (lo > hi is an error \"range\")", { fallible: true }),
  row("vm.exit", [integer], nul, "end the program with an exit code 0..=255 (default 0); error \"range\" for any other code", { optional: 1, fallible: true }),
  row("vm.args", [], T.vector(string), "the program's arguments"),
  row("vm.env", [string], string, "an environment variable", { fallible: true }),
  row("vm.time", [], integer, "milliseconds since the VM started"),
  row("vm.sleep", [integer], nul, "block this process for ms milliseconds (negative is an error \"range\")", { fallible: true }),
  row("vm.error", [string, string], T.error, "make an error value with a message and optional code", { special: "error", optional: 1, fallible: true }),
  row("vm.spawn", [], process, "start f(args...) in a new process (error \"system_limit\" past --max-processes)", { special: "spawn", fallible: true }),
  row("vm.spawn_link", [], process, "start f(args...) in a new process linked to this one", { special: "spawn", fallible: true }),
  row("vm.send", [process, "any"], nul, "copy a message into a process's mailbox", { special: "send" }),
  row("vm.receive", [integer], "target", "the oldest message of the expected type; with ms, error \"timeout\" (negative ms: \"range\")", { special: "receive", optional: 1, fallible: true }),
  row("vm.self", [], process, "this process"),
  row("vm.link", [process], nul, "link to a process"),
  row("vm.unlink", [process], nul, "remove a link"),
  row("vm.trap_exits", [bool], nul, "receive linked exits as exit messages"),
  row("vm.monitor", [process], nul, "an exit message arrives when the process ends"),
  row("vm.kill", [process, string], nul, "send an exit signal (default: untrappable kill)", { optional: 1 }),
  row("vm.register", [string, process], nul, "register a process under a name", { fallible: true }),
  row("vm.whereis", [string], process, "the process registered under a name", { fallible: true }),
  row("vm.supervisor", [string, integer, integer], process, "start a supervisor(strategy, max_restarts, period_ms)", { literals: { 0: STRATEGIES }, fallible: true }),
  row("vm.set_strategy", [process, string], nul, "change a supervisor's strategy", { literals: { 1: STRATEGIES }, fallible: true }),
  row("vm.start_child", [], process, "start_child(sup, restart, f, args...)", { special: "start_child", literals: { 1: RESTARTS }, fallible: true }),
  row("vm.start_supervisor", [process, string, integer, integer], process, "start a supervisor under a supervisor", { literals: { 1: STRATEGIES }, fallible: true }),
  row("vm.restart_child", [process, process], process, "restart one child now", { fallible: true }),
  row("vm.which_children", [process], T.vector(process), "a supervisor's running children in start order", { fallible: true }),
  row("vm.terminate_child", [process, process], nul, "stop a child without restarting it (a temporary child is forgotten)", { fallible: true }),
  row("vm.delete_child", [process, process], nul, "forget a stopped child (error \"running\" while it runs)", { fallible: true }),
  row("vm.count_children", [process], integer, "how many children of a supervisor are running", { fallible: true }),
  row("vm.processes", [], T.vector(process), "every live process, in pid order"),
  row("vm.registered", [], T.vector(string), "every registered name, sorted"),
  row("vm.unregister", [string], nul, "free a registered name (error \"not_found\" if no one holds it)", { fallible: true }),
  row("vm.alloc", [integer], pointer, "allocate bytes of linear memory", { fallible: true }),
  row("vm.memory", [], integer, "this process's heap bytes"),
];

const METHOD_ROWS: BuiltinSig[] = [
  // string
  row("string.length", [], integer, "number of characters"),
  row("string.reverse", [], string, "reversed (in place as a statement)"),
  row("string.trim", [], string, "without surrounding whitespace (in place as a statement)"),
  row("string.clean", [], string, "trimmed, control characters removed (in place as a statement)"),
  row("string.upper", [], string, "upper case (in place as a statement)"),
  row("string.lower", [], string, "lower case (in place as a statement)"),
  row("string.contains", [string], bool, "has the substring"),
  row("string.starts_with", [string], bool, "has the prefix"),
  row("string.ends_with", [string], bool, "has the suffix"),
  row("string.split", [string], T.vector(string), "parts between separators"),
  row("string.char_at", [integer], char, "the character at an index (out of range is an error)", { fallible: true }),
  row("string.push", [char], string, "append a char or string (in place as a statement)", { special: "push_str" }),
  row("string.into", [], "target", "parse into integer or float (error \"parse\" on bad text)", { special: "into" }),
  // vector
  row("vector.length", [], integer, "number of elements"),
  row("vector.push", ["elem"], nul, "append"),
  row("vector.pop", [], "elem", "remove and return the last element (empty is an error)", { fallible: true }),
  row("vector.insert", [integer, "elem"], nul, "insert at an index (0..length)", { fallible: true }),
  row("vector.remove", [integer], "elem", "remove and return the element at an index", { fallible: true }),
  row("vector.clear", [], nul, "remove all elements"),
  row("vector.contains", ["elem"], bool, "has an equal element"),
  row("vector.reverse", [], nul, "reverse in place"),
  row("vector.sort", [], nul, "sort in place (integer, float, byte, char, string elements)"),
  // array / slice
  row("array.length", [], integer, "number of elements"),
  row("slice.length", [], integer, "number of elements"),
  // scalars
  row("integer.into", [], "target", "convert to float, char, byte or string", { special: "into" }),
  row("integer.abs", [], integer, "absolute value (abs of the minimum is an error \"overflow\")", { fallible: true }),
  row("float.into", [], "target", "convert to integer (truncating) or string", { special: "into" }),
  row("float.abs", [], float, "absolute value"),
  row("float.floor", [], float, "round down"),
  row("float.ceil", [], float, "round up"),
  row("float.round", [], float, "round half away from zero"),
  row("float.sqrt", [], float, "square root"),
  row("char.into", [], "target", "convert to integer (code point) or string", { special: "into" }),
  row("char.is_digit", [], bool, "is 0-9"),
  row("char.is_alpha", [], bool, "is alphabetic"),
  row("byte.into", [], "target", "convert to integer or string", { special: "into" }),
  row("byte.abs", [], byte, "the byte itself"),
  row("bool.into", [], "target", "convert to string", { special: "into" }),
  // error (only where the checker knows the value is an error)
  row("error.message", [], string, "the error's message"),
  row("error.code", [], string, "the error's code, such as \"not_found\""),
  // process / exit
  row("process.send", ["any"], nul, "copy a message into this process's mailbox", { special: "send" }),
  row("process.alive", [], bool, "is the process running"),
  row("process.status", [], string, "\"running\" (the caller), \"runnable\", \"waiting\" (in a receive), \"sleeping\" or \"parked\" (in a host call)", { fallible: true }),
  row("process.mailbox_length", [], integer, "messages queued", { fallible: true }),
  row("process.memory", [], integer, "heap bytes, as vm.memory() counts them", { fallible: true }),
  row("process.reductions", [], integer, "reductions used since it started", { fallible: true }),
  row("process.links", [], T.vector(process), "the processes it is linked to", { fallible: true }),
  row("process.monitors", [], T.vector(process), "the processes it monitors (one entry a monitor)", { fallible: true }),
  row("process.name", [], string, "its registered name (error \"not_found\" if none)", { fallible: true }),
  row("process.current_function", [], string, "the function it is in now", { fallible: true }),
  row("exit.process", [], process, "the process that ended"),
  row("exit.reason", [], string, "why it ended"),
  // pointer
  row("pointer.free", [], nul, "free the allocation (double free is an error)", { fallible: true }),
  row("pointer.claim", [integer], nul, "grow the allocation to hold bytes", { fallible: true }),
  row("pointer.offset", [integer], pointer, "a pointer n bytes further on", { fallible: true }),
  row("pointer.read_byte", [], byte, "read one byte", { fallible: true }),
  row("pointer.write_byte", [byte], nul, "write one byte", { fallible: true }),
  row("pointer.read_integer", [], integer, "read a little-endian i32", { fallible: true }),
  row("pointer.write_integer", [integer], nul, "write a little-endian i32", { fallible: true }),
  row("pointer.slice", [integer], "target", "a slice[byte; n] view of n bytes", { special: "slice", fallible: true }),
];

export const VM_FUNCTIONS: ReadonlyMap<string, BuiltinSig> = new Map(VM_ROWS.map((r) => [r.name.slice(3), r]));
export const METHODS: ReadonlyMap<string, BuiltinSig> = new Map(METHOD_ROWS.map((r) => [r.name, r]));

/** The method-table kind of a type (`vector[integer]` -> "vector"). */
export function methodKind(t: Type): string {
  return t.kind;
}

/** String methods that, used as a statement on a place, change that place. */
export const STRING_IN_PLACE = new Set(["reverse", "trim", "clean", "upper", "lower", "push"]);
/** Vector methods that mutate their receiver. */
export const VECTOR_MUTATORS = new Set(["push", "pop", "insert", "remove", "clear", "reverse", "sort"]);

/**
 * Allowed `into()` conversions: from kind -> to kinds. `fallible` conversions may yield an
 * error value (parsing). Same type to same type is also allowed (a copy).
 */
export const INTO_TARGETS: ReadonlyMap<string, readonly string[]> = new Map(Object.entries({
  string: ["integer", "float", "string"],
  integer: ["float", "char", "byte", "string", "integer"],
  float: ["integer", "string", "float"],
  char: ["integer", "string", "char"],
  byte: ["integer", "string", "byte"],
  bool: ["string", "bool"],
}));

/** Conversions that can fail (an error value): parsing, and narrowing to a smaller range. */
const INTO_FALLIBLE = new Set(["string>integer", "string>float", "integer>byte", "integer>char", "float>integer"]);

/** Can `from.into()` to `to` yield an error value? (Every other allowed conversion always succeeds.) */
export function intoIsFallible(from: Type, to: Type): boolean {
  return INTO_FALLIBLE.has(`${from.kind}>${to.kind}`);
}

/** The names of the natives whose failures are error values (`"vm.sleep"`, `"vector.pop"`). */
export function fallibleNames(): string[] {
  return [...VM_ROWS, ...METHOD_ROWS].filter((r) => r.fallible).map((r) => r.name);
}
