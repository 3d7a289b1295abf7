/**
 * Issue 14: an exhaustive check reports its phases apart, states and time of
 * each: the search, the shrinking of its counterexample and the breadth-first
 * proof that it is shortest (and, with `--reduction auto`, the bounded
 * breadth-first search that runs after the reduced search's first turn).
 */
import { describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { phasesLine } from '../src/cli/verdict.ts';
import { AUTO_DPOR_STATES, AutoSearch } from '../src/engine/auto.ts';
import { ExhaustiveSearch } from '../src/engine/exhaustive.ts';
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

describe('--reduction auto: dpor first, then a bounded plain search, then dpor again', () => {
  const run = <S, A extends import('../src/engine/types.ts').Action>(search: { work(ms: number): import('../src/engine/types.ts').Result<S, A> | null }) => {
    for (;;) {
      const r = search.work(Infinity);
      if (r) return r;
    }
  };

  it("where the property holds within the reduced search's turn: its verdict and states, no plain search at all", () => {
    const { model, properties } = target('v20', 4, 2);
    const dpor = exploreSync(model, properties, { strategy: 'exhaustive', reduction: 'dpor' });
    const auto = run(new AutoSearch(model, properties));
    expect(dpor.verdict).toBe('holds');
    expect(dpor.stats.states).toBeLessThan(AUTO_DPOR_STATES);
    expect(auto.verdict).toBe('holds');
    expect(auto.reduction).toBe('dpor');
    expect(auto.stats.states).toBe(dpor.stats.states);
    expect(auto.stats.phases).toEqual({ search: { states: dpor.stats.states, ms: expect.any(Number) } });
  });

  it("a violation the reduced search meets in its turn: its counterexample, proven shortest, the plain search's length", () => {
    const { model, properties } = target('v18', 3, 1);
    const plain = exploreSync(model, properties, { strategy: 'exhaustive' });
    const auto = run(new AutoSearch(model, properties));
    expect(auto.reduction).toBe('dpor');
    expect(auto.violation!.shortest).toBe(true);
    expect(auto.violation!.steps.length).toBe(plain.violation!.steps.length);
    const p = auto.stats.phases!;
    expect(p.bfs).toBeUndefined();
    expect(p.search.states).toBeLessThan(AUTO_DPOR_STATES);
    expect(p.search.ms + p.proof!.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
  });

  it("past the reduced search's turn: the plain search's counterexample when it meets one, with both turns as phases", () => {
    // mutant B8 with a signal: the reduced search stores 3,707 states before its counterexample, the plain search 21,416
    const variant = findVariant('mutant:B8')!;
    const model = buildModel(variant, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }, { vpid: 3, kind: 'live' }], faults: [{ type: 'signal', task: 3 }] }));
    const properties = selectProperties(restartProperties(model), variant.breaks!);
    const plain = exploreSync(model, properties, { strategy: 'exhaustive' });
    // a turn of 1 state ends at the first look, a few milliseconds in
    const auto = run(new AutoSearch(model, properties, { dporStates: 1 }));
    expect(auto.reduction).toBeUndefined();
    expect(auto.violation!.choices).toEqual(plain.violation!.choices);
    expect(auto.stats.states).toBe(plain.stats.states);
    const p = auto.stats.phases!;
    expect(p.bfs!.states).toBe(plain.stats.states);
    expect(p.search.states).toBeGreaterThanOrEqual(1);
    expect(p.bfs!.ms + p.search.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
    expect(phasesLine(auto)).toMatch(/^ {2}\(time: breadth-first [\d,]+ states [\d.]+ s, search [\d,]+ states [\d.]+ s\)$/);
  });

  it("past both turns: dpor goes on, and its proof with the plain search's states: together they store what the plain search stores", () => {
    const { model, properties } = target('v18', 3, 1);
    const plain = exploreSync(model, properties, { strategy: 'exhaustive' });
    const auto = run(new AutoSearch(model, properties, { dporStates: 1, bfsStates: 500 }));
    expect(auto.reduction).toBe('dpor');
    expect(auto.violation!.shortest).toBe(true);
    expect(auto.violation!.steps.length).toBe(plain.violation!.steps.length);
    const p = auto.stats.phases!;
    expect(p.bfs!.states).toBeGreaterThanOrEqual(500);
    expect(p.bfs!.states + p.proof!.states).toBe(plain.stats.states);
    expect(p.bfs!.ms + p.search.ms + p.proof!.ms).toBeLessThanOrEqual(auto.stats.elapsedMs + 2);
    expect(phasesLine(auto)).toMatch(/^ {2}\(time: breadth-first [\d,]+ states [\d.]+ s, search /);
  });

  it('where the property holds past both turns: the verdict and states of dpor, the plain search as a phase', () => {
    const { model, properties } = target('v20', 4, 2);
    const dpor = exploreSync(model, properties, { strategy: 'exhaustive', reduction: 'dpor' });
    const auto = run(new AutoSearch(model, properties, { dporStates: 1000, bfsStates: 1000 }));
    expect(auto.verdict).toBe('holds');
    expect(auto.stats.phases!.bfs!.states).toBeGreaterThanOrEqual(1000);
    expect(auto.stats.states).toBe(dpor.stats.states);
    expect(auto.stats.phases!.search.states).toBe(dpor.stats.states);
  });

  it('a breadth-first search resumes only after its own state budget, and not below the level it reached', () => {
    const { model, properties } = target('v20', 3, 1);
    const bfs = new ExhaustiveSearch(model, properties, { maxStates: 300 });
    const r = run(bfs);
    expect(r.stoppedBy).toMatch(/--max-states/);
    expect(bfs.resume({ maxStates: 1000, depthLimit: 1 })).toBe(false);
    expect(bfs.resume({ maxStates: 1000 })).toBe(true);
    const again = run(bfs);
    expect(again.stats.states).toBeGreaterThanOrEqual(1000);
    expect(bfs.resume({ maxStates: 2000 })).toBe(again.verdict === 'incomplete');
  });
});
