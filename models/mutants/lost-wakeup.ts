/**
 * Mutant lost-wakeup (spec/restart-model.md §3, "A model that checks before it
 * prepares can lose a wake-up"): v18 whose wait for its turn (T5) tests the
 * condition before prepare_to_wait. The predecessor's wake_up_process that
 * lands between the test and prepare_to_wait finds the task still running and
 * does nothing; the task then sets TASK_INTERRUPTIBLE and sleeps although it is
 * active. Nobody wakes it again. Breaks P9.
 */
import { ctx_use } from '../../src/kernel/ctx.ts';
import type { RestartVariant } from '../../src/kernel/model.ts';
import { finish_wait, prepare_to_wait, signal_wake_up } from '../../src/kernel/sched.ts';
import { EBUSY, ERESTARTSYS } from '../../src/kernel/state.ts';
import { is_task_active, out, v18 } from '../v18.ts';

const cite = 'SEED wait_task_active: wait_event_interruptible(ctx->waitq, is_task_active || ERROR), mutant: the test before prepare_to_wait';

export const lostWakeup: RestartVariant = {
  ...v18,
  name: 'mutant:lost-wakeup',
  summary: 'v18 whose wait for its turn tests the condition before it prepares to sleep',
  breaks: 'P9',
  task: {
    ...v18.task,
    T4: {
      fn: 'do_restore_task',
      cite: 'SEED restart.c do_restore_task: current->flags |= PF_RESTARTING',
      run(_s, self) {
        self.pf = true;
        self.pc = 'T5:check';
      },
    },
    'T5:check': {
      roles: ['pfSection'],
      fn: 'wait_task_active',
      cite: `${cite} (condition, then signal_pending)`,
      run(s, self, env, i) {
        if (is_task_active(s, env, i) || ctx_use(s, 'T5').error) {
          finish_wait(self);
          if (s.ctx.error) {
            signal_wake_up(self);
            return out(self, EBUSY);
          }
          self.pc = 'T6b';
        } else if (self.sigPending) {
          finish_wait(self);
          out(self, ERESTARTSYS);
        } else {
          self.pc = 'T5:prepare';
        }
      },
    },
    'T5:prepare': {
      roles: ['pfSection'],
      fn: 'wait_task_active',
      cite: `${cite} (prepare_to_wait, after the test)`,
      run(_s, self) {
        prepare_to_wait(self, 'waitq');
        self.pc = 'T5:sleep';
      },
    },
    'T5:sleep': {
      roles: ['pfSection'],
      fn: 'wait_task_active',
      cite: `${cite} (schedule)`,
      enabled: (_s, self) => self.sched === 'RUNNING',
      run(_s, self) {
        self.pc = 'T5:check';
      },
    },
  },
};

export default lostWakeup;
