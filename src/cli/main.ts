// The `raft` command (SPEC §1): run, build, check, disasm, repl, explain. A thin layer over the
// library API with injected I/O, so tests can run it in-process. Every failure the user can
// cause ends in a one-line message or a diagnostic with exit code 2 — never a JS trace.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, isAbsolute, relative, resolve, sep } from "node:path";
import { Raft, formatLeftover, formatPanic, kindOf } from "../raft.js";
import { ModuleError, moduleDiagnostic } from "../bytecode/module.js";
import { codeList, explainText } from "./explain.js";
import { parseCli, UsageError, type CliFlags, type ParsedArgs } from "./args.js";
import { LineReader } from "../vm/node-host.js";
import { VERSION } from "../version.js";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  /** Colour diagnostics (stderr is a TTY and NO_COLOR is unset). */
  color: boolean;
  /** stdout and stderr are file descriptors 1 and 2, which scheduler threads can write to as well. */
  directIO?: boolean;
}

export const HELP = `raft ${VERSION} — a VM for concurrent, fault-tolerant programs, and the Kaylee language

Usage:
  raft run [flags] FILE [ARGS...]   compile (.kl), assemble (.raft) or load (.rbc) and run
                                    (FILE - reads the program from stdin; a first line
                                    starting with #! is skipped, for scripts)
  raft build FILE [-o OUT.rbc]      compile or assemble to a bytecode module
  raft check FILE                   parse and type-check only
  raft disasm FILE                  print Raft assembly for a .kl, .raft or .rbc
  raft repl [--asm]                 interactive Kaylee (or, with --asm, the stack language)
  raft explain [CODE]               explain a diagnostic code (E0052, A0001), with a failing
                                    and a fixed example; without CODE, list the codes
  raft --version | --help

Flags of run and repl:
  --seed N                 make vm.random_number deterministic
  --allow-read[=PATHS]     let the program read files (all, or only below PATHS, comma-separated;
                           symbolic links are resolved before the check)
  --allow-write[=PATHS]    let the program write files
  --allow-env              let the program read environment variables
  -A, --allow-all          all of the above
  --max-heap=BYTES         heap limit per process (a process over it ends with heap_limit)
  --max-processes=N        most live processes
  --max-reductions=N       reduction budget for the whole run
  --max-mailbox=N          most queued messages per process (default: no count limit)
  --schedulers=N|auto      scheduler threads (default auto: one a core, started only when
                           there is more work than one can do; RAFT_SCHEDULERS sets it)
  --observe[=HOST:PORT]    watch the running system in a browser (address printed on stderr)

Diagnostics: the first 100 are printed, then a count of the rest; each ends with its code.
Exit codes: 0 success, 1 the main process panicked, 2 usage or compile error, n from vm.exit(n) (0-255).
Logging: RAFT_LOG=error|warn|info|debug|trace|trace:<0.N> (stderr; RUST_LOG when RAFT_LOG is unset).
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  let a: ParsedArgs;
  try {
    a = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    throw e;
  }
  if (a.version) {
    io.stdout(`raft ${VERSION}\n`);
    return 0;
  }
  if (a.help || a.command === null || a.command === "help") {
    if (a.command === null && !a.help) {
      io.stderr(HELP);
      return 2;
    }
    io.stdout(HELP);
    return 0;
  }
  switch (a.command) {
    case "run":
      return cmdRun(a, io);
    case "build":
      return cmdBuild(a, io);
    case "check":
      return cmdCheck(a, io);
    case "disasm":
      return cmdDisasm(a, io);
    case "explain":
      return cmdExplain(a, io);
    case "repl": {
      // Loaded only for the REPL, so that `raft run` starts without it.
      const { ReplScreen, startRepl } = await import("./repl.js");
      const screen = new ReplScreen(io);
      const raft = makeRaft(a.flags, screen.io, []);
      const stop = await observe(raft, a.flags, io);
      if (typeof stop === "number") return stop;
      try {
        return await startRepl(raft, screen, a.flags.asm === true);
      } finally {
        await stop();
      }
    }
    default:
      return usage(io, `unknown command ${JSON.stringify(a.command)}`);
  }
}

function usage(io: CliIO, message: string): number {
  io.stderr(`error: ${message}\n(run \`raft --help\` for usage)\n`);
  return 2;
}

/** `exclusive`: the program owns the event loop (raft run), unlike the REPL, whose input needs it. */
export function makeRaft(f: CliFlags, io: CliIO, args: string[], exclusive = false): Raft {
  const reader = new LineReader(() => io.stdin);
  return new Raft({
    stdout: io.stdout,
    stderr: io.stderr,
    readLine: (take) => reader.readLine(take),
    args,
    env: io.env,
    allowRead: grant(f.allowRead),
    allowWrite: grant(f.allowWrite),
    allowEnv: f.allowEnv,
    allowAll: f.allowAll,
    seed: f.seed,
    maxHeap: f.maxHeap,
    maxProcesses: f.maxProcesses,
    maxReductions: f.maxReductions,
    maxMailbox: f.maxMailbox,
    schedulers: f.schedulers === undefined ? undefined : f.schedulers === 0 ? "auto" : f.schedulers,
    // The seed's RUST_LOG when RAFT_LOG is unset.
    log: io.env.RAFT_LOG ?? io.env.RUST_LOG,
    exclusive,
    directIO: io.directIO === true,
  });
}

/** `--allow-read=a,b` as the option's list (the parser has refused empty paths). */
function grant(v: string | boolean | undefined): boolean | string[] | undefined {
  return typeof v === "string" ? v.split(",") : v;
}

/** All of a stream's bytes (the program of `raft run -`). */
async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

interface Loaded {
  /** The file's name for messages (`<stdin>` for `-`). */
  file: string;
  raft: Raft;
  source: string;
  module: import("../bytecode/module.js").Module | null;
}

/** The name a program read from stdin (`raft run -`) goes by in diagnostics and traces. */
const STDIN_FILE = "<stdin>";

async function load(a: ParsedArgs, io: CliIO, what: string): Promise<Loaded | number> {
  if (!a.file) return usage(io, `${what} needs a FILE`);
  const fromStdin = a.file === "-";
  const file = fromStdin ? STDIN_FILE : a.file;
  // A file without a known extension runs as Kaylee if it is a script: its first line is `#!...`.
  const known = fromStdin || /\.(kl|raft|rbc)$/.test(file);
  const unknownType = () => usage(io, `${file}: unknown file type (expected .kl, .raft or .rbc, or a script whose first line starts with #!)`);
  let bytes: Uint8Array;
  try {
    bytes = fromStdin ? await readAll(io.stdin) : readFileSync(file);
  } catch (e) {
    if (!known) return unknownType();
    const code = (e as { code?: string }).code;
    io.stderr(`error: cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message}\n`);
    return 2;
  }
  if (!known && !(bytes[0] === 0x23 && bytes[1] === 0x21)) return unknownType();
  // The program came on stdin, so its own stdin is at its end (vm.get_user_input: "eof").
  // node:stream is loaded only here (2-3 ms of start-up that other runs need not pay).
  const stdin = fromStdin ? (createRequire(import.meta.url)("node:stream") as typeof import("node:stream")).Readable.from([]) : null;
  const raft = makeRaft(a.flags, stdin ? { ...io, stdin } : io, a.args, what === "run");
  const kind = known ? kindOf(file, bytes) : "kaylee";
  const source = kind === "module" ? "" : new TextDecoder().decode(bytes);
  try {
    const r = raft.toModule(kind === "module" ? bytes : source, { file, kind });
    if (!r.module) {
      io.stderr(raft.render(r.diagnostics, source, io.color));
      return 2;
    }
    return { file, raft, source, module: r.module };
  } catch (e) {
    if (e instanceof ModuleError) {
      io.stderr(raft.render([moduleDiagnostic(file, e)], source, io.color));
      return 2;
    }
    throw e;
  }
}

/** `--observe`: starts the observer; returns what stops it (or an exit code for a bad address). */
async function observe(raft: Raft, f: CliFlags, io: CliIO): Promise<number | (() => Promise<void>)> {
  if (f.observe === undefined) return async () => {};
  let addr: { host?: string; port?: number } | null = {};
  const { parseAddress } = await import("../observe/server.js");
  if (f.observe !== true) addr = parseAddress(f.observe);
  if (!addr) return usage(io, `--observe=${f.observe}: expected HOST:PORT, HOST or PORT`);
  try {
    const o = await raft.observe(addr);
    return () => o.close();
  } catch (e) {
    io.stderr(`error: --observe: cannot listen on ${f.observe === true ? "loopback" : f.observe}: ${(e as Error).message}\n`);
    return 2;
  }
}

async function cmdRun(a: ParsedArgs, io: CliIO): Promise<number> {
  const l = await load(a, io, "run");
  if (typeof l === "number") return l;
  const stop = await observe(l.raft, a.flags, io);
  if (typeof stop === "number") return stop;
  const r = await l.raft.run(l.module!, { file: l.file }).finally(stop);
  if (r.diagnostics.length) {
    io.stderr(l.raft.render(r.diagnostics, l.source, io.color));
    return 2;
  }
  if (r.leftover.length) io.stdout(formatLeftover(r.leftover, r.leftoverTypes));
  if (r.panic) io.stderr(formatPanic(r.panic, l.module!.file));
  return r.exitCode;
}

async function cmdBuild(a: ParsedArgs, io: CliIO): Promise<number> {
  if (a.file === "-" && !a.flags.out) return usage(io, "build - (a program on stdin) needs -o OUT.rbc");
  const l = await load(a, io, "build");
  if (typeof l === "number") return l;
  const out = a.flags.out ?? a.file!.replace(/\.(kl|raft|rbc)$/, "") + ".rbc";
  const module = l.module!;
  // The module names its source (for stack traces) without this machine's folders.
  if (module.file === a.file) module.file = sourceName(a.file);
  let bytes: Uint8Array;
  try {
    bytes = l.raft.save(module);
    writeFileSync(out, bytes);
  } catch (e) {
    io.stderr(`error: cannot write ${out}: ${(e as Error).message}\n`);
    return 2;
  }
  io.stderr(`wrote ${out} (${bytes.length} bytes)\n`);
  return 0;
}

/**
 * How a built module names its source file: the path from the current folder when the file is
 * inside it (`src/app.kl`), else the file's name alone — never an absolute path.
 */
function sourceName(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : basename(file);
}

async function cmdCheck(a: ParsedArgs, io: CliIO): Promise<number> {
  const l = await load(a, io, "check");
  return typeof l === "number" ? l : 0;
}

async function cmdDisasm(a: ParsedArgs, io: CliIO): Promise<number> {
  const l = await load(a, io, "disasm");
  if (typeof l === "number") return l;
  // A source compiled here is named as `raft build` names it, so that the listing assembles
  // back to the bytes `raft build` writes.
  if (l.module!.file === a.file) l.module!.file = sourceName(a.file);
  try {
    io.stdout(l.raft.disassemble(l.module!));
  } catch (e) {
    if (e instanceof ModuleError) {
      io.stderr(l.raft.render([moduleDiagnostic(l.file, e)], l.source, io.color));
      return 2;
    }
    throw e;
  }
  return 0;
}

/** `raft explain CODE`: a diagnostic code's explanation; `raft explain`: the list of codes. */
function cmdExplain(a: ParsedArgs, io: CliIO): number {
  if (a.file === null) {
    io.stdout(codeList());
    return 0;
  }
  const text = explainText(a.file);
  if (text === null) return usage(io, `unknown diagnostic code ${JSON.stringify(a.file)} (\`raft explain\` lists them)`);
  io.stdout(text);
  return 0;
}
