// The one catalogue of error codes: every code the VM, its natives and the standard library
// put on an error value or a fault, each with what it means. A program reads it with
// `x.code()`; a panic keeps the code of the error that caused it. Code elsewhere names a code
// as `C.index_out_of_range` (never as a string literal), so a fault has one code wherever it
// happens, in either tier. docs/language.md lists the same table (a test compares them).
// `vm.error(message, code)` may carry any code a program chooses; "error" is its default.

export const ERROR_CODES = {
  overflow: "integer or byte arithmetic left its range: `+ - * **`, unary `-`, `MIN / -1`, `abs()` of the minimum, `sum()`, a conversion (`into()`) to a type that cannot hold the value",
  division_by_zero: "integer or byte `/` or `%` by zero",
  index_out_of_range: "a position outside a string, vector, array or slice: `v[i]`, `s[i]`, `char_at`, `insert`, `remove`, `substring`, `slice`",
  empty: "`pop()`, `min()` or `max()` on an empty vector",
  range: "a value outside what the operation accepts: a negative duration, timeout or size, an empty `random_number` range, a negative exponent, a negative count or length (`repeat`, `pad_start`, `pad_end`), decimals outside 0..=100 (`format`), a number that is not a char or a byte, an unknown supervisor strategy or restart type, a memory region of the wrong length for a value or a copy (assembly's `>A B<`), a registered name longer than 255 characters",
  parse: "`into()` from a string whose text is not a number of the target type",
  eof: "`vm.get_user_input()` at the end of standard input",
  io: "reading or writing failed for another reason (a directory, a broken pipe)",
  not_found: "no such file, environment variable, registered name or supervisor child",
  permission_denied: "the program was not given the permission (`--allow-read`, `--allow-write`, `--allow-env`)",
  too_large: "a read would pass the reader's heap limit, or a string a method builds (`repeat`, `replace`, `pad_start`, `pad_end`, `join`) would be more than the process may hold; nothing was kept",
  timeout: "`vm.receive(ms)` found no message of its type in time, or `vm.call` no reply",
  noproc: "the process named is not alive",
  down: "the server of a `vm.call` ended during the call (the message is its exit reason)",
  bad_reply: "the reply to a `vm.call` has another type than the call expects",
  calling_self: "a `vm.call` to the calling process itself (it could never answer)",
  not_monitor: "`exit.ref()` of an exit that no monitor sent (it came over a link or from `vm.kill`)",
  already_registered: "the name, or the process, is already registered",
  not_supervisor: "a supervisor call on a process that is not a supervisor",
  shutdown: "the supervisor is shutting down",
  running: "a supervisor child is still running: `vm.delete_child` of a running child, `vm.restart_child` of a running temporary child",
  system_limit: "too many processes (`--max-processes`), a spawn past the host's memory ceiling, or more than 16,384 names registered at once",
  unsupported: "this VM was started without the feature the call needs",
  use_after_free: "linear memory used through a pointer or slice whose block was freed",
  double_free: "a block of linear memory freed twice",
  out_of_bounds: "a linear-memory access outside its block or its memory (or a region `>A B<` that ends before it starts)",
  bad_pointer: "a pointer that is not the start of its block, or that belongs to another process; an address operand (`&$n`, `>A B<`) that is not an integer",
  stack_overflow: "too many nested calls, or a full process stack",
  heap_limit: "the process's heap passed `--max-heap` (ends the process; no handler catches it)",
  mailbox_overflow: "a mailbox passed its limit (ends the receiver; no handler catches it)",
  native: "a native function or an extension opcode of the embedder failed",
  closed: "a value of a host type used after it was closed (its owner ended)",
  not_sendable: "a value of a host type whose type says `send: \"deny\"` in a message or a spawn's arguments",
  panic: "a `Panic` instruction of a hand-written module (its message is the string on the stack)",
  error: "the default code of `vm.error(message)`",
  bad_code: "a hand-written module did something the verifier cannot rule out (an operand of the wrong kind)",
  internal: "a fault inside Raft itself (a bug)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Each code under its own name: `C.overflow === "overflow"`. */
export const C: { readonly [K in ErrorCode]: K } = Object.freeze(
  Object.fromEntries(Object.keys(ERROR_CODES).map((k) => [k, k])) as { [K in ErrorCode]: K },
);
