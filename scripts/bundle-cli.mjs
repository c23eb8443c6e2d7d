// Build step after `tsc`: bundles the CLI into one CommonJS file, dist/raft-cli.cjs, and
// records a V8 code cache for it (dist/raft-cli.cjs.cache); and bundles a scheduler thread's
// code (src/threads/worker.ts) into dist/raft-worker.cjs with its own code cache, which
// threads/pool.ts starts (through bin/raft-worker.js) when it is there, for the same reason:
// a thread that joins a run should not spend its first hundred milliseconds loading modules
// one by one and parsing them.
//
// Why: `raft run hello.kl` should start about as fast as `node -e 0`. Loading the CLI as ~60
// ES modules spends most of its start-up resolving, reading and compiling modules one by one;
// one file, compiled from a code cache, skips nearly all of that. bin/raft.js loads the bundle
// (and falls back to dist/src when it is missing). The cache is made by running a small
// program once with RAFT_CODE_CACHE=write, so that it holds the functions a run compiles;
// V8 ignores a cache made by another Node version, and the CLI then compiles from source.

import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = `${root}dist/raft-cli.cjs`;

const bundle = (entry, outfile) =>
  build({
    entryPoints: [`${root}dist/src/${entry}`],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minifyWhitespace: true,
    // import.meta.url (createRequire for lazily loaded built-ins) as the bundle's own URL.
    define: { "import.meta.url": "__raftBundleUrl" },
    banner: { js: 'const __raftBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "warning",
  });
await bundle("cli/node.js", out);
await bundle("threads/worker.js", `${root}dist/raft-worker.cjs`);

rmSync(`${out}.cache`, { force: true });
const r = spawnSync(process.execPath, [`${root}bin/raft.js`, "run", `${root}examples/hello.kl`], {
  env: { ...process.env, RAFT_CODE_CACHE: "write" },
  stdio: ["ignore", "ignore", "inherit"],
});
if (r.status !== 0) {
  console.error("bundle-cli: the bundled CLI did not run examples/hello.kl");
  process.exit(1);
}
// The scheduler thread's cache (bin/raft-worker.js records it once the thread has joined a
// run): a run spread over two schedulers from its first spawn.
rmSync(`${root}dist/raft-worker.cjs.cache`, { force: true });
const w = spawnSync(process.execPath, [`${root}bin/raft.js`, "run", "-"], {
  input: "fn w(p: process) { vm.send(p, 1); }\nvm.spawn(w, vm.self());\nlet x: integer = vm.receive();\n",
  env: { ...process.env, RAFT_CODE_CACHE: "write", RAFT_SCHEDULERS: "2", RAFT_SPREAD: "1" },
  stdio: ["pipe", "ignore", "inherit"],
});
if (w.status !== 0 || !existsSync(`${root}dist/raft-worker.cjs.cache`)) {
  console.error("bundle-cli: a run on two schedulers did not record the scheduler thread's code cache");
  process.exit(1);
}
