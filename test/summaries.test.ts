/**
 * The reduced search's interned tables (src/engine/summaries.ts): a summary
 * vector has one id, its ints stay readable at that id as the table grows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TupleTable } from '../src/engine/summaries.ts';
import { VisitedSet } from '../src/engine/visited.ts';

describe('interned summaries', () => {
  it('the same vector has the same id, a different one another, and its ints are at id × width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }), { maxLength: 3000 }), (width, rows) => {
        const table = new TupleTable(width);
        const ids = new Map<string, number>([[Array(width).fill(0).join(), 0]]);
        for (const row of rows) {
          const v = Int32Array.from(row.slice(0, width));
          const id = table.of(v);
          const key = v.join();
          expect(id).toBe(ids.get(key) ?? ids.size);
          ids.set(key, id);
        }
        expect(table.size).toBe(ids.size);
        for (const [key, id] of ids) expect(table.ints.subarray(id * width, id * width + width).join()).toBe(key);
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  it('a visited set without paths, or fuller, gives the same ids, and no path', () => {
    const a = new VisitedSet(16);
    const b = new VisitedSet(16, false);
    const c = new VisitedSet(16, false, 0.75);
    for (let k = 0; k < 5000; k++) {
      const hi = Math.imul(k % 3000, 0x9e3779b1);
      const id = a.add(hi, k % 3000, -1, -1);
      expect(b.add(hi, k % 3000, -1, -1)).toBe(id);
      expect(c.add(hi, k % 3000, -1, -1)).toBe(id);
      expect(c.get(hi, k % 3000)).toBe(id < 0 ? -id - 1 : id);
    }
    expect(b.size).toBe(3000);
    expect(c.size).toBe(3000);
    expect(b.bytes).toBeLessThan(a.bytes);
    expect(c.bytes).toBeLessThan(b.bytes);
    expect(() => b.pathTo(5)).toThrow(/no paths/);
  });
});
