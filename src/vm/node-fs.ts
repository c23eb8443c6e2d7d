// The default file access for hosts: node:fs/promises, paths resolved against the cwd.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HostFs } from "./native-api.js";

export const nodeFs: HostFs = {
  readFile: (p) => readFile(p, "utf8"),
  writeFile: (p, data) => writeFile(p, data, "utf8"),
  resolve: (p) => path.resolve(p),
};
