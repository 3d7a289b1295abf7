import { describe, expect, it } from 'vitest';
import { sampler, meanOf, type Distribution } from '../src/engine/distributions.ts';
import { parseProfile, parseRunqlat, parseSchbench, ProfileError, type Profile } from '../src/engine/profile.ts';
import { replay } from '../src/engine/replay.ts';
import { TimedSimulator } from '../src/engine/timed.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A: `steps` steps of class slow, enabled while the gate is open; B: its list of steps (class fast), some closing or opening the gate. */
interface S {
  readonly a: number;
  readonly b: number;
  readonly gate: boolean;
}
function toy(aSteps: number, bSteps: readonly ('close' | 'open' | 'noop')[]): Model<S, Action> {
  const acts = new Map<string, Action>();
  const act = (actor: number, label: string): Action => {
    let x = acts.get(label);
    if (!x) acts.set(label, (x = { actor, label }));
    return x;
  };
  return {
    name: 'toy',
    actors: ['A', 'B'],
    init: () => ({ a: 0, b: 0, gate: true }),
    actions: (s) => [...(s.a < aSteps && s.gate ? [act(0, `A${s.a}`)] : []), ...(s.b < bSteps.length ? [act(1, `B${s.b}`)] : [])],
    next: (s, x) => {
      if (x.actor === 0) return { ...s, a: s.a + 1 };
      const op = bSteps[s.b]!;
      return { ...s, b: s.b + 1, gate: op === 'close' ? false : op === 'open' ? true : s.gate };
    },
    timeClass: (x) => ({ name: x.actor === 0 ? 'slow' : 'fast' }),
  };
}
const constant = (slow: number, fast: number): Profile => ({
  name: 'constant',
  classes: { slow: { type: 'constant', value: slow }, fast: { type: 'constant', value: fast } },
});

describe('timed runs: memory policy and clock', () => {
  it('a step that stays enabled keeps its sample while others fire', () => {
    const run = new TimedSimulator(toy(1, ['noop', 'noop', 'noop']), [], { profile: constant(10, 3) }).run(0, true);
    expect(run.times).toEqual([3, 6, 9, 10]);
    expect(run.choices).toEqual([1, 1, 1, 0]);
    expect(run.end).toBe('ended');
    expect(run.time).toBe(10);
  });

  it('a step disabled and enabled again draws a new sample', () => {
    // A enabled at 0 (fires at 10 if kept); B closes the gate at 3, opens it at 6: A draws again, fires at 16
    const run = new TimedSimulator(toy(1, ['close', 'open', 'noop']), [], { profile: constant(10, 3) }).run(0, true);
    expect(run.times).toEqual([3, 6, 9, 16]);
  });

  it('a thread that fired draws afresh for its next step', () => {
    const run = new TimedSimulator(toy(2, []), [], { profile: constant(10, 3) }).run(0, true);
    expect(run.times).toEqual([10, 20]);
  });

  it('ties go to the lower actor index', () => {
    const run = new TimedSimulator(toy(1, ['noop']), [], { profile: constant(5, 5) }).run(0, true);
    expect(run.choices).toEqual([0, 0]);
    expect(run.times).toEqual([5, 5]);
  });

  it('a time bound cuts the run: what has not happened by then did not happen', () => {
    const never: Property<S, Action> = { id: 'Q', title: 'A never moves', onStep: (_p, x) => (x.actor === 0 ? 'A moved' : null) };
    const sim = new TimedSimulator(toy(1, ['noop', 'noop', 'noop']), [never], { profile: constant(10, 3), timeBound: 9.5 });
    const run = sim.run(0);
    expect(run.end).toBe('time-bound');
    expect(run.violations).toEqual([]);
    const unbounded = new TimedSimulator(toy(1, ['noop', 'noop', 'noop']), [never], { profile: constant(10, 3) }).run(0);
    expect(unbounded.violations.map((v) => [v.property, v.time, v.steps])).toEqual([['Q', 10, 4]]);
  });

  it('one seed, one run: run r is the same alone or after others; the choices replay untimed', () => {
    const profile: Profile = { name: 'exp', classes: { slow: { type: 'exponential', mean: 10 }, fast: { type: 'exponential', mean: 3 } } };
    const model = toy(3, ['close', 'open', 'noop', 'close', 'open']);
    const a = new TimedSimulator(model, [], { profile, seed: 7 });
    const b = new TimedSimulator(model, [], { profile, seed: 7 });
    for (let r = 0; r < 5; r++) a.run(r);
    const late = a.run(5, true);
    const alone = b.run(5, true);
    expect(late).toEqual(alone);
    expect(new TimedSimulator(model, [], { profile, seed: 8 }).run(5, true).times).not.toEqual(alone.times);
    const r = replay(model, [], alone.choices!);
    expect(r.ended).toBe(true);
    expect(r.steps.map((s) => s.action.label)).toHaveLength(alone.steps);
  });

  it('a model without timing classes times every action with `default`', () => {
    const { timeClass: _drop, ...untimed } = toy(2, ['noop']);
    const run = new TimedSimulator(untimed as Model<S, Action>, [], { profile: { name: 'd', classes: { default: { type: 'constant', value: 4 } } } }).run(0, true);
    expect(run.times).toEqual([4, 4, 8]);
    expect(() => new TimedSimulator(untimed as Model<S, Action>, [], { profile: constant(1, 1) }).run(0)).toThrow(/no distribution for timing class 'default'/);
  });
});

describe('distributions', () => {
  const draw = (d: Distribution, n = 20000): number[] => {
    const rng = xoroshiro128plus(42);
    const s = sampler(d);
    return Array.from({ length: n }, () => s(rng, 0));
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

  it.each<[string, Distribution]>([
    ['uniform', { type: 'uniform', min: 2, max: 6 }],
    ['exponential', { type: 'exponential', mean: 5 }],
    ['lognormal', { type: 'lognormal', median: 6, sigma: 0.8 }],
    ['mixture', { type: 'mixture', parts: [{ weight: 3, dist: { type: 'constant', value: 1 } }, { weight: 1, dist: { type: 'constant', value: 9 } }] }],
    ['histogram', { type: 'histogram', buckets: [{ lo: 0, hi: 2, count: 1 }, { lo: 16, hi: 32, count: 3 }] }],
    ['quantiles', { type: 'quantiles', points: [{ p: 0, value: 1 }, { p: 0.5, value: 7 }, { p: 1, value: 20 }] }],
  ])('%s: the sample mean is within 3%% of the mean', (_name, d) => {
    expect(Math.abs(mean(draw(d)) / meanOf(d) - 1)).toBeLessThan(0.03);
  });

  it('log-normal median and quantile interpolation', () => {
    expect(Math.abs(median(draw({ type: 'lognormal', median: 6, sigma: 1 })) / 6 - 1)).toBeLessThan(0.04);
    expect(Math.abs(median(draw({ type: 'quantiles', points: [{ p: 0, value: 1 }, { p: 0.5, value: 7 }, { p: 1, value: 20 }] })) - 7)).toBeLessThan(0.2);
  });

  it('histogram draws stay inside their buckets', () => {
    const xs = draw({ type: 'histogram', buckets: [{ lo: 0, hi: 2, count: 1 }, { lo: 16, hi: 32, count: 3 }] });
    expect(xs.every((x) => (x >= 0 && x < 2) || (x >= 16 && x < 32))).toBe(true);
    expect(xs.filter((x) => x >= 16).length / xs.length).toBeCloseTo(0.75, 1);
  });

  it('`at` fires at a fixed time since the start', () => {
    const s = sampler({ type: 'at', time: 100 });
    const rng = xoroshiro128plus(1);
    expect(s(rng, 30)).toBe(70);
    expect(s(rng, 130)).toBe(0);
  });
});

describe('profiles', () => {
  it('a bad profile names the field, the value and what was expected', () => {
    expect(() => parseProfile({ classes: { wakeup: { type: 'lognormal', median: -1, sigma: 1 } } }, 'p.json')).toThrow(
      /p\.json: profile\.classes\.wakeup\.median: .*(>0|positive|greater).* \(got -1\)/i,
    );
    expect(() => parseProfile({ classes: { cpu: { type: 'uniform', min: 3, max: 1 } } }, 'p.json')).toThrow(/profile\.classes\.cpu\.max: expected max ≥ min \(got 1\)/);
    expect(() => parseProfile({ classes: {}, extra: 1 }, 'p.json')).toThrow(ProfileError);
  });

  it('reads bcc runqlat output (power-of-two µs buckets, msecs too)', () => {
    const text = [
      'Tracing run queue latency... Hit Ctrl-C to end.',
      '     usecs               : count     distribution',
      '         0 -> 1          : 233      |***                                     |',
      '         2 -> 3          : 742      |************                            |',
      '     16384 -> 32767      : 809      |****************************************|',
    ].join('\n');
    const d = parseRunqlat(text, 'r.txt');
    expect(d).toEqual({ type: 'histogram', buckets: [{ lo: 0, hi: 2, count: 233 }, { lo: 2, hi: 4, count: 742 }, { lo: 16384, hi: 32768, count: 809 }] });
    const ms = parseRunqlat('     msecs : count\n 4 -> 7 : 2 |*|', 'm.txt');
    expect(ms).toEqual({ type: 'histogram', buckets: [{ lo: 4000, hi: 8000, count: 2 }] });
    expect(() => parseRunqlat('nothing here', 'x.txt')).toThrow(/x\.txt: expected runqlat lines/);
  });

  it("reads schbench's wake-up percentiles, first section only", () => {
    const text = [
      'Wakeup Latencies percentiles (usec) runtime 90 (s) (1234 total samples)',
      '\t  50.0th: 7          (100 samples)',
      '\t  90.0th: 20         (50 samples)',
      '\t* 99.0th: 272        (10 samples)',
      '\t  99.9th: 1266       (2 samples)',
      '\t  min=0, max=10481',
      'Request Latencies percentiles (usec) runtime 90 (s)',
      '\t  50.0th: 15000',
    ].join('\n');
    const d = parseSchbench(text);
    expect(d.type === 'quantiles' && d.points.map((p) => [p.p, p.value])).toEqual([
      [0, 0],
      [0.5, 7],
      [0.9, 20],
      [0.99, 272],
      [0.999, 1266],
      [1, 10481],
    ]);
    expect(() => parseSchbench('50.0th: 9\n90.0th: 3')).toThrow(/do not decrease/);
  });
});
