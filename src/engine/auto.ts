import { DporSearch, type DporOptions } from './dpor.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import type { Search } from './search.ts';
import type { Action, Model, Phase, Property, Result, Stats } from './types.ts';

/**
 * The states the reduced search of `--reduction auto` may store before the
 * plain search has its turn: enough to prove v20 at 4 tasks (16 K states, a
 * third of a second), and more than any of the bench's violations needed
 * (bench/RESULTS.md, "auto").
 */
export const AUTO_DPOR_STATES = 20_000;

/**
 * The states the plain breadth-first search of `--reduction auto` may store
 * before the reduced search goes on: about half a second. The protocol's
 * violations are shallow, and many are found within it.
 */
export const AUTO_BFS_STATES = 50_000;

export interface AutoOptions<S, A extends Action> extends Omit<DporOptions<S, A>, 'prelude'> {
  /** the reduced search's states before the plain search runs (default {@link AUTO_DPOR_STATES}) */
  readonly dporStates?: number;
  /** the plain search's state budget (default {@link AUTO_BFS_STATES}) */
  readonly bfsStates?: number;
}


/**
 * `--reduction auto`: the reduced search (./dpor.ts) first, until it stores
 * {@link AUTO_DPOR_STATES} states; its verdict if it reaches one (a
 * counterexample is proven shortest by a breadth-first search to its length).
 * Else a plain breadth-first search for {@link AUTO_BFS_STATES} states, whose
 * verdict it is if it reaches one (a counterexample is then a shortest by
 * construction); else the reduced search goes on where it stopped, and the
 * proof of its counterexample goes on with the plain search's states instead of
 * starting again. So where the property holds it costs the reduced search,
 * plus the bounded plain one only past 20,000 states; with a violation, the
 * plain search's cost plus at most the reduced search's first 20,000 states.
 */
export class AutoSearch<S, A extends Action> implements Search<S, A> {
  private readonly dpor: DporSearch<S, A>;
  private readonly bfs: ExhaustiveSearch<S, A> | null;
  private stage: 'dpor-first' | 'bfs' | 'dpor' = 'dpor-first';
  /** the time spent in the reduced search's work() */
  private dporMs = 0;
  /** the plain search's turn, once it had one (its states then: a proof may go on with it) */
  private bfsPhase: Phase | null = null;
  private stopped: string | null = null;
  private readonly started = Date.now();
  private readonly dporStates: number;
  private readonly bfsStates: number;

  constructor(
    model: Model<S, A>,
    properties: readonly Property<S, A>[],
    private readonly options: AutoOptions<S, A> = {},
  ) {
    const { dporStates, bfsStates, ...rest } = options;
    this.dpor = new DporSearch(model, properties, rest);
    this.dporStates = dporStates ?? AUTO_DPOR_STATES;
    this.bfsStates = bfsStates ?? AUTO_BFS_STATES;
    // a plain search as large as --max-states would be a plain check: the reduced search alone then
    const { certifyStates: _c, porOrder: _p, ...plain } = rest;
    this.bfs = this.bfsStates < (options.maxStates ?? Infinity) ? new ExhaustiveSearch(model, properties, { ...plain, maxStates: this.bfsStates }) : null;
    if (!this.bfs) this.stage = 'dpor';
  }

  get stats(): Stats {
    return this.stage === 'bfs' ? this.plainStats() : this.reducedStats();
  }

  get frontier(): number {
    return (this.stage === 'bfs' ? this.bfs! : this.dpor).frontier;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
    this.dpor.stop(reason);
    this.bfs?.stop(reason);
  }

  work(budgetMs: number): Result<S, A> | null {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const now = Date.now();
      const left = Math.max(1, deadline - now);
      if (this.stage === 'bfs') {
        const r = this.bfs!.work(left);
        this.bfsPhase = { states: this.bfs!.stats.states, ms: (this.bfsPhase?.ms ?? 0) + Date.now() - now };
        if (!r) return null;
        // a verdict, or a stop that is not the bounded search's own budget (Ctrl-C, memory)
        if (r.verdict !== 'incomplete' || this.stopped || r.stoppedBy !== `--max-states ${this.bfsStates} reached`) return { ...r, stats: this.plainStats() };
        this.dpor.attachPrelude(this.bfs!);
        this.stage = 'dpor';
        continue;
      }
      const first = this.stage === 'dpor-first';
      const r = this.dpor.work(first ? Math.min(this.untilTurnEnds(), left) : left);
      this.dporMs += Date.now() - now;
      if (r) return { ...r, stats: this.reducedStats() };
      // its turn ends at its state budget, unless it is proving a counterexample (its states no longer grow then)
      if (first && this.dpor.stats.states >= this.dporStates && !this.proving()) this.stage = 'bfs';
      if (Date.now() >= deadline) return null;
    }
  }

  /**
   * How long the reduced search may run before it looks at its state count
   * again: the time its rate so far gives for the states left in its turn, at
   * least 2 ms. Not a fixed small slice: each return measures the process's
   * memory (budget.ts), a millisecond on a loaded machine.
   */
  private untilTurnEnds(): number {
    const states = this.dpor.stats.states;
    if (this.dporMs === 0 || states === 0) return 2;
    return Math.max(2, ((this.dporStates - states) * this.dporMs) / states);
  }

  /** the reduced search met a counterexample and is shrinking or proving it */
  private proving(): boolean {
    const p = this.dpor.stats.phases;
    return p !== undefined && (p.proof !== undefined || p.shrink !== undefined);
  }

  /** The plain search's statistics (its verdict), with the reduced search's turn as a phase. */
  private plainStats(): Stats {
    const s = this.bfs!.stats;
    const dpor = this.dpor.stats;
    return { ...s, elapsedMs: Date.now() - this.started, phases: { bfs: { states: s.states, ms: this.bfsPhase?.ms ?? 0 }, search: { states: dpor.states, ms: this.dporMs } } };
  }

  /** The reduced search's statistics, its time its own (not the plain search's turn), with the plain search as a phase once it ran. */
  private reducedStats(): Stats {
    const s = this.dpor.stats;
    const p = s.phases ?? { search: { states: s.states, ms: s.elapsedMs } };
    const after = (p.shrink?.ms ?? 0) + (p.proof?.ms ?? 0);
    const search: Phase = { states: p.search.states, ms: Math.max(0, this.dporMs - after) };
    return { ...s, elapsedMs: Date.now() - this.started, phases: { ...(this.bfsPhase ? { bfs: { ...this.bfsPhase } } : {}), ...p, search } };
  }
}
