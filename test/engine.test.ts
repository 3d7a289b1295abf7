/** The generic engine on toy models: counts, shortest counterexamples, cycles, budgets, determinism. */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { explore$, exploreSync } from '../src/engine/run.ts';
import { replay } from '../src/engine/replay.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';

/** Two counters a and b, each incremented up to n by its own actor. */
interface Grid {
  a: number;
  b: number;
}
const act = (actor: number): Action => ({ actor, label: actor ? 'b++' : 'a++' });
const grid = (n: number, loop = false): Model<Grid> => ({
  name: 'grid',
  actors: ['A', 'B'],
  init: () => ({ a: 0, b: 0 }),
  actions: (s) => [...(s.a < n ? [act(0)] : []), ...(s.b < n ? [act(1)] : []), ...(loop && s.a === n && s.b === n ? [act(0)] : [])],
  next: (s, x) => (x.actor === 0 ? (loop && s.a === n ? { a: 0, b: s.b } : { a: s.a + 1, b: s.b }) : { a: s.a, b: s.b + 1 }),
});
const never = (id: string, bad: (s: Grid) => boolean): Property<Grid> => ({ id, title: id, onStep: (_p, _a, s) => (bad(s) ? 'bad' : null) });
const terminates: Property<Grid> = { id: 'P9', title: 'ends', coversNonTermination: true };

describe('exhaustive search', () => {
  it('visits each distinct state once and counts every transition', () => {
    const r = exploreSync(grid(3), []);
    expect(r.verdict).toBe('holds');
    expect(r.stats.states).toBe(16);
    expect(r.stats.transitions).toBe(24); // 2·3·4 edges in a 4×4 grid
    expect(r.stats.maxDepth).toBe(6);
  });
  it('returns a shortest counterexample', () => {
    const r = exploreSync(grid(5), [never('X', (s) => s.a === 2 && s.b === 3)]);
    expect(r.violation!.steps).toHaveLength(5);
    expect(r.violation!.steps.at(-1)!.state).toEqual({ a: 2, b: 3 });
  });
  it('prefers a shorter end-state violation found later in the same level', () => {
    // the end state (2,2) is at depth 4; a step violation reachable at depth 5 must not win
    const m = grid(2);
    const r = exploreSync(m, [
      never('late', (s) => s.a + s.b === 5),
      { id: 'end', title: 'end', onEnd: () => 'ended' },
    ]);
    expect(r.violation!.property).toBe('end');
    expect(r.violation!.steps).toHaveLength(4);
  });
  it('finds a cycle and reports it as a lasso for the property that covers non-termination', () => {
    const r = exploreSync(grid(2, true), [terminates]);
    expect(r.verdict).toBe('violated');
    const v = r.violation!;
    expect(v.property).toBe('P9');
    expect(v.cycleStart).toBeDefined();
    const loopStart = v.cycleStart! === 0 ? { a: 0, b: 0 } : v.steps[v.cycleStart! - 1]!.state;
    expect(v.steps.at(-1)!.state).toEqual(loopStart);
  });
  it('reports no cycle in an acyclic graph', () => {
    expect(exploreSync(grid(3), [terminates]).verdict).toBe('holds');
  });
  it('stops at --max-states with verdict incomplete and the statistics so far', () => {
    const r = exploreSync(grid(50), [], { maxStates: 100 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toContain('max-states');
    expect(r.stats.states).toBeGreaterThanOrEqual(100);
    expect(r.stats.states).toBeLessThan(2601);
  });
});

describe('random walks', () => {
  it('the same seed gives the same runs; another seed another', () => {
    const m = grid(6);
    const bad = never('X', (s) => s.a === 6 && s.b === 1);
    const a = exploreSync(m, [bad], { strategy: 'random', runs: 500, seed: 11 });
    const b = exploreSync(m, [bad], { strategy: 'random', runs: 500, seed: 11 });
    expect(a.violation!.choices).toEqual(b.violation!.choices);
    expect(a.stats.runs).toBe(b.stats.runs);
    const c = exploreSync(m, [bad], { strategy: 'random', runs: 500, seed: 12 });
    expect(c.stats.runs === a.stats.runs && c.violation!.choices.join() === a.violation!.choices.join()).toBe(false);
  });
  it('says how many schedules it ran when nothing fails', () => {
    const r = exploreSync(grid(3), [never('X', () => false)], { strategy: 'random', runs: 42, seed: 1 });
    expect(r).toMatchObject({ verdict: 'holds', explored: 'random', seed: 1 });
    expect(r.stats.runs).toBe(42);
  });
});

describe('replay', () => {
  it('reads each choice modulo the number of enabled actions', () => {
    const r = replay(grid(2), [], [7, 7, 7, 7]);
    expect(r.choices).toEqual([1, 1, 0, 0]);
    expect(r.ended).toBe(true);
  });
});

describe('explore$', () => {
  it('streams progress, then the violation, then done', async () => {
    const events = await lastValueFrom(explore$(grid(300), [never('X', (s) => s.a === 299 && s.b === 299)], { progressMs: 5 }).pipe(toArray()));
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('done');
    expect(types.at(-2)).toBe('violation');
    expect(types.length).toBeGreaterThan(2);
    expect(types.slice(0, -2).every((t) => t === 'progress')).toBe(true);
  });
});
