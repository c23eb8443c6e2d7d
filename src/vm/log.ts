// Structured logging to stderr (never stdout): one line an event, `LEVEL event details`,
// filtered by RAFT_LOG (the seed's RUST_LOG when RAFT_LOG is unset):
//
//   error | warn (the default) | info   spawns, exits, restarts
//   debug                              also scheduling: each slice (who ran, for how many
//                                      reductions, why it stopped), messages sent, processes
//                                      moved between schedulers
//   trace                              also every instruction of every process (trace.ts)
//   trace:<0.N>                        as trace, instructions of process <0.N> only
//
// Levels are matched without regard to case. An unknown level is not silence: the logger
// keeps the default and says why in `problem`, which the embedder writes once as a warning.

export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type Level = (typeof LEVELS)[number];

/** What a log setting means: its level, the process traced (0: none, -1: all), or why it is not understood. */
export interface LogSetting {
  threshold: number;
  tracePid: number;
  problem: string | null;
}

/** Reads a RAFT_LOG value (undefined or empty: the default, warn). */
export function parseLogSetting(text: string | undefined): LogSetting {
  const t = (text ?? "").trim().toLowerCase();
  if (t === "") return { threshold: 1, tracePid: 0, problem: null };
  const i = LEVELS.indexOf(t as Level);
  if (i >= 0) return { threshold: i, tracePid: i === 4 ? -1 : 0, problem: null };
  const m = /^trace:<0\.(\d+)>$/.exec(t);
  if (m && Number(m[1]) > 0 && Number.isSafeInteger(Number(m[1]))) return { threshold: 4, tracePid: Number(m[1]), problem: null };
  const shown = JSON.stringify(text!.length > 40 ? text!.slice(0, 40) + "..." : text);
  return { threshold: 1, tracePid: 0, problem: `unknown log level ${shown}: use error, warn, info, debug, trace or trace:<0.N>; logging at warn` };
}

export class Logger {
  readonly threshold: number;
  /** `info` is on (checked before building a line on hot paths: spawn, exit). */
  readonly info: boolean;
  /** `debug` is on: slices, messages sent and dropped are logged too. */
  readonly debug: boolean;
  /** Whose instructions are traced: 0 nobody, -1 every process, else that pid (see `traces`). */
  readonly tracePid: number;
  /** Why the level given was not understood (to be said once, as a warning), or null. */
  readonly problem: string | null;
  constructor(
    /** The level as given (RAFT_LOG), for a logger made alike on another thread. */
    readonly level: string | undefined,
    private readonly write: (line: string) => void,
  ) {
    const s = parseLogSetting(level);
    this.threshold = s.threshold;
    this.tracePid = s.tracePid;
    this.problem = s.problem;
    this.info = this.threshold >= 2;
    this.debug = this.threshold >= 3;
  }
  /** Are the instructions of process `pid` traced? (Asked once a slice, never per instruction.) */
  traces(pid: number): boolean {
    return this.tracePid !== 0 && (this.tracePid === -1 || this.tracePid === pid);
  }
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) <= this.threshold;
  }
  log(level: Level, text: string): void {
    if (this.enabled(level)) this.write(`${level.toUpperCase()} ${text}\n`);
  }
  /** A whole line another scheduler's logger made (threads/remote.ts OUT). */
  line(text: string): void {
    this.write(text);
  }
}
