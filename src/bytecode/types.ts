// Kaylee types as the compiler and the VM share them.
//
// The checker reasons with `Type` objects; bytecode carries them as canonical key strings
// ("vector[integer]", "(process, string)", "array[float; 3]") in the constant pool, so a
// module stays readable in `raft disasm` and the VM can parse each key once at load time.
// `typeKey` and `parseTypeKey` are inverses; keys are what typed receive matches on.
//
// A host type (`vm.defineType`: an embedder's opaque values, a socket or a file handle) is
// written and keyed by its name, `counter`; `parseTypeKey` accepts such a name only where it
// is told it names a host type (by default none does, so a module's stray name is refused).

export type Type =
  | { kind: "null" }
  | { kind: "integer" }
  | { kind: "float" }
  | { kind: "byte" }
  | { kind: "char" }
  | { kind: "bool" }
  | { kind: "string" }
  | { kind: "error" }
  | { kind: "pointer" }
  | { kind: "process" }
  | { kind: "exit" }
  | { kind: "ref" }
  | { kind: "from" }
  | { kind: "slice"; elem: Type; length: number }
  | { kind: "array"; elem: Type; length: number }
  | { kind: "vector"; elem: Type }
  | { kind: "tuple"; elems: Type[] }
  | { kind: "fn"; params: Type[]; ret: Type }
  | { kind: "host"; name: string };

export type ScalarKind = "null" | "integer" | "float" | "byte" | "char" | "bool" | "string" | "error" | "pointer" | "process" | "exit" | "ref" | "from";

const scalarCache = new Map<string, Type>();
export function scalar(kind: ScalarKind): Type {
  let t = scalarCache.get(kind);
  if (!t) {
    t = { kind } as Type;
    scalarCache.set(kind, t);
  }
  return t;
}

export const T = {
  null: scalar("null"),
  integer: scalar("integer"),
  float: scalar("float"),
  byte: scalar("byte"),
  char: scalar("char"),
  bool: scalar("bool"),
  string: scalar("string"),
  error: scalar("error"),
  pointer: scalar("pointer"),
  process: scalar("process"),
  exit: scalar("exit"),
  ref: scalar("ref"),
  from: scalar("from"),
  vector: (elem: Type): Type => ({ kind: "vector", elem }),
  array: (elem: Type, length: number): Type => ({ kind: "array", elem, length }),
  slice: (elem: Type, length: number): Type => ({ kind: "slice", elem, length }),
  tuple: (elems: Type[]): Type => ({ kind: "tuple", elems }),
  fn: (params: Type[], ret: Type): Type => ({ kind: "fn", params, ret }),
  host: (name: string): Type => ({ kind: "host", name }),
};

/** The canonical text of a type: what diagnostics show and what bytecode stores. */
export function typeKey(t: Type): string {
  switch (t.kind) {
    case "vector":
      return `vector[${typeKey(t.elem)}]`;
    case "array":
      return `array[${typeKey(t.elem)}; ${t.length}]`;
    case "slice":
      return `slice[${typeKey(t.elem)}; ${t.length}]`;
    case "tuple":
      return `(${t.elems.map(typeKey).join(", ")})`;
    case "fn":
      return `fn(${t.params.map(typeKey).join(", ")}) -> ${typeKey(t.ret)}`;
    case "host":
      return t.name;
    default:
      return t.kind;
  }
}

/** The host types `t` holds values of (`vector[(counter, integer)]` holds counters), in order, once each. */
export function hostNames(t: Type, out: string[] = []): string[] {
  switch (t.kind) {
    case "vector":
    case "array":
    case "slice":
      return hostNames(t.elem, out);
    case "tuple":
      for (const e of t.elems) hostNames(e, out);
      return out;
    case "host":
      if (!out.includes(t.name)) out.push(t.name);
      return out;
    default:
      return out;
  }
}

/** What a host type's name may be: a word of lower-case letters, digits and `_`. */
export const HOST_TYPE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Names a host type may not take: Kaylee's own type words. */
export const RESERVED_TYPE_NAMES: ReadonlySet<string> = new Set(["null", "integer", "float", "byte", "char", "bool", "string", "error", "pointer", "process", "exit", "ref", "from", "vector", "array", "slice", "fn"]);

export function typeEquals(a: Type, b: Type): boolean {
  return a === b || typeKey(a) === typeKey(b);
}

/** Is a value of this type copied on assignment (an aggregate with value semantics)? */
export function isAggregate(t: Type): boolean {
  return t.kind === "vector" || t.kind === "array" || t.kind === "tuple";
}

const SCALARS = new Set<string>(["null", "integer", "float", "byte", "char", "bool", "string", "error", "pointer", "process", "exit", "ref", "from"]);

/** No name is a host type (the default of `parseTypeKey`). */
export const NO_HOST_TYPES = (_name: string): boolean => false;

/**
 * Parses a key made by `typeKey`. Throws `TypeKeyError` on anything else (e.g. from a bad
 * module); a word that is not a Kaylee type is a host type if `hostType` says so.
 */
export function parseTypeKey(key: string, hostType: (name: string) => boolean = NO_HOST_TYPES): Type {
  let i = 0;
  const ws = () => {
    while (key[i] === " ") i++;
  };
  const word = (): string => {
    ws();
    const m = /^[a-z_][a-z0-9_]*/.exec(key.slice(i));
    if (!m) throw new TypeKeyError(key);
    i += m[0].length;
    return m[0];
  };
  const expect = (s: string) => {
    ws();
    if (!key.startsWith(s, i)) throw new TypeKeyError(key);
    i += s.length;
  };
  const num = (): number => {
    ws();
    const m = /^[0-9]+/.exec(key.slice(i));
    if (!m) throw new TypeKeyError(key);
    i += m[0].length;
    const n = Number(m[0]);
    if (n > 0x7fffffff) throw new TypeKeyError(key);
    return n;
  };
  let depth = 0;
  const ty = (): Type => {
    if (++depth > MAX_TYPE_DEPTH) throw new TypeKeyError(key);
    ws();
    let out: Type;
    if (key[i] === "(") {
      i++;
      const elems: Type[] = [];
      ws();
      if (key[i] !== ")") {
        elems.push(ty());
        ws();
        while (key[i] === ",") {
          i++;
          elems.push(ty());
          ws();
        }
      }
      expect(")");
      out = T.tuple(elems);
    } else {
      const w = word();
      if (w === "vector") {
        expect("[");
        const e = ty();
        expect("]");
        out = T.vector(e);
      } else if (w === "array" || w === "slice") {
        expect("[");
        const e = ty();
        expect(";");
        const n = num();
        expect("]");
        out = w === "array" ? T.array(e, n) : T.slice(e, n);
      } else if (w === "fn") {
        expect("(");
        const ps: Type[] = [];
        ws();
        if (key[i] !== ")") {
          ps.push(ty());
          ws();
          while (key[i] === ",") {
            i++;
            ps.push(ty());
            ws();
          }
        }
        expect(")");
        expect("->");
        out = T.fn(ps, ty());
      } else if (SCALARS.has(w)) {
        out = scalar(w as ScalarKind);
      } else if (!RESERVED_TYPE_NAMES.has(w) && hostType(w)) {
        out = T.host(w);
      } else throw new TypeKeyError(key);
    }
    depth--;
    return out;
  };
  const t = ty();
  ws();
  if (i !== key.length) throw new TypeKeyError(key);
  return t;
}

/** How deeply a type descriptor may nest (`vector[integer]` is 2 deep): the module format's limit. */
export const MAX_TYPE_DEPTH = 64;

/** How deeply `t` nests, counted as the type descriptor's reader counts (a scalar is 1). */
export function typeDepth(t: Type): number {
  switch (t.kind) {
    case "vector":
    case "array":
    case "slice":
      return 1 + typeDepth(t.elem);
    case "tuple":
      return 1 + t.elems.reduce((m, e) => Math.max(m, typeDepth(e)), 0);
    case "fn":
      return 1 + [...t.params, t.ret].reduce((m, e) => Math.max(m, typeDepth(e)), 0);
    default:
      return 1;
  }
}

export class TypeKeyError extends Error {
  constructor(key: string, why = "bad type descriptor") {
    super(`${why} ${JSON.stringify(key.length > 60 ? key.slice(0, 60) + "..." : key)}`);
  }
}

/**
 * The text of a type set (the operand of ReceiveSelect): its type keys in order, as
 * `{K1, K2, ...}` (`{}` when empty). Each key's position is what the receive reports.
 */
export function typeSetText(keys: readonly string[]): string {
  return `{${keys.join(", ")}}`;
}

/**
 * The canonical keys of a type set written as `typeSetText` writes it (any spacing). Throws
 * `TypeKeyError` on anything else, and on a set that lists a type twice.
 */
export function parseTypeSet(text: string, hostType: (name: string) => boolean = NO_HOST_TYPES): string[] {
  const t = text.trim();
  if (t.length < 2 || t[0] !== "{" || t[t.length - 1] !== "}") throw new TypeKeyError(text);
  const body = t.slice(1, -1);
  const keys: string[] = [];
  const seen = new Set<string>();
  if (body.trim() === "") return keys;
  // Split at the commas outside brackets: a key's own commas are inside `(...)`.
  let depth = 0;
  let from = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (i === body.length || (c === "," && depth === 0)) {
      const key = typeKey(parseTypeKey(body.slice(from, i), hostType));
      if (seen.has(key)) throw new TypeKeyError(key, "a type set lists this type twice:");
      seen.add(key);
      keys.push(key);
      from = i + 1;
    }
  }
  return keys;
}
