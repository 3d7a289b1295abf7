/**
 * Additive (Zobrist) fingerprints: each object of a model's vocabulary
 * ("this field holds this value", src/kernel/footprint.ts) gets a
 * pseudo-random 64-bit number, a hash of its name, kept as two 32-bit lanes,
 * and a state's fingerprint is the sum, lane by lane mod 2^32, of the
 * numbers of its leaves. A write that moves a field from one value to
 * another subtracts one number and adds another, so a traced step keeps the
 * fingerprint up to date without walking the state. Every state of a model
 * has the same leaves (one value each), so two states differ exactly when
 * some leaf's value does, and then the two sums differ unless a signed sum
 * of distinct pseudo-random numbers is zero in both lanes: about 2^-64.
 * Numbers come from names, not from the order a process met them: two
 * processes, or two models of one variant and scenario, give a state the
 * same fingerprint.
 */

const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/**
 * The number of a name: FNV-1a over its UTF-16 code units, then splitmix64's
 * output function (a bijection that spreads FNV's weak high bits), high and
 * low halves as int32.
 */
export function numberOf(name: string): [number, number] {
  let z = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) z = ((z ^ BigInt(name.charCodeAt(i))) * FNV_PRIME) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return [Number(z >> 32n) | 0, Number(z & 0xffffffffn) | 0];
}

/** The numbers of ids 0, 1, …, filled as ids are made (BigInt once per name, array reads on the hot path). */
export class ZobristNumbers {
  hi = new Int32Array(256);
  lo = new Int32Array(256);

  /** Computes the number of a new id, from its name. */
  add(id: number, name: string): void {
    if (id >= this.hi.length) {
      const hi = new Int32Array(this.hi.length * 2);
      const lo = new Int32Array(this.lo.length * 2);
      hi.set(this.hi);
      lo.set(this.lo);
      this.hi = hi;
      this.lo = lo;
    }
    const [h, l] = numberOf(name);
    this.hi[id] = h;
    this.lo[id] = l;
  }
}
