import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { checkEnd, checkStep } from './evaluate.ts';
import { replay } from './replay.ts';
import { RunSearch } from './runs.ts';
import type { SearchOptions } from './search.ts';
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
  constructor(model: Model<S, A>, properties: readonly Property<S, A>[], options: SearchOptions & { readonly firstRun?: number } = {}) {
    super(model, properties, options);
  }

  protected one(r: number): Violation<S, A> | null {
    return this.walk(r);
  }

  protected summary() {
    return { explored: 'random' as const };
  }

  walk(run: number): Violation<S, A> | null {
    const { model, properties, stats } = this;
    const rng = xoroshiro128plus(runSeed(this.seed, run));
    let state = model.init();
    const choices: number[] = [];
    for (let depth = 0; ; depth++) {
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        stats.maxDepth = Math.max(stats.maxDepth, depth);
        return checkEnd(properties, state) ? this.violation(choices) : null;
      }
      if (depth >= this.maxDepth) {
        const p = properties.find((q) => q.coversNonTermination);
        if (!p) return null;
        const run = replay(model, [], choices);
        return {
          property: p.id,
          title: p.title,
          message: `no end after ${depth} steps (the random walk's depth bound)`,
          steps: run.steps,
          choices: run.choices,
        };
      }
      const i = uniformInt(rng, 0, enabled.length - 1);
      const next = model.next(state, enabled[i]!);
      stats.transitions++;
      stats.states++;
      choices.push(i);
      if (checkStep(properties, state, enabled[i]!, next)) return this.violation(choices);
      state = next;
    }
  }
}
