/**
 * Faults (spec §1): a signal to a task, a signal to the coordinator, a failing
 * restore_task, a pid missing from the pid-ns, an extra prepared task, and the
 * ghost task kind. Each fault fires at any step where it is enabled. With a
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
/** the fault-free T8a1–T8a2 window of v17/v18 (test/v18.test.ts), which these faults do not prevent */
const lateLookup: Finding = {
  steps: 36,
  message: 'task 2 returned 0 to user space after ERROR',
  keys: ['live 1:T8a1', 'live 2:T8a1', 'coordinator:C7', 'live 1:T8a2', 'live 2:T13'],
};
/** B1 */
const leak: Finding = { steps: 42, message: 'every actor finished but ckpt_ctx refcount is 1 (leak)', keys: ['zombie 2:T7', 'zombie 2:X3'] };
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
    expect: { v17: { P7: lateLookup }, v18: { P7: lateLookup } },
  },
  {
    name: 'pid 2 missing from the pid-ns',
    input: { tasks: [L(1), L(2)], faults: [{ type: 'esrch', task: 2 }] },
    expect: { v17: { P7: lateLookup }, v18: { P7: lateLookup } },
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
      'v18-final': {
        // the root fails in T5 before the first activation; its T11 wakes ghostq
        P6: ghostBug(['environment:signal', 'live 1:T5:check', 'live 1:T11'], 23),
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
