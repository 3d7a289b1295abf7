/**
 * PCT (src/engine/pct.ts): the probability bound, priority scheduling on toy
 * models (a depth-1 run is a strict-priority schedule; a depth-2 bug is found
 * at least as often as the bound says), every mutant's declared violation
 * within a bounded number of runs for fixed seeds, determinism per seed and
 * per run, and the CLI's `--strategy pct --depth d`.
 */
import { describe, expect, it } from 'vitest';
import { mutantScenario } from '../bench/scenarios.ts';
import { mutants } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { main } from '../src/cli/main.ts';
import { PctSearch, pctBound } from '../src/engine/pct.ts';
import { RandomSearch } from '../src/engine/random.ts';
import { replay } from '../src/engine/replay.ts';
import { exploreSync } from '../src/engine/run.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';
import { buildModel } from '../src/kernel/model.ts';

/** `threads` threads, each taking `steps` steps of its own; no thread ever waits. */
const counters = (threads: number, steps: number): Model<number[]> => ({
  name: 'counters',
  actors: Array.from({ length: threads }, (_, i) => `T${i}`),
  init: () => Array.from({ length: threads }, () => 0),
  actions: (s) =>
    s.flatMap((c, actor) => (c < steps ? [{ actor, label: `step ${c + 1}` } satisfies Action] : [])),
  next: (s, a) => s.map((c, i) => (i === a.actor ? c + 1 : c)),
});

/** The depth-2 bug: thread 1's only step comes after exactly `j` of thread 0's steps. */
const afterExactly = (j: number): Property<number[]> => ({
  id: 'B',
  title: 'thread 1 after exactly j steps of thread 0',
  onStep: (prev, a) => (a.actor === 1 && prev[0] === j ? `thread 1 ran after ${j} steps of thread 0` : null),
});

describe('the PCT bound', () => {
  it('is 1/(n·k^(d−1)) per run and (1 − p)^R for missing after R runs', () => {
    const b = pctBound(3, 10, 3);
    expect(b.perRun).toBeCloseTo(1 / 300, 15);
    expect(b.missAfter(1)).toBeCloseTo(1 - 1 / 300, 12);
    expect(b.missAfter(1000)).toBeCloseTo((1 - 1 / 300) ** 1000, 12);
    expect(pctBound(4, 50, 1).perRun).toBe(1 / 4); // depth 1: the right thread must simply come first
  });
});

describe('PCT scheduling', () => {
  it('at depth 1 (no change point) a run is a strict-priority schedule: whole threads one after another', () => {
    const m = counters(3, 4);
    const end: Property<number[]> = { id: 'X', title: 'x', onEnd: () => 'end' };
    expect(new PctSearch(m, [], { depth: 1 }).bound.threads).toBe(3);
    const schedules = new Set<string>();
    for (let r = 0; r < 200; r++) {
      const order = exploreSync(m, [end], { strategy: 'pct', depth: 1, runs: 1, firstRun: r })
        .violation!.steps.map((s) => s.action.actor)
        .join('');
      expect(order).toMatch(/^(0000|1111|2222){3}$/);
      schedules.add(order);
    }
    expect(schedules.size).toBe(6); // the 3! priority orders, and nothing else
  });

  it('finds a depth-2 bug at least as often as 1/(n·k) promises, and more often than the random walk', () => {
    const m = counters(2, 9); // thread 0 takes 9 steps; thread 1 is cut to a single step below
    const model: Model<number[]> = { ...m, actions: (s) => m.actions(s).filter((a) => a.actor === 0 || s[1] === 0) };
    const bug = afterExactly(5);
    const pct = new PctSearch(model, [bug], { depth: 2 });
    expect(pct.bound.steps).toBe(10); // the 9 + 1 steps of every run
    const walk = new RandomSearch(model, [bug], {});
    const R = 4000;
    let byPct = 0;
    let byWalk = 0;
    for (let r = 0; r < R; r++) {
      if (pct.one(r)) byPct++;
      if (walk.one(r)) byWalk++;
    }
    expect(byPct / R).toBeGreaterThanOrEqual(0.8 * pct.bound.perRun); // p ≥ 1/20; 0.8 leaves room for sampling noise
    expect(byPct).toBeGreaterThan(2 * byWalk); // a uniform walk hits 5-then-1 with probability 1/64
  });
});

describe('PCT on the mutants', () => {
  const rows = mutants.map((v) => [v.name, v] as const);
  it.each(rows)('%s: its declared violation within 200 runs for seeds 0–4 (N = 3)', (_name, variant) => {
    const model = buildModel(variant, mutantScenario(variant.name, 3));
    const props = restartProperties(model).filter((p) => p.id === variant.breaks);
    for (let seed = 0; seed < 5; seed++) {
      const r = exploreSync(model, props, { strategy: 'pct', runs: 200, seed, depth: 3 });
      expect(r.verdict, `${variant.name} seed ${seed}`).toBe('violated');
      expect(r.violation!.property).toBe(variant.breaks);
      expect(r.failedRun).toBe(r.stats.runs - 1);
      // the schedule replays on its own to the same violation
      expect(replay(model, props, r.violation!.choices).failure?.property).toBe(variant.breaks);
    }
  });

  it('is deterministic: one seed, one result; a failing run replays alone by its index', () => {
    const variant = mutants.find((v) => v.name === 'mutant:lost-wakeup')!;
    const model = buildModel(variant, mutantScenario(variant.name, 3));
    const props = restartProperties(model).filter((p) => p.id === variant.breaks);
    const a = exploreSync(model, props, { strategy: 'pct', runs: 500, seed: 11 });
    const b = exploreSync(model, props, { strategy: 'pct', runs: 500, seed: 11 });
    expect(b.failedRun).toBe(a.failedRun);
    expect(b.violation!.choices).toEqual(a.violation!.choices);
    expect(b.stats).toEqual({ ...a.stats, elapsedMs: b.stats.elapsedMs });
    const alone = new PctSearch(model, props, { seed: 11 }).one(a.failedRun!);
    expect(alone!.choices).toEqual(a.violation!.choices);
    const other = exploreSync(model, props, { strategy: 'pct', runs: 500, seed: 12 });
    expect(other.violation!.choices).not.toEqual(a.violation!.choices);
  });
});

describe('crsim check --strategy pct', () => {
  it('prints the verdict and the bound of its parameters, and --json carries them', async () => {
    const args = ['check', '-m', 'mutant:B2', '-t', '3', '-z', '1', '-p', 'P2', '--strategy', 'pct', '--depth', '2', '--runs', '50', '--seed', '3'];
    const lines: string[] = [];
    expect(await main(args, (s) => lines.push(s))).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/P2 violated after \d+ steps/);
    expect(text).toMatch(/pct depth 2: \d+ schedules \(seed 3, run \d+ failed\)/);
    const json: string[] = [];
    expect(await main([...args, '--json'], (s) => json.push(s))).toBe(1);
    const r = JSON.parse(json.join('\n')) as { pct: { depth: number; threads: number; steps: number; perRun: number }; failedRun: number; runs: number };
    expect(r.pct.depth).toBe(2);
    expect(r.pct.threads).toBe(4); // coordinator and three tasks
    expect(r.pct.perRun).toBeCloseTo(1 / (r.pct.threads * r.pct.steps), 15);
    expect(r.runs).toBe(r.failedRun + 1);
    const bound = text.split('\n').find((l) => l.startsWith('PCT bound:'))!;
    expect(bound).toContain(`n = 4 threads, k = ${r.pct.steps} steps, d = 2`);
    expect(bound).toContain(`1/${(4 * r.pct.steps).toLocaleString('en-US')}`);
    const miss = (1 - r.pct.perRun) ** 50;
    expect(bound).toContain(`50 runs miss it with probability ≤ (1 − p)^R = ${miss.toPrecision(3)}`);
  });

  it('refuses a bad depth or a PCT option with another strategy (exit 2)', async () => {
    const quiet = (): void => undefined;
    expect(await main(['check', '-t', '2', '--strategy', 'pct', '--depth', '0'], quiet)).toBe(2);
    expect(await main(['check', '-t', '2', '--depth', '2'], quiet)).toBe(2);
    expect(await main(['check', '-t', '2', '--strategy', 'random', '--steps', '40'], quiet)).toBe(2);
    expect(await main(['check', '-t', '2', '--strategy', 'wild'], quiet)).toBe(2);
  });
});
