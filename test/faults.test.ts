/**
 * Faults (spec §1): a signal to a task (handled, fatal or ignored), a signal to
 * the coordinator, a failing restore_task, a task dying inside restore_task, a
 * pid missing from the pid-ns, an extra prepared task, and the ghost task kind. Each fault fires at any step where it is enabled. With a
 * fault the restart may fail; P5, P6, P7 and P9 are checked one by one for
 * every variant, and where one does not hold the test asserts the finding with
 * its shortest schedule.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versions } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { main } from '../src/cli/main.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartVariant } from '../src/kernel/model.ts';
import { parseScenario, ScenarioError } from '../src/kernel/scenario.ts';
import type { RestartState } from '../src/kernel/state.ts';

const L = (vpid: number) => ({ vpid, kind: 'live' });
const Z = (vpid: number) => ({ vpid, kind: 'zombie' });
const G = (vpid: number) => ({ vpid, kind: 'ghost' });

describe('the scenario format: ghosts and extra tasks', () => {
  it('an extra task is appended after pids_arr, with the next free vpid, and sits last in the walk', () => {
    const s = parseScenario({ tasks: [L(1), Z(2)], faults: [{ type: 'extra-task' }] });
    expect(s.nrPids).toBe(2);
    expect(s.tasks.map((t) => [t.vpid, t.kind])).toEqual([[1, 'live'], [2, 'zombie'], [3, 'live']]);
    expect(s.walk).toEqual([0, 1, 2]);
    const m = buildModel(versions[1]!, s);
    expect(m.actors).toEqual(['coordinator', 'live 1', 'zombie 2', 'extra 3']);
    expect(m.injected(m.init())).toBe(true); // an extra task is a fault of the input
  });

  it('an extra task may be named, and signalled', () => {
    const s = parseScenario({ tasks: [L(1)], faults: [{ type: 'extra-task', vpid: 7 }, { type: 'signal', task: 7 }] });
    expect(s.tasks.map((t) => t.vpid)).toEqual([1, 7]);
  });

  it('a ghost is not in pids_arr: it moves after the pids_arr tasks and keeps its place in the walk', () => {
    const s = parseScenario({ tasks: [L(1), G(5), L(2)] });
    expect(s.nrPids).toBe(2);
    expect(s.tasks.map((t) => t.vpid)).toEqual([1, 2, 5]);
    expect(s.walk).toEqual([0, 2, 1]); // root, the ghost, then task 2
    expect(buildModel(versions[2]!, s).actors).toEqual(['coordinator', 'live 1', 'live 2', 'ghost 5']);
  });

  it.each([
    [{ tasks: [G(1), L(2)] }, 'scenario.tasks[0].kind: expected the root (pids_arr[0]) to be a live or zombie task (got "ghost")'],
    [{ tasks: [L(1), { vpid: 2, kind: 'ghost', leader: false }] }, 'scenario.tasks[1].leader: expected a ghost to be a thread-group leader (it owns a pgid) (got false)'],
    [{ tasks: [L(1), L(2)], faults: [{ type: 'extra-task', vpid: 2 }] }, 'scenario.faults[0].vpid: expected a vpid not used by a task of the scenario (got 2)'],
    [{ tasks: [L(1)], faults: [{ type: 'extra-task', vpid: 0 }] }, 'scenario.faults[0].vpid'],
    [{ tasks: [L(1)], faults: [{ type: 'extra-task', task: 1 }] }, 'scenario.faults[0]'],
    [{ tasks: [{ vpid: 1, kind: 'phantom' }] }, 'scenario.tasks[0].kind'],
  ])('refuses %j with the path, the value and what was expected', (input, message) => {
    expect(() => parseScenario(input)).toThrow(ScenarioError);
    expect(() => parseScenario(input)).toThrow(message);
  });

  it('a ghost in a variant before RESTART_GHOST (v17, v18) exits at once, as 73/80 says mktree made it do', () => {
    const m = buildModel(versions[1]!, parseScenario({ tasks: [L(1), G(2)] }));
    expect(m.init().tasks[1]!.pc).toBe('X1');
    const r = exploreSync(m, restartProperties(m).filter((p) => ['P5', 'P6', 'P7', 'P9'].includes(p.id)));
    expect(r.verdict).toBe('holds');
  });

  it('crsim check --model v18-final --scenario <ghost scenario> runs to a verdict; a bad one exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crsim-faults-'));
    const good = join(dir, 'ghost.json');
    writeFileSync(good, JSON.stringify({ name: 'root, ghost, zombie', tasks: [L(1), G(9), Z(2)] }));
    const lines: string[] = [];
    const code = await main(['check', '--model', 'v18-final', '--scenario', good, '-p', 'P1-P7,P10'], (s) => lines.push(s));
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/exhaustive: [\d,]+ states.*P1–P7, P10 hold/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ tasks: [G(9), L(1)] }));
    expect(await main(['check', '--model', 'v18-final', '--scenario', bad], () => undefined)).toBe(2);
  });
});

/** what P5, P6, P7 or P9 gives on a scenario: holds, or a shortest counterexample */
interface Finding {
  readonly steps: number;
  readonly message: string;
  /** steps of the counterexample, in this order */
  readonly keys: readonly string[];
  /** steps it does not contain */
  readonly absent?: readonly string[];
}
type Row = Partial<Record<'v17' | 'v18' | 'v18-final' | 'v20', Partial<Record<'P5' | 'P6' | 'P7' | 'P9', Finding>>>>;

/**
 * A task killed in T1 (a signal before its ctx is set) is still in the tree
 * until exit_notify: prepare_descendants gives it a ctx, the coordinator
 * activates it, and its exit_checkpoint (no PF_RESTARTING) drops the ctx without
 * reporting anything. Nobody calls complete(): the coordinator sleeps for ever,
 * in every variant.
 */
const killedInT1 = (t: string, steps: number, message: string): Finding => ({
  steps,
  message,
  keys: ['environment:signal', `${t}:T1:check`, 'coordinator:C5p', 'coordinator:C5a2', 'coordinator:C5w:check', `${t}:X1`, `${t}:X2`],
  absent: [`${t}:T2`],
});
/** B6: the signal ends wait_task_sync, whose result is ignored; no ERROR: the task returns 0 */
const escapesSync = (t: string, steps: number, vpid: number): Finding => ({
  steps,
  message: `task ${vpid} returned 0 to user space before SUCCESS was set`,
  keys: [`${t}:T9:prepare`, 'environment:signal', `${t}:T9:check`, `${t}:T10`, `${t}:T13`],
  absent: ['coordinator:C7'],
});
/** B1 (v17 keeps a zombie's R_local) */
const leak: Finding = { steps: 43, message: 'every actor finished but ckpt_ctx refcount is 1 (leak)', keys: ['zombie 2:T7', 'zombie 2:X3'] };
/** B7, reached by an error before the first activation: the released ghost exits with PF_RESTARTING */
const ghostBug = (keys: string[], steps: number): Finding => ({
  steps,
  message: 'BUG_ON(ctx->active_pid == -1)',
  keys: [...keys, 'ghost 9:G5:check', 'ghost 9:G6', 'ghost 9:X1', 'ghost 9:X2'],
  absent: ['coordinator:C5a1'],
});

const cases: readonly { name: string; input: unknown; expect: Row }[] = [
  {
    name: 'signal to the only task',
    input: { tasks: [L(1)], faults: [{ type: 'signal', task: 1 }] },
    expect: {
      v17: { P7: escapesSync('live 1', 21, 1), P9: killedInT1('live 1', 14, 'deadlock: nothing can move, yet coordinator at C5w:sleep') },
      v18: { P7: escapesSync('live 1', 21, 1), P9: killedInT1('live 1', 14, 'deadlock: nothing can move, yet coordinator at C5w:sleep') },
      'v18-final': { P7: escapesSync('live 1', 22, 1), P9: killedInT1('live 1', 14, 'deadlock: nothing can move, yet coordinator at C5w:sleep') },
      v20: { P9: killedInT1('live 1', 13, 'deadlock: nothing can move, yet coordinator at C5w:sleep') },
    },
  },
  {
    name: 'signal to the second task',
    input: { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 2 }] },
    expect: {
      v17: { P7: escapesSync('live 2', 32, 2), P9: killedInT1('live 2', 28, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep') },
      v18: { P7: escapesSync('live 2', 32, 2), P9: killedInT1('live 2', 28, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep') },
      'v18-final': { P7: escapesSync('live 2', 33, 2), P9: killedInT1('live 2', 29, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep') },
      v20: {
        // wait_task_active ignores the wait's result: task 2 restores out of turn and takes task 1's turn
        P9: {
          steps: 28,
          message: 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T5:sleep; task 2 at T9:sleep',
          keys: ['environment:signal', 'live 2:T5:check', 'live 2:T5b', 'live 2:T6e', 'live 2:T8a1', 'live 2:T8d'],
          absent: ['live 1:T6b'],
        },
      },
    },
  },
  {
    name: 'signal to the coordinator',
    input: { tasks: [L(1), Z(2)], faults: [{ type: 'signal-coordinator' }] },
    expect: { v17: { P5: leak } },
  },
  {
    name: 'restore_task of the zombie fails',
    input: { tasks: [L(1), Z(2)], faults: [{ type: 'restore-fails', task: 2 }] },
    expect: { v17: { P5: leak } },
  },
  {
    name: 'restore_task of the second task fails',
    input: { tasks: [L(1), L(2)], faults: [{ type: 'restore-fails', task: 2 }] },
    // v18's late lookup (T8a1-T8a2) sets ERROR after SUCCESS: P11's, not P7's (SUCCESS came first)
    expect: {},
  },
  {
    name: 'pid 2 missing from the pid-ns',
    input: { tasks: [L(1), L(2)], faults: [{ type: 'esrch', task: 2 }] },
    expect: {},
  },
  {
    name: 'an extra task, last in the walk',
    input: { tasks: [L(1)], faults: [{ type: 'extra-task' }] },
    expect: {
      // v18's walk stops at nr_pids and refuses the tree (task != root): the extra task is never prepared
      v17: { P9: { steps: 21, message: 'deadlock: nothing can move, yet task 2 at T1:sleep', keys: ['coordinator:C5p', 'coordinator:C7', 'extra 2:T1:check'] } },
      v18: { P9: { steps: 21, message: 'deadlock: nothing can move, yet task 2 at T1:sleep', keys: ['coordinator:C5p', 'coordinator:C7', 'extra 2:T1:check'] } },
      // B14: counted in nr_total, never active, never done
      'v18-final': {
        P9: {
          steps: 28,
          message: 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep; task 2 at T5:sleep',
          keys: ['coordinator:C5p', 'coordinator:C5p', 'live 1:T8d', 'extra 2:T5:check'],
        },
      },
      v20: {
        P9: {
          steps: 26,
          message: 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep; task 2 at T5:sleep',
          keys: ['coordinator:C5p', 'coordinator:C5p', 'live 1:T8d', 'extra 2:T5:check'],
        },
      },
    },
  },
  {
    name: 'a ghost, signalled',
    input: { tasks: [L(1), G(9)], faults: [{ type: 'signal', task: 9 }] },
    expect: {
      'v18-final': {
        P6: ghostBug(['environment:signal'], 14),
        P9: killedInT1('ghost 9', 28, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep'),
      },
      v20: {
        P6: ghostBug(['environment:signal'], 13),
        P9: killedInT1('ghost 9', 27, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep'),
      },
    },
  },
  {
    name: 'a ghost, and a signal to the root',
    input: { tasks: [L(1), G(9)], faults: [{ type: 'signal', task: 1 }] },
    expect: {
      // v17's lookup has no checkpoint_ctx test: it finds the root, killed in T1 and never prepared, and wakes it; nobody completes
      v17: {
        P9: {
          steps: 18,
          message: 'deadlock: nothing can move, yet coordinator at C5w:sleep',
          keys: ['environment:signal', 'live 1:T1:check', 'live 1:X1', 'coordinator:C5p', 'coordinator:C5a2', 'coordinator:C5w:check', 'live 1:X2'],
          absent: ['live 1:T2'],
        },
      },
      'v18-final': {
        // the root fails in T5 before the first activation; its T11 wakes ghostq
        P6: ghostBug(['environment:signal', 'live 1:T5:check', 'live 1:T11'], 24),
        P7: escapesSync('live 1', 23, 1),
        // the ghost is never released: the coordinator's error path does not wake ghostq
        P9: killedInT1('live 1', 22, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 9 at G5:sleep'),
      },
      v20: {
        // out of turn: the root restores before the walk has set nr_total
        P6: {
          steps: 15,
          message: 'BUG_ON(atomic_read(&ctx->nr_total) < 0)',
          keys: ['environment:signal', 'live 1:T5:check', 'live 1:T5b', 'live 1:T6e', 'live 1:T8a1', 'live 1:T8d'],
          absent: ['coordinator:C5a1'],
        },
        P9: killedInT1('live 1', 20, 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 9 at G5:sleep'),
      },
    },
  },
];

const PROPS = ['P5', 'P6', 'P7', 'P9'] as const;

function verify(variant: RestartVariant, input: unknown, id: string, finding: Finding | undefined): void {
  const m = buildModel(variant, parseScenario(input));
  const r = exploreSync(m, restartProperties(m).filter((p) => p.id === id));
  const where = `${variant.name} ${id} on ${JSON.stringify(input)}`;
  if (!finding) {
    expect(r.violation?.message, where).toBeUndefined();
    expect(r.verdict, where).toBe('holds');
    return;
  }
  const trace = r.violation!.steps.map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);
  expect(r.violation?.message, where).toBe(finding.message);
  expect(r.violation!.steps, where).toHaveLength(finding.steps);
  let at = -1;
  for (const k of finding.keys) {
    const next = trace.indexOf(k, at + 1);
    expect(next, `${where}: ${k} after step ${at + 1} in\n${trace.join('\n')}`).toBeGreaterThan(at);
    at = next;
  }
  for (const k of finding.absent ?? []) expect(trace, `${where}: ${k}`).not.toContain(k);
}

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it.each(versions.map((v) => [v.name, v] as const))('%s: P5, P6, P7, P9 hold, or the finding is its shortest schedule', (_v, variant) => {
    const row = c.expect[variant.name as keyof Row] ?? {};
    for (const id of PROPS) verify(variant, c.input, id, row[id]);
  });
});

describe('what the faults do to the restart', () => {
  it('v20 with a signal to the coordinator: the restart returns -EINTR when the signal ends its wait, 0 otherwise', () => {
    const m = buildModel(versions[3]!, parseScenario({ tasks: [L(1), L(2)], faults: [{ type: 'signal-coordinator' }] }));
    // the coordinator, interrupted in wait_for_completion: explore every end and look at the coordinator's result
    const ends = new Set<string>();
    const record = (s: RestartState): null => {
      ends.add(`${s.coord.ret}/${s.fired[0]}`);
      return null;
    };
    const r = exploreSync(m, [{ id: 'end', title: 'record', onEnd: record }]);
    expect(r.verdict).toBe('holds');
    expect([...ends].sort()).toEqual(['-4/true', '0/false', '0/true']); // -EINTR when the signal ends the wait
  });

  it('restore-fails in v20: the first errno (-EIO) reaches the coordinator, never success', () => {
    const m = buildModel(versions[3]!, parseScenario({ tasks: [L(1), L(2)], faults: [{ type: 'restore-fails', task: 2 }] }));
    const ends = new Set<number>();
    const record = (s: RestartState): null => {
      if (s.fired[0]) ends.add(s.coord.ret);
      return null;
    };
    exploreSync(m, [{ id: 'end', title: 'record', onEnd: record }]);
    expect([...ends]).toEqual([-5]);
  });
});

describe('the fault kinds of the amended spec: the format', () => {
  it.each([
    [{ tasks: [L(1)], faults: [{ type: 'signal', task: 1, disposition: 'lethal' }] }, 'scenario.faults[0].disposition'],
    [{ tasks: [L(1)], faults: [{ type: 'signal-coordinator', disposition: 'fatal' }] }, 'scenario.faults[0]'],
    [{ tasks: [L(1), G(9)], faults: [{ type: 'dies-in-restore', task: 9 }] }, 'scenario.faults[0].task: expected the vpid of a task that runs restore_task (a ghost never does) (got 9)'],
    [{ tasks: [L(1)], faults: [{ type: 'dies-in-restore', task: 2 }] }, 'scenario.faults[0].task: expected the vpid of a task of the scenario (got 2)'],
    [{ tasks: [L(1)], faults: [{ type: 'dies-in-restore' }] }, 'scenario.faults[0].task'],
  ])('refuses %j with the path, the value and what was expected', (input, message) => {
    expect(() => parseScenario(input)).toThrow(ScenarioError);
    expect(() => parseScenario(input)).toThrow(message);
  });

  it('a bad disposition names the three it accepts', () => {
    expect(() => parseScenario({ tasks: [L(1)], faults: [{ type: 'signal', task: 1, disposition: 'lethal' }] })).toThrow(/handled.*fatal.*ignored.*\(got "lethal"\)/);
  });

  it('a signal without a disposition is a handled one, and the parsed scenario keeps none', () => {
    expect(parseScenario({ tasks: [L(1)], faults: [{ type: 'signal', task: 1 }] }).faults).toEqual([{ type: 'signal', task: 1 }]);
  });
});

/** The shortest counterexample of one property, with its trace as `actor:label`. */
function shortest(variant: RestartVariant, input: unknown, id: string, only?: (message: string) => boolean) {
  const m = buildModel(variant, parseScenario(input));
  const props = restartProperties(m)
    .filter((p) => p.id === id)
    .map((p) => (only ? { ...p, onStep: p.onStep && ((a: RestartState, b: never, c: RestartState) => { const r = p.onStep!(a, b, c); return r && only(r) ? r : null; }) } : p));
  const r = exploreSync(m, props);
  return { r, m, trace: r.violation?.steps.map((s) => `${m.actors[s.action.actor]}:${s.action.label}`) ?? [] };
}

const byName = (name: string): RestartVariant => versions.find((v) => v.name === name)!;
const LL = (...faults: object[]) => ({ tasks: [L(1), L(2)], faults });
const die = (task: number) => ({ type: 'dies-in-restore', task });
const sig = (task: number, disposition?: string) => ({ type: 'signal', task, ...(disposition ? { disposition } : {}) });

describe('dies-in-restore: the task dies inside restore_task (reference B8, real variant)', () => {
  it('v18, two live tasks, task 1 dies: exit_checkpoint passes the token on, the coordinator wakes without ERROR (P1, 31 steps) and R_local leaks (P5, 39)', () => {
    // strict P1 fails sooner without the fault (the T8a1-T8a2 window, 28 steps): the fault's own route is the unrestored task
    const p1 = shortest(byName('v18'), LL(die(1)), 'P1', (msg) => msg.includes('had not finished restore_task'));
    expect(p1.r.violation?.message).toBe('coordinator woke while live task 1 had not finished restore_task');
    expect(p1.r.violation?.steps).toHaveLength(31);
    const at = (k: string) => p1.trace.indexOf(k);
    expect(at('environment:oops in restore_task')).toBeGreaterThan(-1);
    expect(at('live 1:T6e')).toBeGreaterThan(at('environment:oops in restore_task'));
    expect(p1.trace.slice(at('live 1:T6e') + 1).filter((k) => k.startsWith('live 1:'))).toEqual(['live 1:X1', 'live 1:X2', 'live 1:X2a1']);
    expect(at('live 2:T6e')).toBeGreaterThan(at('live 1:X2a1'));
    expect(p1.r.violation?.steps.at(-1)!.state.ctx.error).toBe(false);
    expect(shortest(byName('v18'), LL(die(1)), 'P1').r.violation?.steps).toHaveLength(28);

    const p5 = shortest(byName('v18'), LL(die(1)), 'P5');
    expect(p5.r.violation?.message).toBe('every actor finished but ckpt_ctx refcount is 1 (leak)');
    expect(p5.r.violation?.steps).toHaveLength(39);
    expect(p5.trace).toContain('live 1:X2p'); // R_prep is put by exit_checkpoint; R_local never is
    expect(p5.trace).not.toContain('live 1:T13');
  });

  it('with a single task every version wakes the coordinator with the task unrestored (P1) and leaks R_local (P5)', () => {
    const expected: Record<string, [number, number]> = { v17: [20, 25], v18: [20, 23], 'v18-final': [20, 23], v20: [19, 24] };
    for (const v of versions) {
      const p1 = shortest(v, { tasks: [L(1)], faults: [die(1)] }, 'P1');
      expect(p1.r.violation?.message, v.name).toBe('coordinator woke while live task 1 had not finished restore_task');
      expect([p1.r.violation?.steps.length, shortest(v, { tasks: [L(1)], faults: [die(1)] }, 'P5').r.violation?.steps.length], v.name).toEqual(expected[v.name]);
    }
  });

  it('v18-final and v20 do not pass the token from exit_checkpoint (restore_task_done only): a dead first task leaves the second waiting for ever (P9)', () => {
    for (const [name, steps] of [['v18-final', 30], ['v20', 28]] as const) {
      const p9 = shortest(byName(name), LL(die(1)), 'P9');
      expect(p9.r.violation?.message, name).toBe('deadlock: nothing can move, yet coordinator at C5w:sleep; task 2 at T5:sleep');
      expect(p9.r.violation?.steps, name).toHaveLength(steps);
      expect(p9.trace, name).toContain('live 1:X2d');
      expect(shortest(byName(name), LL(die(1)), 'P1').r.verdict, name).toBe('holds');
    }
    // the last task dying: the count reaches 0, the coordinator returns 0 with active_pid short (P3)
    for (const [name, steps] of [['v18-final', 25], ['v20', 24]] as const) {
      const p3 = shortest(byName(name), { tasks: [L(1)], faults: [die(1)] }, 'P3');
      expect(p3.r.violation?.message, name).toBe('restart succeeded with active_pid 0 of 1');
      expect(p3.r.violation?.steps, name).toHaveLength(steps);
    }
  });

  it('the fault counts as injected once it fires (P8 does not apply)', () => {
    const m = buildModel(byName('v18'), parseScenario(LL(die(1))));
    const ends = new Set<string>();
    exploreSync(m, [{ id: 'end', title: 'record', onEnd: (s: RestartState) => (s.fired[0] && ends.add(`${m.injected(s)} ${s.tasks[0]!.pc}`), null) }]);
    expect([...ends]).toEqual(['true gone']);
  });
});

describe('signal dispositions', () => {
  it("handled (today's signal): B6's early return needs the handler: v18 task 1 returns 0 before SUCCESS (P7, 23 steps); fatal and ignored never show it", () => {
    expect(shortest(byName('v18'), LL(sig(1)), 'P7').r.violation?.steps).toHaveLength(23);
    expect(shortest(byName('v18'), LL(sig(1, 'handled')), 'P7').r.violation?.steps).toHaveLength(23);
    for (const v of versions) {
      for (const d of ['fatal', 'ignored']) {
        for (const t of [1, 2]) expect(shortest(v, LL(sig(t, d)), 'P7').r.verdict, `${v.name} ${d} ${t}`).toBe('holds');
      }
    }
  });

  it('fatal: the signalled task never returns to user space; the interrupted waits still hang the restart (v18 P9, 22 steps as with a handler)', () => {
    for (const v of versions) {
      const m = buildModel(v, parseScenario(LL(sig(1, 'fatal'))));
      const ends = new Set<string>();
      exploreSync(m, [{ id: 'end', title: 'record', onEnd: (s: RestartState) => (s.fired[0] && ends.add(s.tasks[0]!.pc), null) }]);
      expect([...ends], v.name).not.toContain('done');
      expect([...ends], v.name).toContain('gone');
    }
    const p9 = shortest(byName('v18'), LL(sig(1, 'fatal')), 'P9');
    expect(p9.r.violation?.message).toBe('deadlock: nothing can move, yet coordinator at C5w:sleep; task 2 at T5:sleep');
    expect(p9.r.violation?.steps).toHaveLength(22);
  });

  it('fatal: a task that restored and would return 0 exits at the return instead (T13, then do_exit)', () => {
    const m = buildModel(byName('v18'), parseScenario({ tasks: [L(1)], faults: [sig(1, 'fatal')] }));
    let seen = 0;
    exploreSync(m, [{
      id: 'return',
      title: 'a step that would return 0 with SIGKILL pending',
      onStep: (prev: RestartState, a, next: RestartState) => {
        if (a.actor === 1 && a.label === 'T13' && prev.tasks[0]!.fatal && prev.tasks[0]!.ret === 0) {
          seen++;
          expect(next.tasks[0]!.pc).toBe('X1');
        }
        return null;
      },
    }]);
    expect(seen).toBeGreaterThan(0);
  });

  it('fatal: complete_signal kills the whole thread group; a target that blocks it (v20 T5b-T12) only queues it, pending nothing', () => {
    const s = parseScenario({ tasks: [L(1), { vpid: 2, kind: 'live', leader: false }, L(3)], faults: [sig(2, 'fatal')] });
    const m = buildModel(byName('v18'), s);
    const fire = m.actions(m.init()).find((a) => a.fault === 0)!;
    const after = m.next(m.init(), fire);
    expect(after.tasks.map((t) => [t.fatal, t.sigPending])).toEqual([[true, true], [true, true], [false, false]]);
    const v20 = buildModel(byName('v20'), s);
    const blocked = { ...v20.init(), tasks: v20.init().tasks.map((t, i) => (i === 1 ? { ...t, blocked: true } : t)) };
    const queued = v20.next(blocked, v20.actions(blocked).find((a) => a.fault === 0)!);
    expect(queued.tasks.map((t) => [t.fatal, t.sigPending])).toEqual([[false, false], [true, false], [false, false]]);
  });

  it('fatal in v20: SIGKILL taken before pre_restore_task stays pending through it (T5b)', () => {
    const m = buildModel(byName('v20'), parseScenario(LL(sig(1, 'fatal'))));
    let seen = 0;
    const r = exploreSync(m, [{
      id: 'T5b',
      title: 'SIGKILL stays pending',
      onStep: (prev: RestartState, a, next: RestartState) => {
        if (a.label !== 'T5b' || !prev.tasks[a.actor - 1]!.fatal) return null;
        seen++;
        return next.tasks[a.actor - 1]!.sigPending ? null : 'SIGKILL lost at T5b';
      },
    }]);
    expect(r.verdict).toBe('holds');
    expect(seen).toBeGreaterThan(0);
  });

  it('ignored: dropped on send and not counted as injected, so every property has the verdict and shortest length of the fault-free tree (P8 included)', () => {
    for (const v of versions) {
      const plain = buildModel(v, parseScenario(LL()));
      const ignored = buildModel(v, parseScenario(LL(sig(2, 'ignored'))));
      for (const p of restartProperties(plain)) {
        const a = exploreSync(plain, [p]);
        const b = exploreSync(ignored, restartProperties(ignored).filter((q) => q.id === p.id));
        expect([b.verdict, b.violation?.steps.length, b.violation?.message], `${v.name} ${p.id}`).toEqual([a.verdict, a.violation?.steps.length, a.violation?.message]);
      }
      const fire = ignored.actions(ignored.init()).find((x) => x.fault === 0)!;
      expect(fire.label).toBe('ignored signal');
      const after = ignored.next(ignored.init(), fire);
      expect(ignored.injected(after), v.name).toBe(false);
      expect({ ...after, fired: [] }).toEqual({ ...ignored.init(), fired: [] });
    }
  });
});
