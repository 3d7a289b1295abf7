/**
 * Steps recorded on views of the state (src/kernel/footprint.ts) note what
 * they note through proxies: on every model of the registry, random walks
 * give the same footprints (codes in the same order, ids met in the same
 * order; a traced step's holds its guard's reads), counters, fingerprints and next states, with the
 * views running every step themselves, and leave the state stepped from as it
 * was (they copy what a step stores into). What the views do not know (a delete,
 * a field outside the shape) runs again through proxies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import type { Hash } from '../src/engine/types.ts';
import { Tracer } from '../src/kernel/footprint.ts';
import { buildModel, type RestartModel } from '../src/kernel/model.ts';
import type { RestartState } from '../src/kernel/state.ts';

const SCENARIOS = ['LZL', 'LG+sig2', 'LT+kill1', 'LL+die2', 'LZ+sigC'];

/** `f` with the steps recorded through proxies, or on views that must manage alone */
function by<R>(proxies: boolean, f: () => R): R {
  Tracer.proxies = proxies;
  Tracer.rerun = proxies;
  try {
    return f();
  } finally {
    Tracer.proxies = false;
    Tracer.rerun = true;
  }
}

afterEach(() => {
  Tracer.proxies = false;
  Tracer.rerun = true;
});

describe('footprints recorded on views', () => {
  for (const variant of variants) {
    it(`${variant.name}: random walks note the same accesses on views as through proxies`, () => {
      let seed = 4242;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let compared = 0;
      for (const code of SCENARIOS) {
        // one model a way: each meets the names in the order its recording meets them
        const proxied: RestartModel = buildModel(variant, standardScenario(code).scenario);
        const viewed: RestartModel = buildModel(variant, standardScenario(code).scenario);
        const s0 = proxied.init();
        const h0 = proxied.fingerprints!.of(s0);
        expect(viewed.fingerprints!.of(s0)).toEqual(h0);
        for (let w = 0; w < 30; w++) {
          let s: RestartState = s0;
          let h: Hash = h0;
          for (let d = 0; d < 200; d++) {
            const before = JSON.stringify(s);
            const enabled = proxied.actions(s);
            if (enabled.length === 0) break;
            let chosen: { next: RestartState; hash?: Hash } | undefined;
            const pick = Math.floor(random() * enabled.length);
            enabled.forEach((a, k) => {
              const p = by(true, () => proxied.por!.traced(s, a, h));
              const v = by(false, () => viewed.por!.traced(s, a, h));
              const same =
                p.footprint.join() === v.footprint.join() &&
                String(p.counters) === String(v.counters) &&
                p.hash!.join() === v.hash!.join() &&
                JSON.stringify(p.next) === JSON.stringify(v.next);
              if (!same) expect({ ...v, footprint: v.footprint.map((c) => viewed.por!.describeAccess!(c)) }, `${a.label} at ${JSON.stringify(s)}`).toEqual({ ...p, footprint: p.footprint.map((c) => proxied.por!.describeAccess!(c)) });
              compared++;
              if (k === pick) chosen = v;
            });
            // the views copy on write: the state stepped from is left as it was
            if (JSON.stringify(s) !== before) expect(JSON.stringify(s)).toBe(before);
            s = chosen!.next;
            h = chosen!.hash!;
          }
        }
      }
      expect(compared).toBeGreaterThan(1000);
    });
  }

  it('what a view does not know runs again through proxies', () => {
    type S = { a: { x: number; y?: string }; t: { v: number }[] };
    const shape: S = { a: { x: 0, y: 'p' }, t: [{ v: 1 }, { v: 2 }] };
    const tracer = new Tracer([], shape);
    const clone = (s: S): S => structuredClone(s);
    const h0 = tracer.hash(shape);
    const steps: ((d: S) => void)[] = [
      (d) => void delete d.a.y,
      (d) => void ((d.a as Record<string, unknown>).z = 1),
      (d) => void (d.a.x = (d.a as Record<string, unknown>).w === undefined ? 1 : 2),
      (d) => void (d.t[1]!.v = String(d.t[0]).length),
    ];
    for (const step of steps) {
      const p = by(true, () => tracer.trace(shape, clone, step, h0));
      Tracer.rerun = false;
      expect(() => tracer.trace(shape, clone, step, h0)).toThrow();
      Tracer.rerun = true;
      const v = tracer.trace(shape, clone, step, h0);
      expect(v).toEqual(p);
    }
    // a step the views can run: the same, without running again
    const plain = (d: S): void => void (d.t[1]!.v = d.a.x + 5);
    expect(by(false, () => tracer.trace(shape, clone, plain, h0))).toEqual(by(true, () => tracer.trace(shape, clone, plain, h0)));
  });
});
