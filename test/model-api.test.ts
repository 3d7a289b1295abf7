/**
 * The model API of issue 13: nondeterministic steps (outcomes, wake_up_one),
 * fused steps (atomic), and the step roles the properties read instead of
 * label spellings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { v18 } from '../models/v18.ts';
import { PROPERTY_ROLES, restartProperties } from '../properties/restart.ts';
import { replay } from '../src/engine/replay.ts';
import { exploreSync } from '../src/engine/run.ts';
import { TimedSimulator } from '../src/engine/timed.ts';
import { PRESETS } from '../src/kernel/timing.ts';
import { atomic } from '../src/kernel/atomic.ts';
import { ModelError } from '../src/kernel/model-error.ts';
import { buildModel, withRoles, type RestartAction, type RestartVariant, type Steps } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario } from '../src/kernel/scenario.ts';
import { wakeOneOutcomes, wake_up_one } from '../src/kernel/sched.ts';
import type { RestartState, Task } from '../src/kernel/state.ts';
import * as api from '../src/index.ts';
import { runCli } from './cli-run.ts';
import { wakeOne } from './wake-one.ts';

const check = (variant: RestartVariant, scenario: ReturnType<typeof shorthandScenario>, ids: string[]) => {
  const m = buildModel(variant, scenario);
  return { m, result: exploreSync(m, restartProperties(m).filter((p) => ids.includes(p.id))) };
};

describe('nondeterministic steps', () => {
  it('offer one action per outcome, each with its detail, and run the chosen one', () => {
    const m = buildModel(wakeOne, shorthandScenario(2, 0));
    // walk to the coordinator at C8 with both tasks asleep on waitq (T9): the first run that gets there
    let s = m.init();
    let offered: readonly RestartAction[] = [];
    for (let n = 0; n < 500; n++) {
      const acts = m.actions(s);
      const c8 = acts.filter((a) => a.actor === 0 && a.pc === 'C8');
      if (c8.length > 1) {
        offered = c8;
        break;
      }
      // tasks first, so that both reach their final wait before the coordinator wakes them
      s = m.next(s, acts.find((a) => a.actor !== 0) ?? acts[0]!);
    }
    expect(offered.map((a) => a.detail)).toEqual(['wakes task 1', 'wakes task 2']);
    expect(offered.map((a) => a.arg)).toEqual([0, 1]);
    const after = m.next(s, offered[1]!);
    expect(after.tasks[1]!.sched).toBe('RUNNING');
    expect(after.tasks[1]!.wq).toBeNull();
    expect(after.tasks[0]!.wq).toBe('waitq'); // the other one still sleeps
  });
  it('wake_up_one on an empty queue wakes nobody and does not block the waker', () => {
    const s = buildModel(v18, shorthandScenario(1, 0)).init();
    expect(wakeOneOutcomes(s, 'waitq', [1])).toEqual([{ arg: -2, detail: 'wakes nobody' }]);
    const d = structuredClone(s) as RestartState;
    wake_up_one(d, -2);
    expect(d).toEqual(s);
  });
  it('a step with no outcome is disabled', () => {
    const none: RestartVariant = { ...v18, name: 'test:none', coordinator: { ...v18.coordinator, C4: { ...v18.coordinator.C4!, outcomes: () => [] } } };
    const m = buildModel(none, shorthandScenario(1, 0));
    expect(m.actions(m.init()).some((a) => a.actor === 0)).toBe(false);
  });
  it('the explorer chooses among them: waking one task of two leaves the other asleep for ever (P9), shown in the trace', () => {
    const { result } = check(wakeOne, shorthandScenario(2, 0), ['P9']);
    expect(result.verdict).toBe('violated');
    expect(result.violation!.message).toMatch(/deadlock: nothing can move, yet task \d at T\d:sleep/);
    const c8 = result.violation!.steps.find((st) => st.action.label === 'C8')!;
    expect(c8.action.detail).toMatch(/^wakes task [12]$/);
    // with one task, the one waiter is always the one woken: v18's verdict
    expect(check(wakeOne, shorthandScenario(1, 0), ['P9']).result.verdict).toBe('holds');
  });
});

describe('footprints and the package entry', () => {
  it('the outcomes of wake_up_one read whether each actor is on the queue: a waiter joining races with them', () => {
    const m = buildModel(wakeOne, shorthandScenario(2, 0));
    const s = m.init();
    const at = { ...s, coord: { ...s.coord, pc: 'C8' } };
    const reads = m.por!.guardReads(at, 0)!.map((c) => m.por!.describeAccess!(c));
    expect(reads).toEqual(expect.arrayContaining(['coord.wq@waitq:read-not', 'tasks[0].wq@waitq:read-not', 'tasks[1].wq@waitq:read-not']));
  });
  it('crsim exports what a model file needs to use them', () => {
    expect(typeof api.atomic).toBe('function');
    expect(typeof api.withRoles).toBe('function');
    expect(typeof api.wakeOneOutcomes).toBe('function');
    expect(typeof api.wake_up_one).toBe('function');
    expect(api.ROLES).toEqual(['inRestore', 'activating', 'pfSection', 'exitPath']);
  });
});

describe('nondeterministic steps in random, PCT and timed runs', () => {
  const m = buildModel(wakeOne, shorthandScenario(2, 0));
  /** the outcomes C8 took over runs */
  const woken = (runs: readonly (readonly { action: RestartAction }[])[]): string[] =>
    [...new Set(runs.flatMap((steps) => steps.filter((st) => st.action.label === 'C8').map((st) => st.action.detail!)))].sort();
  it('PCT picks either outcome, seeded', () => {
    const walks = Array.from({ length: 60 }, (_x, k) => exploreSync(m, restartProperties(m).filter((p) => p.id === 'P9'), { strategy: 'pct', runs: 1, seed: k }));
    const seen = woken(walks.flatMap((w) => (w.violation ? [w.violation.steps] : [])));
    expect(seen).toEqual(expect.arrayContaining(['wakes task 1', 'wakes task 2']));
  });
  it('a timed run draws the outcome when the step fires', () => {
    const sim = new TimedSimulator(m, [], { profile: PRESETS['loaded']!, seed: 3 });
    const seen = new Set<string>();
    for (let r = 0; r < 80; r++) {
      const run = sim.run(r, true);
      const rep = replay(m, [], run.choices!);
      for (const st of rep.steps) if (st.action.label === 'C8') seen.add(st.action.detail!);
    }
    // and 'wakes nobody' when C8 runs before either task waits
    expect([...seen]).toEqual(expect.arrayContaining(['wakes task 1', 'wakes task 2']));
  });
});

describe('fused steps', () => {
  const fused = atomic(v18.task, 'T2', 'T3');
  it('keep the first label as key, show both, cite both and take the first guard', () => {
    const t2 = fused.T2!;
    expect(t2.label).toBe('T2+T3');
    expect(t2.cite).toBe(`T2: ${v18.task.T2!.cite}; T3: ${v18.task.T3!.cite}`);
    expect(t2.fn).toBe('do_restore_task');
    expect(fused.T3).toBe(v18.task.T3); // left for any other path to it
    const sleep = atomic(v18.task, 'T1:sleep', 'T1:prepare')['T1:sleep']!;
    expect(sleep.enabled).toBe(v18.task['T1:sleep']!.enabled);
  });
  it('v18 with T2+T3 atomic closes B4: P8 holds on one live task (v18 fails it in 11 steps)', () => {
    const variant: RestartVariant = { ...v18, name: 'test:v18-T2+T3', task: fused };
    expect(check(v18, shorthandScenario(1, 0), ['P8']).result.violation!.steps).toHaveLength(11);
    const { result } = check(variant, shorthandScenario(1, 0), ['P8']);
    expect(result.verdict).toBe('holds');
    // and the trace shows the fused label
    const { result: p9 } = check(variant, shorthandScenario(2, 0), ['P1']);
    expect(p9.violation!.steps.some((st) => st.action.label === 'T2+T3')).toBe(true);
  });
  it('a later step not enabled right after the one before is a model error (exit 4), naming both', () => {
    // T5:check goes to T5:sleep when nothing woke it, and T5:sleep waits for a wake-up
    const variant: RestartVariant = { ...v18, name: 'test:blocking', task: atomic(v18.task, 'T5:check', 'T5:sleep') };
    const m = buildModel(variant, shorthandScenario(2, 0));
    let thrown: unknown;
    try {
      exploreSync(m, restartProperties(m));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ModelError);
    expect((thrown as ModelError).message).toMatch(/model test:blocking: task \d at step 'T5:check': fused step T5:check\+T5:sleep: T5:sleep is not enabled right after T5:check/);
  });
  it('refuse what cannot be fused', () => {
    expect(() => atomic(v18.task, 'T2')).toThrow(/fusing 'T2' with nothing/);
    expect(() => atomic(v18.task, 'T2', 'T99')).toThrow(/no step 'T99'/);
    const nd: Steps<Task> = { ...v18.task, T3: { ...v18.task.T3!, outcomes: () => [{ arg: 0, detail: 'x' }] } };
    expect(() => atomic(nd, 'T2', 'T3')).toThrow(/'T3' is nondeterministic/);
  });
});

describe('step roles', () => {
  it('every model gives its steps the roles the labels had (the properties read the same steps as before)', () => {
    // the classification P1, P4, P10, P11 made from label spellings before roles
    const PF = /^(T5|T6|T7|T8|T9|T10|T11|T12)/;
    const was = (l: string): string[] =>
      [l === 'T6e' && 'inRestore', (l === 'T8a1' || l === 'T8a2') && 'activating', PF.test(l) && 'pfSection', /^X/.test(l) && 'exitPath'].filter((x): x is string => !!x);
    for (const v of variants) {
      const m = buildModel(v, shorthandScenario(1, 0));
      for (const l of Object.keys(v.task)) expect([...m.roleOf(l)].sort(), `${v.name} ${l}`).toEqual(was(l).sort());
      for (const l of Object.keys(v.coordinator)) expect(m.roleOf(l), `${v.name} ${l}`).toEqual([]);
    }
  });
  it('a role a property needs and no step has is a model error at load, unless the variant says it lacks it', () => {
    const bare: RestartVariant = {
      ...v18,
      name: 'test:no-activating',
      task: { ...v18.task, T8a1: { ...v18.task.T8a1!, roles: ['pfSection'] }, T8a2: { ...v18.task.T8a2!, roles: ['pfSection'] } },
    };
    expect(() => restartProperties(buildModel(bare, shorthandScenario(1, 0)))).toThrow(ModelError);
    expect(() => restartProperties(buildModel(bare, shorthandScenario(1, 0)))).toThrow(/model test:no-activating: .*no step has the role activating the properties need/);
    const declared: RestartVariant = { ...bare, lacks: { activating: 'test' } };
    expect(restartProperties(buildModel(declared, shorthandScenario(1, 0))).map((p) => p.id)).toContain('P1');
    expect(Object.keys(PROPERTY_ROLES)).toEqual(['P1', 'P4', 'P10', 'P11']);
  });
  it('P4 follows the inRestore role, not the label T6e', () => {
    // restore_task's inside renamed R6: P4's check and its observations move with the role
    const renamed: RestartVariant = {
      ...v18,
      name: 'test:renamed',
      task: {
        ...Object.fromEntries(Object.entries(v18.task).filter(([k]) => k !== 'T6e')),
        T6b: { ...v18.task.T6b!, run: (s, self, env, i) => (v18.task.T6b!.run(s, self, env, i), self.pc === 'T6e' ? void (self.pc = 'R6') : undefined) },
        R6: v18.task.T6e!,
      },
    };
    const m = buildModel(renamed, shorthandScenario(2, 0));
    expect(m.labelsWith('inRestore')).toEqual(['R6']);
    const p4 = restartProperties(m).find((p) => p.id === 'P4')!;
    const s = m.init();
    const both = { ...s, tasks: s.tasks.map((t) => ({ ...t, pc: 'R6' })) };
    const a: RestartAction = { actor: 1, label: 'T6b', pc: 'T6b' };
    expect(p4.onStep!(s, a, both)).toBe('tasks 1 and 2 are inside restore_task together');
    const entering = { ...s, tasks: s.tasks.map((t, i) => (i === 0 ? { ...t, pc: 'R6' } : t)) };
    expect(p4.observes!(s, a, entering)).toEqual(['tasks[0].pc@R6', 'tasks[1].pc@R6']);
    // the renamed model's verdicts are v18's
    for (const id of ['P1', 'P4', 'P8', 'P10']) {
      const a1 = check(renamed, shorthandScenario(2, 0), [id]).result;
      const b1 = check(v18, shorthandScenario(2, 0), [id]).result;
      expect(a1.verdict, id).toBe(b1.verdict);
      expect(a1.violation?.steps.length, id).toBe(b1.violation?.steps.length);
    }
  });
  it('withRoles adds roles to every step of a table, keeping the ones it had', () => {
    const t = withRoles({ A: { fn: 'f', cite: 'c', roles: ['pfSection'], run: () => undefined } }, 'activating', 'pfSection');
    expect(t.A!.roles).toEqual(['pfSection', 'activating']);
  });
  it('a scenario built from JSON runs with roles too (ghost models)', () => {
    const sc = parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'ghost' }] });
    const m = buildModel(variants.find((v) => v.name === 'v20')!, sc);
    expect(m.labelsWith('activating')).toEqual(['T8a1', 'T8a2']);
  });
});

describe('crsim on a model file: a missing role and a fused step that would wait are model errors (exit 4)', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crsim-model-api-'));
    const at = (p: string): string => JSON.stringify(join(ROOT, p));
    writeFileSync(
      join(dir, 'no-role.ts'),
      `import { v18 } from ${at('models/v18.ts')};\nexport default { ...v18, name: 'no-role', task: { ...v18.task, T6e: { ...v18.task.T6e!, roles: [] } } };\n`,
    );
    writeFileSync(
      join(dir, 'waits.ts'),
      `import { v18 } from ${at('models/v18.ts')};\nimport { atomic } from ${at('src/kernel/atomic.ts')};\nexport default { ...v18, name: 'waits', task: atomic(v18.task, 'T5:check', 'T5:sleep') };\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no step has the role inRestore', async () => {
    const r = await runCli('check', '--model', join(dir, 'no-role.ts'), '--tasks', '1', '--no-typecheck');
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/^crsim: model error: model no-role: .*no step has the role inRestore the properties need/);
    expect(r.out).toBe('');
  });
  it('T5:sleep cannot run right after T5:check', async () => {
    const r = await runCli('check', '--model', join(dir, 'waits.ts'), '--tasks', '2', '--no-typecheck');
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/model waits: task \d at step 'T5:check': fused step T5:check\+T5:sleep: T5:sleep is not enabled right after T5:check/);
  });
});
