#!/usr/bin/env node
// The `raft` command: runs the built CLI (dist/) with the process's real streams.
import { run } from "../dist/src/cli/node.js";
run(process.argv.slice(2));
