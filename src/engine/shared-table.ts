import { formatBytes } from './budget.ts';

/**
 * A set of 64-bit fingerprints in a SharedArrayBuffer, filled by several
 * worker threads at once (open addressing, linear probing, lock-free with
 * Atomics.compareExchange). A slot's index is the state's id. A slot is
 * claimed by writing its high word, then its low word is published; a reader
 * that sees a claimed slot with no low word yet waits for it. Both words are
 * kept nonzero (0 marks "empty"), which costs the fingerprint two bits.
 * Each slot also keeps the slot of the state it was first reached from, so a
 * violation a worker meets has a path from the initial state.
 */
export class SharedTable {
  readonly hi: Int32Array;
  readonly lo: Int32Array;
  /** the slot each state was first reached from; -1 for the initial state */
  readonly parent: Int32Array;
  /** [0]: states stored */
  readonly count: Int32Array;
  readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    const cap = (buffer.byteLength - 8) / 12;
    this.hi = new Int32Array(buffer, 8, cap);
    this.lo = new Int32Array(buffer, 8 + cap * 4, cap);
    this.parent = new Int32Array(buffer, 8 + cap * 8, cap);
    this.count = new Int32Array(buffer, 0, 2);
    this.mask = cap - 1;
  }

  /** The bytes of a table with room for `states` states. */
  static bytesFor(states: number): number {
    let cap = 1 << 12;
    while ((cap * 3) / 4 < states) cap *= 2;
    return 8 + cap * 12;
  }

  /** A table with room for `states` states (at most three quarters full: linear probing stays short). */
  static create(states: number): SharedTable {
    const bytes = SharedTable.bytesFor(states);
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer(bytes);
    } catch {
      throw new Error(`cannot allocate the shared state table for ${states.toLocaleString('en-US')} states (${formatBytes(bytes)}); lower --max-states`);
    }
    return new SharedTable(buffer);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** how many states it takes before it is full */
  get room(): number {
    return this.mask - (this.mask >> 2);
  }

  get size(): number {
    return Atomics.load(this.count, 0);
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  /** Adds the fingerprint (reached from slot `from`): the new slot, or -(slot + 1) when it was there; null when the table is full. */
  add(hi: number, lo: number, from = -1): number | null {
    const h = hi | 0 || 1;
    const l = lo | 0 || 1;
    if (Atomics.load(this.count, 0) >= this.room) return null;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (;;) {
      let cur = Atomics.load(this.hi, i);
      if (cur === 0) {
        cur = Atomics.compareExchange(this.hi, i, 0, h);
        if (cur === 0) {
          Atomics.store(this.parent, i, from);
          Atomics.store(this.lo, i, l);
          Atomics.add(this.count, 0, 1);
          return i;
        }
      }
      if (cur === h) {
        let v = Atomics.load(this.lo, i);
        while (v === 0) v = Atomics.load(this.lo, i);
        if (v === l) return -(i + 1);
      }
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of a fingerprint, or -1 (read once the writers are done). */
  get(hi: number, lo: number): number {
    const h = hi | 0 || 1;
    const l = lo | 0 || 1;
    for (let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask; ; i = (i + 1) & this.mask) {
      const cur = Atomics.load(this.hi, i);
      if (cur === 0) return -1;
      if (cur === h && Atomics.load(this.lo, i) === l) return i;
    }
  }

  /** The slots from the initial state's to `slot`, following each state's first parent. */
  pathTo(slot: number): number[] {
    const path: number[] = [];
    for (let v = slot; v >= 0; v = Atomics.load(this.parent, v)) path.push(v);
    return path.reverse();
  }
}
