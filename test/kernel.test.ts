import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { exploreSync } from '../src/engine/run.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';
import { complete, init_completion } from '../src/kernel/completion.ts';
import { BUG_ON, ckpt_ctx_get, ckpt_ctx_put, ctx_use } from '../src/kernel/ctx.ts';
import { buildModel, initialState } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { finish_wait, prepare_to_wait, signal_wake_up, wake_up_all, wake_up_process } from '../src/kernel/sched.ts';
import type { Proc, RestartState } from '../src/kernel/state.ts';
import { v18 } from '../models/v18.ts';

const fresh = (): RestartState =>
  initialState(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));

describe('ckpt_ctx refcount', () => {
  it('get and put change the count; the put that reaches 0 frees', () => {
    const s = produce(fresh(), (d) => {
      ckpt_ctx_get(d, 'a');
      ckpt_ctx_put(d, 'b');
      ckpt_ctx_put(d, 'c');
    });
    expect(s.ctx.refcount).toBe(0);
    expect(s.ctx.freed).toBe(true);
    expect(s.oops).toBeNull();
  });
  it('a put below zero is an oops of P5', () => {
    const s = produce(fresh(), (d) => {
      ckpt_ctx_put(d, 'first');
      d.ctx.freed = false; // pretend nobody noticed the free, to reach the underflow itself
      ckpt_ctx_put(d, 'second');
    });
    expect(s.oops).toEqual({ property: 'P5', what: 'ckpt_ctx_put below zero at second' });
  });
  it('any use after free is an oops of P5', () => {
    const s = produce(fresh(), (d) => {
      ckpt_ctx_put(d, 'last');
      ctx_use(d, 'T9');
    });
    expect(s.oops?.what).toBe('use after free of ckpt_ctx at T9');
  });
  it('BUG_ON records P6 only when its condition holds', () => {
    expect(produce(fresh(), (d) => BUG_ON(d, false, 'x')).oops).toBeNull();
    expect(produce(fresh(), (d) => BUG_ON(d, true, 'ctx->active_pid == -1')).oops).toEqual({
      property: 'P6',
      what: 'BUG_ON(ctx->active_pid == -1)',
    });
  });
});

describe('wait queues and wake-ups', () => {
  it('prepare_to_wait sleeps interruptibly on the queue; finish_wait leaves it', () => {
    const s = produce(fresh(), (d) => prepare_to_wait(d.tasks[0]!, 'waitq'));
    expect(s.tasks[0]).toMatchObject({ sched: 'INTERRUPTIBLE', wq: 'waitq' });
    expect(produce(s, (d) => finish_wait(d.tasks[0]!)).tasks[0]).toMatchObject({ sched: 'RUNNING', wq: null });
  });
  it('wake_up_process makes one sleeper runnable and leaves it queued', () => {
    const s = produce(fresh(), (d) => {
      prepare_to_wait(d.tasks[0]!, 'waitq');
      prepare_to_wait(d.tasks[1]!, 'waitq');
      wake_up_process(d.tasks[1]!);
    });
    expect(s.tasks.map((t) => [t.sched, t.wq])).toEqual([
      ['INTERRUPTIBLE', 'waitq'],
      ['RUNNING', 'waitq'],
    ]);
  });
  it('wake_up_all wakes exactly the sleepers of that queue and dequeues them', () => {
    const s = produce(fresh(), (d) => {
      prepare_to_wait(d.tasks[0]!, 'waitq');
      prepare_to_wait(d.tasks[1]!, 'stack');
      wake_up_all(d, 'waitq');
    });
    expect(s.tasks.map((t) => [t.sched, t.wq])).toEqual([
      ['RUNNING', null],
      ['INTERRUPTIBLE', 'stack'],
    ]);
  });
  it('a signal is left pending and wakes an interruptible sleeper', () => {
    const s = produce(fresh(), (d) => {
      prepare_to_wait(d.tasks[0]!, 'waitq');
      signal_wake_up(d.tasks[0]!);
      signal_wake_up(d.tasks[1]!);
    });
    expect(s.tasks.map((t) => [t.sched, t.sigPending])).toEqual([
      ['RUNNING', true],
      ['RUNNING', true],
    ]);
  });
});

describe('completions', () => {
  it('complete counts up and wakes the waiter; init_completion resets the count', () => {
    const s = produce(fresh(), (d) => {
      prepare_to_wait(d.coord, 'complete');
      complete(d, 'x');
      complete(d, 'y');
    });
    expect(s.ctx.done).toBe(2);
    expect(s.coord).toMatchObject({ sched: 'RUNNING', wq: null });
    expect(produce(s, (d) => init_completion(d, 'C5i')).ctx.done).toBe(0);
  });
});

/**
 * The lost wake-up, on the primitives alone: a waiter waits for `flag`; a waker
 * sets it and calls wake_up_process. Checking before preparing lets the wake-up
 * land between the check and the prepare, and the waiter sleeps for ever.
 */
describe('lost wake-up', () => {
  interface W {
    flag: boolean;
    waiter: Proc;
    waker: string;
  }
  type A = Action & { readonly who: 'waiter' | 'waker' };
  const act = (who: 'waiter' | 'waker', label: string): A => ({ who, actor: who === 'waiter' ? 0 : 1, label });
  const waitModel = (checkFirst: boolean): Model<W, A> => ({
    name: checkFirst ? 'check-then-prepare' : 'prepare-then-check',
    actors: ['waiter', 'waker'],
    init: () => ({ flag: false, waker: 'set', waiter: { pc: checkFirst ? 'check' : 'prepare', sched: 'RUNNING', wq: null, slot: false, sigPending: false, ret: 0, reg: -1 } }),
    actions(s) {
      const out: A[] = [];
      const pc = s.waiter.pc;
      if (pc === 'prepare' || pc === 'check') out.push(act('waiter', pc));
      if (pc === 'sleep' && s.waiter.sched === 'RUNNING') out.push(act('waiter', pc));
      if (s.waker !== 'done') out.push(act('waker', s.waker));
      return out;
    },
    next: (s, a) =>
      produce(s, (d) => {
        const w = d.waiter;
        if (a.who === 'waker') {
          if (d.waker === 'set') (d.flag = true), (d.waker = 'wake');
          else wake_up_process(w), (d.waker = 'done');
          return;
        }
        if (w.pc === 'prepare') {
          prepare_to_wait(w, 'waitq');
          w.pc = checkFirst ? 'sleep' : 'check';
        } else if (w.pc === 'check') {
          if (d.flag) finish_wait(w), (w.pc = 'done');
          else w.pc = checkFirst ? 'prepare' : 'sleep';
        } else w.pc = checkFirst ? 'check' : 'prepare';
      }),
  });
  const ends: Property<W, A> = {
    id: 'P9',
    title: 'every run ends',
    onEnd: (s) => (s.waiter.pc === 'done' ? null : `waiter asleep at ${s.waiter.pc}`),
  };

  it('prepare, check, sleep never loses the wake-up', () => {
    expect(exploreSync(waitModel(false), [ends]).verdict).toBe('holds');
  });
  it('check before prepare loses it: the waiter sleeps for ever', () => {
    const r = exploreSync(waitModel(true), [ends]);
    expect(r.verdict).toBe('violated');
    expect(r.violation!.steps.map((s) => `${s.action.who}:${s.action.label}`)).toEqual([
      'waiter:check',
      'waker:set',
      'waker:wake',
      'waiter:prepare',
    ]);
  });
});

describe("prepare_descendants' walk", () => {
  // v17-26 prepare_descendants: DFS over the children lists from the root; back at the root,
  // `root = task = next_thread(task)` until `root == leader`: the root's threads come last
  const vpidsOf = (s: ReturnType<typeof parseScenario>, order: readonly number[]) => order.map((i) => s.tasks[i]!.vpid);

  it("visits the root's threads after its whole subtree, not where they are listed", () => {
    const s = parseScenario({
      tasks: [
        { vpid: 1, kind: 'live' },
        { vpid: 2, kind: 'zombie' },
        { vpid: 3, kind: 'live', leader: false, tgid: 1 },
        { vpid: 4, kind: 'live' },
      ],
    });
    expect(vpidsOf(s, s.walk)).toEqual([1, 2, 4, 3]);
    // pids_arr (the activation order) is the list, as the image gives it
    expect(s.tasks.map((t) => t.vpid)).toEqual([1, 2, 3, 4]);
    expect(vpidsOf(s, s.listed)).toEqual([1, 2, 3, 4]);
  });

  it("keeps a thread of another leader where listed (a sibling of its leader on the parent's children list), and a ghost in place", () => {
    const s = parseScenario({
      tasks: [
        { vpid: 1, kind: 'live' },
        { vpid: 2, kind: 'live', leader: false },
        { vpid: 3, kind: 'live' },
        { vpid: 4, kind: 'live', leader: false },
        { vpid: 9, kind: 'ghost' },
        { vpid: 5, kind: 'live' },
      ],
    });
    expect(vpidsOf(s, s.walk)).toEqual([1, 3, 4, 9, 5, 2]);
    expect(vpidsOf(s, s.listed)).toEqual([1, 2, 3, 4, 9, 5]);
  });

  it('v18 prepares the tasks in walk order: the root thread 3 after the leaf 4', () => {
    const s = parseScenario({
      tasks: [
        { vpid: 1, kind: 'live' },
        { vpid: 3, kind: 'live', leader: false, tgid: 1 },
        { vpid: 4, kind: 'live' },
      ],
    });
    const m = buildModel(v18, s);
    const visits: string[] = [];
    let state = m.init();
    for (;;) {
      const a = m.actions(state).find((x) => x.actor === 0);
      if (!a || a.label !== 'C5p' && a.label !== 'C4') break;
      if (a.label === 'C5p') visits.push(a.detail!);
      state = m.next(state, a);
    }
    expect(visits).toEqual(['pid 1', 'pid 4', 'pid 3']);
    expect(state.coord.pc).toBe('C5i'); // all three counted: the walk is complete
  });
});
