// The package's public entry: `import { Raft } from "raft-vm"`.
export { Raft, formatPanic, formatLeftover, kindOf } from "./raft.js";
export type { RaftOptions, RunOptions, RunResult, CompileResult, SourceKind, RaftEvent, LogEvent, CancelOptions, CancelReason } from "./raft.js";
export { Session, extendProgram, formatStack } from "./session.js";
export type { EvalResult } from "./session.js";
export type { Type } from "./bytecode/types.js";
export type { Module } from "./bytecode/module.js";
export { ModuleError } from "./bytecode/module.js";
export type { Diagnostic } from "./diag/index.js";
export type { NativeFn, NativeCtx, NativeSpec, Host, HostFs, Permissions, PathGrant } from "./vm/native-api.js";
export type { VMEvent, PanicInfo, TraceFrame } from "./vm/vm-core.js";
export type { Observer, ObserveOptions, Frame as ObserverFrame, ObserverEvent } from "./observe/server.js";
export { KError } from "./vm/values.js";
export { hostMemory } from "./vm/heap.js";
export { OPCODES } from "./bytecode/opcodes.js";
export type { OpInfo, OperandKind } from "./bytecode/opcodes.js";
export type { OpcodeSpec, ExtCtx } from "./vm/ext-opcodes.js";
export type { ExtOperandKind, ExtDecl } from "./bytecode/ext.js";
export type { HostTypeSpec } from "./vm/host-types.js";
