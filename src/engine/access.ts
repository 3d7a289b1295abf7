/**
 * Accesses of a transition to shared objects, packed as `id × 8 + kind`, and
 * when two of them conflict. The engine knows objects only by their ids; the
 * model names them (src/kernel/footprint.ts is the restart models' vocabulary).
 */

export const READ = 0;
export const WRITE = 1;
/** a commutative increment of a counter */
export const INC = 2;
/** a commutative decrement of a counter */
export const DEC = 3;
/** a blind store made the object ("the field holds v") true: two such stores commute */
export const SET = 4;
/** a blind store of another value made it false */
export const CLEAR = 5;
export type AccessKind = typeof READ | typeof WRITE | typeof INC | typeof DEC | typeof SET | typeof CLEAR;

export const KIND_NAMES = ['read', 'write', 'inc', 'dec', 'set', 'clear'] as const;

export const accessCode = (id: number, kind: AccessKind): number => id * 8 + kind;
/** the object of an access code */
export const objectOf = (code: number): number => code >> 3;
/** the kind of an access code */
export const kindOf = (code: number): AccessKind => (code & 7) as AccessKind;

/**
 * Two accesses to the same object conflict unless they are of one kind and
 * that kind is not a write: two reads, two increments, two decrements, two
 * blind stores of one value (or of two values that are both not this one).
 */
export function conflicts(a: number, b: number): boolean {
  if (a >> 3 !== b >> 3) return false;
  const ka = a & 7;
  return ka === WRITE || ka !== (b & 7);
}

/**
 * Whether two accesses conflict when the two steps stay in the order they
 * were recorded in: as {@link conflicts}, except that an increment and a
 * decrement commute. A decrement recorded as `dec` did not reach zero (one
 * that frees also writes what every use reads), and run after an increment
 * it sees more, not less. For sleep sets, whose steps were recorded where
 * they ran; a race reverses an order and needs the values (src/engine/dpor.ts).
 */
export function conflictsInOrder(a: number, b: number): boolean {
  if (!conflicts(a, b)) return false;
  const ka = a & 7;
  const kb = b & 7;
  return !((ka === INC && kb === DEC) || (ka === DEC && kb === INC));
}

/** True when some access of `a` conflicts with some access of `b`. */
export function footprintsConflict(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    for (let j = 0; j < b.length; j++) if (conflicts(x, b[j]!)) return true;
  }
  return false;
}
