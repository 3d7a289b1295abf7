import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { restartProperties } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartModel } from '../src/kernel/model.ts';
import { parseScenario, type Scenario } from '../src/kernel/scenario.ts';
import { threadAt, zombiePlacements } from './scenarios.ts';

const check = (m: RestartModel, ids?: string[]) =>
  exploreSync(m, restartProperties(m).filter((p) => !ids || ids.includes(p.id)));

const trace = (m: RestartModel, r: ReturnType<typeof check>) =>
  r.violation!.steps.map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);

const HOLDING = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P9', 'P10'];

describe('v18, exhaustively, every zombie placement up to 3 tasks and a thread', () => {
  const scenarios: Scenario[] = [1, 2, 3].flatMap(zombiePlacements).concat([threadAt(2, 1), threadAt(3, 2)]);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: P1–P6, P9, P10 hold', (_name, scenario) => {
    const m = buildModel(v18, scenario);
    const r = check(m, HOLDING);
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBeGreaterThan(scenario.tasks.length * 20);
  });
});

describe('v18 findings', () => {
  it('P8 (B4): the T2–T3 window makes a fault-free restart fail with ESRCH, shortest schedule on one task', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }] }));
    const r = check(m);
    expect(r.violation?.property).toBe('P8');
    expect(trace(m, r)).toEqual([
      'coordinator:C4',
      'coordinator:C5p',
      'coordinator:C5i',
      'coordinator:C5a1',
      'live 1:T1:prepare',
      'live 1:T1:check',
      'live 1:T2', // slot := NULL, R_local taken
      'coordinator:C5a2', // lookup sees checkpoint_ctx != ctx: -ESRCH
      'coordinator:C7',
      'coordinator:C8',
      'coordinator:C9',
    ]);
    expect(r.violation!.message).toContain('-ESRCH');
  });

  it('P8 on every scenario of 2 and 3 tasks: the same 4 + n step window at the root', () => {
    for (const scenario of [2, 3].flatMap(zombiePlacements)) {
      const m = buildModel(v18, scenario);
      const r = check(m, ['P8']);
      expect(r.violation?.property, scenario.name).toBe('P8');
      expect(r.violation!.steps.length, scenario.name).toBe(10 + scenario.tasks.length);
    }
  });

  it('P7: between T8a1 and T8a2 nothing holds the token; the next task finishes and clears its slot, the late lookup sets ERROR after SUCCESS', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    const r = check(m, ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7']);
    expect(r.violation?.property).toBe('P7');
    expect(r.violation!.message).toBe('task 2 returned 0 to user space after ERROR');
    expect(r.violation!.steps).toHaveLength(36);
    const t = trace(m, r);
    // task 1 takes the token past itself (T8a1), task 2 runs its whole restore and
    // clears its slot (T10) before task 1 looks it up (T8a2): -ESRCH after SUCCESS
    expect(t.indexOf('live 1:T8a1')).toBeLessThan(t.indexOf('live 2:T5:check'));
    expect(t.indexOf('coordinator:C7')).toBeLessThan(t.indexOf('live 2:T10'));
    expect(t.indexOf('live 2:T10')).toBeLessThan(t.indexOf('live 1:T8a2'));
    expect(t.at(-1)).toBe('live 2:T13');
  });

  it('P7 does not fire when the last task is a zombie: it never returns to user space', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }] }));
    expect(check(m, ['P7']).verdict).toBe('holds');
  });
});

describe('determinism', () => {
  it('one seed, one run: random search on v18 gives the same counterexample, step for step', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }, { vpid: 3, kind: 'live' }] }));
    const props = restartProperties(m);
    const a = exploreSync(m, props, { strategy: 'random', runs: 5000, seed: 42 });
    const b = exploreSync(buildModel(v18, m.env.scenario), restartProperties(m), { strategy: 'random', runs: 5000, seed: 42 });
    expect(a.verdict).toBe('violated');
    expect(b.violation!.choices).toEqual(a.violation!.choices);
    expect(b.violation!.steps.map((s) => s.state)).toEqual(a.violation!.steps.map((s) => s.state));
    expect(b.stats.runs).toBe(a.stats.runs);
  });
});
