// `raft repl`: interactive Kaylee, or the stack language with --asm. (Lands with its issue.)
import type { Raft } from "../raft.js";
import type { CliIO } from "./main.js";
export async function startRepl(raft: Raft, io: CliIO, asm: boolean): Promise<number> {
  void raft;
  void asm;
  io.stderr("error: the REPL is not available yet\n");
  return 2;
}
