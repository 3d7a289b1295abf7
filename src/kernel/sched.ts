import type { Draft } from 'immer';
import { assign, readIs } from './footprint.ts';
import type { Proc, RestartState, Sched, WaitQueue } from './state.ts';

type P = Draft<Proc>;

/**
 * Setting a task's state is a blind store (footprint.ts `assign`): a wake-up
 * commutes with another wake-up and with the waiter's own finish_wait, not
 * with prepare_to_wait.
 */
const SCHED: readonly Sched[] = ['RUNNING', 'INTERRUPTIBLE'];
const set_current_state = (p: P, state: Sched): void => assign(p, 'sched', state, SCHED);

/** prepare_to_wait: sched := TASK_INTERRUPTIBLE, join the queue. */
export function prepare_to_wait(p: P, q: WaitQueue): void {
  set_current_state(p, 'INTERRUPTIBLE');
  p.wq = q;
}

/** finish_wait: sched := TASK_RUNNING, leave the queue. */
export function finish_wait(p: P): void {
  set_current_state(p, 'RUNNING');
  p.wq = null;
}

/** wake_up_process: an interruptible sleeper becomes runnable (it stays queued until finish_wait). */
export function wake_up_process(p: P): void {
  set_current_state(p, 'RUNNING');
}

/** Every actor on queue `q`, coordinator first then tasks in pids order. */
export function* waiters(s: Draft<RestartState>, q: WaitQueue): Generator<P> {
  // readIs: the footprint says "is it on q?", so a task joining another queue does not conflict
  if (readIs(s.coord, 'wq', q)) yield s.coord;
  for (const t of s.tasks) if (readIs(t, 'wq', q)) yield t;
}

/** wake_up_all: every sleeper on the queue is woken and, with DEFINE_WAIT's autoremove, leaves it. */
export function wake_up_all(s: Draft<RestartState>, q: WaitQueue): void {
  for (const p of waiters(s, q)) {
    set_current_state(p, 'RUNNING');
    p.wq = null;
  }
}

/** signal_wake_up: the signal is pending and an interruptible sleeper is woken. */
export function signal_wake_up(p: P): void {
  p.sigPending = true;
  if (p.sched === 'INTERRUPTIBLE') set_current_state(p, 'RUNNING');
}

/** The coordinator as a waiter of {@link wakeOneOutcomes}; a task is its index. */
export const COORD_WAITER = -1;
/** The outcome of a wake-up that finds the queue empty: it wakes nobody. */
export const NO_WAITER = -2;

/**
 * The outcomes of wake_up_one on `q` ("wake one waiter, any of them": wake_up
 * on an exclusive wait, __wake_up_common with nr_exclusive 1; complete(), which
 * wakes one waiter of the completion): one per waiter, or, with none,
 * the wake-up that wakes nobody (it never blocks the waker). For a
 * nondeterministic step's `outcomes` (src/kernel/model.ts). Reads whether
 * each actor is on `q`, so a waiter joining or leaving races with it.
 */
export function wakeOneOutcomes(s: RestartState, q: WaitQueue, vpids: readonly number[]): { arg: number; detail: string }[] {
  const out: { arg: number; detail: string }[] = [];
  if (readIs(s.coord, 'wq', q)) out.push({ arg: COORD_WAITER, detail: 'wakes coordinator' });
  s.tasks.forEach((t, i) => {
    if (readIs(t, 'wq', q)) out.push({ arg: i, detail: `wakes task ${vpids[i]}` });
  });
  return out.length ? out : [{ arg: NO_WAITER, detail: 'wakes nobody' }];
}

/**
 * wake_up_one: the waiter the explorer chose (an outcome of
 * {@link wakeOneOutcomes}) is woken and, with autoremove, leaves the queue;
 * {@link NO_WAITER} wakes nobody.
 */
export function wake_up_one(s: Draft<RestartState>, who: number): void {
  if (who === NO_WAITER) return;
  const p = who === COORD_WAITER ? s.coord : s.tasks[who];
  if (!p) throw new Error(`wake_up_one: no waiter ${who}`);
  set_current_state(p, 'RUNNING');
  p.wq = null;
}
