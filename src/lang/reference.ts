// Renders docs/reference.md, the reference of the whole standard library, from the one table
// that declares it (builtins.ts): every `vm` call and every method with its signature, the
// codes of the error values it returns, how it is implemented and its one-line doc, then the
// into() conversions and the natives no Kaylee call names. `npm run docs:reference` writes the
// file; test/stdlib-table.test.ts fails when the committed file differs from what this renders
// (`UPDATE_REFERENCE=1 npm test` rewrites it too). Rows added to the table appear here as they are.

import { scalar, typeKey, type ScalarKind } from "../bytecode/types.js";
import { ALL_ROWS, INTERNAL_NATIVES, INTO_TARGETS, intoIsFallible, type BuiltinSig, type SigType } from "./builtins.js";

/** The receiver kinds' headings, where they are not the kind itself. */
const HEADINGS: Readonly<Record<string, string>> = {
  vector: "vector[T]",
  array: "array[T; N]",
  slice: "slice[byte; N]",
  value: "every type",
};

/** A line under a kind's heading. */
const NOTES: Readonly<Record<string, string>> = {
  value: "A type without an into() of its own (vectors, arrays, tuples, processes, exit notices, errors, pointers) converts to string.",
  error: "Only where the compiler knows the value is an error: inside `if (x is error) { }`, or on a value of type `error`.",
};

/** A type as a table cell shows it: code, except for "the expected type". */
function typeCell(t: SigType, receiver: string): string {
  return t === "target" ? "the expected type" : `\`${sigType(t, receiver)}\``;
}

function sigType(t: SigType, receiver: string): string {
  switch (t) {
    case "any":
      return "any";
    case "elem":
      return "T";
    case "self":
      return HEADINGS[receiver] ?? receiver;
    case "target":
      return "the expected type";
    default:
      return typeKey(t);
  }
}

/** `name(a: integer, b?: string)`; parameters without a type (spawn's `f, args...`) by name alone. */
function signature(r: BuiltinSig, shown: string, receiver: string): string {
  const n = Math.max(r.params.length, r.paramNames.length);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.paramNames[i] ?? `arg${i + 1}`;
    const optional = i >= r.params.length - r.optional && i < r.params.length ? "?" : "";
    parts.push(i < r.params.length ? `${name}${optional}: ${sigType(r.params[i], receiver)}` : name);
  }
  return `\`${shown}(${parts.join(", ")})\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function errors(r: BuiltinSig): string {
  if (r.errors.length === 0) return "—";
  const codes = r.errors.map((c) => `\`${c}\``).join(" ");
  return r.special === "into" ? `${codes} (by target)` : codes;
}

function implementation(r: BuiltinSig): string {
  const impl = r.impl;
  if (impl.kind === "native") return `native \`${impl.native}\`${impl.typed ? " (typed)" : ""}`;
  const flag = impl.flag !== undefined ? ` ${impl.flag}` : "";
  return `instruction \`${impl.op}${flag}\`${impl.native ? ` (native \`${impl.native}\` for assembly)` : ""}`;
}

function doc(r: BuiltinSig): string {
  const only = r.elems ? ` — only on ${r.elems.kinds.map((k) => `vector[${k}]`).join(", ")}` : "";
  return cell(r.doc + only);
}

function table(rows: readonly BuiltinSig[], name: (r: BuiltinSig) => string, receiver: (r: BuiltinSig) => string, head: string): string[] {
  const out = [`| ${head} | returns | errors | implemented by | |`, "|---|---|---|---|---|"];
  for (const r of rows) out.push(`| ${signature(r, name(r), receiver(r))} | ${typeCell(r.ret, receiver(r))} | ${errors(r)} | ${implementation(r)} | ${doc(r)} |`);
  return out;
}

const kindOf = (r: BuiltinSig) => r.name.slice(0, r.name.indexOf("."));
const methodName = (r: BuiltinSig) => r.name.slice(r.name.indexOf(".") + 1);

function intoTable(): string[] {
  const out = ["| from | to | can fail |", "|---|---|---|"];
  for (const [from, targets] of INTO_TARGETS) {
    const fallible = targets.filter((to) => intoIsFallible(scalar(from as ScalarKind), scalar(to as ScalarKind)));
    out.push(`| ${from} | ${targets.join(", ")} | ${fallible.length ? fallible.join(", ") : "—"} |`);
  }
  out.push("| every other type | string | — |");
  return out;
}

/** The text of docs/reference.md. */
export function referenceMarkdown(): string {
  const vmRows = ALL_ROWS.filter((r) => r.name.startsWith("vm."));
  const methodRows = ALL_ROWS.filter((r) => !r.name.startsWith("vm."));
  const kinds = [...new Set(methodRows.map(kindOf))];
  const lines: string[] = [
    "# Kaylee standard library reference",
    "",
    "<!-- GENERATED from src/lang/builtins.ts by `npm run docs:reference`: do not edit by hand. A test fails when this file and the table disagree. -->",
    "",
    "Every `vm` call and every method on a type, as the compiler declares them (src/lang/builtins.ts).",
    "The language itself is described in [language.md](language.md).",
    "",
    "- **errors**: the codes of the error values a failing call returns (see [Errors as values](language.md#errors-as-values)",
    "  and the [error codes](language.md#error-codes)). A call that lists none cannot fail. Every failure of a call is",
    "  an error value, never a panic of its own: `v.remove(9){default: 0}`, `let r = vm.sleep(-1); if (r is error) { ... }`.",
    "- **implemented by**: a native of the VM, called by that name (also from assembly: `CallNative #string.trim 1`;",
    "  *typed*: it also gets its arguments' static types, `CallNativeTyped`), or an instruction of its own",
    "  (see [bytecode.md](bytecode.md)).",
    "- `x?: T` marks an argument that may be left out; `T` is a vector's element type; \"the expected type\" is the",
    "  type the context gives (an annotation, a parameter, the other side of `+`: see into() below).",
    "",
    "## The `vm` object",
    "",
    ...table(vmRows, (r) => r.name, () => "vm", "call"),
    "",
    "## Methods",
    "",
    "Strings count and index in chars (Unicode scalar values). The string methods marked \"in place as a statement\"",
    "change the variable (or element) they are called on when used as a statement (`name.trim();`); inside an",
    "expression they return the new string. Vector methods that change the vector change it where it is.",
  ];
  for (const kind of kinds) {
    lines.push("", `### ${HEADINGS[kind] ?? kind}`, "", ...(NOTES[kind] ? [NOTES[kind], ""] : []), ...table(methodRows.filter((r) => kindOf(r) === kind), (r) => `.${methodName(r)}`, kindOf, "method"));
  }
  lines.push(
    "",
    "## Conversions with into()",
    "",
    "`x.into()` converts to the expected type: an annotation (`let n: integer = s.into();`), a parameter, a handler's",
    "default (`s.into(){default: 0}`), or — where nothing else says — a string on the other side of `+`",
    "(`n.into() + \" items\"`, `\"n=\" + n.into()`). Converting to the same type copies the value. To string, every",
    "value converts as `vm.println` prints it (`<0.5>`, `[1, 2]`, `(1, \"a\")`; a known error as `error(\"message\", \"code\")`).",
    "",
    ...intoTable(),
    "",
    "## Natives no Kaylee call names",
    "",
    "The compiler uses these for operators and statements; assembly may call them. Their first argument is the",
    "receiver. They fault (panic unless handled) with the codes listed, as the operation they implement does.",
    "",
    ...table(INTERNAL_NATIVES, (r) => r.name, kindOf, "native"),
    "",
  );
  return lines.join("\n");
}
