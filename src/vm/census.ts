// The census: every live process of a run at one moment, and what the observer and the
// REPL show of it — a window of the process table (filtered, sorted, sliced), the
// supervision trees, the system's totals and each scheduler's load. One implementation for
// both readers (src/observe/server.ts, src/cli/inspect.ts).
//
// A census is the rows of this scheduler's processes, read now (introspect.ts), merged in
// pid order with the rows the run's other schedulers last sent (`Elsewhere`: gathered by
// threads/survey.ts, each row with the time it was read there). Where a process shows up
// twice (it moved between two walks), the row read here wins, else the newer; a row of a
// process that has ended since it was sent is left out (the run's location table says so).
//
// One Census object is kept from snapshot to snapshot: its columns (pid, reductions, when
// read, rate) are reused, and reductions per second are the difference between two
// censuses, over the time between the two readings of that row. Costs: one pass over this
// scheduler's processes (memory reads, no object made per process), a merge with rows already
// decoded, a row object only for the rows a window shows; trees are walked iteratively within
// a node budget.

import { Process, pidString } from "./process.js";
import type { VMCore } from "./vm-core.js";
import { hostCeiling } from "./heap.js";
import {
  currentFunction,
  forEachProcess,
  mailboxLength,
  memoryOf,
  processRow,
  schedulerOf,
  statusOf,
  supervisorOf,
  vmCounters,
  type ProcStatus,
  type ProcessRow,
  type SupervisorInfo,
} from "./introspect.js";

/** A row another scheduler sent: the row, a supervisor's state, and when it was read there (the VM's clock, ms). */
export class RemoteRow {
  constructor(
    readonly row: ProcessRow,
    readonly sup: SupervisorInfo | null,
    readonly at: number,
  ) {}
}

/** The rows of one whole walk of another scheduler's processes, in pid order (threads/survey.ts). */
export interface Pass {
  scheduler: number;
  rows: RemoteRow[];
  /** When its first row was read (the VM's clock, ms): how old the walk is. */
  at: number;
}

/** What a census of a run on several schedulers takes from the others. */
export interface Elsewhere {
  /** How many schedulers the run has. */
  schedulers: number;
  /** By scheduler id: the latest complete walk of each, or null if none has come yet. */
  passes: readonly (Pass | null)[];
  /** Is `pid` alive on any scheduler (the run's location table)? */
  alive(pid: number): boolean;
  /** Scheduler `s`'s runnable processes, as it last published them (once a tick). */
  load(s: number): number;
  /** Every registered name of the run, by pid (a name may be given from another scheduler than its holder's). */
  names: Map<number, string>;
}

/** Rows of another scheduler older than this (ms) are marked stale. */
export const STALE_MS = 1000;

export interface SchedulerLoad {
  scheduler: number;
  /** Processes waiting for their turn there. */
  runnable: number;
  processes: number;
  /** Reductions per second of its processes. */
  rate: number;
  /** How old its rows are (ms; 0 for the scheduler the census is taken on). */
  age: number;
  /** Its rows are older than STALE_MS, or it has sent none yet. */
  stale: boolean;
}

export type Entry = Process | RemoteRow;

/** Per-process sums of the system totals, added up one process at a time. */
export interface Tally {
  processes: number;
  supervisors: number;
  queued: number;
  heap: number;
}

function newTally(): Tally {
  return { processes: 0, supervisors: 0, queued: 0, heap: 0 };
}

interface Columns {
  pids: Int32Array;
  reds: Float64Array;
  /** When each row was read (unset when `allAt` says: every row at the census's time). */
  ats: Float64Array;
  rates: Float64Array;
  /** Every row was read at the census's time (one scheduler): `ats` is not written. */
  allAt: boolean;
}

function columns(n: number): Columns {
  return { pids: new Int32Array(n), reds: new Float64Array(n), ats: new Float64Array(n), rates: new Float64Array(n), allAt: false };
}

export class Census {
  /** Live processes in the census. */
  n = 0;
  /** In pid order: a process of this scheduler, or a row another one sent. */
  readonly entries: Entry[] = [];
  private cur = columns(0);
  private prev = columns(0);
  private prevN = 0;
  private prevAt = 0;
  /** Indices of the supervisors, in pid order. */
  sups: number[] = [];
  tally: Tally = newTally();
  load: SchedulerLoad[] = [];
  /** When it was taken (the VM's clock, ms). */
  at = 0;
  vm: VMCore | null = null;
  private names: Map<number, string> | null = null;
  private local: Process[] = [];

  get pids(): Int32Array {
    return this.cur.pids;
  }

  get reds(): Float64Array {
    return this.cur.reds;
  }

  get rates(): Float64Array {
    return this.cur.rates;
  }

  /** Takes a new census of `vm`'s run: its own processes now, and `away`'s rows for a run on several schedulers. */
  take(vm: VMCore, away: Elsewhere | null = null): this {
    this.vm = vm;
    const now = vm.now();
    const self = schedulerOf(vm);
    let size = vm.liveCount();
    const passes = away ? away.passes : [];
    for (const p of passes) if (p) size += p.rows.length;
    const old = this.cur;
    this.cur = this.prev.pids.length >= size ? this.prev : columns(size + (size >>> 2) + 64);
    this.prev = old;
    this.prevN = this.n;
    this.n = 0;
    this.sups = [];
    this.tally = newTally();
    this.names = away ? away.names : null;
    const schedulers = away ? away.schedulers : 1;
    const load: SchedulerLoad[] = [];
    for (let s = 0; s < schedulers; s++) {
      const pass = s === self ? null : passes[s];
      const age = s === self ? 0 : pass ? Math.max(0, now - pass.at) : Infinity;
      load.push({ scheduler: s, runnable: s === self || !away ? vm.sched.runnable : away.load(s), processes: 0, rate: 0, age: Number.isFinite(age) ? Math.round(age) : -1, stale: age > STALE_MS });
    }
    this.load = load;
    if (!away) this.takeLocal(vm, now);
    else {
      const local = this.local;
      local.length = 0;
      forEachProcess(vm, (p) => void local.push(p));
      this.merge(local, passes, away, now, self);
      local.length = 0;
    }
    this.entries.length = this.n; // drops references to processes gone since the last census
    this.prevAt = now;
    this.at = now;
    return this;
  }

  /**
   * A run on one scheduler: every process is read now. What `merge` does for each, in one loop
   * over locals (at 100,000 processes the cost is memory reads, and this keeps it so).
   */
  private takeLocal(vm: VMCore, now: number): void {
    const { pids, reds, rates } = this.cur;
    this.cur.allAt = true;
    const entries = this.entries;
    const sups = this.sups;
    const prev = this.prev;
    const pp = prev.pids;
    const pr = prev.reds;
    const pn = this.prevN;
    const perMs = 1000 / Math.max(1, now - this.prevAt);
    let n = 0;
    let j = 0;
    let queued = 0;
    let heap = 0;
    let rateSum = 0;
    forEachProcess(vm, (p) => {
      const pid = p.pid;
      const r = p.reductions;
      entries[n] = p;
      pids[n] = pid;
      reds[n] = r;
      // Both lists are in pid order: a merge finds each process's previous count.
      while (j < pn && pp[j] < pid) j++;
      const rate = (r - (j < pn && pp[j] === pid ? pr[j] : 0)) * perMs;
      rates[n] = rate;
      rateSum += rate;
      queued += mailboxLength(p);
      heap += memoryOf(p);
      if (p.supervisor !== null) sups.push(n);
      n++;
    });
    this.n = n;
    const t = this.tally;
    t.processes = n;
    t.supervisors = sups.length;
    t.queued = queued;
    t.heap = heap;
    this.load[0].processes = n;
    this.load[0].rate = rateSum;
  }

  /**
   * A run on several schedulers: this scheduler's processes (`local`, read now) merged with
   * the others' rows in pid order. Where a process shows up more than once (it moved between
   * readings), the reading here wins, else the newest; rows of processes that have ended
   * since they were read are left out.
   */
  private merge(local: Process[], passes: readonly (Pass | null)[], away: Elsewhere, now: number, self: number): void {
    const { pids, reds, ats, rates } = this.cur;
    this.cur.allAt = false;
    const entries = this.entries;
    const sups = this.sups;
    const load = this.load;
    const prev = this.prev;
    const prevAt = this.prevAt;
    const pp = prev.pids;
    const pn = this.prevN;
    const perMs = 1000 / Math.max(1, now - this.prevAt);
    let n = 0;
    let j = 0;
    let queued = 0;
    let heap = 0;
    const put = (e: Entry, pid: number, r: number, at: number, sched: number, mailbox: number, memory: number, sup: boolean): void => {
      entries[n] = e;
      pids[n] = pid;
      reds[n] = r;
      ats[n] = at;
      while (j < pn && pp[j] < pid) j++;
      let rate: number;
      if (j < pn && pp[j] === pid) {
        const dt = at - (prev.allAt ? prevAt : prev.ats[j]);
        // The same reading as last time (a scheduler that has not sent newer rows): the same rate.
        rate = dt > 0 ? ((r - prev.reds[j]) * 1000) / dt : prev.rates[j];
      } else rate = r * perMs; // new since the last census: its reductions so far, over the interval
      rates[n] = rate;
      queued += mailbox;
      heap += memory;
      if (sup) sups.push(n);
      const l = load[sched];
      if (l !== undefined) {
        l.processes++;
        l.rate += rate;
      }
      n++;
    };
    const lists: RemoteRow[][] = [];
    for (let s = 0; s < passes.length; s++) if (s !== self && passes[s]) lists.push(passes[s]!.rows);
    const at = new Array<number>(lists.length).fill(0);
    let li = 0;
    for (;;) {
      // The smallest pid at the head of any list.
      let min = li < local.length ? local[li].pid : Infinity;
      for (let k = 0; k < lists.length; k++) {
        const rows = lists[k];
        while (at[k] < rows.length && !away.alive(rows[at[k]].row.pid)) at[k]++;
        if (at[k] < rows.length && rows[at[k]].row.pid < min) min = rows[at[k]].row.pid;
      }
      if (min === Infinity) break;
      let best: RemoteRow | null = null;
      for (let k = 0; k < lists.length; k++) {
        const rows = lists[k];
        if (at[k] < rows.length && rows[at[k]].row.pid === min) {
          const r = rows[at[k]++];
          if (best === null || r.at > best.at) best = r;
        }
      }
      if (li < local.length && local[li].pid === min) {
        const p = local[li++];
        put(p, min, p.reductions, now, self, mailboxLength(p), memoryOf(p), p.supervisor !== null);
      } else if (best !== null) {
        const row = best.row;
        put(best, min, row.reductions, best.at, row.scheduler, row.mailbox, row.memory, row.supervisor);
      }
    }
    this.n = n;
    const t = this.tally;
    t.processes = n;
    t.supervisors = sups.length;
    t.queued = queued;
    t.heap = heap;
  }

  /** The index of process `pid`, or -1 when it is not in the census. */
  find(pid: number): number {
    const pids = this.cur.pids;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = pids[mid];
      if (v === pid) return mid;
      if (v < pid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ── one process's fields, wherever it runs ───────────────────────────────────────────

  row(i: number): ProcessRow {
    const e = this.entries[i];
    const row = e instanceof Process ? processRow(this.vm!, e) : { ...e.row };
    if (this.names !== null) row.name = this.names.get(row.pid) ?? "";
    return row;
  }

  name(i: number): string {
    const e = this.entries[i];
    if (this.names !== null) return this.names.get(this.cur.pids[i]) ?? "";
    return e instanceof Process ? (e.name ?? "") : e.row.name;
  }

  status(i: number): ProcStatus {
    const e = this.entries[i];
    return e instanceof Process ? statusOf(e) : e.row.status;
  }

  mailbox(i: number): number {
    const e = this.entries[i];
    return e instanceof Process ? mailboxLength(e) : e.row.mailbox;
  }

  memory(i: number): number {
    const e = this.entries[i];
    return e instanceof Process ? memoryOf(e) : e.row.memory;
  }

  fn(i: number): string {
    const e = this.entries[i];
    return e instanceof Process ? currentFunction(this.vm!, e) : e.row.fn;
  }

  scheduler(i: number): number {
    const e = this.entries[i];
    return e instanceof Process ? schedulerOf(this.vm!) : e.row.scheduler;
  }

  parent(i: number): number {
    const e = this.entries[i];
    return e instanceof Process ? e.parent : e.row.parent;
  }

  isSupervisor(i: number): boolean {
    const e = this.entries[i];
    return e instanceof Process ? e.supervisor !== null : e.row.supervisor;
  }

  /** The state of supervisor `i` (null: not a supervisor). */
  supervisor(i: number): SupervisorInfo | null {
    const e = this.entries[i];
    return e instanceof Process ? supervisorOf(this.vm!, e) : e.sup;
  }
}

// ── the process table's window ──────────────────────────────────────────────────────────

/** A table row as a reader receives it: a process row and its reductions per second over the last interval. */
export type WireRow = ProcessRow & { rate: number };

export type SortKey = "pid" | "name" | "status" | "mailbox" | "memory" | "reductions" | "rate" | "fn";
export const SORT_KEYS: readonly SortKey[] = ["pid", "name", "status", "mailbox", "memory", "reductions", "rate", "fn"];

export interface TableView {
  sort: SortKey;
  desc: boolean;
  /** Lower case: rows whose pid, name, function or status contain it. */
  filter: string;
  offset: number;
  limit: number;
}

export interface TableWindow {
  total: number;
  offset: number;
  rows: WireRow[];
}

/** The rows of view `v`: filtered, sorted, then sliced (the work is O(n log n) in live processes). */
export function tableWindow(c: Census, v: TableView): TableWindow {
  const rates = c.rates;
  const rows: WireRow[] = [];
  const row = (i: number) => rows.push({ ...c.row(i), rate: Math.round(rates[i]) });
  if (v.filter === "" && v.sort === "pid") {
    // The census is in pid order already: the window is a slice.
    const n = c.n;
    const offset = Math.min(v.offset, Math.max(0, n - 1));
    for (let k = offset; k < n && rows.length < v.limit; k++) row(v.desc ? n - 1 - k : k);
    return { total: n, offset, rows };
  }
  const idx: number[] = [];
  if (v.filter === "") for (let i = 0; i < c.n; i++) idx.push(i);
  else {
    const f = v.filter;
    const pids = c.pids;
    for (let i = 0; i < c.n; i++) {
      if (pidString(pids[i]).includes(f) || c.name(i).toLowerCase().includes(f) || c.fn(i).toLowerCase().includes(f) || c.status(i).includes(f)) idx.push(i);
    }
  }
  if (v.sort !== "pid" || v.desc) {
    const key = sortKey(c, v.sort);
    const dir = v.desc ? -1 : 1;
    const pids = c.pids;
    idx.sort((a, b) => {
      const ka = key[a];
      const kb = key[b];
      return (ka < kb ? -dir : ka > kb ? dir : 0) || pids[a] - pids[b];
    });
  }
  const offset = Math.min(v.offset, Math.max(0, idx.length - 1));
  for (let k = offset; k < idx.length && rows.length < v.limit; k++) row(idx[k]);
  return { total: idx.length, offset, rows };
}

function sortKey(c: Census, k: SortKey): ArrayLike<number | string> {
  const n = c.n;
  switch (k) {
    case "pid":
      return c.pids;
    case "rate":
      return c.rates;
    case "reductions":
      return c.reds;
    case "mailbox":
    case "memory": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = k === "mailbox" ? c.mailbox(i) : c.memory(i);
      return out;
    }
    default: {
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const name = c.name(i);
        out[i] = k === "name" ? (name === "" ? "\uffff" : name) : k === "status" ? c.status(i) : c.fn(i);
      }
      return out;
    }
  }
}

// ── supervision trees ───────────────────────────────────────────────────────────────────

/** A supervision tree: a supervisor and, for each child, its subtree or a worker leaf. */
export interface TreeNode {
  pid: number;
  /** "supervisor" or the worker's function. */
  fn: string;
  name: string;
  alive: boolean;
  restart: string;
  /** The scheduler it runs on (-1: not known, e.g. a child that has ended). */
  scheduler: number;
  sup: Omit<SupervisorInfo, "children" | "omitted"> | null;
  children: TreeNode[];
  /** Children left out because the tree was over its node budget. */
  omitted: number;
}

/** Most nodes one `supervisionTrees` call returns. */
export const TREE_NODES_MAX = 2000;

/**
 * Every supervision tree of the run, wherever its supervisors and children run: one per
 * supervisor whose parent is not a supervisor. Built iteratively; past `maxNodes` nodes the
 * rest are counted in `omitted`.
 */
export function supervisionTrees(c: Census, maxNodes = TREE_NODES_MAX): TreeNode[] {
  const vm = c.vm;
  if (!vm) return [];
  const roots: TreeNode[] = [];
  let budget = maxNodes;
  const todo: [SupervisorInfo, TreeNode][] = [];
  for (const i of c.sups) {
    if (budget <= 0) break;
    const parent = c.find(c.parent(i));
    if (parent >= 0 && c.isSupervisor(parent)) continue;
    const info = c.supervisor(i);
    if (!info) continue;
    const node = supNode(c, i, info, "");
    budget--;
    roots.push(node);
    todo.push([info, node]);
  }
  while (todo.length > 0) {
    const [info, node] = todo.pop()!;
    node.omitted += info.omitted;
    for (const ch of info.children) {
      if (budget <= 0) {
        node.omitted++;
        continue;
      }
      budget--;
      const j = c.find(ch.pid);
      const sub = j >= 0 && c.isSupervisor(j) ? c.supervisor(j) : null;
      if (sub) {
        const child = supNode(c, j, sub, ch.restart);
        node.children.push(child);
        todo.push([sub, child]);
      } else
        node.children.push({
          pid: ch.pid,
          fn: ch.fn,
          name: j >= 0 ? c.name(j) : "",
          alive: j >= 0 || vm.isAlive(ch.pid),
          restart: ch.restart,
          scheduler: j >= 0 ? c.scheduler(j) : -1,
          sup: null,
          children: [],
          omitted: 0,
        });
    }
  }
  return roots;
}

function supNode(c: Census, i: number, info: SupervisorInfo, restart: string): TreeNode {
  const { children: _c, omitted: _o, ...sup } = info;
  return { pid: info.pid, fn: "supervisor", name: c.name(i), alive: true, restart, scheduler: c.scheduler(i), sup, children: [], omitted: 0 };
}

// ── the system ──────────────────────────────────────────────────────────────────────────

export interface SystemInfo {
  /** Milliseconds since the VM started (its clock). */
  now: number;
  processes: number;
  supervisors: number;
  /** Messages queued in every mailbox. */
  queued: number;
  /** Totals of the run since it started: rates are their differences over time. */
  reductions: number;
  messages: number;
  spawned: number;
  /** Bytes of every process's memory as `memoryOf` tells it, and the host's ceiling on them (heap.ts). */
  heap: number;
  heapCeiling: number;
  /** Schedulers of the run. */
  schedulers: number;
  /** Each scheduler's load and how fresh its rows are. */
  load: SchedulerLoad[];
}

/** The system's totals, from census `c` of `vm`'s run. */
export function systemInfo(vm: VMCore, c: Census): SystemInfo {
  return { now: c.at, ...c.tally, ...vmCounters(vm), heapCeiling: hostCeiling(), schedulers: c.load.length, load: c.load };
}
