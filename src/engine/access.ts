/**
 * Accesses of a transition to shared objects, packed as `id × 8 + kind`, and
 * when two of them conflict. The engine knows objects only by their ids; the
 * model names them (src/kernel/footprint.ts is the restart models' vocabulary).
 */

/** a read: the object held the value seen (for `field@value` objects: the field held that value) */
export const READ = 0;
export const WRITE = 1;
/** a commutative increment of a counter */
export const INC = 2;
/** a commutative decrement of a counter */
export const DEC = 3;
/** a blind store made the object ("the field holds v") true */
export const SET = 4;
/** a blind store of another value made it false */
export const CLEAR = 5;
/** a test found the object false (the field does not hold that value) */
export const READ_NOT = 6;
export type AccessKind = typeof READ | typeof WRITE | typeof INC | typeof DEC | typeof SET | typeof CLEAR | typeof READ_NOT;

export const KIND_NAMES = ['read', 'write', 'inc', 'dec', 'set', 'clear', 'read-not'] as const;

export const accessCode = (id: number, kind: AccessKind): number => id * 8 + kind;
/** the object of an access code */
export const objectOf = (code: number): number => code >> 3;
/** the kind of an access code */
export const kindOf = (code: number): AccessKind => (code & 7) as AccessKind;

/**
 * Which kinds commute on one object, in either order: reads with reads; two
 * increments, two decrements; two stores that both make it true (or both
 * false). A write commutes with nothing.
 */
const COMMUTE: readonly (readonly AccessKind[])[] = [
  /* READ */ [READ, READ_NOT],
  /* WRITE */ [],
  /* INC */ [INC],
  /* DEC */ [DEC],
  /* SET */ [SET],
  /* CLEAR */ [CLEAR],
  /* READ_NOT */ [READ_NOT, READ],
];
const CONFLICT = new Uint8Array(64);
for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) CONFLICT[a * 8 + b] = COMMUTE[a]?.includes(b as AccessKind) ? 0 : 1;
/**
 * Which commute besides when `later` was recorded after `earlier`: a store
 * after a read that saw what the store leaves (a wake-up after a test that
 * the task runs). Before the read, the store would have changed what it saw
 * only if something else changed the field in between, which conflicts with
 * the read itself.
 */
const AFTER = new Uint8Array(CONFLICT);
AFTER[SET * 8 + READ] = 0;
AFTER[CLEAR * 8 + READ_NOT] = 0;

/** Whether two kinds of access to one object conflict, `later` recorded after `earlier`. */
export const kindsConflict = (later: AccessKind, earlier: AccessKind): boolean => AFTER[later * 8 + earlier] === 1;

/** Per kind b: the bits `1 << a` of the kinds a that conflict with it (as {@link conflicts}), to test several kinds at once. */
export const CONFLICT_MASK = new Uint8Array(8);
for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) if (CONFLICT[a * 8 + b]) CONFLICT_MASK[b]! |= 1 << a;

/** Two accesses conflict if they touch one object with kinds that do not commute in either order. */
export function conflicts(a: number, b: number): boolean {
  return a >> 3 === b >> 3 && CONFLICT[(a & 7) * 8 + (b & 7)] === 1;
}

/** As {@link conflicts}, for `later` recorded after `earlier`: they also commute if reversing them changes nothing. */
export function conflictsAfter(later: number, earlier: number): boolean {
  return later >> 3 === earlier >> 3 && AFTER[(later & 7) * 8 + (earlier & 7)] === 1;
}

/**
 * Whether two accesses conflict when the two steps stay in the order they
 * were recorded in: as {@link conflictsAfter}, except that an increment and
 * a decrement commute. A decrement recorded as `dec` did not reach zero (one
 * that frees also writes what every use reads), and run after an increment
 * it sees more, not less. For sleep sets, whose steps were recorded where
 * they ran; a race reverses an order and needs the values (src/engine/dpor.ts).
 */
export function conflictsInOrder(later: number, earlier: number): boolean {
  if (!conflictsAfter(later, earlier)) return false;
  const ka = later & 7;
  const kb = earlier & 7;
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
