import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { checkEnd, checkStep } from './evaluate.ts';
import { replay } from './replay.ts';
import type { Search, SearchOptions } from './search.ts';
import type { Action, Model, Property, Result, Stats, Violation } from './types.ts';

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
export class RandomSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
  private stopped: string | null = null;
  private finished: Result<S, A> | null = null;
  private readonly started = Date.now();
  private readonly runs: number;
  private readonly seed: number;
  private readonly maxDepth: number;
  private readonly first: number;

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    options: SearchOptions & { readonly firstRun?: number } = {},
  ) {
    this.first = options.firstRun ?? 0;
    this.runs = options.runs ?? 1000;
    this.seed = options.seed ?? 0;
    this.maxDepth = options.maxDepth ?? 10_000;
  }

  get frontier(): number {
    return this.runs - this.stats.runs;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    while (this.stats.runs < this.runs) {
      if (this.stopped) return this.finish();
      const r = this.first + this.stats.runs;
      const violation = this.walk(r);
      this.stats.runs++;
      if (violation) return this.finish(violation, r);
      if (Date.now() >= deadline) {
        this.stats.elapsedMs = Date.now() - this.started;
        return null;
      }
    }
    return this.finish();
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

  private violation(choices: number[]): Violation<S, A> {
    const run = replay(this.model, this.properties, choices);
    if (!run.failure) throw new Error('internal: a random run did not replay to its violation');
    return { ...run.failure, steps: run.steps, choices: run.choices };
  }

  private finish(violation?: Violation<S, A>, run?: number): Result<S, A> {
    this.stats.elapsedMs = Date.now() - this.started;
    const base = {
      explored: 'random' as const,
      stats: this.stats,
      seed: this.seed,
      properties: this.properties.map((p) => p.id),
    };
    if (violation) return (this.finished = { ...base, verdict: 'violated', violation, failedRun: run! });
    if (this.stopped) return (this.finished = { ...base, verdict: 'incomplete', stoppedBy: this.stopped });
    return (this.finished = { ...base, verdict: 'holds' });
  }
}
