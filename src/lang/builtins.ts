// The one declaration of Kaylee's standard library: the methods on types (SPEC §2) and the `vm`
// calls (SPEC §2, §3, §4). One row per callable: name (with its parameters' names), parameter
// types (receiver excluded), how many trailing parameters are optional, return type, the error
// codes a failing call returns, how the call is implemented, and a one-line doc. Everything
// else reads this table: the checker (calls.ts) types calls from it, the error-flow analysis
// and the VM's native table (fallible.ts) read `fallible`, the code generator lowers each call
// as its `impl` says, the REPL completes names from it, and docs/reference.md is generated
// from it (reference.ts; a test fails when the committed file differs). A test also checks
// that every row is implemented (its native exists, or its opcode is lowered) and that every
// native of the VM is declared here (a row, or one of INTERNAL_NATIVES).
//
// `fallible`: the call can fail, and every failure (a bad argument, an empty vector, a position
// out of range, a dead process) is an error value it returns (SPEC's one rule for faults);
// `errors` lists the codes (error-codes.ts). A row with `errors` is fallible.
//
// A few calls have typing rules no row can state; `special` names the rule the checker applies:
//   "print"      any argument type (println also with none)
//   "error"      vm.error(msg[, code]): its type is assignable to every type (always an error)
//   "spawn"      vm.spawn(f, args...) / vm.spawn_link / vm.spawn_monitor: f names a top-level function, args checked against it
//   "start_child" vm.start_child(sup, restart, f, args...)
//   "send"       any message type (recorded on the call)
//   "receive"    target-typed from the expected type; it can fail only with a timeout
//   "message"    the "any" parameter is a message of any sendable type (recorded on the call): send_after, reply
//   "call"       vm.call(p, request, ms): a "message" call whose result is target-typed, as receive's
//   "into"       target-typed conversion (see INTO_TARGETS)
//   "slice"      pointer.slice(n): slice[byte; n] with n a literal or from the expected type
//   "push_str"   string.push(c) takes a char or a string
// `literals` lists string parameters whose literal values are checked at compile time.

import { T, type Type } from "../bytecode/types.js";
import { C, type ErrorCode } from "../vm/error-codes.js";

/** A parameter or return type: a concrete type, or one that depends on the call. */
export type SigType =
  | Type
  | "any" // any type (print, send)
  | "elem" // the receiver collection's element type
  | "self" // the receiver's own type (vector.slice)
  | "target"; // the expected type at the call site (into, receive)

export type Special = "print" | "error" | "spawn" | "start_child" | "send" | "receive" | "message" | "call" | "into" | "slice" | "push_str";

/**
 * How a call is carried out, which is how the code generator lowers it:
 *   native  a native of the VM's table (vm/natives.ts: methods.ts, natives-*.ts, supervisor.ts)
 *           called by name with CallNative, or with CallNativeTyped when `typed` (the native
 *           gets the static types of its stack arguments, receiver first: the printer needs them);
 *   opcode  an instruction of its own (bytecode/opcodes.ts). `flag` is its count operand where
 *           it has one (spawn and spawn_link are one instruction); `native`, when set, names a
 *           native that does the same, for hand-written assembly.
 */
export type Impl = { kind: "native"; native: string; typed: boolean } | { kind: "opcode"; op: string; flag?: number; native?: string };

/** Vector methods that work only on some element types (sort, join, min, max, sum). */
export interface ElemRule {
  kinds: readonly string[];
  /** What the diagnostic says cannot be done: "cannot <verb> a vector[bool]". */
  verb: string;
  /** The diagnostic's label and hint when the elements are of another type. */
  label: string;
  hint: string;
}

export interface BuiltinSig {
  /** `"vm.read_file"` or a method key `"string.trim"` (receiver kind, then name). */
  name: string;
  /** The parameters' names, for the reference and messages (may name more than `params` for special rows). */
  paramNames: readonly string[];
  params: SigType[];
  /** How many trailing params may be omitted. */
  optional: number;
  ret: SigType;
  fallible: boolean;
  /** The codes of the error values a failing call returns (into: depending on the target). */
  errors: readonly ErrorCode[];
  impl: Impl;
  special?: Special;
  /** Parameter index -> allowed values when that argument is a string literal. */
  literals?: Record<number, readonly string[]>;
  /** The receiver's element types, for vector methods that need them. */
  elems?: ElemRule;
  /** "statement": used as a statement on a place, the call changes that place (s.trim();).
   *  "always": the call changes the vector it is called on (v.push(x)). */
  mutates?: "statement" | "always";
  doc: string;
}

export const STRATEGIES = ["one_for_one", "one_for_all", "rest_for_one"] as const;
export const RESTARTS = ["permanent", "transient", "temporary"] as const;

interface RowOptions {
  optional: number;
  fallible: boolean;
  errors: readonly ErrorCode[];
  special: Special;
  literals: Record<number, readonly string[]>;
  elems: ElemRule;
  mutates: "statement" | "always";
  /** The native that implements the row, when it is not the row's own name. */
  native: string;
  /** The native gets the static types of its arguments (CallNativeTyped). */
  typed: boolean;
  /** The row is an instruction of its own (see Impl). */
  opcode: string;
  flag: number;
}

/**
 * A row: `name` may carry the parameters' names, `"vm.random_number(lo, hi)"`. Every run
 * builds the whole table at start-up, so a row is made without intermediate objects.
 */
const row = (signature: string, params: SigType[], ret: SigType, doc: string, extra?: Partial<RowOptions>): BuiltinSig => {
  const open = signature.indexOf("(");
  const name = open < 0 ? signature : signature.slice(0, open);
  const paramNames: string[] = [];
  if (open >= 0) for (const p of signature.slice(open + 1, -1).split(",")) if (p.trim() !== "") paramNames.push(p.trim());
  const errors = extra?.errors ?? [];
  const opcode = extra?.opcode;
  let impl: Impl;
  if (opcode === undefined) impl = { kind: "native", native: extra?.native ?? name, typed: extra?.typed ?? false };
  else {
    impl = { kind: "opcode", op: opcode };
    if (extra!.flag !== undefined) impl.flag = extra!.flag;
    if (extra!.native !== undefined) impl.native = extra!.native;
  }
  const sig: BuiltinSig = { name, paramNames, params, optional: extra?.optional ?? 0, ret, fallible: extra?.fallible ?? errors.length > 0, errors, impl, doc };
  if (extra !== undefined) {
    if (extra.special !== undefined) sig.special = extra.special;
    if (extra.literals !== undefined) sig.literals = extra.literals;
    if (extra.elems !== undefined) sig.elems = extra.elems;
    if (extra.mutates !== undefined) sig.mutates = extra.mutates;
  }
  return sig;
};

const { integer, float, byte, char, bool, string, pointer, process, ref, from } = T;
const nul = T.null;

const SUP = [C.noproc, C.not_supervisor] as const;
const POINTER = [C.use_after_free, C.out_of_bounds, C.bad_pointer] as const;

const VM_ROWS: BuiltinSig[] = [
  row("vm.print(x)", ["any"], nul, "write a value to stdout", { special: "print", typed: true }),
  row("vm.println(x)", ["any"], nul, "write a value and a newline to stdout (no value: an empty line)", { special: "print", optional: 1, typed: true }),
  row("vm.get_user_input", [], string, "one line of stdin without its newline; \"eof\" at end of input", { errors: [C.eof, C.too_large, C.io] }),
  row("vm.read_file(path)", [string], string, "a file's text (needs --allow-read)", { errors: [C.permission_denied, C.not_found, C.too_large, C.io] }),
  row("vm.write_file(path, text)", [string, string], nul, "write text to a file (needs --allow-write)", { errors: [C.permission_denied, C.not_found, C.io] }),
  row("vm.random_number(lo, hi)", [integer, integer], integer, "a random integer in lo..=hi (lo > hi: \"range\")", { errors: [C.range] }),
  row("vm.exit(code)", [integer], nul, "end the program with an exit code 0..=255 (default 0); any other code: \"range\"", { optional: 1, errors: [C.range] }),
  row("vm.args", [], T.vector(string), "the program's arguments"),
  row("vm.env(name)", [string], string, "an environment variable (needs --allow-env)", { errors: [C.permission_denied, C.not_found] }),
  row("vm.time", [], integer, "milliseconds since the VM started"),
  row("vm.sleep(ms)", [integer], nul, "block this process for ms milliseconds (negative: \"range\")", { errors: [C.range] }),
  row("vm.error(message, code)", [string, string], T.error, "make an error value with a message and a code (any code; default \"error\")", { special: "error", optional: 1, errors: [C.error] }),
  row("vm.spawn(f, args...)", [], process, "start f(args...) in a new process", { special: "spawn", errors: [C.system_limit], opcode: "SpawnActor", flag: 0 }),
  row("vm.spawn_link(f, args...)", [], process, "start f(args...) in a new process linked to this one", { special: "spawn", errors: [C.system_limit], opcode: "SpawnActor", flag: 1 }),
  row("vm.send(to, message)", [process, "any"], nul, "copy a message into a process's mailbox", { special: "send", opcode: "SendMessage" }),
  row("vm.receive(ms)", [integer], "target", "the oldest message of the expected type; with ms, \"timeout\" when none comes in time", { special: "receive", optional: 1, errors: [C.timeout, C.range], opcode: "ReceiveMessage" }),
  row("vm.self", [], process, "this process", { opcode: "Self", native: "vm.self" }),
  row("vm.link(p)", [process], nul, "link to a process; to one that has ended: \"noproc\" (a caller that traps exits gets an exit message with reason \"noproc\" instead)", { errors: [C.noproc] }),
  row("vm.unlink(p)", [process], nul, "remove a link"),
  row("vm.trap_exits(on)", [bool], nul, "receive linked exits as exit messages"),
  row("vm.monitor(p)", [process], ref, "an exit message arrives when the process ends; the monitor's ref"),
  row("vm.demonitor(r)", [ref], bool, "remove a monitor and drop its notice if queued; true if it had not fired"),
  row("vm.spawn_monitor(f, args...)", [], T.tuple([process, ref]), "start f(args...) in a new process monitored by this one: (pid, ref)", { special: "spawn", errors: [C.system_limit], opcode: "SpawnActor", flag: 2 }),
  row("vm.make_ref", [], ref, "a new unique reference"),
  row("vm.send_after(to, message, ms)", [process, "any", integer], ref, "send a message after ms milliseconds (negative: \"range\"); the timer's ref", { special: "message", errors: [C.range], typed: true }),
  row("vm.cancel_timer(r)", [ref], bool, "stop a send_after of this process; true if the message was still pending (it never arrives)"),
  row("vm.call(to, request, ms)", [process, "any", integer], "target", "send (from, request) and wait up to ms for the reply", { special: "call", errors: [C.timeout, C.noproc, C.down, C.bad_reply, C.calling_self, C.range], typed: true }),
  row("vm.reply(to, value)", [from, "any"], nul, "answer a call (dropped when no call waits for it)", { special: "message", typed: true }),
  row("vm.kill(p, reason)", [process, string], nul, "send an exit signal (default: untrappable kill)", { optional: 1 }),
  row("vm.register(name, p)", [string, process], nul, "register a process under a name", { errors: [C.noproc, C.already_registered, C.range, C.system_limit] }),
  row("vm.whereis(name)", [string], process, "the process registered under a name", { errors: [C.not_found] }),
  row("vm.supervisor(strategy, max_restarts, period_ms)", [string, integer, integer], process, "start a supervisor", { literals: { 0: STRATEGIES }, errors: [C.range, C.system_limit], opcode: "SpawnSupervisor", flag: 0 }),
  row("vm.set_strategy(sup, strategy)", [process, string], nul, "change a supervisor's strategy", { literals: { 1: STRATEGIES }, errors: [...SUP, C.shutdown, C.range], opcode: "SetStrategy" }),
  row("vm.start_child(sup, restart, f, args...)", [], process, "start f(args...) as a child of a supervisor", { special: "start_child", literals: { 1: RESTARTS }, errors: [...SUP, C.shutdown, C.range, C.system_limit], opcode: "StartChild" }),
  row("vm.start_supervisor(sup, strategy, max_restarts, period_ms)", [process, string, integer, integer], process, "start a supervisor under a supervisor", { literals: { 1: STRATEGIES }, errors: [...SUP, C.shutdown, C.range, C.system_limit], opcode: "SpawnSupervisor", flag: 1 }),
  row("vm.restart_child(sup, child)", [process, process], process, "restart one child now", { errors: [...SUP, C.not_found, C.shutdown], opcode: "RestartChild" }),
  row("vm.which_children(sup)", [process], T.vector(process), "a supervisor's running children in start order", { errors: [...SUP, C.shutdown] }),
  row("vm.terminate_child(sup, child)", [process, process], nul, "stop a child without restarting it (a temporary child is forgotten)", { errors: [...SUP, C.not_found, C.shutdown] }),
  row("vm.delete_child(sup, child)", [process, process], nul, "forget a stopped child (\"running\" while it runs)", { errors: [...SUP, C.not_found, C.running, C.shutdown] }),
  row("vm.count_children(sup)", [process], integer, "how many children of a supervisor are running", { errors: [...SUP, C.shutdown] }),
  row("vm.processes", [], T.vector(process), "every live process, in pid order"),
  row("vm.registered", [], T.vector(string), "every registered name, sorted"),
  row("vm.unregister(name)", [string], nul, "free a registered name (\"not_found\" if no one holds it)", { errors: [C.not_found] }),
  row("vm.alloc(bytes)", [integer], pointer, "allocate bytes of linear memory", { errors: [C.range, C.heap_limit] }),
  row("vm.memory", [], integer, "this process's heap bytes"),
];

const NUMBERS = ["integer", "float", "byte"] as const;
const numeric = (name: string, verb: string): ElemRule => ({ kinds: NUMBERS, verb, label: "its elements are not numbers", hint: `${name}() works on vectors of integer, float and byte` });
const INTO = "value.into";

const METHOD_ROWS: BuiltinSig[] = [
  // string
  row("string.length", [], integer, "number of characters"),
  row("string.reverse", [], string, "reversed (in place as a statement)", { mutates: "statement" }),
  row("string.trim", [], string, "without surrounding whitespace (in place as a statement)", { mutates: "statement" }),
  row("string.clean", [], string, "trimmed, control characters removed (in place as a statement)", { mutates: "statement" }),
  row("string.upper", [], string, "upper case (in place as a statement)", { mutates: "statement" }),
  row("string.lower", [], string, "lower case (in place as a statement)", { mutates: "statement" }),
  row("string.contains(s)", [string], bool, "has the substring"),
  row("string.starts_with(s)", [string], bool, "has the prefix"),
  row("string.ends_with(s)", [string], bool, "has the suffix"),
  row("string.split(sep)", [string], T.vector(string), "parts between separators (\"\" splits into chars)"),
  row("string.char_at(i)", [integer], char, "the character at an index", { errors: [C.index_out_of_range] }),
  row("string.push(c)", [char], string, "append a char or string (in place as a statement)", { special: "push_str", mutates: "statement" }),
  row("string.substring(start, end)", [integer, integer], string, "the chars from start up to (not including) end", { errors: [C.index_out_of_range] }),
  row("string.index_of(s)", [string], integer, "where s first starts, in chars; -1 when absent (\"\" is at 0)"),
  row("string.replace(from, to)", [string, string], string, "every occurrence of from replaced by to (an empty from: to around every char)", { errors: [C.too_large] }),
  row("string.repeat(n)", [integer], string, "n copies one after another (n < 0: \"range\")", { errors: [C.range, C.too_large] }),
  row("string.pad_start(n, c)", [integer, char], string, "c added in front until the length is n chars (n < 0: \"range\")", { errors: [C.range, C.too_large] }),
  row("string.pad_end(n, c)", [integer, char], string, "c added at the end until the length is n chars (n < 0: \"range\")", { errors: [C.range, C.too_large] }),
  row("string.lines", [], T.vector(string), "the lines, split at \\n or \\r\\n; a final line end adds no empty line"),
  row("string.into", [], "target", "parse into integer or float, or copy", { special: "into", errors: [C.parse], fallible: false, native: INTO, typed: true }),
  // vector
  row("vector.length", [], integer, "number of elements", { opcode: "Length", native: "vector.length" }),
  row("vector.push(x)", ["elem"], nul, "append", { mutates: "always" }),
  row("vector.pop", [], "elem", "remove and return the last element", { errors: [C.empty], mutates: "always" }),
  row("vector.insert(i, x)", [integer, "elem"], nul, "insert at an index (0..=length)", { errors: [C.index_out_of_range], mutates: "always" }),
  row("vector.remove(i)", [integer], "elem", "remove and return the element at an index", { errors: [C.index_out_of_range], mutates: "always" }),
  row("vector.clear", [], nul, "remove all elements", { mutates: "always" }),
  row("vector.contains(x)", ["elem"], bool, "has an equal element"),
  row("vector.reverse", [], nul, "reverse in place", { mutates: "always" }),
  row("vector.sort", [], nul, "sort in place", { mutates: "always", typed: true, elems: { kinds: ["integer", "float", "byte", "char", "string"], verb: "sort", label: "its elements have no order", hint: "sort works on vectors of integer, float, byte, char and string" } }),
  row("vector.index_of(x)", ["elem"], integer, "the index of the first equal element; -1 when absent"),
  row("vector.slice(start, end)", [integer, integer], "self", "a new vector of the elements from start up to (not including) end", { errors: [C.index_out_of_range] }),
  row("vector.join(sep)", [string], string, "the strings with sep between them", { errors: [C.too_large], elems: { kinds: ["string"], verb: "join", label: "its elements are not strings", hint: "join works on vector[string]" } }),
  row("vector.min", [], "elem", "the smallest element (NaN orders last, as in sort)", { errors: [C.empty], elems: numeric("min", "take the minimum of") }),
  row("vector.max", [], "elem", "the largest element (NaN orders last, as in sort)", { errors: [C.empty], elems: numeric("max", "take the maximum of") }),
  row("vector.sum", [], "elem", "the sum, added left to right as + does (0 on empty)", { errors: [C.overflow], elems: numeric("sum", "sum"), typed: true }),
  // array / slice
  row("array.length", [], integer, "number of elements", { opcode: "Length", native: "array.length" }),
  row("slice.length", [], integer, "number of elements"),
  // scalars
  row("integer.into", [], "target", "convert to float, char, byte or string, or copy", { special: "into", errors: [C.overflow, C.range], fallible: false, native: INTO, typed: true }),
  row("integer.abs", [], integer, "absolute value", { errors: [C.overflow] }),
  row("float.into", [], "target", "convert to integer (truncating) or string, or copy", { special: "into", errors: [C.overflow], fallible: false, native: INTO, typed: true }),
  row("float.abs", [], float, "absolute value"),
  row("float.floor", [], float, "round down"),
  row("float.ceil", [], float, "round up"),
  row("float.round", [], float, "round half away from zero"),
  row("float.sqrt", [], float, "square root", { opcode: "SqrtFloat", native: "float.sqrt" }),
  row("float.format(digits)", [integer], string, "fixed-point text with 0..=100 decimals, rounded half away from zero (12.5.format(2) is \"12.50\")", { errors: [C.range] }),
  row("char.into", [], "target", "convert to integer (code point) or string, or copy", { special: "into", native: INTO, typed: true }),
  row("char.is_digit", [], bool, "is 0-9"),
  row("char.is_alpha", [], bool, "is alphabetic"),
  row("byte.into", [], "target", "convert to integer or string, or copy", { special: "into", native: INTO, typed: true }),
  row("byte.abs", [], byte, "the byte itself"),
  row("bool.into", [], "target", "convert to string, or copy", { special: "into", native: INTO, typed: true }),
  // every other type (a fallback for the kinds without a row of that name)
  row("value.into", [], "target", "convert to string, as vm.println prints the value", { special: "into", typed: true }),
  // error (only where the checker knows the value is an error)
  row("error.message", [], string, "the error's message"),
  row("error.code", [], string, "the error's code, such as \"not_found\""),
  // process / exit
  row("process.send(message)", ["any"], nul, "copy a message into this process's mailbox", { special: "send", opcode: "SendMessage" }),
  row("process.alive", [], bool, "is the process running"),
  row("process.status", [], string, "\"running\" (the caller), \"runnable\", \"waiting\" (in a receive), \"sleeping\" or \"parked\" (in a host call)", { errors: [C.noproc] }),
  row("process.mailbox_length", [], integer, "messages queued", { errors: [C.noproc] }),
  row("process.memory", [], integer, "heap bytes, as vm.memory() counts them", { errors: [C.noproc] }),
  row("process.reductions", [], integer, "reductions used since it started", { errors: [C.noproc] }),
  row("process.links", [], T.vector(process), "the processes it is linked to", { errors: [C.noproc] }),
  row("process.monitors", [], T.vector(process), "the processes it monitors (one entry a monitor)", { errors: [C.noproc] }),
  row("process.name", [], string, "its registered name (error \"not_found\" if none)", { errors: [C.noproc, C.not_found] }),
  row("process.current_function", [], string, "the function it is in now", { errors: [C.noproc] }),
  row("exit.process", [], process, "the process that ended"),
  row("exit.reason", [], string, "why it ended"),
  row("exit.ref", [], ref, "the monitor's ref (\"not_monitor\" for an exit over a link or from vm.kill)", { errors: [C.not_monitor] }),
  row("from.process", [], process, "the calling process"),
  // pointer
  row("pointer.free", [], nul, "free the allocation", { errors: [C.double_free, C.bad_pointer] }),
  row("pointer.claim(bytes)", [integer], nul, "grow the allocation to hold bytes", { errors: [...POINTER, C.range, C.heap_limit] }),
  row("pointer.offset(n)", [integer], pointer, "a pointer n bytes further on", { errors: [C.overflow, C.bad_pointer] }),
  row("pointer.read_byte", [], byte, "read one byte", { errors: POINTER }),
  row("pointer.write_byte(b)", [byte], nul, "write one byte", { errors: [...POINTER, C.range] }),
  row("pointer.read_integer", [], integer, "read a little-endian i32", { errors: POINTER }),
  row("pointer.write_integer(n)", [integer], nul, "write a little-endian i32", { errors: POINTER }),
  row("pointer.slice(n)", [integer], "target", "a slice[byte; n] view of n bytes", { special: "slice", errors: [...POINTER, C.range] }),
];

/**
 * Natives of the VM that no Kaylee call names: the code generator uses them for operators and
 * statements, and hand-written assembly may call them (`CallNative #string.compare 2`). Their
 * parameters include the receiver, `args[0]`.
 */
export const INTERNAL_NATIVES: readonly BuiltinSig[] = ([
  row("string.index(s, i)", [string, integer], char, "s[i] (the compiler emits IndexString)", { errors: [C.index_out_of_range] }),
  row("string.compare(a, b)", [string, string], integer, "-1, 0 or 1: the order of two strings (for < <= > >=)"),
  row("string.set_char(s, i, c)", [string, integer, char], string, "s with the char at i replaced (for-in write-back over a string)", { errors: [C.index_out_of_range] }),
  row("vector.extend(v, chunk)", ["any", "any"], nul, "append a chunk of elements (long vector literals)"),
  row("slice.index(s, i)", ["any", integer], byte, "s[i] on a slice", { errors: [C.index_out_of_range, ...POINTER] }),
  row("slice.set(s, i, b)", ["any", integer, byte], nul, "s[i] = b on a slice", { errors: [C.index_out_of_range, ...POINTER, C.range] }),
  row("error.with_message(e, message)", [T.error, string], T.error, "e with its message replaced (the {message: m} handler)"),
] as BuiltinSig[]).map((r) => ({ ...r, fallible: false })); // their `errors` are the codes of the faults they throw

export const VM_FUNCTIONS: ReadonlyMap<string, BuiltinSig> = new Map(VM_ROWS.map((r) => [r.name.slice(3), r]));
export const METHODS: ReadonlyMap<string, BuiltinSig> = new Map(METHOD_ROWS.map((r) => [r.name, r]));

/** The row of method `name` on a receiver of kind `kind` ("vector", "string"): its own, or one every type has (`value.into`). */
export function methodSig(kind: string, name: string): BuiltinSig | undefined {
  return METHODS.get(`${kind}.${name}`) ?? (kind === "fn" ? undefined : METHODS.get(`value.${name}`));
}

/** The names of the methods a receiver of kind `kind` has (every method when `kind` is undefined). */
export function methodNames(kind?: string): string[] {
  const names = [...METHODS.keys()].filter((k) => kind === undefined || k.startsWith(`${kind}.`) || (kind !== "fn" && k.startsWith("value.")));
  return [...new Set(names.map((k) => k.slice(k.indexOf(".") + 1)))];
}

/** String methods that, used as a statement on a place, change that place. */
export const STRING_IN_PLACE: ReadonlySet<string> = new Set(METHOD_ROWS.filter((r) => r.name.startsWith("string.") && r.mutates === "statement").map((r) => r.name.slice(7)));
/** Vector methods that mutate their receiver. */
export const VECTOR_MUTATORS: ReadonlySet<string> = new Set(METHOD_ROWS.filter((r) => r.name.startsWith("vector.") && r.mutates === "always").map((r) => r.name.slice(7)));

/**
 * Allowed `into()` conversions: from kind -> to kinds. `fallible` conversions may yield an
 * error value (parsing). Same type to same type is also allowed (a copy). Every other type
 * (vectors, tuples, processes, errors ...) converts to string only (`intoTargets`).
 */
export const INTO_TARGETS: ReadonlyMap<string, readonly string[]> = new Map(Object.entries({
  string: ["integer", "float", "string"],
  integer: ["float", "char", "byte", "string", "integer"],
  float: ["integer", "string", "float"],
  char: ["integer", "string", "char"],
  byte: ["integer", "string", "byte"],
  bool: ["string", "bool"],
  ref: ["string", "ref"],
  from: ["string", "from"],
}));

/** The kinds a value of kind `from` converts to with into(). */
export function intoTargets(from: string): readonly string[] {
  return INTO_TARGETS.get(from) ?? (from === "fn" ? [] : ["string"]);
}

/** Conversions that can fail (an error value): parsing, and narrowing to a smaller range. */
const INTO_FALLIBLE = new Set(["string>integer", "string>float", "integer>byte", "integer>char", "float>integer"]);

/** Can `from.into()` to `to` yield an error value? (Every other allowed conversion always succeeds.) */
export function intoIsFallible(from: Type, to: Type): boolean {
  return INTO_FALLIBLE.has(`${from.kind}>${to.kind}`);
}

/** Every row: the `vm` calls, then the methods. */
export const ALL_ROWS: readonly BuiltinSig[] = [...VM_ROWS, ...METHOD_ROWS];

/** The natives whose failures are error values (`"vm.sleep"`, `"vector.pop"`): those of fallible rows. */
export function fallibleNames(): string[] {
  return ALL_ROWS.filter((r) => r.fallible && r.impl.native !== undefined).map((r) => r.impl.native!);
}
