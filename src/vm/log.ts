// Structured logging to stderr (never stdout): one line an event, `LEVEL event details`,
// filtered by RAFT_LOG=error|warn|info|debug|trace (default warn).

export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type Level = (typeof LEVELS)[number];

export class Logger {
  readonly threshold: number;
  constructor(
    level: string | undefined,
    private readonly write: (line: string) => void,
  ) {
    const i = LEVELS.indexOf((level ?? "warn").toLowerCase() as Level);
    this.threshold = i < 0 ? 1 : i;
  }
  enabled(level: Level): boolean {
    return LEVELS.indexOf(level) <= this.threshold;
  }
  log(level: Level, text: string): void {
    if (this.enabled(level)) this.write(`${level.toUpperCase()} ${text}\n`);
  }
}
