// Permission grants for files and the environment (SPEC §6), as Deno has them: nothing is
// allowed unless granted. A `PathGrant` is `true` (every path), `false` (none) or a list of
// absolute paths, each granting itself and everything below it. Paths are compared after
// `path.resolve` (so `..` cannot climb out of a grant); symbolic links are not followed.

import * as path from "node:path";
import type { PathGrant, Permissions } from "./native-api.js";

/** Nothing allowed: the default of `raft run` and of the embedding API. */
export const NO_PERMISSIONS: Permissions = Object.freeze({ read: false, write: false, env: false });

/** `-A` / `--allow-all`. */
export const ALL_PERMISSIONS: Permissions = Object.freeze({ read: true, write: true, env: true });

/** May `absPath` be accessed under `grant`? */
export function allowed(grant: PathGrant, absPath: string): boolean {
  if (grant === true) return true;
  if (grant === false || !Array.isArray(grant)) return false;
  const target = path.resolve(absPath);
  return grant.some((g) => isWithin(target, path.resolve(g)));
}

function isWithin(target: string, root: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return target.startsWith(prefix);
}

/**
 * The grant of a flag such as `--allow-read`: absent or `false` → none; bare (`true` or an
 * empty value) → all; `--allow-read=a,b` → those paths resolved against `cwd`.
 */
export function parseGrant(flagValue: string | boolean | undefined, cwd: string = process.cwd()): PathGrant {
  if (flagValue === undefined || flagValue === false) return false;
  if (flagValue === true) return true;
  const paths = flagValue
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (paths.length === 0) return true;
  return paths.map((p) => path.resolve(cwd, p));
}

/** Builds `Permissions` from flag values (as the CLI and the embedding options give them). */
export function makePermissions(opts: {
  read?: string | boolean | string[];
  write?: string | boolean | string[];
  env?: boolean;
  all?: boolean;
  cwd?: string;
}): Permissions {
  if (opts.all) return { ...ALL_PERMISSIONS };
  const grant = (v: string | boolean | string[] | undefined): PathGrant =>
    Array.isArray(v) ? v.map((p) => path.resolve(opts.cwd ?? process.cwd(), p)) : parseGrant(v, opts.cwd);
  return { read: grant(opts.read), write: grant(opts.write), env: opts.env === true };
}
