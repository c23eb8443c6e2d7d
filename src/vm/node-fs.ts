// The default file access for hosts: node:fs, paths resolved against the cwd. (The callback
// API of node:fs rather than node:fs/promises, which Node would load at start-up just for this.)
import { readFile, writeFile } from "node:fs";
import path from "node:path";
import type { HostFs } from "./native-api.js";

export const nodeFs: HostFs = {
  readFile: (p) => new Promise((ok, fail) => readFile(p, "utf8", (e, text) => (e ? fail(e) : ok(text)))),
  writeFile: (p, data) => new Promise((ok, fail) => writeFile(p, data, "utf8", (e) => (e ? fail(e) : ok()))),
  resolve: (p) => path.resolve(p),
};
