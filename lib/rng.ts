/**
 * A small seeded random number generator whose whole state is one number, so a run can save
 * it in a checkpoint and resume with exactly the same sequence.
 * @module
 */

/** Seeded PRNG (mulberry32): fast, 32-bit state, good enough for shuffling and augmentation. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = hashSeed(seed);
  }

  /** The current state; `Rng.fromState(state)` continues the same sequence. */
  get state(): number {
    return this.#state;
  }

  /** A generator that continues from a saved state. */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.#state = state >>> 0;
    return rng;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Derive an independent seed from a base seed and labels, e.g. `deriveSeed(7, "epoch", 3)`. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = hashSeed(seed);
  for (const label of labels) {
    for (const ch of String(label)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h = hashSeed(h);
  }
  return h;
}

// Spread nearby seeds (0, 1, 2, …) far apart in state space.
function hashSeed(seed: number): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
