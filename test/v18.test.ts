import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { restartProperties, type RestartProperty } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartModel } from '../src/kernel/model.ts';
import { parseScenario, type Scenario } from '../src/kernel/scenario.ts';
import { threadAt, zombiePlacements } from './scenarios.ts';

const check = (m: RestartModel, ids?: string[]) =>
  exploreSync(m, restartProperties(m).filter((p) => !ids || ids.includes(p.id)));

const trace = (m: RestartModel, r: ReturnType<typeof check>) =>
  r.violation!.steps.map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);

/** the shortest run where P11's second clause fails on v18, two live tasks */
const KILLED_STEPS = 39;

const HOLDING = ['P2', 'P3', 'P4', 'P5', 'P6', 'P9', 'P10'];

describe('v18, exhaustively, every zombie placement up to 3 tasks and a thread', () => {
  const scenarios: Scenario[] = [1, 2, 3].flatMap(zombiePlacements).concat([threadAt(2, 1), threadAt(3, 2)]);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: P2–P6, P9, P10 hold', (_name, scenario) => {
    const m = buildModel(v18, scenario);
    const r = check(m, HOLDING);
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBeGreaterThan(scenario.tasks.length * 20);
  });
  // P1's first half (restore_task finished) always holds; its second half fails
  // exactly when a live task has a successor in pids_arr, which can finish the
  // chain while the live task sits between T8a1 and T8a2
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: P1 fails iff a live task is followed by another task, and only inside restore_activate_next', (_name, scenario) => {
    const m = buildModel(v18, scenario);
    const r = check(m, ['P1']);
    const exposed = scenario.tasks.slice(0, -1).some((t) => t.kind === 'live');
    expect(r.verdict).toBe(exposed ? 'violated' : 'holds');
    if (exposed) expect(r.violation!.message).toMatch(/^coordinator woke while live task \d+ \(at T8a[12]\)(, \d+ \(at T8a[12]\))* was still inside restore_activate_next$/);
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

  it('P1 (the seed\'s claim, strict): on two live tasks the coordinator wakes while task 1 is still between T8a1 and T8a2, 28 steps', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    const r = check(m, ['P1']);
    expect(r.violation!.message).toBe('coordinator woke while live task 1 (at T8a2) was still inside restore_activate_next');
    expect(r.violation!.steps).toHaveLength(28);
    const t = trace(m, r);
    // task 1 takes the token past itself (T8a1); task 2 finds itself active without being woken,
    // restores, and its activation past the end completes the coordinator
    expect(t.indexOf('live 1:T8a1')).toBeLessThan(t.indexOf('live 2:T5:check'));
    expect(t.indexOf('live 2:T8a1')).toBe(26);
    expect(t.at(-1)).toBe('coordinator:C5w:check');
    expect(t).not.toContain('live 1:T8a2');
    const end = r.violation!.steps.at(-1)!.state;
    expect(end.tasks.map((x) => x.restored)).toEqual([true, true]);
    expect(end.ctx.error).toBe(false);
  });

  it('P11: in the same window the late lookup finds task 2\'s slot cleared and sets ERROR after the coordinator returned 0 (35 steps)', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    const r = check(m, ['P11']);
    expect(r.violation!.message).toBe('live 1 at T8a2 set ERROR after the coordinator had returned 0');
    expect(r.violation!.steps).toHaveLength(35);
    const t = trace(m, r);
    expect(t.indexOf('live 1:T8a1')).toBeLessThan(t.indexOf('live 2:T5:check'));
    expect(t.indexOf('coordinator:C9')).toBeLessThan(t.indexOf('live 2:T10'));
    expect(t.indexOf('live 2:T10')).toBeLessThan(t.indexOf('live 1:T8a2'));
    expect(t.at(-1)).toBe('live 1:T8a2');
    expect(r.violation!.steps.at(-1)!.state.coord.ret).toBe(0);
  });

  it('P11, its second clause: task 1, whose restore succeeded, is then killed by its own late -ESRCH', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    const p11 = restartProperties(m).find((p) => p.id === 'P11')!;
    const killedOnly: RestartProperty = {
      ...p11,
      onStep: (p, a, n) => {
        const v = p11.onStep!(p, a, n);
        return v?.includes('killed') ? v : null;
      },
    };
    const r = exploreSync(m, [killedOnly]);
    expect(r.violation!.message).toBe('task 1 had restored, yet was killed (-3 (-ESRCH)) after the coordinator had returned 0');
    const t = trace(m, r);
    // the lookup fails (ERROR, already P11's), then the out path: T11 finds ERROR set, T13 goes to do_exit
    expect(t.slice(-5)).toEqual(['live 1:T8a2', 'live 1:T10', 'live 1:T11', 'live 1:T12', 'live 1:T13']);
    expect(r.violation!.steps).toHaveLength(KILLED_STEPS);
    expect(t.indexOf('coordinator:C9')).toBeLessThan(t.indexOf('live 1:T13'));
  });

  it('P7 holds on two live tasks: task 2 returns 0 after SUCCESS, and the ERROR that follows is P11\'s', () => {
    const m = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    expect(check(m, ['P7']).verdict).toBe('holds');
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
