// Which build of Raft's code this is: a hash of the compiled JavaScript, written into
// dist/src/build-id.js by the build (scripts/bundle-cli.mjs) after `tsc`. The second tier's
// cache across runs (vm/jit-cache.ts) keys its entries by it, since the JavaScript the
// second tier generates changes with Raft's code even where the version does not. Empty in
// a build that skipped that step: the cache is then off, as no entry could be told apart.
export const BUILD_ID: string = "";
