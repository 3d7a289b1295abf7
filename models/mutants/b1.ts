/**
 * Mutant B1 (reference/kernel-protocol.md §5 B1, §3.2): v18 whose restored
 * zombie goes to do_exit without dropping its local reference R_local — the
 * v17-28 zombie path `if (ret) do_exit(current->exit_code)` inside v18.
 * exit_checkpoint still drops the slot's R_prep, so each zombie leaves one
 * reference and the ctx is never freed. The seed's changelog "Fix leak of
 * ckpt_ctx when restoring zombie tasks" is the fix. Breaks P5.
 */
import type { RestartVariant } from '../../src/kernel/model.ts';
import { v18 } from '../v18.ts';

export const b1: RestartVariant = {
  ...v18,
  name: 'mutant:B1',
  summary: 'v18 whose zombie keeps its local ctx reference into do_exit (the v17 leak)',
  breaks: 'P5',
  task: {
    ...v18.task,
    T7: {
      roles: ['pfSection'],
      fn: 'do_restore_task',
      cite: 'mutant B1 (v17-28 zombie path): if (zombie) do_exit(current->exit_code) — no ckpt_ctx_put(ctx) of R_local',
      run(_s, self) {
        self.pc = 'X1'; // self.local stays true: the reference is never dropped
      },
    },
  },
};

export default b1;
