// Embedding Raft: run with `npm run build && node examples/embed.mjs`.
// Imports the package by its name (Node resolves a package's own name from inside it;
// elsewhere, after `npm install raft-vm`, the same line works).
import { Raft } from "raft-vm";

const out = [];
const events = [];
const raft = new Raft({
  stdout: (s) => out.push(s), // capture what the program prints
  maxHeap: 8 << 20, // 8 MiB per process
  onEvent: (e) => events.push(e.kind),
  // no allowRead/allowWrite/allowEnv: the program may not touch files or the environment
});

// A native the type checker sees as `vm.fetch_price(string) -> integer`. It is async: only
// the process that calls it waits; the others keep running.
raft.defineNative("fetch_price", ["string"], "integer", async (item) => {
  await new Promise((r) => setTimeout(r, 5));
  return item.length * 10;
});
// A synchronous one.
raft.defineNative("shout", ["string"], "string", (s) => s.toUpperCase() + "!");

const source = `
fn worker(item: string, reply: process) {
  reply.send((item, vm.fetch_price(item)));
}

let items = ["tea", "coffee"];
for item in items {
  vm.spawn(worker, item, vm.self());
}
let total = 0;
let n = 0;
loop {
  if (n == items.length()) { break; }
  let r: (string, integer) = vm.receive();
  total += r.1;
  n++;
}
vm.println(vm.shout("total " + total.into()));
let secret = vm.read_file("/etc/hostname");
if (secret is error) {
  vm.println("read refused: " + secret.code());
}
`;

const result = await raft.run(source, { file: "job.kl" });
process.stdout.write(out.join(""));
console.log(`exit code ${result.exitCode}, panic ${result.panic ? result.panic.message : "none"}, ${result.stats.processes} processes`);
console.log(`events: ${[...new Set(events)].join(", ")}`);
if (result.exitCode !== 0) process.exit(1);
