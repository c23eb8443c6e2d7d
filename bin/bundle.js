// Loads one of Raft's bundles (dist/raft-cli.cjs, dist/raft-worker.cjs: scripts/bundle-cli.mjs
// makes them) as CommonJS, compiled from the V8 code cache beside it (FILE.cache) when the
// cache fits this Node. Used by bin/raft.js and bin/raft-worker.js.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { Script } = require("node:vm");

/**
 * Runs the bundle `file` (its text `source`, ASCII, read as latin1) and returns its exports
 * and `saveCache()`, which records the code cache of what has been compiled so far.
 */
function loadBundle(file, source) {
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, dirname(file));
  return { exports: mod.exports, saveCache: () => writeFileSync(`${file}.cache`, script.createCachedData()) };
}

module.exports = { loadBundle };
