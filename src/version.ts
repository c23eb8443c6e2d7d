// The package version, printed by `raft --version`.
export const VERSION = "0.1.0";
