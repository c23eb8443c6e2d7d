// The observer's server (src/observe/server.ts): the token guards every request, the stream
// delivers snapshots at least once a second, a kill from the page ends the process (with a
// reason: as an exit signal from its parent), nothing is computed while no page is connected,
// a page that never reads does not make the server queue without bound, and `raft run
// --observe` does not outlive its program.

import { test } from "node:test";
import assert from "node:assert/strict";
import { request, get, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Raft, type RaftEvent } from "../src/raft.js";
import { parseAddress, type Frame, type Observer } from "../src/observe/server.js";
import { STALE_MS, type Census, type TreeNode } from "../src/vm/census.js";
import { TWO_LEVELS, startOnTwo } from "./helpers/two-schedulers.js";
import { censusNow, surveyOf } from "../src/threads/survey.js";

/** Workers that wait forever under a supervisor, and a main that sleeps until the run is cancelled. */
const SYSTEM = `
fn worker(n: integer) {
    loop { let m: string = vm.receive(); }
}
let sup: process = vm.supervisor("one_for_one", 100, 1000);
let i: integer = 0;
loop {
    if (i == WORKERS) { break; }
    vm.start_child(sup, "permanent", worker, i);
    i++;
}
loop { vm.sleep(60000); }
`;

interface Running {
  raft: Raft;
  obs: Observer;
  events: RaftEvent[];
  done: Promise<unknown>;
  stop(): Promise<void>;
  base: string;
}

async function start(workers = 3): Promise<Running> {
  const events: RaftEvent[] = [];
  const raft = new Raft({ stderr: () => {}, onEvent: (e) => events.push(e) });
  const obs = await raft.observe();
  const ctl = new AbortController();
  const done = raft.run(SYSTEM.replace("WORKERS", String(workers)), { file: "system.kl", signal: ctl.signal });
  return {
    raft,
    obs,
    events,
    done,
    base: `http://127.0.0.1:${obs.port}`,
    async stop() {
      ctl.abort();
      await done;
      await obs.close();
    },
  };
}

function fetchStatus(url: string, method = "GET", body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { "Content-Type": "application/json" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Calls `on` with each Server-Sent Event of the stream `res`: its name and its JSON data. */
function onEvents(res: IncomingMessage, on: (event: string | undefined, data: any) => void): void {
  let buf = "";
  res.setEncoding("utf8");
  res.on("data", (d: string) => {
    buf += d;
    let k;
    while ((k = buf.indexOf("\n\n")) >= 0) {
      const msg = buf.slice(0, k);
      buf = buf.slice(k + 2);
      on(/^event: (\w+)/.exec(msg)?.[1], JSON.parse(msg.slice(msg.indexOf("data: ") + 6)));
    }
  });
}

/** Reads frames from the stream for `ms`, then closes it. */
function readFrames(url: string, ms: number): Promise<{ frames: Frame[]; at: number[]; client: number }> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const at: number[] = [];
    let client = 0;
    get(url, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
      onEvents(res, (ev, data) => {
        if (ev === "hello") client = data.client;
        else if (ev === "frame") {
          frames.push(data);
          at.push(performance.now());
        }
      });
      setTimeout(() => {
        res.destroy();
        resolve({ frames, at, client });
      }, ms);
    }).on("error", reject);
  });
}

const tok = (o: Observer) => `token=${o.token}`;

test("every request needs the token", async () => {
  const r = await start();
  try {
    for (const path of ["/", "/stream", "/?token=", `/?token=${"0".repeat(32)}`, `/stream?token=${r.obs.token.slice(1)}`]) {
      assert.equal((await fetchStatus(r.base + path)).status, 403, path);
    }
    assert.equal((await fetchStatus(`${r.base}/kill`, "POST", JSON.stringify({ pid: 3 }))).status, 403);
    assert.equal((await fetchStatus(`${r.base}/view?client=1`, "POST", "{}")).status, 403);
    assert.ok(r.raft && r.events.every((e) => e.kind !== "exit"), "a POST without the token killed nothing");
    const page = await fetchStatus(`${r.base}/?${tok(r.obs)}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Raft observer<\/title>/);
    assert.doesNotMatch(page.text, /<script[^>]+src=|<link[^>]+href=/, "the page loads nothing from elsewhere");
  } finally {
    await r.stop();
  }
});

test("the stream delivers snapshots at least once a second, matching the VM", async () => {
  const r = await start(3);
  try {
    const { frames, at } = await readFrames(`${r.base}/stream?${tok(r.obs)}`, 2600);
    assert.ok(frames.length >= 3, `${frames.length} frames in 2.6 s`);
    for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] < 1000, `a gap of ${at[i] - at[i - 1]} ms between frames`);
    const f = frames[frames.length - 1];
    assert.equal(f.vm, "running");
    // main, the supervisor, three workers
    assert.equal(f.system!.processes, 5);
    assert.deepEqual(f.table.rows.map((x) => x.fn), ["main", "supervisor", "worker", "worker", "worker"]);
    assert.deepEqual(f.table.rows.map((x) => x.status), ["sleeping", "waiting", "waiting", "waiting", "waiting"]);
    assert.equal(f.trees.length, 1);
    assert.equal(f.trees[0].sup!.strategy, "one_for_one");
    assert.deepEqual(f.trees[0].children.map((c) => c.pid), [3, 4, 5]);
  } finally {
    await r.stop();
  }
});

test("a kill from the page ends the process, and its supervisor restarts it", async () => {
  const r = await start(2);
  try {
    const url = `${r.base}/kill?${tok(r.obs)}`;
    const k = await fetchStatus(url, "POST", JSON.stringify({ pid: 3 }));
    assert.equal(k.status, 200, k.text);
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(r.events.some((e) => e.kind === "exit" && e.pid === 3 && e.reason === "killed"));
    assert.ok(r.events.some((e) => e.kind === "restart" && e.old === 3));
    // With a reason: an exit signal as if from the parent (the supervisor).
    const k2 = await fetchStatus(url, "POST", JSON.stringify({ pid: 4, reason: "going away" }));
    assert.equal(k2.status, 200, k2.text);
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(r.events.some((e) => e.kind === "exit" && e.pid === 4 && e.reason === "going away"));
    assert.equal((await fetchStatus(url, "POST", JSON.stringify({ pid: 9999 }))).status, 404);
    assert.equal((await fetchStatus(url, "POST", JSON.stringify({ pid: "x" }))).status, 400);
    assert.equal((await fetchStatus(url, "POST", "not json")).status, 400);
  } finally {
    await r.stop();
  }
});

test("nothing is computed while no page is connected", async () => {
  const r = await start(3);
  try {
    await new Promise((res) => setTimeout(res, 700));
    assert.equal(r.obs.snapshots, 0, "snapshots without a page");
    const { frames } = await readFrames(`${r.base}/stream?${tok(r.obs)}`, 600);
    assert.ok(frames.length >= 1 && r.obs.snapshots >= 1, "a page gets snapshots");
    await new Promise((res) => setTimeout(res, 100));
    const after = r.obs.snapshots;
    await new Promise((res) => setTimeout(res, 700));
    assert.equal(r.obs.snapshots, after, "snapshots after the page left");
  } finally {
    await r.stop();
  }
});

test("a page that never reads does not make the server queue without bound", async () => {
  // 1500 workers: each frame carries the supervision tree, some 180 KB.
  const r = await start(1500);
  try {
    // A page that never reads: its connection accepts 16 KB and then nothing more.
    let given = 0;
    const stuck = new Writable({ highWaterMark: 16 << 10, write: () => {} });
    const write = stuck.write.bind(stuck);
    stuck.write = ((chunk: string) => ((given += chunk.length), write(chunk))) as typeof stuck.write;
    r.obs.stream(stuck);
    // 4.5 s: at least six frames however slow snapshots are here (one at least every 0.7 s).
    const { frames } = await readFrames(`${r.base}/stream?${tok(r.obs)}`, 4500);
    const frameBytes = JSON.stringify(frames[frames.length - 1]).length;
    const { dropped, maxQueued } = r.obs.backlogs();
    assert.ok(frames.length >= 6 && frameBytes > 100_000, `the reading page got ${frames.length} frames of ${frameBytes} bytes`);
    assert.ok(dropped >= frames.length - 3, `the stuck page's frames were dropped (${dropped})`);
    assert.ok(given < 2 * frameBytes + 1000, `written for the stuck page: ${given} bytes`);
    assert.equal(maxQueued, stuck.writableLength);
    stuck.destroy();
  } finally {
    await r.stop();
  }
});

test("a page on a real connection that stops reading leaves the server's memory bounded", async () => {
  const r = await start(1500);
  try {
    const sock = connect(r.obs.port, "127.0.0.1");
    await new Promise((res) => sock.once("connect", res));
    sock.write(`GET /stream?${tok(r.obs)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    sock.pause();
    const rss0 = process.memoryUsage().rss;
    await readFrames(`${r.base}/stream?${tok(r.obs)}`, 3000);
    const rss1 = process.memoryUsage().rss;
    assert.ok(r.obs.backlogs().maxQueued < 1 << 20, `queued: ${r.obs.backlogs().maxQueued}`);
    assert.ok(rss1 - rss0 < 96 << 20, `RSS grew ${rss1 - rss0} bytes in 3 s`);
    sock.destroy();
  } finally {
    await r.stop();
  }
});

test("addresses for --observe", () => {
  assert.deepEqual(parseAddress("8080"), { port: 8080 });
  assert.deepEqual(parseAddress("0.0.0.0:80"), { host: "0.0.0.0", port: 80 });
  assert.deepEqual(parseAddress("localhost"), { host: "localhost" });
  assert.deepEqual(parseAddress("[::1]:9000"), { host: "::1", port: 9000 });
  assert.equal(parseAddress("host:99999"), null);
  assert.equal(parseAddress("a:b"), null);
  assert.deepEqual(parseAddress("::1"), { host: "::1" });
  assert.equal(parseAddress(""), null);
});

const dir = mkdtempSync(join(tmpdir(), "raft-observe-"));

function runCli(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["bin/raft.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`raft ${args.join(" ")} did not end: ${stderr}`));
    }, 15_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: performance.now() - t0 });
    });
  });
}

test("raft run --observe prints the address and ends with its program", async () => {
  const file = join(dir, "short.kl");
  writeFileSync(file, 'vm.sleep(200);\nvm.println("done");\n');
  const r = await runCli(["run", "--observe", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^observe: http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}\n$/);
  const w = await runCli(["run", "--observe=0.0.0.0:0", file]);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stderr, /^warning: the observer listens on 0\.0\.0\.0/);
  const bad = await runCli(["run", "--observe=host:x", file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--observe=host:x: expected HOST:PORT/);
  const repl = await runCli(["repl", "--observe"]);
  assert.equal(repl.code, 0, repl.stderr);
  assert.match(repl.stderr, /observe: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
});

test("a process page: status, name, links, monitors, first messages and stack trace", async () => {
  const raft = new Raft({ stderr: () => {}, readLine: () => new Promise<string | null>(() => {}) });
  const obs = await raft.observe();
  const ctl = new AbortController();
  const src = `
fn sleeper() { vm.sleep(100000); }
fn reader() { let s: string = vm.get_user_input(){default: ""}; }
fn wait_int() -> integer { let x: integer = vm.receive(); return x; }
fn holder(p: process) {
    vm.link(p);
    vm.monitor(p);
    loop { wait_int(); }
}
let s: process = vm.spawn(sleeper);
let r: process = vm.spawn(reader);
let h: process = vm.spawn(holder, s);
vm.register("keeper", h);
vm.send(h, ("hello", [1, 2]));
vm.send(h, "text");
vm.send(h, ("again", [3]));
loop { vm.sleep(60000); }
`;
  const done = raft.run(src, { file: "page.kl", signal: ctl.signal });
  try {
    await new Promise((res) => setTimeout(res, 200));
    // The stream's first frame gives the client id; then select <0.4> (the holder).
    const frames: Frame[] = [];
    let client = 0;
    const req = get(`http://127.0.0.1:${obs.port}/stream?${tok(obs)}`, (res) =>
      onEvents(res, (ev, data) => {
        if (ev === "hello") client = data.client;
        else frames.push(data);
      }),
    );
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 50 && !f(); i++) await new Promise((res) => setTimeout(res, 100));
      assert.ok(f());
    };
    await until(() => client > 0);
    const v = await fetchStatus(`http://127.0.0.1:${obs.port}/view?${tok(obs)}&client=${client}`, "POST", JSON.stringify({ selected: 4 }));
    assert.equal(v.status, 200, v.text);
    await until(() => frames.some((f) => f.detail?.pid === 4));
    req.destroy();
    const f = frames.filter((x) => x.detail?.pid === 4).pop()!;
    const d = f.detail!;
    const status = Object.fromEntries(f.table.rows.map((x) => [x.pid, x.status]));
    assert.deepEqual(status, { 1: "sleeping", 2: "sleeping", 3: "parked", 4: "waiting" });
    assert.equal(d.name, "keeper");
    assert.equal(d.fn, "wait_int");
    assert.equal(d.started, "holder");
    assert.equal(d.mailbox, 3);
    // In arrival order across the mailbox's per-type queues.
    assert.deepEqual(d.messages, ['("hello", [1, 2])', '"text"', '("again", [3])']);
    assert.deepEqual(d.links, [2]);
    assert.deepEqual(d.monitors, [2]);
    assert.deepEqual(d.trace.map((t) => t.fn), ["wait_int", "holder"]);
    assert.ok(f.table.rows.find((x) => x.pid === 1)!.reductions > 0, "main's reductions are counted");
    assert.ok(d.memory > 0);
  } finally {
    ctl.abort();
    await done;
    await obs.close();
  }
});

test("closing the observer tells its pages that the end is for good", async () => {
  const r = await start(1);
  let text = "";
  await new Promise<void>((resolve) => {
    get(`${r.base}/stream?${tok(r.obs)}`, (res) => {
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
        if (text.includes("event: frame")) void r.stop();
      });
      res.on("end", resolve);
    });
  });
  assert.match(text, /event: end\n/);
  assert.ok(r.obs.isClosed);
  // observe() again opens a new one (a Raft keeps at most one open).
  const again = await r.raft.observe();
  assert.notEqual(again, r.obs);
  assert.equal(await r.raft.observe(), again);
  await again.close();
});

test("a page that changes its view again and again does not make snapshots faster than the cost rule allows", async () => {
  const r = await start(3);
  try {
    let client = 0;
    const req = get(`${r.base}/stream?${tok(r.obs)}`, (res) => {
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        const m = /"client":(\d+)/.exec(d);
        if (m) client = Number(m[1]);
      });
    });
    while (client === 0) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 100));
    const before = r.obs.snapshots;
    const t0 = performance.now();
    for (let i = 0; i < 40; i++) {
      const v = await fetchStatus(`${r.base}/view?${tok(r.obs)}&client=${client}`, "POST", JSON.stringify({ offset: i }));
      assert.equal(v.status, 200, v.text);
      await new Promise((res) => setTimeout(res, 10));
    }
    const ms = performance.now() - t0;
    const made = r.obs.snapshots - before;
    req.destroy();
    // (How many depends on what a snapshot costs here: at most one per 60 ms, or per 50 times its cost.)
    assert.ok(made >= 1, `view changes are answered (${made} snapshots)`);
    assert.ok(made <= ms / 60 + 3, `${made} snapshots in ${ms.toFixed(0)} ms for 40 view changes`);
  } finally {
    await r.stop();
  }
});

// ── a run on two schedulers ─────────────────────────────────────────────────────────────

/** Reads the stream, telling the server `view` once the client is known, until `ok` holds for a frame (or 10 s). */
async function frameWhere(r: { obs: Observer; base: string }, ok: (f: Frame) => boolean, view?: Record<string, unknown>): Promise<{ frame: Frame; frames: Frame[]; at: number[] }> {
  const frames: Frame[] = [];
  const at: number[] = [];
  let client = 0;
  let viewSent = view === undefined;
  const req = get(`${r.base}/stream?${tok(r.obs)}`, (res) =>
    onEvents(res, (ev, data) => {
      if (ev === "hello") client = data.client;
      else if (ev === "frame") {
        frames.push(data);
        at.push(performance.now());
      }
    }),
  );
  try {
    for (let i = 0; i < 200; i++) {
      if (!viewSent && client > 0) {
        const v = await fetchStatus(`${r.base}/view?${tok(r.obs)}&client=${client}`, "POST", JSON.stringify(view));
        assert.equal(v.status, 200, v.text);
        viewSent = true;
        frames.length = 0;
        at.length = 0;
      }
      const f = viewSent ? frames.find(ok) : undefined;
      if (f) return { frame: f, frames, at };
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.fail(`no frame as wanted in 10 s; the last: ${JSON.stringify(frames[frames.length - 1])?.slice(0, 2000)}`);
  } finally {
    req.destroy();
  }
}

function treeNodes(trees: TreeNode[]): { node: TreeNode; parent: TreeNode | null }[] {
  const out: { node: TreeNode; parent: TreeNode | null }[] = [];
  const todo: { node: TreeNode; parent: TreeNode | null }[] = trees.map((node) => ({ node, parent: null }));
  while (todo.length) {
    const x = todo.pop()!;
    out.push(x);
    for (const c of x.node.children) todo.push({ node: c, parent: x.node });
  }
  return out;
}

test("on two schedulers: every scheduler's processes with the scheduler each runs on, trees across schedulers, and a kill of a process on scheduler 1", async () => {
  const r = await startOnTwo(TWO_LEVELS, 13);
  try {
    const { frame: f } = await frameWhere(r, (f) => f.system?.processes === 13 && f.table.rows.length === 13 && f.trees.length === 2);
    const rows = f.table.rows;
    // The premise: processes really are on both schedulers (and, waiting, they stay where they are).
    const where = rows.map((x) => r.owner(x.pid));
    assert.ok(where.includes(1) && where.includes(0), `the processes run on schedulers ${where}`);
    assert.deepEqual(rows.map((x) => x.scheduler), where, "the scheduler column");
    assert.deepEqual(rows.filter((x) => x.name !== "").map((x) => [x.pid, x.name]), [[2, "team"], [7, "first"]], "names given on scheduler 0, wherever their processes run");
    assert.deepEqual(rows.map((x) => x.fn), ["main", "team", "supervisor", "worker", "worker", "supervisor", "worker", "worker", "worker", "supervisor", "worker", "worker", "worker"]);
    assert.equal(f.system!.schedulers, 2);
    assert.deepEqual(f.system!.load.map((l) => [l.scheduler, l.processes, l.stale]), [
      [0, where.filter((s) => s === 0).length, false],
      [1, where.filter((s) => s === 1).length, false],
    ]);
    // The tree: both supervisors and every worker, wherever each runs; some child runs on another scheduler than its supervisor.
    const nodes = treeNodes(f.trees);
    assert.equal(nodes.length, 11);
    for (const { node } of nodes) assert.equal(node.scheduler, r.owner(node.pid), `the scheduler of <0.${node.pid}> in the tree`);
    const across = nodes.filter(({ node, parent }) => parent && parent.scheduler !== node.scheduler);
    assert.ok(across.length > 0, "a child on another scheduler than its supervisor");
    // In pid order: team's tree (started first), then root's.
    assert.deepEqual(f.trees.map((t) => [t.sup!.strategy, t.children.length]), [["rest_for_one", 2], ["one_for_one", 4]]);
    const [teamTree, rootTree] = f.trees;
    assert.equal(rootTree.children.filter((c) => c.sup).length, 1, "the child supervisor is drawn as a subtree");
    assert.equal(rootTree.children.find((c) => c.sup)!.children.length, 3);
    // team's supervisor runs on another scheduler than main (and so than root): its state came from there.
    assert.equal(teamTree.scheduler, 1 - rootTree.scheduler, "the two roots run on different schedulers");
    assert.deepEqual(teamTree.children.map((c) => c.restart), ["permanent", "transient"]);

    // A worker on scheduler 1: its process page, then a kill from the page; its supervisor restarts it.
    const target = nodes.find(({ node }) => !node.sup && node.scheduler === 1)!.node;
    assert.ok(target, "a worker on scheduler 1");
    const { frame: d } = await frameWhere(r, (x) => x.detail?.pid === target.pid, { selected: target.pid });
    assert.equal(d.detail!.scheduler, 1);
    assert.equal(d.detail!.fn, "worker");
    assert.deepEqual(d.detail!.trace.map((t) => t.fn), ["worker"]);
    assert.equal(d.detail!.links.length, 1, "linked to its supervisor");
    const k = await fetchStatus(`${r.base}/kill?${tok(r.obs)}`, "POST", JSON.stringify({ pid: target.pid }));
    assert.equal(k.status, 200, k.text);
    assert.equal(JSON.parse(k.text).alive, false);
    for (let i = 0; i < 100 && !r.events.some((e) => e.kind === "restart" && e.old === target.pid); i++) await new Promise((res) => setTimeout(res, 50));
    assert.ok(r.events.some((e) => e.kind === "exit" && e.pid === target.pid && e.reason === "killed"), "killed");
    const restart = r.events.find((e) => e.kind === "restart" && e.old === target.pid);
    assert.ok(restart && restart.kind === "restart", "restarted by its supervisor");
    const { frame: after } = await frameWhere(r, (x) => treeNodes(x.trees).some(({ node }) => node.pid === restart.pid));
    assert.ok(!treeNodes(after.trees).some(({ node }) => node.pid === target.pid), "the killed worker left the tree");
    // With a reason, to a process on scheduler 1: an exit signal as if from its parent.
    const other = treeNodes(after.trees).find(({ node }) => !node.sup && node.pid !== restart.pid && r.owner(node.pid) === 1);
    assert.ok(other, "another worker on scheduler 1");
    const k2 = await fetchStatus(`${r.base}/kill?${tok(r.obs)}`, "POST", JSON.stringify({ pid: other.node.pid, reason: "going away" }));
    assert.equal(k2.status, 200, k2.text);
    for (let i = 0; i < 100 && !r.events.some((e) => e.kind === "exit" && e.pid === other.node.pid); i++) await new Promise((res) => setTimeout(res, 50));
    assert.ok(r.events.some((e) => e.kind === "exit" && e.pid === other.node.pid && e.reason === "going away"));
    assert.equal((await fetchStatus(`${r.base}/kill?${tok(r.obs)}`, "POST", JSON.stringify({ pid: target.pid }))).status, 404, "a process that has ended");
  } finally {
    await r.stop();
  }
});

test("on two schedulers: a scheduler that does not answer never holds the page up; its last rows are shown, marked stale", async () => {
  const r = await startOnTwo(TWO_LEVELS, 13);
  try {
    const { frame: first } = await frameWhere(r, (f) => f.system?.processes === 13 && f.system.load[1].age >= 0);
    const onOne = first.table.rows.filter((x) => x.scheduler === 1).map((x) => x.pid);
    assert.ok(onOne.length > 0, "processes on scheduler 1");
    // From now on scheduler 1 hears no more questions: as if it were busy for ever.
    const remote = r.vm.remote!;
    const census = remote.census.bind(remote);
    let asked = 0;
    remote.census = () => void asked++;
    try {
      const { frame: late, at } = await frameWhere(r, (f) => f.system!.load[1].stale);
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] < 1000, `a gap of ${at[i] - at[i - 1]} ms between frames`);
      assert.ok(late.system!.load[1].age >= STALE_MS);
      assert.equal(late.system!.processes, 13);
      assert.deepEqual(late.table.rows.filter((x) => x.scheduler === 1).map((x) => x.pid), onOne, "its last rows are still shown");
      assert.ok(asked <= 1, `${asked} questions: no new one while one is unanswered`);
    } finally {
      remote.census = census;
    }
  } finally {
    await r.stop();
  }
});

test("on two schedulers: no other scheduler is asked anything while no page is connected", async () => {
  const r = await startOnTwo(TWO_LEVELS, 13);
  const remote = r.vm.remote!;
  const census = remote.census.bind(remote);
  let asked = 0;
  remote.census = (...a: Parameters<typeof census>) => {
    asked++;
    census(...a);
  };
  try {
    await new Promise((res) => setTimeout(res, 600));
    assert.equal(asked, 0, "questions before any page");
    assert.equal(remote.survey, null);
    const { frames } = await readFrames(`${r.base}/stream?${tok(r.obs)}`, 800);
    assert.ok(frames.length >= 1 && asked >= 1, `a page gets frames (${frames.length}) and scheduler 1 is asked (${asked})`);
    await new Promise((res) => setTimeout(res, 150));
    const after = asked;
    await new Promise((res) => setTimeout(res, 800));
    assert.equal(asked, after, "questions after the page left");
  } finally {
    remote.census = census;
    await r.stop();
  }
});

test("on two schedulers: a scheduler with more processes than one answer holds sends them in several, all of them", async () => {
  const src = `
fn idle() { let m: integer = vm.receive(); }
let i: integer = 0;
loop {
    if (i == 1000) { break; }
    vm.spawn(idle);
    i++;
}
loop { vm.sleep(60000); }
`;
  const r = await startOnTwo(src, 1001);
  try {
    // Answers of 16 rows: the walk of scheduler 1's processes takes several. (Spreading moves
    // processes back and forth while they run, so how many end up there varies: 250-500.)
    const chunk = 16;
    surveyOf(r.vm)!.chunkRows = chunk;
    // Once every process waits (none moves any more), a census has them all, each where it
    // runs. (A census may reuse a scheduler's rows from the one before when that scheduler has
    // not answered within 50 ms, as on a loaded machine: such rows can still show a process
    // where it was before its last move, so the test waits for a census that agrees.)
    const agrees = (x: Census) => Array.from({ length: x.n }, (_, i) => x.scheduler(i) === r.owner(x.pids[i])).every(Boolean);
    const settled = (x: Census) => x.n === 1001 && Array.from({ length: x.n }, (_, i) => x.status(i)).every((st) => st === "waiting" || st === "sleeping") && agrees(x);
    let c = await censusNow(r.vm);
    for (let i = 0; i < 300 && !settled(c); i++) {
      await new Promise((res) => setTimeout(res, 100));
      c = await censusNow(r.vm);
    }
    assert.equal(c.n, 1001);
    const on: number[] = [0, 0];
    for (let i = 0; i < c.n; i++) {
      const pid = c.pids[i];
      assert.equal(c.scheduler(i), r.owner(pid), `<0.${pid}>`);
      on[c.scheduler(i)]++;
      if (i > 0) assert.ok(pid > c.pids[i - 1], "in pid order");
    }
    assert.ok(on[1] > 5 * chunk, `${on[1]} processes on scheduler 1: more than five answers hold`);
    assert.deepEqual(c.load.map((l) => l.processes), on);
  } finally {
    await r.stop();
  }
});
