// The second tier's cache across runs: what jit.ts generated for a module (each compiled
// function and loop nest: its JavaScript source, or that it cannot be compiled, and the
// functions it calls) kept in a file in the user's cache folder, so that the next run of
// the same module skips generating it. Every `raft run` is a fresh process, and without
// this nothing of the second tier would outlive one.
//
// What the cache changes is cost, never behaviour: a unit is compiled at the same moment
// with or without it (when its function or loop gets hot, jit.ts), only from the kept source
// instead of freshly generated source, so reduction counts — and with them a seeded run on
// one scheduler — are the same cold or cached.
//
// Trust: no executable code is ever taken from a module file. The cache is the VM's own,
// written by this code into the user's folder, and an entry is used only when all of this
// holds, else it is ignored (and rewritten at the end of the run):
//   - the header's magic and format number, and the body's length in bytes and checksum (a 106-bit
//     hash: a truncated or damaged file is refused);
//   - the key: Raft's version, the build (a hash of Raft's compiled code, build-id.ts), the
//     Node and V8 versions and the architecture — whatever else could change generated code
//     is part of Raft's code, so of the build;
//   - the module: the entry holds the module's bytes, compared byte for byte (the file name
//     is only a hash of key and module, to find it);
//   - every unit's function index, loop bounds and callees lie within this module's code;
//   - on POSIX, the entry's folder belongs to the user running and no one else may write
//     to it (the folders this code makes are theirs alone).
//
// Where: $RAFT_CACHE_DIR, else the platform's cache folder: $XDG_CACHE_HOME/raft or
// ~/.cache/raft on Linux and other Unixes, ~/Library/Caches/raft on macOS,
// %LOCALAPPDATA%\raft\Cache on Windows; entries live in its `jit` folder, one file a module.
// RAFT_CACHE=off (or the `cache: false` option) turns it off; deleting the folder clears it.
//
// Concurrent runs: an entry is written to a temporary file and renamed over the old one, so
// a reader sees a whole old entry or a whole new one, never a mix; two writers of one entry
// both write whole files and the last rename wins. Nothing here ever fails a run: a folder
// that cannot be read or written is a cache that misses. The folder keeps at most
// MAX_ENTRIES files; the least recently used go first.

import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { ModuleError, readModule, writeModule, type Module } from "../bytecode/module.js";
import { BUILD_ID } from "../build-id.js";
import { VERSION } from "../version.js";
import type { JitStore, JitUnit, Program } from "./program.js";

/** The entry file format; changes whenever the layout below does. */
export const CACHE_FORMAT = 1;
const MAGIC = "raft-jit-cache";
/** Entries the folder keeps (a quarter of them go, least recently used first, when it has more). */
export const MAX_ENTRIES = 256;
/** An entry larger than this is not written. */
const MAX_ENTRY_CHARS = 16 << 20;
/** A temporary file older than this is a crashed writer's, and goes at the next pruning. */
const STALE_TMP_MS = 10 * 60 * 1000;

/** The `cache` option of a Raft: false (off), a folder of its own, or undefined (the default). */
export type CacheSetting = boolean | { dir: string } | undefined;

/**
 * The folder the cache lives in, or null when it is off: `RAFT_CACHE=off` (also `0`,
 * `false`) turns it off whatever the option says; `false` turns it off; `{ dir }` puts it
 * there; otherwise `RAFT_CACHE_DIR`, else the platform's cache folder — except under Node's
 * test runner (NODE_TEST_CONTEXT), where it is off unless a folder is given: a test suite,
 * ours or an embedder's, never writes into the user's own cache.
 */
export function cacheFolder(setting: CacheSetting, env: Record<string, string | undefined> = process.env, platform: string = process.platform): string | null {
  const off = (env.RAFT_CACHE ?? "").trim().toLowerCase();
  if (off === "off" || off === "0" || off === "false" || setting === false) return null;
  if (typeof setting === "object" && setting !== null) return setting.dir;
  const dir = env.RAFT_CACHE_DIR;
  if (dir) return dir;
  if (env.NODE_TEST_CONTEXT) return null;
  return platformFolder(env, platform);
}

/** The platform's folder for a user's caches, with `raft` in it (null: no home to put it in). */
function platformFolder(env: Record<string, string | undefined>, platform: string): string | null {
  if (platform === "win32") {
    const local = env.LOCALAPPDATA || (home(env) && join(home(env)!, "AppData", "Local"));
    return local ? join(local, "raft", "Cache") : null;
  }
  const h = home(env);
  if (platform === "darwin") return h ? join(h, "Library", "Caches", "raft") : null;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "raft");
  return h ? join(h, ".cache", "raft") : null;
}

function home(env: Record<string, string | undefined>): string | null {
  const h = env.HOME || env.USERPROFILE;
  if (h) return h;
  try {
    return (createRequire(import.meta.url)("node:os") as typeof import("node:os")).homedir() || null;
  } catch {
    return null;
  }
}

/** What an entry must have been made by: Raft's version and build, Node's and V8's versions, the architecture. */
function keyText(): string {
  return `raft ${VERSION} build ${BUILD_ID} node ${process.version} v8 ${process.versions.v8} ${process.arch}`;
}

/** A 53-bit hash from two 32-bit lanes (cyrb53's finish). */
function finish53(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Two 53-bit hashes of some bytes (cyrb53's lanes with seeds 1 and 2, over the bytes taken as
 * 32-bit words), as hex: the checksum of an entry's body and the name of its file. On a first
 * run this loop runs in V8's interpreter, so it makes both in one pass, over a quarter as many
 * words as bytes (a cached run checks two entries and names two files).
 */
function digestBytes(b: Uint8Array): string {
  const n = b.length;
  const words = n >>> 2;
  const w = b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, words) : new Int32Array(new Uint8Array(b.subarray(0, words * 4)).buffer);
  let a1 = 0xdeadbeef ^ 1;
  let a2 = 0x41c6ce57 ^ 1;
  let b1 = 0xdeadbeef ^ 2;
  let b2 = 0x41c6ce57 ^ 2;
  for (let i = 0; i <= words; i++) {
    let c: number;
    if (i < words) c = w[i];
    else {
      // The last 0 to 3 bytes, and the length (so that trailing zero bytes count).
      c = n;
      for (let k = words * 4; k < n; k++) c = (c << 8) ^ b[k];
    }
    a1 = Math.imul(a1 ^ c, 2654435761);
    a2 = Math.imul(a2 ^ c, 1597334677);
    b1 = Math.imul(b1 ^ c, 2654435761);
    b2 = Math.imul(b2 ^ c, 1597334677);
  }
  return finish53(a1, a2).toString(16).padStart(14, "0") + finish53(b1, b2).toString(16).padStart(14, "0");
}

/** digestBytes of a text's UTF-8 bytes. */
function digest(s: string): string {
  return digestBytes(Buffer.from(s, "utf8"));
}

/**
 * An entry's text: the header line (magic, format, the checksum and the length in bytes of the
 * body's UTF-8), then the body.
 */
export function sealEntry(body: string): string {
  const bytes = Buffer.from(body, "utf8");
  return `${MAGIC} ${CACHE_FORMAT} ${digestBytes(bytes)} ${bytes.length}\n${body}`;
}

/** An entry read and checked: its body's data (key checked), why it cannot be used, or null when there is none. */
type ReadEntry = { data: Record<string, unknown> } | { why: string } | null;

/**
 * Why entries in `folder` must not be trusted, or null: on a system with users (POSIX), a
 * folder another user owns or may write to could hold entries someone else put there.
 */
function untrusted(folder: string): string | null {
  if (typeof process.getuid !== "function") return null;
  try {
    const st = statSync(folder);
    if (st.uid !== process.getuid()) return "the folder belongs to another user";
    if ((st.mode & 0o022) !== 0) return "other users may write to the folder";
  } catch {
    // No folder: no entry either.
  }
  return null;
}

/** Reads the entry at `path` and checks its folder, header, checksum and key. */
function readEntry(path: string): ReadEntry {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  const why = untrusted(dirname(path));
  if (why !== null) return { why };
  // The header is checked as bytes (the body is decoded once its checksum is right).
  const nl = bytes.indexOf(10);
  const head = bytes.toString("latin1", 0, nl < 0 ? Math.min(bytes.length, 200) : nl).split(" ");
  if (head.length !== 4 || head[0] !== MAGIC) return { why: "not a cache entry" };
  if (head[1] !== String(CACHE_FORMAT)) return { why: `format ${head[1]}, not ${CACHE_FORMAT}` };
  const body = bytes.subarray(nl + 1);
  if (String(body.length) !== head[3]) return { why: "truncated" };
  if (digestBytes(body) !== head[2]) return { why: "checksum mismatch" };
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    return { why: "not JSON" };
  }
  if (typeof data !== "object" || data === null) return { why: "not an object" };
  const key = (data as { key?: unknown }).key;
  if (key !== keyText()) return { why: `made by ${typeof key === "string" ? key : "?"}` };
  // Used now: the last to go when the folder is pruned.
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only folder is still a cache.
  }
  return { data: data as Record<string, unknown> };
}

/** Writes an entry (temporary file, then rename) and prunes its folder; returns why it could not, or null. */
function writeEntry(path: string, data: Record<string, unknown>): string | null {
  const body = JSON.stringify({ key: keyText(), ...data });
  if (body.length > MAX_ENTRY_CHARS) return "too large";
  const folder = dirname(path);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    // Folders it makes, only their user may enter; entries, only their user may read.
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const why = untrusted(folder);
    if (why !== null) return why;
    writeFileSync(tmp, sealEntry(body), { flag: "wx", mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // It was never made.
    }
    return (e as Error).message;
  }
  prune(folder);
  return null;
}

/** Where a store is in its life: not opened yet, or what opening its entry found. */
export type StoreState = "closed" | "hit" | "miss" | "ignored";

/**
 * A module's entry of second-tier units, opened when the second tier first compiles
 * something of it (a program that never gets hot costs nothing) and written at the end of a
 * run that compiled something new. `writable` false: it is only read (another scheduler
 * thread's copy).
 */
export class DiskStore implements JitStore {
  state: StoreState = "closed";
  /** Where debug lines go (set for each run: RAFT_LOG=debug), or null. */
  log: ((text: string) => void) | null = null;
  private units = new Map<string, JitUnit>();
  private added = 0;
  private file = "";
  private moduleText = "";

  constructor(
    readonly dir: string,
    private readonly prog: Program,
    private readonly writable = true,
  ) {}

  get(key: string): JitUnit | undefined {
    if (this.state === "closed") this.open();
    return this.units.get(key);
  }

  put(key: string, unit: JitUnit): void {
    if (this.state === "closed") this.open();
    if (this.units.has(key)) return;
    this.units.set(key, unit);
    this.added++;
  }

  private open(): void {
    this.moduleText = Buffer.from(writeModule(this.prog.module)).toString("base64");
    this.file = join(this.dir, "jit", `${digest(`${keyText()}\n${this.moduleText}`)}.json`);
    const e = readEntry(this.file);
    const why = e === null ? null : "why" in e ? e.why : this.read(e.data);
    if (e === null || why !== null) {
      this.units.clear();
      this.state = e === null ? "miss" : "ignored";
      this.log?.(e === null ? `jit cache: miss ${this.file}` : `jit cache: ignored ${this.file}: ${why}`);
      return;
    }
    this.state = "hit";
    this.log?.(`jit cache: hit ${this.file} (${this.units.size} units)`);
  }

  /** Fills `units` from an entry's data; returns why it cannot be used, or null. */
  private read(d: Record<string, unknown>): string | null {
    if (d.module !== this.moduleText) return "another module";
    if (!Array.isArray(d.units)) return "no units";
    for (const u of d.units as unknown[]) {
      const unit = this.unitOf(u);
      if (unit === null) return "a unit that does not fit this module";
      this.units.set(unit[0], unit[1]);
    }
    return null;
  }

  /** One unit, `[key, source or null, callees]`, checked against the program; null if it does not fit. */
  private unitOf(u: unknown): [string, JitUnit] | null {
    if (!Array.isArray(u) || u.length !== 3) return null;
    const [key, src, callees] = u as [unknown, unknown, unknown];
    if (typeof key !== "string" || (src !== null && typeof src !== "string") || !Array.isArray(callees)) return null;
    const p = this.prog;
    const nf = p.fnEntry.length;
    const fnOk = (f: number) => Number.isInteger(f) && f >= 0 && f < nf;
    if (!callees.every((g) => typeof g === "number" && fnOk(g))) return null;
    const m = /^(?:f(\d+)|r(\d+):(\d+):(\d+))$/.exec(key);
    if (!m) return null;
    const f = Number(m[1] ?? m[2]);
    if (!fnOk(f)) return null;
    if (m[2] !== undefined) {
      const lo = Number(m[3]);
      const hi = Number(m[4]);
      if (!(p.fnEntry[f] <= lo && lo < hi && hi <= p.fnEnd[f])) return null;
    }
    return [key, { src: src as string | null, callees: callees as number[] }];
  }

  /** Writes the entry if this run compiled something it did not hold. */
  save(): void {
    if (!this.writable || this.added === 0 || this.state === "closed") return;
    const units = [...this.units].map(([k, u]) => [k, u.src, u.callees]);
    const failed = writeEntry(this.file, { module: this.moduleText, units });
    if (failed === null) this.added = 0;
    this.log?.(failed === null ? `jit cache: wrote ${this.file} (${units.length} units)` : `jit cache: cannot write ${this.file}: ${failed}`);
  }
}

/**
 * The modules Kaylee sources compiled to, so that a run of an unchanged file skips the front
 * end. An entry is the source, the file name and what the embedder added that the checker
 * sees (native signatures, host types), each compared exactly, and the module's bytes, which
 * are read as any module file is (readModule) and verified when linked, as every module is. Only a compile
 * without any diagnostic is kept, so a warning is never lost.
 */
export class ModuleCache {
  constructor(
    readonly dir: string,
    /** Where debug lines go, or null. */
    private readonly log: ((text: string) => void) | null,
  ) {}

  private path(source: string, file: string, seen: string): string {
    return join(this.dir, "module", `${digest(`${keyText()}\n${file}\n${seen}\n${source}`)}.json`);
  }

  /** The module this source compiled to before, or null (a miss, or an entry that does not hold); `seen`: what else the checker saw. */
  get(source: string, file: string, seen: string): Module | null {
    const path = this.path(source, file, seen);
    const e = readEntry(path);
    let why: string | null = null;
    let module: Module | null = null;
    if (e !== null && "why" in e) why = e.why;
    else if (e !== null) {
      const d = e.data;
      if (d.source !== source || d.file !== file || d.seen !== seen) why = "another source";
      else if (typeof d.module !== "string") why = "no module";
      else {
        try {
          module = readModule(Uint8Array.from(Buffer.from(d.module, "base64")));
        } catch (err) {
          if (!(err instanceof ModuleError)) throw err;
          why = `a bad module: ${err.message}`;
        }
      }
    }
    this.log?.(e === null ? `module cache: miss ${path}` : why !== null ? `module cache: ignored ${path}: ${why}` : `module cache: hit ${path}`);
    return module;
  }

  put(source: string, file: string, seen: string, module: Module): void {
    const path = this.path(source, file, seen);
    const failed = writeEntry(path, { file, seen, source, module: Buffer.from(writeModule(module)).toString("base64") });
    this.log?.(failed === null ? `module cache: wrote ${path}` : `module cache: cannot write ${path}: ${failed}`);
  }
}

/** Keeps the folder to MAX_ENTRIES files: the least recently used go first, and crashed writers' temporary files. */
export function prune(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  if (names.length <= MAX_ENTRIES) return;
  const now = Date.now();
  const files: { path: string; t: number; tmp: boolean }[] = [];
  for (const n of names) {
    try {
      files.push({ path: join(folder, n), t: statSync(join(folder, n)).mtimeMs, tmp: n.endsWith(".tmp") });
    } catch {
      // Gone meanwhile (another run pruned it).
    }
  }
  const old = files.filter((f) => !f.tmp).sort((a, b) => a.t - b.t);
  const drop = [...files.filter((f) => f.tmp && now - f.t > STALE_TMP_MS), ...old.slice(0, Math.max(0, old.length - Math.floor((MAX_ENTRIES * 3) / 4)))];
  for (const f of drop) {
    try {
      unlinkSync(f.path);
    } catch {
      // Gone meanwhile.
    }
  }
}

/** The store for a program linked on this thread, or null when the cache is off (or the build unknown). */
export function attachStore(prog: Program, dir: string | null, writable = true): DiskStore | null {
  if (dir === null || BUILD_ID === "") return null;
  const s = new DiskStore(dir, prog, writable);
  prog.jitStore = s;
  return s;
}
