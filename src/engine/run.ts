import { Observable } from 'rxjs';
import { createSearch, type ExploreOptions } from './create.ts';
import type { Action, Model, Property, Result, RunEvent } from './types.ts';

export { createSearch, exploreSync, type ExploreOptions } from './create.ts';

/**
 * Runs a search in slices on the event loop and streams what happens: progress
 * events, then the violation (if any), then `done` with the result. Unsubscribing
 * stops the search; {@link stopSignal} ends it early with verdict `incomplete`.
 *
 * @example
 * explore$(model, properties, { strategy: 'random', runs: 1000, seed: 7 })
 *   .pipe(filter((e) => e.type === 'done'))
 *   .subscribe((e) => console.log(e.result.verdict));
 */
export function explore$<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions = {},
  stopSignal?: Observable<string>,
): Observable<RunEvent<S, A>> {
  return new Observable<RunEvent<S, A>>((subscriber) => {
    const search = createSearch(model, properties, options);
    const slice = options.progressMs ?? 100;
    let timer: NodeJS.Immediate | undefined;
    const stopSub = stopSignal?.subscribe((reason) => search.stop(reason));
    const tick = (): void => {
      let result: Result<S, A> | null;
      try {
        result = search.work(slice);
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (!result) {
        subscriber.next({ type: 'progress', stats: { ...search.stats }, frontier: search.frontier });
        timer = setImmediate(tick);
        return;
      }
      if (result.violation) subscriber.next({ type: 'violation', violation: result.violation });
      subscriber.next({ type: 'done', result });
      subscriber.complete();
    };
    timer = setImmediate(tick);
    return () => {
      if (timer) clearImmediate(timer);
      stopSub?.unsubscribe();
    };
  });
}
