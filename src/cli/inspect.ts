// The REPL's views of the running VM as text: `:ps` (the process table), `:tree` (the
// supervision trees) and `:info PID` (one process). What they show comes from
// src/vm/introspect.ts, the same reads the observer's page makes; this module only lays
// them out. Each is bounded: at most PS_ROWS rows, TREE_NODES nodes.

import type { VMCore } from "../vm/vm-core.js";
import { forEachProcess, processDetail, processRow, supervisionTrees, systemInfo, type ProcessRow, type TreeNode } from "../vm/introspect.js";
import { pidString } from "../vm/process.js";

export const PS_ROWS = 200;
const TREE_NODES = 500;

/** `:ps`: one line per live process (the first PS_ROWS, by pid). */
export function psText(vm: VMCore): string {
  const rows: ProcessRow[] = [];
  let n = 0;
  forEachProcess(vm, (p) => {
    if (n++ < PS_ROWS) rows.push(processRow(vm, p));
  });
  const head = ["PID", "NAME", "STATUS", "MAILBOX", "MEMORY", "REDUCTIONS", "FUNCTION"];
  const cells = rows.map((r) => [pidString(r.pid), r.name, r.status, String(r.mailbox), String(r.memory), String(r.reductions), r.fn]);
  const all = [head, ...cells];
  const w = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const num = (i: number) => i >= 3 && i <= 5;
  const line = (c: string[]) => c.map((x, i) => (num(i) ? x.padStart(w[i]) : i === c.length - 1 ? x : x.padEnd(w[i]))).join("  ");
  const s = systemInfo(vm);
  let out = all.map(line).join("\n") + "\n";
  if (n > PS_ROWS) out += `... and ${n - PS_ROWS} more\n`;
  return out + `${s.processes} processes, ${s.queued} messages queued, ${s.reductions} reductions\n`;
}

/** `:tree`: every supervision tree, children in start order. */
export function treeText(vm: VMCore): string {
  const roots = supervisionTrees(vm, TREE_NODES);
  if (roots.length === 0) return "no supervisors are running\n";
  const lines: string[] = [];
  // Iterative, depth first: (node, the prefix of its line, the prefix of its children's lines).
  const stack: [TreeNode, string, string][] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push([roots[i], "", ""]);
  while (stack.length) {
    const [n, lead, under] = stack.pop()!;
    lines.push(lead + nodeText(n));
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

/** `:info PID`: everything about one process; `who` is `<0.N>`, `N` or a registered name. */
export function infoText(vm: VMCore, who: string): string {
  const m = /^<0\.(\d+)>$|^(\d+)$/.exec(who);
  const pid = m ? Number(m[1] ?? m[2]) : vm.registry.whereis(who);
  if (pid === undefined) return `error: ${who === "" ? "give a process: :info <0.N>, :info N or :info NAME" : `no process is registered as ${JSON.stringify(who)}`}\n`;
  const d = processDetail(vm, pid);
  if (!d) return `error: ${pidString(pid)} is not alive\n`;
  const pids = (l: number[]) => (l.length ? l.map(pidString).join(" ") : "none");
  const out = [
    `${pidString(d.pid)}${d.name ? ` "${d.name}"` : ""}`,
    `  status            ${d.status}`,
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
