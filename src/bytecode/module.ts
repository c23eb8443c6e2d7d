// The in-memory form of a Raft bytecode module and its binary file format (`.rbc`).
//
// File layout (all integers little-endian):
//   magic "RAFT", u16 format version, u16 reserved
//   str  source file name
//   u32  constant count, then each: u8 tag (1 int i32, 2 float f32, 3 string, 4 type key,
//        5 native name, 6 type set) and its payload (i32 / f32 / str); a type set's str is
//        its text, `{K1, K2, ...}`: distinct type keys in order (types.ts, parseTypeSet)
//   (version 2 only) u32 extension count, then each: str name, u8 operand count, a u8 per
//        operand (its kind: 0 int, 1 count, 2 const, 3 local, 4 addr), u8 pops, u8 pushes:
//        the extension opcodes the code uses (ext.ts), which its `Ext` instructions index
//   u32  function count, then each: str name, u16 params, u16 locals, u32 code length,
//        the code bytes, u32 line-entry count, each entry u32 offset, u32 line, u32 col
//   u32  entry function index
// where `str` is a u32 byte length and UTF-8 bytes. The line table is run-length: an entry
// holds for every instruction from its offset up to the next entry, so every instruction
// maps to file:line:col. Reading checks every length against the bytes present and fails
// with a `ModuleError`, never a host exception.
//
// Versions: a module with an extension table is written as version 2; one without is
// written as version 1, byte for byte as before version 2 existed, so that a VM that reads
// only version 1 still reads it. This VM reads both.

import { EXT_OPERAND_KINDS, extProblem, type ExtDecl, type ExtOperandKind } from "./ext.js";

import { A, type Titled } from "../diag/codes.js";
import { fileDiagnostic, type Diagnostic } from "../diag/diagnostic.js";

export const MAGIC = [0x52, 0x41, 0x46, 0x54]; // "RAFT"
/** The newest format version, written for a module that uses extension opcodes. */
export const FORMAT_VERSION = 2;
/** The format of a module without extension opcodes (version 2 less the extension table). */
export const BASE_FORMAT_VERSION = 1;

export type Const =
  | { tag: "int"; value: number }
  | { tag: "float"; value: number }
  | { tag: "string"; value: string }
  | { tag: "type"; value: string }
  | { tag: "native"; value: string }
  | { tag: "typeset"; value: string };

export interface LineEntry {
  offset: number;
  line: number;
  col: number;
}

export interface FunctionInfo {
  name: string;
  params: number;
  locals: number;
  code: Uint8Array;
  lines: LineEntry[];
}

export interface Module {
  file: string;
  consts: Const[];
  functions: FunctionInfo[];
  entry: number;
  /** The extension opcodes the code uses (ext.ts), indexed by its `Ext` instructions; absent: none. */
  exts?: ExtDecl[];
}

/**
 * A module that cannot be loaded or run; `at` names the instruction when there is one (and
 * `at.target`, for a stack depth that disagrees where paths meet, the byte where they meet).
 * `titled` is its diagnostic's code and title when it has one of its own (an unknown
 * native); otherwise it is a bad module (A0101) and the message is the title.
 */
export class ModuleError extends Error {
  constructor(
    message: string,
    readonly at: { fn: number; offset: number; why: string; target?: number } | null = null,
    readonly titled: Titled | null = null,
  ) {
    super(message);
  }
}

/** A module that cannot be loaded or linked, as the diagnostic the CLI and the library report. */
export function moduleDiagnostic(file: string, e: ModuleError): Diagnostic {
  return fileDiagnostic(file, e.titled ?? A.badModule({ WHY: e.message }));
}

const TAGS: Const["tag"][] = ["int", "float", "string", "type", "native", "typeset"];

export function constEquals(a: Const, b: Const): boolean {
  return a.tag === b.tag && (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value)));
}

class Writer {
  private buf = new Uint8Array(1024);
  // One view of the buffer, made again only when it grows (a view made per number was most of
  // writing a module while the writer's code is cold).
  private view = new DataView(this.buf.buffer);
  private n = 0;
  private room(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number) {
    this.room(1);
    this.buf[this.n++] = v;
  }
  u16(v: number) {
    this.room(2);
    this.view.setUint16(this.n, v, true);
    this.n += 2;
  }
  u32(v: number) {
    this.room(4);
    this.view.setUint32(this.n, v >>> 0, true);
    this.n += 4;
  }
  i32(v: number) {
    this.u32(v | 0);
  }
  f32(v: number) {
    this.room(4);
    this.view.setFloat32(this.n, v, true);
    this.n += 4;
  }
  bytes(b: Uint8Array) {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  str(s: string) {
    this.bytes(new TextEncoder().encode(s));
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export function writeModule(m: Module): Uint8Array {
  const w = new Writer();
  const exts = m.exts ?? [];
  for (const b of MAGIC) w.u8(b);
  w.u16(exts.length !== 0 ? FORMAT_VERSION : BASE_FORMAT_VERSION);
  w.u16(0);
  w.str(m.file);
  w.u32(m.consts.length);
  for (const c of m.consts) {
    w.u8(TAGS.indexOf(c.tag) + 1);
    if (c.tag === "int") w.i32(c.value);
    else if (c.tag === "float") w.f32(c.value);
    else w.str(c.value);
  }
  if (exts.length !== 0) {
    w.u32(exts.length);
    for (const d of exts) {
      w.str(d.name);
      w.u8(d.operands.length);
      for (const k of d.operands) w.u8(EXT_OPERAND_KINDS.indexOf(k));
      w.u8(d.pops);
      w.u8(d.pushes);
    }
  }
  w.u32(m.functions.length);
  for (const f of m.functions) {
    w.str(f.name);
    w.u16(f.params);
    w.u16(f.locals);
    w.bytes(f.code);
    w.u32(f.lines.length);
    for (const l of f.lines) {
      w.u32(l.offset);
      w.u32(l.line);
      w.u32(l.col);
    }
  }
  w.u32(m.entry);
  return w.done();
}

/**
 * One decoder for every string a module holds (a decoder is stateless between whole decodes):
 * making one costs about as much as decoding a short string, and a module has hundreds.
 */
let utf8: TextDecoder | null = null;

class Reader {
  private pos = 0;
  private view: DataView;
  constructor(private buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(k: number, what: string) {
    if (this.pos + k > this.buf.length) throw new ModuleError(`truncated module: ${what} runs past the end (at byte ${this.pos})`);
  }
  u8(what: string) {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  u16(what: string) {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string) {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(what: string) {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(what: string) {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  bytes(what: string): Uint8Array {
    const n = this.u32(what);
    this.need(n, what);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  str(what: string): string {
    try {
      // ignoreBOM: a decoder otherwise drops a leading U+FEFF, and a string constant may begin with one.
      return (utf8 ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })).decode(this.bytes(what));
    } catch (e) {
      if (e instanceof ModuleError) throw e;
      throw new ModuleError(`bad module: ${what} is not valid UTF-8`);
    }
  }
  count(what: string, minBytesEach: number): number {
    const n = this.u32(what);
    if (n * minBytesEach > this.buf.length - this.pos) throw new ModuleError(`truncated module: ${what} (${n}) exceeds the bytes present`);
    return n;
  }
  atEnd() {
    return this.pos === this.buf.length;
  }
}

export function isModuleBytes(buf: Uint8Array): boolean {
  return buf.length >= 4 && MAGIC.every((b, i) => buf[i] === b);
}

export function readModule(buf: Uint8Array): Module {
  const r = new Reader(buf);
  for (let i = 0; i < 4; i++) if (r.u8("magic") !== MAGIC[i]) throw new ModuleError("not a Raft module (bad magic number)");
  const version = r.u16("format version");
  if (version !== FORMAT_VERSION && version !== BASE_FORMAT_VERSION) throw new ModuleError(`unsupported module format version ${version} (this VM reads versions ${BASE_FORMAT_VERSION} and ${FORMAT_VERSION})`);
  r.u16("reserved");
  const file = r.str("file name");
  const nconst = r.count("constant count", 5);
  const consts: Const[] = [];
  for (let i = 0; i < nconst; i++) {
    const tag = TAGS[r.u8("constant tag") - 1];
    if (!tag) throw new ModuleError(`bad module: constant #${i} has an unknown tag`);
    if (tag === "int") consts.push({ tag, value: r.i32("integer constant") });
    else if (tag === "float") consts.push({ tag, value: r.f32("float constant") });
    else consts.push({ tag, value: r.str("constant") });
  }
  const exts: ExtDecl[] = [];
  if (version === FORMAT_VERSION) {
    const next = r.count("extension count", 7);
    if (next === 0) throw new ModuleError("bad module: a version 2 module with an empty extension table (it is written as version 1)");
    const seen = new Set<string>();
    for (let i = 0; i < next; i++) {
      const name = r.str("extension name");
      const n = r.u8("extension operand count");
      const operands: ExtOperandKind[] = [];
      for (let k = 0; k < n; k++) {
        const kind = EXT_OPERAND_KINDS[r.u8("extension operand kind")];
        if (kind === undefined) throw new ModuleError(`bad module: extension opcode #${i} has an unknown operand kind`);
        operands.push(kind);
      }
      const d: ExtDecl = { name, operands, pops: r.u8("extension pops"), pushes: r.u8("extension pushes") };
      const why = extProblem(d);
      if (why !== null) throw new ModuleError(`bad module: ${why}`);
      if (seen.has(name.toLowerCase())) throw new ModuleError(`bad module: extension opcode ${name} is listed twice`);
      seen.add(name.toLowerCase());
      exts.push(d);
    }
  }
  const nfn = r.count("function count", 16);
  const functions: FunctionInfo[] = [];
  for (let i = 0; i < nfn; i++) {
    const name = r.str("function name");
    const params = r.u16("function params");
    const locals = r.u16("function locals");
    const code = r.bytes("function code");
    const nlines = r.count("line table", 12);
    const lines: LineEntry[] = [];
    for (let j = 0; j < nlines; j++) lines.push({ offset: r.u32("line entry"), line: r.u32("line entry"), col: r.u32("line entry") });
    functions.push({ name, params, locals, code, lines });
  }
  const entry = r.u32("entry function");
  if (!r.atEnd()) throw new ModuleError("bad module: trailing bytes after the entry function");
  return exts.length !== 0 ? { file, consts, functions, entry, exts } : { file, consts, functions, entry };
}

/** The source position of the instruction at `offset` in function `f`, if known. */
export function lineAt(f: FunctionInfo, offset: number): LineEntry | null {
  let best: LineEntry | null = null;
  for (const l of f.lines) {
    if (l.offset <= offset) best = l;
    else break;
  }
  return best;
}
