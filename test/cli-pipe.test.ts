// The CLI as one process of a pipeline: when the reader goes away (`raft run x.kl | head -1`),
// a program printing in a busy loop stops instead of spinning on output no one reads; a slow
// reader loses nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "raft-pipe-"));

test("a busy printer stops when its reader closes the pipe", async () => {
  const file = join(dir, "spam.kl");
  writeFileSync(file, "let i: integer = 0;\nloop { vm.println(i); i = (i + 1) % 1000; }\n");
  const child = spawn(process.execPath, ["bin/raft.js", "run", file], { stdio: ["ignore", "pipe", "pipe"] });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("raft kept running after its reader went away"));
    }, 10_000);
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("close", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);
});

test("a slow reader gets every line", async () => {
  const file = join(dir, "many.kl");
  writeFileSync(file, "let i: integer = 0;\nloop { if (i == 100000) { break; } vm.println(i); i++; }\n");
  const child = spawn(process.execPath, ["bin/raft.js", "run", file], { stdio: ["ignore", "pipe", "pipe"] });
  let lines = 0;
  let last = "";
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 300);
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    lines += d.split("\n").length - 1;
    last = (last + d).slice(-20);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  assert.equal(lines, 100000);
  assert.match(last, /99999\n$/);
});
