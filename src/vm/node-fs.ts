// The default file access for hosts: node:fs, paths resolved against the cwd. (The callback
// API of node:fs rather than node:fs/promises, which Node would load at start-up just for this.)
//
// A file is read in chunks, each offered to the reader's budget before it is kept, so that a
// read of /dev/zero or of a FIFO that never ends stops as soon as it would not fit.
import { close, open, read, writeFile } from "node:fs";
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
  resolve: (p) => path.resolve(p),
};
