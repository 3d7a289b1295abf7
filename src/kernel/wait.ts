/**
 * Waiting as the kernel's wait_event_interruptible does it, in three steps:
 * `prepare` (TASK_INTERRUPTIBLE, join the queue), `check` (condition true: go
 * on; signal pending: -ERESTARTSYS; else go to sleep), `sleep` (enabled only
 * once someone set us RUNNING; then prepare again). A waiter that checked
 * before preparing could miss the wake-up: this granularity lets a checker see it.
 */
import type { Draft } from 'immer';
import type { Env, Role, StepFn, Steps } from './model.ts';
import { finish_wait, prepare_to_wait } from './sched.ts';
import type { Proc, RestartState, WaitQueue } from './state.ts';

export interface WaitSpec<P extends Proc> {
  /** the contract's label, e.g. `T5`; the steps are `T5:prepare`, `T5:check`, `T5:sleep` */
  readonly label: string;
  readonly fn: string;
  readonly cite: string;
  readonly queue: WaitQueue;
  /** the wake condition, read at `check` */
  readonly cond: (s: Draft<RestartState>, self: Draft<P>, env: Env, i: number) => boolean;
  /** what `check` does once the condition holds (after finish_wait) */
  readonly woke: StepFn<P>;
  /** what `check` does when a signal is pending and the condition is false (after finish_wait) */
  readonly interrupted: StepFn<P>;
  /** the roles of its three steps, for the properties (src/kernel/model.ts Role) */
  readonly roles?: readonly Role[];
}

export const prepare = (label: string): string => `${label}:prepare`;

export function wait_event_interruptible<P extends Proc>(w: WaitSpec<P>): Steps<P> {
  const { label, fn, cite, queue } = w;
  const roles = w.roles?.length ? { roles: w.roles } : {};
  return {
    [`${label}:prepare`]: {
      fn,
      ...roles,
      cite: `${cite} (prepare_to_wait)`,
      run(_s, self) {
        prepare_to_wait(self, queue);
        self.pc = `${label}:check`;
      },
    },
    [`${label}:check`]: {
      fn,
      ...roles,
      cite: `${cite} (condition, then signal_pending)`,
      run(s, self, env, i) {
        if (w.cond(s, self, env, i)) {
          finish_wait(self);
          w.woke(s, self, env, i);
        } else if (self.sigPending) {
          finish_wait(self);
          w.interrupted(s, self, env, i);
        } else {
          self.pc = `${label}:sleep`;
        }
      },
    },
    [`${label}:sleep`]: {
      fn,
      ...roles,
      cite: `${cite} (schedule)`,
      enabled: (_s, self) => self.sched === 'RUNNING',
      run(_s, self) {
        self.pc = `${label}:prepare`;
      },
    },
  };
}
