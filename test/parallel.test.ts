/** The exhaustive search on worker threads: the verdict, the counts and the counterexample of one thread; budgets and stops that reach every worker. */
import { filter, lastValueFrom, Subject, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties } from '../properties/restart.ts';
import { restartRecipe, targetSpec } from '../src/cli/target.ts';
import { exploreExhaustiveParallel, exploreExhaustiveParallel$ } from '../src/engine/parallel.ts';
import { replay } from '../src/engine/replay.ts';
import { exploreSync } from '../src/engine/run.ts';
import { bfsDepth, hasCycle } from '../src/engine/shared-explore.ts';
import { SharedTable } from '../src/engine/shared-table.ts';
import { buildModel } from '../src/kernel/model.ts';
import { exploreWorkers$, workerLimit } from '../src/engine/workers.ts';
import { endlessTarget } from './endless-target.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

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
  it('says when it is full (three quarters of its slots) instead of looping', () => {
    const t = new SharedTable(new SharedArrayBuffer(8 + 16 * 12));
    expect(t.room).toBe(12);
    for (let i = 1; i <= 12; i++) expect(t.add(i, i)).toBeGreaterThanOrEqual(0);
    expect(t.add(99, 99)).toBeNull();
    expect(SharedTable.create(5000).room).toBeGreaterThanOrEqual(5000);
  });
  it('refuses a table it cannot allocate with the count and the option to lower', () => {
    expect(() => SharedTable.create(2 ** 40)).toThrow(/^cannot allocate the shared state table for 1,099,511,627,776 states \(.+\); lower --max-states$/);
  });
  it('gives the breadth-first depth of the edges kept, whichever path found a state first', () => {
    // 1 → 2 → 3 → 4 and 1 → 4: depth 2 (node 3), not 3
    expect(bfsDepth([{ edges: Int32Array.from([1, 2, 2, 3, 3, 4]), count: 3 }, { edges: Int32Array.from([1, 4]), count: 1 }], 1)).toBe(2);
    expect(bfsDepth([{ edges: new Int32Array(0), count: 0 }], 7)).toBe(0);
  });
  it('finds cycles among edges', () => {
    expect(hasCycle([{ edges: Int32Array.from([1, 2, 2, 3]), count: 2 }])).toBe(false);
    expect(hasCycle([{ edges: Int32Array.from([1, 2, 2, 3]), count: 2 }, { edges: Int32Array.from([3, 1]), count: 1 }])).toBe(true);
  });
});

describe('exhaustive search on workers', () => {
  it('holds with the states, transitions and (breadth-first) depth of one thread', async () => {
    const { model, properties, recipe } = target(v20, 3, 1);
    const one = exploreSync(model, properties);
    const two = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2 });
    expect(two.verdict).toBe('holds');
    expect(two.workers).toBe(2);
    expect(two.stats.states).toBe(one.stats.states);
    expect(two.stats.transitions).toBe(one.stats.transitions);
    expect(two.stats.maxDepth).toBe(one.stats.maxDepth);
  });
  it('shows the counterexample of one thread, proven shortest, with its statistics, run after run', async () => {
    const { model, properties, recipe } = target(v18, 4, 1);
    const one = exploreSync(model, properties);
    expect(one.violation?.property).toBe('P8');
    const runs = [
      await exploreExhaustiveParallel(recipe, model, properties, { workers: 2 }),
      await exploreExhaustiveParallel(recipe, model, properties, { workers: 3 }),
    ];
    for (const r of runs) {
      expect(r.verdict).toBe('violated');
      expect(r.violation!.choices).toEqual(one.violation!.choices);
      expect(r.violation!.shortest).toBe(true);
      expect([r.stats.states, r.stats.transitions, r.stats.maxDepth]).toEqual([one.stats.states, one.stats.transitions, one.stats.maxDepth]);
    }
  });
  it('keeps the path to each state: a violation a worker meets replays from the initial state', () => {
    const t = SharedTable.create(100);
    const a = t.add(1, 1)!;
    const b = t.add(2, 2, a)!;
    const c = t.add(3, 3, b)!;
    t.add(3, 3, a); // reached again: the first parent stays
    expect(t.pathTo(c)).toEqual([a, b, c]);
    expect(t.get(2, 2)).toBe(b);
    expect(t.get(9, 9)).toBe(-1);
  });
  // depth first, the workers meet it within about 60,000 states; breadth first, it lies past 150,000
  it('a violation met deep by a worker, that breadth-first search does not reach within --max-states: violated, unproven (exit 1)', async () => {
    const { model, properties, recipe } = target(v18, 5, 1, ['P1', 'P2']);
    const r = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2, maxStates: 150_000 });
    expect(r.verdict).toBe('violated');
    const v = r.violation!;
    expect(v.shortest).toBe(false);
    expect(v.shortestNote).toMatch(/^met by a worker at depth \d+; not proven shortest: --max-states 150000 reached before breadth-first search reached it$/);
    const again = replay(model, properties, v.choices);
    expect(again.failure?.property).toBe(v.property);
    expect(again.steps.length).toBe(v.steps.length);
  }, 30_000);
  it('stops at --max-states with exit-3 statistics', async () => {
    const { model, properties, recipe } = target(v20, 4, 0);
    const r = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2, maxStates: 5000 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toBe('--max-states 5000 reached');
    expect(r.stats.states).toBeGreaterThanOrEqual(5000);
    expect(r.stats.transitions).toBeGreaterThan(0);
    expect(r.stats.maxDepth).toBeGreaterThan(0);
  });
  it('stops at --max-memory (the whole process: every thread) with the statistics so far', async () => {
    const { model, properties, recipe } = target(v20, 4, 0);
    const r = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2, maxMemory: 1024 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toMatch(/^--max-memory 1 KB reached \(resident \d+ MB\)$/);
    expect(r.stats.states).toBeGreaterThan(0);
    expect(r.stats.peakBytes).toBeGreaterThan(1024);
  });
  it('refuses a --max-states whose table would not fit in --max-memory, before allocating it', async () => {
    const { model, properties, recipe } = target(v20, 3, 0);
    const r = await exploreExhaustiveParallel(recipe, model, properties, { workers: 2, maxStates: 2 ** 31 - 1, maxMemory: 2 ** 30 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toMatch(/^--max-memory 1\.0 GB is less than the 48\.0 GB the shared state table for 2,147,483,647 states takes; lower --max-states$/);
  });
  it('streams progress, and a stop reaches the workers: incomplete within a second, with the statistics so far', async () => {
    const { model, properties, recipe } = target(v20, 5, 0, ['P1', 'P2']);
    const stop = new Subject<string>();
    const progress: { states: number; frontier: number }[] = [];
    let stoppedAt = 0;
    const done = await lastValueFrom(
      exploreExhaustiveParallel$(recipe, model, properties, { workers: 2, progressMs: 50 }, stop).pipe(
        tap((e) => {
          if (e.type !== 'progress') return;
          progress.push({ states: e.stats.states, frontier: e.frontier ?? 0 });
          if (e.stats.states > 20_000 && !stoppedAt) {
            stoppedAt = Date.now();
            stop.next('interrupted (Ctrl-C)');
          }
        }),
        filter((e) => e.type === 'done'),
      ),
    );
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(done.result.verdict).toBe('incomplete');
    expect(done.result.stoppedBy).toBe('interrupted (Ctrl-C)');
    expect(done.result.stats.states).toBeGreaterThan(20_000);
    expect(done.result.stats.transitions).toBeGreaterThan(done.result.stats.states);
    expect(progress.some((p) => p.frontier > 0)).toBe(true);
  });
});

describe('random walks on workers', () => {
  it('a stop ends them within a second even while a run is long: the run cut short is not counted', async () => {
    const recipe = { module: new URL('./endless-target.ts', import.meta.url).href, exportName: 'endlessTarget', arg: null };
    const stop = new Subject<string>();
    let stoppedAt = 0;
    let ready = false;
    const done = await lastValueFrom(
      exploreWorkers$(recipe, endlessTarget(), { strategy: 'random', runs: 4, maxDepth: 1e8, workers: 2, progressMs: 50, onReady: () => (ready = true) }, stop).pipe(
        tap((e) => {
          if (e.type === 'progress' && ready && !stoppedAt) {
            stoppedAt = Date.now();
            stop.next('interrupted (Ctrl-C)');
          }
        }),
        filter((e) => e.type === 'done'),
      ),
    );
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(done.result.verdict).toBe('incomplete');
    expect(done.result.stoppedBy).toBe('interrupted (Ctrl-C)');
    expect(done.result.stats.runs).toBe(0);
  });
});

describe('crsim check --workers', () => {
  it('refuses more than 4 workers per core, naming the limit (exit 2)', async () => {
    const { max, cores } = workerLimit();
    const { code, err } = await runCli('check', '--workers', String(max + 1));
    expect(code).toBe(2);
    expect(err).toContain(`--workers: expected at most ${max}, 4 per core on the ${cores} cores here (got '${max + 1}')`);
  });
  it('exhaustive --workers 2 --max-memory 1K: exit 3 with the statistics so far', async () => {
    const { code, out } = await runCli('check', '-m', 'v20', '-t', '4', '--reduction', 'none', '--workers', '2', '--max-memory', '1K', '--json');
    expect(code).toBe(3);
    const j = JSON.parse(out);
    expect(j.stoppedBy).toMatch(/^--max-memory 1 KB reached/);
    expect(j.states).toBeGreaterThan(0);
    expect(j.workers).toBe(2);
  });
});
