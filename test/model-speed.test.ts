/**
 * What buildModel leaves out to make a state cheaper (issue 14), checked
 * against what it stands for. A step with neither `enabled` nor `outcomes` is
 * traced without its guard: the guard reads only the actor's pc, which the
 * step writes (or, staying there, reads), so the footprint conflicts as the
 * guard's reads and the step's accesses together would.
 */
import { describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import { accessCode, objectOf, WRITE } from '../src/engine/access.ts';
import { threadOf } from '../src/engine/types.ts';
import { buildModel } from '../src/kernel/model.ts';
import { wakeOne } from './wake-one.ts';

const SCENARIOS = ['LZL', 'LG+sig2', 'LT+kill1', 'LL+die2', 'LZ+sigC', 'LL+fail1'];

describe('a step traced without its guard', () => {
  for (const variant of [...variants, wakeOne]) {
    it(`${variant.name}: each read its guard notes, the footprint has, or a write of the same object`, () => {
      let seed = 4242;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let skipped = 0;
      for (const code of SCENARIOS) {
        const model = buildModel(variant, standardScenario(code).scenario);
        const por = model.por!;
        for (let w = 0; w < 30; w++) {
          let s = model.init();
          for (let d = 0; d < 200; d++) {
            const enabled = model.actions(s);
            if (enabled.length === 0) break;
            for (const a of enabled) {
              const fp = por.traced(s, a).footprint;
              const guard = por.guardReads(s, threadOf(a))!;
              if (guard.some((g) => !fp.includes(g))) skipped++;
              // plain comparisons on the hot path, expect() only on a failure
              const lost = guard.filter((g) => !fp.includes(g) && !fp.includes(accessCode(objectOf(g), WRITE)));
              if (lost.length) expect(lost.map((g) => por.describeAccess!(g)), `${a.label} from ${JSON.stringify(s)}`).toEqual([]);
            }
            s = model.next(s, enabled[Math.floor(random() * enabled.length)]!);
          }
        }
      }
      expect(skipped).toBeGreaterThan(0);
    });
  }
});
