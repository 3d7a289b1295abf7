/**
 * Mutant pf-cleared-early (spec/restart-model.md §6): v18 whose restoring task
 * clears PF_RESTARTING right after passing the token, before its final sync
 * (wait_task_sync), instead of on the way out (T12). PF_RESTARTING is what
 * keeps exit paths from notifying the parent while the tree is half restored
 * (reference §1, PF_RESTARTING rationale): a task killed in the final sync
 * would now exit as an ordinary task. Breaks P10.
 */
import { withRoles, type RestartVariant } from '../../src/kernel/model.ts';
import { ESRCH, type Task } from '../../src/kernel/state.ts';
import { prepare } from '../../src/kernel/wait.ts';
import { out, restore_activate_next, v18 } from '../v18.ts';

export const pfClearedEarly: RestartVariant = {
  ...v18,
  name: 'mutant:pf-cleared-early',
  summary: 'v18 whose task clears PF_RESTARTING before its final sync',
  breaks: 'P10',
  task: {
    ...v18.task,
    ...withRoles(restore_activate_next<Task>(
      'T8a',
      'the token holder, i -> i+1',
      (_s, self) => void (self.pc = 'T8c'),
      (_s, self) => out(self, ESRCH),
    ), 'activating', 'pfSection'),
    T8c: {
      roles: ['pfSection'],
      fn: 'do_restore_task',
      cite: 'mutant pf-cleared-early: current->flags &= ~PF_RESTARTING before wait_task_sync',
      run(_s, self) {
        self.pf = false;
        self.pc = prepare('T9');
      },
    },
  },
};

export default pfClearedEarly;
