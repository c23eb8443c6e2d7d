// Command-line parsing for `raft`: flags come between the command and the file; everything
// after the file is the program's own arguments (`vm.args()`). Hand-written rather than
// util.parseArgs because `--allow-read` takes an optional `=PATHS` value.

import { grantProblem } from "../vm/permissions.js";
import { MAX_SCHEDULERS } from "../threads/shared-run.js";

export interface CliFlags {
  seed?: number;
  allowRead?: string | boolean;
  allowWrite?: string | boolean;
  allowEnv?: boolean;
  allowAll?: boolean;
  maxHeap?: number;
  maxProcesses?: number;
  maxReductions?: number;
  maxMailbox?: number;
  schedulers?: number;
  out?: string;
  asm?: boolean;
  /** `--observe` (true) or `--observe=HOST:PORT`. */
  observe?: string | true;
}

export interface ParsedArgs {
  command: string | null;
  flags: CliFlags;
  file: string | null;
  args: string[];
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

/** Flags that take a number (a Map: the key is the command line's text). */
const NUMERIC: ReadonlyMap<string, keyof CliFlags> = new Map<string, keyof CliFlags>([
  ["--seed", "seed"],
  ["--max-heap", "maxHeap"],
  ["--max-processes", "maxProcesses"],
  ["--max-reductions", "maxReductions"],
  ["--max-mailbox", "maxMailbox"],
]);

/** `--schedulers=N|auto`: auto is 0 (one a core, decided by the library). */
function schedulersFlag(v: string): number {
  if (v === "auto") return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SCHEDULERS) throw new UsageError(`--schedulers takes a number from 1 to ${MAX_SCHEDULERS}, or auto (got ${JSON.stringify(v)})`);
  return n;
}

/** `--allow-read` (every path) or `--allow-read=PATHS`; an empty path is a usage error. */
function grantFlag(name: string, value: string | undefined): string | true {
  if (value === undefined) return true;
  const problem = grantProblem(name, value, name);
  if (problem) throw new UsageError(problem);
  return value;
}

export function parseCli(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { command: null, flags: {}, file: null, args: [], help: false, version: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (out.file !== null && out.command === "run") {
      out.args.push(a);
      continue;
    }
    if (a === "--") {
      out.file = argv[i + 1] ?? null;
      out.args.push(...argv.slice(i + 2));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      if (out.command === null) out.command = a;
      else if (out.file === null) out.file = a;
      else throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(0, eq) : a;
    const value = eq >= 0 ? a.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case "-h":
      case "--help":
        out.help = true;
        break;
      case "-V":
      case "--version":
        out.version = true;
        break;
      case "--allow-read":
        out.flags.allowRead = grantFlag(name, value);
        break;
      case "--allow-write":
        out.flags.allowWrite = grantFlag(name, value);
        break;
      case "--allow-env":
        out.flags.allowEnv = true;
        break;
      case "--schedulers":
        out.flags.schedulers = schedulersFlag(takeValue());
        break;
      case "-A":
      case "--allow-all":
        out.flags.allowAll = true;
        break;
      case "--observe":
        if (value === "") throw new UsageError("--observe= needs HOST:PORT (or leave out the =)");
        out.flags.observe = value ?? true;
        break;
      case "--asm":
        out.flags.asm = true;
        break;
      case "-o":
      case "--output":
        out.flags.out = takeValue();
        break;
      default: {
        const key = NUMERIC.get(name);
        if (!key) throw new UsageError(`unknown flag ${name}`);
        const text = takeValue();
        const n = Number(text);
        if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`${name} takes a whole number, not ${JSON.stringify(text)}`);
        if (n < 1 && key !== "seed") throw new UsageError(`${name} must be at least 1`);
        (out.flags as Record<string, number>)[key] = n;
      }
    }
  }
  return out;
}
