// Cancelling a run from outside: an embedder's `AbortSignal` and wall-clock limit
// (`timeoutMs`) for `Raft.run` and for a session's inputs. This module only arms and disarms
// the two triggers; what a cancel ends is the VM's business (`VMCore.cancel`, or the
// session's main process).

import { hostTimeout } from "./timers.js";

/** Why a run was cancelled: its `signal` was aborted, or its `timeoutMs` passed. */
export type CancelReason = "aborted" | "timeout";

export interface CancelOptions {
  /** Aborting this signal ends the run. */
  signal?: AbortSignal;
  /** Milliseconds of wall-clock time after which the run ends, counted from when it starts running. */
  timeoutMs?: number;
}

/** Throws a clear error for a `timeoutMs` that is not a number of milliseconds (an embedder's mistake). */
export function checkCancelOptions(o: CancelOptions): void {
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== "number" || !(t >= 0))) throw new RangeError(`timeoutMs must be a number of milliseconds, 0 or more (got ${typeof t === "string" ? JSON.stringify(t) : String(t)})`);
}

/**
 * Calls `cancel` once, when the signal aborts (at once if it already has) or the time limit
 * passes, whichever comes first. Returns the disarm: call it when the run has ended.
 */
export function armCancel(o: CancelOptions, cancel: (reason: CancelReason) => void): () => void {
  let armed = true;
  const signal = o.signal;
  const onAbort = (): void => fire("aborted");
  const stopTimer = o.timeoutMs !== undefined && o.timeoutMs !== Infinity ? hostTimeout(() => fire("timeout"), o.timeoutMs) : null;
  const disarm = (): void => {
    armed = false;
    signal?.removeEventListener("abort", onAbort);
    stopTimer?.();
  };
  function fire(reason: CancelReason): void {
    if (!armed) return;
    disarm();
    cancel(reason);
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) fire("aborted");
  return disarm;
}
