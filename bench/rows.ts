/**
 * One benchmark row: a model, a scenario, the properties and a strategy,
 * measured on this thread (bench/run.ts runs each exhaustive row in a worker
 * thread of its own, so a row that runs out of heap ends only its worker).
 *
 * Memory: the peak, over the row, of the isolate's used heap plus its external
 * memory (typed arrays: the visited set), sampled after every 50 ms slice of
 * the search, minus the same after a forced GC before the row.
 */
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findVariant } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { createSearch } from '../src/engine/run.ts';
import type { Result } from '../src/engine/types.ts';
import { buildModel, type RestartAction, type RestartModel } from '../src/kernel/model.ts';
import type { Scenario } from '../src/kernel/scenario.ts';
import type { RestartState } from '../src/kernel/state.ts';
import { faultScenario, mutantScenario, tree, type FaultName } from './scenarios.ts';

export type StrategyName = 'plain' | 'dpor' | 'random' | 'pct';

export type ScenarioRef =
  | { readonly kind: 'tree'; readonly n: number }
  | { readonly kind: 'mutant'; readonly n: number }
  | { readonly kind: 'fault'; readonly n: number; readonly fault: FaultName };

export interface RowSpec {
  readonly id: string;
  readonly group: 'verify' | 'mutant' | 'fault';
  readonly model: string;
  readonly scenario: ScenarioRef;
  /** a property selection as `--properties` takes it */
  readonly properties: string;
  /** what the row measures, in words */
  readonly measures: string;
  readonly strategy: StrategyName;
  /** exhaustive: stop (incomplete) after this many distinct states */
  readonly maxStates: number;
  /** stop (incomplete) after this long: the whole row (exhaustive) or one seed (walks) */
  readonly budgetMs: number;
  /** walks: seeds 0 … seeds−1 (the later ones only if the first finds a counterexample) */
  readonly seeds: number;
  /** walks: runs per seed */
  readonly runs: number;
  /** pct: the bug depth */
  readonly depth: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface RowResult {
  readonly id: string;
  readonly scenarioName: string;
  readonly tasks: number;
  readonly zombies: number;
  readonly verdict: 'holds' | 'violated' | 'incomplete' | 'error' | 'skipped';
  readonly note?: string;
  /** exhaustive: distinct states stored; walks: steps taken (every step is a state visited) */
  readonly states: number;
  readonly transitions: number;
  /** time to the verdict (exhaustive; walks: all seeds) in ms */
  readonly ms: number;
  readonly statesPerSec: number;
  readonly peakBytes: number;
  readonly tableBytes: number;
  readonly property?: string;
  /** the counterexample length (exhaustive) */
  readonly length?: number;
  /** exhaustive with reduction: whether the counterexample is proven shortest */
  readonly shortest?: boolean;
  /** walks: per seed that found a counterexample */
  readonly walks?: {
    readonly seeds: number;
    readonly found: number;
    readonly runs?: Spread;
    readonly firstMs?: Spread;
    readonly length?: Spread;
    readonly runsPerSec: number;
  };
}

let gc: (() => void) | undefined;
function collect(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

const heapNow = (): number => {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.used_heap_size + (h.external_memory ?? 0);
};

export function spread(xs: readonly number[]): Spread | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

export function scenarioOf(model: string, ref: ScenarioRef): Scenario {
  if (ref.kind === 'tree') return tree(ref.n);
  if (ref.kind === 'mutant') return mutantScenario(model, ref.n);
  return faultScenario(ref.fault, ref.n);
}

function target(spec: RowSpec): { model: RestartModel; properties: ReturnType<typeof restartProperties> } {
  const variant = findVariant(spec.model);
  if (!variant) throw new Error(`bench: unknown model ${spec.model}`);
  const model = buildModel(variant, scenarioOf(spec.model, spec.scenario));
  return { model, properties: selectProperties(restartProperties(model), spec.properties) };
}

type R = Result<RestartState, RestartAction>;

/** Runs a search in 50 ms slices to its verdict or its budget, sampling the heap. */
function drive(spec: RowSpec, options: Parameters<typeof createSearch>[2], sample: () => void): { result: R; ms: number } {
  const { model, properties } = target(spec);
  const t0 = performance.now();
  const search = createSearch(model, properties, options);
  for (;;) {
    const r = search.work(50);
    sample();
    if (r) return { result: r, ms: performance.now() - t0 };
    if (performance.now() - t0 > spec.budgetMs) search.stop(`time budget ${Math.round(spec.budgetMs / 1000)} s`);
  }
}

/** Measures one row on this thread. */
export function measureRow(spec: RowSpec): RowResult {
  const scenario = scenarioOf(spec.model, spec.scenario);
  const head = {
    id: spec.id,
    scenarioName: scenario.name,
    tasks: scenario.tasks.length,
    zombies: scenario.tasks.filter((t) => t.kind === 'zombie').length,
  };
  collect();
  const base = heapNow();
  let peak = base;
  const sample = (): void => {
    peak = Math.max(peak, heapNow());
  };
  try {
    if (spec.strategy === 'plain' || spec.strategy === 'dpor') {
      const { result, ms } = drive(
        spec,
        { strategy: 'exhaustive', reduction: spec.strategy === 'dpor' ? 'dpor' : 'none', maxStates: spec.maxStates },
        sample,
      );
      const v = result.violation;
      return {
        ...head,
        verdict: result.verdict,
        ...(result.stoppedBy ? { note: result.stoppedBy } : {}),
        states: result.stats.states,
        transitions: result.stats.transitions,
        ms,
        statesPerSec: (result.stats.states * 1000) / Math.max(ms, 1e-3),
        peakBytes: peak - base,
        tableBytes: result.stats.tableBytes,
        ...(v ? { property: v.property, length: v.steps.length, ...(v.shortest !== undefined ? { shortest: v.shortest } : {}) } : {}),
      };
    }
    // random walks or PCT: seeds 0 … seeds−1, each until its first counterexample
    const runs: number[] = [];
    const firstMs: number[] = [];
    const lengths: number[] = [];
    const properties = new Set<string>();
    let transitions = 0;
    let totalRuns = 0;
    let ms = 0;
    let seeds = 0;
    let stopped: string | undefined;
    for (let seed = 0; seed < spec.seeds; seed++) {
      const { result, ms: t } = drive(spec, { strategy: spec.strategy, runs: spec.runs, seed, depth: spec.depth }, sample);
      seeds++;
      ms += t;
      transitions += result.stats.transitions;
      totalRuns += result.stats.runs;
      if (result.verdict === 'incomplete') stopped = result.stoppedBy;
      if (!result.violation) {
        if (runs.length === 0) break; // the first seed found nothing: more seeds would only spend the same budget
        continue;
      }
      runs.push(result.stats.runs);
      firstMs.push(t);
      lengths.push(result.violation.steps.length);
      properties.add(result.violation.property);
    }
    const found = runs.length;
    return {
      ...head,
      verdict: found > 0 ? 'violated' : stopped ? 'incomplete' : 'holds',
      ...(found > 0 && found < seeds ? { note: `${seeds - found} of ${seeds} seeds found no counterexample in their budget` } : {}),
      ...(found === 0 ? { note: stopped ? `no counterexample; ${stopped}` : `no counterexample in ${spec.runs.toLocaleString('en-US')} runs (not a proof)` } : {}),
      states: transitions,
      transitions,
      ms,
      statesPerSec: (transitions * 1000) / Math.max(ms, 1e-3),
      peakBytes: peak - base,
      tableBytes: 0,
      ...(properties.size ? { property: [...properties].sort().join(',') } : {}),
      walks: {
        seeds,
        found,
        ...(found ? { runs: spread(runs)!, firstMs: spread(firstMs)!, length: spread(lengths)! } : {}),
        runsPerSec: (totalRuns * 1000) / Math.max(ms, 1e-3),
      },
    };
  } catch (e) {
    return { ...head, verdict: 'error', note: String((e as Error).message ?? e).split('\n')[0]!, states: 0, transitions: 0, ms: 0, statesPerSec: 0, peakBytes: peak - base, tableBytes: 0 };
  }
}
