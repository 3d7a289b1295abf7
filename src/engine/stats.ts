/**
 * Statistics of statistical model checking: exact Clopper–Pearson intervals,
 * the number of runs fixed up front for a half-width ε (the Okamoto/Chernoff
 * bound, as UPPAAL's and PRISM's `-simapprox`/APMC do: stopping when a
 * sequentially recomputed interval first gets narrow enough would be
 * anti-conservative), Wald's sequential probability ratio test, and
 * percentiles and means with their intervals.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { normalQuantile } from './distributions.ts';

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** The exact (Clopper–Pearson) two-sided interval of a binomial proportion k/n. */
export function clopperPearson(k: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { lo: 0, hi: 1 };
  const a = 1 - confidence;
  return {
    lo: k === 0 ? 0 : betaQuantile(a / 2, k, n - k + 1),
    hi: k === n ? 1 : betaQuantile(1 - a / 2, k + 1, n - k),
  };
}

/**
 * Runs that make |p̂ − p| ≤ ε with probability at least `confidence`, for any
 * p (Okamoto 1959; Hoeffding): N = ⌈ln(2/(1−confidence)) / (2ε²)⌉.
 * ε = 0.01 at 95%: 18,445 runs.
 */
export function okamotoRuns(epsilon: number, confidence = 0.95): number {
  return Math.ceil(Math.log(2 / (1 - confidence)) / (2 * epsilon * epsilon));
}

/** With no violation seen, the runs it takes for the interval's upper bound to fall to `target`. */
export function runsForUpperBound(target: number, confidence = 0.95): number {
  return Math.ceil(Math.log((1 - confidence) / 2) / Math.log1p(-target));
}

export type SprtDecision = 'accept' | 'reject' | null;

export interface SprtOptions {
  /** the threshold θ of the claim `Pr < θ` (or `Pr > θ`) */
  readonly theta: number;
  readonly direction: '<' | '>';
  /** half-width of the indifference region: the test is decided between θ − δ and θ + δ */
  readonly delta: number;
  /** probability of rejecting the claim when it holds by δ or more */
  readonly alpha: number;
  /** probability of accepting the claim when it fails by δ or more */
  readonly beta: number;
}

/**
 * Wald's SPRT (as PRISM's SPRTMethod, Younes and Simmons CAV'02) over
 * Bernoulli samples ("this run violated the property").
 */
export class Sprt {
  private llr = 0;
  private readonly up: number;
  private readonly down: number;
  private readonly onHit: number;
  private readonly onMiss: number;
  samples = 0;
  hits = 0;
  decision: SprtDecision = null;

  constructor(readonly options: SprtOptions) {
    const { theta, delta, alpha, beta, direction } = options;
    const lo = theta - delta;
    const hi = theta + delta;
    if (!(lo > 0 && hi < 1)) throw new RangeError(`SPRT: θ ± δ must lie inside (0, 1) (θ ${theta}, δ ${delta})`);
    const pTrue = direction === '<' ? lo : hi;
    const pFalse = direction === '<' ? hi : lo;
    // log-likelihood ratio of "the claim fails" against "the claim holds"
    this.onHit = Math.log(pFalse / pTrue);
    this.onMiss = Math.log((1 - pFalse) / (1 - pTrue));
    this.up = Math.log((1 - beta) / alpha);
    this.down = Math.log(beta / (1 - alpha));
  }

  /** Adds one sample; the decision once there is one (later samples change nothing). */
  add(hit: boolean): SprtDecision {
    if (this.decision) return this.decision;
    this.samples++;
    if (hit) this.hits++;
    this.llr += hit ? this.onHit : this.onMiss;
    if (this.llr >= this.up) this.decision = 'reject';
    else if (this.llr <= this.down) this.decision = 'accept';
    return this.decision;
  }
}

/** The q-quantile of sorted values (linear interpolation between order statistics). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const i = Math.floor(h);
  const a = sorted[i]!;
  return i + 1 < n ? a + (h - i) * (sorted[i + 1]! - a) : a;
}

export interface Estimate {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * A distribution-free interval of the q-quantile: the order statistics whose
 * ranks bound a binomial(n, q) count at the confidence (normal approximation).
 */
export function quantileCI(sorted: ArrayLike<number>, q: number, confidence = 0.95): Estimate {
  const n = sorted.length;
  if (n === 0) return { value: NaN, lo: NaN, hi: NaN };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const sd = Math.sqrt(n * q * (1 - q));
  const lo = Math.max(0, Math.floor(n * q - z * sd) - 1);
  const hi = Math.min(n - 1, Math.ceil(n * q + z * sd));
  return { value: quantile(sorted, q), lo: sorted[lo]!, hi: sorted[hi]! };
}

/** The mean with a normal-approximation interval. */
export function meanCI(values: ArrayLike<number>, confidence = 0.95): Estimate {
  const n = values.length;
  if (n === 0) return { value: NaN, lo: NaN, hi: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const half = n > 1 ? normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(ss / (n - 1) / n) : Infinity;
  return { value: mean, lo: mean - half, hi: mean + half };
}

export const PERCENTILES = [0.5, 0.9, 0.99, 0.999] as const;

export interface TimeSummary {
  readonly count: number;
  readonly mean: Estimate;
  /** p50, p90, p99, p99.9 */
  readonly percentiles: readonly (Estimate & { readonly q: number })[];
  readonly max: number;
}

/** Mean and percentiles of the values that are numbers (NaN: the run never got there). */
export function summarizeTimes(values: ArrayLike<number>, confidence = 0.95): TimeSummary {
  const xs = Float64Array.from(Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[]).sort();
  return {
    count: xs.length,
    mean: meanCI(xs, confidence),
    percentiles: PERCENTILES.map((q) => ({ q, ...quantileCI(xs, q, confidence) })),
    max: xs.length ? xs[xs.length - 1]! : NaN,
  };
}
