#!/usr/bin/env node
// The `raft` command: runs the CLI with the process's real streams.
//
// It loads dist/raft-cli.cjs, the whole CLI bundled into one file at build time
// (scripts/bundle-cli.mjs), compiled from the V8 code cache beside it when the cache fits this
// Node; that is what lets `raft run` start close to `node -e 0`. This file is CommonJS
// (bin/package.json) so that Node need not start its ES module loader. Without the bundle
// (a build that ran tsc only), it imports the modules under dist/src instead.
"use strict";
const { join } = require("node:path");
const { loadBundle } = require("./bundle.js");

const argv = process.argv.slice(2);
const cli = loadBundle(join(__dirname, "..", "dist", "raft-cli.cjs"));
if (cli === null) {
  // No bundle: use the ES modules.
  import("../dist/src/cli/node.js").then((m) => m.run(argv));
} else {
  // The build records the cache after a run, so that it holds what a run compiles.
  if (process.env.RAFT_CODE_CACHE === "write") process.once("exit", cli.saveCache);
  cli.exports.run(argv);
}
