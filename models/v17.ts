/**
 * v17 ([RFC v17][PATCH 28/60] c/r: support for zombie processes): v18 except
 * one step. A restored zombie does not drop its local reference R_local before
 * do_exit: the v17 zombie path is `if (ret) do_exit(current->exit_code)`
 * (reference/kernel-protocol.md §3.2 [C v17-28]). exit_checkpoint still drops
 * the slot's reference R_prep, so each zombie leaks one reference and the ctx is
 * never freed (B1, §5): P5 fails at the end of any run with a zombie. The seed
 * patch's changelog "Fix leak of ckpt_ctx when restoring zombie tasks" is the
 * v18 fix (§4, row "v18 with SEED").
 *
 * Only B1 differs. The other v17 differences in §4 (ckpt_activate_next without
 * the `checkpoint_ctx == ctx` test, no first-error tracking, no BUG_ON in
 * exit_checkpoint, no fork-race fix) are left as in v18, so that this variant
 * isolates the leak.
 */
import type { RestartVariant } from '../src/kernel/model.ts';
import { v18 } from './v18.ts';

export const v17: RestartVariant = {
  ...v18,
  name: 'v17',
  summary: 'v18 except that a zombie keeps its local ctx reference into do_exit (B1: the ctx leaks)',
  task: {
    ...v18.task,
    T7: {
      fn: 'do_restore_task',
      cite: 'v17-28 do_restore_task: if (ret) do_exit(current->exit_code) — no ckpt_ctx_put(ctx) of R_local (B1)',
      reads: [],
      writes: [],
      run(_s, self) {
        self.pc = 'X1'; // self.local stays true: the reference is never dropped
      },
    },
  },
};

export default v17;
