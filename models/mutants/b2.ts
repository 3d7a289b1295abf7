/**
 * Mutant B2 (reference/kernel-protocol.md §5 B2, §2.c): v18 with exit_checkpoint
 * run before exit_notify on a zombie's do_exit. The real hook sits after
 * exit_notify ([C] hunk context of v17-26, v20-30). Here the zombie passes the
 * token — or, as the last entry, calls complete() — before its exit_state is
 * set, so the coordinator can wake, set SUCCESS and let the parent call
 * waitpid() on a child that is not a zombie yet. Breaks P2. A killed task keeps
 * v18's order (its exit_checkpoint never passes the token).
 */
import { readIs } from '../../src/kernel/footprint.ts';
import { BUG_ON, ckpt_ctx_put, ctx_use } from '../../src/kernel/ctx.ts';
import type { RestartVariant } from '../../src/kernel/model.ts';
import { EXIT_DEAD, EXIT_ZOMBIE } from '../../src/kernel/state.ts';
import { tasklist_read_held, v18 } from '../v18.ts';

export const b2: RestartVariant = {
  ...v18,
  name: 'mutant:B2',
  summary: 'v18 with exit_checkpoint before exit_notify in a zombie\'s do_exit',
  breaks: 'P2',
  task: {
    ...v18.task,
    T7: {
      roles: ['pfSection'],
      fn: 'do_restore_task',
      cite: 'mutant B2: zombie -> ckpt_ctx_put(ctx) (R_local); do_exit, whose exit_checkpoint now comes first',
      run(s, self) {
        ckpt_ctx_put(s, 'T7 (R_local)');
        self.local = false;
        self.pc = 'X2';
      },
    },
    X2: {
      roles: ['exitPath'],
      fn: 'exit_checkpoint',
      cite: 'mutant B2: exit_checkpoint before exit_notify: ctx = xchg(&tsk->checkpoint_ctx, NULL); PF_RESTARTING -> BUG_ON(active_pid == -1); restore_activate_next',
      run(s, self) {
        if (!self.slot) {
          self.pc = self.exitState === 0 ? 'X1' : 'X3';
          return;
        }
        self.slot = false;
        if (self.pf) {
          BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
          self.pc = 'X2a1';
        } else {
          self.pc = 'X2p';
        }
      },
    },
    X2p: {
      roles: ['exitPath'],
      fn: 'exit_checkpoint',
      cite: 'mutant B2: exit_checkpoint: ckpt_ctx_put(ctx) (R_prep); then exit_notify if it has not run',
      run(s, self) {
        ckpt_ctx_put(s, 'X2p (R_prep)');
        self.pc = self.exitState === 0 ? 'X1' : 'X3';
      },
    },
    X1: {
      roles: ['exitPath'],
      fn: 'exit_notify',
      cite: 'K-EXIT exit_notify (mutant B2: after exit_checkpoint on the zombie path)',
      enabled: (s) => !tasklist_read_held(s),
      run(_s, self) {
        self.exitState = self.exitSignal === -1 ? EXIT_DEAD : EXIT_ZOMBIE;
        self.pc = self.slot ? 'X2' : 'X3';
      },
    },
  },
};

export default b2;
