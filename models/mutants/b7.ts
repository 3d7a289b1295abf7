/**
 * Mutant B7 (reference/kernel-protocol.md §5 B7): v18-final whose ghost does not
 * wait on ghostq: do_ghost_task sets PF_RESTARTING and exits at once. Its
 * exit_checkpoint, with PF_RESTARTING set, hits BUG_ON(ctx->active_pid == -1)
 * when it runs before the coordinator's first activation. v18-final itself
 * reaches the same BUG_ON when an error releases the ghost that early (a
 * signal to a task before the first activation: test/faults.test.ts); the
 * mutant makes the early release unconditional. Breaks P6.
 */
import type { RestartVariant } from '../../src/kernel/model.ts';
import { v18final, without } from '../v18-final.ts';

export const b7: RestartVariant = {
  ...v18final,
  name: 'mutant:B7',
  summary: 'v18-final with a ghost that does not wait on ghostq before it exits',
  breaks: 'P6',
  task: {
    ...without(v18final.task, 'G5:prepare', 'G5:check', 'G5:sleep'),
    G4: {
      fn: 'do_ghost_task',
      cite: 'mutant B7: do_ghost_task: current->flags |= PF_RESTARTING; no wait on ghostq',
      run(_s, self) {
        self.pf = true;
        self.pc = 'G6';
      },
    },
  },
};

export default b7;
