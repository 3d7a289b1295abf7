import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { DporSearch, type DporOptions } from './dpor.ts';
import { pctChooser, pctThreads } from './pct.ts';
import { runSeed, uniformChooser } from './random.ts';
import { RunSearch, type RunOptions } from './runs.ts';
import type { Search } from './search.ts';
import { Proof, PROOF_STATES, settle } from './shorten.ts';
import type { Action, Model, Phase, Property, Result, Stats, Violation } from './types.ts';

/**
 * The random walks `--reduction auto` runs before the reduced search, uniform
 * and PCT in turn ({@link AutoWalks}). On the bench's 58 violations at 3–6
 * tasks, seed 0 meets 55 within 8 walks, 56 within 16 and all 58 within 32
 * (uniform walks alone: 44, 48, 53); `dpor` meets the two that 16 miss within
 * 35 and 4,034 states. Where nothing is met, the walks are pure cost: 16
 * walks of v20 at 4 tasks are 1,728 steps, 10–20 ms of a cold start,
 * against issue 11's 0.45 s for that whole check (32 cost 20–25 ms).
 */
export const AUTO_WALKS = 16;

/** the walks' fixed seed: the verdict is the same on every run */
const AUTO_SEED = 0;

/** a walk's length bound: the protocol's runs take a few hundred steps */
const AUTO_WALK_DEPTH = 2_000;

export interface AutoOptions<S, A extends Action> extends DporOptions<S, A> {
  /** the random walks before the reduced search (default {@link AUTO_WALKS}) */
  readonly walks?: number;
}

/**
 * `--reduction auto`: first {@link AUTO_WALKS} random walks (seed 0). Where
 * one meets a violation, a breadth-first search to its length proves the
 * shortest counterexample, which is then exactly the one the plain search
 * (`none`) prints, at the plain search's cost plus the walks'. Where no walk does,
 * the reduced search (./dpor.ts) gives the verdict, at its own cost plus the
 * walks'. The walks find the protocol's violations in milliseconds, where the
 * reduced search, depth first, may meet one only after most of its states;
 * the proof by breadth-first search is needed either way, and with a violation
 * it is the plain search's work. A walk that only runs long proves nothing
 * (it ends unjudged): non-termination is the reduced search's to decide.
 */
export class AutoSearch<S, A extends Action> implements Search<S, A> {
  private readonly walks: AutoWalks<S, A>;
  /** the reduced search, made when the walks end without a violation (a small check that a walk settles pays for none of its tables) */
  private dpor: DporSearch<S, A> | null = null;
  /** the walks' result, once they ended */
  private walked: Result<S, A> | null = null;
  private proof: { readonly run: Proof<S, A>; readonly note: string; readonly phase: Phase } | null = null;
  private stopped: string | null = null;
  private finished: Result<S, A> | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: AutoOptions<S, A> = {},
  ) {
    const why = DporSearch.unsupported(model, properties);
    if (why) throw new Error(`partial-order reduction unavailable: ${why}`);
    // a walk longer than AUTO_WALK_DEPTH ends there, unjudged: the reduced search decides non-termination
    this.walks = new AutoWalks(model, properties, { runs: options.walks ?? AUTO_WALKS, seed: AUTO_SEED, maxDepth: AUTO_WALK_DEPTH, noEndFails: false });
  }

  get stats(): Stats {
    if (this.finished) return this.finished.stats;
    if (this.proof) return this.proofStats();
    return this.dpor ? this.reducedStats() : this.walks.stats;
  }

  get frontier(): number {
    return (this.proof?.run ?? this.dpor ?? this.walks).frontier;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
    this.walks.stop(reason);
    this.dpor?.stop(reason);
  }

  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const left = Math.max(1, deadline - Date.now());
      if (!this.walked) {
        const r = this.walks.work(left);
        if (!r) return null;
        this.walked = r;
        const v = r.violation;
        if (r.verdict === 'violated') {
          const note = `found by ${AutoWalks.kind(r.failedRun!)} ${r.failedRun!} (seed ${AUTO_SEED}) at depth ${v!.steps.length}`;
          const asked = this.options.certifyStates ?? PROOF_STATES;
          if (asked <= 0) return this.finish(settle(this.model, this.properties, { shortest: false, violation: v!, why: 'not proven shortest: no proof was asked for' }, v!.steps.length, note, this.shrinkTally));
          this.proof = { run: new Proof(this.model, this.properties, v!, asked, this.options.maxMemory), note, phase: { states: 0, ms: 0 } };
        } else if (r.verdict === 'incomplete') return this.finish(); // stopped
        else {
          const { walks: _w, ...rest } = this.options;
          this.dpor = new DporSearch(this.model, this.properties, rest);
        }
        continue;
      }
      if (this.proof) return this.proved(left);
      const t0 = Date.now();
      const r = this.dpor!.work(left);
      this.dporMs += Date.now() - t0;
      return r ? (this.finished = { ...r, stats: this.reducedStats() }) : null;
    }
  }

  /** Goes on with the proof of a walk's counterexample; its result once there is one. */
  private proved(budgetMs: number): Result<S, A> | null {
    const p = this.proof!;
    const t0 = Date.now();
    const c = this.stopped ? p.run.stoppedBy(this.stopped) : p.run.work(budgetMs);
    p.phase.ms += Date.now() - t0;
    p.phase.states = p.run.states;
    return c && this.finish(settle(this.model, this.properties, c, p.run.violation.steps.length, p.note, this.shrinkTally));
  }

  /** the shrinking's phase, made when it first runs */
  private shrinkPhase: Phase | null = null;
  private readonly shrinkTally = (): Phase => (this.shrinkPhase ??= { states: 0, ms: 0, runs: 0 });

  /**
   * The result once the walks met a violation (or were stopped): the proof's
   * breadth-first search is what was explored, or where none ran, the walks.
   */
  private finish(violation?: Violation<S, A>): Result<S, A> {
    const stats = this.proofStats();
    const walked = this.walked!;
    const base = this.proof
      ? { explored: 'exhaustive' as const, stats, properties: walked.properties }
      : { ...walked, stats: { ...walked.stats, elapsedMs: stats.elapsedMs, phases: stats.phases } };
    if (violation) return (this.finished = { ...base, verdict: 'violated', violation });
    return (this.finished = { ...base, verdict: 'incomplete', stoppedBy: this.stopped ?? 'stopped' });
  }

  private proofStats(): Stats {
    const bfs = this.proof?.run.bfs?.stats;
    return {
      states: bfs?.states ?? 0,
      transitions: bfs?.transitions ?? 0,
      maxDepth: bfs?.maxDepth ?? 0,
      runs: 0,
      elapsedMs: Date.now() - this.started,
      tableBytes: bfs?.tableBytes ?? 0,
      ...(bfs?.peakBytes !== undefined ? { peakBytes: bfs.peakBytes } : {}),
      phases: {
        search: this.walksPhase!,
        ...(this.shrinkPhase ? { shrink: { ...this.shrinkPhase } } : {}),
        ...(this.proof ? { proof: { ...this.proof.phase } } : {}),
      },
    };
  }

  /** the walks' runs, the states they visited and their time, once they ended */
  private get walksPhase(): Phase | null {
    const s = this.walked?.stats;
    return s ? { states: s.transitions, ms: s.elapsedMs, runs: s.runs } : null;
  }

  /** the time spent in the reduced search's work() (its own clock started with the walks) */
  private dporMs = 0;

  /** The reduced search's statistics, its time its own, with the walks as a phase. */
  private reducedStats(): Stats {
    const s = this.dpor!.stats;
    const p = s.phases ?? { search: { states: s.states, ms: s.elapsedMs } };
    const after = (p.shrink?.ms ?? 0) + (p.proof?.ms ?? 0);
    const search: Phase = { states: p.search.states, ms: Math.max(0, this.dporMs - after) };
    const walks = this.walksPhase;
    return { ...s, elapsedMs: Date.now() - this.started, phases: { ...(walks ? { walks } : {}), ...p, search } };
  }
}

/**
 * auto's walks: a uniform random walk on even runs, a PCT schedule of depth 3
 * on odd ones. Uniform walks meet the lost wake-ups (a waker inside a 3-step
 * window, which strict priorities rarely give); PCT meets the bugs that need
 * a few threads in one order (B2, B3, B7 at 5 tasks: 1–3 runs against 69–187).
 * A PCT run's length bound k is the longest uniform walk before it, so no
 * calibration runs are paid for; the counterexample carries its schedule.
 */
export class AutoWalks<S, A extends Action> extends RunSearch<S, A> {
  private readonly threads: number;

  constructor(model: Model<S, A>, properties: readonly Property<S, A>[], options: RunOptions) {
    super(model, properties, options);
    this.threads = pctThreads(model);
  }

  static kind(run: number): string {
    return run % 2 === 0 ? 'random walk' : 'PCT run (depth 3)';
  }

  one(r: number): Violation<S, A> | null {
    // uniform walk j and PCT run j draw from the same seed, (seed, j)
    const rng = xoroshiro128plus(runSeed(this.seed, r >> 1));
    if (r % 2 === 0) return this.walk("the random walk's depth bound", uniformChooser(rng));
    return this.walk("the run's depth bound", pctChooser(rng, this.threads, Math.max(1, this.stats.maxDepth), 3));
  }

  protected summary() {
    return { explored: 'random' as const };
  }
}
