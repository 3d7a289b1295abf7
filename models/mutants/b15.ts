/**
 * Mutant B15 (reference/kernel-protocol.md §4 row "v20 as posted, patches
 * 30–72", §5 B15): v20 as its patches 30 to 72 have it. do_restore_task has
 * no restore_activate_next call (it comes back in 73/96); exit_checkpoint
 * still activates the next task for a PF_RESTARTING task, and a zombie does not
 * call restore_task_done. After the root restores, nobody activates
 * pids_arr[1]: the coordinator never completes. Breaks P9.
 *
 * prepare_descendants keeps v20-30's count rule, `if (nr_pids !=
 * ctx->nr_pids) return -ESRCH` (73/96 relaxes it to `<`, for ghosts), then
 * `atomic_set(&ctx->nr_total, nr_pids)` (the context line of 73/96's hunk).
 */
import { readIs } from '../../src/kernel/footprint.ts';
import { BUG_ON, ctx_use } from '../../src/kernel/ctx.ts';
import { withRoles, type RestartVariant } from '../../src/kernel/model.ts';
import { EIO, type Task } from '../../src/kernel/state.ts';
import { restore_activate_next, without } from '../v18-final.ts';
import { ckpt_set_error, out, prepare_descendants, v20 } from '../v20.ts';

export const b15: RestartVariant = {
  ...v20,
  name: 'mutant:B15',
  summary: 'v20 patches 30–72: no restore_activate_next in do_restore_task (a bisect artifact)',
  breaks: 'P9',
  lacks: { activating: 'do_restore_task has no restore_activate_next call (patches 30–72): P1 has nothing to wait for after restore_task' },
  coordinator: {
    ...v20.coordinator,
    C5p: prepare_descendants("v20-30: if (nr_pids != ctx->nr_pids) return -ESRCH (fail unless number of processes matches)", (count, nrPids) => count !== nrPids),
  },
  task: {
    ...without(v20.task, 'T8a1', 'T8a2', 'X2d'),
    T6e: {
      roles: ['inRestore', 'pfSection'],
      fn: 'restore_task',
      cite: 'v20-32 do_restore_task: zombie = restore_task(ctx); zombie -> do_exit, else restore_task_done (no restore_activate_next until 73/96)',
      run(s, self, env, i) {
        const fault = env.restoreFault[i]!;
        if (fault >= 0 && s.fired[fault]) return out(self, EIO);
        if (ctx_use(s, 'T6e').error) return out(self, s.ctx.errno);
        const r = env.restored[i]!;
        if (r.ret < 0) return out(self, r.ret);
        self.restored = true;
        if (r.ret === 1) {
          self.zombie = true;
          self.exitCode = r.exit_code!;
          self.pc = 'T7';
        } else {
          self.pc = 'T8d';
        }
      },
    },
    X2: {
      roles: ['exitPath'],
      fn: 'exit_checkpoint',
      cite: 'v20-30 exit_checkpoint: ctx = tsk->checkpoint_ctx; PF_RESTARTING -> BUG_ON(active_pid == -1); restore_activate_next(ctx) < 0 -> pr_warning',
      run(s, self) {
        if (!self.slot) {
          self.pc = 'X3';
          return;
        }
        if (self.pf) {
          BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
          self.pc = 'X2a1';
        } else {
          self.pc = 'X2p';
        }
      },
    },
    ...withRoles(restore_activate_next<Task>(
      'X2a',
      'a zombie, from do_exit (v20-30)',
      (_s, self) => void (self.pc = 'X2p'),
      (_s, self) => void (self.pc = 'X2p'), // pr_warning("c/r: [%d] failed zombie exit")
      ckpt_set_error,
    ), 'exitPath'),
  },
};

export default b15;
