/**
 * Mutant B3 (reference/kernel-protocol.md §5 B3): v18 where the zombie
 * activates the next task before do_exit — 73/80's reorder — without 73/80's
 * nr_total counting (restore_task_done). The activation past the end still
 * calls complete(), so the coordinator may wake while the zombie (the last
 * entry, or the one before a fast last task) has not passed exit_notify.
 * 73/80 makes the reorder safe only by moving complete() to restore_task_done,
 * called from exit_checkpoint after exit_notify. Breaks P2.
 */
import { readIs } from '../../src/kernel/footprint.ts';
import { BUG_ON, ctx_use } from '../../src/kernel/ctx.ts';
import { withRoles, type RestartVariant } from '../../src/kernel/model.ts';
import { ESRCH, type Task } from '../../src/kernel/state.ts';
import { prepare } from '../../src/kernel/wait.ts';
import { out, restore_activate_next, v18 } from '../v18.ts';
import { task as v18final_task, without } from '../v18-final.ts';

export const b3: RestartVariant = {
  ...v18,
  name: 'mutant:B3',
  summary: 'v18 with the zombie activating the next task before do_exit, and no nr_total',
  breaks: 'P2',
  task: {
    ...without(v18.task, 'X2a1', 'X2a2'),
    T6e: { ...v18final_task.T6e!, cite: 'mutant B3 (as v18-73 do_restore_task): zombie or not, restore_task -> restore_activate_next' },
    ...withRoles(restore_activate_next<Task>(
      'T8a',
      'the token holder, i -> i+1; a zombie before do_exit (mutant B3)',
      (_s, self) => void (self.pc = self.zombie ? 'T7' : prepare('T9')),
      (_s, self) => out(self, ESRCH),
    ), 'activating', 'pfSection'),
    X2: {
      roles: ['exitPath'],
      fn: 'exit_checkpoint',
      cite: 'mutant B3: exit_checkpoint: ctx = xchg(&tsk->checkpoint_ctx, NULL); PF_RESTARTING -> BUG_ON(active_pid == -1) only (the token already passed)',
      run(s, self) {
        if (!self.slot) {
          self.pc = 'X3';
          return;
        }
        self.slot = false;
        if (self.pf) BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
        self.pc = 'X2p';
      },
    },
  },
};

export default b3;
