/**
 * Mutant B8 (reference/kernel-protocol.md §5 B8): v18 where a task whose wait
 * for its turn (T5) a signal ends leaves do_restore_task without the out path's
 * T10 (clear checkpoint_ctx) and T12 (clear PF_RESTARTING): it only reports the
 * error (T11) and puts R_local (T13). Killed, it reaches exit_checkpoint with
 * its ctx and PF_RESTARTING, which activates the next task although it never
 * held the token (or hits BUG_ON(active_pid == -1) before the first
 * activation). In v18 itself the signal path clears both, so the later do_exit
 * never passes the token [C code]. Breaks P3.
 */
import { ctx_use } from '../../src/kernel/ctx.ts';
import type { RestartVariant } from '../../src/kernel/model.ts';
import { signal_wake_up, wake_up_all } from '../../src/kernel/sched.ts';
import { EBUSY, ERESTARTSYS, type Task } from '../../src/kernel/state.ts';
import { wait_event_interruptible } from '../../src/kernel/wait.ts';
import { is_task_active, out, restore_notify_error, v18 } from '../v18.ts';

export const b8: RestartVariant = {
  ...v18,
  name: 'mutant:B8',
  summary: 'v18 where a task killed while waiting for its turn keeps its ctx and PF_RESTARTING into do_exit',
  breaks: 'P3',
  task: {
    ...v18.task,
    ...wait_event_interruptible<Task>({
      label: 'T5',
      roles: ['pfSection'],
      fn: 'wait_task_active',
      cite: 'SEED wait_task_active: wait_event_interruptible(ctx->waitq, is_task_active || ERROR); mutant B8: a signal leaves by T11x, skipping T10 and T12',
      queue: 'waitq',
      cond: (s, _self, env, i) => is_task_active(s, env, i) || ctx_use(s, 'T5').error,
      woke(s, self) {
        if (s.ctx.error) {
          signal_wake_up(self);
          return out(self, EBUSY);
        }
        self.pc = 'T6b';
      },
      interrupted(_s, self) {
        self.ret = ERESTARTSYS;
        self.pc = 'T11x';
      },
    }),
    T11x: {
      roles: ['pfSection'],
      fn: 'do_restore_task',
      cite: 'mutant B8: out path without T10 and T12: ret < 0 && !ERROR -> restore_notify_error; wake_up_all(&ctx->waitq)',
      run(s, self) {
        if (!ctx_use(s, 'T11x').error) {
          restore_notify_error(s, self.ret, 'T11x');
          wake_up_all(s, 'waitq');
        }
        self.pc = 'T13';
      },
    },
  },
};

export default b8;
