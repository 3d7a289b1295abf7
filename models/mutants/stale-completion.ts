/**
 * Mutant stale-completion (spec/restart-model.md §6): v18 whose coordinator
 * uses ctx->complete without init_completion — neither in
 * wait_all_tasks_finish (v18's C5i) nor in ckpt_ctx_alloc (v19's place). The
 * completion then holds whatever count an earlier complete() left on that
 * memory; the model takes a count of 1, set by an explicit first step (C1) so
 * that the swimlane shows it. wait_for_completion consumes that stale count
 * and the coordinator wakes, with no ERROR, before any task has restored.
 * Breaks P1.
 */
import { ctx_use } from '../../src/kernel/ctx.ts';
import type { RestartVariant } from '../../src/kernel/model.ts';
import { v18 } from '../v18.ts';
import { without } from '../v18-final.ts';

export const staleCompletion: RestartVariant = {
  ...v18,
  name: 'mutant:stale-completion',
  summary: 'v18 without init_completion: a done count left on the completion lets the coordinator through at once',
  breaks: 'P1',
  coordinatorStart: 'C1',
  coordinator: {
    // with done never below 1 until the wait consumes it, the wait never sleeps: no C5w:sleep
    ...without(v18.coordinator, 'C5i', 'C5w:sleep'),
    C1: {
      fn: 'ckpt_ctx_alloc',
      cite: 'mutant stale-completion: ckpt_ctx_alloc without init_completion(&ctx->complete): done holds a count an earlier complete() left (1)',
      run(s, self) {
        ctx_use(s, 'C1').done = 1;
        self.pc = 'C4';
      },
    },
    C5p: {
      ...v18.coordinator.C5p!,
      cite: `${v18.coordinator.C5p!.cite}; mutant stale-completion: then straight to the first activation (no init_completion)`,
      run(s, self, env, i) {
        v18.coordinator.C5p!.run(s, self, env, i);
        if (self.pc === 'C5i') self.pc = 'C5a1';
      },
    },
  },
};

export default staleCompletion;
