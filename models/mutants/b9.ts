/**
 * Mutant B9 (reference/kernel-protocol.md §5 B9): v18 whose coordinator waits
 * on ctx->complete twice. A clean run calls complete() once (the activation
 * that reaches nr_pids), so the second wait sleeps for ever. complete() called
 * twice is benign for one waiter; waiting twice is not. Breaks P9.
 */
import { ctx_use } from '../../src/kernel/ctx.ts';
import type { RestartVariant } from '../../src/kernel/model.ts';
import { ERESTARTSYS, type Coordinator } from '../../src/kernel/state.ts';
import { prepare, wait_event_interruptible } from '../../src/kernel/wait.ts';
import { v18 } from '../v18.ts';

const wait = (label: string, then: string, cite: string) =>
  wait_event_interruptible<Coordinator>({
    label,
    fn: 'wait_for_completion_interruptible',
    cite,
    queue: 'complete',
    cond: (s) => ctx_use(s, label).done > 0,
    woke(s, self) {
      s.ctx.done--;
      self.waits++;
      self.pc = then;
    },
    interrupted(_s, self) {
      self.ret = ERESTARTSYS;
      self.pc = 'C7';
    },
  });

export const b9: RestartVariant = {
  ...v18,
  name: 'mutant:B9',
  summary: 'v18 whose coordinator waits on the completion twice',
  breaks: 'P9',
  coordinator: {
    ...v18.coordinator,
    ...wait('C5w', prepare('C5v'), 'v17-26 wait_all_tasks_finish: wait_for_completion_interruptible(&ctx->complete)'),
    ...wait('C5v', 'C7', 'mutant B9: a second wait_for_completion_interruptible(&ctx->complete)'),
  },
};

export default b9;
