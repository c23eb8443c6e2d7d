// Loads one of Raft's bundles (dist/raft-cli.cjs, dist/raft-worker.cjs: scripts/bundle-cli.mjs
// makes them) as CommonJS, compiled from the V8 code cache beside it (FILE.cache) when the
// cache fits this Node. Used by bin/raft.js and bin/raft-worker.js.
//
// Start-up is most of a short run, and on some machines touching fresh memory is much of
// start-up (a page fault can cost 10 us in a virtual machine), so the loader touches as little
// as it can: a bundle file is already one function expression (no wrapper to concatenate, which
// would copy the source), and the bundle and its cache are read through one buffer.
"use strict";
const { openSync, readSync, fstatSync, closeSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { Script } = require("node:vm");

/** Opens `path` for reading: [fd, size], or null when it cannot be opened. */
function open(path) {
  try {
    const fd = openSync(path, "r");
    return [fd, fstatSync(fd).size];
  } catch {
    return null;
  }
}

/** Reads the whole of an open file into the start of `buf` and closes it; the bytes read. */
function readAll([fd, size], buf) {
  try {
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs the bundle `file` and returns its exports and `saveCache()`, which records the code
 * cache of what has been compiled so far; null when there is no bundle (a build that ran tsc
 * only). The bundle is ASCII: it is read as latin1, which V8 takes without decoding UTF-8.
 */
function loadBundle(file) {
  const src = open(file);
  if (src === null) return null;
  const cache = open(`${file}.cache`);
  const buf = Buffer.allocUnsafeSlow(Math.max(src[1], cache === null ? 0 : cache[1]));
  const source = buf.toString("latin1", 0, readAll(src, buf));
  // The source is a string of its own now, so the cache may take the same bytes.
  const cachedData = cache === null ? undefined : buf.subarray(0, readAll(cache, buf));
  const script = new Script(source, { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, dirname(file));
  return { exports: mod.exports, saveCache: () => writeFileSync(`${file}.cache`, script.createCachedData()) };
}

module.exports = { loadBundle };
