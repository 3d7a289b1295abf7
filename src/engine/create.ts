/**
 * Creating a search and running it synchronously, without rxjs (about 45 ms
 * to load): `crsim check` runs its search from here; ./run.ts adds `explore$`.
 */
import { AutoSearch } from './auto.ts';
import { DporSearch } from './dpor.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import { PctSearch, type PctOptions } from './pct.ts';
import { RandomSearch } from './random.ts';
import type { Search, SearchOptions } from './search.ts';
import { createWalkSearch, type Shard } from './shard.ts';
import type { Action, Model, Property, Result, Strategy } from './types.ts';

export interface ExploreOptions extends SearchOptions, PctOptions {
  /** random and PCT: the index of the first run (a shard starts further on) */
  readonly firstRun?: number;
  /** random and PCT: run only the runs i, i+n, i+2n, … of `runs` (shard i of n, see shard.ts) */
  readonly shard?: Shard;
  readonly strategy?: Strategy;
  /**
   * exhaustive: `dpor` (dynamic partial-order reduction, when the model records
   * footprints and every property says what it observes), `auto` (random
   * walks, then dpor where they meet no violation: ./auto.ts) or `none`;
   * default `none`
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
