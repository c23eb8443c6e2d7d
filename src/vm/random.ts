// The VM's pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting
// generator, 128-bit state, passes PractRand), seeded through splitmix32 so that every seed,
// even 0, gives a well-mixed state. With `--seed N` a run is repeatable; without a seed the
// state comes from the OS's cryptographic randomness.
//
// Under a seed every process draws from a stream of its own (its `rng`, made at its first
// draw), keyed by two words derived from the seed and the process's place in the spawn tree:
// the main process has the seed's key, and the k-th process a process spawns has a key mixed
// from its spawner's key and k. A process's numbers therefore depend on what it and its
// ancestors did, never on which scheduler ran it or on what other processes drew, so a seeded
// run draws the same numbers on one scheduler or on many.

/** splitmix32: a tiny generator used only to expand a seed into sfc32's state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** One step of sfc32 over the four words of `s`; a uint32. */
function sfc32(s: Int32Array): number {
  let a = s[0], b = s[1], c = s[2], d = s[3];
  let t = (a + b) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  d = (d + 1) | 0;
  t = (t + d) | 0;
  c = (c + t) | 0;
  s[0] = a; s[1] = b; s[2] = c; s[3] = d;
  return t >>> 0;
}

/**
 * Splits a seed (any finite number; integers up to 2^53 keep all their bits) into two words.
 * Keys' words are int32 (only their bits matter): V8 keeps an int32 in a process's field
 * itself, a number above 2^31 in a box of its own (process.ts).
 */
export function seedKey(seed: number): [number, number] {
  const n = Number.isFinite(seed) ? Math.trunc(Math.abs(seed)) : 0;
  const lo = n % 0x100000000;
  const hi = Math.floor(n / 0x100000000) >>> 0;
  return [lo | 0, (hi ^ (seed < 0 ? 0x80000000 : 0)) | 0];
}

/** The key of the `index`-th process spawned by a process whose key is (k0, k1), as int32 words. */
export function childKey(k0: number, k1: number, index: number): [number, number] {
  const mix = splitmix32(k0 ^ Math.imul(index + 1, 0x2545f491));
  const mix2 = splitmix32(k1 ^ Math.imul(index + 1, 0x9e3779b9));
  return [(mix() ^ mix2()) | 0, (mix2() + mix()) | 0];
}

/** A generator state for the key (k0, k1): the words sfc32 steps, well mixed. */
export function streamState(k0: number, k1: number): Int32Array {
  const mix = splitmix32(k0 ^ Math.imul(k1, 0x27d4eb2d));
  const mix2 = splitmix32(k1);
  const s = new Int32Array([mix(), mix() ^ mix2(), mix(), mix() ^ mix2()]);
  for (let i = 0; i < 12; i++) sfc32(s);
  return s;
}

/** The next float in [0, 1) of the stream whose state is `s`. */
export function nextFloat(s: Int32Array): number {
  return sfc32(s) / 0x100000000;
}

/** A generator of floats in [0, 1): deterministic for a given `seed`. */
export function makeRandom(seed?: number): () => number {
  // Unseeded generators take their seed from the OS at the first draw: Web Crypto is loaded
  // on first use, and a program that never draws should not pay for it at start-up.
  let s: Int32Array | null = null;
  return () => nextFloat((s ??= initial(seed)));
}

function initial(seed: number | undefined): Int32Array {
  const [lo, hi] = seed === undefined ? Array.from(globalThis.crypto.getRandomValues(new Uint32Array(2))) : seedKey(seed);
  return streamState(lo, hi);
}
