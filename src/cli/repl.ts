// `raft repl`: interactive Kaylee, or with --asm the stack language.
//
// The REPL is a thin loop over a `Session` (src/session.ts), which holds one long-lived VM
// whose main process is the REPL process: definitions and variables persist, every input
// runs exactly once, spawned processes keep running between inputs, and a panic is printed
// while the session goes on. Read the header of session.ts for how.
//
// Input comes from readline on stdin — a terminal (prompts, history in ~/.raft_history or
// $RAFT_HISTORY, tab completion of names, vm calls and methods; Ctrl+C ends the running input
// or drops the typed line; output that arrives while the prompt waits goes above it: see
// ReplScreen) or a pipe (no prompts, no history: a piped session behaves exactly as if
// typed). The program's own `vm.get_user_input()` reads from the same line queue, so a typed
// line goes to whichever asks first. An input goes on over several lines while a brace, paren
// or bracket is open (or a `/* */` comment or a string is). In --asm mode a line starting with
// `fn` opens a function block that ends at a blank line.

import { infoText, psText, treeText } from "./inspect.js";
import { censusNow } from "../threads/survey.js";
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { clearScreenDown, createInterface, cursorTo, moveCursor, type Interface } from "node:readline";
import type { Raft } from "../raft.js";
import type { CliIO } from "./main.js";
import { Session, type EvalResult } from "../session.js";
import { VM_FUNCTIONS, methodNames } from "../lang/builtins.js";
import { KEYWORDS } from "../lang/token.js";
import { VERSION } from "../version.js";

export const REPL_HELP = `Kaylee REPL — statements, expressions and fn declarations; definitions persist.
  EXPR;           show the value and type of an expression (the ';' may be left out);
                  name.upper(); v.push(1); show the variable's new value
  let x = ...;    variables persist across inputs; fn declarations too
  :type EXPR      show the type of an expression without running it
  :asm STMT       show the bytecode of a statement (Raft assembly)
  :ps             the live processes: status, mailbox, memory, reductions, scheduler,
                  function
  :tree           the supervision trees
  :info PID       one process (PID is <0.N>, N or a registered name)
  :help           this text
  :quit           leave (or end of input / Ctrl+D)
  Ctrl+C          end the input that is running, or drop the line being typed
The REPL is a process: vm.self(), vm.spawn(f) and vm.receive() work, and spawned
processes keep running between inputs. Input continues while a brace or paren is open.
`;

export const ASM_HELP = `Raft stack REPL — each line runs as assembly against a persistent stack.
  1 2 +           shorthand: integers push; + - * / % ^ are Add Sub Mul Div Mod Exp
  PushConst #1.5  any instruction (see \`raft disasm\` output for the forms)
  5 Call @sq      a line may mix numbers, operators and instructions
  fn NAME ...     a function block, ended by a blank line; call it with Call @NAME
  :ps  :tree  :info PID  :help  :quit
`;

/** A queue of input lines shared by the REPL and the program's vm.get_user_input(). */
class Lines {
  private queue: string[] = [];
  private waiters: ((l: string | null) => void)[] = [];
  private closed = false;
  push(l: string): void {
    const w = this.waiters.shift();
    if (w) w(l);
    else this.queue.push(l);
  }
  /** A line is waiting to be taken. */
  get typedAhead(): boolean {
    return this.queue.length > 0;
  }
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
  }
  next(): Promise<string | null> {
    if (this.queue.length) return Promise.resolve(this.queue.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }
}

/**
 * The REPL's output. On a terminal, text printed while the prompt waits for typing (by a
 * spawned process, or a panic between inputs) goes above the prompt: the prompt line is
 * cleared, the text written, and the prompt drawn again with what had been typed so far.
 * Create it before the Raft, whose output must go through `io`.
 */
export class ReplScreen {
  /** The CLI's I/O with stdout and stderr passing through this screen. */
  readonly io: CliIO;
  /** The terminal readline draws on, or null when input or output is not a terminal. */
  readonly terminal: NodeJS.WritableStream | null;
  private rl: Interface | null = null;
  /** A prompt is on screen, waiting for the user's typing. */
  private waiting = false;

  constructor(io: CliIO, terminal?: NodeJS.WritableStream | null) {
    const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    this.terminal = terminal !== undefined ? terminal : stdin.isTTY === true && process.stdout.isTTY === true ? process.stdout : null;
    // Not directIO: scheduler threads must not write past the prompt on their own.
    this.io = { ...io, stdout: (t) => this.write(io.stdout, t), stderr: (t) => this.write(io.stderr, t), directIO: false };
  }

  attach(rl: Interface): void {
    this.rl = rl;
  }

  /** Shows prompt `p` and waits for typing (on a terminal; piped input has no prompts). */
  prompt(p: string): void {
    if (!this.rl || !this.terminal) return;
    this.rl.setPrompt(p);
    this.rl.prompt();
    this.waiting = true;
  }

  /** A line was entered: output goes straight on until the next prompt. */
  entered(): void {
    this.waiting = false;
  }

  private write(to: (t: string) => void, text: string): void {
    const rl = this.rl;
    const out = this.terminal;
    if (!this.waiting || !rl || !out || text === "") return to(text);
    // Back to the prompt's first row, clear it and what the typed line wrapped onto, write
    // the text on whole lines, then draw the prompt and the typed text again.
    const rows = rl.getCursorPos().rows;
    if (rows > 0) moveCursor(out, 0, -rows);
    cursorTo(out, 0);
    clearScreenDown(out);
    to(text.endsWith("\n") ? text : text + "\n");
    // readline climbs back over the rows it last drew before it redraws; they were cleared.
    (rl as Interface & { prevRows?: number }).prevRows = 0;
    rl.prompt(true);
  }
}

export async function startRepl(raft: Raft, screen: ReplScreen, asm: boolean): Promise<number> {
  const io = screen.io;
  const stdin = io.stdin;
  const tty = screen.terminal !== null;
  const lines = new Lines();
  const session = await raft.session({ readLine: () => lines.next() });
  session.onBackground = (text) => io.stderr(text);

  const historyFile = io.env.RAFT_HISTORY || join(homedir(), ".raft_history");
  let history: string[] = [];
  if (tty) {
    try {
      history = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).reverse().slice(0, 1000);
    } catch {
      history = [];
    }
  }
  const rl: Interface = createInterface({
    input: stdin,
    output: screen.terminal ?? undefined,
    terminal: tty,
    history,
    historySize: 1000,
    completer: tty ? (line: string) => complete(session, line, asm) : undefined,
    crlfDelay: Infinity,
  } as Parameters<typeof createInterface>[0]);
  screen.attach(rl);
  rl.on("line", (l) => {
    screen.entered();
    if (tty && l.trim()) {
      try {
        appendFileSync(historyFile, l + "\n");
      } catch {
        // history is best-effort
      }
    }
    lines.push(l);
  });
  rl.on("close", () => lines.close());
  let busy = false;
  // Ctrl+C: ends the input that is running; else, as in node's REPL, drops what was typed
  // (the line, and any open multi-line input) and starts a fresh prompt.
  rl.on("SIGINT", () => {
    const main = session.vm.main;
    if (busy && main && main.alive) return void session.vm.exit(main, "interrupted");
    const typed = rl.line !== "" || pendingInput !== "";
    screen.entered();
    // Leaves the typed text on screen, moves to a new line and empties readline's line.
    (rl as Interface & { clearLine(): void }).clearLine();
    pendingInput = "";
    if (!typed) io.stdout("(to leave, type :quit or press Ctrl+D)\n");
    ask(prompt);
  });

  const prompt = asm ? "raft> " : "> ";
  const more = "... ";
  let pendingInput = "";
  // No prompt for a line typed ahead (while the previous input ran): it is taken at once.
  const ask = (p: string) => {
    if (!lines.typedAhead) screen.prompt(p);
  };
  const show = (r: EvalResult): number | null => {
    switch (r.kind) {
      case "value":
        io.stdout(r.text + "\n");
        return null;
      case "ok":
        return null;
      case "error":
        io.stderr(r.text);
        return null;
      case "panic":
      case "cancelled":
        io.stderr(r.text);
        return null;
      case "exit":
        return r.code;
    }
  };

  if (tty) io.stdout(`raft ${VERSION} ${asm ? "stack REPL" : "Kaylee REPL"} — :help for help, :quit to leave\n`);
  let code = 0;
  ask(prompt);
  for (;;) {
    const line = await lines.next();
    screen.entered();
    if (line === null) {
      if (pendingInput.trim()) {
        busy = true;
        const c = show(await (asm ? session.evalAsm(pendingInput) : session.eval(terminate(pendingInput))));
        busy = false;
        if (c !== null) code = c;
      }
      break;
    }
    const input = pendingInput ? pendingInput + "\n" + line : line;
    const trimmed = input.trim();
    if (!pendingInput && trimmed.startsWith(":")) {
      const [cmd, ...rest] = trimmed.split(/\s+/);
      const arg = trimmed.slice(cmd.length).trim();
      void rest;
      if (cmd === ":quit" || cmd === ":q" || cmd === ":exit") break;
      if (cmd === ":help" || cmd === ":h" || cmd === ":?") io.stdout(asm ? ASM_HELP : REPL_HELP);
      else if (!asm && (cmd === ":type" || cmd === ":t")) {
        const r = session.typeOf(arg);
        if ("type" in r) io.stdout(`${arg.replace(/;\s*$/, "")} : ${r.type}\n`);
        else io.stderr(r.error);
      } else if (!asm && cmd === ":asm") {
        const r = session.asm(terminate(arg));
        if ("text" in r) io.stdout(r.text);
        else io.stderr(r.error);
      } else if (cmd === ":ps") io.stdout(psText(session.vm, await censusNow(session.vm)));
      else if (cmd === ":tree") io.stdout(treeText(await censusNow(session.vm)));
      else if (cmd === ":info") {
        const t = await infoText(session.vm, arg);
        if (t.startsWith("error:")) io.stderr(t);
        else io.stdout(t);
      } else io.stderr(`error: unknown command ${cmd} (try :help)\n`);
      ask(prompt);
      continue;
    }
    if (asm) {
      // A `fn` block collects lines until a blank one.
      if (pendingInput || /^\s*fn\s/.test(line)) {
        if (line.trim() === "" && pendingInput) {
          const r = session.defineAsm(pendingInput);
          if ("error" in r) io.stderr(r.error);
          pendingInput = "";
          ask(prompt);
        } else {
          pendingInput = input;
          ask(more);
        }
        continue;
      }
      if (!trimmed) {
        ask(prompt);
        continue;
      }
      busy = true;
      const c = show(await session.evalAsm(line));
      busy = false;
      if (c !== null) {
        code = c;
        break;
      }
      ask(prompt);
      continue;
    }
    if (!trimmed) {
      ask(prompt);
      continue;
    }
    if (isOpen(input)) {
      pendingInput = input;
      ask(more);
      continue;
    }
    pendingInput = "";
    busy = true;
    const c = show(await session.eval(terminate(input)));
    busy = false;
    if (c !== null) {
      code = c;
      break;
    }
    ask(prompt);
  }
  session.close();
  rl.close();
  return code;
}

/** Adds the `;` a typed expression may leave out. */
function terminate(input: string): string {
  const t = input.replace(/\s*(\/\/[^\n]*)?$/, "");
  return /[;}]$/.test(t) ? input : t + ";";
}

/**
 * Is a bracket, a block comment or a string still open at the end of `src`, or does its last
 * line end with an operator that needs a right-hand side (`x +`), as Node's REPL goes on?
 */
export function isOpen(src: string): boolean {
  return bracketOpen(src) || endsWithOperator(src);
}

/** The text ends with a binary operator, `=`, `,` or `.` (not `++`/`--`, which end an expression). */
function endsWithOperator(src: string): boolean {
  const t = src.trimEnd().replace(/\/\/[^\n]*$/, "").trimEnd();
  if (/(\+\+|--)$/.test(t)) return false;
  return /(\*\*|&&|\|\||==|!=|<=|>=|<<|>>|[-+*\/%=<>!,.|^&])$/.test(t);
}

function bracketOpen(src: string): boolean {
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      let nest = 1;
      i += 2;
      while (i < src.length && nest > 0) {
        if (src[i] === "/" && src[i + 1] === "*") (nest++, i++);
        else if (src[i] === "*" && src[i + 1] === "/") (nest--, i++);
        i++;
      }
      if (nest > 0) return true;
      i--;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      if (i >= src.length && c === '"') return true;
    } else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") depth--;
  }
  return depth > 0;
}

/** Tab completion: `vm.` calls, `.method`s (by the receiver's type when it is a variable), names. */
export function complete(session: Session, line: string, asm = false): [string[], string] {
  if (asm) return [[], line];
  const vmCall = /\bvm\.([A-Za-z_]\w*)?$/.exec(line);
  if (vmCall) {
    const frag = vmCall[1] ?? "";
    const names = [...VM_FUNCTIONS.keys(), ...session.raft.nativeSpecs.map((s) => s.name.replace(/^vm\./, ""))];
    return [unique(names.filter((n) => n.startsWith(frag) && !n.startsWith("__"))), frag];
  }
  const method = /(?:([A-Za-z_]\w*)|[)\]"])\.([A-Za-z_]\w*)?$/.exec(line);
  if (method) {
    const frag = method[2] ?? "";
    const t = method[1] ? session.varType(method[1]) : undefined;
    const names = methodNames(t?.kind);
    return [unique(names.filter((n) => n.startsWith(frag))), frag];
  }
  const word = /([A-Za-z_]\w*)$/.exec(line);
  const frag = word ? word[1] : "";
  const names = [...KEYWORDS.keys(), ...session.names()];
  return [unique(names.filter((n) => n.startsWith(frag))), frag];
}

function unique(a: string[]): string[] {
  return [...new Set(a)].sort();
}
