import type { Action, Result, Stats } from './types.ts';

export interface SearchOptions {
  /** stop (verdict `incomplete`) once this many distinct states are stored */
  readonly maxStates?: number;
  /** stop (verdict `incomplete`) once the process's resident memory passes this many bytes */
  readonly maxMemory?: number;
  /** random walks: how many schedules */
  readonly runs?: number;
  /** random walks: the seed; run r uses its own generator derived from (seed, r) */
  readonly seed?: number;
  /** random walks: a run longer than this is reported as never ending */
  readonly maxDepth?: number;
  /** exhaustive (breadth-first): expand no state this many steps deep (verdict `incomplete` if one was cut) */
  readonly depthLimit?: number;
  /**
   * exhaustive with reduction: the states a plain breadth-first search may
   * store to prove the (projected) counterexample shortest; 0 skips the proof
   */
  readonly certifyStates?: number;
}

/** An explorer that works in slices, so a caller can report progress and stop it. */
export interface Search<S, A extends Action> {
  readonly stats: Stats;
  /** states waiting to be expanded (exhaustive) or runs left (random) */
  readonly frontier: number;
  /** works for about `budgetMs` milliseconds; the result once there is one */
  work(budgetMs: number): Result<S, A> | null;
  /** ask the search to end at the next slice with verdict `incomplete` */
  stop(reason: string): void;
}
