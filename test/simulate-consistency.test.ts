/**
 * Timed runs are interleavings of the untimed model: whatever a simulation
 * violates, exhaustive search must violate too. And v20 without faults, where
 * exhaustive search finds nothing, shows nothing under any preset.
 */
import { describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { DporSearch } from '../src/engine/dpor.ts';
import { exploreSync } from '../src/engine/run.ts';
import { simulateSync } from '../src/engine/smc.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario, type Scenario } from '../src/kernel/scenario.ts';
import { PRESETS, restartMarks } from '../src/kernel/timing.ts';

const scenarios: readonly [string, Scenario][] = [
  ['LL', shorthandScenario(2, 0)],
  ['LZL', shorthandScenario(3, 1)],
  ['LZLZ', shorthandScenario(4, 2)],
  ['LL+sig1', parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }], faults: [{ type: 'signal', task: 1 }] })],
  ['LZ+sig2', parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }], faults: [{ type: 'signal', task: 2 }] })],
  ['LLL+sigC', parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }, { vpid: 3, kind: 'live' }], faults: [{ type: 'signal-coordinator' }] })],
];

describe('simulation ⊆ exhaustive search', () => {
  for (const variant of ['v18', 'v18-final', 'v20']) {
    it(`${variant}: every property the simulation violates at 2-4 tasks is violated in exhaustive search`, () => {
      const seen: string[] = [];
      for (const [name, scenario] of scenarios) {
        const model = buildModel(findVariant(variant)!, scenario);
        const properties = restartProperties(model);
        const tally = simulateSync(model, properties, { profile: PRESETS['loaded']!, seed: 1, runs: 600, marks: restartMarks });
        properties.forEach((p, i) => {
          if (tally.hits[i] === 0) return;
          const one = [p];
          const reduction = DporSearch.unsupported(model, one) ? undefined : ('dpor' as const);
          const result = exploreSync(model, one, { strategy: 'exhaustive', ...(reduction ? { reduction } : {}) });
          expect(result.verdict, `${variant} ${name}: simulated ${p.id} ${tally.hits[i]}×, exhaustive says`).toBe('violated');
          seen.push(`${name}:${p.id}`);
        });
      }
      // the check is not vacuous: v18 and v18-final fail P8 with no fault (B4), every variant fails something with one
      expect(seen.length).toBeGreaterThan(0);
      if (variant !== 'v20') expect(seen).toContain('LL:P8');
    }, 120_000);
  }
});

describe('v20 without faults', () => {
  it('shows no violation in 5,000 runs under every preset (at 3 tasks, one a zombie)', () => {
    const model = buildModel(findVariant('v20')!, shorthandScenario(3, 1));
    const properties = restartProperties(model);
    for (const preset of Object.keys(PRESETS)) {
      const tally = simulateSync(model, properties, { profile: PRESETS[preset]!, seed: 2, runs: 5000, marks: restartMarks });
      expect(tally.runs).toBe(5000);
      expect(tally.hits.every((k) => k === 0), `${preset}: ${properties.map((p, i) => `${p.id} ${tally.hits[i]}`).join(', ')}`).toBe(true);
      expect(tally.neverEnded).toBe(0);
      // and every run ended, so every run has a duration
      expect(tally.durations.filter((d) => !Number.isNaN(d))).toHaveLength(5000);
    }
  }, 120_000);
});
