// A look at every scheduler of a run, for the observer and the REPL's `:ps`, `:tree`, `:info`:
// scheduler 0 (the embedder's thread, where they run) asks the others for the rows of their
// processes and keeps what they last sent; the census (vm/census.ts) merges those rows with
// its own.
//
// How rows arrive. `Survey.ask` starts a walk on each other scheduler that has none under
// way: a CENSUS record asks for the rows after a pid, at most CHUNK_ROWS of them (and about
// CHUNK_BYTES). The scheduler answers between two slices, as it handles any record — never
// in the middle of one — with a ROWS record (`writeRows`: the same row code as scheduler 0's
// own rows, introspect.ts, and the state of each supervisor among them); scheduler 0 asks for
// the next chunk as soon as one arrives, until the walk is done, and the complete walk then
// replaces that scheduler's previous one. So a scheduler does bounded work per request, has at
// most one request in flight, and is asked nothing while no one is looking; scheduler 0 never
// waits for an answer: a reader builds its view when every scheduler has answered or after a
// short wait (`whenSettled`), with the previous walk of one that has not — marked stale once
// it is older than STALE_MS.
//
// One process's detail (the observer's process page, `:info`) and the observer's kill go to
// the scheduler that runs the process as ASK records (questions Detail and Kill), answered by
// `detailText` and signals.ts `fromOutside` there.

import type { Reader, Writer } from "./codec.js";
import { Question } from "./protocol.js";
import type { Remote } from "./remote.js";
import { Census, RemoteRow, type Elsewhere, type Pass } from "../vm/census.js";
import { forEachProcessFrom, processDetail, processOf, processRow, supervisorOf, type ProcStatus, type ProcessDetail, type ProcessRow } from "../vm/introspect.js";
import type { VMCore } from "../vm/vm-core.js";

/** Rows one answer holds at most. */
export const CHUNK_ROWS = 4096;
/** An answer stops taking rows once it is this long (supervisors' states can be long). */
const CHUNK_BYTES = 512 * 1024;
/** A request unanswered this long (ms) is given up: the next ask starts a new walk. */
const GIVE_UP_MS = 10_000;

const STATUSES: readonly ProcStatus[] = ["running", "runnable", "waiting", "sleeping", "parked", "dead"];

// ── the scheduler asked (any but 0) ─────────────────────────────────────────────────────

/**
 * Writes to `w` (a ROWS record, after its id) the rows of this scheduler's processes whose
 * pid is greater than `after`, at most `max`: when they were read, each row (strings
 * interned within the record), for a supervisor its state as JSON text, whether the walk is
 * done, the last pid written, and the time it took (ms).
 */
export function writeRows(vm: VMCore, w: Writer, after: number, max: number): void {
  const t0 = performance.now();
  const strings = new Map<string, number>();
  const str = (s: string): void => {
    const k = strings.get(s);
    if (k !== undefined) return w.u32(k);
    w.u32(strings.size);
    strings.set(s, strings.size);
    w.str(s);
  };
  w.f64(vm.now());
  let n = 0;
  let last = after;
  let more = false;
  forEachProcessFrom(vm, after + 1, (p) => {
    if (n === max || w.len > CHUNK_BYTES) {
      more = true;
      return false;
    }
    const r = processRow(vm, p);
    w.u8(1);
    w.i32(r.pid);
    w.i32(r.parent);
    w.u8(STATUSES.indexOf(r.status));
    w.f64(r.mailbox);
    w.f64(r.memory);
    w.f64(r.reductions);
    str(r.name);
    str(r.fn);
    str(r.started);
    const sup = r.supervisor ? supervisorOf(vm, p) : null;
    w.u8(r.supervisor ? (sup ? 2 : 1) : 0);
    if (sup) w.str(JSON.stringify(sup));
    n++;
    last = r.pid;
    return true;
  });
  w.u8(0);
  w.u8(more ? 0 : 1);
  w.i32(last);
  w.f64(performance.now() - t0);
}

/** Reads what `writeRows` wrote: the rows (of scheduler `from`), whether the walk is done, the last pid, the cost. */
function readRows(r: Reader, from: number): { rows: RemoteRow[]; at: number; done: boolean; last: number; cost: number } {
  const strings: string[] = [];
  const str = (): string => {
    const k = r.u32();
    if (k < strings.length) return strings[k];
    const s = r.str();
    strings.push(s);
    return s;
  };
  const at = r.f64();
  const rows: RemoteRow[] = [];
  while (r.u8() === 1) {
    const pid = r.i32();
    const parent = r.i32();
    const status = STATUSES[r.u8()] ?? "dead";
    const mailbox = r.f64();
    const memory = r.f64();
    const reductions = r.f64();
    const name = str();
    const fn = str();
    const started = str();
    const kind = r.u8();
    const sup = kind === 2 ? JSON.parse(r.str()) : null;
    const row: ProcessRow = { pid, name, status, mailbox, memory, reductions, fn, started, scheduler: from, supervisor: kind !== 0, parent };
    rows.push(new RemoteRow(row, sup, at));
  }
  const done = r.u8() === 1;
  const last = r.i32();
  return { rows, at, done, last, cost: r.f64() };
}

/** Process `pid`'s detail as JSON text (the answer to a Detail question), or null when it is not here. */
export function detailText(vm: VMCore, pid: number): string | null {
  const d = processDetail(vm, pid);
  return d === null ? null : JSON.stringify(d);
}

// ── scheduler 0 ─────────────────────────────────────────────────────────────────────────

/** One other scheduler's walk under way, and its last complete one. */
interface Walk {
  /** The request in flight (0: none). */
  id: number;
  sentAt: number;
  /** The `ask` the walk under way answers. */
  gen: number;
  rows: RemoteRow[];
  at: number;
  cost: number;
  /** The `ask` the last complete walk answered. */
  doneGen: number;
  /** What the last complete walk cost the scheduler (ms). */
  doneCost: number;
}

export class Survey implements Elsewhere {
  readonly passes: (Pass | null)[];
  names = new Map<number, string>();
  private readonly walks: Walk[] = [];
  private gen = 0;
  private nextId = 1;
  private waiters: (() => void)[] = [];
  /** Rows one request asks for (CHUNK_ROWS; tests of walks in many chunks lower it). */
  chunkRows = CHUNK_ROWS;

  constructor(private readonly remote: Remote) {
    this.passes = new Array<Pass | null>(remote.schedulers).fill(null);
    for (let s = 0; s < remote.schedulers; s++) this.walks.push({ id: 0, sentAt: 0, gen: 0, rows: [], at: 0, cost: 0, doneGen: 0, doneCost: 0 });
  }

  get schedulers(): number {
    return this.remote.schedulers;
  }

  alive(pid: number): boolean {
    return this.remote.alive(pid);
  }

  load(s: number): number {
    return this.remote.shared.load(s);
  }

  /** What the slowest scheduler's last complete walk cost it (ms). */
  get cost(): number {
    let c = 0;
    for (const w of this.walks) c = Math.max(c, w.doneCost);
    return c;
  }

  /** Starts a walk on every other scheduler that has none under way; reads the run's names. */
  ask(): void {
    const gen = ++this.gen;
    const now = performance.now();
    const self = this.remote.self;
    for (let s = 0; s < this.walks.length; s++) {
      const w = this.walks[s];
      if (s === self || (w.id !== 0 && now - w.sentAt < GIVE_UP_MS)) continue;
      w.gen = gen;
      w.rows = [];
      w.cost = 0;
      this.request(s, 0);
    }
    this.names = this.remote.vm.registry.holders();
  }

  private request(s: number, after: number): void {
    const w = this.walks[s];
    w.id = this.nextId++;
    w.sentAt = performance.now();
    this.remote.census(s, w.id, after, this.chunkRows);
  }

  /** A ROWS record from scheduler `from` (positioned after its id and scheduler). */
  take(id: number, from: number, r: Reader): void {
    const w = this.walks[from];
    if (w === undefined || w.id !== id) return; // an answer given up on
    w.id = 0;
    const chunk = readRows(r, from);
    if (w.rows.length === 0) w.at = chunk.at;
    for (const row of chunk.rows) w.rows.push(row);
    w.cost += chunk.cost;
    if (!chunk.done) return this.request(from, chunk.last);
    this.passes[from] = { scheduler: from, rows: w.rows, at: w.at };
    w.rows = [];
    w.doneGen = w.gen;
    w.doneCost = w.cost;
    if (this.settled()) this.wake();
  }

  /** Every other scheduler has completed a walk since the last `ask`. */
  settled(): boolean {
    const self = this.remote.self;
    for (let s = 0; s < this.walks.length; s++) if (s !== self && this.walks[s].doneGen < this.gen) return false;
    return true;
  }

  /** Resolves when every other scheduler has answered the last `ask` (true), or after `ms` (false). */
  whenSettled(ms: number): Promise<boolean> {
    if (this.settled()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        resolve(false);
      }, ms);
      timer.unref(); // a look never keeps the host process alive
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const f of all) f();
  }
}

/** The survey of `vm`'s run (made when first asked for), or null for a run on one scheduler. */
export function surveyOf(vm: VMCore): Survey | null {
  const remote = vm.remote;
  if (remote === null || remote.self !== 0) return null;
  return (remote.survey ??= new Survey(remote));
}

/**
 * A census of `vm`'s whole run, for a reader that may wait (the REPL): the other schedulers
 * are asked for their rows, and the census is taken when all have answered or after `waitMs`,
 * with the rows they sent last.
 */
export async function censusNow(vm: VMCore, into = new Census(), waitMs = 1000): Promise<Census> {
  const survey = vm.isStopped ? null : surveyOf(vm);
  if (survey) {
    survey.ask();
    await survey.whenSettled(waitMs);
  }
  return into.take(vm, vm.isStopped ? null : survey);
}

/**
 * Process `pid`'s detail wherever it runs: at once for a process of this scheduler, else a
 * promise of the answer of the scheduler that runs it (null when it has ended, or when no
 * answer came within `waitMs`).
 */
export function detailAnywhere(vm: VMCore, pid: number, waitMs = 1000): ProcessDetail | null | Promise<ProcessDetail | null> {
  if (processOf(vm, pid) || vm.remote === null || vm.isStopped) return localDetail(vm, pid);
  const asked = vm.remote.ask(pid, Question.Detail);
  if (asked === undefined) return null;
  return within(asked, waitMs, null).then((a) => (typeof a === "string" ? named(vm, JSON.parse(a) as ProcessDetail) : null));
}

/** The detail of process `pid` of this scheduler (null when it is not here). */
export function localDetail(vm: VMCore, pid: number): ProcessDetail | null {
  const d = processDetail(vm, pid);
  return d && named(vm, d);
}

/**
 * `d` with the name the run's registry gives its process: one given from another scheduler is
 * there, not in the process. (Read here, not by the scheduler that answered: the registry's
 * lock may wait, and that scheduler answers while it handles its records.)
 */
function named(vm: VMCore, d: ProcessDetail): ProcessDetail {
  d.name = vm.registry.nameOf(d.pid, processOf(vm, d.pid)) ?? "";
  return d;
}

/**
 * The observer's kill of `pid` (signals.ts `fromOutside`) wherever it runs: true when the
 * signal was sent, false when `pid` is not alive (or its scheduler did not answer within `waitMs`).
 */
export function killAnywhere(vm: VMCore, pid: number, reason: string, waitMs = 5000): boolean | Promise<boolean> {
  if (processOf(vm, pid) || vm.remote === null) return vm.signals.fromOutside(pid, reason);
  const asked = vm.remote.ask(pid, Question.Kill, reason);
  if (asked === undefined) return false;
  return within(asked, waitMs, null).then((a) => a === true);
}

function within<T>(p: Promise<T>, ms: number, otherwise: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(otherwise), ms);
    timer.unref();
    void p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}
