import type { Draft } from 'immer';
import { ctx_use } from './ctx.ts';
import { waiters, wake_up_process } from './sched.ts';
import type { RestartState } from './state.ts';

type S = Draft<RestartState>;

/** init_completion(&ctx->complete): done := 0. */
export function init_completion(s: S, where: string): void {
  ctx_use(s, where).done = 0;
}

/** complete(&ctx->complete): done++, wake one waiter. */
export function complete(s: S, where: string): void {
  ctx_use(s, where).done++;
  for (const p of waiters(s, 'complete')) {
    wake_up_process(p);
    p.wq = null;
    return;
  }
}
