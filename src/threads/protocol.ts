// The records schedulers send each other through their inboxes (inbox.ts), and how each is
// laid out in bytes (codec.ts). Every record starts with its kind and the id of the run it
// belongs to: one set of scheduler threads serves every run in the host process.
//
// What each record asks of the scheduler that owns its target:
//   SPAWN     start a process placed here by another scheduler (its pid and, under a seed,
//             its random stream's key are already taken)
//   MSG       a message for a process here
//   SIGNAL    an exit signal or a monitor's notice for a process here
//   LINK      the other end of a link made elsewhere (or noproc back if the target ended)
//   UNLINK    the other end of an unlink
//   MONITOR   a monitor of a process here, held elsewhere (or a noproc notice back)
//   DEMONITOR a monitor of a process here was dropped (its holder ended)
//   ASK       a question about a process here from a process elsewhere, which is parked until
//             the ANSWER comes (e.g. is it alive: asked after every signal the asker sent it;
//             its status, mailbox length ...; a supervisor call, answered when it is done)
//   ANSWER    the answer to an ASK (a value; an error value when the process has ended)
//   REPLY     vm.reply's answer to a vm.call of a process here (taken only by the call that waits for it)
//   MOVE      a runnable process handed over by a busier scheduler (process-state.ts)
//   EXIT      vm.exit(n) elsewhere: the run ends with this code (to scheduler 0)
//   WAKE      nothing but a nudge (deadlock checks re-run when it is handled)
//   STOP      the run is over: drop its processes
//   CALL      a process elsewhere calls a native that lives on the embedder's thread (one
//             the embedder defined, or standard input): run it here (scheduler 0) for it
//   RETURN    what such a call returned or the fault it raised, back to the caller's thread
//   OUT       text a process elsewhere wrote (stdout, stderr, a log line), for an embedder
//             that takes the output itself rather than letting it go to file descriptors
//   EVENT     a spawn, exit or restart elsewhere, for an embedder listening to events
//   CENSUS    scheduler 0 asks for the rows of this scheduler's processes (for the observer
//             and the REPL's :ps, :tree): the next few thousand after a pid, bounded work
//   ROWS      the answer to a CENSUS: those rows, the state of the supervisors among them,
//             and whether the walk is done (threads/survey.ts)

export const enum Rec {
  Spawn = 1,
  Msg = 2,
  Signal = 3,
  Link = 4,
  Unlink = 5,
  Monitor = 6,
  Demonitor = 7,
  Ask = 8,
  Answer = 9,
  Exit = 10,
  Wake = 11,
  Stop = 12,
  Move = 13,
  Call = 14,
  Return = 15,
  Out = 16,
  Event = 17,
  Reply = 18,
  Census = 19,
  Rows = 20,
}

/** Where OUT text goes on scheduler 0. */
export const enum OutTo {
  Stdout = 1,
  Stderr = 2,
  /** A log line: scheduler 0's logger writes it (and tells onEvent). */
  Log = 3,
}

/** What an ASK asks. */
export const enum Question {
  /** Is the process alive (Erlang's is_process_alive: after the asker's earlier signals)? */
  Alive = 1,
  /**
   * A supervisor call (start_child, restart_child, which_children ...) for a supervisor here;
   * the ASK carries [name, args, function index]. Answered when the supervisor has done it,
   * which may be after other records (a restart waits for the old child to end).
   */
  Supervisor = 2,
  // The introspection methods of `process` (vm/introspect.ts answers them).
  Status = 3,
  MailboxLength = 4,
  Memory = 5,
  Reductions = 6,
  Links = 7,
  Monitors = 8,
  CurrentFunction = 9,
  /** Everything the observer's process page shows (introspect.ts processDetail), as JSON text; null if it has ended. */
  Detail = 10,
  /**
   * The observer's kill (signals.ts `fromOutside`); the ASK carries the reason. True when the
   * signal was sent, null if the process had ended.
   */
  Kill = 11,
  /**
   * `vm.register(name, p)` for a process here (registry.ts `register`): the ASK carries the
   * name. Its owner gives the name, so that a process's one name is always known where it
   * lives. Null, or the error value.
   */
  Register = 12,
}

/** Flags of a SIGNAL record. */
export const SIG_LINKED = 1;
export const SIG_NOTICE = 2;

/**
 * How a run spreads its processes over the schedulers from the first spawn (RAFT_SPREAD):
 * "place" puts new processes round the schedulers in turn; "move" also keeps moving half of
 * the runnable ones on to the next scheduler every few slices (tests of the cross-thread paths).
 */
export type Spread = "place" | "move";
