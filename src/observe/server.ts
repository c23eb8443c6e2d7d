// The observer's server (`raft run --observe`, `raft repl --observe`, `Raft.observe()`): a
// small HTTP server that serves the observer page and streams the VM's state to it over
// Server-Sent Events. Server-Sent Events rather than a WebSocket: the data flows one way
// (the page's few requests — its view, a kill — are plain POSTs), and it needs no dependency.
//
// Security: it listens on loopback unless told otherwise (and warns when it is not), and
// every request — the page, the stream, a POST — must carry the random token printed with the
// address (403 otherwise).
//
// Cost: with no page connected the VM pays nothing — no timer runs, no event is kept and no
// other scheduler is asked anything. With pages connected, a snapshot is taken a few times a
// second; its interval stretches so that taking snapshots uses at most about
// 1/SNAPSHOT_SHARE of the time (of scheduler 0, and of the busiest other scheduler's walk). A
// page whose connection is not keeping up (the socket's buffer is full) is skipped — its
// frames are dropped, never queued — and a snapshot nobody can take is not computed at all.
//
// A run on several schedulers: a snapshot first asks the other schedulers for their rows
// (threads/survey.ts) and the process pages' details, then is built when all have answered or
// after ASK_WAIT_MS, whichever comes first, with the rows a slow scheduler sent last (its
// rows carry their age, and are marked stale past a second). Nothing here ever waits on
// another thread.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Writable } from "node:stream";
import type { VMCore, VMEvent } from "../vm/vm-core.js";
import { processOf, type ProcessDetail } from "../vm/introspect.js";
import { Census, SORT_KEYS, supervisionTrees, systemInfo, tableWindow, type SortKey, type SystemInfo, type TableView, type TableWindow, type TreeNode, type WireRow } from "../vm/census.js";
import { detailAnywhere, killAnywhere, localDetail, surveyOf } from "../threads/survey.js";
import { pidString } from "../vm/process.js";

export type { SortKey, WireRow };

export interface ObserveOptions {
  /** Port to listen on (0 or absent: a free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Where the address line and warnings go (default: stderr). */
  stderr?: (text: string) => void;
}

/** Shortest time between two snapshots (ms). */
export const SNAPSHOT_MS = 250;
/** Shortest time between two snapshots when a page changes its view (ms). */
const VIEW_MS = 60;
/** Longest time between two snapshots (ms): pages get at least one update a second. */
export const SNAPSHOT_MAX_MS = 700;
/** A snapshot may take at most 1/SNAPSHOT_SHARE of the time between snapshots (up to SNAPSHOT_MAX_MS). */
const SNAPSHOT_SHARE = 50;
/** Events kept for pages (only while one is connected). */
const EVENTS_KEPT = 2000;
/** A page's socket holding more than this unsent is not sent frames until it drains. */
const BACKLOG_BYTES = 256 * 1024;
/** Rows a page may ask for at once. */
const ROWS_MAX = 500;
/** Bytes of a POST body read at most. */
const BODY_MAX = 4096;
/** How long a snapshot waits for the other schedulers' rows and details before it is built without them (ms). */
const ASK_WAIT_MS = 50;
/** Process pages whose details one snapshot asks other schedulers for, at most. */
const DETAILS_MAX = 16;

export type ObserverEvent =
  | { seq: number; t: number; kind: "spawn"; pid: number; fn: string; parent: number }
  | { seq: number; t: number; kind: "exit"; pid: number; reason: string }
  | { seq: number; t: number; kind: "restart"; old: number; pid: number; supervisor: number; strategy: string };

interface View extends TableView {
  /** The process whose detail the page shows (0: none). */
  selected: number;
}

export interface Frame {
  seq: number;
  /** The VM's state: "running", "stopped", or "none" (no VM yet). */
  vm: "running" | "stopped" | "none";
  /** Milliseconds between this snapshot and the previous one. */
  interval: number;
  system: SystemInfo | null;
  table: TableWindow;
  trees: TreeNode[];
  detail: ProcessDetail | null;
  /** The selected process runs on another scheduler, which has not sent its detail yet. */
  detailWaiting: boolean;
  events: ObserverEvent[];
  /** Frames this page missed because its connection was not keeping up. */
  dropped: number;
}

interface Client {
  id: number;
  res: Writable;
  view: View;
  lastEvent: number;
  dropped: number;
  /** write() said the buffer is full: wait for 'drain'. */
  blocked: boolean;
}

export class Observer {
  readonly token = randomBytes(16).toString("hex");
  /** Snapshots taken (for tests: none without a page). */
  snapshots = 0;
  private vm: VMCore | null = null;
  private clients = new Map<number, Client>();
  private nextClient = 1;
  private events: ObserverEvent[] = [];
  private eventSeq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private frameSeq = 0;
  private lastAt = 0;
  private lastCost = 0;
  private page: string | null = null;
  private closed = false;
  /** Kept from snapshot to snapshot: reductions per second are the difference between two. */
  private census = new Census();
  /** A snapshot is waiting for other schedulers' answers. */
  private gathering = false;
  /** The details of selected processes on other schedulers, as they last answered. */
  private details = new Map<number, { d: ProcessDetail | null; asking: boolean; answered: boolean }>();

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async start(opts: ObserveOptions = {}): Promise<Observer> {
    const host = opts.host ?? "127.0.0.1";
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : (opts.port ?? 0);
    const o = new Observer(server, host, port);
    server.on("request", (req, res) => o.request(req, res));
    const err = opts.stderr ?? ((s: string) => void process.stderr.write(s));
    if (!isLoopback(host)) err(`warning: the observer listens on ${host}, not only on this machine: anyone who can reach it and has the token can see and kill processes\n`);
    err(`observe: ${o.url}\n`);
    return o;
  }

  /** The page's address, token included. */
  get url(): string {
    const h = host4or6(this.host === "0.0.0.0" || this.host === "::" ? "127.0.0.1" : this.host);
    return `http://${h}:${this.port}/?token=${this.token}`;
  }

  /** Watches `vm` from now on (the latest VM created). */
  attach(vm: VMCore): void {
    this.vm = vm;
    this.census = new Census();
    this.details.clear();
  }

  /** The VM's events (spawn, exit, restart), kept only while a page is connected. */
  event(vm: VMCore, e: VMEvent): void {
    if (this.clients.size === 0 || vm !== this.vm || e.kind === "log") return;
    const ev = { ...e, seq: ++this.eventSeq, t: vm.now() } as ObserverEvent;
    this.events.push(ev);
    if (this.events.length > EVENTS_KEPT * 2) this.events.splice(0, this.events.length - EVENTS_KEPT);
  }

  /** Frames dropped for pages that were not keeping up, and the most bytes queued for one page. */
  backlogs(): { dropped: number; maxQueued: number } {
    let dropped = 0;
    let maxQueued = 0;
    for (const c of this.clients.values()) {
      dropped += c.dropped;
      maxQueued = Math.max(maxQueued, c.res.writableLength);
    }
    return { dropped, maxQueued };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops listening and ends every stream. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Pages hear that the end is for good (an EventSource would otherwise try again).
    for (const c of this.clients.values()) c.res.end("event: end\ndata: {}\n\n");
    this.clients.clear();
    this.vm = null;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────

  private request(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://observer");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (!this.tokenOk(url.searchParams.get("token"))) return text(res, 403, "forbidden: this address needs the token printed with it\n");
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /":
        return this.servePage(res);
      case "GET /stream":
        return this.subscribe(res);
      case "POST /view":
        return body(req, res, (b) => this.setView(res, Number(url.searchParams.get("client")), b));
      case "POST /kill":
        return body(req, res, (b) => this.kill(res, b));
      default:
        return text(res, 404, "not found\n");
    }
  }

  private tokenOk(t: string | null): boolean {
    if (t === null || t.length !== this.token.length) return false;
    return timingSafeEqual(Buffer.from(t), Buffer.from(this.token));
  }

  private servePage(res: ServerResponse): void {
    this.page ??= readPage();
    if (this.page === null) return text(res, 500, "the observer page is not built (run the build)\n");
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      // The page loads nothing from anywhere: everything is inline.
      "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
      "Referrer-Policy": "no-referrer",
    });
    res.end(this.page);
  }

  private subscribe(res: ServerResponse): void {
    res.writeHead(200, { "Content-Type": "text/event-stream", Connection: "keep-alive" });
    this.stream(res);
  }

  /**
   * Streams frames to `out` (Server-Sent Events text) until it closes: what GET /stream does,
   * usable by an embedder with a server of its own. Frames are skipped while `out` has
   * more than a little unsent (write() returned false and 'drain' has not come).
   */
  stream(out: Writable): number {
    const c: Client = { id: this.nextClient++, res: out, view: defaultView(), lastEvent: this.eventSeq, dropped: 0, blocked: false };
    out.write(`event: hello\ndata: ${JSON.stringify({ client: c.id, snapshotMs: SNAPSHOT_MS })}\n\n`);
    out.on("drain", () => (c.blocked = false));
    const gone = () => {
      if (!this.clients.delete(c.id) || this.clients.size > 0) return;
      this.events = [];
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    };
    out.on("close", gone);
    out.on("error", gone);
    this.clients.set(c.id, c);
    if (!this.timer && !this.gathering) this.arm(0);
    return c.id;
  }

  private setView(res: ServerResponse, id: number, b: Record<string, unknown>): void {
    const c = this.clients.get(id);
    if (!c) return text(res, 404, "no such stream\n");
    const v = c.view;
    if (typeof b.sort === "string" && (SORT_KEYS as readonly string[]).includes(b.sort)) v.sort = b.sort as SortKey;
    if (typeof b.desc === "boolean") v.desc = b.desc;
    if (typeof b.filter === "string") v.filter = b.filter.slice(0, 100).toLowerCase();
    if (isCount(b.offset)) v.offset = b.offset;
    if (isCount(b.limit)) v.limit = Math.min(b.limit, ROWS_MAX);
    if (isCount(b.selected)) v.selected = b.selected;
    json(res, 200, { ok: true });
    // Answer a change of view (a scroll, a sort) soon rather than at the next tick — but never
    // sooner than the cost rule allows, however fast the page sends them.
    if (this.timer && !c.blocked) this.arm(Math.max(0, this.lastAt + Math.max(VIEW_MS, this.lastCost * SNAPSHOT_SHARE) - performance.now()));
  }

  /** POST /kill {pid, reason?}: `vm.kill(p)`, or with a reason an exit signal as if from its parent; a process on any scheduler. */
  private kill(res: ServerResponse, b: Record<string, unknown>): void {
    const vm = this.vm;
    if (!vm || vm.isStopped) return json(res, 409, { error: "no program is running" });
    if (!isCount(b.pid)) return json(res, 400, { error: "pid must be a process number" });
    const pid = b.pid;
    const reason = typeof b.reason === "string" && b.reason !== "" ? b.reason.slice(0, 200) : "kill";
    const answer = (sent: boolean): void => {
      if (sent) json(res, 200, { ok: true, alive: vm.isAlive(pid) });
      else json(res, 404, { error: `${pidString(pid)} is not alive` });
    };
    const sent = killAnywhere(vm, pid, reason);
    if (typeof sent === "boolean") answer(sent);
    else void sent.then(answer);
  }

  // ── snapshots ─────────────────────────────────────────────────────────────────────────

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  /** The clients a frame can be sent to now (`count`: a client that is not counts one more dropped frame). */
  private ready(count: boolean): Client[] {
    return [...this.clients.values()].filter((c) => {
      if (c.blocked || c.res.writableLength > BACKLOG_BYTES) {
        if (count) c.dropped++;
        return false;
      }
      return true;
    });
  }

  /** Asks what the snapshot needs from other schedulers, then builds it (at once, for a run on one). */
  private tick(): void {
    this.timer = null;
    if (this.clients.size === 0 || this.closed) return;
    const ready = this.ready(true);
    const vm = this.vm;
    if (ready.length === 0 || !vm || vm.isStopped || vm.remote === null) return this.build(ready.length > 0);
    const survey = surveyOf(vm);
    survey?.ask();
    const waits: Promise<unknown>[] = this.askDetails(vm, ready);
    if (survey) waits.push(survey.whenSettled(ASK_WAIT_MS));
    if (waits.length === 0) return this.build(true);
    this.gathering = true;
    const timer = new Promise((resolve) => setTimeout(resolve, ASK_WAIT_MS).unref());
    void Promise.race([Promise.all(waits), timer]).then(() => this.build(true));
  }

  /** Asks for the details of the selected processes that run on other schedulers; the promises of their answers. */
  private askDetails(vm: VMCore, ready: Client[]): Promise<unknown>[] {
    const selected = new Set<number>();
    for (const c of ready) if (c.view.selected > 0 && selected.size < DETAILS_MAX) selected.add(c.view.selected);
    for (const pid of this.details.keys()) if (!selected.has(pid)) this.details.delete(pid);
    const waits: Promise<unknown>[] = [];
    for (const pid of selected) {
      if (processOf(vm, pid)) continue;
      let e = this.details.get(pid);
      if (!e) this.details.set(pid, (e = { d: null, asking: false, answered: false }));
      if (e.asking) continue;
      const entry = e;
      const d = detailAnywhere(vm, pid, 5000);
      if (!(d instanceof Promise)) {
        entry.d = d;
        entry.answered = true;
        continue;
      }
      entry.asking = true;
      waits.push(
        d.then((x) => {
          entry.d = x;
          entry.asking = false;
          entry.answered = true;
        }),
      );
    }
    return waits;
  }

  private build(any: boolean): void {
    this.gathering = false;
    if (this.clients.size === 0 || this.closed) return;
    const ready = any ? this.ready(false) : [];
    const t0 = performance.now();
    let walks = 0;
    if (ready.length > 0) {
      const vm = this.vm;
      const survey = vm && !vm.isStopped ? surveyOf(vm) : null;
      const census = vm && !vm.isStopped ? this.census.take(vm, survey) : null;
      const system = census && vm ? systemInfo(vm, census) : null;
      const trees = census ? supervisionTrees(census) : [];
      const interval = this.lastAt === 0 ? 0 : t0 - this.lastAt;
      this.lastAt = t0;
      this.snapshots++;
      // What every page gets alike is turned into text once.
      const shared = { system: JSON.stringify(system), trees: JSON.stringify(trees) };
      for (const c of ready) this.send(c, census, shared, interval);
      walks = survey?.cost ?? 0;
    }
    const cost = performance.now() - t0;
    if (ready.length > 0) this.lastCost = Math.max(cost, walks);
    this.arm(Math.max(SNAPSHOT_MS, Math.min(this.lastCost * SNAPSHOT_SHARE, SNAPSHOT_MAX_MS)));
  }

  /** Sends `c` a frame: its own window, detail and events, and the parts every page shares (`shared`, as JSON text). */
  private send(c: Client, census: Census | null, shared: { system: string; trees: string }, interval: number): void {
    const vm = this.vm;
    const v = c.view;
    const table = census ? tableWindow(census, v) : { total: 0, offset: 0, rows: [] };
    const events = this.events.length > 0 && this.events[this.events.length - 1].seq > c.lastEvent ? this.events.filter((e) => e.seq > c.lastEvent).slice(-500) : [];
    c.lastEvent = this.eventSeq;
    let detail: ProcessDetail | null = null;
    let detailWaiting = false;
    if (vm && v.selected > 0 && !vm.isStopped) {
      const e = this.details.get(v.selected);
      if (processOf(vm, v.selected) || vm.remote === null || !e) detail = localDetail(vm, v.selected);
      else {
        detail = e.d;
        // Not answered yet, or it moved between the question and the answer.
        detailWaiting = !e.answered || (e.d === null && vm.isAlive(v.selected));
      }
    }
    const own: Omit<Frame, "system" | "trees"> = {
      seq: ++this.frameSeq,
      vm: !vm ? "none" : vm.isStopped ? "stopped" : "running",
      interval,
      table,
      detail,
      detailWaiting,
      events,
      dropped: c.dropped,
    };
    // A Frame's JSON: this page's own fields, then the shared ones.
    const text = `${JSON.stringify(own).slice(0, -1)},"system":${shared.system},"trees":${shared.trees}}`;
    if (!c.res.write(`event: frame\ndata: ${text}\n\n`)) c.blocked = true;
  }
}

function defaultView(): View {
  return { sort: "pid", desc: false, filter: "", offset: 0, limit: 100, selected: 0 };
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function host4or6(h: string): string {
  return h.includes(":") ? `[${h}]` : h;
}

function text(res: ServerResponse, code: number, s: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(s);
}

function json(res: ServerResponse, code: number, v: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(v));
}

/** Reads a small JSON object body (at most BODY_MAX bytes) and hands it on; 400 for anything else. */
function body(req: IncomingMessage, res: ServerResponse, then: (b: Record<string, unknown>) => void): void {
  const parts: Buffer[] = [];
  let size = 0;
  req.on("data", (d: Buffer) => {
    size += d.length;
    if (size > BODY_MAX) {
      text(res, 413, "request too large\n");
      req.destroy();
    } else parts.push(d);
  });
  req.on("end", () => {
    if (size > BODY_MAX) return;
    let b: unknown;
    try {
      b = JSON.parse(Buffer.concat(parts).toString("utf8") || "{}");
    } catch {
      return text(res, 400, "the body must be JSON\n");
    }
    if (typeof b !== "object" || b === null || Array.isArray(b)) return text(res, 400, "the body must be a JSON object\n");
    then(b as Record<string, unknown>);
  });
}

/** The built page (dist/observe.html), beside the CLI bundle or two levels above this module. */
function readPage(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of [join(here, "observe.html"), join(here, "..", "..", "observe.html")]) if (existsSync(f)) return readFileSync(f, "utf8");
  return null;
}

/** `--observe=HOST:PORT`, `--observe=PORT`, `--observe=HOST`, `[::1]:PORT`; null when it is not one. */
export function parseAddress(s: string): { host?: string; port?: number } | null {
  const portOf = (t: string) => (/^\d{1,5}$/.test(t) && Number(t) <= 65535 ? Number(t) : null);
  if (s === "") return null;
  if (portOf(s) !== null) return { port: portOf(s)! };
  // [v6]:PORT, [v6], host:PORT, host, or a bare IPv6 address (two colons or more).
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:\[\]]+)(?::(\d+))?$/.exec(s) ?? (/^[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:.]*$/.test(s) ? [s, s, undefined] : null);
  if (!m) return null;
  const host = m[1];
  if (m[2] === undefined) return { host };
  const port = portOf(m[2]);
  return port === null ? null : { host, port };
}
