// The package's public entry: `import { Raft } from "raft-vm"`.
export { Raft, formatPanic, formatLeftover, kindOf } from "./raft.js";
export type { RaftOptions, RunOptions, RunResult, CompileResult, SourceKind } from "./raft.js";
export type { Type } from "./bytecode/types.js";
export type { Module } from "./bytecode/module.js";
export type { Diagnostic } from "./diag/index.js";
export type { NativeFn, NativeCtx, Host } from "./vm/native-api.js";
export { OPCODES } from "./bytecode/opcodes.js";
