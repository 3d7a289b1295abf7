/**
 * The set of visited states, keyed by 64-bit fingerprint, in flat typed arrays
 * (open addressing, linear probing). Each state gets a dense id; for each id we
 * keep its BFS parent and the index of the action that led to it, which is all
 * a counterexample needs: the path is replayed from the initial state.
 */
export class VisitedSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private slotId: Int32Array;
  private mask: number;
  private parents: Int32Array;
  private choices: Int32Array;
  size = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.slotId = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.parents = new Int32Array(initialCapacity);
    this.choices = new Int32Array(initialCapacity);
  }

  /** The id of a fingerprint, or -1. */
  get(hi: number, lo: number): number {
    const i = this.probe(hi, lo);
    return this.slotId[i]!;
  }

  /** Adds the fingerprint; returns the new id, or -(id + 1) when already present. */
  add(hi: number, lo: number, parent: number, choice: number): number {
    if (this.size * 2 >= this.mask) this.grow();
    const i = this.probe(hi, lo);
    if (this.slotId[i]! >= 0) return -(this.slotId[i]! + 1);
    const id = this.size++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.slotId[i] = id;
    if (id >= this.parents.length) {
      const n = this.parents.length * 2;
      const p = new Int32Array(n);
      p.set(this.parents);
      this.parents = p;
      const c = new Int32Array(n);
      c.set(this.choices);
      this.choices = c;
    }
    this.parents[id] = parent;
    this.choices[id] = choice;
    return id;
  }

  /** The slot holding the fingerprint, or the empty slot where it belongs. */
  private probe(hi: number, lo: number): number {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      if (this.slotId[i]! < 0 || (this.hi[i] === hi && this.lo[i] === lo)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The choices that lead from the initial state to `id`. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; this.parents[at]! >= 0; at = this.parents[at]!) path.push(this.choices[at]!);
    return path.reverse();
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.hi.byteLength * 3 + this.parents.byteLength * 2;
  }

  private grow(): void {
    const { hi, lo, slotId } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.slotId = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let j = 0; j < slotId.length; j++) {
      const id = slotId[j]!;
      if (id < 0) continue;
      let i = (lo[j]! ^ Math.imul(hi[j]!, 0x9e3779b1)) & this.mask;
      while (this.slotId[i]! >= 0) i = (i + 1) & this.mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.slotId[i] = id;
    }
  }
}
