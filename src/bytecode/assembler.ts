// The assembler: Raft assembly text (`.raft`, SPEC §5) to a bytecode module.
//
// Line-oriented. A line holds a directive (`.const`, `.type`, `.typeset`, `.native`, `.ext`,
// `.entry`, `.file`, `.line`), a function header (`fn NAME [params=N] [locals=N]`), a label (`name:`), or
// a sequence of items: integers (pushed), the seed's shorthand operators (`+ - * / % ^` are
// Add Sub Mul Div Mod Exp) and instructions (a mnemonic from the opcode table, in any case,
// optionally after `Wide`, with operands written `#const $local @label &addr &addr..n &$local
// &$local..n >A B<` or plain integers; a type set is `#{T, U}`; `Copy DEST SRC` between any two
// places, see places.ts).
// `# ` (hash and space) and `//` start comments. Code outside any `fn` forms an implicit
// `main` that ends with Halt. Every error is a diagnostic with a span; all are reported.
//
// Extension opcodes (ext.ts) are written by their names, like any instruction: those the
// embedder defined (`AssembleOptions.opcodes`) and those a `.ext NAME operands=... pops=N
// pushes=N` line declares (what the disassembler writes, so that a module's text assembles
// anywhere; only running it needs the definitions). Host type names (`#counter`) are types
// where `AssembleOptions.hostType` says so.

import { BY_MNEMONIC, OPCODES, Op, opNumber, patternWidth, type AsmPattern, type OpInfo } from "./opcodes.js";
import { MAX_LINEAR_MEMORY, SHAPES, checkPair, checkValuePlace, copyMode, isLoadStoreShape, isMemory, ownCopyRow, packRegion, parsePlace, shapeOfWritten, type Bound, type WrittenPlace } from "./places.js";
import { FunctionBuilder, ModuleBuilder } from "./builder.js";
import { ModuleError, type Module, type Const } from "./module.js";
import { verifyModule } from "./verifier.js";
import { FLOAT_FORM, floatArithmetic, type NativeResult } from "./stack-types.js";
import { decimalToF32 } from "./float-text.js";
import { parseTypeKey, parseTypeSet, typeKey } from "./types.js";
import { A, type Titled } from "../diag/codes.js";
import { diagnostic, type Diagnostic, type Span } from "../diag/diagnostic.js";
import { extDirective, extOperandKind, extPattern, parseExtDirective, sameExt, type ExtDecl } from "./ext.js";
import { decodeFunction, mnemonicOf } from "./encoding.js";

interface Token {
  text: string;
  start: number;
  end: number;
}

/** The seed's operator shorthand (a Map: the key is the program's text). */
const SHORTHAND: ReadonlyMap<string, string> = new Map(Object.entries({ "+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "%": "Mod", "^": "Exp" }));
const INT_RE = /^[+-]?(0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*)$/;
const FLOAT_RE = /^[+-]?([0-9][0-9_]*\.[0-9_]*([eE][+-]?[0-9]+)?|[0-9][0-9_]*[eE][+-]?[0-9]+|inf|nan)$/;

export interface AssembleResult {
  module: Module | null;
  diagnostics: Diagnostic[];
}

export interface AssembleOptions {
  /** Extension opcodes usable by name (the embedder's: vm.defineOpcode). */
  opcodes?: Iterable<ExtDecl>;
  /** Is `name` a host type (vm.defineType), so that type operands may name it? */
  hostType?: (name: string) => boolean;
  /**
   * What natives return, for the reading of operand types that decides the form of generic
   * arithmetic (stack-types.ts `floatArithmetic`): the REPL's kept stack comes in through a
   * native whose values' types it knows.
   */
  nativeResult?: NativeResult;
}

export function parseIntLiteral(text: string): number | null {
  if (!INT_RE.test(text)) return null;
  let t = text.replace(/_/g, "");
  let sign = 1;
  if (t[0] === "-" || t[0] === "+") {
    if (t[0] === "-") sign = -1;
    t = t.slice(1);
  }
  const v = sign * Number(t.startsWith("0b") ? parseInt(t.slice(2), 2) : t);
  return Number.isSafeInteger(v) ? v : null;
}

/** Splits one line into tokens, honouring quotes and brackets; stops at a comment. */
function tokenize(line: string, lineStart: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "/" && line[i + 1] === "/") break;
    if (c === "#" && (i + 1 >= line.length || line[i + 1] === " " || line[i + 1] === "\t")) break;
    const start = i;
    // A memory region `>A B<` is one operand, spaces and all.
    const close = c === ">" ? line.indexOf("<", i + 1) : -1;
    if (close > 0) {
      i = close + 1;
      out.push({ text: line.slice(start, i), start: lineStart + start, end: lineStart + i });
      continue;
    }
    let depth = 0;
    while (i < line.length) {
      const d = line[i];
      if (d === '"') {
        i++;
        while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
        i++;
        continue;
      }
      if (d === "[" || d === "(" || d === "{") depth++;
      else if (d === "]" || d === ")" || d === "}") depth--;
      else if ((d === " " || d === "\t") && depth <= 0) break;
      i++;
    }
    out.push({ text: line.slice(start, i), start: lineStart + start, end: lineStart + Math.min(i, line.length) });
  }
  return out;
}

/** Decodes a quoted string operand (the escapes of Kaylee string literals). */
export function unquote(text: string): string | null {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') return null;
  let out = "";
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e === "n") out += "\n";
    else if (e === "t") out += "\t";
    else if (e === "r") out += "\r";
    else if (e === "0") out += "\0";
    else if (e === "\\" || e === '"' || e === "'") out += e;
    else if (e === "u" && text[i + 1] === "{") {
      const close = text.indexOf("}", i);
      if (close < 0) return null;
      const cp = parseInt(text.slice(i + 2, close), 16);
      if (!(cp >= 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return null;
      out += String.fromCodePoint(cp);
      i = close;
    } else return null;
  }
  return out;
}

/** Quotes a string the way `unquote` reads it back. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

interface PendingFn {
  fb: FunctionBuilder;
  labels: Map<string, { id: number; placed: boolean; ref: Span | null }>;
  localsGiven: boolean;
  maxLocal: number;
  implicit: boolean;
  span: Span;
  /** The text each instruction came from, in the order emitted. */
  spans: Span[];
}

export function assemble(source: string, file: string, opts: AssembleOptions = {}): AssembleResult {
  const diags: Diagnostic[] = [];
  const hostOk = opts.hostType ?? (() => false);
  /** Extension opcodes by name in lower case: the embedder's, then `.ext` declarations. */
  const extByName = new Map<string, ExtDecl>();
  for (const d of opts.opcodes ?? []) extByName.set(d.name.toLowerCase(), { name: d.name, operands: [...d.operands], pops: d.pops, pushes: d.pushes });
  const err = (span: Span, title: Titled, label: string, hint?: string) => diags.push(diagnostic(file, title, span, label, hint));
  const mb = new ModuleBuilder(file);
  const fns: PendingFn[] = [];
  const fnRefs: { name: string; span: Span }[] = [];
  let cur: PendingFn | null = null;
  let implicitMain: PendingFn | null = null;
  let entryName: { name: string; span: Span } | null = null;
  let explicitLine: { line: number; col: number } | null = null;

  const startFn = (name: string, params: number, locals: number | null, span: Span, implicit: boolean): PendingFn => {
    if (implicitMain && !cur && name === "main" && !implicit) err(span, A.duplicateFunction({ NAME: name }), "code outside any fn already forms main");
    else if (mb.hasFunction(name) && mb.functions[mb.declare(name)] !== null) err(span, A.duplicateFunction({ NAME: name }), "defined again here");
    const fb = new FunctionBuilder(name, params, locals ?? params);
    const f: PendingFn = { fb, labels: new Map(), localsGiven: locals !== null, maxLocal: params - 1, implicit, span, spans: [] };
    mb.define(fb);
    fns.push(f);
    return f;
  };
  const label = (f: PendingFn, name: string) => {
    let l = f.labels.get(name);
    if (!l) {
      l = { id: f.fb.newLabel(), placed: false, ref: null };
      f.labels.set(name, l);
    }
    return l;
  };
  const target = (): PendingFn => {
    if (cur) return cur;
    if (!implicitMain) implicitMain = startFn("main", 0, null, { start: 0, end: 0 }, true);
    return implicitMain;
  };

  const lines = source.split("\n");
  let offset = 0;
  /** The line being read (1-based) and its offset in the source. */
  let lineNo = 0;
  let lineStart = 0;
  let skippingBody = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    lineNo = ln + 1;
    lineStart = offset;
    offset += line.length + 1;
    // A first line starting with `#!` is the script's interpreter line.
    if (ln === 0 && line.startsWith("#!")) continue;
    let toks = tokenize(line, lineStart);
    if (!toks.length) continue;
    const first = toks[0];
    // After a function header too broken to start the function, its body is skipped (not
    // taken for code of an implicit main) up to the next `fn`.
    if (skippingBody && first.text !== "fn") continue;
    skippingBody = false;

    if (first.text.startsWith(".")) {
      const arg = toks[1];
      const rest = toks.slice(1).map((t) => t.text).join(" ");
      switch (first.text) {
        case ".const": {
          const c = arg && parseConstValue(arg.text);
          if (!c || toks.length !== 2) err(arg ?? first, A.badDirective({ WHAT: "constant" }), "expected an integer, a float or a quoted string");
          else mb.constant(c);
          break;
        }
        case ".type":
          try {
            mb.type(typeKey(parseTypeKey(rest, hostOk)));
          } catch {
            err(arg ?? first, A.badDirective({ WHAT: "type" }), "not a type");
          }
          break;
        case ".typeset":
          try {
            mb.typeSet(parseTypeSet(rest, hostOk));
          } catch {
            err(arg ?? first, A.badDirective({ WHAT: "type set" }), "not a type set", "write the types in braces: .typeset {integer, (process, string)}");
          }
          break;
        case ".native":
          if (!arg || toks.length !== 2) err(first, A.badDirective({ WHAT: "native" }), "expected a native's name");
          else mb.native(arg.text);
          break;
        case ".ext": {
          if (!arg) {
            err(first, A.badDirective({ WHAT: "extension opcode" }), "expected a name", "write: .ext NAME operands=KIND,KIND pops=N pushes=N");
            break;
          }
          const d = parseExtDirective(arg.text, toks.slice(2).map((t) => t.text));
          const known = extByName.get(arg.text.toLowerCase());
          if (typeof d === "string") err({ start: arg.start, end: toks[toks.length - 1].end }, A.badDirective({ WHAT: "extension opcode" }), d);
          else if (rowsOf(d.name) !== undefined || isWide(d.name)) err(arg, A.badDirective({ WHAT: "extension opcode" }), `${arg.text} is an instruction of the opcode table`);
          else if (known !== undefined && !sameExt(known, d)) err({ start: arg.start, end: toks[toks.length - 1].end }, A.extDeclaredOtherwise({ NAME: arg.text }), `this says ${extDirective(d)}`, `it is ${extDirective(known)}`);
          else {
            extByName.set(d.name.toLowerCase(), known ?? d);
            mb.ext(known ?? d);
          }
          break;
        }
        case ".entry":
          if (!arg || toks.length !== 2) err(first, A.badDirective({ WHAT: "entry" }), "expected a function name");
          else entryName = { name: arg.text, span: arg };
          break;
        case ".file": {
          const s = arg && unquote(arg.text);
          if (s === null || s === undefined) err(arg ?? first, A.badDirective({ WHAT: "file name" }), "expected a quoted string");
          else (mb as { file: string }).file = s;
          break;
        }
        case ".line": {
          const m = arg && /^(\d+):(\d+)$/.exec(arg.text);
          if (!m) err(arg ?? first, A.badDirective({ WHAT: "position" }), "expected LINE:COL");
          else explicitLine = { line: Number(m[1]), col: Number(m[2]) };
          break;
        }
        default:
          err(first, A.unknownDirective({ NAME: first.text }), "not a directive", "directives are .const .type .typeset .native .ext .entry .file .line");
      }
      continue;
    }

    if (first.text === "fn") {
      const name = toks[1];
      if (!name || !/^[A-Za-z_][\w.]*$/.test(name.text)) {
        err(name ?? first, A.badFunctionHeader(), "expected a function name", "write: fn NAME params=N locals=N");
        cur = null;
        skippingBody = true;
        continue;
      }
      let params = 0;
      let locals: number | null = null;
      for (const t of toks.slice(2)) {
        const m = /^(params|locals)=(\d+)$/.exec(t.text);
        if (!m || Number(m[2]) > 65535) {
          err(t, A.badFunctionHeader(), "expected params=N or locals=N");
          continue;
        }
        if (m[1] === "params") params = Number(m[2]);
        else locals = Number(m[2]);
      }
      if (locals !== null && locals < params) err(toks[1], A.badFunctionHeader(), `locals (${locals}) must be at least params (${params})`);
      cur = startFn(name.text, params, locals, { start: first.start, end: name.end }, false);
      explicitLine = null;
      continue;
    }

    // Labels: `name:` possibly followed by an instruction.
    while (toks.length && /^[A-Za-z_][\w.]*:$/.test(toks[0].text)) {
      const f = target();
      const l = label(f, toks[0].text.slice(0, -1));
      if (l.placed) err(toks[0], A.duplicateLabel({ NAME: toks[0].text.slice(0, -1) }), "defined again here");
      l.placed = true;
      f.fb.place(l.id);
      toks = toks.slice(1);
    }
    if (!toks.length) continue;

    const f = target();
    // The rest of the line is a sequence of items: an integer (pushed), one of the seed's
    // shorthand operators, or an instruction with its operands — `5 Call @sq` and
    // `1 2 Swap -` are three and four items.
    for (let k = 0; k < toks.length; ) {
      const t = toks[k];
      const wide = isWide(t.text) && k + 1 < toks.length && (rowsOf(toks[k + 1].text) !== undefined || extByName.has(toks[k + 1].text.toLowerCase()));
      const name = wide ? toks[k + 1] : t;
      const rows = rowsOf(name.text);
      const ext = rows ? undefined : extByName.get(name.text.toLowerCase());
      if (ext !== undefined) {
        k = emitExt(f, t, name, ext, toks, k + (wide ? 2 : 1), wide);
        if (k < 0) break;
        continue;
      }
      if (rows?.[0].name === "Ext") {
        err(name, A.extWrittenByName({ NAME: name.text }), "not an instruction of its own", "define the opcode (vm.defineOpcode) or declare it: .ext NAME operands=KIND,KIND pops=N pushes=N; then write NAME with its operands");
        break;
      }
      if (!rows) {
        const n = parseIntLiteral(t.text);
        if (n !== null) {
          if ((n | 0) !== n) err(t, A.integerRange(), "does not fit in an i32");
          else emitAt(f, t, Op.PushConst, [mb.int(n)], false);
        } else if (SHORTHAND.has(t.text)) emitAt(f, t, opNumber(SHORTHAND.get(t.text)!), [], false);
        else {
          err(t, A.unknownInstruction({ NAME: t.text }), "not an instruction", suggest(t.text));
          break;
        }
        k++;
        continue;
      }
      // The operands: as many of the following tokens as the best-fitting row takes.
      const from = k + (wide ? 2 : 1);
      let row: OpInfo | null = null;
      for (const r of rows) if (matches(r, toks, from) && (row === null || r.asm.length > row.asm.length)) row = r;
      // No row of its own for these operands: the generic form of the mnemonic (places.ts).
      const generic = row ? undefined : rows.find((r) => r.operands[0] === "mode" && from + r.asm.length <= toks.length);
      if (generic) {
        k = from + generic.asm.length;
        const before = f.fb.length;
        const pos = explicitLine ?? { line: lineNo, col: t.start - lineStart + 1 };
        f.fb.at(pos.line, pos.col);
        emitPlaces(f, generic, name, toks.slice(from, k), wide);
        if (f.fb.length !== before) f.spans.push({ start: t.start, end: toks[k - 1].end });
        continue;
      }
      if (!row) {
        let last = from;
        while (last < toks.length && shapeOf(toks[last].text) !== null) last++;
        const forms = rows.map((r) => `${r.mnemonic} ${r.asm.map(patternExample).join(" ")}`.trim()).join(", ");
        err({ start: t.start, end: toks[Math.max(last, from) - 1].end }, A.badOperands({ NAME: name.text }), "these operands do not fit", `expected ${forms}`);
        break;
      }
      k = from + row.asm.length;
      const values: number[] = [];
      let ok = true;
      row.asm.forEach((pat, j) => {
        const kinds = row.operands.slice(values.length, values.length + patternWidth(pat));
        const vs = operandValues(toks[from + j], pat, kinds[0]);
        if (!vs) ok = false;
        else values.push(...vs);
      });
      if (!ok) continue;
      // Track locals for an inferred `locals=`.
      row.operands.forEach((kind, i) => {
        if (kind === "local" && values[i] > f.maxLocal) f.maxLocal = values[i];
      });
      emitAt(f, { start: t.start, end: toks[k - 1].end }, Op[row.name], values, wide);
    }
  }

  /**
   * A use of extension opcode `d` whose name is token `name` (after `Wide` when `t` is that):
   * its operands are the tokens from `from` on, as many as it takes, of the shapes its kinds
   * are written in. Returns the index of the next item, or -1 after a diagnostic.
   */
  function emitExt(f: PendingFn, t: Token, name: Token, d: ExtDecl, toks: Token[], from: number, wide: boolean): number {
    const pats = d.operands.map(extPattern);
    if (from + pats.length > toks.length || !pats.every((p, j) => shapeOf(toks[from + j].text) === p)) {
      let last = from;
      while (last < toks.length && shapeOf(toks[last].text) !== null) last++;
      err({ start: t.start, end: toks[Math.max(last, from) - 1].end }, A.badOperands({ NAME: name.text }), "these operands do not fit", `expected ${[d.name, ...pats.map(patternExample)].join(" ")}`);
      return -1;
    }
    const values: number[] = [];
    for (let j = 0; j < pats.length; j++) {
      const vs = operandValues(toks[from + j], pats[j], extOperandKind(d.operands[j]));
      if (!vs) return -1;
      values.push(...vs);
      if (d.operands[j] === "local" && vs[0] > f.maxLocal) f.maxLocal = vs[0];
    }
    const end = from + pats.length;
    const pos = explicitLine ?? { line: lineNo, col: t.start - lineStart + 1 };
    f.fb.at(pos.line, pos.col);
    f.fb.emitExt(mb.ext(d), d, values, wide);
    f.spans.push({ start: t.start, end: toks[end - 1].end });
    return end;
  }

  /**
   * Emits one instruction at the position of its text (unless a `.line` says otherwise) and
   * notes that text, for the verifier's refusals.
   */
  function emitAt(f: PendingFn, span: Span, op: number, values: number[], wide: boolean): void {
    const pos = explicitLine ?? { line: lineNo, col: span.start - lineStart + 1 };
    f.fb.at(pos.line, pos.col);
    if (wide) f.fb.emitWide(op, ...values);
    else f.fb.emit(op, ...values);
    f.spans.push({ start: span.start, end: span.end });
  }

  /** `Copy DEST SRC`, `Load P`, `Store P` with places that have no row of their own. */
  function emitPlaces(f: PendingFn, row: OpInfo, mnemonic: Token, toks: Token[], wide: boolean): void {
    const written: WrittenPlace[] = [];
    for (const t of toks) {
      const w = parsePlace(t.text);
      if (typeof w === "string") err(t, A.badOperand(), w);
      else written.push(w);
    }
    if (written.length !== toks.length) return;
    const shapes = written.map(shapeOfWritten);
    const values: number[] = [];
    for (let k = 0; k < written.length; k++) {
      const v = placeOperand(written[k], toks[k], row.name === "CopyPlaces" && k === 1 && isMemory(SHAPES[shapes[0]]));
      if (v === null) return;
      values.push(v);
    }
    const whole = { start: mnemonic.start, end: toks[toks.length - 1].end };
    let op: number;
    let operands: number[];
    let why: string | null;
    if (row.name === "CopyPlaces") {
      const [d, s] = shapes.map((i) => SHAPES[i]);
      if (d.kind === "const") return void err(toks[0], A.badOperand(), "a constant is not a place to copy to", "the destination is a local ($n) or a memory place (&a, &$n, >A B<)");
      why = checkPair(d, values[0], s, values[1], mb.consts);
      const own = ownCopyRow(d, s);
      // Only `Copy &$l..4 $s` gets here with a pair of its own: it is `Copy &$l $s`.
      op = own !== null ? Op[own] : Op.CopyPlaces;
      operands = own !== null ? [values[0], values[1]] : [copyMode(shapes[0], shapes[1]), values[0], values[1]];
    } else {
      if (!isLoadStoreShape(SHAPES[shapes[0]])) {
        const push = row.name === "LoadPlace" ? "; push a constant with PushConst" : "";
        return void err(toks[0], A.badOperand(), `${mnemonic.text} takes $local, &addr, &addr..n, &$local, &$local..n or >A B<${push}`);
      }
      why = checkValuePlace(SHAPES[shapes[0]], values[0], mb.consts);
      op = Op[row.name];
      operands = [shapes[0], values[0]];
    }
    if (why !== null) return void err(whole, A.badOperands({ NAME: mnemonic.text }), why);
    for (const w of written) {
      const locals = w.kind === "local" || w.kind === "ind" ? [w.n] : w.kind === "region" ? [w.a, w.b].flatMap((b) => (b.local ? [b.n] : [])) : [];
      for (const n of locals) if (n > f.maxLocal) f.maxLocal = n;
    }
    if (wide) f.fb.emitWide(op, ...operands);
    else f.fb.emit(op, ...operands);
  }

  function badPlace(t: Token, why: string): null {
    err(t, A.badOperand(), why);
    return null;
  }

  /** The one encoded operand of a written place (constants pooled), or null after a diagnostic. */
  function placeOperand(w: WrittenPlace, t: Token, intoMemory: boolean): number | null {
    switch (w.kind) {
      case "const": {
        const c = parseConstValue(w.text);
        if (!c) return badPlace(t, "expected #integer, #float or #\"string\"");
        if (intoMemory && c.tag !== "int") return badPlace(t, "memory holds integers: the constant must be one");
        return mb.constant(c);
      }
      case "local":
      case "ind":
        return w.n;
      case "mem":
        return w.addr;
      case "region": {
        const bound = (b: Bound) => (b.local ? b.n : mb.int(b.value));
        const a = bound(w.a);
        const b = bound(w.b);
        if (a > 0xffff || b > 0xffff) return badPlace(t, "too many constants before this region's bounds (a bound's pool index must be below 65536)");
        return packRegion(a, b);
      }
    }
  }

  function operandValues(t: Token, pat: AsmPattern, kind: string): number[] | null {
    const text = t.text;
    const bad = (why: string) => {
      err(t, A.badOperand(), why);
      return null;
    };
    switch (pat) {
      case "#": {
        const body = text.slice(1);
        if (kind === "type") {
          try {
            return [mb.type(typeKey(parseTypeKey(body, hostOk)))];
          } catch {
            return bad("not a type");
          }
        }
        if (kind === "typeset") {
          try {
            return [mb.typeSet(parseTypeSet(body, hostOk))];
          } catch {
            return bad("not a type set: write #{integer, (process, string)}");
          }
        }
        if (kind === "native") return /^[A-Za-z_][\w.]*$/.test(body) ? [mb.native(body)] : bad("not a native name");
        const c = parseConstValue(body);
        return c ? [mb.constant(c)] : bad("expected #integer, #float or #\"string\"");
      }
      case "$": {
        const n = /^\$(\d+)$/.exec(text);
        return n && Number(n[1]) <= 65535 ? [Number(n[1])] : bad("expected a local like $0");
      }
      case "@": {
        const name = text.slice(1);
        if (kind === "fn") {
          fnRefs.push({ name, span: t });
          return [mb.declare(name)];
        }
        const l = label(target(), name);
        if (!l.ref) l.ref = t;
        return [l.id];
      }
      case "n": {
        const n = parseIntLiteral(text);
        return n !== null && (n | 0) === n ? [n] : bad("expected an integer");
      }
      default: {
        const m = /^&(\$?)(\d+)(?:\.\.(\d+))?$/.exec(text);
        if (!m) return bad("expected a memory operand like &100, &100..3, &$0 or &$0..2");
        const v = Number(m[2]);
        if (m[1] && v > 65535) return bad("local out of range");
        if (!m[1] && v + (m[3] === undefined ? 4 : Number(m[3])) > MAX_LINEAR_MEMORY) return bad(`address out of range (linear memory is at most ${MAX_LINEAR_MEMORY} bytes)`);
        return m[3] !== undefined ? [v, Number(m[3])] : [v];
      }
    }
  }

  // Finish functions: labels, implicit Halt, inferred locals.
  for (const f of fns) {
    for (const [name, l] of f.labels) {
      if (!l.placed) err(l.ref ?? f.span, A.unknownLabel({ NAME: name }), "no such label in this function");
    }
    if (f.implicit) {
      const last = f.fb.lastOp();
      const flow = last >= 0 ? OPCODES[last].flow : undefined;
      if (flow !== "end" && flow !== "jump") {
        f.fb.emit(Op.Halt);
        f.spans.push(f.spans[f.spans.length - 1] ?? f.span);
      }
    }
    if (!f.localsGiven) f.fb.locals = Math.max(f.fb.params, f.maxLocal + 1);
  }
  for (const r of fnRefs) {
    const i = mb.declare(r.name);
    if (mb.functions[i] === null) err(r.span, A.unknownFunction({ NAME: r.name }), "no function of that name");
  }
  if (!fns.length) err({ start: 0, end: 0 }, A.emptyProgram(), "no instructions", "write some code, e.g. `1 2 +`");
  if (entryName) {
    const en: { name: string; span: Span } = entryName;
    const i = fns.findIndex((f) => f.fb.name === en.name);
    if (i < 0) err(en.span, A.unknownEntry({ NAME: en.name }), "no function of that name");
    else mb.entry = mb.declare(en.name);
  } else if (fns.length) {
    mb.entry = mb.hasFunction("main") ? mb.declare("main") : mb.declare(fns[0].fb.name);
  }
  if (diags.length) return { module: null, diagnostics: diags };
  let module: Module;
  try {
    module = mb.finish();
  } catch (e) {
    err({ start: 0, end: 0 }, A.internal({ WHY: e instanceof Error ? e.message : String(e) }), "while assembling this file");
    return { module: null, diagnostics: diags };
  }
  // What the verifier would refuse when the module is loaded is refused here, at the line of
  // the instruction it names (a module's line table may say otherwise: `.line`).
  try {
    verifyModule(module);
  } catch (e) {
    if (!(e instanceof ModuleError)) throw e;
    const at = e.at;
    const pf = at ? fns.find((p) => p.fb === mb.functions[at.fn]) : undefined;
    const spanAt = (offset: number): Span | undefined => (pf ? pf.spans[pf.fb.offsets.indexOf(offset)] : undefined);
    const span = at ? spanAt(at.offset) : undefined;
    if (!at || !pf || !span) {
      const entry = fns.find((p) => p.fb === mb.functions[module.entry]);
      err(entry?.span ?? { start: 0, end: 0 }, A.refusedModule({ WHY: e.message.replace(/^bad module: /, "") }), "the verifier refuses this module");
    } else {
      const ins = decodeFunction(module.functions[at.fn].code, "", module.exts).find((i) => i.offset === at.offset)!;
      const d = diagnostic(file, A.refusedInstruction({ OP: mnemonicOf(module, ins.op, ins.operands), WHY: at.why }), span, "the verifier refuses this instruction");
      const meet = at.target !== undefined ? spanAt(at.target) : undefined;
      if (meet) d.labels.push({ span: meet, message: "where the paths meet", primary: false });
      diags.push(d);
    }
    return { module: null, diagnostics: diags };
  }
  // Generic arithmetic on floats takes its float form; a float with an integer is refused.
  for (const a of floatArithmetic(module, opts.nativeResult ?? (() => null))) {
    if (a.kind === "float") {
      module.functions[a.fn].code[a.offset] = FLOAT_FORM.get(a.op)!;
      continue;
    }
    const pf = fns.find((p) => p.fb === mb.functions[a.fn]);
    const span = pf?.spans[pf.fb.offsets.indexOf(a.offset)] ?? { start: 0, end: 0 };
    err(span, A.mixedArithmetic({ OP: OPCODES[a.op].name }), "one operand is a float, the other an integer", "make both floats, e.g. `PushConst #2.0` for 2");
  }
  if (diags.length) return { module: null, diagnostics: diags };
  return { module, diagnostics: [] };
}

/** The rows of a mnemonic, matched without regard to case (`COPY` is `Copy`). */
function rowsOf(word: string): readonly OpInfo[] | undefined {
  return BY_MNEMONIC.get(word.toLowerCase());
}


function isWide(word: string): boolean {
  return word.toLowerCase() === "wide";
}

function parseConstValue(text: string): Const | null {
  if (text.startsWith('"')) {
    const s = unquote(text);
    return s === null ? null : { tag: "string", value: s };
  }
  const n = parseIntLiteral(text);
  if (n !== null) return (n | 0) === n ? { tag: "int", value: n } : null;
  if (FLOAT_RE.test(text)) {
    const t = text.replace(/_/g, "");
    const v = t.endsWith("inf") ? (t.startsWith("-") ? -Infinity : Infinity) : t.endsWith("nan") ? NaN : decimalToF32(t);
    return Number.isNaN(v) && !t.endsWith("nan") ? null : { tag: "float", value: v };
  }
  return null;
}

function shapeOf(text: string): AsmPattern | null {
  if (text.startsWith("#")) return "#";
  if (text.startsWith("$")) return "$";
  if (text.startsWith("@")) return "@";
  if (text.startsWith("&$")) return text.includes("..") ? "&$.." : "&$";
  if (text.startsWith("&")) return text.includes("..") ? "&.." : "&";
  if (parseIntLiteral(text) !== null) return "n";
  return null;
}

/** Do the tokens from `from` on begin with operands of the shapes `row` takes? */
function matches(row: OpInfo, toks: Token[], from: number): boolean {
  return from + row.asm.length <= toks.length && row.asm.every((p, i) => shapeOf(toks[from + i].text) === p);
}

function patternExample(p: AsmPattern): string {
  return { "#": "#const", $: "$local", "@": "@label", n: "N", "&": "&addr", "&..": "&addr..n", "&$": "&$local", "&$..": "&$local..n", P: "PLACE" }[p];
}

function suggest(word: string): string | undefined {
  const rows = BY_MNEMONIC.get(word.toLowerCase().replace(/_/g, ""));
  if (rows) return `did you mean ${rows[0].mnemonic}?`;
  return "instructions use full names, e.g. PushConst, JumpIfFalse; `1 2 +` is shorthand";
}
