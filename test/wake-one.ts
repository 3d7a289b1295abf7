/** A variant with a nondeterministic step, for the model API and reduction tests. */
import { v18 } from '../models/v18.ts';
import type { RestartVariant, Steps } from '../src/kernel/model.ts';
import { wakeOneOutcomes, wake_up_one } from '../src/kernel/sched.ts';
import type { Coordinator } from '../src/kernel/state.ts';

/** v18 whose C8 wakes one waiter of ctx->waitq, any of them, instead of all (a nondeterministic step). */
export const wakeOne: RestartVariant = {
  ...v18,
  name: 'test:C8-wake-one',
  summary: 'v18 whose C8 wakes one waiter of ctx->waitq',
  coordinator: {
    ...v18.coordinator,
    C8: {
      fn: 'do_restore_coord',
      cite: 'test: wake_up(&ctx->waitq) as if the waits were exclusive (one waiter)',
      outcomes: (s, _self, env) => wakeOneOutcomes(s, 'waitq', env.vpids),
      run(s, self, _env, _i, arg) {
        wake_up_one(s, arg!);
        self.pc = 'C9';
      },
    },
  } satisfies Steps<Coordinator>,
};

