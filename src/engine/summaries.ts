/**
 * Interned sets of access codes, for stateful dynamic partial-order
 * reduction: a transition's footprint, and for each finished state what each
 * thread touches in the part of the reduced state space explored below it
 * (its summary: one set id per thread). Sets are sorted Int32Arrays with one
 * id each, and unions are memoised: the states of a search share a few
 * thousand distinct sets (17 K sets for 660 K states of v18 on 4 tasks).
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

/**
 * A memo of a function of two non-negative ints, direct-mapped and lossy: a
 * pair that collides with another is computed again. Bounded memory, and no
 * Map keyed by doubles on the hot path (a pair of ids passes 2^31).
 */
export class PairMemo {
  /** slots of four ints: x + 1 (0: empty), y, value, unused: one cache line a lookup */
  private t: Int32Array;
  private mask: number;
  /** values stored since the table last grew */
  private writes = 0;

  /** starts small (a small search pays for no large table) and grows, up to 2^maxBits slots, as values churn */
  constructor(
    private bits = 10,
    private readonly maxBits = 18,
  ) {
    this.t = new Int32Array(4 << bits);
    this.mask = (1 << bits) - 1;
  }

  get bytes(): number {
    return this.t.byteLength;
  }

  slot(x: number, y: number): number {
    return (((Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca6b)) >>> 12) & this.mask) << 2;
  }

  /** the memoised value of (x, y) at `slot`, or -1 */
  get(slot: number, x: number, y: number): number {
    const t = this.t;
    return t[slot] === x + 1 && t[slot + 1] === y ? t[slot + 2]! : -1;
  }

  /** stores a value at the slot `slot(x, y)` gave (the table may grow, and forget, first) */
  set(slot: number, x: number, y: number, value: number): void {
    if (++this.writes > this.mask << 1 && this.bits < this.maxBits) {
      this.bits = Math.min(this.maxBits, this.bits + 2);
      this.t = new Int32Array(4 << this.bits);
      this.mask = (1 << this.bits) - 1;
      this.writes = 0;
      slot = this.slot(x, y);
    }
    const t = this.t;
    t[slot] = x + 1;
    t[slot + 1] = y;
    t[slot + 2] = value;
  }
}

/** Interned sorted sets of integers; id 0 is the empty set. */
export class SetTable {
  readonly sets: Int32Array[] = [EMPTY];
  private readonly byHash = new Map<number, number[]>([[hashInts(EMPTY), [0]]]);
  private readonly unions = new PairMemo();
  /** lists as they came (unsorted, repeats kept) → their set: a step's footprint comes in the same order each time */
  private readonly lists = new Map<number, { readonly list: readonly number[]; readonly id: number }[]>();
  private listCount = 0;
  /** bytes of the sets and lists held, the memo's apart */
  private held = 0;

  get bytes(): number {
    return this.held + this.unions.bytes;
  }

  private intern(a: Int32Array): number {
    const h = hashInts(a);
    let bucket = this.byHash.get(h);
    if (bucket) {
      for (const id of bucket) if (sameInts(this.sets[id]!, a)) return id;
    } else this.byHash.set(h, (bucket = []));
    const id = this.sets.length;
    this.sets.push(a);
    bucket.push(id);
    this.held += a.byteLength + 48;
    return id;
  }

  /** The id of the set of a list of integers (any order, repeats allowed). */
  of(values: readonly number[]): number {
    if (values.length === 0) return 0;
    let h = 0x811c9dc5 ^ values.length;
    for (let i = 0; i < values.length; i++) h = Math.imul(h ^ values[i]!, 0x01000193);
    let bucket = this.lists.get(h);
    if (bucket) {
      next: for (const e of bucket) {
        if (e.list.length !== values.length) continue;
        for (let i = 0; i < values.length; i++) if (e.list[i] !== values[i]) continue next;
        return e.id;
      }
    }
    const id = this.sorted(values);
    if (this.listCount < 1_000_000) {
      if (!bucket) this.lists.set(h, (bucket = []));
      bucket.push({ list: values.slice(), id });
      this.listCount++;
      this.held += values.length * 8 + 64;
    }
    return id;
  }

  private sorted(values: readonly number[]): number {
    const a = Int32Array.from(values).sort();
    let n = 1;
    for (let i = 1; i < a.length; i++) if (a[i] !== a[n - 1]) a[n++] = a[i]!;
    return this.intern(n === a.length ? a : a.slice(0, n));
  }

  union(x: number, y: number): number {
    if (x === y || y === 0) return x;
    if (x === 0) return y;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    const slot = this.unions.slot(x, y);
    const hit = this.unions.get(slot, x, y);
    if (hit >= 0) return hit;
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
    this.unions.set(slot, x, y, id);
    return id;
  }

  private readonly byObject: (Int32Array | undefined)[] = [];

  /**
   * A set of access codes (`object × 8 + kind`) by object: pairs [object,
   * bits 1 << kind of its kinds], computed once per set.
   */
  objects(id: number): Int32Array {
    let out = this.byObject[id];
    if (!out) {
      const a = this.sets[id]!;
      const pairs: number[] = [];
      for (let i = 0; i < a.length; i++) {
        const o = a[i]! >> 3;
        if (pairs.length && pairs[pairs.length - 2] === o) pairs[pairs.length - 1]! |= 1 << (a[i]! & 7);
        else pairs.push(o, 1 << (a[i]! & 7));
      }
      this.byObject[id] = out = Int32Array.from(pairs);
      this.held += out.byteLength + 16;
    }
    return out;
  }
}

/**
 * Interned vectors of `width` ints (a state's summary: one set id per
 * thread); id 0 is the all-zero vector. The vectors lie end to end in one
 * Int32Array, vector k at `ints[k × width]`, found by an open-addressing hash
 * index. A stored state keeps one id instead of `width` ints: the states of a
 * search share their summaries (3.3 M vectors for 8.5 M states of v20 on 8
 * tasks).
 */
export class TupleTable {
  /** the vectors; a new one may move it, so read it again after {@link of} */
  ints: Int32Array;
  size = 1;
  /**
   * slots of two ints, at most three quarters full: a vector's hash and its
   * id + 1 (0: empty). With the hash beside the id a probe reads the vectors
   * only where the hashes agree (a 32-bit hash alone does collide: v18 at 5
   * tasks stored other states when it was trusted).
   */
  private index: Int32Array;
  private mask: number;

  constructor(private readonly width: number) {
    this.ints = new Int32Array(width << 10);
    this.index = new Int32Array(2 << 11);
    this.mask = (1 << 11) - 1;
    const h = this.hash(this.ints);
    this.index[(h & this.mask) << 1] = h;
    this.index[((h & this.mask) << 1) + 1] = 1;
  }

  get bytes(): number {
    return this.ints.byteLength + this.index.byteLength;
  }

  private hash(v: Int32Array): number {
    let h = 0x811c9dc5;
    for (let t = 0; t < this.width; t++) h = Math.imul(h ^ v[t]!, 0x01000193);
    return h ^ (h >>> 15);
  }

  /** The id of the vector `v` (`width` ints). */
  of(v: Int32Array): number {
    const w = this.width;
    const ints = this.ints;
    const index = this.index;
    const h = this.hash(v);
    let i = h & this.mask;
    for (;;) {
      const k = index[2 * i + 1]! - 1;
      if (k < 0) break;
      if (index[2 * i] === h) {
        let t = 0;
        const at = k * w;
        while (t < w && ints[at + t] === v[t]) t++;
        if (t === w) return k;
      }
      i = (i + 1) & this.mask;
    }
    const id = this.size++;
    if (id * w >= ints.length) {
      const grown = new Int32Array(ints.length * 2);
      grown.set(ints);
      this.ints = grown;
    }
    this.ints.set(v, id * w);
    index[2 * i] = h;
    index[2 * i + 1] = id + 1;
    if (this.size * 4 > this.mask * 3) this.grow();
    return id;
  }

  /** doubles the index, the vectors staying where they are */
  private grow(): void {
    const old = this.index;
    this.index = new Int32Array(old.length * 2);
    this.mask = (this.mask << 1) | 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = old[j]! & this.mask;
      while (this.index[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      this.index[2 * i] = old[j]!;
      this.index[2 * i + 1] = old[j + 1]!;
    }
  }
}
