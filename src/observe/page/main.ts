// The observer page: a live view of a running Raft VM (docs/observer.md). It subscribes to
// the server's Server-Sent Events stream (frames a few times a second, with the events since
// the last one) and tells the server which rows it shows (POST /view), so that a frame holds
// only what is on screen however many processes there are. Every scheduler's processes are
// in the frames; rows from a scheduler that has not answered lately are shown dimmed.
// Bundled at build time into one HTML file with no outside resources; plain DOM and
// hand-written SVG, no libraries.

import type { Frame, ObserverEvent, SortKey, WireRow } from "../server.js";
import type { ProcessDetail } from "../../vm/introspect.js";
import type { TreeNode } from "../../vm/census.js";

const token = new URLSearchParams(location.search).get("token") ?? "";
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const ROW_H = 24;
const SVG = "http://www.w3.org/2000/svg";

let client = 0;
let last: Frame | null = null;
const view = { sort: "pid" as SortKey, desc: false, filter: "", offset: 0, limit: 60, selected: 0 };

// ── the stream ──────────────────────────────────────────────────────────────────────────

function connect(): void {
  const es = new EventSource(`/stream?token=${encodeURIComponent(token)}`);
  es.addEventListener("hello", (e) => {
    client = JSON.parse((e as MessageEvent).data).client;
    sendView();
  });
  es.addEventListener("frame", (e) => onFrame(JSON.parse((e as MessageEvent).data) as Frame));
  es.addEventListener("end", () => {
    es.close();
    $("state").textContent = "the program has ended";
  });
  es.onerror = () => {
    $("state").textContent = last?.vm === "stopped" ? "the program has ended" : "disconnected: retrying…";
  };
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${path}?token=${encodeURIComponent(token)}${path === "/view" ? `&client=${client}` : ""}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

let viewTimer = 0;
function sendView(): void {
  if (!client) return;
  clearTimeout(viewTimer);
  viewTimer = window.setTimeout(() => void post("/view", view).catch(() => {}), 40);
}

// ── events: a bounded log, for flashes and the process page ────────────────────────────

const EVENTS_MAX = 5000;
const events: ObserverEvent[] = [];
/** pid -> time until which its tree node flashes, and how. */
const flashes = new Map<number, { until: number; kind: "exit" | "new" }>();

function onEvents(list: ObserverEvent[]): void {
  const now = performance.now();
  for (const e of list) {
    events.push(e);
    if (e.kind === "restart") {
      flashes.set(e.old, { until: now + 2000, kind: "exit" });
      flashes.set(e.pid, { until: now + 2500, kind: "new" });
    } else if (e.kind === "exit" && e.reason !== "normal") flashes.set(e.pid, { until: now + 2000, kind: "exit" });
  }
  if (events.length > EVENTS_MAX) events.splice(0, events.length - EVENTS_MAX);
  for (const [pid, f] of flashes) if (f.until < now) flashes.delete(pid);
}

// ── frames ──────────────────────────────────────────────────────────────────────────────

function onFrame(f: Frame): void {
  last = f;
  onEvents(f.events);
  const s = f.system;
  stale.clear();
  for (const l of s?.load ?? []) if (l.stale) stale.add(l.scheduler);
  const late = s ? s.load.filter((l) => l.stale) : [];
  $("state").textContent =
    f.vm === "none"
      ? "no program running"
      : f.vm === "stopped"
        ? "the program has ended"
        : s
          ? `${fmtInt(s.processes)} processes · ${fmtInt(s.queued)} queued · heap ${fmtBytes(s.heap)}${s.schedulers > 1 ? ` · ${s.schedulers} schedulers` : ""}` +
            late.map((l) => ` · scheduler ${l.scheduler}: ${l.age < 0 ? "no rows yet" : `rows ${(l.age / 1000).toFixed(1)} s old`}`).join("")
          : "";
  renderTable(f);
  renderTrees(f.trees, (s?.schedulers ?? 1) > 1);
  sample(f);
  if (tab === "system") renderCharts();
  if (view.selected) renderDetail(f.detail, f.detailWaiting);
}

/** Schedulers whose rows are stale in the latest frame. */
const stale = new Set<number>();

// ── tabs ────────────────────────────────────────────────────────────────────────────────

let tab = "processes";
function show(name: string): void {
  tab = name;
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const v of document.querySelectorAll<HTMLElement>(".view")) v.classList.toggle("on", v.id === name);
  if (name === "processes") onScroll();
  if (name === "system") renderCharts();
}

function select(pid: number): void {
  view.selected = pid;
  const b = $<HTMLButtonElement>("tab-process");
  b.disabled = false;
  b.textContent = `Process <0.${pid}>`;
  $("detail-head").innerHTML = `<h2>&lt;0.${pid}&gt;</h2>`;
  $("detail").innerHTML = "";
  $("kill-result").textContent = "";
  sendView();
  show("process");
}

// ── the process table (virtualised: only the rows in view exist) ───────────────────────

const rowPool: HTMLDivElement[] = [];

function renderTable(f: Frame): void {
  const t = f.table;
  $("count").textContent = `${fmtInt(t.total)} process${t.total === 1 ? "" : "es"}`;
  $("spacer").style.height = `${t.total * ROW_H}px`;
  const box = $("spacer");
  while (rowPool.length < t.rows.length) {
    const r = document.createElement("div");
    r.className = "row";
    for (let i = 0; i < 8; i++) r.appendChild(document.createElement("span"));
    r.onclick = () => select(Number(r.dataset.pid));
    box.appendChild(r);
    rowPool.push(r);
  }
  for (let i = 0; i < rowPool.length; i++) {
    const r = rowPool[i];
    const row: WireRow | undefined = t.rows[i];
    if (!row) {
      r.style.display = "none";
      continue;
    }
    r.style.display = "";
    r.style.top = `${(t.offset + i) * ROW_H}px`;
    r.dataset.pid = String(row.pid);
    r.classList.toggle("sel", row.pid === view.selected);
    r.classList.toggle("stale", stale.has(row.scheduler));
    r.dataset.scheduler = String(row.scheduler);
    const c = r.children as HTMLCollectionOf<HTMLSpanElement>;
    const cells = [`<0.${row.pid}>`, row.name, row.status, fmtInt(row.mailbox), fmtBytes(row.memory), fmtInt(row.rate), row.fn, String(row.scheduler)];
    const cls = ["num", row.supervisor ? "sup" : "", `st-${row.status}`, "num", "num", "num", "wide", "num"];
    for (let k = 0; k < 8; k++) {
      if (c[k].textContent !== cells[k]) c[k].textContent = cells[k];
      if (c[k].className !== cls[k]) c[k].className = cls[k];
    }
  }
}

function onScroll(): void {
  const sc = $("scroller");
  const first = Math.floor(sc.scrollTop / ROW_H);
  const visible = Math.ceil(sc.clientHeight / ROW_H) + 1;
  const offset = Math.max(0, first - 10);
  const limit = visible + 20;
  if (offset !== view.offset || limit !== view.limit) {
    view.offset = offset;
    view.limit = limit;
    sendView();
  }
}

function setSort(key: SortKey): void {
  if (view.sort === key) view.desc = !view.desc;
  else {
    view.sort = key;
    view.desc = key !== "pid" && key !== "name" && key !== "fn" && key !== "status";
  }
  markSort();
  sendView();
}

function markSort(): void {
  for (const h of document.querySelectorAll<HTMLElement>(".thead span[data-sort]")) {
    h.classList.toggle("sorted", h.dataset.sort === view.sort);
    h.classList.toggle("desc", h.dataset.sort === view.sort && view.desc);
  }
}

// ── supervision trees (a tidy layout: leaves side by side, a parent above its children) ─

const NODE_W = 150;
const NODE_H = 38;
const GAP_X = 14;
const GAP_Y = 34;
/** Children drawn per supervisor; the rest are one "… N more" node. */
const CHILDREN_DRAWN = 60;
/** Workers per row under a supervisor with more than this many (all of them workers). */
const WRAP = 6;

interface Placed {
  n: TreeNode;
  x: number;
  y: number;
  parent: Placed | null;
  /** Drawn with an edge from its parent (not the rows below the first of a wrapped block). */
  edge: boolean;
}

let treesKey = "";
/** Nodes say which scheduler they run on (a run on several). */
let showScheduler = false;

function renderTrees(trees: TreeNode[], where: boolean): void {
  $("trees-empty").style.display = trees.length ? "none" : "";
  const key = JSON.stringify(trees) + [...flashes.keys()].join(",") + where;
  if (key === treesKey) return;
  treesKey = key;
  showScheduler = where;
  const forest = $("forest");
  forest.replaceChildren(...trees.map(drawTree));
}

function layout(root: TreeNode): Placed[] {
  const out: Placed[] = [];
  let nextX = 0;
  const rowY = (depth: number) => depth * (NODE_H + GAP_Y);
  // Iterative post-order: a node is placed after its children (centred over them).
  const stack: { n: TreeNode; depth: number; kids: Placed[]; i: number; self: Placed }[] = [];
  const make = (n: TreeNode, depth: number, parent: Placed | null) => {
    const self: Placed = { n, x: 0, y: rowY(depth), parent, edge: true };
    stack.push({ n, depth, kids: [], i: 0, self });
  };
  make(root, 0, null);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const kids = top.n.children;
    if (top.i === 0 && kids.length > WRAP && kids.every((k) => k.children.length === 0)) {
      // Many workers under one supervisor: rows of WRAP (edges to the first row only).
      const shown: TreeNode[] = kids.slice(0, CHILDREN_DRAWN);
      if (kids.length > CHILDREN_DRAWN) shown.push(moreNode(kids));
      shown.forEach((k, i) => {
        const row = Math.floor(i / WRAP);
        const leaf: Placed = { n: k, x: nextX + (i % WRAP) * (NODE_W + GAP_X), y: rowY(top.depth + 1) + row * (NODE_H + GAP_X), parent: top.self, edge: row === 0 };
        out.push(leaf);
        if (row === 0) top.kids.push(leaf);
      });
      nextX += WRAP * (NODE_W + GAP_X);
      top.i = kids.length + 1;
    }
    if (top.i < kids.length && top.i < CHILDREN_DRAWN) {
      make(kids[top.i++], top.depth + 1, top.self);
      continue;
    }
    if (top.i === CHILDREN_DRAWN && kids.length > CHILDREN_DRAWN) {
      // A very wide supervisor: the rest as one node (its process page lists them all).
      top.i++;
      make(moreNode(kids), top.depth + 1, top.self);
      continue;
    }
    stack.pop();
    const self = top.self;
    if (top.kids.length === 0) {
      self.x = nextX;
      nextX += NODE_W + GAP_X;
    } else self.x = (top.kids[0].x + top.kids[top.kids.length - 1].x) / 2;
    out.push(self);
    if (stack.length) stack[stack.length - 1].kids.push(self);
  }
  return out;
}

/** The node that stands for the children past CHILDREN_DRAWN. */
function moreNode(kids: TreeNode[]): TreeNode {
  return { ...kids[0], pid: 0, fn: `… ${kids.length - CHILDREN_DRAWN} more`, name: "", restart: "", scheduler: -1, sup: null, children: [], omitted: 0 };
}

function drawTree(root: TreeNode): HTMLElement {
  const placed = layout(root);
  const w = Math.max(...placed.map((p) => p.x)) + NODE_W + 20;
  const h = Math.max(...placed.map((p) => p.y)) + NODE_H + 20;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  const g = el("g", { transform: "translate(10,10)" });
  svg.appendChild(g);
  for (const p of placed)
    if (p.parent && p.edge) {
      const x1 = p.parent.x + NODE_W / 2, y1 = p.parent.y + NODE_H, x2 = p.x + NODE_W / 2, y2 = p.y;
      g.appendChild(el("path", { class: "edge", d: `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}` }));
    }
  const now = performance.now();
  for (const p of placed) {
    const n = p.n;
    const f = flashes.get(n.pid);
    const cls = ["node", n.sup ? "supv" : "", n.alive ? "" : "dead", f && f.until > now ? `flash-${f.kind}` : ""].filter(Boolean).join(" ");
    const node = el("g", { class: cls, transform: `translate(${p.x},${p.y})`, ...(n.pid ? { "data-pid": String(n.pid), "data-fn": n.fn, "data-scheduler": String(n.scheduler), "data-parent": String(p.parent?.n.pid ?? 0) } : {}) });
    node.appendChild(el("rect", { width: String(NODE_W), height: String(NODE_H) }));
    const on = showScheduler && n.scheduler >= 0 ? ` · s${n.scheduler}` : "";
    const title = n.pid === 0 ? n.fn : (n.sup ? `<0.${n.pid}> ${n.sup.strategy}` : `<0.${n.pid}> ${n.fn}`) + on;
    const sub = n.sup
      ? `restarts ${n.sup.restarts} · ${n.sup.recentRestarts}/${n.sup.maxRestarts} in ${fmtMs(n.sup.periodMs)}`
      : n.pid === 0
        ? "open the supervisor's page"
        : `${n.restart}${n.name ? ` · ${n.name}` : ""}${n.alive ? "" : " · ended"}`;
    node.appendChild(text(title, 8, 15, ""));
    node.appendChild(text(sub + (n.omitted ? ` · +${n.omitted} more` : ""), 8, 30, "sub"));
    node.addEventListener("click", () => select(n.pid || p.parent!.n.pid));
    g.appendChild(node);
  }
  const box = document.createElement("div");
  box.className = "tree";
  box.appendChild(svg);
  return box;
}

function el(name: string, attrs: Record<string, string>): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

function text(s: string, x: number, y: number, cls: string): SVGElement {
  const t = el("text", { x: String(x), y: String(y), class: cls });
  t.textContent = s.length > 26 ? s.slice(0, 25) + "…" : s;
  return t;
}

// ── system charts (sparklines of the last two minutes) ─────────────────────────────────

const SAMPLES = 240;
const series: Record<string, number[]> = { processes: [], messages: [], reductions: [], heap: [] };
/** Each scheduler's runnable processes, one series a scheduler (by id). */
const loads: number[][] = [];
/** Each scheduler's latest load, for the chart's legend. */
let lastLoad: NonNullable<Frame["system"]>["load"] = [];
let prev: { t: number; messages: number; reductions: number } | null = null;
let ceiling = 0;

function sample(f: Frame): void {
  const s = f.system;
  if (!s) return;
  const t = performance.now();
  if (prev && t > prev.t) {
    const dt = (t - prev.t) / 1000;
    push("messages", Math.max(0, (s.messages - prev.messages) / dt));
    push("reductions", Math.max(0, (s.reductions - prev.reductions) / dt));
  }
  prev = { t, messages: s.messages, reductions: s.reductions };
  push("processes", s.processes);
  push("heap", s.heap);
  ceiling = s.heapCeiling;
  lastLoad = s.load;
  for (const l of s.load) {
    const a = (loads[l.scheduler] ??= []);
    a.push(l.runnable);
    if (a.length > SAMPLES) a.shift();
  }
}

function push(k: string, v: number): void {
  const a = series[k];
  a.push(v);
  if (a.length > SAMPLES) a.shift();
}

function renderCharts(): void {
  const charts: [string, string, (v: number) => string][] = [
    ["processes", "Processes alive", fmtInt],
    ["messages", "Messages per second", fmtInt],
    ["reductions", "Reductions per second", fmtInt],
    ["heap", "Heap in use", fmtBytes],
  ];
  const box = $("charts");
  if (!box.childElementCount)
    for (const [k, title] of charts) {
      const c = document.createElement("div");
      c.className = "chart";
      c.id = `chart-${k}`;
      c.innerHTML = `<h3>${title}</h3><div class="val"></div><svg viewBox="0 0 ${SAMPLES} 60" preserveAspectRatio="none"><polyline></polyline></svg><div class="empty note"></div>`;
      box.appendChild(c);
    }
  for (const [k, , fmt] of charts) {
    const a = series[k];
    const c = $(`chart-${k}`);
    const cur = a.length ? a[a.length - 1] : 0;
    c.querySelector(".val")!.textContent = fmt(cur);
    const top = Math.max(1, ...a) * 1.1;
    const pts = a.map((v, i) => `${i},${(58 - (v / top) * 56).toFixed(1)}`).join(" ");
    c.querySelector("polyline")!.setAttribute("points", pts);
    if (k === "heap") c.querySelector(".note")!.textContent = `ceiling ${fmtBytes(ceiling)} (${((cur / Math.max(1, ceiling)) * 100).toFixed(1)}% used)`;
  }
  renderLoad(box);
}

/** Line colours of the schedulers in the load chart. */
const LOAD_COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#8250df", "#bf8700", "#0a7ea4", "#cf222e", "#6e7781"];

/** The schedulers' load: one line each of its runnable processes, and a legend with their processes and reductions per second. */
function renderLoad(box: HTMLElement): void {
  let c = document.getElementById("chart-load");
  if (!c) {
    c = document.createElement("div");
    c.className = "chart load";
    c.id = "chart-load";
    c.innerHTML = `<h3>Scheduler load (runnable processes)</h3><svg viewBox="0 0 ${SAMPLES} 60" preserveAspectRatio="none"></svg><table class="legend"></table>`;
    box.appendChild(c);
  }
  const svg = c.querySelector("svg")!;
  const top = Math.max(1, ...loads.flatMap((a) => a ?? [])) * 1.1;
  while (svg.childElementCount < loads.length) svg.appendChild(el("polyline", {}));
  loads.forEach((a, s) => {
    const line = svg.children[s] as SVGElement;
    line.style.stroke = LOAD_COLOURS[s % LOAD_COLOURS.length];
    line.setAttribute("data-scheduler", String(s));
    line.setAttribute("points", (a ?? []).map((v, i) => `${i},${(58 - (v / top) * 56).toFixed(1)}`).join(" "));
  });
  const rows = lastLoad.map(
    (l) =>
      `<tr data-scheduler="${l.scheduler}" class="${l.stale ? "stale" : ""}"><td><span class="swatch" style="background:${LOAD_COLOURS[l.scheduler % LOAD_COLOURS.length]}"></span>scheduler ${l.scheduler}</td>` +
      `<td class="num">${fmtInt(l.runnable)} runnable</td><td class="num">${fmtInt(l.processes)} processes</td><td class="num">${fmtInt(l.rate)} reds/s</td>` +
      `<td class="num">${l.scheduler === 0 || l.age === 0 ? "" : l.age < 0 ? "no rows yet" : `rows ${(l.age / 1000).toFixed(1)} s old`}</td></tr>`,
  );
  c.querySelector(".legend")!.innerHTML = rows.join("");
}

// ── the process page ────────────────────────────────────────────────────────────────────

function renderDetail(d: ProcessDetail | null, waiting: boolean): void {
  const pid = view.selected;
  const mine = events.filter((e) => e.pid === pid || (e.kind === "restart" && (e.old === pid || e.supervisor === pid)) || (e.kind === "spawn" && e.parent === pid)).slice(-50);
  const evHtml = mine.length ? mine.map((e) => `<div>${(e.t / 1000).toFixed(3)}s ${esc(describe(e))}</div>`).join("") : `<div class="empty">none seen since this page opened</div>`;
  // The kill controls stay in place (re-rendering them would swallow clicks); the rest is redrawn.
  $("kill-bar").style.display = d || waiting ? "" : "none";
  if (!d && waiting) {
    $("detail-head").innerHTML = `<h2>&lt;0.${pid}&gt; <span class="empty">asking its scheduler…</span></h2>`;
    $("kill-bar").style.display = "";
    return;
  }
  if (!d) {
    $("detail-head").innerHTML = `<h2>&lt;0.${pid}&gt; <span class="gone">has ended</span></h2>`;
    $("detail").innerHTML = `<h3>Events</h3><div class="events">${evHtml}</div>`;
    return;
  }
  const pids = (l: number[]) => (l.length ? l.map((p) => `<a class="pid" data-pid="${p}">&lt;0.${p}&gt;</a>`).join("") : `<span class="empty">none</span>`);
  $("detail-head").innerHTML = `
    <h2>&lt;0.${d.pid}&gt; ${esc(d.name)}</h2>
    <dl>
      <dt>status</dt><dd class="st-${d.status}">${d.status}</dd>
      <dt>scheduler</dt><dd id="detail-scheduler">${d.scheduler}</dd>
      <dt>current function</dt><dd>${esc(d.fn)}</dd>
      <dt>started as</dt><dd>${esc(d.started)}</dd>
      <dt>parent</dt><dd>${pids(d.parent ? [d.parent] : [])}</dd>
      <dt>mailbox</dt><dd>${fmtInt(d.mailbox)} message${d.mailbox === 1 ? "" : "s"}</dd>
      <dt>memory</dt><dd>${fmtBytes(d.memory)}</dd>
      <dt>reductions</dt><dd>${fmtInt(d.reductions)}</dd>
      <dt>traps exits</dt><dd>${d.trapExits}</dd>
      <dt>links</dt><dd>${pids(d.links)}</dd>
      <dt>monitors</dt><dd>${pids(d.monitors)}</dd>
      <dt>monitored by</dt><dd>${pids(d.monitoredBy)}</dd>
      ${d.sup ? `<dt>strategy</dt><dd>${d.sup.strategy}, at most ${d.sup.maxRestarts} restarts in ${d.sup.periodMs} ms</dd><dt>restarts</dt><dd>${d.sup.restarts}</dd><dt>children</dt><dd>${pids(d.sup.children.map((c) => c.pid))}</dd>` : ""}
    </dl>`;
  $("detail").innerHTML = `
    <h3>First messages</h3>
    <pre>${d.messages.length ? d.messages.map(esc).join("\n") : "(empty)"}</pre>
    <h3>Stack trace</h3>
    <pre>${d.trace.length ? d.trace.map((t) => `at ${esc(t.fn)} (line ${t.line}:${t.col})${t.repeated ? ` [repeats ${t.repeated} more times]` : ""}`).join("\n") : "(none)"}</pre>
    <h3>Events</h3>
    <div class="events">${evHtml}</div>`;
}

async function kill(pid: number, reason: string): Promise<void> {
  const r = await post("/kill", reason ? { pid, reason } : { pid });
  const out = document.getElementById("kill-result");
  if (out) out.textContent = r.ok ? (reason ? `sent exit signal "${reason}"` : "killed") : `failed: ${((await r.json()) as { error: string }).error}`;
}

function describe(e: ObserverEvent): string {
  switch (e.kind) {
    case "spawn":
      return `spawn <0.${e.pid}> ${e.fn} by <0.${e.parent}>`;
    case "exit":
      return `exit <0.${e.pid}>: ${e.reason}`;
    case "restart":
      return `restart <0.${e.old}> -> <0.${e.pid}> by <0.${e.supervisor}> (${e.strategy})`;
  }
}

// ── formatting ──────────────────────────────────────────────────────────────────────────

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ── wiring ──────────────────────────────────────────────────────────────────────────────

$("kill").onclick = () => void kill(view.selected, "");
$("exit").onclick = () => void kill(view.selected, $<HTMLInputElement>("reason").value || "shutdown");
// Links to other processes, in the process page.
$("process").addEventListener("click", (e) => {
  const a = (e.target as HTMLElement).closest<HTMLElement>("a.pid");
  if (a) select(Number(a.dataset.pid));
});
for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.onclick = () => show(b.dataset.tab!);
for (const h of document.querySelectorAll<HTMLElement>(".thead span[data-sort]")) h.onclick = () => setSort(h.dataset.sort as SortKey);
$("scroller").addEventListener("scroll", onScroll, { passive: true });
window.addEventListener("resize", onScroll);
$<HTMLInputElement>("filter").addEventListener("input", (e) => {
  view.filter = (e.target as HTMLInputElement).value.trim().toLowerCase();
  view.offset = 0;
  $("scroller").scrollTop = 0;
  sendView();
});
markSort();
onScroll();
connect();
