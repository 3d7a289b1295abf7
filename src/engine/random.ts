import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { RunSearch, type RunOptions } from './runs.ts';
import type { Action, Model, Property, Violation } from './types.ts';

/** The seed of run `r`: each run replays on its own, whatever ran before it. */
export function runSeed(seed: number, run: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x01000193) ^ Math.imul(run + 1, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h | 0;
}

/**
 * Random walks: each run starts from the initial state and picks uniformly
 * among the enabled actions until nothing is enabled. Stops at the first
 * violation, whose schedule replays exactly.
 */
export class RandomSearch<S, A extends Action> extends RunSearch<S, A> {
  constructor(model: Model<S, A>, properties: readonly Property<S, A>[], options: RunOptions = {}) {
    super(model, properties, options);
  }

  one(r: number): Violation<S, A> | null {
    return this.walk("the random walk's depth bound", uniformChooser(xoroshiro128plus(runSeed(this.seed, r))));
  }

  protected summary() {
    return { explored: 'random' as const };
  }
}

/** A random walk's chooser: one of the enabled actions, uniformly, drawn from `rng`. */
export function uniformChooser(rng: RandomGenerator): (enabled: readonly unknown[]) => number {
  return (enabled) => uniformInt(rng, 0, enabled.length - 1);
}
