/**
 * Incremental fingerprints (src/kernel/zobrist.ts): on every model of the
 * registry, the fingerprint `traced` keeps up to date as a step writes is the
 * one `fingerprints.of` computes from scratch, whatever path reached the state (and
 * whatever order the model met the names in), and two reached states share a
 * fingerprint exactly when they are equal.
 */
import { describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import type { Hash } from '../src/engine/types.ts';
import { assign, counterAdd, Tracer } from '../src/kernel/footprint.ts';
import { buildModel, type RestartAction, type RestartModel } from '../src/kernel/model.ts';
import type { RestartState } from '../src/kernel/state.ts';

const SCENARIOS = ['LZL', 'LG+sig2', 'LT+kill1', 'LL+die2', 'LZ+sigC'];

/** Checks a sample of (state, incremental fingerprint) pairs: each equals the scratch one, and fingerprints are equal iff states are. */
class Sample {
  private readonly byHash = new Map<string, string>();
  private readonly byState = new Map<string, string>();
  oopses = 0;

  constructor(
    private readonly model: RestartModel,
    /** a second model of the same variant and scenario, which met the names in another order */
    private readonly twin: RestartModel,
  ) {}

  see(s: RestartState, h: Hash): void {
    const json = JSON.stringify(s);
    const scratch = this.model.fingerprints!.of(s);
    // plain comparisons on the hot path, expect() only on a failure (it is slow per call)
    if (h[0] !== scratch[0] || h[1] !== scratch[1]) expect(h, json).toEqual(scratch);
    const twin = this.twin.fingerprints!.of(s);
    if (h[0] !== twin[0] || h[1] !== twin[1]) expect(twin, `another model: ${json}`).toEqual(h);
    const key = `${h[0]}:${h[1]}`;
    const other = this.byHash.get(key);
    if (other !== undefined && other !== json) expect(json, 'two different states share a fingerprint').toBe(other);
    const was = this.byState.get(json);
    if (was !== undefined && was !== key) expect(key, 'one state has two fingerprints').toBe(was);
    this.byHash.set(key, json);
    this.byState.set(json, key);
    if (s.oops) this.oopses++;
  }

  get size(): number {
    return this.byState.size;
  }
}

/** A step traced (its fingerprint kept as it writes) and untraced (the fingerprint from comparing the leaves): the two agree. */
function step(model: RestartModel, s: RestartState, a: RestartAction, h: Hash): { next: RestartState; hash: Hash } {
  const t = model.por!.traced(s, a, h);
  if (!t.hash) throw new Error('traced gave no fingerprint');
  const plain = model.next(s, a);
  const compared = model.fingerprints!.next(s, h, plain);
  if (compared[0] !== t.hash[0] || compared[1] !== t.hash[1]) expect(compared, `untraced ${a.label} from ${JSON.stringify(s)}`).toEqual(t.hash);
  return { next: t.next, hash: t.hash! };
}

describe('incremental fingerprints', () => {
  let oopses = 0;
  for (const variant of variants) {
    it(`${variant.name}: random walks and a breadth-first search agree with fingerprints from scratch, traced or compared`, () => {
      let seed = 12345;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (const code of SCENARIOS) {
        const model = buildModel(variant, standardScenario(code).scenario);
        const twin = buildModel(variant, standardScenario(code).scenario);
        // the twin meets a name before any other (a property's), which moves every id after it
        twin.por!.observe(twin.init(), 'tasks[0].pc@T6e');
        const sample = new Sample(model, twin);
        const s0 = model.init();
        const h0 = model.fingerprints!.of(s0);
        // random walks
        for (let w = 0; w < 40; w++) {
          let s = s0;
          let h = h0;
          sample.see(s, h);
          for (let d = 0; d < 200; d++) {
            const enabled = model.actions(s);
            if (enabled.length === 0) break;
            ({ next: s, hash: h } = step(model, s, enabled[Math.floor(random() * enabled.length)]!, h));
            sample.see(s, h);
          }
        }
        // a small plain breadth-first search: states met again by other paths
        const seen = new Set<string>([JSON.stringify(s0)]);
        const queue: [RestartState, Hash][] = [[s0, h0]];
        for (let k = 0; k < queue.length && seen.size < 1500; k++) {
          const [s, h] = queue[k]!;
          for (const a of model.actions(s)) {
            const { next, hash } = step(model, s, a, h);
            sample.see(next, hash);
            const json = JSON.stringify(next);
            if (!seen.has(json)) (seen.add(json), queue.push([next, hash]));
          }
        }
        expect(sample.size).toBeGreaterThan(50);
        oopses += sample.oopses;
      }
    });
  }
  it('the sample reaches states with an oops (a leaf whose value is an object)', () => {
    expect(oopses).toBeGreaterThan(0);
  });

  it('a blind store, a counter update and a delete keep the fingerprint', () => {
    type S = { a: { x: number; y?: string; n: number }; b: boolean[]; z: { v: number } | null };
    const shape: S = { a: { x: 0, y: 'p', n: 1 }, b: [false, false], z: null };
    const tracer = new Tracer(['a.n'], shape);
    const clone = (s: S): S => structuredClone(s);
    const h0 = tracer.hash(shape);
    const t = tracer.trace(
      shape,
      clone,
      (d) => {
        assign(d.a, 'x', 2, [0, 1, 2]);
        counterAdd(d.a, 'n', 1);
        delete d.a.y;
        d.b[1] = true;
        d.z = { v: 1 };
      },
      h0,
    );
    expect(t.hash).toEqual(tracer.hash(t.next));
    expect(t.hash).toEqual(tracer.hash({ a: { x: 2, y: undefined, n: 2 }, b: [false, true], z: { v: 1 } }));
    // untraced: the leaves compared give the same
    expect(tracer.rehash(shape, h0, t.next)).toEqual(t.hash);
    expect(tracer.rehash(t.next, t.hash!, shape)).toEqual(h0);
    expect(t.hash).not.toEqual(h0);
    // and back (but the oops-like leaf, which a step sets once)
    const back = tracer.trace(
      t.next,
      clone,
      (d) => {
        d.a.x = 0;
        counterAdd(d.a, 'n', -1);
        d.a.y = 'p';
        d.b[1] = false;
      },
      t.hash,
    );
    expect(back.hash).toEqual(tracer.hash({ ...shape, z: { v: 1 } }));
    // the oops-like leaf is replaced, never mutated: a mutation would leave the fingerprint behind
    expect(() => tracer.trace(t.next, clone, (d) => void (d.z!.v = 2), t.hash)).toThrow(/mutated z\.v/);
  });

  it('compared leaves keep the fingerprint while new values grow the table of numbers', () => {
    const shape = { a: { x: 0 }, b: [0, 0] };
    const tracer = new Tracer([], shape);
    let s = shape;
    let h = tracer.hash(s);
    // 600 values never met before: the numbers' arrays (256 to start) grow under the comparison
    for (let v = 1; v <= 600; v++) {
      const next = { a: { x: v }, b: [v, -v] };
      h = tracer.rehash(s, h, next);
      expect(h).toEqual(tracer.hash(next));
      s = next;
    }
  });

  it('compared leaves keep the fingerprint in an array of records and plain values mixed', () => {
    type S = { m: (number | { v: number; w: string })[] };
    const shape: S = { m: [0, { v: 1, w: 'a' }, 2] };
    const tracer = new Tracer([], shape);
    const next: S = { m: [5, { v: 1, w: 'b' }, 2] };
    expect(tracer.rehash(shape, tracer.hash(shape), next)).toEqual(tracer.hash(next));
    expect(tracer.rehash(next, tracer.hash(next), shape)).toEqual(tracer.hash(shape));
  });

  it('a field that would hold two values named alike (1 and "1") is refused: their states would share a fingerprint', () => {
    const shape = { a: { x: 1 as number | string } };
    const tracer = new Tracer([], shape);
    const clone = (s: typeof shape): typeof shape => structuredClone(s);
    expect(() => tracer.trace(shape, clone, (d) => void (d.a.x = '1'), tracer.hash(shape))).toThrow(/a\.x holds the number 1 and the string 1/);
  });
});
