/**
 * Every mutant breaks the property it declares, on the smallest scenario that
 * exposes it, with a shortest counterexample: its length and the steps that
 * make it are asserted, and the smaller scenarios are shown to hold.
 */
import { describe, expect, it } from 'vitest';
import { findVariant, mutants } from '../models/index.ts';
import { restartProperties, type RestartProperty } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartModel, type RestartVariant } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const L = (vpid: number) => ({ vpid, kind: 'live' });
const Z = (vpid: number) => ({ vpid, kind: 'zombie' });
const G = (vpid: number) => ({ vpid, kind: 'ghost' });
const signal = (task: number) => ({ type: 'signal', task });

/**
 * The property, judged on runs where the kernel has not oopsed yet: after a
 * BUG_ON or a use after free (P6, P5) the model goes on, the kernel would not.
 */
function beforeOops(p: RestartProperty): RestartProperty {
  return {
    ...p,
    ...(p.onStep ? { onStep: (prev, a, next) => (prev.oops ? null : p.onStep!(prev, a, next)) } : {}),
    ...(p.onEnd ? { onEnd: (s) => (s.oops ? null : p.onEnd!(s)) } : {}),
  };
}

function check(variant: RestartVariant, input: unknown) {
  const m = buildModel(variant, parseScenario(input));
  const r = exploreSync(m, restartProperties(m).filter((p) => p.id === variant.breaks).map(beforeOops));
  return { m, r, trace: r.violation ? lanes(m, r.violation.steps) : [] };
}

const lanes = (m: RestartModel, steps: readonly { action: { actor: number; label: string } }[]): string[] =>
  steps.map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);

interface Case {
  readonly name: string;
  /** scenarios smaller than the smallest one: the declared property holds there */
  readonly smaller: readonly unknown[];
  readonly smallest: unknown;
  readonly steps: number;
  readonly message: string;
  /** the steps that make the counterexample, in the order they happen */
  readonly keys: readonly string[];
  /** steps that must not appear before the violation */
  readonly absent?: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'mutant:B1',
    smaller: [{ tasks: [L(1)] }],
    smallest: { tasks: [Z(1)] },
    steps: 23,
    message: 'every actor finished but ckpt_ctx refcount is 1 (leak)',
    // the zombie goes to do_exit holding R_local; exit_checkpoint drops only R_prep
    keys: ['zombie 1:T6e', 'zombie 1:T7', 'zombie 1:X1', 'zombie 1:X2', 'zombie 1:X2p', 'zombie 1:X3'],
  },
  {
    name: 'mutant:B2',
    smaller: [{ tasks: [L(1)] }],
    smallest: { tasks: [Z(1)] },
    steps: 19,
    message: 'coordinator woke while zombie 1 had not passed exit_notify',
    // the zombie passes the token past the end from exit_checkpoint, before exit_notify
    keys: ['zombie 1:T7', 'zombie 1:X2', 'zombie 1:X2a1', 'coordinator:C5w:check'],
    absent: ['zombie 1:X1'],
  },
  {
    name: 'mutant:B3',
    smaller: [{ tasks: [L(1)] }],
    smallest: { tasks: [Z(1)] },
    steps: 17,
    message: 'coordinator woke while zombie 1 had not passed exit_notify',
    // the zombie's own activation (before do_exit) completes the coordinator
    keys: ['zombie 1:T6e', 'zombie 1:T8a1', 'coordinator:C5w:check'],
    absent: ['zombie 1:T7', 'zombie 1:X1'],
  },
  {
    name: 'mutant:B7',
    smaller: [{ tasks: [L(1)] }, { tasks: [Z(1)] }],
    smallest: { tasks: [L(1), G(2)] },
    steps: 11,
    message: 'BUG_ON(ctx->active_pid == -1)',
    // the ghost exits while the coordinator has not activated anyone
    keys: ['coordinator:C5p', 'ghost 2:T3', 'ghost 2:G4', 'ghost 2:G6', 'ghost 2:X1', 'ghost 2:X2'],
    absent: ['coordinator:C5a1'],
  },
  {
    name: 'mutant:B8',
    smaller: [{ tasks: [L(1)] }, { tasks: [L(1), L(2)] }, { tasks: [L(1)], faults: [signal(1)] }],
    smallest: { tasks: [L(1), L(2)], faults: [signal(2)] },
    steps: 18,
    message: 'live 2 activated the next entry while task 1 held the token',
    keys: ['coordinator:C5a1', 'environment:signal', 'live 2:T5:check', 'live 2:T11x', 'live 2:T13', 'live 2:X2', 'live 2:X2a1'],
    absent: ['live 2:T10', 'live 2:T12'],
  },
  {
    name: 'mutant:B9',
    smaller: [],
    smallest: { tasks: [L(1)] },
    steps: 21,
    message: 'deadlock: nothing can move, yet coordinator at C5v:sleep; task 1 at T9:sleep',
    // the one complete() is consumed by the first wait; the second sleeps for ever
    keys: ['live 1:T8a1', 'coordinator:C5w:check', 'coordinator:C5v:prepare', 'coordinator:C5v:check'],
  },
  {
    name: 'mutant:B15',
    smaller: [{ tasks: [L(1)] }],
    smallest: { tasks: [Z(1)] },
    steps: 21,
    message: 'deadlock: nothing can move, yet coordinator at C5w:sleep',
    // v20 30–72: a zombie passes the token from exit_checkpoint but never reports done (nr_total stays 1)
    keys: ['zombie 1:T6e', 'zombie 1:T7', 'zombie 1:X1', 'zombie 1:X2', 'zombie 1:X2a1', 'zombie 1:X2p', 'zombie 1:X3'],
  },
  {
    name: 'mutant:lost-wakeup',
    smaller: [],
    smallest: { tasks: [L(1)] },
    steps: 14,
    message: 'deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T5:sleep',
    // the test, then the wake-up (a no-op on a running task), then prepare_to_wait
    keys: ['live 1:T5:check', 'coordinator:C5a2', 'live 1:T5:prepare'],
  },
  {
    name: 'mutant:stale-completion',
    smaller: [],
    smallest: { tasks: [L(1)] },
    steps: 7,
    message: 'coordinator woke while live task 1 had not finished restore_task',
    // the count left on the completion (C1) lets the wait through right after the first activation
    keys: ['coordinator:C1', 'coordinator:C4', 'coordinator:C5p', 'coordinator:C5a1', 'coordinator:C5a2', 'coordinator:C5w:check'],
    absent: ['live 1:T6e'],
  },
  {
    name: 'mutant:pf-cleared-early',
    smaller: [],
    smallest: { tasks: [L(1)] },
    steps: 15,
    message: 'task 1 at T9:prepare without PF_RESTARTING',
    // the task clears the flag (T8c) once it has passed the token, then waits for the final sync
    keys: ['live 1:T4', 'live 1:T6e', 'live 1:T8a1', 'live 1:T8c'],
    absent: ['live 1:T12'],
  },
];

describe('the mutants', () => {
  it('every registered mutant declares a property and has a case here', () => {
    expect(mutants.map((v) => v.name).sort()).toEqual(cases.map((c) => c.name).sort());
    for (const v of mutants) expect(v.breaks, v.name).toMatch(/^P([1-9]|1[01])$/);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s breaks its property on the smallest scenario, with a shortest counterexample', (name, c) => {
    const variant = findVariant(name)!;
    for (const input of c.smaller) {
      const { r } = check(variant, input);
      expect(r.violation?.message, `${name} on ${JSON.stringify(input)}`).toBeUndefined();
      expect(r.verdict).toBe('holds');
    }
    const { r, trace } = check(variant, c.smallest);
    expect(r.violation?.property).toBe(variant.breaks);
    expect(r.violation!.message).toBe(c.message);
    expect(r.violation!.steps).toHaveLength(c.steps);
    let at = -1;
    for (const k of c.keys) {
      const next = trace.indexOf(k, at + 1);
      expect(next, `${k} after step ${at + 1} in\n${trace.join('\n')}`).toBeGreaterThan(at);
      at = next;
    }
    for (const k of c.absent ?? []) expect(trace, k).not.toContain(k);
    // the run is a counterexample of the whole model too: no oops before it
    expect(r.violation!.steps.at(-2)?.state.oops ?? null).toBeNull();
  });

  it('mutant:B8: the killed waiter, never active, moves active_pid from 0 (task 1) to 1 from its exit_checkpoint', () => {
    const { r, trace } = check(findVariant('mutant:B8')!, cases.find((c) => c.name === 'mutant:B8')!.smallest);
    const steps = r.violation!.steps;
    expect(steps.at(-2)!.state.ctx.activePid).toBe(0);
    expect(steps.at(-1)!.state.ctx.activePid).toBe(1);
    expect(steps.at(-1)!.state.tasks[1]!.pf).toBe(true); // T12 skipped
    expect(trace.at(-1)).toBe('live 2:X2a1');
  });
});

describe('mutant:B15 with a live root (the stall the reference describes)', () => {
  it('the root restores and reports done; nobody activates pids_arr[1]: 25 steps on two live tasks', () => {
    const { r, trace } = check(findVariant('mutant:B15')!, { tasks: [L(1), L(2)] });
    expect(r.violation!.message).toBe('deadlock: nothing can move, yet coordinator at C5w:sleep; task 1 at T9:sleep; task 2 at T5:sleep');
    expect(r.violation!.steps).toHaveLength(25);
    expect(trace.indexOf('live 1:T6e')).toBeLessThan(trace.indexOf('live 1:T8d'));
    expect(trace.some((t) => t.includes('T8a'))).toBe(false);
    expect(r.violation!.steps.at(-1)!.state.ctx).toMatchObject({ activePid: 0, nrTotal: 1, done: 0 });
  });
});

describe('mutant:B15 keeps v20-30\'s count rule', () => {
  it('a ghost makes the count exceed nr_pids: -ESRCH from prepare_descendants (6 steps), where v20 (73/96: only a shortfall fails) restarts', () => {
    const input = { tasks: [L(1), G(2)] };
    const m = buildModel(findVariant('mutant:B15')!, parseScenario(input));
    const r = exploreSync(m, restartProperties(m).filter((p) => p.id === 'P8'));
    expect(r.violation!.message).toContain('returned -3 (-ESRCH)');
    expect(lanes(m, r.violation!.steps)).toEqual(['coordinator:C4', 'coordinator:C5p', 'coordinator:C5p', 'coordinator:C7', 'coordinator:C8k', 'coordinator:C9']);
    const v20 = buildModel(findVariant('v20')!, parseScenario(input));
    expect(exploreSync(v20, restartProperties(v20).filter((p) => p.id === 'P8')).verdict).toBe('holds');
  });
});

describe('the CLI on a mutant', () => {

  it('check --model mutant:B2 --tasks 2 --zombies 1 exits 1 with a short swimlane', async () => {
    const { code, out } = await runCli('check', '--model', 'mutant:B2', '--tasks', '2', '--zombies', '1');
    expect(code).toBe(1);
    expect(out).toContain('model mutant:B2 · scenario 2 tasks, 1 zombie');
    expect(out).toMatch(/^P\d+ violated after \d+ steps/m);
    const rows = out.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThanOrEqual(40);
  });

  it('with -p P2 it shows B2 itself: the zombie completes the coordinator from exit_checkpoint before exit_notify', async () => {
    const { code, out } = await runCli('check', '--model', 'mutant:B2', '--tasks', '2', '--zombies', '1', '-p', 'P2');
    expect(code).toBe(1);
    expect(out).toMatch(/^P2 violated after 30 steps: coordinator woke while zombie 2 had not passed exit_notify$/m);
    expect(out).toMatch(/coordinator\s+live 1\s+zombie 2\s+│ changed/);
    expect(out).toMatch(/X2a1 .*ctx\.done 0→1/);
  });
});
