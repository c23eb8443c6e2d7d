// The REPL's views of the running VM as text: `:ps` (the process table), `:tree` (the
// supervision trees) and `:info PID` (one process), on every scheduler of the run. What they
// show comes from the census (src/vm/census.ts, src/threads/survey.ts), the same the
// observer's page shows; this module only lays it out. Each is bounded: at most PS_ROWS
// rows, TREE_NODES nodes.

import type { VMCore } from "../vm/vm-core.js";
import { supervisionTrees, systemInfo, tableWindow, type Census, type TreeNode } from "../vm/census.js";
import { detailAnywhere } from "../threads/survey.js";
import { pidString } from "../vm/process.js";

export const PS_ROWS = 200;
const TREE_NODES = 500;

/** `:ps`: one line per live process (the first PS_ROWS, by pid), from census `c` of `vm`'s run. */
export function psText(vm: VMCore, c: Census): string {
  const win = tableWindow(c, { sort: "pid", desc: false, filter: "", offset: 0, limit: PS_ROWS });
  const head = ["PID", "NAME", "STATUS", "MAILBOX", "MEMORY", "REDUCTIONS", "SCHED", "FUNCTION"];
  const cells = win.rows.map((r) => [pidString(r.pid), r.name, r.status, String(r.mailbox), String(r.memory), String(r.reductions), String(r.scheduler), r.fn]);
  const all = [head, ...cells];
  const w = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const num = (i: number) => i >= 3 && i <= 6;
  const line = (c: string[]) => c.map((x, i) => (num(i) ? x.padStart(w[i]) : i === c.length - 1 ? x : x.padEnd(w[i]))).join("  ");
  const s = systemInfo(vm, c);
  let out = all.map(line).join("\n") + "\n";
  if (win.total > win.rows.length) out += `... and ${win.total - win.rows.length} more\n`;
  out += `${s.processes} processes, ${s.queued} messages queued, ${s.reductions} reductions`;
  if (s.schedulers > 1) out += ` on ${s.schedulers} schedulers`;
  out += "\n";
  for (const l of s.load) if (l.stale) out += `(scheduler ${l.scheduler} ${l.age < 0 ? "has not answered: its processes are missing" : `has not answered for ${l.age} ms: its rows are that old`})\n`;
  return out;
}

/** `:tree`: every supervision tree, children in start order (on several schedulers, each node says where it runs). */
export function treeText(c: Census): string {
  const roots = supervisionTrees(c, TREE_NODES);
  if (roots.length === 0) return "no supervisors are running\n";
  const where = c.load.length > 1;
  const lines: string[] = [];
  // Iterative, depth first: (node, the prefix of its line, the prefix of its children's lines).
  const stack: [TreeNode, string, string][] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push([roots[i], "", ""]);
  while (stack.length) {
    const [n, lead, under] = stack.pop()!;
    lines.push(lead + nodeText(n) + (where && n.scheduler >= 0 ? ` [scheduler ${n.scheduler}]` : ""));
    if (n.omitted) lines.push(`${under}... and ${n.omitted} more`);
    for (let i = n.children.length - 1; i >= 0; i--) {
      const last = i === n.children.length - 1;
      stack.push([n.children[i], under + (last ? "└─ " : "├─ "), under + (last ? "   " : "│  ")]);
    }
  }
  return lines.join("\n") + "\n";
}

function nodeText(n: TreeNode): string {
  const name = n.name ? ` "${n.name}"` : "";
  if (n.sup) return `${pidString(n.pid)}${name} supervisor ${n.sup.strategy}, ${n.sup.restarts} restarts (${n.sup.recentRestarts} of ${n.sup.maxRestarts} in ${n.sup.periodMs} ms)${n.restart ? ` ${n.restart}` : ""}`;
  return `${pidString(n.pid)}${name} ${n.fn} ${n.restart}${n.alive ? "" : " (ended)"}`;
}

/** `:info PID`: everything about one process, on any scheduler; `who` is `<0.N>`, `N` or a registered name. */
export async function infoText(vm: VMCore, who: string): Promise<string> {
  const m = /^<0\.(\d+)>$|^(\d+)$/.exec(who);
  const pid = m ? Number(m[1] ?? m[2]) : vm.registry.whereis(who);
  if (pid === undefined) return `error: ${who === "" ? "give a process: :info <0.N>, :info N or :info NAME" : `no process is registered as ${JSON.stringify(who)}`}\n`;
  const d = await detailAnywhere(vm, pid);
  if (!d) return `error: ${pidString(pid)} is not alive\n`;
  const pids = (l: number[]) => (l.length ? l.map(pidString).join(" ") : "none");
  const out = [
    `${pidString(d.pid)}${d.name ? ` "${d.name}"` : ""}`,
    `  status            ${d.status}`,
    `  scheduler         ${d.scheduler}`,
    `  current function  ${d.fn} (started as ${d.started})`,
    `  parent            ${d.parent ? pidString(d.parent) : "none"}`,
    `  mailbox           ${d.mailbox} message${d.mailbox === 1 ? "" : "s"}`,
    `  memory            ${d.memory} bytes`,
    `  reductions        ${d.reductions}`,
    `  traps exits       ${d.trapExits}`,
    `  links             ${pids(d.links)}`,
    `  monitors          ${pids(d.monitors)}`,
    `  monitored by      ${pids(d.monitoredBy)}`,
  ];
  if (d.sup) out.push(`  supervisor        ${d.sup.strategy}, ${d.sup.restarts} restarts, children ${pids(d.sup.children.map((c) => c.pid))}`);
  if (d.messages.length) out.push("  first messages", ...d.messages.map((s) => `    ${s}`));
  if (d.trace.length) out.push("  stack", ...d.trace.map((t) => `    at ${t.fn} (line ${t.line}:${t.col})${t.repeated ? ` [repeats ${t.repeated} more times]` : ""}`));
  return out.join("\n") + "\n";
}
