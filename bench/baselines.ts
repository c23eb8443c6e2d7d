// Plain-JavaScript baselines: the same algorithms as bench/*.kl, written the way a JS
// programmer would, measured in the same `npm run bench` run. Each returns the text the
// Kaylee program prints, so the harness can check that both computed the same thing.
//
// The actor benchmarks run on a minimal hand-written scheduler (`Sched`): a process is an
// object with a mailbox and a receive continuation, a FIFO run queue holds the processes that
// have work, and the scheduler is one tight loop. No preemption, no selective receive, no
// copying (messages are numbers): this is the floor an actor VM in JS can hope to approach.

// ── the minimal scheduler ────────────────────────────────────────────────────────────────

type Cont = (s: Sched, p: Proc, msg: number) => void;

export class Proc {
  mailbox: number[] | null = null;
  head = 0;
  /** The receive continuation: set while the process waits for a message. */
  waiting: Cont | null = null;
  queued = false;
  // Per-process state, all declared up front so that every Proc has one shape.
  next: Proc | null = null;
  parent: Proc | null = null;
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  constructor(
    readonly pid: number,
    public init: ((s: Sched, p: Proc) => void) | null,
  ) {}
}

/** A growable ring buffer of processes. */
class Queue {
  buf: (Proc | null)[] = new Array(1024).fill(null);
  head = 0;
  size = 0;
  push(p: Proc): void {
    if (this.size === this.buf.length) {
      const nb: (Proc | null)[] = new Array(this.buf.length * 2).fill(null);
      for (let i = 0; i < this.size; i++) nb[i] = this.buf[(this.head + i) % this.buf.length];
      this.buf = nb;
      this.head = 0;
    }
    this.buf[(this.head + this.size) % this.buf.length] = p;
    this.size++;
  }
  shift(): Proc {
    const p = this.buf[this.head]!;
    this.buf[this.head] = null;
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return p;
  }
}

export class Sched {
  readonly procs = new Map<number, Proc>();
  private queue = new Queue();
  private nextPid = 1;

  spawn(init: (s: Sched, p: Proc) => void): Proc {
    const p = new Proc(this.nextPid++, init);
    this.procs.set(p.pid, p);
    p.queued = true;
    this.queue.push(p);
    return p;
  }

  send(p: Proc, msg: number): void {
    if (!this.procs.has(p.pid)) return; // dead: dropped
    (p.mailbox ??= []).push(msg);
    if (p.waiting !== null && !p.queued) {
      p.queued = true;
      this.queue.push(p);
    }
  }

  receive(p: Proc, k: Cont): void {
    p.waiting = k;
  }

  exit(p: Proc): void {
    this.procs.delete(p.pid);
    p.waiting = null;
  }

  /** Runs until no process has work. */
  run(): void {
    const q = this.queue;
    while (q.size > 0) {
      const p = q.shift();
      p.queued = false;
      if (p.init !== null) {
        const f = p.init;
        p.init = null;
        f(this, p);
      }
      while (p.waiting !== null && p.mailbox !== null && p.head < p.mailbox.length) {
        const k = p.waiting;
        p.waiting = null;
        const m = p.mailbox[p.head++];
        if (p.head === p.mailbox.length) {
          p.mailbox.length = 0;
          p.head = 0;
        }
        k(this, p, m);
      }
    }
  }
}

// ── sequential benchmarks ────────────────────────────────────────────────────────────────

function fibRec(n: number): number {
  if (n < 2) return n;
  return fibRec(n - 1) + fibRec(n - 2);
}

export function fib(n: number): string {
  return `${fibRec(n)}\n`;
}

export function loop(n: number): string {
  let a = 0;
  for (let i = 0; i < n; i++) a = (a * 31 + i) % 1000003 | 0;
  return `${a}\n`;
}

export function strings(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(i) + ",";
  return `${s.length}\n${s[s.length - 2]}\n`;
}

export function sort(n: number): string {
  const v: number[] = [];
  let x = 42;
  for (let i = 0; i < n; i++) {
    x = (x * 75 + 74) % 65537;
    v.push(x);
  }
  v.sort((a, b) => a - b);
  return `${v[0]}\n${v[(n / 2) | 0]}\n${v[n - 1]}\n`;
}

/** N-body with every result rounded to f32 (Math.fround), as Kaylee's float is. */
export function nbody(steps: number): string {
  const f = Math.fround;
  const pi = f(3.141592653589793);
  const solar = f(f(f(4.0) * pi) * pi);
  const dpy = f(365.24);
  const F = (a: number[]) => new Float32Array(a);
  const x = F([0.0, 4.8414314424647209, 8.34336671824457987, 12.894369562139131, 15.3796971148509165]);
  const y = F([0.0, -1.16032004402742839, 4.12479856412430479, -15.1111514016986312, -25.9193146099879641]);
  const z = F([0.0, -0.103622044471123109, -0.403523417114321381, -0.223307578892655734, 0.179258772950371181]);
  const vx = F([0.0, 0.00166007664274403694, -0.00276742510726862411, 0.00296460137564761618, 0.00268067772490389322]);
  const vy = F([0.0, 0.00769901118419740425, 0.00499852801234917238, 0.0023784717395948095, 0.00162824170038242295]);
  const vz = F([0.0, -0.0000690460016972063023, 0.0000230417297573763929, -0.0000296589568540237556, -0.000095159225451971587]);
  const m = F([1.0, 0.000954791938424326609, 0.000285885980666130812, 0.0000436624404335156298, 0.0000515138902046611451]);
  const nb = 5;
  for (let i = 0; i < nb; i++) {
    vx[i] = f(vx[i] * dpy);
    vy[i] = f(vy[i] * dpy);
    vz[i] = f(vz[i] * dpy);
    m[i] = f(m[i] * solar);
  }
  let px = 0,
    py = 0,
    pz = 0;
  for (let i = 0; i < nb; i++) {
    px = f(px + f(vx[i] * m[i]));
    py = f(py + f(vy[i] * m[i]));
    pz = f(pz + f(vz[i] * m[i]));
  }
  vx[0] = f(-px / solar);
  vy[0] = f(-py / solar);
  vz[0] = f(-pz / solar);
  const energy = (): number => {
    let e = 0;
    for (let i = 0; i < nb; i++) {
      e = f(e + f(f(f(0.5) * m[i]) * f(f(f(vx[i] * vx[i]) + f(vy[i] * vy[i])) + f(vz[i] * vz[i]))));
      for (let j = i + 1; j < nb; j++) {
        const dx = f(x[i] - x[j]);
        const dy = f(y[i] - y[j]);
        const dz = f(z[i] - z[j]);
        e = f(e - f(f(m[i] * m[j]) / f(Math.sqrt(f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz))))));
      }
    }
    return e;
  };
  const e0 = energy();
  const dt = f(0.01);
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < nb; i++) {
      for (let j = i + 1; j < nb; j++) {
        const dx = f(x[i] - x[j]);
        const dy = f(y[i] - y[j]);
        const dz = f(z[i] - z[j]);
        const d2 = f(f(f(dx * dx) + f(dy * dy)) + f(dz * dz));
        const mag = f(dt / f(d2 * f(Math.sqrt(d2))));
        const mi = f(m[i] * mag);
        const mj = f(m[j] * mag);
        vx[i] = f(vx[i] - f(dx * mj));
        vy[i] = f(vy[i] - f(dy * mj));
        vz[i] = f(vz[i] - f(dz * mj));
        vx[j] = f(vx[j] + f(dx * mi));
        vy[j] = f(vy[j] + f(dy * mi));
        vz[j] = f(vz[j] + f(dz * mi));
      }
    }
    for (let i = 0; i < nb; i++) {
      x[i] = f(x[i] + f(dt * vx[i]));
      y[i] = f(y[i] + f(dt * vy[i]));
      z[i] = f(z[i] + f(dt * vz[i]));
    }
  }
  return `${e0}\n${energy()}\n`;
}

// ── actor benchmarks ─────────────────────────────────────────────────────────────────────

const nodeRecv: Cont = (s, p, m) => {
  s.send(p.next!, m);
  s.receive(p, nodeRecv);
};

export function ring(n: number, laps: number): string {
  const s = new Sched();
  let done = 0;
  const mainRecv: Cont = (s, p) => {
    p.a++; // laps completed
    if (p.a === laps) {
      done = p.a;
      s.exit(p);
      return;
    }
    s.send(p.next!, p.a);
    s.receive(p, mainRecv);
  };
  s.spawn((s, main) => {
    let next: Proc = main;
    for (let i = 1; i < n; i++) {
      const nd = s.spawn((s, p) => s.receive(p, nodeRecv));
      nd.next = next;
      next = nd;
    }
    main.next = next;
    s.send(next, 0);
    s.receive(main, mainRecv);
  });
  s.run();
  return `${done}\n`;
}

const waiterRecv: Cont = (s, p) => s.exit(p);

/** Spawns n processes that wait in receive; `mark(k)` as in bench/spawn.kl. */
export function spawn(n: number, mark: (k: number) => void): string {
  const s = new Sched();
  mark(0);
  s.spawn((s) => {
    for (let i = 0; i < n; i++) s.spawn((s, p) => s.receive(p, waiterRecv));
  });
  s.run();
  mark(1);
  // Keep the scheduler (and so every waiting process) alive until after the mark.
  return `${s.procs.size - 1 === n ? n : -1}\n`;
}

const skynetRecv: Cont = (s, p, m) => {
  p.c += m; // sum
  p.d++; // received
  if (p.d === p.b) {
    s.send(p.parent!, p.c);
    s.exit(p);
    return;
  }
  s.receive(p, skynetRecv);
};

function skynetInit(s: Sched, p: Proc): void {
  const size = p.a,
    div = p.b;
  if (size === 1) {
    s.send(p.parent!, 1);
    s.exit(p);
    return;
  }
  const sub = (size / div) | 0;
  for (let i = 0; i < div; i++) {
    const c = s.spawn(skynetInit);
    c.parent = p;
    c.a = sub;
    c.b = div;
  }
  s.receive(p, skynetRecv);
}

export function skynet(size: number): string {
  const s = new Sched();
  let total = -1;
  s.spawn((s, main) => {
    const c = s.spawn(skynetInit);
    c.parent = main;
    c.a = size;
    c.b = 10;
    s.receive(main, (s, p, m) => {
      total = m;
      s.exit(p);
    });
  });
  s.run();
  return `${total}\n`;
}

/**
 * n request/reply round trips to a server, as a JS programmer writes them with async/await:
 * the server awaits its next request, each call carries a reply callback and arms a timeout
 * (vm.call's ms) that the reply clears. Prints the sum of (reply - request): n.
 */
export async function call(n: number): Promise<string> {
  interface Request {
    value: number;
    reply: (v: number) => void;
  }
  const inbox: Request[] = [];
  let wake: (() => void) | null = null;
  let running = true;
  const server = (async () => {
    while (running) {
      const req = inbox.shift();
      if (req === undefined) await new Promise<void>((r) => (wake = r));
      else req.reply(req.value + 1);
    }
  })();
  const callServer = (value: number, ms: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), ms);
      inbox.push({
        value,
        reply: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
      const w = wake;
      wake = null;
      w?.();
    });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (await callServer(i, 5000)) - i;
  running = false;
  const w = wake as (() => void) | null;
  w?.();
  await server;
  return `${sum}\n`;
}

/**
 * The server of bench/server.kl as a JS programmer writes it with async/await: each process
 * is an async function reading its own inbox (a queue it awaits when empty), a request a
 * short line of text that the server splits and parses, its state 256 counters, its reply a
 * number sent to the client's inbox. Four clients keep 16 requests in flight each. Prints the
 * sum of the replies, then the counters' sum.
 */
export async function server(n: number): Promise<string> {
  class Inbox<T> {
    private q: T[] = [];
    private head = 0;
    private wake: (() => void) | null = null;
    send(m: T): void {
      this.q.push(m);
      const w = this.wake;
      this.wake = null;
      w?.();
    }
    async take(): Promise<T> {
      while (this.head === this.q.length) await new Promise<void>((r) => (this.wake = r));
      const m = this.q[this.head++];
      if (this.head === this.q.length) {
        this.q.length = 0;
        this.head = 0;
      }
      return m;
    }
  }
  type Req = { from: Inbox<number>; line: string } | { stop: Inbox<number> };
  const inbox = new Inbox<Req>();
  const srv = (async () => {
    const counts = new Array<number>(256).fill(0);
    for (;;) {
      const req = await inbox.take();
      if ("stop" in req) {
        let total = 0;
        for (const c of counts) total = (total + c) % 1000003;
        req.stop.send(total);
        return;
      }
      const parts = req.line.split(" ");
      const key = parseInt(parts[0], 10);
      const a = parseInt(parts[1], 10);
      const b = parseInt(parts[2], 10);
      counts[key] = (counts[key] + a * b) % 1000003;
      req.from.send((a + b) * 7 + key);
    }
  })();
  const client = async (me: number, count: number): Promise<number> => {
    const own = new Inbox<number>();
    const lines: string[] = [];
    for (let i = 0; i < 64; i++) lines.push(`${(me * 64 + i) % 256} ${i * 37 + me} ${i * 11 + 1000 * me}`);
    let sent = 0;
    for (; sent < 16 && sent < count; sent++) inbox.send({ from: own, line: lines[sent % 64] });
    let sum = 0;
    for (let got = 0; got < count; got++) {
      sum = (sum + (await own.take())) % 1000003;
      if (sent < count) inbox.send({ from: own, line: lines[sent++ % 64] });
    }
    return sum;
  };
  const sums = await Promise.all([0, 1, 2, 3].map((me) => client(me, Math.trunc(n / 4))));
  const sum = sums.reduce((t, r) => (t + r) % 1000003, 0);
  const done = new Inbox<number>();
  inbox.send({ stop: done });
  const total = await done.take();
  await srv;
  return `${sum}\n${total}\n`;
}
