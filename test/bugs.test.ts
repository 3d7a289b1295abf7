/**
 * The suspected bugs of v18 itself (reference/kernel-protocol.md §5 B4, B5, B6):
 * each shown with its minimal schedule in v18, and the same scenario under v20,
 * which the v19 changelog says fixes it. Then the T8a1–T8a2 window (found by
 * test/v18.test.ts as a P7 violation) across v18, v18-final and v20.
 */
import { describe, expect, it } from 'vitest';
import { v17 } from '../models/v17.ts';
import { v18final } from '../models/v18-final.ts';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties, type RestartProperty } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel, type RestartModel, type RestartVariant } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { EBUSY, ERESTARTSYS } from '../src/kernel/state.ts';

/** the shortest run where two failing tasks both notify (T11, below) */
const SECOND_NOTIFY_STEPS = 25;

const L = (vpid: number) => ({ vpid, kind: 'live' });
const Z = (vpid: number) => ({ vpid, kind: 'zombie' });

function check(variant: RestartVariant, input: unknown, props: (m: RestartModel) => RestartProperty[]) {
  const m = buildModel(variant, parseScenario(input));
  const r = exploreSync(m, props(m));
  const trace = (r.violation?.steps ?? []).map((s) => `${m.actors[s.action.actor]}:${s.action.label}`);
  return { m, r, trace };
}
const only = (...ids: string[]) => (m: RestartModel) => restartProperties(m).filter((p) => ids.includes(p.id));

/** asserts that `keys` occur in `trace` in this order */
function inOrder(trace: readonly string[], keys: readonly string[]): void {
  let at = -1;
  for (const k of keys) {
    const next = trace.indexOf(k, at + 1);
    expect(next, `${k} after step ${at + 1} in\n${trace.join('\n')}`).toBeGreaterThan(at);
    at = next;
  }
}

describe('B4: the T2–T3 window (checkpoint_ctx is NULL between the two xchg) fails a fault-free restart', () => {
  const one = { tasks: [L(1)] };
  it('v18: P8 in 11 steps on one task — the coordinator looks the root up while its slot is NULL', () => {
    const { r, trace } = check(v18, one, (m) => restartProperties(m));
    expect(r.violation?.property).toBe('P8');
    expect(r.violation!.steps).toHaveLength(11);
    expect(r.violation!.message).toContain('-ESRCH');
    inOrder(trace, ['coordinator:C5a1', 'live 1:T2', 'coordinator:C5a2', 'coordinator:C9']);
    expect(trace).not.toContain('live 1:T3');
  });
  it('v18-final keeps it (73/80 does not touch the xchg dance): the same 11 steps', () => {
    const { r, trace } = check(v18final, one, (m) => restartProperties(m));
    expect(r.violation?.property).toBe('P8');
    expect(r.violation!.steps).toHaveLength(11);
    inOrder(trace, ['live 1:T2', 'coordinator:C5a2']);
  });
  it('v20 (get_task_ctx under task_lock, no T3): every property holds on the same scenario', () => {
    const { r } = check(v20, one, (m) => restartProperties(m));
    expect(r.violation?.message).toBeUndefined();
    expect(r.verdict).toBe('holds');
  });
});

/**
 * B5 is a lost complete(): the coordinator sleeps in wait_for_completion with
 * ERROR already set. P9 reports the deadlock, but the shortest P9 schedule under
 * a signal fault is another hang (a task killed in T1, see test/faults.test.ts),
 * so B5's own schedule is found with this sharper check.
 */
const lostError: RestartProperty = {
  id: 'B5',
  title: 'an error is never lost: ERROR set, the coordinator does not sleep for ever in wait_for_completion',
  onEnd: (s) => (s.ctx.error && s.coord.pc === 'C5w:sleep' ? `ERROR is set (errno ${s.ctx.errno}) yet the coordinator sleeps for ever` : null),
};

describe('B5: init_completion after prepare_descendants erases an early error', () => {
  const scenario = { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 2 }] };

  it('needs two tasks: with one, the erased error is reported again by the failed lookup of its slot', () => {
    const { r } = check(v18, { tasks: [L(1)], faults: [{ type: 'signal', task: 1 }] }, () => [lostError]);
    expect(r.verdict).toBe('holds');
  });

  it('v18: 38 steps — task 2 fails in T5 and completes, C5i erases it, task 1 dies on ERROR without completing', () => {
    const { m, r, trace } = check(v18, scenario, () => [lostError]);
    expect(r.violation?.message).toBe('ERROR is set (errno -512) yet the coordinator sleeps for ever');
    expect(r.violation!.steps).toHaveLength(38);
    inOrder(trace, [
      'coordinator:C5p', // both tasks prepared
      'coordinator:C5p',
      'environment:signal',
      'live 2:T5:check', // interrupted: -ERESTARTSYS
      'live 2:T11', // no ERROR yet
      'live 2:T11n', // first error: ERROR, complete() (done 0 -> 1), wake_up_all
      'coordinator:C5i', // init_completion: done 1 -> 0
      'coordinator:C5a2', // activates task 1 (its slot is set): no error, no complete()
      'coordinator:C5w:check', // sleeps
      'live 1:T5:check', // sees ERROR: SIGKILL itself, -EBUSY
      'live 1:T11', // ERROR already set: no complete()
    ]);
    const at = (label: string) => r.violation!.steps[trace.indexOf(label)]!.state;
    expect(at('live 2:T11n').ctx.done).toBe(1);
    expect(at('coordinator:C5i').ctx.done).toBe(0);
    // the end state is a P9 deadlock as well
    const end = r.violation!.steps.at(-1)!.state;
    expect(m.actions(end)).toHaveLength(0);
    expect(restartProperties(m).find((p) => p.id === 'P9')!.onEnd!(end)).toBe('deadlock: nothing can move, yet coordinator at C5w:sleep');
  });

  it('v18-final keeps it (init_completion moved only in v19): the same 38 steps', () => {
    const { r } = check(v18final, scenario, () => [lostError]);
    expect(r.violation!.steps).toHaveLength(38);
  });

  it('v20 (init_completion in ckpt_ctx_alloc): no error is ever lost on the same scenario, nor with the signal to task 1', () => {
    for (const s of [scenario, { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 1 }] }]) {
      const { r } = check(v20, s, () => [lostError]);
      expect(r.violation?.message).toBeUndefined();
      expect(r.stats.states).toBeGreaterThan(1000);
    }
  });
});

describe('B6: a pending signal ends the final sync (wait_task_sync ignores the wait\'s result) before SUCCESS', () => {
  const one = { tasks: [L(1)], faults: [{ type: 'signal', task: 1 }] };

  it('v18: P7 in 21 steps on one task — the signal lands in T9, the task returns 0 before the coordinator sets SUCCESS', () => {
    const { r, trace } = check(v18, one, only('P7'));
    expect(r.violation?.message).toBe('task 1 returned 0 to user space before SUCCESS was set');
    expect(r.violation!.steps).toHaveLength(21);
    inOrder(trace, ['live 1:T8a1', 'live 1:T9:prepare', 'environment:signal', 'live 1:T9:check', 'live 1:T10', 'live 1:T13']);
    expect(trace).not.toContain('coordinator:C7');
  });

  it('v18: on two tasks the root escapes to user space before the second task has even started (23 steps)', () => {
    const { r, trace } = check(v18, { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 1 }] }, only('P7'));
    expect(r.violation?.message).toBe('task 1 returned 0 to user space before SUCCESS was set');
    expect(r.violation!.steps).toHaveLength(23);
    expect(r.violation!.steps.at(-1)!.state.tasks[1]!.restored).toBe(false);
    inOrder(trace, ['live 1:T8a2', 'live 1:T9:prepare', 'environment:signal', 'live 1:T9:check', 'live 1:T13']);
  });

  it('v18-final keeps it: 22 steps (restore_task_done is one more step)', () => {
    const { r, trace } = check(v18final, one, only('P7'));
    expect(r.violation!.steps).toHaveLength(22);
    inOrder(trace, ['live 1:T8d', 'environment:signal', 'live 1:T9:check', 'live 1:T13']);
  });

  it('v20 (pre_restore_task blocks the signal before T6): P7 holds on both scenarios', () => {
    for (const s of [one, { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 1 }] }]) {
      const { r } = check(v20, s, only('P7'));
      expect(r.violation?.message).toBeUndefined();
      expect(r.verdict).toBe('holds');
    }
  });
});

describe('the T8a1–T8a2 window: nothing holds the token between the increment and the lookup', () => {
  /** a lookup (T8a2) that fails although the task it looks up has already restored */
  const lateLookup: RestartProperty = {
    id: 'W',
    title: 'no lookup fails for a task that has already restored',
    onStep(prev, a, next) {
      if (a.label !== 'T8a2' || prev.ctx.error || !next.ctx.error) return null;
      const t = prev.tasks[prev.tasks[a.actor - 1]!.reg]!;
      return t.restored ? `the lookup failed for a task that had restored and is at ${t.pc}` : null;
    },
  };

  it('strict P1 and P11 (a live next task finishes the chain, then clears its slot, before the lookup): v18 only; v18-final and v20 hold on 2 and 3 tasks', () => {
    expect(check(v18, { tasks: [L(1), L(2)] }, only('P1')).r.violation!.steps).toHaveLength(28);
    expect(check(v18, { tasks: [L(1), L(2)] }, only('P11')).r.violation!.steps).toHaveLength(35);
    for (const v of [v18final, v20]) {
      for (const tasks of [[L(1), L(2)], [L(1), L(2), L(3)], [L(1), Z(2), L(3)]]) {
        const { r } = check(v, { tasks }, only('P1', 'P7', 'P11'));
        expect(r.violation?.message, `${v.name} ${tasks.length}`).toBeUndefined();
      }
    }
  });

  it('a zombie next task that exits before the lookup: a spurious -ESRCH in v18 and v18-final, not in v20', () => {
    const lz = { tasks: [L(1), Z(2)] };
    expect(check(v18, lz, () => [lateLookup]).r.violation!.message).toBe('the lookup failed for a task that had restored and is at X2a1');
    const { r, trace } = check(v18final, lz, () => [lateLookup]);
    expect(r.violation!.message).toBe('the lookup failed for a task that had restored and is at X2d');
    expect(r.violation!.steps).toHaveLength(29);
    inOrder(trace, ['live 1:T8a1', 'zombie 2:T6e', 'zombie 2:X2', 'live 1:T8a2']); // exit_checkpoint cleared the slot
    // v20's exit_checkpoint leaves the slot set: the lookup still finds the zombie
    expect(check(v20, lz, () => [lateLookup]).r.verdict).toBe('holds');
  });

  it('v20: a thread zombie (exit_signal -1) is reaped at exit_notify: P8 in 33 steps, no fault injected', () => {
    const { r, trace } = check(v20, { tasks: [L(1), { vpid: 2, kind: 'zombie', leader: false }] }, only('P8'));
    expect(r.violation!.message).toContain('-ESRCH');
    expect(r.violation!.steps).toHaveLength(33);
    inOrder(trace, ['live 1:T8a1', 'zombie 2:T5:check', 'zombie 2:T8a1', 'zombie 2:X1', 'live 1:T8a2', 'coordinator:C8k']);
    expect(r.violation!.steps[trace.indexOf('zombie 2:X1')]!.state.tasks[1]!.exitState).toBe(32); // EXIT_DEAD
  });
});

/** complete() called by the error path of a task while ERROR is already set by another task's error path */
const secondNotify: RestartProperty = {
  id: 'N',
  title: 'the out path notifies once: no complete() from T11 after another task\'s T11 set ERROR',
  onStep: (p, a, n) =>
    a.label.startsWith('T11') && p.ctx.error && p.ctx.errno === ERESTARTSYS && n.ctx.done > p.ctx.done
      ? `${a.label} completes again (done ${p.ctx.done} -> ${n.ctx.done}), errno ${p.ctx.errno} -> ${n.ctx.errno}`
      : null,
};

describe('T11: the out path tests ERROR, then notifies, under no lock', () => {
  // both tasks interrupted in their wait for their turn: each fails with -ERESTARTSYS and takes the out path
  const both = { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 1 }, { type: 'signal', task: 2 }] };

  it('v18: two failing tasks both pass the test, and both notify: complete() twice (25 steps); the helper keeps the first errno', () => {
    const { r, trace } = check(v18, both, () => [secondNotify]);
    expect(r.violation!.message).toBe('T11n completes again (done 1 -> 2), errno -512 -> -512');
    expect(r.violation!.steps).toHaveLength(SECOND_NOTIFY_STEPS);
    const tests = trace.flatMap((t, k) => (t.endsWith(':T11') ? [k] : []));
    const notifies = trace.flatMap((t, k) => (t.endsWith(':T11n') ? [k] : []));
    expect(tests).toHaveLength(2);
    expect(notifies).toHaveLength(2);
    expect(Math.max(...tests)).toBeLessThan(Math.min(...notifies)); // both tested before either notified
  });

  it('v18-final inherits the two steps; v20\'s ckpt_set_error (test_and_set_bit) is one: never a second complete()', () => {
    expect(check(v18final, both, () => [secondNotify]).r.violation!.steps).toHaveLength(SECOND_NOTIFY_STEPS);
    const { r } = check(v20, both, () => [secondNotify]);
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBeGreaterThan(500);
  });
});

describe('C7: v17-26 turns the coordinator\'s result into -EBUSY whenever ERROR is set after the wait', () => {
  /** the coordinator's C7 after an interrupted wait, with ERROR already set */
  const interrupted: RestartProperty = {
    id: 'C',
    title: 'reports what C7 makes of an interrupted wait with ERROR set',
    onStep: (p, a, n) => (a.actor === 0 && a.label === 'C7' && p.coord.ret === ERESTARTSYS && p.ctx.error ? `C7 returns ${n.coord.ret}` : null),
  };
  const input = { tasks: [L(1), L(2)], faults: [{ type: 'signal', task: 2 }, { type: 'signal-coordinator' }] };

  it('v17, v18 and v18-final (whose coordinator is v17-26\'s): -EBUSY, not -EINTR (21 steps)', () => {
    for (const v of [v17, v18, v18final]) {
      const { r, trace } = check(v, input, () => [interrupted]);
      expect(r.violation!.message, v.name).toBe(`C7 returns ${EBUSY}`);
      expect(r.violation!.steps, v.name).toHaveLength(21);
      inOrder(trace, ['live 2:T5:check', 'environment:signal', 'coordinator:C5w:check', 'live 2:T11n', 'coordinator:C7']);
    }
  });

  it('v20 returns the first errno instead (ckpt_get_error): the wait never reaches C7 interrupted with ERROR as -ERESTARTSYS', () => {
    const { r } = check(v20, input, () => [interrupted]);
    expect(r.verdict).toBe('holds');
  });
});
