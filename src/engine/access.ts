/**
 * Accesses of a transition to shared objects, packed as `id × 4 + kind`, and
 * when two of them conflict. The engine knows objects only by their ids; the
 * model names them (src/kernel/footprint.ts is the restart models' vocabulary).
 */

export const READ = 0;
export const WRITE = 1;
/** a commutative increment of a counter */
export const INC = 2;
/** a commutative decrement of a counter */
export const DEC = 3;
export type AccessKind = typeof READ | typeof WRITE | typeof INC | typeof DEC;

export const KIND_NAMES = ['read', 'write', 'inc', 'dec'] as const;

export const accessCode = (id: number, kind: AccessKind): number => id * 4 + kind;

/**
 * Two accesses to the same object conflict unless both read, both increment or
 * both decrement.
 */
export function conflicts(a: number, b: number): boolean {
  if (a >> 2 !== b >> 2) return false;
  const ka = a & 3;
  return ka === WRITE || ka !== (b & 3);
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
  if (a >> 2 !== b >> 2) return false;
  const ka = a & 3;
  const kb = b & 3;
  return ka === WRITE || kb === WRITE || (ka !== kb && (ka === READ || kb === READ));
}

/** True when some access of `a` conflicts with some access of `b`. */
export function footprintsConflict(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    for (let j = 0; j < b.length; j++) if (conflicts(x, b[j]!)) return true;
  }
  return false;
}
