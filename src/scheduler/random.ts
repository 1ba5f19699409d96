import type { Rng } from './types.ts';

/**
 * A small seeded random source for placement (DESIGN.md rule 6): the same seed gives the same
 * sequence, so a placement can be replayed. A Weyl sequence (a 32-bit counter stepped by the
 * golden-ratio constant) mixed by the MurmurHash3 32-bit finalizer; fast, and uniform enough
 * for choosing among candidates. Not for anything security-related.
 */
export function seededRandom(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}
