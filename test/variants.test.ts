/**
 * The model library: the registry, the shape of every variant's step table, and
 * what each faithful variant holds and breaks without faults (the faults are
 * test/faults.test.ts, the bugs of v18 test/bugs.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { findVariant, mutants, variants, versions } from '../models/index.ts';
import { v17 } from '../models/v17.ts';
import { v18final } from '../models/v18-final.ts';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties, type RestartProperty } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartModel, type RestartVariant } from '../src/kernel/model.ts';
import { parseScenario, type Scenario } from '../src/kernel/scenario.ts';
import { threadAt, zombiePlacements } from './scenarios.ts';

const L = (vpid: number) => ({ vpid, kind: 'live' });
const Z = (vpid: number) => ({ vpid, kind: 'zombie' });
const G = (vpid: number) => ({ vpid, kind: 'ghost' });

function check(variant: RestartVariant, scenario: Scenario, ids: readonly string[]) {
  const m = buildModel(variant, scenario);
  const r = exploreSync(m, restartProperties(m).filter((p) => ids.includes(p.id)));
  const trace = (r.violation?.steps ?? []).map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);
  return { m, r, trace };
}

describe('the registry', () => {
  it('names every variant and mutant once, as --model takes them', () => {
    expect(versions.map((v) => v.name)).toEqual(['v17', 'v18', 'v18-final', 'v20']);
    expect(mutants.map((v) => v.name)).toEqual([
      'mutant:B1',
      'mutant:B2',
      'mutant:B3',
      'mutant:B7',
      'mutant:B8',
      'mutant:B9',
      'mutant:B15',
      'mutant:lost-wakeup',
      'mutant:stale-completion',
      'mutant:pf-cleared-early',
    ]);
    expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
    for (const v of variants) expect(findVariant(v.name)).toBe(v);
    expect(findVariant('v19')).toBeUndefined();
  });

  it('the faithful variants declare no broken property; every mutant declares one', () => {
    for (const v of versions) expect(v.breaks, v.name).toBeUndefined();
    for (const v of mutants) expect(v.breaks, v.name).toMatch(/^P\d+$/);
  });

  it('every step of every table names its kernel function and cites its source', () => {
    for (const v of variants) {
      for (const [label, step] of [...Object.entries(v.coordinator), ...Object.entries(v.task)]) {
        expect(step.fn, `${v.name} ${label}`).toMatch(/^[a-z_]+$/);
        expect(step.cite.length, `${v.name} ${label}`).toBeGreaterThan(20);
      }
    }
  });
});

describe('every step of every table is taken, and no run reaches a label the table lacks', () => {
  // signals, a restore failure, a ghost and zombies: between them every branch of every table
  const scenarios = [
    { tasks: [L(1), Z(2)], faults: [{ type: 'signal', task: 2 }] },
    { tasks: [L(1), Z(2)], faults: [{ type: 'signal', task: 1 }, { type: 'signal-coordinator' }] },
    { tasks: [L(1), G(3)], faults: [{ type: 'signal', task: 3 }] },
    { tasks: [Z(1), L(2)], faults: [{ type: 'restore-fails', task: 2 }] },
  ].map((s) => parseScenario(s));
  it.each(variants.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const taken = new Set<string>();
    const record: RestartProperty = {
      id: 'taken',
      title: 'records the steps taken',
      onStep(_p, a) {
        if (a.fault === undefined) taken.add(`${a.actor === 0 ? 'coordinator' : 'task'} ${a.label}`);
        return null;
      },
    };
    for (const s of scenarios) expect(exploreSync(buildModel(variant, s), [record]).verdict).toBe('holds');
    const defined = [
      ...Object.keys(variant.coordinator).map((k) => `coordinator ${k}`),
      ...Object.keys(variant.task).map((k) => `task ${k}`),
    ];
    expect(defined.filter((d) => !taken.has(d))).toEqual([]);
  });
});

describe('v17: the zombie leaks R_local (B1)', () => {
  it('P5 fails at the end of every run with a zombie: one reference per zombie', () => {
    const one = check(v17, parseScenario({ tasks: [L(1), Z(2)] }), ['P5']);
    expect(one.r.violation!.message).toBe('every actor finished but ckpt_ctx refcount is 1 (leak)');
    // one step more than mutant:B1's 42: without v18's slot test no lookup fails, so the shortest leak is a successful restart
    expect(one.r.violation!.steps).toHaveLength(43);
    expect(one.r.violation!.steps.at(-1)!.state.coord.ret).toBe(0);
    expect(one.trace.at(-1)).toBe('zombie 2:X3');
    expect(check(findVariant('mutant:B1')!, parseScenario({ tasks: [L(1), Z(2)] }), ['P5']).r.violation!.steps).toHaveLength(42);
    // every successful restart of two zombies ends with two references left
    const left = new Set<number>();
    const record: RestartProperty = {
      id: 'left',
      title: 'records the references left after a successful restart',
      onEnd(s) {
        if (s.coord.ret === 0) left.add(s.ctx.refcount);
        return null;
      },
    };
    exploreSync(buildModel(v17, parseScenario({ tasks: [L(1), Z(2), Z(3)] })), [record]);
    expect([...left]).toEqual([2]);
  });
  it('without zombies P5 holds, as in v18; with one, v18 frees the ctx', () => {
    expect(check(v17, parseScenario({ tasks: [L(1), L(2)] }), ['P5']).r.verdict).toBe('holds');
    expect(check(v18, parseScenario({ tasks: [L(1), Z(2)] }), ['P5']).r.verdict).toBe('holds');
  });
});

describe('v17 as v17-26/28 wrote it', () => {
  it('ckpt_activate_next has no checkpoint_ctx test: no B4, so a fault-free restart succeeds (P8) where v18 fails in 11 steps', () => {
    for (const tasks of [[L(1)], [L(1), L(2)], [L(1), Z(2)], [Z(1), L(2)]]) {
      const { r } = check(v17, parseScenario({ tasks }), ['P8']);
      expect(r.violation?.message, JSON.stringify(tasks)).toBeUndefined();
    }
    expect(check(v18, parseScenario({ tasks: [L(1)] }), ['P8']).r.violation!.steps).toHaveLength(11);
  });
  it('the late lookup finds the next task whatever its slot: no ERROR after SUCCESS (P7, P11 hold on two live tasks)', () => {
    const { r } = check(v17, parseScenario({ tasks: [L(1), L(2)] }), ['P7', 'P11']);
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
  });
  it('the T8a1–T8a2 window is v17\'s too: strict P1 fails in 28 steps on two live tasks, as in v18', () => {
    const { r, trace } = check(v17, parseScenario({ tasks: [L(1), L(2)] }), ['P1']);
    expect(r.violation!.message).toBe('coordinator woke while live task 1 (at T8a2) was still inside restore_activate_next');
    expect(r.violation!.steps).toHaveLength(28);
    expect(trace.at(-1)).toBe('coordinator:C5w:check');
  });
  it('ckpt_notify_error records no errno: a failed restart leaves errno 0; v18 records the first error', () => {
    const input = { tasks: [L(1), L(2)], faults: [{ type: 'restore-fails', task: 1 }] };
    const errnos = (variant: RestartVariant) => {
      const seen = new Set<number>();
      exploreSync(buildModel(variant, parseScenario(input)), [
        { id: 'e', title: 'records errno at the end', onEnd: (s) => (seen.add(s.ctx.errno), null) },
      ]);
      return [...seen].sort((a, b) => a - b);
    };
    expect(errnos(v17)).toEqual([0]);
    expect(errnos(v18)).toContain(-5); // -EIO, the first error
  });
});

const SAFE = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P9', 'P10', 'P11'];

describe('v18-final without faults', () => {
  const scenarios = [1, 2]
    .flatMap(zombiePlacements)
    .concat(['LLZ', 'LZL', 'ZLZ'].map((n) => zombiePlacements(3).find((s) => s.name === n)!), [threadAt(3, 2)]);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: P1–P7, P9–P11 hold (v18\'s T8a1–T8a2 window is gone: strict P1 and P11 hold)', (_n, s) => {
    const { r } = check(v18final, s, SAFE);
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
  });

  it('zombies report done from exit_checkpoint: the coordinator never wakes before a zombie has passed exit_notify', () => {
    // the same scenario on mutant:B3 (73/80's reorder without nr_total) breaks P2
    const s = parseScenario({ tasks: [L(1), Z(2)] });
    expect(check(v18final, s, ['P2']).r.verdict).toBe('holds');
    expect(check(findVariant('mutant:B3')!, s, ['P2']).r.violation?.property).toBe('P2');
  });

  it('with a ghost: P1–P7, P10 hold; P9 fails because B4\'s -ESRCH never releases the ghost (the coordinator does not wake ghostq)', () => {
    const s = parseScenario({ tasks: [L(1), G(9), Z(2)] });
    expect(check(v18final, s, ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P10']).r.verdict).toBe('holds');
    const { r, trace } = check(v18final, parseScenario({ tasks: [L(1), G(2)] }), ['P9']);
    expect(r.violation!.message).toBe('deadlock: nothing can move, yet task 2 at G5:sleep');
    expect(r.violation!.steps).toHaveLength(30);
    const order = ['live 1:T2', 'ghost 2:G5:check', 'coordinator:C5a2', 'coordinator:C8', 'live 1:T11'];
    const idx = order.map((k) => trace.indexOf(k));
    expect(idx.every((k, n) => k >= 0 && (n === 0 || k > idx[n - 1]!)), trace.join('\n')).toBe(true);
    expect(r.violation!.steps.at(-1)!.state.ctx.error).toBe(true);
  });

  it('counts the ghost in nr_total and releases it once every task is activated', () => {
    const m = buildModel(v18final, parseScenario({ tasks: [L(1), G(9)] }));
    const ends: { ret: number; nrTotal: number; ghost: string }[] = [];
    const record: RestartProperty = {
      id: 'end',
      title: 'records the successful ends',
      onEnd(s) {
        if (s.coord.ret === 0) ends.push({ ret: s.coord.ret, nrTotal: s.ctx.nrTotal, ghost: s.tasks[1]!.pc });
        return null;
      },
    };
    exploreSync(m, [record]);
    expect(ends.length).toBeGreaterThan(0);
    for (const e of ends) expect(e).toEqual({ ret: 0, nrTotal: 0, ghost: 'gone' });
  });
});

describe('v20 without faults', () => {
  const scenarios = [1, 2, 3].flatMap(zombiePlacements).concat([threadAt(3, 2)]);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: P1–P11 hold', (_n, s) => {
    const { r } = check(v20, s, ['P8', ...SAFE]);
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
  });
  it('with ghosts: P1–P11 hold', () => {
    for (const tasks of [[L(1), G(9)], [L(1), G(9), Z(2)]]) {
      const { r } = check(v20, parseScenario({ tasks }), ['P8', ...SAFE]);
      expect(r.violation?.message, JSON.stringify(tasks)).toBeUndefined();
    }
  });
});

describe('the models differ where the reference says they do', () => {
  const firstSteps = (m: RestartModel, label: string): number => {
    const r = exploreSync(m, [
      { id: 'x', title: `reaches ${label}`, onStep: (_p, a) => (a.label === label ? 'reached' : null) },
    ]);
    return r.violation ? r.violation.steps.length : -1;
  };
  it('init_completion (C5i) exists in v18 and v18-final only; v20 has no T3', () => {
    const s = parseScenario({ tasks: [L(1)] });
    expect(firstSteps(buildModel(v18, s), 'C5i')).toBe(3);
    expect(firstSteps(buildModel(v18final, s), 'C5i')).toBe(3);
    expect(firstSteps(buildModel(v20, s), 'C5i')).toBe(-1);
    expect(firstSteps(buildModel(v20, s), 'T3')).toBe(-1);
  });
  it('v20 blocks signals from pre_restore_task on: a signal fired after T5b neither wakes nor ends the final sync', () => {
    const m = buildModel(v20, parseScenario({ tasks: [L(1)], faults: [{ type: 'signal', task: 1 }] }));
    const r = exploreSync(m, [
      {
        id: 'x',
        title: 'a signal after T5b sets nothing',
        onStep: (p, a, n) => (a.fault !== undefined && p.tasks[0]!.blocked && (n.tasks[0]!.sigPending || n.tasks[0]!.sched !== p.tasks[0]!.sched) ? 'pending' : null),
      },
    ]);
    expect(r.verdict).toBe('holds');
  });
});
