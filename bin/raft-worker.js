// A scheduler thread's entry point (threads/pool.ts starts it as a worker thread).
//
// It loads dist/raft-worker.cjs, a scheduler thread's whole code bundled into one file at
// build time (scripts/bundle-cli.mjs), compiled from the V8 code cache beside it when the
// cache fits this Node, as bin/raft.js does for the CLI: a thread that joins a run should
// spend its start-up running, not parsing. With RAFT_CODE_CACHE=worker (the build), the cache
// is recorded when the thread has joined its first run, so that it holds what joining compiles.
"use strict";
const { join } = require("node:path");
const { parentPort } = require("node:worker_threads");
const { loadBundle } = require("./bundle.js");

const worker = loadBundle(join(__dirname, "..", "dist", "raft-worker.cjs"));
if (process.env.RAFT_CODE_CACHE === "worker") {
  // Listeners run in the order they were added: the bundle's joins the run first.
  parentPort.once("message", worker.saveCache);
}
