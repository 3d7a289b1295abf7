/**
 * Additive (Zobrist) fingerprints: each object id of a model's vocabulary
 * ("this field holds this value", src/kernel/footprint.ts) gets a
 * pseudo-random 64-bit number, kept as two 32-bit lanes, and a state's
 * fingerprint is the sum, lane by lane mod 2^32, of the numbers of its
 * leaves. A write that moves a field from one value to another subtracts one
 * number and adds another, so a traced step keeps the fingerprint up to date
 * without walking the state. Every state of a model has the same leaves
 * (one value each), so two states differ exactly when some leaf's value
 * does, and then the two sums differ unless a signed sum of distinct random
 * numbers is zero in both lanes: about 2^-64.
 */

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;
const SEED = 0x2545f4914f6cdd1dn;

/** splitmix64's output function of `SEED + (id + 1)·γ` (a bijection of the id): the id's number, high and low halves as int32. */
function numberOf(id: number): [number, number] {
  let z = (SEED + BigInt(id + 1) * GAMMA) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return [Number(z >> 32n) | 0, Number(z & 0xffffffffn) | 0];
}

/** The numbers of ids 0, 1, …, filled as ids are made (BigInt once per id, array reads on the hot path). */
export class ZobristNumbers {
  hi = new Int32Array(256);
  lo = new Int32Array(256);

  /** Computes the number of a new id. */
  add(id: number): void {
    if (id >= this.hi.length) {
      const hi = new Int32Array(this.hi.length * 2);
      const lo = new Int32Array(this.lo.length * 2);
      hi.set(this.hi);
      lo.set(this.lo);
      this.hi = hi;
      this.lo = lo;
    }
    const [h, l] = numberOf(id);
    this.hi[id] = h;
    this.lo[id] = l;
  }
}
