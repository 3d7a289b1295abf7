import { DporSearch, type DporOptions } from './dpor.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import type { Search } from './search.ts';
import type { Action, Model, Phase, Property, Result, Stats } from './types.ts';

/**
 * The states the plain breadth-first search of `--reduction auto` may store
 * before the reduced search takes over: about half a second. The protocol's
 * violations are shallow, and many are found within it (bench/RESULTS.md,
 * "auto").
 */
export const AUTO_BFS_STATES = 50_000;

export interface AutoOptions<S, A extends Action> extends Omit<DporOptions<S, A>, 'prelude'> {
  /** the plain search's state budget (default {@link AUTO_BFS_STATES}) */
  readonly bfsStates?: number;
}

/**
 * `--reduction auto`: a plain breadth-first search first, for a bounded
 * number of states; its verdict if it reaches one (a counterexample is then
 * a shortest by construction), else the reduced search (./dpor.ts), whose
 * proof of shortness goes on with the plain search's states instead of
 * starting again. So with a violation it costs the plain search, plus the
 * reduced search's (small) search and shrinking; where the property holds,
 * the reduced search plus at most the bounded plain one.
 */
export class AutoSearch<S, A extends Action> implements Search<S, A> {
  private readonly bfs: ExhaustiveSearch<S, A>;
  private dpor: DporSearch<S, A> | null = null;
  private bfsPhase: Phase | null = null;
  private stopped: string | null = null;
  private readonly bfsStates: number;

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: AutoOptions<S, A> = {},
  ) {
    const why = DporSearch.unsupported(model, properties);
    if (why) throw new Error(`partial-order reduction unavailable: ${why}`);
    this.bfsStates = Math.min(options.bfsStates ?? AUTO_BFS_STATES, options.maxStates ?? Infinity);
    const { certifyStates: _c, porOrder: _p, ...plain } = options;
    this.bfs = new ExhaustiveSearch(model, properties, { ...plain, maxStates: this.bfsStates });
  }

  get stats(): Stats {
    if (!this.dpor) return this.bfs.stats;
    const s = this.dpor.stats;
    const bfs = this.bfsPhase!;
    return { ...s, elapsedMs: bfs.ms + s.elapsedMs, phases: { bfs, ...(s.phases ?? { search: { states: s.states, ms: s.elapsedMs } }) } };
  }

  get frontier(): number {
    return (this.dpor ?? this.bfs).frontier;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
    (this.dpor ?? this.bfs).stop(reason);
  }

  work(budgetMs: number): Result<S, A> | null {
    if (!this.dpor) {
      const deadline = Date.now() + budgetMs;
      const r = this.bfs.work(budgetMs);
      if (!r) return null;
      // a verdict, or a stop that is not the bounded search's own budget (Ctrl-C, memory, --max-states)
      const own = r.verdict === 'incomplete' && !this.stopped && r.stoppedBy === `--max-states ${this.bfsStates} reached` && this.bfsStates < (this.options.maxStates ?? Infinity);
      if (!own) return r;
      this.bfsPhase = { states: r.stats.states, ms: r.stats.elapsedMs };
      this.dpor = new DporSearch(this.model, this.properties, { ...this.options, prelude: this.bfs });
      budgetMs = Math.max(1, deadline - Date.now());
    }
    const r = this.dpor.work(budgetMs);
    return r ? { ...r, stats: this.stats } : null;
  }
}
