/** Issue 13: check --base and crsim diff: new, fixed and inherited violations, and the differential search. */
import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { diffScenario } from '../src/cli/diff.ts';
import type { RestartVariant } from '../src/kernel/model.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import { differentialModel, differentialProperty, sharedOnSteps } from '../src/engine/differential.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import { runCli } from './cli-run.ts';

describe('crsim check --model A --base B', () => {
  it("B8 against v18 on LL+sig2: P3 is new (v18 holds it), P8 inherited (v18's own B4), exit 1", async () => {
    const r = await runCli('check', '--model', 'mutant:B8', '--base', 'v18', '--scenario', 'LL+sig2', '-p', 'P3,P8');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/new in mutant:B8 .*\n  P3 on LL\+sig2: 18 steps — live 2 activated the next entry/);
    expect(r.out).toMatch(/fixed by mutant:B8 .*: none/);
    expect(r.out).toMatch(/inherited .*\n  P8 on LL\+sig2: mutant:B8 12 steps, v18 12 steps/);
    expect(r.out).toMatch(/\n\s+18\s+X2a1/); // the new violation's swimlane
  });

  it('nothing new: exit 0; the options of a single search are refused with --base', async () => {
    const r = await runCli('check', '--model', 'mutant:B8', '--base', 'v18', '--scenario', 'LL+sig2', '-p', 'P8');
    expect(r.code).toBe(0);
    const bad = await runCli('check', '--model', 'mutant:B8', '--base', 'v18', '-t', '1', '--workers', '2');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--workers: does not apply with --base');
    const same = await runCli('check', '--model', 'v18', '--base', 'v18', '-t', '1');
    expect(same.code).toBe(2);
  });
});

describe('the differential search: a base with a shorter violation of its own does not hide the variant\'s', () => {
  // v18 whose coordinator returns -EBUSY where it would return 0: the same steps, another result. Its
  // shortest P8 is still v18's own B4 (11 steps on L, shared); the new one is the success path, longer
  const C9 = v18.coordinator.C9!;
  const busy: RestartVariant = {
    ...v18,
    name: 'v18-busy',
    coordinator: { ...v18.coordinator, C9: { ...C9, run: (s, self, env, i) => { C9.run(s, self, env, i); if (self.ret === 0) self.ret = -16; } } },
  };
  const scenario = standardScenario('L').scenario;

  it('diffScenario: P8 inherited (11 steps in both, on the same steps) and new at a schedule v18 replays without it', () => {
    const found = diffScenario(busy, v18, 'L', scenario, ['P8']);
    const inherited = found.find((f) => f.kind === 'inherited')!;
    expect(inherited).toMatchObject({ property: 'P8', lengths: { variant: 11, base: 11 }, sameSteps: true });
    const fresh = found.find((f) => f.kind === 'new')!;
    expect(fresh).toMatchObject({ property: 'P8', differential: true });
    expect(fresh.steps!).toBeGreaterThan(11);
    expect(fresh.message).toContain('returned -16');
    expect(found.filter((f) => f.kind === 'fixed')).toEqual([]);
  });

  it('in the engine: the product model counts a violation only where the base, replaying the same steps, has none', () => {
    const a = buildModel(busy, scenario);
    const b = buildModel(v18, scenario);
    const [pa] = selectProperties(restartProperties(a), 'P8');
    const pb = selectProperties(restartProperties(b), 'P8');
    expect(exploreSync(a, [pa!]).violation!.steps).toHaveLength(11); // hidden behind B4 in a plain search
    const r = exploreSync(differentialModel(a, b, pb), [differentialProperty(pa!, pb[0], b)]);
    expect(r.verdict).toBe('violated');
    const actions = r.violation!.steps.map((s) => s.action);
    expect(actions.length).toBeGreaterThan(11);
    expect(sharedOnSteps(a, b, pb, actions, 'P8')).toBe(false); // v18 follows every step and returns 0
    const b4 = exploreSync(a, [pa!]).violation!.steps.map((s) => s.action);
    expect(sharedOnSteps(a, b, pb, b4, 'P8')).toBe(true);
  });

  it('steps the base cannot replay (a moved step) are not counted as the same schedule: B9 against lost-wakeup', async () => {
    const r = await runCli('diff', 'mutant:B9', 'mutant:lost-wakeup', '-s', 'L', '-p', 'P9');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/inherited .*\n  P9 on L: mutant:B9 21 steps, mutant:lost-wakeup 14 steps — deadlock: .*cannot replay/);
    const j = JSON.parse((await runCli('diff', 'mutant:B9', 'mutant:lost-wakeup', '--scenarios', 'L,Z', '-p', 'P9', '--json')).out) as { findings: { kind: string; scenario: string }[] };
    expect(j.findings.filter((f) => f.scenario === 'L').map((f) => f.kind)).toEqual(['inherited']);
  });
});
