// The environment every benchmark child process runs with (raft, node, lua, erl): one place,
// so that every whole-process row starts its children alike.
//
// NODE_EXTRA_CA_CERTS is taken out: Node reads that certificate file at every start (60-70 ms
// on some machines), which weighs on every column and only hides the differences between
// them (on the development machine it also slowed `raft run` by 30 ms more than `node -e 0`,
// the certificates being read while Raft starts).

/** process.env without NODE_EXTRA_CA_CERTS, with `extra` on top. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
