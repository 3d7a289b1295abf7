/**
 * Footprint summaries for stateful dynamic partial-order reduction: for each
 * finished state, what every thread may touch in the part of the reduced
 * state space explored below it. Sets of access codes are interned (sorted
 * Int32Arrays, one id each) and so are the per-thread tuples, and unions are
 * memoised: states of one search share a few thousand distinct sets.
 */

const EMPTY = new Int32Array(0);

function hashInts(a: Int32Array): number {
  let h = 0x811c9dc5 ^ a.length;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h >>> 0;
}

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Interned sorted sets of integers; id 0 is the empty set. */
export class SetTable {
  readonly sets: Int32Array[] = [EMPTY];
  private readonly byHash = new Map<number, number[]>([[hashInts(EMPTY), [0]]]);
  private readonly unions = new Map<number, number>();
  bytes = 0;

  intern(a: Int32Array): number {
    const h = hashInts(a);
    let bucket = this.byHash.get(h);
    if (bucket) {
      for (const id of bucket) if (sameInts(this.sets[id]!, a)) return id;
    } else this.byHash.set(h, (bucket = []));
    const id = this.sets.length;
    this.sets.push(a);
    bucket.push(id);
    this.bytes += a.byteLength + 48;
    return id;
  }

  /** The id of a list of integers, sorted and without repeats. */
  of(values: readonly number[]): number {
    if (values.length === 0) return 0;
    const a = Int32Array.from(values).sort();
    let n = 1;
    for (let i = 1; i < a.length; i++) if (a[i] !== a[n - 1]) a[n++] = a[i]!;
    return this.intern(n === a.length ? a : a.slice(0, n));
  }

  union(x: number, y: number): number {
    if (x === y || y === 0) return x;
    if (x === 0) return y;
    const key = x < y ? x * 0x100000 + y : y * 0x100000 + x;
    if (x < 0x100000 && y < 0x100000) {
      const hit = this.unions.get(key);
      if (hit !== undefined) return hit;
    }
    const a = this.sets[x]!;
    const b = this.sets[y]!;
    const out = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < a.length && j < b.length) {
      const u = a[i]!;
      const v = b[j]!;
      if (u < v) (out[n++] = u), i++;
      else if (v < u) (out[n++] = v), j++;
      else (out[n++] = u), i++, j++;
    }
    while (i < a.length) out[n++] = a[i++]!;
    while (j < b.length) out[n++] = b[j++]!;
    const id = n === a.length ? x : n === b.length ? y : this.intern(out.slice(0, n));
    if (x < 0x100000 && y < 0x100000 && this.unions.size < 4_000_000) this.unions.set(key, id);
    return id;
  }

  has(id: number, v: number): boolean {
    const a = this.sets[id]!;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = a[mid]!;
      if (m === v) return true;
      if (m < v) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/**
 * A summary is one set of access codes per thread. Summaries are interned
 * tuples of set ids; id 0 is "nothing below", and TOP stands for "unknown:
 * conflicts with everything" (a state on a cycle).
 */
export class SummaryTable {
  static readonly TOP = -2;
  readonly codes = new SetTable();
  private readonly tuples = new SetTable();
  private readonly unions = new Map<number, number>();

  constructor(readonly threads: number) {}

  /** The per-thread set ids of a summary. */
  sets(summary: number): Int32Array {
    return this.tuples.sets[summary]!;
  }

  get bytes(): number {
    return this.codes.bytes + this.tuples.bytes;
  }

  private internTuple(t: Int32Array): number {
    // a tuple is stored as its T set ids (not sorted: position = thread)
    return this.tuples.intern(t);
  }

  /** The empty summary. */
  get empty(): number {
    return this.internTuple(new Int32Array(this.threads));
  }

  /** `summary` plus one transition of `thread` touching the codes of set `set`. */
  withEvent(summary: number, thread: number, set: number): number {
    if (summary === SummaryTable.TOP) return summary;
    const t = this.sets(summary);
    const merged = this.codes.union(t[thread]!, set);
    if (merged === t[thread]) return summary;
    const out = t.slice();
    out[thread] = merged;
    return this.internTuple(out);
  }

  union(x: number, y: number): number {
    if (x === SummaryTable.TOP || y === SummaryTable.TOP) return SummaryTable.TOP;
    if (x === y) return x;
    const key = x < y ? x * 0x100000 + y : y * 0x100000 + x;
    const hit = this.unions.get(key);
    if (hit !== undefined) return hit;
    const a = this.sets(x);
    const b = this.sets(y);
    const out = new Int32Array(this.threads);
    for (let t = 0; t < this.threads; t++) out[t] = this.codes.union(a[t]!, b[t]!);
    const id = this.internTuple(out);
    if (this.unions.size < 4_000_000) this.unions.set(key, id);
    return id;
  }
}
