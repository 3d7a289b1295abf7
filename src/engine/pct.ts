import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { runSeed } from './random.ts';
import { RunSearch, type RunOptions } from './runs.ts';
import type { SearchOptions } from './search.ts';
import { threadOf, type Action, type Model, type Property, type Violation } from './types.ts';

/** k per model and depth bound (see PctSearch.calibrate). */
const calibrated = new WeakMap<object, Map<number, number>>();

/** The guarantee PCT gives, for the parameters of a run. */
export interface PctBound {
  /** d: the bug depth the runs target */
  readonly depth: number;
  /** n: the number of threads */
  readonly threads: number;
  /** k: the number of steps a run may take (an estimate from calibration runs, or given) */
  readonly steps: number;
  /** 1/(n·k^(d−1)): the probability that one run finds a given bug of depth d */
  readonly perRun: number;
  /** (1 − perRun)^R: an upper bound on the probability that R runs all miss it */
  readonly missAfter: (runs: number) => number;
}

/** The probability bound of Burckhardt et al. (ASPLOS 2010) for n threads, k steps, depth d. */
export function pctBound(threads: number, steps: number, depth: number): PctBound {
  const perRun = 1 / (threads * Math.pow(Math.max(1, steps), depth - 1));
  return {
    depth,
    threads,
    steps,
    perRun,
    missAfter: (runs) => Math.exp(runs * Math.log1p(-Math.min(perRun, 1 - 1e-16))),
  };
}

export interface PctOptions extends SearchOptions {
  /** d ≥ 1: how many ordering constraints the bug needs (d − 1 priority change points) */
  readonly depth?: number;
  /** k: the length of a run; default the longest of a few calibration runs */
  readonly steps?: number;
}

/**
 * Probabilistic concurrency testing (PCT, Burckhardt, Kothari, Musuvathi and
 * Nagarakatte, ASPLOS 2010). Each run gives the threads random distinct
 * priorities d … d+n−1 and picks d−1 random change points among the k steps;
 * at every step the enabled thread of highest priority moves, and at the i-th
 * change point the thread about to move drops to priority i. A bug that needs
 * d ordering constraints is found by one run with probability at least
 * 1/(n·k^(d−1)). Runs are independent and seeded like the random walks
 * (`runSeed(seed, r)`), so any run replays on its own, on any worker.
 */
export class PctSearch<S, A extends Action> extends RunSearch<S, A> {
  readonly bound: PctBound;

  constructor(model: Model<S, A>, properties: readonly Property<S, A>[], options: PctOptions & RunOptions = {}) {
    super(model, properties, options);
    const depth = options.depth ?? 3;
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`pct: depth must be an integer >= 1 (got ${depth})`);
    this.bound = pctBound(pctThreads(model), options.steps ?? this.calibrate(), depth);
  }

  protected summary() {
    const b = this.bound;
    return { explored: 'pct' as const, pct: { depth: b.depth, threads: b.threads, steps: b.steps, perRun: b.perRun } };
  }

  /**
   * k: the longest of 8 uniform random walks (no property checked), the same
   * for every seed, so every seed, shard and worker draws its change points
   * from the same range; computed once per model and depth bound.
   */
  private calibrate(): number {
    let known = calibrated.get(this.model);
    if (!known) calibrated.set(this.model, (known = new Map()));
    const hit = known.get(this.maxDepth);
    if (hit !== undefined) return hit;
    let longest = 1;
    for (let r = 0; r < 8; r++) {
      const rng = xoroshiro128plus(runSeed(0x5c7, r));
      let state = this.model.init();
      let n = 0;
      for (; n < this.maxDepth; n++) {
        const enabled = this.model.actions(state);
        if (enabled.length === 0) break;
        state = this.model.next(state, enabled[uniformInt(rng, 0, enabled.length - 1)]!);
      }
      longest = Math.max(longest, n);
    }
    known.set(this.maxDepth, longest);
    return longest;
  }

  /** One PCT schedule; its violation, if any. */
  one(r: number): Violation<S, A> | null {
    const { threads, steps, depth } = this.bound;
    return this.walk("the run's depth bound", pctChooser(xoroshiro128plus(runSeed(this.seed, r)), threads, steps, depth));
  }
}

/** The threads PCT gives priorities to: the reduction's threads (a fault is one of its own), else the actors. */
export function pctThreads(model: Pick<Model<unknown>, 'por' | 'actors'>): number {
  return model.por?.threads ?? model.actors.length;
}

/**
 * One PCT schedule's chooser, its draws from `rng`: the n threads get random
 * distinct priorities d … d+n−1 and d−1 change points are drawn in [1, k]; at
 * every step the enabled thread of highest priority moves, and at the i-th
 * change point the thread about to move drops to priority i.
 */
export function pctChooser<A extends Action>(rng: RandomGenerator, n: number, k: number, d: number): (enabled: readonly A[], depth: number) => number {
  const prio = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let i = 0; i < n; i++) prio[order[i]!] = d + i;
  const changeAt = new Map<number, number>();
  for (let i = 1; i < d; i++) {
    let step = uniformInt(rng, 1, k);
    while (changeAt.has(step)) step = (step % k) + 1;
    changeAt.set(step, i);
  }
  const highest = (enabled: readonly A[]): number => {
    let best = 0;
    for (let i = 1; i < enabled.length; i++) {
      if (prio[threadOf(enabled[i]!)]! > prio[threadOf(enabled[best]!)]!) best = i;
    }
    return best;
  };
  /** the thread's action, one of its outcomes at random when its step is nondeterministic (no draw otherwise) */
  const outcome = (enabled: readonly A[], first: number): number => {
    const t = threadOf(enabled[first]!);
    const mine: number[] = [];
    for (let i = first; i < enabled.length; i++) if (threadOf(enabled[i]!) === t) mine.push(i);
    return mine.length === 1 ? first : mine[uniformInt(rng, 0, mine.length - 1)]!;
  };
  return (enabled, depth) => {
    const best = highest(enabled);
    const lowered = changeAt.get(depth + 1);
    if (lowered === undefined) return outcome(enabled, best);
    prio[threadOf(enabled[best]!)] = lowered;
    return outcome(enabled, highest(enabled));
  };
}
