// The observer page in a real browser: headless Chromium (the system's `chromium` package)
// driven by puppeteer-core. It runs examples/observed_system.kl under `raft run --observe`
// with RAFT_LOG=info, so that the VM's own account of its processes (every spawn, exit and
// restart, logged as it happens) can be checked against what the page shows: the process
// table, the supervision tree, and — after killing a worker from the page — the supervisor's
// restart in the tree. Screenshots go to a temporary folder (printed), each checked as it is
// taken (its size, its colours, how much of it is drawn: helpers/screenshot.ts). Any console
// error in the page fails the test.
//
// Without /usr/bin/chromium the test is skipped, except in CI (CI is set), where it fails.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TWO_LEVELS, startOnTwo } from "./helpers/two-schedulers.js";
import { checkedShot } from "./helpers/screenshot.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
const skip = !present && !process.env.CI ? `${CHROMIUM} is not installed (apt-get install chromium); set CI to make this a failure` : false;

/** The VM's view, from its RAFT_LOG=info lines. */
class VmLog {
  live = new Map<number, string>();
  restarts: { old: number; pid: number; sup: number }[] = [];
  url = "";
  text = "";
  feed(chunk: string): void {
    this.text += chunk;
    const lines = this.text.split("\n");
    this.text = lines.pop()!;
    for (const l of lines) {
      let m;
      if ((m = /^observe: (\S+)/.exec(l))) this.url = m[1];
      else if ((m = /^INFO spawn <0\.(\d+)> (\S+)/.exec(l))) this.live.set(Number(m[1]), m[2]);
      else if ((m = /^INFO exit <0\.(\d+)>/.exec(l))) this.live.delete(Number(m[1]));
      else if ((m = /^INFO restart <0\.(\d+)> -> <0\.(\d+)> by <0\.(\d+)>/.exec(l))) this.restarts.push({ old: Number(m[1]), pid: Number(m[2]), sup: Number(m[3]) });
    }
  }
  pids(): number[] {
    return [...this.live.keys()].sort((a, b) => a - b);
  }
}

async function until<T>(what: string, f: () => Promise<T | null | false> | T | null | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Puppeteer = (typeof import("puppeteer-core"))["default"];

function launch(puppeteer: Puppeteer, profile: string) {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`],
  });
}

test("the observer page shows the VM's processes and trees, and a kill from it restarts a worker", { skip, timeout: 90_000 }, async () => {
  assert.ok(present, `${CHROMIUM} is missing, and CI needs this test to run: .ci/run installs chromium`);
  const puppeteer = (await import("puppeteer-core")).default;
  const shots = mkdtempSync(join(tmpdir(), "raft-observer-shots-"));
  const profile = mkdtempSync(join(tmpdir(), "raft-observer-profile-"));
  const log = new VmLog();
  const child: ChildProcess = spawn(process.execPath, ["bin/raft.js", "run", "--observe", "--seed", "7", "examples/observed_system.kl", "80"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, RAFT_LOG: "info" },
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => log.feed(d));
  const browser = await launch(puppeteer, profile);
  const errors: string[] = [];
  try {
    await until("the observer's address", () => log.url !== "" && log.pids().length >= 8);
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 720 });
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    page.on("pageerror", (e) => void errors.push(String(e)));
    page.on("requestfailed", (r) => void (!r.url().includes("/stream") && errors.push(`request failed: ${r.url()}`)));
    await page.goto(log.url);

    // The process table against the VM's own list of live processes.
    const rowPids = () => page.$$eval(".scroller .row[data-pid]", (rows) => rows.filter((r) => (r as HTMLElement).style.display !== "none").map((r) => Number((r as HTMLElement).dataset.pid)));
    await until("the table to match the VM", async () => JSON.stringify(await rowPids()) === JSON.stringify(log.pids()));
    const stats = await page.$$eval(".scroller .row[data-pid]", (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)).find((c) => c[1] === "stats"));
    assert.ok(stats, "the registered name stats is in the table");
    assert.equal(stats![0], `<0.${[...log.live].find(([, fn]) => fn === "stats_starter")![0]}>`);
    await checkedShot(page, join(shots, "1-processes.png"));
    // Sorting (pid, reversed) and filtering happen on the server, for the rows on screen.
    await page.click('.thead span[data-sort="pid"]');
    await until("the table sorted by pid, descending", async () => JSON.stringify(await rowPids()) === JSON.stringify(log.pids().reverse()));
    await page.click('.thead span[data-sort="pid"]');
    await page.type("#filter", "stats");
    await until("the filtered table", async () => (await rowPids()).length === 1);
    assert.match(await page.$eval("#count", (c) => c.textContent!), /^1 process$/);
    await page.$eval("#filter", (f) => ((f as HTMLInputElement).value = ""));
    await page.type("#filter", " ");

    // The supervision tree: every live process but main is in it, supervisors with their strategy.
    await page.click('nav button[data-tab="trees"]');
    const treePids = () => page.$$eval("#forest g.node", (ns) => ns.map((n) => Number(n.getAttribute("data-pid"))).sort((a, b) => a - b));
    const notMain = () => log.pids().filter((p) => p !== 1);
    await until("the tree to match the VM", async () => JSON.stringify(await treePids()) === JSON.stringify(notMain()));
    const labels = await page.$$eval("#forest g.node.supv text:first-of-type", (ts) => ts.map((t) => t.textContent));
    assert.equal(labels.length, 2);
    for (const l of labels) assert.match(l!, /one_for_one/);
    await checkedShot(page, join(shots, "2-tree.png"));

    // Kill a worker from its process page; the pool supervisor restarts it, and the tree shows the new pid.
    const worker = [...log.live].filter(([, fn]) => fn === "worker").map(([pid]) => pid)[0];
    const before = log.restarts.length;
    await page.click(`#forest g.node[data-pid="${worker}"]`);
    await until("the process page", () => page.$eval("#detail-head h2", (h) => h.textContent).then((t) => t!.includes(`<0.${worker}>`)));
    await checkedShot(page, join(shots, "3-process.png"));
    await page.click("#kill");
    const restart = await until("the supervisor's restart", () => log.restarts.slice(before).find((r) => r.old === worker) ?? null);
    await page.click('nav button[data-tab="trees"]');
    await until("the new worker in the tree", async () => {
      const pids = await treePids();
      return pids.includes(restart.pid) && !pids.includes(worker);
    });
    const flashing = await page.$eval(`#forest g.node[data-pid="${restart.pid}"]`, (n) => n.getAttribute("class"));
    assert.match(flashing!, /flash-new/, "the restarted worker flashes");
    await checkedShot(page, join(shots, "4-restarted.png"));

    await page.click('nav button[data-tab="system"]');
    await until("the charts", () => page.$$eval(".chart:not(.load) polyline", (ps) => ps.length === 4 && ps.every((p) => (p.getAttribute("points") ?? "").split(" ").length > 2)));
    await checkedShot(page, join(shots, "5-system.png"));
    console.log(`screenshots: ${shots}`);
    assert.deepEqual(errors, [], "console errors in the page");
  } finally {
    await browser.close();
    child.kill();
    rmSync(profile, { recursive: true, force: true });
  }
});

test("on two schedulers the page shows both schedulers' processes and trees, and a kill from it restarts a worker on scheduler 1", { skip, timeout: 90_000 }, async () => {
  assert.ok(present, `${CHROMIUM} is missing, and CI needs this test to run: .ci/run installs chromium`);
  const puppeteer = (await import("puppeteer-core")).default;
  const shots = mkdtempSync(join(tmpdir(), "raft-observer-shots-"));
  const profile = mkdtempSync(join(tmpdir(), "raft-observer-profile-"));
  // The VM runs in this process, on two schedulers, so that the run's location table can
  // tell which scheduler runs each process (the premise), beside what the page shows.
  const r = await startOnTwo(TWO_LEVELS, 13);
  const browser = await launch(puppeteer, profile);
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 720 });
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    page.on("pageerror", (e) => void errors.push(String(e)));
    page.on("requestfailed", (q) => void (!q.url().includes("/stream") && errors.push(`request failed: ${q.url()}`)));
    await page.goto(r.obs.url);

    // The table: every process, its sched column where the location table says it runs.
    const rows = () =>
      page.$$eval(".scroller .row[data-pid]", (rs) =>
        rs.filter((x) => (x as HTMLElement).style.display !== "none").map((x) => [Number((x as HTMLElement).dataset.pid), Number(x.children[7].textContent)]),
      );
    const table = await until("every row", async () => {
      const t = await rows();
      return t.length === 13 ? t : null;
    });
    const where = table.map(([pid]) => r.owner(pid));
    assert.ok(where.includes(0) && where.includes(1), `the processes run on schedulers ${where}`);
    assert.deepEqual(
      table.map(([, s]) => s),
      where,
    );
    await checkedShot(page, join(shots, "1-processes-two.png"));

    // The tree: every node says where it runs; some child runs on another scheduler than its supervisor.
    await page.click('nav button[data-tab="trees"]');
    const nodes = () => page.$$eval("#forest g.node[data-pid]", (ns) => ns.map((n) => ({ pid: Number(n.getAttribute("data-pid")), sched: Number(n.getAttribute("data-scheduler")), parent: Number(n.getAttribute("data-parent")), fn: n.getAttribute("data-fn") })));
    const tree = await until("the tree", async () => {
      const t = await nodes();
      return t.length === 11 ? t : null;
    });
    for (const n of tree) assert.equal(n.sched, r.owner(n.pid), `<0.${n.pid}> in the tree`);
    const schedOf = new Map(tree.map((n) => [n.pid, n.sched]));
    assert.ok(tree.some((n) => n.parent !== 0 && schedOf.get(n.parent) !== n.sched), "a child on another scheduler than its supervisor");
    await checkedShot(page, join(shots, "2-tree-two.png"));

    // Kill a worker on scheduler 1 from its process page; its supervisor restarts it.
    const worker = tree.find((n) => n.fn === "worker" && n.sched === 1)!;
    assert.ok(worker, "a worker on scheduler 1");
    await page.click(`#forest g.node[data-pid="${worker.pid}"]`);
    await until("its process page", () => page.$eval("#detail-scheduler", (d) => d.textContent).then((t) => t === "1"));
    assert.match(await page.$eval("#detail-head h2", (h) => h.textContent!), new RegExp(`<0\\.${worker.pid}>`));
    await checkedShot(page, join(shots, "3-process-two.png"));
    await page.click("#kill");
    const restart = await until("the supervisor's restart", () => r.events.find((e) => e.kind === "restart" && e.old === worker.pid) ?? null);
    assert.ok(r.events.some((e) => e.kind === "exit" && e.pid === worker.pid && e.reason === "killed"));
    await page.click('nav button[data-tab="trees"]');
    await until("the new worker in the tree", async () => {
      const pids = (await nodes()).map((n) => n.pid);
      return restart.kind === "restart" && pids.includes(restart.pid) && !pids.includes(worker.pid);
    });

    // The System view: a load line and a legend row for each scheduler.
    await page.click('nav button[data-tab="system"]');
    await until("the load chart", () => page.$$eval(".chart.load polyline", (ps) => ps.length === 2 && ps.every((p) => (p.getAttribute("points") ?? "").split(" ").length > 2)));
    assert.deepEqual(await page.$$eval(".chart.load tr[data-scheduler]", (ts) => ts.map((t) => t.getAttribute("data-scheduler"))), ["0", "1"]);
    await checkedShot(page, join(shots, "4-system-two.png"));
    console.log(`screenshots: ${shots}`);
    assert.deepEqual(errors, [], "console errors in the page");
  } finally {
    await browser.close();
    await r.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
