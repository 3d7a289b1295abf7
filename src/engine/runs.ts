import { checkEnd, checkStep } from './evaluate.ts';
import { replay } from './replay.ts';
import type { Search, SearchOptions } from './search.ts';
import type { Action, Model, Property, Result, Stats, Violation } from './types.ts';

/** thrown by a walk that pauses at the end of a slice (caught in RunSearch.work) */
const PAUSE = Symbol('pause');

/** A run paused at a slice's end: it goes on at the next one, with its chooser (and its generator) as they were. */
interface Paused<S, A> {
  readonly bound: string;
  readonly pick: (enabled: readonly A[], depth: number) => number;
  readonly state: S;
  readonly choices: number[];
  readonly depth: number;
}

export interface RunOptions extends SearchOptions {
  /** the index of the first run (a shard starts further on) */
  readonly firstRun?: number;
  /**
   * false: a run longer than maxDepth just ends, where by default it violates
   * the property covering non-termination (a sample that proves nothing: `--reduction auto`'s walks)
   */
  readonly noEndFails?: boolean;
}

/**
 * What random walks and PCT share: runs numbered from `firstRun`, each with its
 * own seed, done in slices until one fails; the failing run's schedule replays.
 * A run longer than a slice (`--max-depth` lets one take minutes) pauses at
 * the slice's end and resumes at the next, so progress and Ctrl-C go on; a
 * stop drops a paused run (it is not counted).
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
  /** whether a run that passes maxDepth violates the property covering non-termination (else it just ends) */
  private readonly noEndFails: boolean;
  /** the end of the current slice, inside work() only (a run outside it, on a worker or a shard, never pauses) */
  private deadline = Infinity;
  private paused: Paused<S, A> | null = null;

  constructor(
    protected readonly model: Model<S, A>,
    protected readonly properties: readonly Property<S, A>[],
    options: RunOptions,
  ) {
    this.first = options.firstRun ?? 0;
    this.noEndFails = options.noEndFails ?? true;
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
    this.deadline = deadline;
    try {
      while (this.stats.runs < this.runs) {
        if (this.stopped) return this.finish();
        const r = this.first + this.stats.runs;
        let violation: Violation<S, A> | null;
        try {
          violation = this.paused ? this.resume() : this.one(r);
        } catch (e) {
          if (e !== PAUSE) throw e;
          this.stats.elapsedMs = Date.now() - this.started;
          return null;
        }
        this.stats.runs++;
        if (violation) return this.finish(violation, r);
        if (Date.now() >= deadline) {
          this.stats.elapsedMs = Date.now() - this.started;
          return null;
        }
      }
      return this.finish();
    } finally {
      this.deadline = Infinity;
    }
  }

  private resume(): Violation<S, A> | null {
    const p = this.paused!;
    this.paused = null;
    return this.go(p.bound, p.pick, p.state, p.choices, p.depth);
  }

  /**
   * One run from the initial state, `pick` choosing the index of the action
   * taken among the enabled ones at each depth, until nothing is enabled, a
   * property breaks, or the run passes `maxDepth` (`bound` names that bound).
   */
  protected walk(bound: string, pick: (enabled: readonly A[], depth: number) => number): Violation<S, A> | null {
    return this.go(bound, pick, this.model.init(), [], 0);
  }

  private go(bound: string, pick: Paused<S, A>['pick'], from: S, choices: number[], start: number): Violation<S, A> | null {
    const { model, properties, stats } = this;
    let state = from;
    for (let depth = start; ; depth++) {
      if ((depth & 1023) === 1023 && depth > start && Date.now() >= this.deadline) {
        this.paused = { bound, pick, state, choices, depth };
        throw PAUSE;
      }
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        stats.maxDepth = Math.max(stats.maxDepth, depth);
        return checkEnd(properties, state) ? this.violation(choices) : null;
      }
      if (depth >= this.maxDepth) {
        const p = this.noEndFails ? properties.find((q) => q.coversNonTermination) : undefined;
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
