import { checkEnd, checkStep } from './evaluate.ts';
import { replay } from './replay.ts';
import type { Search, SearchOptions } from './search.ts';
import type { Action, Model, Property, Result, Stats, Violation } from './types.ts';

/**
 * What random walks and PCT share: runs numbered from `firstRun`, each with its
 * own seed, done in slices until one fails; the failing run's schedule replays.
 */
export abstract class RunSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
  protected stopped: string | null = null;
  private finished: Result<S, A> | null = null;
  private readonly started = Date.now();
  protected readonly runs: number;
  protected readonly seed: number;
  protected readonly maxDepth: number;
  private readonly first: number;

  constructor(
    protected readonly model: Model<S, A>,
    protected readonly properties: readonly Property<S, A>[],
    options: SearchOptions & { readonly firstRun?: number },
  ) {
    this.first = options.firstRun ?? 0;
    this.runs = options.runs ?? 1000;
    this.seed = options.seed ?? 0;
    this.maxDepth = options.maxDepth ?? 10_000;
  }

  /** Run number `r` (it replays on its own, on any worker or shard); its violation, if any. */
  abstract one(r: number): Violation<S, A> | null;
  /** What the result says was explored, and anything the strategy adds to it. */
  protected abstract summary(): Pick<Result<S, A>, 'explored'> & Partial<Result<S, A>>;

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
      const violation = this.one(r);
      this.stats.runs++;
      if (violation) return this.finish(violation, r);
      if (Date.now() >= deadline) {
        this.stats.elapsedMs = Date.now() - this.started;
        return null;
      }
    }
    return this.finish();
  }

  /**
   * One run from the initial state, `pick` choosing the index of the action
   * taken among the enabled ones at each depth, until nothing is enabled, a
   * property breaks, or the run passes `maxDepth` (`bound` names that bound).
   */
  protected walk(bound: string, pick: (enabled: readonly A[], depth: number) => number): Violation<S, A> | null {
    const { model, properties, stats } = this;
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
        return { property: p.id, title: p.title, message: `no end after ${depth} steps (${bound})`, steps: run.steps, choices: run.choices };
      }
      const i = pick(enabled, depth);
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
    if (!run.failure) throw new Error(`internal: a ${this.summary().explored} run did not replay to its violation`);
    return { ...run.failure, steps: run.steps, choices: run.choices };
  }

  private finish(violation?: Violation<S, A>, run?: number): Result<S, A> {
    this.stats.elapsedMs = Date.now() - this.started;
    const base = { ...this.summary(), stats: this.stats, seed: this.seed, properties: this.properties.map((p) => p.id) };
    if (violation) return (this.finished = { ...base, verdict: 'violated', violation, failedRun: run! });
    if (this.stopped) return (this.finished = { ...base, verdict: 'incomplete', stoppedBy: this.stopped });
    return (this.finished = { ...base, verdict: 'holds' });
  }
}
