/**
 * The set of visited states, keyed by 64-bit fingerprint, in flat typed arrays
 * (open addressing, linear probing). Each state gets a dense id; for each id we
 * keep its BFS parent and the index of the action that led to it, which is all
 * a counterexample needs: the path is replayed from the initial state. A
 * search that finds its paths otherwise (the reduced search: its stack) keeps
 * no parents (`paths` false): 8 bytes a state. The table doubles when `full`
 * of it is used: at a half, 24-48 bytes a state; at three quarters, 16-32,
 * for a few more probes of the same cache line or the next.
 */
export class VisitedSet {
  /** slots of three ints: hi, lo, id + 1 (0: empty), side by side so that a probe touches one cache line */
  private table: Int32Array;
  private mask: number;
  /** the size at which the table doubles */
  private limit: number;
  private parents: Int32Array;
  private choices: Int32Array;
  size = 0;

  constructor(
    initialCapacity = 1 << 12,
    private readonly paths = true,
    private readonly full = 0.5,
  ) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.table = new Int32Array(cap * 3);
    this.mask = cap - 1;
    this.limit = Math.ceil(this.mask * full);
    this.parents = new Int32Array(paths ? initialCapacity : 0);
    this.choices = new Int32Array(paths ? initialCapacity : 0);
  }

  /** The id of a fingerprint, or -1. */
  get(hi: number, lo: number): number {
    return this.table[this.probe(hi | 0, lo | 0) + 2]! - 1;
  }

  /** Adds the fingerprint; returns the new id, or -(id + 1) when already present. */
  add(hi: number, lo: number, parent: number, choice: number): number {
    if (this.size >= this.limit) this.grow();
    const at = this.probe(hi | 0, lo | 0);
    const t = this.table;
    if (t[at + 2]! > 0) return -t[at + 2]!;
    const id = this.size++;
    t[at] = hi;
    t[at + 1] = lo;
    t[at + 2] = id + 1;
    if (!this.paths) return id;
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

  /** The slot (its first int) holding the fingerprint, or the empty slot where it belongs. */
  private probe(hi: number, lo: number): number {
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * 3;
      if (t[at + 2] === 0 || (t[at] === hi && t[at + 1] === lo)) return at;
      i = (i + 1) & this.mask;
    }
  }

  /** The choices that lead from the initial state to `id`. */
  pathTo(id: number): number[] {
    if (!this.paths) throw new Error('internal: a visited set without parents has no paths');
    const path: number[] = [];
    for (let at = id; this.parents[at]! >= 0; at = this.parents[at]!) path.push(this.choices[at]!);
    return path.reverse();
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.table.byteLength + this.parents.byteLength * 2;
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    this.table = new Int32Array(cap * 3);
    this.mask = cap - 1;
    this.limit = Math.ceil(this.mask * this.full);
    const t = this.table;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] === 0) continue;
      let i = (old[j + 1]! ^ Math.imul(old[j]!, 0x9e3779b1)) & this.mask;
      while (t[i * 3 + 2] !== 0) i = (i + 1) & this.mask;
      t[i * 3] = old[j]!;
      t[i * 3 + 1] = old[j + 1]!;
      t[i * 3 + 2] = old[j + 2]!;
    }
  }
}
