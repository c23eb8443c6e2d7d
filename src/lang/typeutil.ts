// Type helpers for the checker: resolving written types (TypeNode) to the shared `Type`,
// the poisoned UNKNOWN type that silences follow-on errors, assignability, and the wording
// of types in diagnostics ("an integer", "a vector[string]").

import { T, typeEquals, typeKey, type ScalarKind, type Type } from "../bytecode/types.js";
import { K, type Titled } from "../diag/codes.js";
import type { Span } from "../diag/diagnostic.js";
import type { TypeNode } from "./ast.js";

/**
 * The type of an expression that already has an error reported (an unknown name, a bad
 * call). Identity-compared; anything involving it is accepted silently, so one mistake gives
 * one diagnostic. Never survives into a program without errors.
 */
export const UNKNOWN: Type = Object.freeze({ kind: "error" }) as Type;

export function hasUnknown(t: Type): boolean {
  if (t === UNKNOWN) return true;
  switch (t.kind) {
    case "vector":
    case "array":
    case "slice":
      return hasUnknown(t.elem);
    case "tuple":
      return t.elems.some(hasUnknown);
    case "fn":
      return t.params.some(hasUnknown) || hasUnknown(t.ret);
    default:
      return false;
  }
}

/** Can a value of type `actual` be stored where `expected` is wanted? (No implicit conversion.) */
export function assignable(expected: Type, actual: Type): boolean {
  if (hasUnknown(expected) || hasUnknown(actual)) return true;
  return typeEquals(expected, actual);
}

export function show(t: Type): string {
  return t === UNKNOWN ? "{unknown}" : typeKey(t);
}

/** "an integer", "a string", "a tuple (string, integer)". */
export function describe(t: Type): string {
  const k = show(t);
  if (t.kind === "tuple") return `a tuple ${k}`;
  return (/^[aeiou]/.test(k) ? "an " : "a ") + k;
}

export const NUMERIC = new Set(["integer", "float", "byte"]);
export const ORDERED = new Set(["integer", "float", "byte", "char", "string"]);
export const BITWISE = new Set(["integer", "byte"]);

const SCALAR_NAMES = new Set<string>(["null", "integer", "float", "byte", "char", "bool", "string", "error", "pointer", "process", "exit", "ref", "from"]);

/** Type names from other languages, for a hint (a Map: the key is the program's text). */
const ALIASES: ReadonlyMap<string, string> = new Map(Object.entries({
  int: "integer",
  i32: "integer",
  i64: "integer",
  number: "integer",
  str: "string",
  String: "string",
  boolean: "bool",
  f32: "float",
  f64: "float",
  double: "float",
  u8: "byte",
  Vec: "vector[T]",
  list: "vector[T]",
  void: "null",
}));

const NO_HOST_TYPES: ReadonlyMap<string, unknown> = new Map();

export interface TypeProblem {
  span: Span;
  title: Titled;
  message: string;
  hint?: string;
}

/**
 * Resolves a written type; problems are reported through `report` and give UNKNOWN. A name in
 * `hostTypes` is that host type (the embedder's: vm.defineType).
 */
export function resolveType(node: TypeNode, report: (p: TypeProblem) => void, hostTypes: ReadonlyMap<string, unknown> = NO_HOST_TYPES): Type {
  switch (node.kind) {
    case "named": {
      if (SCALAR_NAMES.has(node.name)) return T[node.name as ScalarKind];
      if (hostTypes.has(node.name)) return T.host(node.name);
      if (node.name === "vector" || node.name === "array" || node.name === "slice") {
        report({
          span: node.span,
          title: K.needsElementType({ NAME: node.name }),
          message: "missing `[...]`",
          hint: node.name === "vector" ? "write vector[integer]" : `write ${node.name}[integer; 4]`,
        });
        return UNKNOWN;
      }
      const alias = ALIASES.get(node.name);
      report({
        span: node.span,
        title: K.unknownType({ NAME: node.name }),
        message: "not a Kaylee type",
        hint: alias
          ? `did you mean \`${alias}\`?`
          : `the types are null, integer, float, byte, char, bool, string, error, pointer, process, exit, ref, from, vector[T], array[T; N], slice[T; N]${[...hostTypes.keys()].map((n) => `, ${n}`).join("")} and tuples (T1, T2)`,
      });
      return UNKNOWN;
    }
    case "vector":
      return T.vector(resolveType(node.elem, report, hostTypes));
    case "array":
      return T.array(resolveType(node.elem, report, hostTypes), node.length);
    case "slice":
      return T.slice(resolveType(node.elem, report, hostTypes), node.length);
    case "tuple":
      if (node.elems.length < 2) {
        report({ span: node.span, title: K.tupleTypeTooShort(), message: "not a tuple", hint: "write (string, integer)" });
        return UNKNOWN;
      }
      return T.tuple(node.elems.map((e) => resolveType(e, report, hostTypes)));
  }
}

/** Edit distance, for "did you mean" hints. */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const d: number[] = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/**
 * The candidate nearest to `name` (for "did you mean"), if one is near enough. With a budget,
 * each candidate costs the work of comparing it, and the search gives up (no suggestion) when
 * the budget runs out: one budget for a whole file keeps thousands of misspelt names among
 * thousands of declared ones linear.
 */
export function closest(name: string, candidates: Iterable<string>, budget?: { left: number }): string | undefined {
  let best: string | undefined;
  let bestD = name.length <= 3 ? 1 : 2;
  for (const c of candidates) {
    if (budget) {
      budget.left -= Math.abs(name.length - c.length) > 3 ? 1 : 1 + name.length * c.length;
      if (budget.left < 0) return undefined;
    }
    const dd = distance(name, c);
    if (dd <= bestD && c !== name) {
      best = c;
      bestD = dd;
    }
  }
  return best;
}
