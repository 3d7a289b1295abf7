/**
 * The library, used the way a user would: the package entry (`crsim`, i.e.
 * src/index.ts) and the vitest helper (`crsim/vitest`, src/vitest.ts). The
 * imports are relative because tsc cannot type a package's self-reference to
 * .ts sources without a rootDir; package.json "exports" maps the names.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import * as crsim from '../src/index.ts';
import { assertSchedule, runArb, scenarioArb, scheduleArb, ViolationError } from '../src/vitest.ts';

describe('the package entry', () => {
  it('check: a model name, a scenario, options → a Result with its model', () => {
    const r = crsim.check('v18', { tasks: [{ vpid: 1, kind: 'live' }] });
    expect(r.verdict).toBe('violated');
    expect(r.violation!.property).toBe('P8');
    expect(r.violation!.steps).toHaveLength(11);
    expect(r.model.name).toBe('v18');
    expect(crsim.check('v18', { tasks: 2, zombies: 1 }, { properties: 'P2' }).verdict).toBe('holds');
    expect(crsim.check('v18', { tasks: 2, zombies: 1 }, { properties: 'P1' }).violation?.steps).toHaveLength(31); // strict P1: the seed's claim fails
    expect(crsim.check('mutant:B2', { tasks: 2, zombies: 1 }, { properties: 'P2' }).violation?.property).toBe('P2');
    expect(() => crsim.check('v99')).toThrow(/unknown model 'v99'/);
  });

  it('explore: fast-check over scenarios and schedules, replayable by seed and path', async () => {
    const r = await crsim.explore('mutant:B3', { runs: 2000, seed: 1, properties: 'P2', scenarios: { maxTasks: 3 } });
    expect(r.verdict).toBe('violated');
    const shortest = crsim.shortestCounterexample(r.variant, r.scenario!, 'P2')!;
    expect(r.violation!.steps.length).toBe(shortest.steps.length);
    const again = await crsim.explore('mutant:B3', { seed: 1, path: r.path!, properties: 'P2', scenarios: { maxTasks: 3 } });
    expect(again.violation!.choices).toEqual(r.violation!.choices);
  });

  it('the exporters take a trace of any violation', () => {
    const r = crsim.check('v18', { tasks: 1 });
    const trace = crsim.traceOf(r.model, r.violation!);
    expect(crsim.toMermaid(trace)).toMatch(/^sequenceDiagram/);
    expect(crsim.toItf(trace).states).toHaveLength(12);
    expect(crsim.toPerfetto(trace).traceEvents.length).toBeGreaterThan(11);
    expect(crsim.toHtml(trace)).toContain('<svg id="lanes"');
    for (const f of crsim.FORMATS) expect(crsim.exportTrace(trace, f).length).toBeGreaterThan(100);
  });

  it('replay files round-trip through the API', async () => {
    const r = crsim.check('mutant:B2', { tasks: 2, zombies: 1 }, { properties: 'P2' });
    const file = await crsim.makeReplayFile(r.model, r.properties, r.violation!);
    const out = await crsim.replayFile(crsim.decodeToken(crsim.encodeToken(file)), crsim.findVariant('mutant:B2')!);
    expect(out.status).toBe('reproduced');
  });

  it('package.json maps the names a user imports to the build of these modules', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as unknown as { exports: Record<string, { types: string; default: string }> };
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    expect(pkg.exports['./vitest']).toEqual({ types: './dist/src/vitest.d.ts', default: './dist/src/vitest.js' });
  });

  it('the properties and the arbitraries are there too', () => {
    const model = crsim.buildModel(crsim.findVariant('v18')!, crsim.parseScenario({ tasks: [{ vpid: 1, kind: 'live' }] }));
    expect(crsim.restartProperties(model).map((p) => p.id)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P11']);
    expect(fc.sample(crsim.scenarioArb({ maxTasks: 2 }), 5)).toHaveLength(5);
  });
});

describe('the vitest helper, as a user writes it', () => {
  // the seed patch's claim, over drawn trees and interleavings
  test.prop([scenarioArb({ maxTasks: 3, faults: [] }), scheduleArb()], { numRuns: 150, seed: 42 })(
    'v18-final: when the coordinator wakes, live tasks restored and zombies exited (P1, P2; v18 breaks strict P1)',
    (scenario, schedule) => {
      assertSchedule('v18-final', scenario, schedule, { properties: 'P1,P2' });
    },
  );

  test.prop([runArb('v20', { properties: 'P5,P6', scenarios: { maxTasks: 3, faults: [] } })], { numRuns: 100, seed: 1 })(
    'v20: no use after free, no BUG_ON',
    ([scenario, schedule]) => {
      assertSchedule('v20', scenario, schedule, { properties: 'P5,P6' });
    },
  );

  it('a broken model fails with a readable, shrunk counterexample', () => {
    const details = fc.check(
      fc.property(runArb('mutant:B2', { properties: 'P2', scenarios: { maxTasks: 3, faults: [] } }), ([scenario, schedule]) => {
        assertSchedule('mutant:B2', scenario, schedule, { properties: 'P2' });
      }),
      { seed: 3, numRuns: 2000 },
    );
    expect(details.failed).toBe(true);
    const err = details.errorInstance as ViolationError;
    expect(err).toBeInstanceOf(ViolationError);
    expect(err.message).toMatch(/^P2 violated after \d+ steps: coordinator woke while zombie/);
    expect(err.message).toContain('coordinator');
    const [scenario] = details.counterexample![0];
    const shortest = crsim.shortestCounterexample(crsim.findVariant('mutant:B2')!, scenario, 'P2')!;
    expect(err.violation.steps.length).toBeLessThanOrEqual(shortest.steps.length + 2);
  });
});
