/** The exhaustive search on worker threads: the verdict, the counts and the counterexample of one thread. */
import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties } from '../properties/restart.ts';
import { restartRecipe, targetSpec } from '../src/cli/target.ts';
import { exploreExhaustiveParallel } from '../src/engine/parallel.ts';
import { exploreSync } from '../src/engine/run.ts';
import { hasCycle } from '../src/engine/shared-explore.ts';
import { SharedTable } from '../src/engine/shared-table.ts';
import { buildModel } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';

function target(variant: typeof v18, n: number, z: number, ids?: string[]) {
  const scenario = shorthandScenario(n, z);
  const model = buildModel(variant, scenario);
  const properties = restartProperties(model).filter((p) => !ids || ids.includes(p.id));
  return { model, properties, recipe: restartRecipe(targetSpec(variant.name, scenario, properties)) };
}

describe('the shared fingerprint table', () => {
  it('stores each fingerprint once and gives its slot back', () => {
    const t = SharedTable.create(100);
    const a = t.add(1, 2)!;
    expect(a).toBeGreaterThanOrEqual(0);
    expect(t.add(1, 2)).toBe(-(a + 1));
    expect(t.add(0, 0)).toBeGreaterThanOrEqual(0); // zero words are kept nonzero
    expect(t.size).toBe(2);
  });
  it('says when it is full instead of looping', () => {
    const t = new SharedTable(new SharedArrayBuffer(8 + 16 * 8));
    for (let i = 1; i <= 8; i++) t.add(i, i);
    expect(t.add(99, 99)).toBeNull();
  });
  it('finds cycles among edges', () => {
    expect(hasCycle([{ edges: Int32Array.from([1, 2, 2, 3]), count: 2 }])).toBe(false);
    expect(hasCycle([{ edges: Int32Array.from([1, 2, 2, 3]), count: 2 }, { edges: Int32Array.from([3, 1]), count: 1 }])).toBe(true);
  });
});

describe('exhaustive search on workers', () => {
  it('holds with the states and transitions of one thread', async () => {
    const { model, properties, recipe } = target(v20, 3, 1);
    const one = exploreSync(model, properties);
    const two = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2 });
    expect(two.verdict).toBe('holds');
    expect(two.workers).toBe(2);
    expect(two.stats.states).toBe(one.stats.states);
    expect(two.stats.transitions).toBe(one.stats.transitions);
  });
  it('shows the counterexample of one thread: the breadth-first shortest', async () => {
    const { model, properties, recipe } = target(v18, 3, 1, ['P7']);
    const one = exploreSync(model, properties);
    const two = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2 });
    expect(one.violation?.property).toBe('P7');
    expect(two.verdict).toBe('violated');
    expect(two.violation!.choices).toEqual(one.violation!.choices);
  });
  it('stops at --max-states with exit-3 statistics', async () => {
    const { model, properties, recipe } = target(v20, 4, 0);
    const r = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2, maxStates: 5000 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toBe('--max-states 5000 reached');
    expect(r.stats.states).toBeGreaterThanOrEqual(5000);
  });
});
