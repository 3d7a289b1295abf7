/** Issue 13: check --base and crsim diff: new, fixed and inherited violations, and the differential search. */
import { describe, expect, it } from 'vitest';
import { lostWakeup } from '../models/mutants/lost-wakeup.ts';
import { b9 } from '../models/mutants/b9.ts';
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
  // B9 deadlocks in 21 steps (coordinator at C5v, task at T9), lost-wakeup in 14 (at C5w, T5): different deadlocks
  it('diff B9 lost-wakeup on L: each one\'s deadlock is new/fixed, neither is inherited', async () => {
    const r = await runCli('diff', 'mutant:B9', 'mutant:lost-wakeup', '-s', 'L', '-p', 'P9');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/P9 on L: 21 steps — deadlock: .*C5v:sleep.* \(mutant:lost-wakeup violates P9 too, but not on these steps\)/);
    expect(r.out).toMatch(/fixed by mutant:B9 .*\n  P9 on L: 14 steps — deadlock: .*C5w:sleep/);
    expect(r.out).toMatch(/inherited .*: none/);
  });

  it('in the engine: the product model counts a violation only where the base, on the same steps, has none', () => {
    const scenario = standardScenario('L').scenario;
    const a = buildModel(b9, scenario);
    const b = buildModel(lostWakeup, scenario);
    const [pa] = selectProperties(restartProperties(a), 'P9');
    const pb = selectProperties(restartProperties(b), 'P9');
    // the plain search of the base finds its own, shorter deadlock
    expect(exploreSync(b, pb).violation!.steps).toHaveLength(14);
    const r = exploreSync(differentialModel(a, b, pb), [differentialProperty(pa!, pb[0], b)]);
    expect(r.verdict).toBe('violated');
    expect(r.violation!.steps).toHaveLength(21);
    const actions = r.violation!.steps.map((s) => s.action);
    expect(sharedOnSteps(a, b, pb, actions, 'P9')).toBe(false);
    // and a violation shared on the same steps is recognised as such: the variant against itself
    expect(sharedOnSteps(a, buildModel(b9, scenario), selectProperties(restartProperties(a), 'P9'), actions, 'P9')).toBe(true);
  });

  it('--json lists the findings with kind, scenario, property, steps and schedule', async () => {
    const r = await runCli('diff', 'mutant:B9', 'mutant:lost-wakeup', '--scenarios', 'L,Z', '-p', 'P9', '--json');
    const j = JSON.parse(r.out) as { findings: { kind: string; scenario: string; property: string; steps?: number; schedule?: number[]; differential?: boolean }[] };
    const onL = j.findings.filter((f) => f.scenario === 'L');
    expect(onL.map((f) => f.kind).sort()).toEqual(['fixed', 'new']);
    expect(onL.every((f) => f.differential === true && f.schedule!.length === f.steps)).toBe(true);
  });
});
