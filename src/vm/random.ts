// The VM's pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting
// generator, 128-bit state, passes PractRand), seeded through splitmix32 so that every seed,
// even 0, gives a well-mixed state. With `--seed N` a run is repeatable; without a seed the
// state comes from the OS's cryptographic randomness.

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

/** sfc32 over four 32-bit words; returns uint32s. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** Splits a seed (any finite number; integers up to 2^53 keep all their bits) into two words. */
function seedWords(seed: number): [number, number] {
  const n = Number.isFinite(seed) ? Math.trunc(Math.abs(seed)) : 0;
  const lo = n % 0x100000000;
  const hi = Math.floor(n / 0x100000000) >>> 0;
  return [lo >>> 0, (hi ^ (seed < 0 ? 0x80000000 : 0)) >>> 0];
}

/** A generator of floats in [0, 1): deterministic for a given `seed`. */
export function makeRandom(seed?: number): () => number {
  // Unseeded generators take their seed from the OS at the first draw: Web Crypto is loaded
  // on first use, and a program that never draws should not pay for it at start-up.
  let next: (() => number) | null = null;
  return () => (next ??= generator(seed))();
}

function generator(seed: number | undefined): () => number {
  const [lo, hi] = seed === undefined ? Array.from(globalThis.crypto.getRandomValues(new Uint32Array(2))) : seedWords(seed);
  const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
  const mix2 = splitmix32(hi);
  const next = sfc32(mix(), mix() ^ mix2(), mix(), mix() ^ mix2());
  for (let i = 0; i < 12; i++) next();
  return () => next() / 0x100000000;
}
