// Docs that run: the machinery behind test/docs.test.ts, which states the conventions a
// Markdown code block follows. This module reads the fenced blocks out of Markdown, and checks
// each one: Kaylee and assembly compiled in-process (whole programs then run through the real
// CLI), TypeScript and JavaScript type-checked by one `tsc` run against the shipped .d.ts, and
// shell commands run against the built CLI in a scratch folder. It returns every problem it
// finds, block by block; it never skips a block that fails.

import { spawn } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Raft, type Diagnostic } from "../../src/index.js";
import { link } from "../../src/vm/program.js";
import { exampleDiagnostics } from "../../src/cli/explain.js";

// ── blocks ──────────────────────────────────────────────────────────────────────────────

export type Lang = "kaylee" | "raft" | "ts" | "js" | "sh" | "console" | "text";

/** Info-string languages (the first word) and what they are checked as. */
export const LANGS: ReadonlyMap<string, Lang> = new Map([
  ["kaylee", "kaylee"],
  ["kl", "kaylee"],
  ["raft", "raft"],
  ["ts", "ts"],
  ["typescript", "ts"],
  ["js", "js"],
  ["javascript", "js"],
  ["mjs", "js"],
  ["sh", "sh"],
  ["shell", "sh"],
  ["bash", "sh"],
  ["console", "console"],
  ["text", "text"],
  ["txt", "text"],
  // Erlang shown beside Kaylee for comparison (docs/language.md): not checked, like text.
  ["erlang", "text"],
]);

export interface Block {
  /** The Markdown file, as named in messages ("README.md", "docs/language.md"). */
  doc: string;
  /** 1-based line of the opening fence; the block's first line is `line + 1`. */
  line: number;
  lang: Lang;
  info: string;
  text: string;
  fragment: boolean;
  /** Why the block is not checked (`ignore: REASON`), or null. */
  ignore: string | null;
  /** `file=NAME`: the block is also saved as NAME for the doc's shell blocks. */
  file: string | null;
  /** `exit=N`: the exit code its program (or each of its commands) must end with. */
  exit: number;
  env: Record<string, string>;
  /** `text stdout` / `text stderr`: this block is output of the doc's previous program. */
  stream: "stdout" | "stderr" | null;
  /** `js run`: the snippet is also run with node. */
  run: boolean;
  /** `error=CODE`: a failing example; it must fail to compile (or link) with that code, and only that code. */
  error: string | null;
  /** What is wrong with the block itself (its fence or info string). */
  problems: string[];
}

const FENCE = /^( *)(`{3,}|~{3,})(.*)$/;

/** The fenced code blocks of a Markdown text (CommonMark's rules for fences). */
export function parseBlocks(doc: string, markdown: string): Block[] {
  const lines = markdown.split("\n").map((l) => l.replace(/\r$/, ""));
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, rawInfo] = open;
    // A backtick fence's info string has no backtick: such a line is text, not a fence.
    if (fence[0] === "`" && rawInfo.includes("`")) continue;
    const body: string[] = [];
    let closed = false;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]);
      if (close && close[2][0] === fence[0] && close[2].length >= fence.length && close[3].trim() === "") {
        closed = true;
        break;
      }
      // Content loses up to the fence's own indentation.
      let k = 0;
      while (k < indent.length && lines[j][k] === " ") k++;
      body.push(lines[j].slice(k));
    }
    const b = blockOf(doc, i + 1, rawInfo.trim(), body.join("\n") + (body.length ? "\n" : ""));
    if (!closed) b.problems.push(`the fence opened here is never closed (a closing fence is ${fence} alone on its line)`);
    blocks.push(b);
    i = j;
  }
  return blocks;
}

function blockOf(doc: string, line: number, info: string, text: string): Block {
  const b: Block = { doc, line, lang: "text", info, text, fragment: false, ignore: null, file: null, exit: 0, env: {}, stream: null, run: false, error: null, problems: [] };
  const ig = /(?:^|\s)ignore\b:?\s*(.*)$/.exec(info);
  if (ig) b.ignore = ig[1].trim();
  const words = (ig ? info.slice(0, ig.index) : info).split(/\s+/).filter(Boolean);
  if (ig && !b.ignore) b.problems.push("`ignore` needs a reason: `ignore: WHY`");
  const first = words.shift();
  if (first === undefined) {
    b.problems.push(`a code block must say what it is: \`\`\`${[...LANGS.keys()].join(", ")} (text is not checked)`);
    return b;
  }
  const lang = LANGS.get(first);
  if (!lang) {
    b.problems.push(`unknown block language "${first}" (known: ${[...LANGS.keys()].join(", ")})`);
    return b;
  }
  b.lang = lang;
  const program = lang === "kaylee" || lang === "raft";
  for (const w of words) {
    const eq = w.indexOf("=");
    const key = eq < 0 ? w : w.slice(0, eq);
    const value = eq < 0 ? "" : w.slice(eq + 1);
    if (key === "fragment" && program) b.fragment = true;
    else if (key === "file" && program && /^[\w.-]+$/.test(value)) b.file = value;
    else if (key === "exit" && (program || lang === "console") && /^\d+$/.test(value)) b.exit = Number(value);
    else if (key === "env" && program && /^[A-Z_][A-Z0-9_]*=/.test(value)) b.env[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
    else if ((key === "stdout" || key === "stderr") && lang === "text" && eq < 0) b.stream = key;
    else if (key === "run" && lang === "js" && eq < 0) b.run = true;
    else if (key === "error" && program && /^[EA]\d{4}$/.test(value)) b.error = value;
    else b.problems.push(`"${w}" is not a flag of a ${first} block`);
  }
  if (b.fragment && (b.exit !== 0 || Object.keys(b.env).length)) b.problems.push("a fragment does not run: exit= and env= mean nothing on it");
  if (b.error !== null && (b.fragment || b.file !== null || b.exit !== 0 || Object.keys(b.env).length)) b.problems.push("a failing example (error=) does not run: fragment, file=, exit= and env= mean nothing on it");
  return b;
}

// ── checking ────────────────────────────────────────────────────────────────────────────

export interface Doc {
  name: string;
  markdown: string;
}

export interface DocResult {
  block: Block;
  problems: string[];
}

export interface CheckOptions {
  /** The repository: bin/raft.js, examples/, node_modules/typescript, package.json. */
  root: string;
  /** A scratch folder (empty) for the files the checks write. */
  work: string;
  /** Seconds a command may take. */
  timeout?: number;
}

/** Checks every block of the docs; the result has an entry for each block, in order. */
export async function checkDocs(docs: Doc[], o: CheckOptions): Promise<DocResult[]> {
  const results: DocResult[] = [];
  const byDoc = new Map<string, DocResult[]>();
  for (const d of docs) {
    const rs = parseBlocks(d.name, d.markdown).map((block) => ({ block, problems: [...block.problems] }));
    byDoc.set(d.name, rs);
    results.push(...rs);
  }
  const live = results.filter((r) => r.problems.length === 0 && r.block.ignore === null);
  const runs: (() => Promise<void>)[] = [];
  for (const [name, rs] of byDoc) {
    const dir = join(o.work, "docs", name.replace(/[^\w.-]/g, "_"));
    mkdirSync(dir, { recursive: true });
    cpSync(join(o.root, "examples"), join(dir, "examples"), { recursive: true });
    for (const r of rs) if (r.block.file && r.problems.length === 0) writeFileSync(join(dir, r.block.file), r.block.text);
    runs.push(...programChecks(rs, dir, o), ...shellChecks(rs, dir, o));
  }
  const snippets = live.filter((r) => r.block.lang === "ts" || r.block.lang === "js");
  const ts = snippets.length ? snippetFolder(snippets, o) : null;
  if (ts) runs.push(...ts.runs);
  const typed = ts ? typeCheck(ts, o) : Promise.resolve();
  await Promise.all([typed, pool(runs, 2)]);
  return results;
}

/** Runs the tasks, at most `n` at once. */
async function pool(tasks: (() => Promise<void>)[], n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: n }, worker));
}

/** Where a block's line `k` (1-based) is in its doc. */
function at(b: Block, k = 1, col?: number): string {
  return `${b.doc}:${b.line + k}${col !== undefined ? ":" + col : ""}`;
}

function describe(b: Block, d: Diagnostic): string {
  return `${at(b, d.line ?? 1, d.column)}: ${d.title}${d.labels[0]?.message ? ` (${d.labels[0].message})` : ""}`;
}

// Calls and names a fragment may leave undeclared (the doc leaves them out): the checker's
// "not found", when it has no nearer name to suggest (a suggestion means a typo).
const UNDECLARED = /^cannot find (?:function )?`[^`]+`(?: in this scope)?$/;

/** Kaylee and assembly blocks: compiled in-process; whole programs run through the CLI. */
function programChecks(rs: DocResult[], dir: string, o: CheckOptions): (() => Promise<void>)[] {
  const raft = new Raft();
  const runs: (() => Promise<void>)[] = [];
  let last: DocResult | null = null;
  const outputs = new Map<DocResult, DocResult[]>();
  for (const r of rs) {
    const b = r.block;
    if (b.lang === "text" && b.stream) {
      if (!last) r.problems.push(`\`text ${b.stream}\` is the output of a program above it, and there is none`);
      else if (last.block.fragment || last.block.error !== null || last.block.ignore !== null) r.problems.push(`\`text ${b.stream}\` belongs to the block at ${last.block.doc}:${last.block.line}, which does not run`);
      else outputs.set(last, [...(outputs.get(last) ?? []), r]);
      continue;
    }
    if (b.lang !== "kaylee" && b.lang !== "raft") continue;
    last = r;
    if (r.problems.length || b.ignore !== null) continue;
    const name = b.file ?? `L${b.line}.${b.lang === "kaylee" ? "kl" : "raft"}`;
    if (b.error !== null) {
      // A failing example: every error it reports (compiling, then linking) has its code.
      const errors = exampleDiagnostics(raft, b.lang, b.text, name).filter((d) => d.severity === "error");
      if (!errors.length) r.problems.push(`${at(b)}: compiles, but is shown failing with ${b.error}`);
      r.problems.push(...errors.filter((d) => d.code !== b.error).map((d) => `${describe(b, d)}: ${d.code}, not the ${b.error} it is shown failing with`));
      continue;
    }
    const c = b.lang === "kaylee" ? raft.compile(b.text, name) : raft.assemble(b.text, name);
    const errors = c.diagnostics.filter((d) => d.severity === "error" && !(b.fragment && b.lang === "kaylee" && UNDECLARED.test(d.title) && !d.hint?.startsWith("did you mean")));
    r.problems.push(...errors.map((d) => describe(b, d)));
    if (errors.length || !c.module) continue;
    if (b.fragment) {
      // Not whole: compiled (and for assembly verified and linked), never run.
      if (b.lang === "raft") {
        try {
          link(c.module, raft.natives);
        } catch (e) {
          r.problems.push(`${at(b)}: refused: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      continue;
    }
    if (!b.file) writeFileSync(join(dir, name), b.text);
    runs.push(async () => {
      const shown = outputs.get(r) ?? [];
      if (printed(b).length && shown.some((s) => s.block.stream === "stdout")) r.problems.push(`${at(b)}: the output is shown twice (\`prints:\` comments and a \`text stdout\` block)`);
      const out = await run(o, dir, ["run", name], { env: b.env });
      r.problems.push(...outcomeProblems(b, out, b.exit), ...printsProblems(b, out.stdout));
      for (const s of shown) {
        if (s.block.stream === "stdout" && out.stdout !== s.block.text) s.problems.push(`${at(s.block)}: the program at ${b.doc}:${b.line} prints something else:\n${diff(s.block.text, out.stdout)}`);
        if (s.block.stream === "stderr") {
          const missing = inOrder(s.block.text, out.stderr);
          if (missing !== null) s.problems.push(`${at(s.block)}: the program at ${b.doc}:${b.line} does not write ${JSON.stringify(missing)} to stderr (after the lines above it):\n${out.stderr}`);
        }
      }
    });
  }
  return runs;
}

/** The stdout a block's `// prints: TEXT` (or, in assembly, `# prints: TEXT`) comments show. */
export function printed(b: Block): string[] {
  const re = b.lang === "raft" ? /(?:\/\/|#)\s+prints:(?: (.*))?$/ : /\/\/\s*prints:(?: (.*))?$/;
  const out: string[] = [];
  for (const line of b.text.split("\n")) {
    const m = re.exec(line);
    if (m) out.push((m[1] ?? "").trimEnd());
  }
  return out;
}

/** When a block has `prints:` comments, the stdout they show and what it printed must agree. */
function printsProblems(b: Block, stdout: string): string[] {
  const lines = printed(b);
  const want = lines.map((l) => l + "\n").join("");
  return lines.length && stdout !== want ? [`${at(b)}: stdout differs from its \`prints:\` comments:\n${diff(want, stdout)}`] : [];
}

/** The first line of `want` not found in `got`'s lines after the ones before it, or null. */
function inOrder(want: string, got: string): string | null {
  const lines = got.split("\n");
  let k = 0;
  for (const w of want.replace(/\n$/, "").split("\n")) {
    while (k < lines.length && lines[k] !== w) k++;
    if (k === lines.length) return w;
    k++;
  }
  return null;
}

function diff(want: string, got: string): string {
  return `  shown:  ${JSON.stringify(want)}\n  actual: ${JSON.stringify(got)}`;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function outcomeProblems(b: Block, r: Outcome, exit: number, what = "it"): string[] {
  const p: string[] = [];
  if (r.timedOut) p.push(`${at(b)}: ${what} did not end in time`);
  else if (r.code !== exit) p.push(`${at(b)}: ${what} exited with ${r.code}, not ${exit}:\n${r.stderr || r.stdout}`);
  if (/\n\s+at .*\.(js|ts|mjs|cjs):\d+/.test(r.stderr)) p.push(`${at(b)}: a JavaScript stack trace:\n${r.stderr}`);
  return p;
}

let outputs = 0;

/** Runs the CLI (`bin/raft.js ARGS`) in `cwd` on one scheduler: stdin is `input`, or closed. */
function run(o: CheckOptions, cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string; merged?: boolean } = {}): Promise<Outcome> {
  return runNode(o, cwd, [join(o.root, "bin/raft.js"), ...args], opts);
}

function runNode(o: CheckOptions, cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string; merged?: boolean } = {}): Promise<Outcome> {
  return new Promise((done) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", RAFT_LOG: "", RAFT_SCHEDULERS: "1", RAFT_SPREAD: "", RAFT_JIT: "", ...opts.env };
    // A transcript shows stdout and stderr as a terminal does: both into one file, in order.
    const mergedFile = join(cwd, `.output-${++outputs}`);
    const fd = opts.merged ? openSync(mergedFile, "w") : null;
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["pipe", fd ?? "pipe", fd ?? "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, (o.timeout ?? 20) * 1000);
    child.stdin!.on("error", () => {});
    child.stdin!.end(opts.input ?? "");
    child.on("close", (code) => {
      clearTimeout(timer);
      if (fd !== null) {
        closeSync(fd);
        stdout = readFileSync(mergedFile, "utf8");
      }
      done({ code, stdout, stderr, timedOut });
    });
  });
}

// ── shell ───────────────────────────────────────────────────────────────────────────────

interface Command {
  /** Line in the block (1-based). */
  k: number;
  env: Record<string, string>;
  argv: string[];
  /** console: the lines shown after it (its output), and a REPL's input lines. */
  output: string[];
  input: string[];
}

/**
 * Shell words: whitespace-separated, with '...' and "..." quoting, up to a comment or to shell
 * syntax this check does not interpret (pipes, redirections, variables): `more` says there is
 * such syntax after the words. Null for an unclosed quote.
 */
export function shellWords(line: string): { words: string[]; more: boolean } | null {
  const words: string[] = [];
  let cur: string | null = null;
  let more = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      if (end < 0) return null;
      cur = (cur ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(ch)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (ch === "#" && cur === null) break;
    else if ("|&;<>()$`\\*?".includes(ch)) {
      more = true;
      break;
    } else cur = (cur ?? "") + ch;
  }
  if (cur !== null) words.push(cur);
  return { words, more };
}

function commands(b: Block, r: DocResult): Command[] {
  const out: Command[] = [];
  const lines = b.text.replace(/\n$/, "").split("\n");
  const repl = () => {
    const c = out[out.length - 1];
    return c && c.argv[0] === "raft" && c.argv[1] === "repl";
  };
  lines.forEach((raw, i) => {
    let line = raw;
    if (b.lang === "console") {
      if (!line.startsWith("$ ")) {
        const c = out[out.length - 1];
        if (!c) r.problems.push(`${at(b, i + 1)}: output before any \`$ \` command`);
        else if (repl() && /^(> |\.\.\. )/.test(line)) c.input.push(line.replace(/^(> |\.\.\. )/, ""));
        else c.output.push(line);
        return;
      }
      line = line.slice(2);
    }
    if (line.trim() === "") return;
    const sw = shellWords(line);
    if (sw === null) {
      r.problems.push(`${at(b, i + 1)}: an unclosed quote`);
      return;
    }
    const words = sw.words;
    if (words.length === 0 && !sw.more) return;
    const env: Record<string, string> = {};
    while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
      const w = words.shift()!;
      env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
    }
    if (words[0] === "npx" && words[1] === "raft") words.shift();
    // Commands that run must be plain; the others are only looked up, so `> file` is harmless.
    if (sw.more && (words.length === 0 || words[0] === "raft")) r.problems.push(`${at(b, i + 1)}: shell syntax this check does not run (pipes, redirections, variables); mark the block \`ignore: WHY\``);
    else out.push({ k: i + 1, env, argv: words, output: [], input: [] });
  });
  return out;
}

/** sh and console blocks: `raft ...` runs in the doc's scratch folder; npm and node lines are checked against the project. */
function shellChecks(rs: DocResult[], dir: string, o: CheckOptions): (() => Promise<void>)[] {
  const scripts = (JSON.parse(readFileSync(join(o.root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const runs: (() => Promise<void>)[] = [];
  for (const r of rs) {
    const b = r.block;
    if ((b.lang !== "sh" && b.lang !== "console") || r.problems.length || b.ignore !== null) continue;
    // A block's commands run one after another, as a shell runs them (a later one may use a
    // file an earlier one wrote); blocks run side by side.
    const steps: (() => Promise<void>)[] = [];
    runs.push(async () => {
      for (const step of steps) await step();
    });
    for (const c of commands(b, r)) {
      const [cmd, ...args] = c.argv;
      const where = at(b, c.k);
      if (cmd === "raft") {
        steps.push(async () => {
          const out = await run(o, dir, args, { env: c.env, input: c.input.map((l) => l + "\n").join(""), merged: b.lang === "console" });
          if (b.lang === "console") {
            r.problems.push(...outcomeProblems({ ...b, line: b.line + c.k - 1 }, out, b.exit, "the command"));
            const want = c.output.map((l) => l + "\n").join("");
            if (out.stdout !== want) r.problems.push(`${where}: the output of \`${c.argv.join(" ")}\` differs:\n${diff(want, out.stdout)}`);
          } else {
            // Without a transcript a command must just work. Its stdin is at its end, so a
            // program that reads input may stop there: that panic (on "end of input") is fine.
            const eof = out.code === 1 && /^panic in <0\.\d+>: used an error value: end of input$/m.test(out.stderr);
            if (!eof) r.problems.push(...outcomeProblems({ ...b, line: b.line + c.k - 1 }, out, 0, `\`${c.argv.join(" ")}\``));
          }
        });
      } else if (cmd === "npm") {
        const script = args[0] === "run" ? args[1] : args[0] === "test" ? "test" : null;
        if (script !== null && !Object.hasOwn(scripts, script)) r.problems.push(`${where}: package.json has no script "${script}"`);
        else if (script === null && !["install", "ci", "i"].includes(args[0])) r.problems.push(`${where}: no check for \`npm ${args[0]}\``);
        if (b.lang === "console" && c.output.length) r.problems.push(`${where}: only the output of raft commands is compared; show it in a text block`);
      } else if (cmd === "node") {
        const file = args.find((a) => !a.startsWith("-"));
        if (!file || !existsSync(join(o.root, file))) r.problems.push(`${where}: no file ${file ?? "(none given)"} in the project`);
        if (b.lang === "console" && c.output.length) r.problems.push(`${where}: only the output of raft commands is compared; show it in a text block`);
      } else r.problems.push(`${where}: no check for \`${cmd}\`; mark the block \`ignore: WHY\``);
    }
  }
  return runs;
}

// ── TypeScript and JavaScript ──────────────────────────────────────────────────────────

/**
 * Names a snippet may use without declaring them: the reader's own things, which the docs
 * leave out. Anything else a snippet uses must be declared in it or imported from "raft-vm".
 */
export const PRELUDE = `// The reader's own things, which doc snippets use without declaring them.
declare const raft: import("raft-vm").Raft; // a Raft made earlier
declare const source: string; // a program's text
declare const log: string[];
declare const errors: string[];
declare function nextLineOrNull(): Promise<string | null>;
declare let virtualMs: number;
`;

/** At run time (`js run`), the same names: a Raft with the default options, a small program. */
const RUN_PRELUDE = `import { Raft } from "raft-vm";
globalThis.raft = new Raft();
globalThis.source = "let answer = 6 * 7;";
globalThis.log = [];
globalThis.errors = [];
globalThis.nextLineOrNull = async () => null;
globalThis.virtualMs = 0;
`;

interface SnippetFolder {
  dir: string;
  files: Map<string, DocResult>;
  /** The `js run` snippets, run with node. */
  runs: (() => Promise<void>)[];
}

/** A scratch folder where `raft-vm` resolves as an installed package does: its package.json, exports and .d.ts. */
function snippetFolder(rs: DocResult[], o: CheckOptions): SnippetFolder {
  const dir = join(o.work, "ts");
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(o.root, join(dir, "node_modules", "raft-vm"), "dir");
  symlinkSync(join(o.root, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  writeFileSync(join(dir, "prelude.d.ts"), PRELUDE);
  writeFileSync(join(dir, "prelude-run.mjs"), RUN_PRELUDE);
  const files = new Map<string, DocResult>();
  const runs: (() => Promise<void>)[] = [];
  for (const r of rs) {
    const b = r.block;
    const name = `${b.doc.replace(/[^\w]/g, "_")}_${b.line}.${b.lang}`;
    files.set(name, r);
    // `export {}` makes each snippet a module, whatever it contains: its names are its own.
    writeFileSync(join(dir, name), b.text + "\nexport {};\n");
    if (!b.run) continue;
    runs.push(async () => {
      const out = await runNode(o, dir, ["--import", "./prelude-run.mjs", name]);
      r.problems.push(...outcomeProblems(b, out, 0, "running it"), ...printsProblems(b, out.stdout));
    });
  }
  return { dir, files, runs };
}

/** One strict `tsc` run over every snippet, each a module that imports the package by its name. */
async function typeCheck({ dir, files }: SnippetFolder, o: CheckOptions): Promise<void> {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    allowJs: true,
    checkJs: true,
    types: ["node"],
    skipLibCheck: false,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["prelude.d.ts", ...files.keys()] }));
  const out = await new Promise<{ code: number | null; text: string }>((done) => {
    const child = spawn(process.execPath, [join(o.root, "node_modules/typescript/bin/tsc"), "-p", ".", "--pretty", "false"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("close", (code) => done({ code, text }));
  });
  let current: DocResult | null = null;
  const unplaced: string[] = [];
  for (const line of out.text.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    if (m) {
      current = files.get(m[1]) ?? null;
      if (current) current.problems.push(`${at(current.block, Number(m[2]), Number(m[3]))}: ${m[4]}`);
      else unplaced.push(line);
    } else if (line.trim() && current && /^\s/.test(line)) current.problems[current.problems.length - 1] += "\n" + line;
    else if (line.trim()) unplaced.push(line);
  }
  // Anything tsc says outside a snippet (the shipped .d.ts itself, the setup) fails them all.
  const rs = [...files.values()];
  if (out.code !== 0 && (unplaced.length || rs.every((r) => r.problems.length === 0))) {
    for (const r of rs) r.problems.push(`tsc failed outside the snippets (exit ${out.code}):\n${unplaced.join("\n") || out.text}`);
  }
}
