/**
 * The seed patch's claim (P1, P2) on random scenarios of up to 8 tasks and random
 * schedules, for every model of the library: a schedule is a list of naturals read
 * modulo the enabled actions; past its end the run goes on with the first enabled
 * action until nothing is enabled, so every run is checked to its end.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { variants } from '../models/index.ts';
import { replay } from '../src/engine/replay.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { restartProperties } from './restart.ts';

const kind = fc.constantFrom('live', 'zombie', 'thread');
const scenarioArb = fc.array(kind, { minLength: 1, maxLength: 8 }).map((kinds) =>
  parseScenario({
    tasks: kinds.map((k, i) =>
      i > 0 && k === 'thread' ? { vpid: i + 1, kind: 'live', leader: false, tgid: 1 } : { vpid: i + 1, kind: k === 'zombie' ? 'zombie' : 'live' },
    ),
  }),
);
const scheduleArb = fc.array(fc.nat(), { maxLength: 400 });

describe.each(variants.filter((v) => !v.breaks || !['P1', 'P2'].includes(v.breaks)).map((v) => [v.name, v] as const))(
  '%s: P1 and P2 on random scenarios and schedules',
  (_name, variant) => {
    test.prop([scenarioArb, scheduleArb], { numRuns: 300 })('P1, P2 hold in every run', (scenario, schedule) => {
      const m = buildModel(variant, scenario);
      const props = restartProperties(m).filter((p) => p.id === 'P1' || p.id === 'P2');
      const r = replay(m, props, [...schedule, ...new Array<number>(4000).fill(0)]);
      expect(r.failure).toBeUndefined();
      expect(r.ended).toBe(true);
    });
  },
);
