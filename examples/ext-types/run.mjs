// Host types (docs/embedding.md): defines `counter`, an opaque value that lives in JavaScript,
// and the natives that make and use one; then runs counters.kl, which shares a counter
// between processes. Run with `npm run build && node examples/ext-types/run.mjs`.
import { readFileSync } from "node:fs";
import { Raft } from "raft-vm";

const out = [];
const raft = new Raft({ stdout: (s) => out.push(s) });

raft.defineType("counter", {
  print: (c) => `counter ${c.name} = ${c.n}`, // how vm.println shows one
  size: (c) => 64 + 2 * c.name.length, // bytes, counted toward the owner's heap
  send: "share", // a message carries the same counter ("copy": a structuredClone; "deny": refused)
  close: (c) => out.push(`(closed ${c.name} at ${c.n})\n`), // once, when its owner ends
});
raft.defineNative("counter_new", ["string"], "counter", (name) => ({ name, n: 0 }));
raft.defineNative("counter_add", ["counter", "integer"], "integer", (c, k) => (c.n += k), { fallible: true });

const file = new URL("./counters.kl", import.meta.url);
const r = await raft.run(readFileSync(file, "utf8"), { file: "counters.kl" });
process.stdout.write(out.join(""));
if (r.exitCode !== 0) {
  process.stderr.write(r.panic ? r.panic.message + "\n" : raft.render(r.diagnostics, readFileSync(file, "utf8")));
  process.exit(r.exitCode);
}

// A type that says `send: "deny"` cannot go to another process: where the checker sees the
// type, that is a compile error.
raft.defineType("socket", { send: "deny" });
raft.defineNative("socket_open", ["integer"], "socket", (port) => ({ port }));
const bad = `let s: socket = vm.socket_open(80);\nvm.send(vm.self(), s);\n`;
const c = raft.compile(bad, "bad.kl");
process.stdout.write(raft.render(c.diagnostics, bad));
