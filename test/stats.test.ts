import { describe, expect, it } from 'vitest';
import { TimedSimulator } from '../src/engine/timed.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';
import { clopperPearson, meanCI, okamotoRuns, quantile, quantileCI, runsForUpperBound, Sprt } from '../src/engine/stats.ts';

/** Two exponential clocks race: A (rate λ1) and B (rate λ2) each take one step; "A first" has probability λ1/(λ1+λ2). */
type S = readonly [number, number];
const A: Action = { actor: 0, label: 'A' };
const B: Action = { actor: 1, label: 'B' };
const race: Model<S, Action> = {
  name: 'race',
  actors: ['A', 'B'],
  init: () => [0, 0],
  actions: (s) => (s[0] + s[1] > 0 ? [] : [A, B]),
  next: (s, a) => (a === A ? [1, s[1]] : [s[0], 1]),
  timeClass: (a) => ({ name: a.label }),
};
const aFirst: Property<S, Action> = { id: 'Afirst', title: 'A moves first', onStep: (_p, a) => (a === A ? 'A moved first' : null) };
const raceSim = (l1: number, l2: number, seed: number) =>
  new TimedSimulator(race, [aFirst], {
    seed,
    profile: { name: 'race', classes: { A: { type: 'exponential', mean: 1 / l1 }, B: { type: 'exponential', mean: 1 / l2 } } },
  });
const hits = (sim: TimedSimulator<S, Action>, from: number, n: number): number => {
  let k = 0;
  for (let r = from; r < from + n; r++) if (sim.run(r).violations.length) k++;
  return k;
};

describe('Clopper–Pearson, Okamoto, SPRT', () => {
  it('exact intervals match known values', () => {
    // R: binom.test(5, 20)$conf.int = 0.0865 0.4910; 0/17 gives the 'rule of three' bound 0.195
    const i = clopperPearson(5, 20);
    expect(i.lo).toBeCloseTo(0.0866, 3);
    expect(i.hi).toBeCloseTo(0.491, 3);
    expect(clopperPearson(0, 17).hi).toBeCloseTo(0.195064, 5);
    expect(clopperPearson(0, 17).lo).toBe(0);
    expect(clopperPearson(10, 10).hi).toBe(1);
  });

  it('the Okamoto bound and the runs a tighter zero bound needs', () => {
    expect(okamotoRuns(0.05, 0.95)).toBe(738);
    expect(okamotoRuns(0.01, 0.95)).toBe(18445);
    const n = runsForUpperBound(1e-3);
    expect(clopperPearson(0, n).hi).toBeLessThanOrEqual(1e-3);
    expect(clopperPearson(0, n - 1).hi).toBeGreaterThan(1e-3);
  });

  it('two exponential races: the 95% interval covers λ1/(λ1+λ2) in at least 93% of 200 seeded repetitions', () => {
    const l1 = 1;
    const l2 = 3;
    const truth = l1 / (l1 + l2);
    const sim = raceSim(l1, l2, 11);
    const n = 300;
    let covered = 0;
    for (let rep = 0; rep < 200; rep++) {
      const { lo, hi } = clopperPearson(hits(sim, rep * n, n), n);
      if (lo <= truth && truth <= hi) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(186);
    expect(covered).toBeLessThan(200); // an interval that always covers would be suspiciously wide
  });

  it("SPRT's observed error rates stay within α and β at the edges of the indifference region", () => {
    const alpha = 0.1;
    const beta = 0.1;
    const claim = { theta: 0.25, delta: 0.05, alpha, beta, direction: '<' as const };
    const decide = (p: number, seed: number): { wrong: number; samples: number } => {
      // rates giving P(A first) = p
      const sim = raceSim(p, 1 - p, seed);
      let wrong = 0;
      let samples = 0;
      let r = 0;
      for (let rep = 0; rep < 200; rep++) {
        const t = new Sprt(claim);
        while (!t.decision) t.add(sim.run(r++).violations.length > 0);
        samples += t.samples;
        if (t.decision === (p < claim.theta ? 'reject' : 'accept')) wrong++;
      }
      return { wrong: wrong / 200, samples: samples / 200 };
    };
    const holds = decide(0.2, 1); // the claim Pr < 0.25 holds by δ: reject it at most α of the time
    const fails = decide(0.3, 2); // it fails by δ: accept it at most β of the time
    expect(holds.wrong).toBeLessThanOrEqual(alpha);
    expect(fails.wrong).toBeLessThanOrEqual(beta);
    expect(holds.samples).toBeLessThan(okamotoRuns(0.05, 0.9)); // sequential: fewer runs than a fixed-N estimate
  });

  it('SPRT decides and then stays decided; θ ± δ must be a probability', () => {
    const t = new Sprt({ theta: 0.5, delta: 0.1, alpha: 0.05, beta: 0.05, direction: '>' });
    while (!t.decision) t.add(true);
    expect(t.decision).toBe('accept');
    const n = t.samples;
    t.add(false);
    expect(t.samples).toBe(n);
    expect(() => new Sprt({ theta: 1e-3, delta: 1e-3, alpha: 0.05, beta: 0.05, direction: '<' })).toThrow(/inside \(0, 1\)/);
  });
});

describe('percentiles and means', () => {
  const xs = Float64Array.from({ length: 1001 }, (_v, i) => i);
  it('quantiles interpolate and their intervals bracket them', () => {
    expect(quantile(xs, 0.5)).toBe(500);
    expect(quantile(xs, 0.999)).toBeCloseTo(999, 6);
    const c = quantileCI(xs, 0.9);
    expect(c.lo).toBeLessThan(900);
    expect(c.hi).toBeGreaterThan(900);
    expect(c.hi - c.lo).toBeLessThan(60);
  });
  it('mean with an interval', () => {
    const m = meanCI(xs);
    expect(m.value).toBe(500);
    expect(m.lo).toBeLessThan(500);
    expect(m.hi - m.lo).toBeCloseTo(2 * 1.96 * Math.sqrt((1001 * 1002) / 12 / 1001), 0);
  });
});
