// The default file access for hosts: node:fs, paths resolved against the cwd to their real
// paths for permission checks. (The callback API of node:fs rather than node:fs/promises,
// which Node would load at start-up just for this.)
//
// A file is read in chunks, each offered to the reader's budget before it is kept, so that a
// read of /dev/zero or of a FIFO that never ends stops as soon as it would not fit.
import { close, lstatSync, open, read, readlinkSync, realpathSync, writeFile, type Stats } from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { TooLarge, type HostFs, type ReadBudget } from "./native-api.js";
import { MAX_STRING_LENGTH } from "./values.js";

const CHUNK = 64 * 1024;

function readText(file: string, take: ReadBudget | undefined): Promise<string> {
  return new Promise((ok, fail) =>
    open(file, "r", (e, fd) => {
      if (e) return fail(e);
      const buf = Buffer.allocUnsafe(CHUNK);
      const decoder = new StringDecoder("utf8");
      const parts: string[] = [];
      let length = 0;
      const done = (err: unknown, text = "") => close(fd, () => (err ? fail(err) : ok(text)));
      const next = (): void =>
        read(fd, buf, 0, CHUNK, null, (e, n) => {
          if (e) return done(e);
          if (n === 0) return done(null, parts.join("") + decoder.end());
          length += n;
          if (length > MAX_STRING_LENGTH || (take && !take(n))) return done(new TooLarge(`more than the reader may hold after ${length - n} bytes`));
          parts.push(decoder.write(buf.subarray(0, n)));
          next();
        });
      next();
    }),
  );
}

export const nodeFs: HostFs = {
  readFile: readText,
  writeFile: (p, data) => new Promise((ok, fail) => writeFile(p, data, "utf8", (e) => (e ? fail(e) : ok()))),
  resolve: (p) => realPath(p),
};

/** How many symbolic links one resolution may follow (Linux's limit). */
const MAX_LINKS = 40;

/**
 * The real path of `p`: absolute, with `.`, `..` and every symbolic link resolved, as the
 * kernel resolves it when the file is opened. A path that does not exist (yet) resolves
 * through its nearest existing parent, and a dangling link through its target, so a write
 * that would create a file resolves to where the file would be created. Throws (ELOOP) past
 * MAX_LINKS links.
 */
export function realPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync.native(abs);
  } catch {
    // Something on the way does not exist (or loops): walk it one name at a time.
  }
  const root = path.parse(abs).root;
  const todo = names(abs.slice(root.length)); // the next name is at the end
  let cur = root;
  let links = 0;
  while (todo.length !== 0) {
    const name = todo.pop()!;
    if (name === ".") continue;
    if (name === "..") {
      cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, name);
    if (lstatOrNull(next)?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw Object.assign(new Error("too many symbolic links"), { code: "ELOOP" });
      const target = readlinkSync(next);
      if (path.isAbsolute(target)) cur = path.parse(target).root;
      todo.push(...names(target));
      continue;
    }
    cur = next;
  }
  return cur;
}

/** The names of a relative path, last first. */
function names(rel: string): string[] {
  return rel.split(path.sep).filter((n) => n !== "").reverse();
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null; // missing, not a directory, or not searchable: opening it fails the same way
  }
}
