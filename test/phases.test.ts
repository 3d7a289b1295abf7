/**
 * Issue 14: an exhaustive check reports its phases apart, states and time of
 * each: the search, the shrinking of its counterexample and the breadth-first
 * proof that it is shortest (and, with `--reduction auto`, the random walks
 * that run before the reduced search).
 */
import { describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { phasesLine } from '../src/cli/verdict.ts';
import { AUTO_WALKS, AutoSearch } from '../src/engine/auto.ts';
import { RandomSearch } from '../src/engine/random.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const target = (name: string, tasks: number, zombies: number, props = 'P1-P11') => {
  const model = buildModel(findVariant(name)!, shorthandScenario(tasks, zombies));
  return { model, properties: selectProperties(restartProperties(model), props) };
};

describe('the phases of an exhaustive check', () => {
  it('dpor with a violation: the search, then the proof, each with its own states; the times add up to the whole', () => {
    const { model, properties } = target('v18', 3, 1);
    const r = exploreSync(model, properties, { strategy: 'exhaustive', reduction: 'dpor' });
    expect(r.verdict).toBe('violated');
    const p = r.stats.phases!;
    expect(p.search.states).toBe(r.stats.states);
    expect(p.proof!.states).toBeGreaterThan(0);
    expect(r.violation!.shortest).toBe(true);
    const sum = p.search.ms + (p.shrink?.ms ?? 0) + p.proof!.ms;
    expect(sum).toBeLessThanOrEqual(r.stats.elapsedMs + 2);
    expect(phasesLine(r)).toMatch(/^ {2}\(time: search [\d,]+ states \d+\.\d\d s, .*proof [\d,]+ states \d+\.\d\d s\)$/);
  });

  it('with no proof asked for: the shrinking is counted (runs and the states they visited), no proof', () => {
    const { model, properties } = target('v18', 3, 1);
    const r = exploreSync(model, properties, { strategy: 'exhaustive', reduction: 'dpor', certifyStates: 0 });
    const p = r.stats.phases!;
    expect(p.shrink!.runs).toBeGreaterThan(0);
    expect(p.shrink!.states).toBeGreaterThanOrEqual(p.shrink!.runs!);
    expect(p.proof).toBeUndefined();
    expect(r.violation!.shortestNote).toMatch(/no proof was asked for/);
  });

  it('the plain search has one phase, and the text adds no line for it', () => {
    const { model, properties } = target('v20', 3, 1);
    const r = exploreSync(model, properties, { strategy: 'exhaustive' });
    expect(r.verdict).toBe('holds');
    expect(r.stats.phases).toEqual({ search: { states: r.stats.states, ms: r.stats.elapsedMs } });
    expect(phasesLine(r)).toBeNull();
  });

  it('crsim check prints them, and --json carries them', async () => {
    const text = await runCli('check', '-m', 'v18', '-t', '3', '-z', '1', '--reduction', 'dpor');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/\(time: search [\d,]+ states [\d.]+ s, .*proof [\d,]+ states [\d.]+ s\)/);
    const json = await runCli('check', '-m', 'v18', '-t', '3', '-z', '1', '--reduction', 'dpor', '--json');
    const o = JSON.parse(json.out) as { states: number; phases: { search: { states: number; ms: number }; proof: { states: number; ms: number } } };
    expect(o.phases.search.states).toBe(o.states);
    expect(o.phases.proof.states).toBeGreaterThan(0);
    expect(typeof o.phases.proof.ms).toBe('number');
  });
});

describe('--reduction auto: random walks first, then dpor', () => {
  const run = <S, A extends import('../src/engine/types.ts').Action>(search: { work(ms: number): import('../src/engine/types.ts').Result<S, A> | null }) => {
    for (;;) {
      const r = search.work(Infinity);
      if (r) return r;
    }
  };

  it("where the property holds: dpor's verdict and states, the walks as a phase before it", () => {
    const { model, properties } = target('v20', 4, 2);
    const dpor = exploreSync(model, properties, { strategy: 'exhaustive', reduction: 'dpor' });
    const auto = run(new AutoSearch(model, properties));
    expect(auto.verdict).toBe('holds');
    expect(auto.reduction).toBe('dpor');
    expect(auto.stats.states).toBe(dpor.stats.states);
    const p = auto.stats.phases!;
    expect(p.walks!.runs).toBe(AUTO_WALKS);
    expect(p.walks!.states).toBeGreaterThanOrEqual(AUTO_WALKS);
    expect(p.search.states).toBe(dpor.stats.states);
    expect(p.walks!.ms + p.search.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
    expect(phasesLine(auto)).toMatch(new RegExp(`^ {2}\\(time: random walks ${AUTO_WALKS} runs \\([\\d,]+ states\\) [\\d.]+ s, search [\\d,]+ states [\\d.]+ s\\)$`));
  });

  it("a walk's violation: the breadth-first proof gives exactly the plain search's counterexample, and its states", () => {
    // mutant B8 with a signal: the reduced search stores 3,707 states before its counterexample; a walk meets it in its first run
    const variant = findVariant('mutant:B8')!;
    const model = buildModel(variant, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }, { vpid: 3, kind: 'live' }], faults: [{ type: 'signal', task: 3 }] }));
    const properties = selectProperties(restartProperties(model), variant.breaks!);
    const plain = exploreSync(model, properties, { strategy: 'exhaustive' });
    const auto = run(new AutoSearch(model, properties));
    expect(auto.reduction).toBeUndefined();
    expect(auto.violation!.choices).toEqual(plain.violation!.choices);
    expect(auto.violation!.shortest).toBe(true);
    expect(auto.violation!.shortestNote).toMatch(/^found by (random walk|PCT run \(depth 3\)) \d+ \(seed 0\) at depth \d+; breadth-first search to depth \d+ gives the shortest/);
    expect(auto.stats.states).toBe(plain.stats.states);
    const p = auto.stats.phases!;
    expect(p.walks).toBeUndefined();
    expect(p.search.runs).toBeGreaterThanOrEqual(1);
    expect(p.proof!.states).toBe(plain.stats.states);
    expect(p.search.ms + p.proof!.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
    expect(phasesLine(auto)).toMatch(/^ {2}\(time: search by random walks [\d,]+ runs? \([\d,]+ states\) [\d.]+ s, proof [\d,]+ states [\d.]+ s\)$/);
  });

  it("the walks take uniform and PCT schedules in turn: v18 at 5 tasks is met by the first PCT run, where the uniform walk of seed 0 that meets it is the 25th", () => {
    const { model, properties } = target('v18', 5, 2);
    const uniform = run(new RandomSearch(model, properties, { runs: 100, seed: 0, maxDepth: 2_000, noEndFails: false }));
    // more than auto's uniform half (runs 0, 2, 4, … are uniform walks 0, 1, 2, …)
    expect(uniform.failedRun).toBeGreaterThanOrEqual(AUTO_WALKS / 2);
    const auto = run(new AutoSearch(model, properties, { certifyStates: 0 }));
    expect(auto.failedRun).toBe(1);
    expect(auto.violation!.shortestNote).toMatch(/^found by PCT run \(depth 3\) 1 \(seed 0\)/);
  });

  it("a walk's violation with no proof asked for: shrunk, and says so", () => {
    const { model, properties } = target('v18', 3, 1);
    const auto = run(new AutoSearch(model, properties, { certifyStates: 0 }));
    expect(auto.violation!.shortest).toBe(false);
    expect(auto.violation!.shortestNote).toMatch(/^found by (random walk|PCT run) .*; not proven shortest: no proof was asked for$/);
    // nothing exhaustive ran: the result says the walks were what was explored
    expect(auto.explored).toBe('random');
    expect(auto.failedRun).toBe(auto.stats.runs - 1);
    expect(auto.stats.phases!.shrink!.runs).toBeGreaterThan(0);
    expect(auto.stats.phases!.proof).toBeUndefined();
  });

  it('where no walk meets the violation, dpor does, and proves its counterexample shortest', () => {
    const { model, properties } = target('v18', 3, 1);
    const plain = exploreSync(model, properties, { strategy: 'exhaustive' });
    const auto = run(new AutoSearch(model, properties, { walks: 0 }));
    expect(auto.reduction).toBe('dpor');
    expect(auto.violation!.shortest).toBe(true);
    expect(auto.violation!.steps.length).toBe(plain.violation!.steps.length);
    expect(auto.violation!.shortestNote).toMatch(/^found at depth \d+ by the reduced search/);
    const p = auto.stats.phases!;
    expect(p.walks!.runs).toBe(0);
    expect(p.walks!.ms + p.search.ms + p.proof!.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
  });

  it('the walks are the same on every run: one verdict, one counterexample', () => {
    const { model, properties } = target('v18', 4, 2);
    const a = run(new AutoSearch(model, properties));
    const b = run(new AutoSearch(model, properties));
    expect(a.violation!.choices).toEqual(b.violation!.choices);
    expect(a.stats.phases!.search.runs).toBe(b.stats.phases!.search.runs);
  });
});
