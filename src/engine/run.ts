import { Observable } from 'rxjs';
import { AutoSearch } from './auto.ts';
import { DporSearch } from './dpor.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import { PctSearch, type PctOptions } from './pct.ts';
import { RandomSearch } from './random.ts';
import type { Search, SearchOptions } from './search.ts';
import { createWalkSearch, type Shard } from './shard.ts';
import type { Action, Model, Property, Result, RunEvent, Strategy } from './types.ts';

export interface ExploreOptions extends SearchOptions, PctOptions {
  /** random and PCT: the index of the first run (a shard starts further on) */
  readonly firstRun?: number;
  /** random and PCT: run only the runs i, i+n, i+2n, … of `runs` (shard i of n, see shard.ts) */
  readonly shard?: Shard;
  readonly strategy?: Strategy;
  /**
   * exhaustive: `dpor` (dynamic partial-order reduction, when the model records
   * footprints and every property says what it observes), `auto` (a bounded
   * plain search first, then dpor: ./auto.ts) or `none`; default `none`
   */
  readonly reduction?: 'dpor' | 'none' | 'auto';
  /** dpor: which thread a new state runs first */
  readonly porOrder?: 'highest' | 'lowest';
  /** how often a progress event is emitted, in milliseconds */
  readonly progressMs?: number;
}

export function createSearch<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions = {},
): Search<S, A> {
  const strategy = options.strategy ?? 'exhaustive';
  if (strategy === 'exhaustive') {
    if (options.reduction === 'dpor') return new DporSearch(model, properties, options);
    if (options.reduction === 'auto') return new AutoSearch(model, properties, options);
    return new ExhaustiveSearch(model, properties, options);
  }
  if (options.shard && (strategy === 'random' || strategy === 'pct')) return createWalkSearch(model, properties, { ...options, strategy });
  if (strategy === 'random') return new RandomSearch(model, properties, options);
  if (strategy === 'pct') return new PctSearch(model, properties, options);
  throw new Error(`unknown strategy ${String(strategy)}`);
}

/**
 * Runs a search to its verdict, synchronously.
 *
 * @example
 * const result = exploreSync(model, properties, { strategy: 'exhaustive' });
 * if (result.verdict === 'violated') console.log(result.violation!.property);
 */
export function exploreSync<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions = {},
): Result<S, A> {
  const search = createSearch(model, properties, options);
  for (;;) {
    const result = search.work(Infinity);
    if (result) return result;
  }
}

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
