// The library API (SPEC §6): `new Raft(options)` with injected I/O, permissions and limits;
// compile, assemble, load, disassemble and run. The CLI is a thin layer over this class, so
// whatever the CLI does, an embedder can do too.

import { assemble, type AssembleOptions } from "./bytecode/assembler.js";
import { disassemble } from "./bytecode/disasm.js";
import { ModuleError, isModuleBytes, moduleDiagnostic, readModule, writeModule, type Module } from "./bytecode/module.js";
import { TypeKeyError, hostNames, parseTypeKey, typeKey, type Type } from "./bytecode/types.js";
import { BY_MNEMONIC } from "./bytecode/opcodes.js";
import { extProblem } from "./bytecode/ext.js";
import type { ExtOpcode, OpcodeSpec } from "./vm/ext-opcodes.js";
import { hostCalls, makeHostType, type HostTypeSpec } from "./vm/host-types.js";
import { returningFailures } from "./vm/fallible.js";
import type { HostType } from "./vm/values.js";
import { renderDiagnostics, withPositions, type Diagnostic } from "./diag/index.js";
import { compileKaylee } from "./lang/compile.js";
import { Logger, parseLogSetting } from "./vm/log.js";
import type { Host, NativeFn, NativeSpec, PathGrant, ReadBudget } from "./vm/native-api.js";
import { Natives } from "./vm/natives.js";
import { Pool, autoSchedulers, canGoParallel } from "./threads/pool.js";
import { MAX_SCHEDULERS } from "./threads/shared-run.js";
import { grantProblem, makePermissions } from "./vm/permissions.js";
import { armCancel, checkCancelOptions, type CancelOptions, type CancelReason } from "./vm/cancel.js";
import { link, type LinkExtensions, type Program } from "./vm/program.js";
import { DiskStore, ModuleCache, attachStore, cacheFolder } from "./vm/jit-cache.js";
import { BUILD_ID } from "./build-id.js";
import { makeRandom } from "./vm/random.js";
import { VMCore, formatTrace, type PanicInfo, type RunOutcome, type VMEvent } from "./vm/vm-core.js";
import { installSupervisors } from "./vm/supervisor.js";
import { formatAny, formatValue } from "./vm/print.js";
import { leftoverTypes, type NativeResult } from "./bytecode/stack-types.js";
import { METHODS, VM_FUNCTIONS } from "./lang/builtins.js";
import { KEYWORDS } from "./lang/token.js";
import { KError, fault } from "./vm/values.js";
import { describeValue, resultMismatch } from "./vm/native-result.js";
import { C } from "./vm/error-codes.js";
import type { Session } from "./session.js";
import type { Spread } from "./threads/protocol.js";
import type { ObserveOptions, Observer } from "./observe/server.js";

export interface RaftOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** One line of input without its newline, or null at end of input (see `Host.readLine`
   *  for `take`, which counts the line toward the reader's heap as it arrives). */
  readLine?: (take?: ReadBudget) => Promise<string | null>;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Permissions: none by default. */
  allowRead?: PathGrant;
  allowWrite?: PathGrant;
  allowEnv?: boolean;
  allowAll?: boolean;
  /** Limits. */
  maxHeap?: number;
  maxProcesses?: number;
  maxReductions?: number;
  /** Messages one mailbox may hold (default: no count limit; queued messages count toward the receiver's heap). */
  maxMailbox?: number;
  /** Makes vm.random_number deterministic. */
  seed?: number;
  /** Log level (RAFT_LOG): error, warn (the default), info, debug, trace, or trace:<0.N> (vm/log.ts); an unknown one is a warning. */
  log?: string;
  /** Virtual clock for tests (milliseconds). */
  clock?: () => number;
  onEvent?: (e: RaftEvent) => void;
  /** The VM may keep the event loop while a process is busy (the CLI sets this; embedders should not). */
  exclusive?: boolean;
  /** The second tier (compiled JS for hot functions): "on" (default), "off", "eager". Default from RAFT_JIT. */
  jit?: "on" | "off" | "eager";
  /** Custom file access (defaults to node:fs). */
  fs?: Host["fs"];
  /**
   * Scheduler threads a run may use: a number, or "auto" (one a core; the default, from
   * RAFT_SCHEDULERS when set). A thread beyond the first starts only when a run has more
   * runnable work than one can do. 1 is the deterministic mode.
   */
  schedulers?: number | "auto";
  /** stdout and stderr are file descriptors 1 and 2 (the CLI): other threads may write them. */
  directIO?: boolean;
  /**
   * The cache across runs (what a run compiled — the module of a Kaylee source, the second
   * tier's JavaScript — kept in files, so that the next process running the program skips
   * that work; vm/jit-cache.ts): `false` turns it off, `{ dir }` keeps it in that folder.
   * Default: on, in $RAFT_CACHE_DIR or the user's cache folder (~/.cache/raft on Linux);
   * RAFT_CACHE=off turns it off everywhere.
   */
  cache?: boolean | { dir: string };
}

export type SourceKind = "kaylee" | "assembly" | "module";

export interface RunOptions extends CancelOptions {
  file?: string;
  kind?: SourceKind;
}

export interface RunResult {
  exitCode: number;
  /** The main process's panic, if it panicked. */
  panic: PanicInfo | null;
  /** Compile or load errors (the program did not run). */
  diagnostics: Diagnostic[];
  /**
   * Values left on main's stack (assembly programs): the VM's own values, which hand-made
   * bytecode can make cyclic or very deep; `formatLeftover` prints any of them.
   */
  leftover: unknown[];
  /** What the code says of each leftover value's type (null: not known; see `leftoverTypes`). */
  leftoverTypes: (Type | null)[];
  stats: RunOutcome["stats"];
  /** Why the run was ended from outside (`signal` aborted, `timeoutMs` passed), with exit code 1; else null. */
  cancelled: CancelReason | null;
}

export interface CompileResult {
  module: Module | null;
  diagnostics: Diagnostic[];
}

export class Raft {
  readonly natives = new Natives();
  private specs: NativeSpec[] = [];
  /** Extension opcodes (defineOpcode) by name in lower case. */
  private readonly opcodes = new Map<string, ExtOpcode>();
  /** Host types (defineType) by name. */
  private readonly hostTypes = new Map<string, HostType>();
  /**
   * Each module run before, linked: running it again reuses the Program, and with it the
   * second tier's compiled code (already warm in V8) and its call counts. Emptied when a
   * native is added or replaced, since linking resolved the natives by name.
   */
  private linked = new WeakMap<Module, Program>();

  /** Throws for options that cannot be meant, such as an empty path in `allowRead` or `allowWrite`. */
  constructor(readonly options: RaftOptions = {}) {
    checkOptions(options);
    for (const key of ["allowRead", "allowWrite"] as const) {
      const problem = grantProblem(key, options[key], "true");
      if (problem) throw new TypeError(problem);
    }
    // An unknown log level is said once, now, as a warning (one line on stderr and a log
    // event): never silence, and never an error that stops the program.
    const log = parseLogSetting(options.log);
    if (log.problem !== null) {
      options.onEvent?.({ kind: "log", level: "warn", message: log.problem });
      (options.stderr ?? ((t: string) => void process.stderr.write(t)))(`WARN ${log.problem}\n`);
    }
  }

  /**
   * Adds `vm.NAME` to the language: the type checker sees its signature, and a call runs
   * `fn`, which may return a Promise (only the calling process waits).
   */
  defineNative(name: string, params: string[], ret: string, fn: (...args: any[]) => unknown, opts: { fallible?: boolean } = {}): void {
    if (typeof name !== "string") throw new TypeError(`defineNative: the name must be a string`);
    const full = name.startsWith("vm.") ? name : `vm.${name}`;
    // A name a program can call, and not one of the language's own (whose calls the compiler
    // lowers itself: replacing some would work and others silently would not).
    const bare = full.slice(3);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(bare) || KEYWORDS.has(bare)) throw new TypeError(`defineNative ${JSON.stringify(name)}: not a name a program can call (letters, digits and _, not a keyword)`);
    if (VM_FUNCTIONS.has(bare)) throw new TypeError(`defineNative ${full}: the standard library has a vm.${bare} of its own`);
    if (typeof fn !== "function") throw new TypeError(`defineNative ${full}: its implementation must be a function`);
    if (!Array.isArray(params) || params.some((p) => typeof p !== "string")) throw new TypeError(`defineNative ${full}: the parameters must be an array of type names`);
    if (typeof ret !== "string") throw new TypeError(`defineNative ${full}: the result type must be a type name`);
    const type = (key: string): Type => {
      try {
        return parseTypeKey(key, (n) => this.hostTypes.has(n));
      } catch (e) {
        if (!(e instanceof TypeKeyError)) throw e;
        throw new TypeError(`defineNative ${full}: ${JSON.stringify(key)} is not a type (a host type is defined with defineType first)`);
      }
    };
    const paramTypes = params.map(type);
    const retType = type(ret);
    // Values of host types cross as the embedder's own values, boxed and owned (host-types.ts).
    const host = hostCalls(paramTypes, retType, (n) => this.hostTypes.get(n));
    // A fallible native returns what the VM refuses (a closed host value) as its error value.
    // What it returns must be what its signature says (vm/native-result.ts); undefined is null.
    const fallible = opts.fallible ?? false;
    const checked = (v: unknown): unknown => {
      const r = v === undefined ? null : v;
      const why = fallible && r instanceof KError ? null : resultMismatch(r, retType);
      if (why !== null) throw fault(`native ${full} returned ${why}`, C.native);
      return r;
    };
    const plain: NativeFn = (_ctx, args) => {
      const r = fn(...args);
      return r instanceof Promise ? r.then(checked) : checked(r);
    };
    const native: NativeFn = host === null ? plain : opts.fallible ? returningFailures((ctx, args) => host(ctx, fn, args)) : (ctx, args) => host(ctx, fn, args);
    this.specs = this.specs.filter((s) => s.name !== full);
    this.specs.push({ name: full, params: paramTypes, ret: retType, fallible: opts.fallible ?? false, fn: native });
    this.natives.register(full, native);
    this.linked = new WeakMap();
  }

  /**
   * Adds an instruction (docs/embedding.md): usable by name in assembly and in modules, checked
   * by the verifier by its declared stack effect, run by both tiers as `exec(args, operands,
   * ctx)`. Throws TypeError for a definition that cannot be meant.
   */
  defineOpcode(spec: OpcodeSpec): void {
    if (typeof spec !== "object" || spec === null) throw new TypeError("defineOpcode: expected { name, operands, pops, pushes, doc, exec }");
    const op: ExtOpcode = { name: spec.name, operands: Array.isArray(spec.operands) ? [...spec.operands] : spec.operands, pops: spec.pops, pushes: spec.pushes, doc: typeof spec.doc === "string" ? spec.doc : "", exec: spec.exec };
    const why = extProblem(op);
    if (why !== null) throw new TypeError(`defineOpcode: ${why}`);
    if (BY_MNEMONIC.has(op.name.toLowerCase()) || op.name.toLowerCase() === "wide") throw new TypeError(`defineOpcode: ${op.name} is an instruction of the opcode table`);
    if (typeof op.exec !== "function") throw new TypeError(`defineOpcode ${op.name}: exec must be a function`);
    this.opcodes.set(op.name.toLowerCase(), op);
    this.linked = new WeakMap();
  }

  /**
   * Adds a host type (docs/embedding.md): natives' signatures may name it, Kaylee variables
   * hold its values; `print`, `size`, `send` and `close` say how its values print, what they
   * count toward their owner's heap, how they cross to another process and what ends them.
   * A name is defined once; throws TypeError otherwise, or for a definition that cannot be meant.
   */
  defineType(name: string, spec: HostTypeSpec = {}): void {
    if (this.hostTypes.has(name)) throw new TypeError(`defineType: ${name} is already defined`);
    // A program could never write it as a type: a keyword, or `vm` (the standard library's).
    if (typeof name === "string" && (KEYWORDS.has(name) || name === "vm")) throw new TypeError(`defineType: ${name} is a word of the language, not a type name a program can write`);
    this.hostTypes.set(name, makeHostType(name, spec));
    this.linked = new WeakMap();
  }

  /** The host types defined (defineType), by name: what the type checker sees. */
  get definedTypes(): ReadonlyMap<string, HostType> {
    return this.hostTypes;
  }

  /** What the assembler needs of this Raft's extension opcodes and host types. */
  get assembleOptions(): AssembleOptions {
    return { opcodes: [...this.opcodes.values()], hostType: (n) => this.hostTypes.has(n) };
  }

  /** What linking a module needs of this Raft's extension opcodes and host types. */
  get linkExtensions(): LinkExtensions {
    return {
      opcode: (name) => this.opcodes.get(name.toLowerCase()),
      hostType: (name) => this.hostTypes.has(name),
      hostNative: (name) => {
        const spec = this.specs.find((s) => s.name === name);
        return spec !== undefined && [...spec.params, spec.ret].some((t) => hostNames(t).length !== 0);
      },
    };
  }

  /** An error value for a native to return (Kaylee's `vm.error(message, code)`). */
  error(message: string, code: string = C.error): KError {
    return new KError(message, code);
  }

  /** Registers a native reachable from assembly as `CallNative #name` (no type signature). */
  registerNative(name: string, fn: NativeFn): void {
    this.natives.register(name, fn);
    this.linked = new WeakMap();
  }

  /**
   * Kaylee source to a module; diagnostics carry `line` and `column` as well as spans. With
   * the cache across runs on (the `cache` option), a source compiled before without any
   * diagnostic comes back from it, as the same module.
   */
  compile(source: string, file = "main.kl"): CompileResult {
    const cache = this.moduleCache();
    // What the checker sees besides the source: the natives' signatures and the host types.
    const seen = cache
      ? JSON.stringify([this.specs.map((s) => [s.name, s.params.map(typeKey), typeKey(s.ret), s.fallible]), [...this.hostTypes].map(([n, t]) => [n, t.send])])
      : "";
    const kept = cache?.get(source, file, seen);
    if (kept) return { module: kept, diagnostics: [] };
    const r = compileKaylee(source, file, { natives: this.specs, hostTypes: this.definedTypes });
    if (cache && r.module && r.diagnostics.length === 0) cache.put(source, file, seen, r.module);
    return { module: r.module, diagnostics: withPositions(r.diagnostics, source) };
  }

  /** The folder of the cache across runs (vm/jit-cache.ts), or null when it is off; asked once. */
  private cacheDir(): string | null {
    if (this.cacheFolderKnown === undefined) this.cacheFolderKnown = cacheFolder(this.options.cache);
    return this.cacheFolderKnown;
  }
  private cacheFolderKnown: string | null | undefined = undefined;

  private moduleCache(): ModuleCache | null {
    const dir = this.cacheDir();
    if (dir === null || BUILD_ID === "") return null;
    return (this.modules ??= new ModuleCache(dir, this.logLevel().debug ? (text) => this.logLine(`DEBUG ${text}\n`) : null));
  }
  private modules: ModuleCache | null = null;

  /** This Raft's log level (the `log` option), read once. */
  private logLevel(): Logger {
    return (this.logger ??= new Logger(this.options.log, (line) => this.logLine(line)));
  }
  private logger: Logger | null = null;

  /** A log line: to stderr and, as a `log` event, to onEvent (options `o`, this Raft's by default). */
  private logLine(line: string, o: RaftOptions = this.options, onEvent = o.onEvent): void {
    if (onEvent) {
      const sp = line.indexOf(" ");
      onEvent({ kind: "log", level: line.slice(0, sp).toLowerCase(), message: line.slice(sp + 1).replace(/\n$/, "") });
    }
    (o.stderr ?? ((s: string) => void process.stderr.write(s)))(line);
  }

  /** Raft assembly to a module; diagnostics carry `line` and `column` as well as spans. */
  assemble(source: string, file = "main.raft"): CompileResult {
    const r = assemble(source, file, this.assembleOptions);
    return { module: r.module, diagnostics: withPositions(r.diagnostics, source) };
  }

  /** Reads a `.rbc` module. Throws `ModuleError` for a bad one. */
  load(bytes: Uint8Array): Module {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`load: expected module bytes (a Uint8Array), not ${describeValue(bytes)}`);
    return readModule(bytes);
  }

  save(module: Module): Uint8Array {
    return writeModule(module);
  }

  disassemble(module: Module): string {
    return disassemble(module);
  }

  /** Turns source text or module bytes into a module, by kind or by file extension. */
  toModule(input: string | Uint8Array | Module, opts: RunOptions = {}): CompileResult {
    if (typeof input === "object" && !(input instanceof Uint8Array)) return { module: input, diagnostics: [] };
    const file = opts.file ?? "main.kl";
    const kind = opts.kind ?? kindOf(file, input);
    if (kind === "module" || input instanceof Uint8Array) {
      const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
      return { module: readModule(bytes), diagnostics: [] };
    }
    return kind === "assembly" ? this.assemble(input, file) : this.compile(input, file);
  }

  render(diags: Diagnostic[], source: string, color = false): string {
    return renderDiagnostics(diags, source, { color });
  }

  /**
   * Compiles (or assembles, or loads), verifies and runs a program to its end — or until
   * `opts.signal` aborts or `opts.timeoutMs` passes, which ends everything the run started.
   */
  async run(input: string | Uint8Array | Module, opts: RunOptions = {}): Promise<RunResult> {
    checkRunInput("run", input, opts);
    checkCancelOptions(opts);
    const notRun = (exitCode: number, diagnostics: Diagnostic[], cancelled: CancelReason | null = null): RunResult => ({
      exitCode,
      panic: null,
      diagnostics,
      leftover: [],
      leftoverTypes: [],
      stats: { processes: 0, reductions: 0, messages: 0, memory: 0 },
      cancelled,
    });
    if (opts.signal?.aborted) return notRun(1, [], "aborted");
    let module: Module | null;
    let diagnostics: Diagnostic[];
    try {
      ({ module, diagnostics } = this.toModule(input, opts));
    } catch (e) {
      if (e instanceof ModuleError) return notRun(2, [moduleDiagnostic(opts.file ?? "module", e)]);
      throw e;
    }
    if (!module) return notRun(2, diagnostics);
    let program = this.linked.get(module);
    try {
      if (!program) {
        this.linked.set(module, (program = this.link(module)));
        attachStore(program, this.cacheDir());
      }
    } catch (e) {
      if (e instanceof ModuleError) return notRun(2, [moduleDiagnostic(opts.file ?? module.file, e)]);
      throw e;
    }
    const vm = await this.createVM();
    const store = program.jitStore instanceof DiskStore ? program.jitStore : null;
    if (store) store.log = vm.log.debug ? (text) => vm.log.log("debug", text) : null;
    const running = vm.run(program);
    const disarm = armCancel(opts, (reason) => vm.cancel(reason));
    let outcome: Awaited<typeof running>;
    try {
      outcome = await running;
    } finally {
      disarm();
    }
    vm.release();
    if (vm.hostFault !== null) throw hostCallbackError(vm.hostFault);
    // What the second tier compiled in this run, for the next process that runs the module.
    store?.save();
    const leftoverTypes = this.leftoverTypes(module, outcome.leftover.length);
    return { exitCode: outcome.exitCode, panic: outcome.panic, diagnostics: [], leftover: outcome.leftover, leftoverTypes, stats: outcome.stats, cancelled: outcome.cancelled };
  }

  /** Verifies and links `module` with this Raft's natives, extension opcodes and host types. Throws `ModuleError`. */
  link(module: Module): Program {
    return link(module, this.natives, this.linkExtensions);
  }

  /**
   * A VM with this Raft's host, permissions, limits and natives, not yet running anything.
   * `overrides` replaces options for this VM only (the REPL supplies its own readLine).
   */
  async createVM(overrides: Partial<RaftOptions> = {}): Promise<VMCore> {
    const o: RaftOptions = { ...this.options, ...overrides };
    // The embedder's onEvent and stderr run inside the scheduler: one that throws ends the run
    // (VMCore.failHost; run() rejects with an Error saying which), never the host.
    let made: VMCore | null = null;
    const guard = <A>(what: string, f: (a: A) => void): ((a: A) => void) => (a: A) => {
      if (made?.hostFault) return;
      try {
        f(a);
      } catch (e) {
        if (made === null) throw e;
        made.failHost(what, e);
      }
    };
    const stderr = guard("stderr", o.stderr ?? ((s: string) => void process.stderr.write(s)));
    const obs = this.observer && !this.observer.isClosed ? this.observer : null;
    const user = o.onEvent === undefined ? undefined : guard("onEvent", o.onEvent);
    let self: VMCore | null = null; // the observer hears this VM's events too
    const onEvent = obs ? (e: VMEvent) => (self && obs.event(self, e), user?.(e)) : user;
    const fs = o.fs ?? (await import("./vm/node-fs.js")).nodeFs;
    const host: Host = {
      stdout: o.stdout ?? ((s: string) => void process.stdout.write(s)),
      stderr,
      readLine: o.readLine ?? (async () => null),
      args: o.args ?? [],
      // The granted folders as real paths, resolved now, when the run starts.
      permissions: makePermissions({ read: o.allowRead, write: o.allowWrite, env: o.allowEnv, all: o.allowAll, resolve: fs.resolve }),
      env: o.env ?? process.env,
      fs,
    };
    // Log lines go to stderr and, as `log` events, to onEvent.
    const writeLog = (line: string) => this.logLine(line, { ...o, stderr }, onEvent);
    const vm = new VMCore({
      host,
      logger: new Logger(o.log, writeLog),
      random: makeRandom(o.seed),
      clock: o.clock,
      maxProcesses: o.maxProcesses,
      maxReductions: o.maxReductions,
      maxHeap: o.maxHeap,
      maxMailbox: o.maxMailbox,
      onEvent,
      jit: o.jit ?? jitFromEnv(),
      // Observed, the VM gives the event loop a turn every few ms, so that the observer answers.
      exclusive: o.exclusive && !obs,
      seed: o.seed,
      schedulers: schedulerCount(o.schedulers),
      spread: spreadFromEnv(),
      directIO: o.directIO === true,
      customFs: o.fs !== undefined,
      builtinNatives: builtinNatives(),
      hostTypes: this.hostTypes.size !== 0,
      parallel: (vm) => {
        const n = parallelSchedulers(vm);
        return n > 1 ? Pool.get().goParallel(vm, n, vm.opts.spread) : undefined;
      },
      prepareParallel: (vm) => {
        const n = parallelSchedulers(vm);
        if (n > 1) Pool.get().warm(n);
      },
    });
    made = vm;
    installSupervisors(vm);
    if (obs) obs.attach((self = vm));
    return vm;
  }

  /**
   * The static types of the `n` values a run of `module` left on main's stack, as its code
   * says (bytecode/stack-types.ts; null where it cannot tell): values carry no tags, so this
   * is how a pid prints as `<0.N>` and a float with a `.`. `native` may answer for natives
   * of its own first.
   */
  leftoverTypes(module: Module, n: number, native?: NativeResult): (Type | null)[] {
    return leftoverTypes(module, n, (name, args) => native?.(name, args) ?? this.nativeResultType(name));
  }

  /** The type a native's signature says it returns (built in, or added with `defineNative`), or null. */
  private nativeResultType(name: string): Type | null {
    const ret = this.specs.find((s) => s.name === name)?.ret ?? (name.startsWith("vm.") ? VM_FUNCTIONS.get(name.slice(3)) : METHODS.get(name))?.ret;
    return ret !== undefined && typeof ret === "object" ? ret : null;
  }

  /** The signatures of the natives added with `defineNative` (what the type checker sees). */
  get nativeSpecs(): readonly NativeSpec[] {
    return this.specs;
  }

  /**
   * Serves a live view of this Raft's VMs to a browser (the observer: docs/observer.md) on
   * loopback and a free port unless told otherwise. It watches the VM of the latest run or
   * session; `close()` it when done.
   */
  async observe(opts: ObserveOptions = {}): Promise<Observer> {
    const port = (opts as { port?: unknown }).port;
    if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) throw new TypeError(`observe: port must be a whole number from 0 to 65535, not ${describeValue(port)}`);
    const host = (opts as { host?: unknown }).host;
    if (host !== undefined && (typeof host !== "string" || host === "")) throw new TypeError(`observe: host must be a host name or address, not ${describeValue(host)}`);
    if (this.observer && !this.observer.isClosed) return this.observer;
    const { Observer } = await import("./observe/server.js");
    return (this.observer = await Observer.start({ stderr: this.options.stderr, ...opts }));
  }

  private observer: Observer | null = null;

  /** A long-lived VM for incremental evaluation (the REPL): see src/session.ts. */
  async session(overrides: Partial<RaftOptions> = {}): Promise<Session> {
    const { Session } = await import("./session.js");
    return Session.create(this, overrides);
  }
}

/**
 * Refuses options that cannot be meant, as the CLI refuses such flags: a limit that is not a
 * whole number of at least 1 (0 or -1 must not quietly mean "no limit"), a flag that is not a
 * boolean (`allowAll: "no"` must not grant everything), a callback that is not a function, an
 * empty cache folder. A TypeError or RangeError naming the option.
 */
function checkOptions(o: RaftOptions): void {
  const bad = (key: string, want: string, v: unknown): never => {
    throw new TypeError(`new Raft: ${key} must be ${want}, not ${typeof v === "string" ? JSON.stringify(v) : typeof v === "function" ? "a function" : String(v)}`);
  };
  const given = o as Record<string, unknown>;
  for (const key of ["stdout", "stderr", "readLine", "clock", "onEvent"]) {
    if (given[key] !== undefined && typeof given[key] !== "function") bad(key, "a function", given[key]);
  }
  for (const key of ["allowEnv", "allowAll", "exclusive", "directIO"]) {
    if (given[key] !== undefined && typeof given[key] !== "boolean") bad(key, "true or false", given[key]);
  }
  for (const key of ["maxHeap", "maxProcesses", "maxReductions", "maxMailbox"]) {
    const v = given[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= 1)) bad(key, "a whole number of at least 1", v);
  }
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && o.seed >= 0)) bad("seed", "a whole number of at least 0", o.seed);
  if (o.log !== undefined && typeof o.log !== "string") bad("log", "a string (error, warn, info, debug, trace)", o.log);
  if (o.jit !== undefined && o.jit !== "on" && o.jit !== "off" && o.jit !== "eager") bad("jit", '"on", "off" or "eager"', o.jit);
  const n = o.schedulers;
  if (n !== undefined && n !== "auto" && !(Number.isInteger(n) && n >= 1 && n <= MAX_SCHEDULERS)) bad("schedulers", `"auto" or a whole number from 1 to ${MAX_SCHEDULERS}`, n);
  if (o.args !== undefined && !(Array.isArray(o.args) && o.args.every((a) => typeof a === "string"))) bad("args", "an array of strings", o.args);
  if (o.env !== undefined && (typeof o.env !== "object" || o.env === null || Object.values(o.env).some((v) => v !== undefined && typeof v !== "string"))) bad("env", "an object of strings", o.env);
  const c = o.cache;
  if (c !== undefined && typeof c !== "boolean" && !(typeof c === "object" && c !== null && typeof c.dir === "string" && c.dir.trim() !== "")) bad("cache", "true, false or { dir: a folder }", typeof c === "object" && c !== null ? JSON.stringify(c) : c);
  const fs = o.fs as Record<string, unknown> | undefined;
  if (fs !== undefined && (typeof fs !== "object" || fs === null || ["readFile", "writeFile", "resolve"].some((k) => typeof fs[k] !== "function"))) bad("fs", "an object with readFile, writeFile and resolve functions", fs);
}

/** Usage errors of `run`: what it was given is no program, or its options are of the wrong kind. */
function checkRunInput(what: string, input: unknown, opts: unknown): void {
  const isModule = typeof input === "object" && input !== null && !(input instanceof Uint8Array) && Array.isArray((input as { functions?: unknown }).functions);
  if (typeof input !== "string" && !(input instanceof Uint8Array) && !isModule) throw new TypeError(`${what}: the program must be source text, module bytes (a Uint8Array) or a Module, not ${describeValue(input)}`);
  if (typeof opts !== "object" || opts === null) throw new TypeError(`${what}: the options must be an object, not ${describeValue(opts)}`);
  const o = opts as RunOptions;
  if (o.file !== undefined && typeof o.file !== "string") throw new TypeError(`${what}: file must be a string, not ${describeValue(o.file)}`);
  if (o.kind !== undefined && o.kind !== "kaylee" && o.kind !== "assembly" && o.kind !== "module") throw new TypeError(`${what}: kind must be "kaylee", "assembly" or "module", not ${describeValue(o.kind)}`);
  const sig = o.signal as { aborted?: unknown; addEventListener?: unknown } | undefined;
  if (sig !== undefined && (typeof sig !== "object" || sig === null || typeof sig.aborted !== "boolean" || typeof sig.addEventListener !== "function")) throw new TypeError(`${what}: signal must be an AbortSignal, not ${describeValue(sig)}`);
}

/** The Error a run rejects with when a callback of the embedder's threw (its `cause`: what was thrown). */
function hostCallbackError(f: { what: string; error: unknown }): Error {
  const why = f.error instanceof Error ? f.error.message : String(f.error);
  return new Error(`the ${f.what} callback threw: ${why}`, { cause: f.error });
}

/** How many schedulers `vm`'s run would use if it went parallel now (1: it cannot). */
function parallelSchedulers(vm: VMCore): number {
  const n = vm.opts.schedulers === 0 ? autoSchedulers() : vm.opts.schedulers!;
  return n > 1 && canGoParallel(vm) ? n : 1;
}

/** How many schedulers a run may use (0: auto, one a core): the option, else RAFT_SCHEDULERS, else auto. */
function schedulerCount(v: number | "auto" | undefined): number {
  const env = process.env.RAFT_SCHEDULERS;
  const want = v ?? (env === undefined || env === "" || env === "auto" ? "auto" : Number(env));
  if (want === "auto") return 0;
  return Number.isInteger(want) && want >= 1 ? Math.min(want, MAX_SCHEDULERS) : 1;
}

let builtins: Natives | null = null;
/** The natives every scheduler thread has: the built-in ones, without any embedder's. */
function builtinNatives(): Natives {
  return (builtins ??= new Natives());
}

function jitFromEnv(): "on" | "off" | "eager" {
  const v = process.env.RAFT_JIT;
  return v === "0" || v === "off" ? "off" : v === "eager" ? "eager" : "on";
}

/** RAFT_SPREAD (tests and the bench's cross-thread rows): "1" moves processes on, "place" only places them. */
function spreadFromEnv(): Spread | undefined {
  const v = process.env.RAFT_SPREAD;
  return v === "1" || v === "move" ? "move" : v === "place" ? "place" : undefined;
}

export function kindOf(file: string, input?: string | Uint8Array): SourceKind {
  if (input instanceof Uint8Array && isModuleBytes(input)) return "module";
  if (file.endsWith(".rbc")) return "module";
  if (file.endsWith(".raft")) return "assembly";
  return "kaylee";
}

/** How a panic is shown: the message, the process, and a Kaylee stack trace. */
export function formatPanic(p: PanicInfo, file: string): string {
  return formatTrace(p, file);
}

/** Values left on an assembly program's stack, one a line: by their `types` where known (`RunResult.leftoverTypes`). */
export function formatLeftover(values: unknown[], types: readonly (Type | null)[] = []): string {
  return values.map((v, i) => (types[i] ? formatValue(v, types[i]!) : formatAny(v)) + "\n").join("");
}

/** A log line as an event: `RAFT_LOG` output, also delivered to `onEvent`. */
export type LogEvent = Extract<VMEvent, { kind: "log" }>;
/** Everything `onEvent` receives: spawn, exit, restart and log. */
export type RaftEvent = VMEvent;

export type { Type, Module, Diagnostic, PanicInfo, VMEvent, NativeSpec, CancelOptions, CancelReason, ObserveOptions, Observer };
