// Permission grants for files and the environment, as Deno has them: nothing is allowed
// unless granted. A `PathGrant` is `true` (every path), `false` (none) or a list of absolute
// paths, each granting itself and everything below it.
//
// Paths are compared as real paths: the host's `fs.resolve` (node-fs.ts for node:fs) resolves
// `..` and symbolic links, both of the granted folders (once, when a run starts) and of each
// path a program asks for, so a link inside a granted folder that points outside it is denied.
// An empty grant (`--allow-read=`, `allowRead: ""`) is a mistake, refused before anything
// runs — never "everything".

import * as path from "node:path";
import type { PathGrant, Permissions } from "./native-api.js";

/** Nothing allowed: the default of `raft run` and of the embedding API. */
export const NO_PERMISSIONS: Permissions = Object.freeze({ read: false, write: false, env: false });

/** `-A` / `--allow-all`. */
export const ALL_PERMISSIONS: Permissions = Object.freeze({ read: true, write: true, env: true });

/** May `absPath` (a real path) be accessed under `grant` (real paths)? */
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

/** A grant as a flag or an option gives it: a bare flag / `true`, paths (comma-separated text or a list), or none. */
export type GrantValue = string | boolean | string[] | undefined;

/**
 * What is wrong with a grant's value, or null: an empty path in it (`--allow-read=`,
 * `--allow-read=a,`, `allowRead: ""`, `[""]`) is refused, since it would otherwise mean the
 * current folder, or everything. `name` is the flag or option; `everyPath` how to grant all.
 */
export function grantProblem(name: string, v: GrantValue, everyPath: string): string | null {
  if (v === undefined || typeof v === "boolean") return null;
  const paths = typeof v === "string" ? v.split(",") : v;
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) return `${name} takes paths`;
  if (paths.some((p) => p.trim() === "")) return `${name} has an empty path: name the folders to allow (or ${everyPath} to allow every path)`;
  return null;
}

/**
 * The grant of a flag such as `--allow-read`: absent or `false` → none; bare (`true`) → all;
 * `--allow-read=a,b` → those paths resolved against `cwd` (an empty one is refused: see
 * `grantProblem`).
 */
export function parseGrant(flagValue: GrantValue, cwd: string = process.cwd(), resolve: (p: string) => string = path.resolve): PathGrant {
  if (flagValue === undefined || flagValue === false) return false;
  if (flagValue === true) return true;
  const problem = grantProblem("the grant", flagValue, "true");
  if (problem) throw new Error(problem);
  const paths = typeof flagValue === "string" ? flagValue.split(",") : flagValue;
  return paths.map((p) => realOrLexical(path.resolve(cwd, p.trim()), resolve));
}

/** A granted path's real path; one that cannot be resolved (a loop of links) stays as written, which grants nothing real. */
function realOrLexical(abs: string, resolve: (p: string) => string): string {
  try {
    return resolve(abs);
  } catch {
    return abs;
  }
}

/**
 * Builds `Permissions` from flag values (as the CLI and the embedding options give them).
 * `resolve` gives a path's real path (the host's `fs.resolve`); by default `..` only.
 */
export function makePermissions(opts: { read?: GrantValue; write?: GrantValue; env?: boolean; all?: boolean; cwd?: string; resolve?: (p: string) => string }): Permissions {
  if (opts.all) return { ...ALL_PERMISSIONS };
  return { read: parseGrant(opts.read, opts.cwd, opts.resolve), write: parseGrant(opts.write, opts.cwd, opts.resolve), env: opts.env === true };
}
