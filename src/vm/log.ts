// Structured logging to stderr (never stdout): one line an event, `LEVEL event details`,
// filtered by RAFT_LOG=error|warn|info|debug|trace (default warn).

export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type Level = (typeof LEVELS)[number];

export class Logger {
  readonly threshold: number;
  /** `info` is on (checked before building a line on hot paths: spawn, exit). */
  readonly info: boolean;
  /** `debug` is on: messages sent and dropped are logged too. */
  readonly debug: boolean;
  constructor(
    /** The level as given (RAFT_LOG), for a logger made alike on another thread. */
    readonly level: string | undefined,
    private readonly write: (line: string) => void,
  ) {
    const i = LEVELS.indexOf((level ?? "warn").toLowerCase() as Level);
    this.threshold = i < 0 ? 1 : i;
    this.info = this.threshold >= 2;
    this.debug = this.threshold >= 3;
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
