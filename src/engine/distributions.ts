/**
 * Delay distributions of a timed run, in µs, sampled from a pure-rand
 * generator by inverse transform (one uniform per draw, except a mixture,
 * which draws its component first): the same generator state gives the same
 * delay, so a run replays from its seed.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type Distribution =
  | { readonly type: 'constant'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | { readonly type: 'exponential'; readonly mean: number }
  /** exp(N(ln median, sigma²)) */
  | { readonly type: 'lognormal'; readonly median: number; readonly sigma: number }
  | { readonly type: 'mixture'; readonly parts: readonly { readonly weight: number; readonly dist: Distribution }[] }
  /** a measured histogram: a bucket is drawn by its count, then a value uniformly inside it */
  | { readonly type: 'histogram'; readonly buckets: readonly { readonly lo: number; readonly hi: number; readonly count: number }[] }
  /** measured percentiles (p in [0, 1]): the inverse CDF is linear between the points */
  | { readonly type: 'quantiles'; readonly points: readonly { readonly p: number; readonly value: number }[] }
  /** at a fixed time since the run started (a fault at a known moment); at once if that time has passed */
  | { readonly type: 'at'; readonly time: number };

/** Draws a delay; `now` is the clock when the step became enabled. */
export type Sampler = (rng: RandomGenerator, now: number) => number;

/** Acklam's rational approximation of the standard normal inverse CDF (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Index of the first cumulative weight above u (binary search). */
function pick(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((s, w) => s + w, 0);
  const cum = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (cum[i] = acc += w / total));
  cum[cum.length - 1] = 1;
  return cum;
}

/** A sampler for a (validated) distribution, every delay multiplied by `scale`. */
export function sampler(d: Distribution, scale = 1): Sampler {
  const u = uniformFloat64;
  switch (d.type) {
    case 'constant': {
      const v = d.value * scale;
      return () => v;
    }
    case 'uniform': {
      const lo = d.min * scale;
      const w = (d.max - d.min) * scale;
      return (rng) => lo + w * u(rng);
    }
    case 'exponential': {
      const m = d.mean * scale;
      return (rng) => -m * Math.log1p(-u(rng));
    }
    case 'lognormal': {
      const mu = Math.log(d.median * scale);
      const s = d.sigma;
      // u is in [0, 1): 0 maps to -Infinity, so nudge it into the open interval
      return (rng) => Math.exp(mu + s * normalQuantile(u(rng) || Number.MIN_VALUE));
    }
    case 'mixture': {
      const cum = cumulative(d.parts.map((p) => p.weight));
      const parts = d.parts.map((p) => sampler(p.dist, scale));
      return (rng, now) => parts[pick(cum, u(rng))]!(rng, now);
    }
    case 'histogram': {
      const cum = cumulative(d.buckets.map((b) => b.count));
      const lo = d.buckets.map((b) => b.lo * scale);
      const w = d.buckets.map((b) => (b.hi - b.lo) * scale);
      // one uniform picks the bucket and, rescaled, the place inside it
      return (rng) => {
        const x = u(rng);
        const i = pick(cum, x);
        const base = i === 0 ? 0 : cum[i - 1]!;
        return lo[i]! + w[i]! * ((x - base) / (cum[i]! - base));
      };
    }
    case 'quantiles': {
      const ps = d.points.map((q) => q.p);
      const vs = d.points.map((q) => q.value * scale);
      return (rng) => {
        const x = ps[0]! + u(rng) * (ps[ps.length - 1]! - ps[0]!);
        let i = 1;
        while (i < ps.length - 1 && ps[i]! < x) i++;
        const span = ps[i]! - ps[i - 1]!;
        return span > 0 ? vs[i - 1]! + ((vs[i]! - vs[i - 1]!) * (x - ps[i - 1]!)) / span : vs[i]!;
      };
    }
    case 'at': {
      const t = d.time * scale;
      return (_rng, now) => Math.max(0, t - now);
    }
  }
}

/** The mean of a distribution (µs), for documentation and tests; `at` has none. */
export function meanOf(d: Distribution): number {
  switch (d.type) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case 'mixture': {
      const total = d.parts.reduce((s, p) => s + p.weight, 0);
      return d.parts.reduce((s, p) => s + (p.weight / total) * meanOf(p.dist), 0);
    }
    case 'histogram': {
      const total = d.buckets.reduce((s, b) => s + b.count, 0);
      return d.buckets.reduce((s, b) => s + (b.count / total) * ((b.lo + b.hi) / 2), 0);
    }
    case 'quantiles': {
      let m = 0;
      for (let i = 1; i < d.points.length; i++) {
        const a = d.points[i - 1]!;
        const b = d.points[i]!;
        m += (b.p - a.p) * ((a.value + b.value) / 2);
      }
      return m / (d.points[d.points.length - 1]!.p - d.points[0]!.p);
    }
    case 'at':
      return NaN;
  }
}
