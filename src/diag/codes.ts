// The one catalogue of diagnostic codes. Every diagnostic the compiler, the assembler, the
// verifier or the module loader reports comes from an entry here: the entry gives its stable
// code, its title (a template whose `{HOLES}` the call site fills: no title is free text), a
// long explanation, and a failing and a fixed example. `raft explain CODE` prints an entry,
// docs/diagnostics.md is generated from the catalogue, and tests check that every failing
// example fails with exactly its code, that every fixed example compiles and runs, and that
// every entry is produced by a golden program under test/diagnostics/.
//
// Codes: `E0001`... for Kaylee (the front end: lexer, parser, checker, code generator);
// `A0001`... for bytecode (the assembler and the verifier's refusals of assembly) and
// `A0101`... for modules (`.rbc` files and linking). A code is never renumbered or reused; a
// new entry takes the next free number of its range. A warning has a code from the same
// ranges (there are none yet); its entry's severity says so.
//
// An entry is also a function: `K.typeMismatch({ T: "integer", U: "string" })` makes the
// `Titled` a diagnostic is built from, and TypeScript checks the holes against the title.

/** How serious a diagnostic is; every entry has one. */
export type Severity = "error" | "warning";

/** The language of an entry's examples: Kaylee, Raft assembly, or shell commands (a module). */
export type ExampleLang = "kaylee" | "raft" | "shell";

declare const made: unique symbol;

/** A diagnostic's code, severity and filled-in title; only a catalogue entry makes one. */
export interface Titled {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
  readonly [made]: true;
}

/** What every entry says about itself (for listings, docs and `raft explain`). */
export interface CodeInfo {
  readonly code: string;
  /** The title as a template: `type mismatch: expected {T}, found {U}`. */
  readonly title: string;
  /** What lists call the entry when its title is little but holes (`{OP}: {WHY}`). */
  readonly summary: string | null;
  /** A bug of Raft's own, said as a diagnostic: no program causes it on purpose. */
  readonly internal: boolean;
  readonly severity: Severity;
  /** A few sentences: what is wrong and what to do instead. */
  readonly explain: string;
  readonly lang: ExampleLang;
  /** A program that fails with exactly this code, and the same program fixed. Null: an internal error no program can cause on purpose. */
  readonly bad: string | null;
  readonly good: string | null;
}

type Holes<S extends string> = S extends `${string}{${infer H}}${infer R}` ? H | Holes<R> : never;

/** The values of a title's holes. */
export type TitleArgs<S extends string> = { readonly [K in Holes<S>]: string | number };

export interface Entry<S extends string = string> extends CodeInfo {
  readonly title: S;
  (...args: [Holes<S>] extends [never] ? [] : [TitleArgs<S>]): Titled;
}

interface EntryInit<S extends string> {
  code: string;
  title: S;
  explain: string;
  bad: string | null;
  good: string | null;
  severity?: Severity;
  lang?: ExampleLang;
  summary?: string;
  internal?: boolean;
}

const HOLE = /\{([A-Z_]+)\}/g;

function entry<const S extends string>(init: EntryInit<S>): Entry<S> {
  // Every run builds the whole catalogue at start-up: the entry's fields go straight onto the
  // function, in one order for all entries (so that they share their shape).
  const make = ((args?: Readonly<Record<string, string | number>>): Titled =>
    ({ code: e.code, severity: e.severity, title: e.title.replace(HOLE, (_, h: string) => String(args?.[h] ?? `{${h}}`)) }) as Titled) as unknown as Record<keyof CodeInfo, unknown>;
  const e = make as unknown as Entry<S>;
  make.code = init.code;
  make.title = init.title;
  make.summary = init.summary ?? null;
  make.internal = init.internal ?? false;
  make.severity = init.severity ?? "error";
  make.explain = init.explain.trim();
  make.lang = init.lang ?? (init.code.startsWith("E") ? "kaylee" : "raft");
  make.bad = init.bad;
  make.good = init.good;
  return e;
}

/** A title template as docs show it: the holes as metavariables (`expected T, found U`). */
export function shownTitle(c: CodeInfo): string {
  return c.title.replace(HOLE, "$1");
}

/** What a list of codes calls an entry: its summary, or its title as docs show it. */
export function entryName(c: CodeInfo): string {
  return c.summary ?? shownTitle(c);
}

/** Does a diagnostic's title fit its entry's template? */
export function titleFits(c: CodeInfo, title: string): boolean {
  const parts = c.title.split(HOLE);
  // split with a capture group: even indexes are literal text, odd ones hole names.
  const re = parts.map((p, i) => (i % 2 ? "[^]*" : p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${re}$`).test(title);
}

// ── Kaylee ─────────────────────────────────────────────────────────────────────────────

export const K = {
  // Lexical
  unexpectedCharacter: entry({
    code: "E0001",
    title: "unexpected character",
    explain: `
A character that is not part of Kaylee appears outside a string, a char literal or a comment.
Kaylee's source is made of names, numbers, literals and the operators and punctuation of the
language; a run of other characters (a currency sign, a typographic quote pasted from a
document, a stray \`@\`) is reported once. Put such characters inside a string, or remove them.`,
    bad: `let euros: integer = 5€;\n`,
    good: `let euros: integer = 5;\nvm.println("" + euros.into() + "€");\n`,
  }),
  unterminatedString: entry({
    code: "E0002",
    title: "unterminated string",
    explain: `
A string literal starts with \`"\` and runs to the next \`"\` that is not escaped; this one
never ends, so the rest of the file would be part of it. Nothing after it is checked. Close
the string; to put a quote inside a string, escape it: \`"say \\"hi\\""\`.`,
    bad: `let s: string = "abc;\nvm.println(s);\n`,
    good: `let s: string = "abc";\nvm.println(s);\n`,
  }),
  unterminatedChar: entry({
    code: "E0003",
    title: "unterminated char literal",
    explain: `
A char literal is one character between single quotes, \`'a'\`, on one line. This one has no
closing quote before the end of the line. Close it, or, for text, use a string in double
quotes.`,
    bad: `let c: char = 'a;\n`,
    good: `let c: char = 'a';\nvm.println(c);\n`,
  }),
  emptyChar: entry({
    code: "E0004",
    title: "empty char literal",
    explain: `
\`''\` holds no character, and a \`char\` is always exactly one. Write the character between
the quotes (\`' '\` for a space), or use the empty string \`""\` where no text is meant.`,
    bad: `let c: char = '';\n`,
    good: `let c: char = ' ';\nvm.println(c == ' ');\n`,
  }),
  charTooLong: entry({
    code: "E0005",
    title: "char literal holds more than one character",
    explain: `
A char literal is exactly one Unicode character. Text of several characters is a string, in
double quotes.`,
    bad: `let greeting: char = 'hi';\n`,
    good: `let greeting: string = "hi";\nvm.println(greeting);\n`,
  }),
  unterminatedComment: entry({
    code: "E0006",
    title: "unterminated comment",
    explain: `
A block comment opened with \`/*\` is never closed with \`*/\`, so it runs to the end of the
file. Block comments nest: each \`/*\` inside one needs its own \`*/\`. Close it, or use \`//\`
for a comment to the end of the line.`,
    bad: `/* a comment\nvm.println("hi");\n`,
    good: `/* a comment */\nvm.println("hi");\n`,
  }),
  unknownEscape: entry({
    code: "E0007",
    title: "unknown escape",
    explain: `
In a string or char literal, a backslash starts an escape. Kaylee knows \`\\n \\t \\r \\0 \\\\
\\" \\'\` and \`\\u{...}\`; any other letter after the backslash is an error rather than a
silent surprise. For a backslash itself, write two: \`"C:\\\\temp"\`.`,
    bad: `let path: string = "C:\\data\\file";\n`,
    good: `let path: string = "C:\\\\data\\\\file";\nvm.println(path);\n`,
  }),
  badUnicodeEscape: entry({
    code: "E0008",
    title: "bad unicode escape",
    explain: `
\`\\u\` escapes a character by its code point: one to six hexadecimal digits in braces,
\`\\u{1F600}\`. The braces are required, and the number must be a Unicode scalar value (at most
\`10FFFF\`, and not a surrogate, \`D800\` to \`DFFF\`).`,
    bad: `let smile: string = "\\u1F600";\n`,
    good: `let smile: string = "\\u{1F600}";\nvm.println(smile);\n`,
  }),
  badNumber: entry({
    code: "E0009",
    title: "bad number literal",
    explain: `
A number literal is decimal (\`42\`, \`1_000\`, \`3.14\`, \`1e-3\`), hexadecimal (\`0x2A\`) or
binary (\`0b101010\`). This one has digits its base does not have, or letters glued to it
(\`12abc\`). A name cannot start with a digit.`,
    bad: `let mask: integer = 0b102;\n`,
    good: `let mask: integer = 0b101;\nvm.println(mask);\n`,
  }),

  // Syntax
  missingToken: entry({
    code: "E0010",
    title: "expected {WHAT}",
    explain: `
Something the grammar requires is missing after the code before it: most often the \`;\` that
ends every statement, or a \`)\` or \`]\` that closes what was opened. The caret points just
after the last thing that was read, where the missing piece belongs.`,
    bad: `let x: integer = 1\nvm.println(x);\n`,
    good: `let x: integer = 1;\nvm.println(x);\n`,
  }),
  unexpectedToken: entry({
    code: "E0011",
    title: "expected {WHAT}, found {FOUND}",
    explain: `
The parser expected one thing here and found another: a name where a keyword stands, a \`[\`
where a block's \`{\` must be, an operator where an expression must start. The title says what
would have fitted. Parsing goes on at the next statement, so later errors are reported too.`,
    bad: `let = 5;\n`,
    good: `let five = 5;\nvm.println(five);\n`,
  }),
  unexpectedEof: entry({
    code: "E0012",
    title: "unexpected end of file",
    explain: `
The file ends where an expression must come: the last statement is cut short. Finish it, or
remove it.`,
    bad: `let x: integer =`,
    good: `let x: integer = 1;\nvm.println(x);\n`,
  }),
  vmNotValue: entry({
    code: "E0013",
    title: "`vm` is not a value",
    explain: `
\`vm\` names the built-in functions (\`vm.println\`, \`vm.spawn\`, ...); it is not a value to
store, pass or print. Call one of its functions instead.`,
    bad: `let out = vm;\n`,
    good: `vm.println("hello");\n`,
  }),
  vmNotCalled: entry({
    code: "E0014",
    title: "`vm` functions must be called",
    explain: `
A \`vm\` function is only ever called: \`vm.self()\`, not \`vm.self\`. There are no function
values to pass around; to start a function in a process, pass a top-level function's name to
\`vm.spawn\`.`,
    bad: `let me: process = vm.self;\n`,
    good: `let me: process = vm.self();\nvm.println(me.alive());\n`,
  }),
  emptyParens: entry({
    code: "E0015",
    title: "empty parentheses",
    explain: `
\`()\` is not a value in Kaylee: there is no unit value. For "nothing", use \`null\`; a call
with no arguments is written with the function's name before the parentheses.`,
    bad: `let nothing = ();\n`,
    good: `let nothing: null = null;\nvm.println(nothing);\n`,
  }),
  callNotNamed: entry({
    code: "E0016",
    title: "only named functions can be called",
    explain: `
Kaylee calls top-level functions by name (\`f(x)\`), methods on a value (\`v.len()\`) and the
\`vm\` functions (\`vm.println(x)\`). Anything else followed by parentheses, such as a number, a
string or a parenthesised expression, cannot be called: there are no function values.`,
    bad: `fn double(n: integer) -> integer { return n * 2; }\nvm.println((double)(4));\n`,
    good: `fn double(n: integer) -> integer { return n * 2; }\nvm.println(double(4));\n`,
  }),
  noRanges: entry({
    code: "E0017",
    title: "Kaylee has no ranges: count with a variable in a `loop`",
    explain: `
\`a..b\` is not an expression: Kaylee has no ranges. To count, keep a counter in a variable and
\`loop\` until it reaches the end; \`for x in xs\` walks a vector, an array, a string or a slice.`,
    bad: `for i in 0..3 {\n    vm.println(i);\n}\n`,
    good: `let i = 0;\nloop {\n    if (i == 3) { break; }\n    vm.println(i);\n    i++;\n}\n`,
  }),
  badTupleField: entry({
    code: "E0018",
    title: "bad tuple field",
    explain: `
A tuple's parts are read by position: \`t.0\`, \`t.1\`, ..., a plain decimal number after the
dot. Hex, binary or underscores are not field numbers.`,
    bad: `let t: (string, integer) = ("a", 1);\nvm.println(t.0x1);\n`,
    good: `let t: (string, integer) = ("a", 1);\nvm.println(t.1);\n`,
  }),
  methodNotCalled: entry({
    code: "E0019",
    title: "methods must be called",
    explain: `
Values have methods, not fields (only tuples have parts, \`t.0\`). A method is always called,
with parentheses, even when it takes no arguments: \`s.length()\`.`,
    bad: `let s: string = "hello";\nvm.println(s.length);\n`,
    good: `let s: string = "hello";\nvm.println(s.length());\n`,
  }),
  handlerNeedsValue: entry({
    code: "E0020",
    title: "`{WORD}` needs a value",
    explain: `
An error handler after a call is \`{panic}\`, \`{panic: message}\`, \`{message: text}\` or
\`{default: value}\`. \`default\` and \`message\` need their value after a colon: the value to use
instead of the error, or the message to panic with.`,
    bad: `let n: integer = "12".into(){default};\n`,
    good: `let n: integer = "12".into(){default: 0};\nvm.println(n);\n`,
  }),
  nestingTooDeep: entry({
    code: "E0021",
    title: "nesting too deep",
    explain: `
Blocks, parentheses and expressions are nested more deeply than the compiler accepts (a few
hundred levels). The limit keeps compiling any file safe for the host; real programs stay far
below it. Split the code into smaller expressions or functions.`,
    bad: `let x: integer = ${"(".repeat(300)}1${")".repeat(300)};\n`,
    good: `let x: integer = ((1));\nvm.println(x);\n`,
  }),
  expressionTooLong: entry({
    code: "E0022",
    title: "expression too long",
    explain: `
One expression chains more operations than the compiler accepts (a few hundred). The limit
keeps compiling any file safe for the host. Split the expression with variables.`,
    bad: `let x: integer = 0${" + 1".repeat(300)};\n`,
    good: `let x: integer = 0 + 1 + 1;\nx = x + 1 + 1;\nvm.println(x);\n`,
  }),
  unexpectedCloseBrace: entry({
    code: "E0023",
    title: "unexpected `}`",
    explain: `
A \`}\` at the top level of the file closes nothing: there are more closing braces than opening
ones. Check that the braces of the blocks above it match.`,
    bad: `fn f() {\n    vm.println(1);\n}\n}\nf();\n`,
    good: `fn f() {\n    vm.println(1);\n}\nf();\n`,
  }),
  paramNeedsType: entry({
    code: "E0024",
    title: "parameter needs a type",
    explain: `
Every parameter of a function has a type, written after a colon: \`fn add(a: integer, b:
integer)\`. Kaylee does not infer parameter types.`,
    bad: `fn twice(n) -> integer { return n * 2; }\n`,
    good: `fn twice(n: integer) -> integer { return n * 2; }\nvm.println(twice(4));\n`,
  }),
  nestedFunction: entry({
    code: "E0025",
    title: "functions are declared at top level",
    explain: `
A function is declared at the top level of a file, never inside a block or another function.
Functions see their parameters and their own variables only, so moving one out changes
nothing: pass it what it needs.`,
    bad: `fn outer() {\n    fn inner() { }\n    inner();\n}\n`,
    good: `fn inner() { vm.println("inner"); }\nfn outer() {\n    inner();\n}\nouter();\n`,
  }),
  unclosed: entry({
    code: "E0026",
    title: "unclosed {WHAT}",
    explain: `
A block or a \`receive\` opened with \`{\` is never closed: the file ends first. The caret
points at the \`{\` that has no \`}\`.`,
    bad: `fn f() {\n    vm.println(1);\n`,
    good: `fn f() {\n    vm.println(1);\n}\nf();\n`,
  }),
  elseWithoutIf: entry({
    code: "E0027",
    title: "`else` without `if`",
    explain: `
\`else\` continues an \`if\`: it must follow the \`if\` block's closing \`}\`. Here it follows
something else, often because a \`;\` or another statement stands between them.`,
    bad: `let n = 3;\nif (n > 2) { vm.println("big"); }\nvm.println("checked");\nelse { vm.println("small"); }\n`,
    good: `let n = 3;\nif (n > 2) { vm.println("big"); }\nelse { vm.println("small"); }\n`,
  }),
  noWhile: entry({
    code: "E0028",
    title: "Kaylee has no `while`; use `loop` with `break`",
    explain: `
Kaylee has one loop for conditions, \`loop { }\`, left with \`break\` (and \`for x in xs\` to walk
a collection). A \`while (c) { }\` is written \`loop { if (!(c)) { break; } ... }\`.`,
    bad: `let i = 0;\nwhile (i < 3) {\n    i++;\n}\n`,
    good: `let i = 0;\nloop {\n    if (!(i < 3)) { break; }\n    i++;\n}\nvm.println(i);\n`,
  }),
  secondAfter: entry({
    code: "E0029",
    title: "a second `after` in one receive",
    explain: `
A \`receive\` has at most one \`after MS => { }\` clause: the time it waits before giving up.
Keep one timeout.`,
    bad: `receive {\n    n: integer => { vm.println(n); }\n    after 100 => { }\n    after 200 => { }\n}\n`,
    good: `receive {\n    n: integer => { vm.println(n); }\n    after 100 => { vm.println("no message"); }\n}\n`,
  }),
  armAfterAfter: entry({
    code: "E0030",
    title: "an arm after the `after` clause",
    explain: `
The \`after\` clause of a \`receive\` comes last, after every arm. Move it to the end.`,
    bad: `receive {\n    after 100 => { }\n    n: integer => { vm.println(n); }\n}\n`,
    good: `receive {\n    n: integer => { vm.println(n); }\n    after 100 => { vm.println("no message"); }\n}\n`,
  }),
  emptyReceive: entry({
    code: "E0031",
    title: "a receive with no arms",
    explain: `
\`receive { }\` with neither an arm nor an \`after\` clause would wait forever for nothing. Give
it an arm for each type of message it takes, or an \`after\` clause; to pause, use
\`vm.sleep(ms)\`.`,
    bad: `receive { }\n`,
    good: `receive {\n    after 10 => { vm.println("waited"); }\n}\n`,
  }),
  armNeedsType: entry({
    code: "E0032",
    title: "a receive arm needs a type",
    explain: `
An arm of a \`receive\` is \`name: type => { ... }\`: the type says which messages the arm takes,
and the name holds the message in its block. The type cannot be left out.`,
    bad: `receive {\n    msg => { vm.println(msg); }\n}\n`,
    good: `vm.self().send("hi");\nreceive {\n    msg: string => { vm.println(msg); }\n}\n`,
  }),
  conditionParens: entry({
    code: "E0033",
    title: "missing parentheses around the condition",
    explain: `
Kaylee writes the condition of an \`if\` in parentheses: \`if (x > 0) { }\`.`,
    bad: `let x = 1;\nif x > 0 {\n    vm.println(x);\n}\n`,
    good: `let x = 1;\nif (x > 0) {\n    vm.println(x);\n}\n`,
  }),
  typeNeedsLength: entry({
    code: "E0034",
    title: "{NAME} type needs a length",
    explain: `
An array or slice type says how many elements it holds: \`array[integer; 3]\`. For a
collection that grows, use \`vector[integer]\`.`,
    bad: `let a: array[integer] = [1, 2, 3];\n`,
    good: `let a: array[integer; 3] = [1, 2, 3];\nvm.println(a);\n`,
  }),
  expectedLength: entry({
    code: "E0035",
    title: "expected a length",
    explain: `
The length in an array or slice type is a whole number written in the type,
\`array[integer; 3]\`: it is part of the type, known when the program compiles, so it cannot
be a variable or an expression.`,
    bad: `let n = 3;\nlet a: array[integer; n] = [1, 2, 3];\n`,
    good: `let a: array[integer; 3] = [1, 2, 3];\nvm.println(a);\n`,
  }),

  // Types
  needsElementType: entry({
    code: "E0036",
    title: "`{NAME}` needs an element type",
    explain: `
\`vector\`, \`array\` and \`slice\` are not types on their own: they say what they hold, in
brackets: \`vector[string]\`, \`array[integer; 4]\`.`,
    bad: `let names: vector = ["ada", "bob"];\n`,
    good: `let names: vector[string] = ["ada", "bob"];\nvm.println(names);\n`,
  }),
  unknownType: entry({
    code: "E0037",
    title: "unknown type `{NAME}`",
    explain: `
The name is not one of Kaylee's types: \`null\`, \`integer\`, \`float\`, \`byte\`, \`char\`,
\`bool\`, \`string\`, \`error\`, \`pointer\`, \`process\`, \`exit\`, \`ref\`, \`from\`,
\`vector[T]\`, \`array[T; N]\`, \`slice[T; N]\` and tuples \`(T1, T2)\`, and the types an
embedder registers. There are no user-defined types. The hint names the nearest type when
the name looks like another language's (\`int\`, \`str\`).`,
    bad: `let count: int = 5;\n`,
    good: `let count: integer = 5;\nvm.println(count);\n`,
  }),
  tupleTypeTooShort: entry({
    code: "E0038",
    title: "a tuple type needs at least two parts",
    explain: `
A tuple type lists two or more types in parentheses: \`(string, integer)\`. One type in
parentheses is just that type; write it without them.`,
    bad: `let t: (integer) = 5;\n`,
    good: `let t: (integer, integer) = (5, 6);\nvm.println(t);\n`,
  }),
  typeTooDeep: entry({
    code: "E0039",
    title: "type nested too deep",
    explain: `
A type nests vectors, arrays, slices or tuples more deeply than the compiler accepts. The
limit keeps every value's type small enough to check and copy safely; real data stays far
below it. Name the inner values with fewer levels, or split the data.`,
    bad: `let v: ${"vector[".repeat(64)}integer${"]".repeat(64)} = [];\n`,
    good: `let v: vector[vector[integer]] = [];\nvm.println(v);\n`,
  }),

  // Names and declarations
  duplicateFunction: entry({
    code: "E0040",
    title: "the function `{NAME}` is defined twice",
    explain: `
Two top-level functions have the same name. Kaylee has no overloading: each function name
means one function. Rename one of them.`,
    bad: `fn show(n: integer) { vm.println(n); }\nfn show(s: string) { vm.println(s); }\n`,
    good: `fn show_number(n: integer) { vm.println(n); }\nfn show_text(s: string) { vm.println(s); }\nshow_number(1);\nshow_text("a");\n`,
  }),
  duplicateParameter: entry({
    code: "E0041",
    title: "the parameter `{NAME}` is declared twice",
    explain: `
Two parameters of one function have the same name, so the second would hide the first. Give
each its own name.`,
    bad: `fn add(a: integer, a: integer) -> integer { return a + a; }\n`,
    good: `fn add(a: integer, b: integer) -> integer { return a + b; }\nvm.println(add(1, 2));\n`,
  }),
  letNeedsType: entry({
    code: "E0042",
    title: "`{NAME}` needs a type",
    explain: `
A variable declared without a value, \`let x: T;\`, must say its type: there is no value to
take it from. Give it a type (and assign it before it is read), or give it a value.`,
    bad: `let total;\ntotal = 5;\n`,
    good: `let total: integer;\ntotal = 5;\nvm.println(total);\n`,
  }),
  redeclared: entry({
    code: "E0043",
    title: "`{NAME}` is already declared in this block",
    explain: `
A block declares each name once. To change a variable, assign to it (\`x = 2;\`); a new
\`let\` with the same name is allowed only in an inner block, where it hides the outer one
until the block ends.`,
    bad: `let x: integer = 1;\nlet x: integer = 2;\n`,
    good: `let x: integer = 1;\nx = 2;\nvm.println(x);\n`,
  }),
  unknownName: entry({
    code: "E0044",
    title: "cannot find `{NAME}` in this scope",
    explain: `
No variable, parameter or function of this name is visible here. A variable exists from its
\`let\` to the end of its block; check the spelling (the hint suggests a near name) or declare
it first.`,
    bad: `let count: integer = 1;\nvm.println(cuont);\n`,
    good: `let count: integer = 1;\nvm.println(count);\n`,
  }),
  mainNameInFunction: entry({
    code: "E0045",
    title: "cannot find `{NAME}` in `{FN}`",
    explain: `
Statements at the top level of a file form the main program, and their variables belong to
it: functions cannot see them. A function sees only its parameters and its own variables, so
that it can run in any process. Pass the value in as a parameter.`,
    bad: `let limit: integer = 10;\nfn small(n: integer) -> bool {\n    return n < limit;\n}\nvm.println(small(3));\n`,
    good: `let limit: integer = 10;\nfn small(n: integer, limit: integer) -> bool {\n    return n < limit;\n}\nvm.println(small(3, limit));\n`,
  }),
  functionAsValue: entry({
    code: "E0046",
    title: "`{NAME}` is a function, not a value",
    explain: `
A function's name is not a value: it cannot be stored, printed or passed to another
function. Call it with parentheses. The only places a bare function name stands are the
functions that start processes: \`vm.spawn(worker)\`, \`vm.spawn_link\`, \`vm.spawn_monitor\` and
\`vm.start_child\`.`,
    bad: `fn answer() -> integer { return 42; }\nlet x = answer;\n`,
    good: `fn answer() -> integer { return 42; }\nlet x = answer();\nvm.println(x);\n`,
  }),
  unknownFunction: entry({
    code: "E0047",
    title: "cannot find function `{NAME}`",
    explain: `
No top-level function has this name. Functions may be declared after they are used, anywhere
at the top level of the file. Check the spelling (the hint suggests a near name); for a
built-in, write \`vm.\` in front: \`vm.println(x)\`.`,
    bad: `fn fib(n: integer) -> integer { return n; }\nvm.println(fibb(3));\n`,
    good: `fn fib(n: integer) -> integer { return n; }\nvm.println(fib(3));\n`,
  }),
  notAFunction: entry({
    code: "E0048",
    title: "`{NAME}` is not a function",
    explain: `
The name belongs to a variable, and only top-level functions are called with \`name(...)\`.
Kaylee has no function values; rename the variable or call the function you meant.`,
    bad: `let total: integer = 5;\nvm.println(total(2));\n`,
    good: `let total: integer = 5;\nvm.println(total * 2);\n`,
  }),
  unknownVmFunction: entry({
    code: "E0049",
    title: "`vm` has no function `{NAME}`",
    explain: `
The \`vm\` functions are a fixed set (listed in the standard library reference), plus the
natives an embedder registers. Check the spelling; the hint suggests a near name.`,
    bad: `vm.prinln("hi");\n`,
    good: `vm.println("hi");\n`,
  }),
  unknownMethod: entry({
    code: "E0050",
    title: "no method `{NAME}` on {T}",
    explain: `
The value's type has no method of this name. Each type's methods are listed in the standard
library reference; the hint suggests a near name or lists what the type has.`,
    bad: `let s: string = "hi";\nvm.println(s.size());\n`,
    good: `let s: string = "hi";\nvm.println(s.length());\n`,
  }),
  useBeforeAssign: entry({
    code: "E0051",
    title: "`{NAME}` is used before it is assigned",
    explain: `
A variable declared without a value, \`let x: T;\`, must be assigned on every path before it
is read. Here some path reaches the read without an assignment: perhaps only one branch of an
\`if\` assigns it. Assign it on every path, or give it a value where it is declared.`,
    bad: `let x: integer;\nlet ok = true;\nif (ok) { x = 1; }\nvm.println(x);\n`,
    good: `let x: integer;\nlet ok = true;\nif (ok) { x = 1; } else { x = 0; }\nvm.println(x);\n`,
  }),

  // Types of expressions
  typeMismatch: entry({
    code: "E0052",
    title: "type mismatch: expected {T}, found {U}",
    explain: `
A value of one type stands where another is expected: in a variable of a declared type, an
argument, a return value, an element of a collection or a handler's default. Kaylee never
converts implicitly; convert with \`.into()\` where a conversion exists (the hint says which),
or fix the type.`,
    bad: `let guess: integer = "five";\n`,
    good: `let guess: integer = "5".into(){default: 0};\nvm.println(guess);\n`,
  }),
  mismatchedOperands: entry({
    code: "E0053",
    title: "mismatched types: {T} {OP} {U}",
    explain: `
Both sides of an operator have the same type: Kaylee never converts implicitly, not even an
integer to a float, nor a number to a string in \`+\`. Convert one side with \`.into()\`.`,
    bad: `let n: integer = 3;\nvm.println("n = " + n);\n`,
    good: `let n: integer = 3;\nvm.println("n = " + n.into());\n`,
  }),
  operatorType: entry({
    code: "E0054",
    title: "`{OP}` does not work on {T}",
    explain: `
The operator is not defined for this type. Arithmetic works on integer, float and byte (and
\`+\` joins strings); ordering (\`<\`, \`>=\`, ...) on integer, float, byte, char and string; bit
operators on integer and byte; \`++\` and \`--\` on numbers; \`==\` on everything but functions.`,
    bad: `let a: bool = true;\nlet b: bool = false;\nvm.println(a < b);\n`,
    good: `let a: integer = 1;\nlet b: integer = 2;\nvm.println(a < b);\n`,
  }),
  notNeedsBool: entry({
    code: "E0055",
    title: "`!` needs a bool, found {T}",
    explain: `
\`!\` negates a \`bool\`. Numbers and strings are not true or false in Kaylee: compare them
instead (\`n == 0\`, \`s.length() == 0\`).`,
    bad: `let n: integer = 0;\nlet empty: bool = !n;\n`,
    good: `let n: integer = 0;\nlet empty: bool = n == 0;\nvm.println(empty);\n`,
  }),
  logicNeedsBool: entry({
    code: "E0056",
    title: "`{OP}` needs bool operands, found {T}",
    explain: `
\`&&\` and \`||\` combine \`bool\` values. Numbers are not true or false in Kaylee: compare them
(\`n != 0\`); for bits, use \`&\` and \`|\`.`,
    bad: `let a: integer = 1;\nlet b: bool = true;\nvm.println(a && b);\n`,
    good: `let a: integer = 1;\nlet b: bool = true;\nvm.println(a != 0 && b);\n`,
  }),
  cannotNegate: entry({
    code: "E0057",
    title: "cannot negate {T}",
    explain: `
Unary \`-\` works on integer and float. For a \`bool\`, use \`!\`.`,
    bad: `let s: string = "5";\nvm.println(-s);\n`,
    good: `let s: string = "5";\nlet n: integer = s.into(){default: 0};\nvm.println(-n);\n`,
  }),
  conditionNotBool: entry({
    code: "E0058",
    title: "a condition must be a bool, found {T}",
    explain: `
The condition of an \`if\` is a \`bool\`. Kaylee does not treat numbers, strings or collections as
true or false: compare them.`,
    bad: `let n: integer = 3;\nif (n) { vm.println(n); }\n`,
    good: `let n: integer = 3;\nif (n != 0) { vm.println(n); }\n`,
  }),
  isOnlyError: entry({
    code: "E0059",
    title: "`is` only tests for `error`",
    explain: `
\`x is error\` asks whether a value is an error value; that is the only test \`is\` makes. The
other types are known when the program compiles, so there is nothing to test.`,
    bad: `let n: integer = 1;\nvm.println(n is integer);\n`,
    good: `let n: integer = "12".into();\nvm.println(n is error);\n`,
  }),
  indexNotInteger: entry({
    code: "E0060",
    title: "an index must be an integer, found {T}",
    explain: `
Vectors, arrays, slices and strings are indexed by an \`integer\` position from 0. Convert
another number with \`.into()\`.`,
    bad: `let v: vector[integer] = [10, 20];\nvm.println(v[1.0]);\n`,
    good: `let v: vector[integer] = [10, 20];\nvm.println(v[1]);\n`,
  }),
  cannotIndex: entry({
    code: "E0061",
    title: "cannot index {T}",
    explain: `
Indexing, \`x[i]\`, works on vectors, arrays, slices and strings. A tuple's parts are read
with \`t.0\`, \`t.1\`, ...; other values have no elements.`,
    bad: `let t: (string, integer) = ("a", 1);\nvm.println(t[0]);\n`,
    good: `let t: (string, integer) = ("a", 1);\nvm.println(t.0);\n`,
  }),
  indexOutOfRange: entry({
    code: "E0062",
    title: "index out of range",
    explain: `
An array (or a slice) has a fixed length, known when the program compiles, so a constant
index past its end is certain to fail and is refused. Indexes run from 0 to the length minus
one. With a handler around it, \`a[3]{default: 0}\`, the program compiles and the handler takes
the failure when it runs, as it would for any index.`,
    bad: `let a: array[integer; 3] = [1, 2, 3];\nvm.println(a[3]);\n`,
    good: `let a: array[integer; 3] = [1, 2, 3];\nvm.println(a[2]);\n`,
  }),
  noFields: entry({
    code: "E0063",
    title: "{T} has no fields",
    explain: `
Only tuples have parts read with \`.0\`, \`.1\`, .... For the elements of a vector, array or
string, index it: \`v[0]\`.`,
    bad: `let v: vector[integer] = [1, 2];\nvm.println(v.0);\n`,
    good: `let v: vector[integer] = [1, 2];\nvm.println(v[0]);\n`,
  }),
  noSuchField: entry({
    code: "E0064",
    title: "no field {N} on {T}",
    explain: `
A tuple with N parts has fields \`.0\` to \`.N-1\`; this one asks for a part the tuple does not
have.`,
    bad: `let t: (string, integer) = ("a", 1);\nvm.println(t.2);\n`,
    good: `let t: (string, integer) = ("a", 1);\nvm.println(t.1);\n`,
  }),
  arrayLength: entry({
    code: "E0065",
    title: "wrong array length: expected {N} elements, found {M}",
    explain: `
An \`array[T; N]\` holds exactly N elements, so a list literal given for it has N. Give every
element, or use a \`vector[T]\`, which has any length.`,
    bad: `let a: array[integer; 3] = [1, 2];\n`,
    good: `let a: array[integer; 3] = [1, 2, 0];\nvm.println(a);\n`,
  }),
  emptyListType: entry({
    code: "E0066",
    title: "cannot tell the type of an empty list",
    explain: `
\`[]\` could be a vector of anything, and nothing around it says what. Annotate the variable:
\`let v: vector[integer] = [];\`.`,
    bad: `let v = [];\n`,
    good: `let v: vector[integer] = [];\nv.push(1);\nvm.println(v);\n`,
  }),
  integerRange: entry({
    code: "E0067",
    title: "integer literal out of range",
    explain: `
An \`integer\` is a 32-bit signed number, -2147483648 to 2147483647, and this literal does not
fit. Kaylee has no larger integer type; use a \`float\` for larger (inexact) numbers.`,
    bad: `let big: integer = 3000000000;\n`,
    good: `let big: float = 3000000000.0;\nvm.println(big);\n`,
  }),
  byteRange: entry({
    code: "E0068",
    title: "byte literal out of range",
    explain: `
A \`byte\` is 0 to 255; an integer literal where a byte is expected must fit.`,
    bad: `let b: byte = 256;\n`,
    good: `let b: byte = 255;\nvm.println(b);\n`,
  }),
  floatRange: entry({
    code: "E0069",
    title: "float literal out of range",
    explain: `
A \`float\` is 32 bits (f32): its largest finite value is about 3.4e38, and this literal is
larger, so it would become infinity.`,
    bad: `let huge: float = 1e39;\n`,
    good: `let huge: float = 1e38;\nvm.println(huge);\n`,
  }),
  assignToStringChar: entry({
    code: "E0070",
    title: "cannot assign to a character of a string",
    explain: `
Strings are values changed as a whole: \`s[i]\` reads a character but cannot be assigned. Build
the new string instead, with \`+\`, \`push()\`, \`replace()\` or \`substring()\`.`,
    bad: `let s: string = "cat";\ns[0] = 'b';\n`,
    good: `let s: string = "cat";\ns = "b" + s.substring(1, 3);\nvm.println(s);\n`,
  }),
  notAssignable: entry({
    code: "E0071",
    title: "cannot assign to {WHAT}",
    explain: `
The left side of \`=\` (or \`+=\`, \`++\`, ...) is a place that holds a value: a variable, an
element \`v[i]\` or a tuple part \`t.0\` of a variable. A call's result or a literal is not a
place.`,
    bad: `fn f() -> integer { return 1; }\nf() = 2;\n`,
    good: `fn f() -> integer { return 1; }\nlet x = f();\nx = 2;\nvm.println(x);\n`,
  }),

  // Statements
  outsideLoop: entry({
    code: "E0072",
    title: "`{KW}` outside a loop",
    explain: `
\`break\` leaves the innermost \`loop { }\` or \`for\`, and \`continue\` starts its next pass; there
is no loop around this one. To leave a function, use \`return\`; to end the program,
\`vm.exit(code)\`.`,
    bad: `let x: integer = 1;\nbreak;\n`,
    good: `loop {\n    vm.println(1);\n    break;\n}\n`,
  }),
  cannotLoopOver: entry({
    code: "E0073",
    title: "cannot loop over {T}",
    explain: `
\`for x in xs\` walks a vector, an array, a string (its characters) or a byte slice. To count,
use a counter and \`loop\`.`,
    bad: `let n: integer = 3;\nfor i in n {\n    vm.println(i);\n}\n`,
    good: `let v: vector[integer] = [0, 1, 2];\nfor i in v {\n    vm.println(i);\n}\n`,
  }),
  mainReturnsValue: entry({
    code: "E0074",
    title: "the main program cannot return a value",
    explain: `
The top level of a file is the main program; \`return;\` ends it, but it has no caller to give
a value to. To end with an exit code, use \`vm.exit(code)\`.`,
    bad: `return 1;\n`,
    good: `vm.exit(0);\n`,
  }),
  returnsNothing: entry({
    code: "E0075",
    title: "`{NAME}` returns nothing",
    explain: `
The function has no return type, so it returns nothing (\`null\`), yet this \`return\` gives a
value. Declare the return type after the parameters: \`fn f() -> integer { }\`.`,
    bad: `fn f() { return 5; }\n`,
    good: `fn f() -> integer { return 5; }\nvm.println(f());\n`,
  }),
  missingReturnValue: entry({
    code: "E0076",
    title: "missing return value: `{NAME}` returns {T}",
    explain: `
The function declares a return type, so every \`return\` in it gives a value of that type. A
bare \`return;\` gives none.`,
    bad: `fn f(n: integer) -> integer {\n    if (n < 0) { return; }\n    return n;\n}\n`,
    good: `fn f(n: integer) -> integer {\n    if (n < 0) { return 0; }\n    return n;\n}\nvm.println(f(-1));\n`,
  }),
  missingReturn: entry({
    code: "E0077",
    title: "missing return: `{NAME}` may end without returning {T}",
    explain: `
A function with a return type must return a value on every path. Here some path reaches the
end of the body without a \`return\`: often an \`if\` without an \`else\`. Add a \`return\` at the
end, or on every path. A \`loop\` that is only left by \`return\` counts as returning.`,
    bad: `fn sign(n: integer) -> integer {\n    if (n > 0) { return 1; }\n}\n`,
    good: `fn sign(n: integer) -> integer {\n    if (n > 0) { return 1; }\n    return 0;\n}\nvm.println(sign(3));\n`,
  }),

  // Calls
  argumentCount: entry({
    code: "E0078",
    title: "wrong number of arguments: {WHAT} takes {N}, found {M}",
    explain: `
A call gives each parameter of the function (or method, or \`vm\` function) exactly one
argument; a few built-ins have optional trailing parameters, and the title says the range.
Kaylee has no default arguments.`,
    bad: `fn add(a: integer, b: integer) -> integer { return a + b; }\nvm.println(add(1));\n`,
    good: `fn add(a: integer, b: integer) -> integer { return a + b; }\nvm.println(add(1, 2));\n`,
  }),
  spawnArgumentCount: entry({
    code: "E0079",
    title: "wrong number of arguments for `{NAME}`: it takes {N}, found {M}",
    explain: `
\`vm.spawn(f, args...)\` (and \`spawn_link\`, \`spawn_monitor\`, \`start_child\`) starts \`f\` in a new
process with the arguments after its name, so they must match \`f\`'s parameters, one for
each.`,
    bad: `fn worker(parent: process, name: string) { parent.send(name); }\nvm.spawn(worker, vm.self());\n`,
    good: `fn worker(parent: process, name: string) { parent.send(name); }\nvm.spawn(worker, vm.self(), "one");\nlet m: string = vm.receive();\nvm.println(m);\n`,
  }),
  needsFunctionName: entry({
    code: "E0080",
    title: "vm.{NAME} needs a function name",
    explain: `
The functions that start processes take the name of a top-level function as their first
argument (after the supervisor and restart type, for \`start_child\`): \`vm.spawn(worker,
args...)\`. A call, a variable or any other expression is not a function name.`,
    bad: `fn worker(parent: process) { parent.send("done"); }\nvm.spawn(worker(vm.self()));\n`,
    good: `fn worker(parent: process) { parent.send("done"); }\nvm.spawn(worker, vm.self());\nlet m: string = vm.receive();\nvm.println(m);\n`,
  }),
  cannotSend: entry({
    code: "E0081",
    title: "cannot send {T}",
    explain: `
A message is a value copied into another process's mailbox. A pointer or a slice names linear
memory, which belongs to one process and is never shared: send the bytes' values instead, in
a vector.`,
    bad: `let p: pointer = vm.alloc(4);\nvm.self().send(p);\n`,
    good: `let bytes: vector[byte] = [1, 2, 3, 4];\nvm.self().send(bytes);\nlet m: vector[byte] = vm.receive();\nvm.println(m);\n`,
  }),
  receiveTypeUnknown: entry({
    code: "E0082",
    title: "cannot tell which type of message to receive",
    explain: `
\`vm.receive()\` takes the oldest message of the type expected where it stands, so that type
must be known: annotate the variable, \`let m: integer = vm.receive();\`, or use the \`receive\`
statement to wait for several types.`,
    bad: `let m = vm.receive();\n`,
    good: `vm.self().send(1);\nlet m: integer = vm.receive();\nvm.println(m);\n`,
  }),
  cannotReceive: entry({
    code: "E0083",
    title: "cannot receive {T}",
    explain: `
Messages are values of any type but \`error\` (an error value is never sent: it is handled
where it arises) and functions. Receive the type the sender sends.`,
    bad: `let e: error = vm.receive();\n`,
    good: `vm.self().send("failed");\nlet reason: string = vm.receive();\nvm.println(reason);\n`,
  }),
  replyTypeUnknown: entry({
    code: "E0084",
    title: "cannot tell which type of reply to wait for",
    explain: `
\`vm.call(server, request, ms)\` waits for a reply of the type expected where it stands, so
that type must be known: annotate the variable, \`let answer: string = vm.call(...)\`, or give a
handler's default.`,
    bad: `fn server() { }\nlet p = vm.spawn(server);\nlet answer = vm.call(p, "ping", 100);\n`,
    good: `fn server() {\n    let req: (from, string) = vm.receive();\n    vm.reply(req.0, "pong");\n}\nlet p = vm.spawn(server);\nlet answer: string = vm.call(p, "ping", 1000);\nvm.println(answer);\n`,
  }),
  cannotWaitFor: entry({
    code: "E0085",
    title: "cannot wait for {T}",
    explain: `
A reply is a message, so \`vm.call\` waits for a value of any type but \`error\` and functions.
A failed call is already an error value of its own (timeout, noproc, ...): ask for the type
the server replies with.`,
    bad: `fn server() { }\nlet p = vm.spawn(server);\nlet e: error = vm.call(p, "ping", 100);\n`,
    good: `fn server() {\n    let req: (from, string) = vm.receive();\n    vm.reply(req.0, "pong");\n}\nlet p = vm.spawn(server);\nlet answer: string = vm.call(p, "ping", 1000);\nvm.println(answer);\n`,
  }),
  unknownSupervisorName: entry({
    code: "E0086",
    title: 'unknown {WHAT} "{NAME}"',
    explain: `
A supervisor's strategy is one of \`"one_for_one"\`, \`"one_for_all"\` and \`"rest_for_one"\`, and
a child's restart type one of \`"permanent"\`, \`"transient"\` and \`"temporary"\`. When the name
is written as a literal, it is checked when the program compiles.`,
    bad: `let sup: process = vm.supervisor("one_for_everyone", 3, 5000);\n`,
    good: `let sup: process = vm.supervisor("one_for_all", 3, 5000);\nvm.println(sup.alive());\n`,
  }),
  errorMethodOutsideCheck: entry({
    code: "E0087",
    title: "`{NAME}()` is only allowed on a known error",
    explain: `
\`message()\` and \`code()\` read an error value's parts, so they are allowed only where the
value is known to be an error: inside \`if (x is error) { }\`, or on a value of type
\`error\`. Elsewhere the value may well be a string or a number.`,
    bad: `let text: string = vm.read_file("notes.txt");\nvm.println(text.message());\n`,
    good: `let text: string = vm.read_file("notes.txt");\nif (text is error) {\n    vm.println(text.message());\n}\n`,
  }),
  intoTargetUnknown: entry({
    code: "E0088",
    title: "cannot tell what `into()` converts to",
    explain: `
\`into()\` converts to the type expected where it stands, so that type must be known. Annotate
the variable (\`let n: integer = s.into();\`), or use it where the type is known, such as an
argument or an operand of \`+\` with a string.`,
    bad: `let s: string = "12";\nlet n = s.into();\n`,
    good: `let s: string = "12";\nlet n: integer = s.into(){default: 0};\nvm.println(n);\n`,
  }),
  noConversion: entry({
    code: "E0089",
    title: "cannot convert {T} to {U} with into()",
    explain: `
\`into()\` converts between the types where a conversion makes sense: numbers to each other
and to strings, strings to numbers (which can fail), chars and bytes to integers, and
anything to a string. The hint lists what this type converts to.`,
    bad: `let b: bool = 12.into();\n`,
    good: `let b: bool = 12 != 0;\nvm.println(b);\n`,
  }),
  sliceLengthUnknown: entry({
    code: "E0090",
    title: "cannot tell the length of this slice",
    explain: `
A slice's length is part of its type, \`slice[byte; 4]\`, so \`p.slice(n)\` must know it when the
program compiles: give the length as a number, \`p.slice(4)\`, or annotate the variable.`,
    bad: `let p: pointer = vm.alloc(16);\nlet n = 4;\nlet s = p.slice(n);\n`,
    good: `let p: pointer = vm.alloc(16);\nlet s = p.slice(4);\nvm.println(s.length());\n`,
  }),
  elementKind: entry({
    code: "E0091",
    title: "cannot {VERB} {T}",
    explain: `
Some vector methods need elements of particular types: \`sort\` needs an order (integer,
float, byte, char or string), \`join\` needs strings, and \`sum\`, \`min\` and \`max\` need numbers.`,
    bad: `let v: vector[bool] = [true, false];\nv.sort();\n`,
    good: `let v: vector[integer] = [2, 1];\nv.sort();\nvm.println(v);\n`,
  }),

  // The receive statement
  duplicateArmType: entry({
    code: "E0092",
    title: "two arms receive {T}",
    explain: `
A \`receive\` takes each message with the first arm of its type, so a second arm of the same
type could never run. Merge the two arms into one.`,
    bad: `receive {\n    a: integer => { vm.println(a); }\n    b: integer => { vm.println(b); }\n}\n`,
    good: `vm.self().send(1);\nreceive {\n    a: integer => { vm.println(a); }\n    s: string => { vm.println(s); }\n}\n`,
  }),
  armShadows: entry({
    code: "E0093",
    title: "the arm's name `{NAME}` shadows a variable",
    explain: `
An arm's name is a new variable holding the message; a name already used by a variable here
would hide it inside the arm, which is almost always a mistake. Give the arm a new name.`,
    bad: `let msg: string = "old";\nreceive {\n    msg: string => { vm.println(msg); }\n}\n`,
    good: `let msg: string = "old";\nvm.self().send("new");\nreceive {\n    m: string => { vm.println(msg + " " + m); }\n}\n`,
  }),

  // Limits of the compiled code
  tooLarge: entry({
    code: "E0094",
    title: "this program is too large for the VM here: {WHY}",
    explain: `
The compiled code of one function or expression passes a limit of the module format, such as
4,096 values on the stack of one call (a call with thousands of arguments). The limits keep
every module safe to load; split the expression or the function. The smallest program that
shows it is tens of kilobytes long, so this entry has no example.`,
    bad: null,
    good: null,
  }),
  internal: entry({
    code: "E0095",
    title: "internal compiler error: {WHY}",
    internal: true,
    explain: `
The compiler failed on a program it accepted: this is a bug in Raft, not in the program.
Please report it with the program (or the smallest part of it that still shows the error).
No program causes it on purpose, so this entry has no example.`,
    bad: null,
    good: null,
  }),
} as const;

// ── bytecode: assembly and the verifier ───────────────────────────────────────────────

export const A = {
  unknownInstruction: entry({
    code: "A0001",
    title: "unknown instruction {NAME}",
    explain: `
The word is not an instruction (nor an integer, nor one of the shorthand operators
\`+ - * / % ^\`). Mnemonics are the full names of the opcode table (\`JumpIfFalse\`, not \`JZ\`),
in any case; the hint suggests a near one.`,
    bad: `Jmp @end\n99\nend:\n1 2 +\n`,
    good: `Jump @end\n99\nend:\n1 2 +\n`,
  }),
  badOperands: entry({
    code: "A0002",
    title: "bad operands for {NAME}",
    explain: `
The instruction's operands do not fit any of its forms: too few, the wrong kinds (a \`$local\`
where a \`#constant\` goes), or places whose lengths disagree (\`Copy\` between regions of
different sizes). The hint lists the forms the instruction takes.`,
    bad: `fn main locals=1\n    PushConst $0\n    Halt\n`,
    good: `fn main locals=1\n    PushConst #5\n    Halt\n`,
  }),
  badOperand: entry({
    code: "A0003",
    title: "bad operand",
    explain: `
One operand is not written as its kind is: a constant \`#5\`, \`#1.5\` or \`#"text"\`, a local
\`$0\`, a label or function \`@name\`, an address \`&100\` or \`&100..3\`, a region \`>A B<\`, or a
plain integer. The label says what was expected.`,
    bad: `fn main locals=1\n    PushConst #5\n    Store #0\n    Halt\n`,
    good: `fn main locals=1\n    PushConst #5\n    Store $0\n    Halt\n`,
  }),
  integerRange: entry({
    code: "A0004",
    title: "integer out of range",
    explain: `
An integer pushed by writing it must fit in 32 bits (-2147483648 to 2147483647), as Kaylee's
\`integer\` does. Push a float constant for larger numbers.`,
    bad: `3000000000\n`,
    good: `PushConst #3000000000.0\n`,
  }),
  unknownDirective: entry({
    code: "A0005",
    title: "unknown directive {NAME}",
    explain: `
A line starting with \`.\` is a directive: \`.const\`, \`.type\`, \`.typeset\`, \`.native\`,
\`.ext\`, \`.entry\`, \`.file\` or \`.line\`. This word is none of them.`,
    bad: `.constant 5\n1\n`,
    good: `.const 5\n1\n`,
  }),
  badDirective: entry({
    code: "A0006",
    title: "bad {WHAT}",
    explain: `
A directive's operand is missing or not written as it must be: \`.const\` takes one integer,
float or quoted string; \`.type\` a type; \`.typeset\` types in braces; \`.native\` and \`.entry\` a
name; \`.ext\` a name, then \`operands=KIND,KIND pops=N pushes=N\`; \`.file\` a quoted string;
\`.line\` a \`LINE:COL\` position.`,
    bad: `.file main.kl\n1\n`,
    good: `.file "main.kl"\n1\n`,
  }),
  badFunctionHeader: entry({
    code: "A0007",
    title: "bad function header",
    explain: `
A function starts with \`fn NAME\`, optionally followed by \`params=N\` and \`locals=N\`
(counts up to 65535; the locals include the parameters, so there are at least as many).`,
    bad: `fn add params=2 locals=1\n    Add\n    Return\n`,
    good: `fn add params=2 locals=2\n    Load $0\n    Load $1\n    Add\n    Return\nfn main\n    1 2 Call @add\n    Pop\n    Halt\n`,
  }),
  duplicateFunction: entry({
    code: "A0008",
    title: "function {NAME} is defined twice",
    explain: `
Two functions have the same name. Code outside any \`fn\` already forms \`main\`, so a file
with such code cannot also define \`fn main\`.`,
    bad: `fn f\n    PushInt 1\n    Return\nfn f\n    PushInt 2\n    Return\nfn main\n    Call @f\n    Halt\n`,
    good: `fn f\n    PushInt 1\n    Return\nfn g\n    PushInt 2\n    Return\nfn main\n    Call @f\n    Halt\n`,
  }),
  duplicateLabel: entry({
    code: "A0009",
    title: "label {NAME} is defined twice",
    explain: `
A label names one place in its function, so each label is placed once per function. Rename
one of them.`,
    bad: `fn main\n  top:\n    Nop\n  top:\n    Halt\n`,
    good: `fn main\n  top:\n    Nop\n  next:\n    Halt\n`,
  }),
  unknownLabel: entry({
    code: "A0010",
    title: "unknown label {NAME}",
    explain: `
A jump names a label that is not placed in the same function. Labels are local to their
function: jump only within it, and call other functions with \`Call @name\`.`,
    bad: `fn main\n    Jump @end\n    Halt\n`,
    good: `fn main\n    Jump @end\n  end:\n    Halt\n`,
  }),
  unknownFunction: entry({
    code: "A0011",
    title: "unknown function {NAME}",
    explain: `
A call or spawn names a function that the file does not define. Define it with \`fn NAME\`.`,
    bad: `fn main\n    Call @helper\n    Halt\n`,
    good: `fn helper\n    PushInt 7\n    Return\nfn main\n    Call @helper\n    Halt\n`,
  }),
  unknownEntry: entry({
    code: "A0012",
    title: "unknown entry function {NAME}",
    explain: `
\`.entry NAME\` names the function a run starts with, and the file defines none of that name.`,
    bad: `.entry start\nfn begin\n    Halt\n`,
    good: `.entry begin\nfn begin\n    Halt\n`,
  }),
  emptyProgram: entry({
    code: "A0013",
    title: "empty program",
    explain: `
The file has no instructions and no functions, so there is nothing to run. Write some code:
even \`1 2 +\` is a program.`,
    bad: `# nothing here\n`,
    good: `# a little\n1 2 +\n`,
  }),
  refusedInstruction: entry({
    code: "A0014",
    title: "{OP}: {WHY}",
    summary: "the verifier refuses an instruction",
    explain: `
The verifier, which checks every module before it runs, refuses this instruction: it would
take more values than the stack holds there, the stack's depth differs on the paths that meet
at a label, the code falls off the end of a function, an index is certainly a float, a local
or constant is out of range, and so on. The title gives the reason. Assembly is verified as it
is assembled, so the refusal points at the instruction's line.`,
    bad: `fn main\n    PushInt 1\n    Pop\n    Pop\n    Halt\n`,
    good: `fn main\n    PushInt 1\n    Pop\n    Halt\n`,
  }),
  refusedModule: entry({
    code: "A0015",
    title: "{WHY}",
    summary: "the verifier refuses the module",
    explain: `
The verifier refuses the module as a whole, not one instruction of it: the entry function
takes parameters (a run starts it with none), or the module has no functions. The title gives
the reason.`,
    bad: `.entry start\nfn start params=1\n    Halt\n`,
    good: `.entry start\nfn start\n    Halt\n`,
  }),
  internal: entry({
    code: "A0016",
    title: "cannot assemble: {WHY}",
    internal: true,
    explain: `
The assembler failed on a file it accepted: this is a bug in Raft, not in the program. Please
report it with the file. No program causes it on purpose, so this entry has no example.`,
    bad: null,
    good: null,
  }),
  extDeclaredOtherwise: entry({
    code: "A0017",
    title: "extension opcode {NAME} is declared otherwise",
    explain: `
An extension opcode (one an embedder defines with \`vm.defineOpcode\`) has one signature: its
operand kinds, how many values it pops and whether it pushes one. A \`.ext\` line that gives the
same name another signature than the embedder's definition, or than an earlier \`.ext\` line,
is refused. Declare it once, as it is defined.`,
    bad: `.ext sat_add operands= pops=2 pushes=1\n.ext sat_add operands= pops=1 pushes=1\n1 2 +\n`,
    good: `1 2 +\n`,
  }),
  extWrittenByName: entry({
    code: "A0018",
    title: "{NAME} is written by the extension opcode's name",
    explain: `
\`Ext\` is how a module encodes a use of an extension opcode (its operand is the module's
extension table index), not an instruction to write. Write the extension opcode by its own
name with its operands, after the embedder has defined it (\`vm.defineOpcode\`) or a \`.ext\`
line has declared it.`,
    bad: `fn main\n    Ext 0\n    Halt\n`,
    good: `fn main\n    Halt\n`,
  }),
  mixedArithmetic: entry({
    code: "A0019",
    title: "{OP} of a float and an integer",
    explain: `
The arithmetic instructions \`Add Sub Mul Div Mod Exp Neg\` work on integers or on floats. The
assembler reads the types of their operands off the code that pushed them: when the operands
are floats (\`PushConst #2.5\`, a float instruction's result), it writes the instruction's float
form (\`AddFloat\` ...), as Kaylee's \`+\` on floats does. One float and one integer is refused:
values carry no types at run time, and Kaylee never mixes the two either. Make both floats
(\`PushConst #2.0\` instead of \`2\`), or convert one with a native such as \`integer.into\`.`,
    bad: `fn main\n    PushConst #2.5\n    PushInt 2\n    Mul\n    Halt\n`,
    good: `fn main\n    PushConst #2.5\n    PushConst #2.0\n    Mul\n    Halt\n`,
  }),

  // Modules
  badModule: entry({
    code: "A0101",
    title: "{WHY}",
    summary: "the module cannot be loaded",
    lang: "shell",
    explain: `
The file is not a module this VM can load: it is not a Raft module at all (its first bytes
are not \`RAFT\`), it was cut short, it was written by another version of the module format, or
the verifier refuses its code. The title gives the reason. Modules are written by \`raft
build\`; build it again from its source with this version.`,
    bad: `echo "not bytecode" > hello.rbc\nraft run hello.rbc\n`,
    good: `raft build examples/hello.kl -o hello.rbc\nraft run hello.rbc\n`,
  }),
  unknownNative: entry({
    code: "A0102",
    title: "bad module: unknown native {NAME}",
    explain: `
The module calls a native function (\`CallNative #vm.name\`) that this VM does not have. The
natives are the \`vm\` functions of the standard library and those the embedder registers;
they are looked up by name when the module is linked, before it runs.`,
    bad: `CallNative #vm.no_such_native 0\n`,
    good: `PushConst #"hello"\nCallNative #vm.println 1\n`,
  }),
} as const;

/** Every entry, Kaylee's first, in code order. */
export const CATALOGUE: readonly CodeInfo[] = [...Object.values(K), ...Object.values(A)];

const BY_CODE: ReadonlyMap<string, CodeInfo> = new Map(CATALOGUE.map((c) => [c.code, c]));

/** The entry of a code (case does not matter: `e0052` is `E0052`), or undefined. */
export function lookupCode(code: string): CodeInfo | undefined {
  return BY_CODE.get(code.toUpperCase());
}
