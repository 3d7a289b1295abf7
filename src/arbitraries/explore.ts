/**
 * Property-based exploration: fast-check draws a scenario and a schedule, runs
 * the schedule (completed with choice 0) against the properties, and on a
 * violation shrinks both. Shrinking is locked to the property first violated and
 * accepts only counterexamples no longer (in steps) than the best so far, so it
 * walks towards a short schedule and never drifts to another bug. The seed and
 * fast-check's path replay the result exactly.
 */
import fc from 'fast-check';
import { Observable } from 'rxjs';
import { selectProperties, restartProperties, type RestartProperty } from '../../properties/restart.ts';
import { exploreSync } from '../engine/run.ts';
import type { Violation } from '../engine/types.ts';
import { buildModel, type RestartAction, type RestartModel, type RestartVariant } from '../kernel/model.ts';
import type { Scenario } from '../kernel/scenario.ts';
import type { RestartState } from '../kernel/state.ts';
import { parseScenario } from '../kernel/scenario.ts';
import type { StepRef } from '../engine/match.ts';
import { scenarioToInput } from '../kernel/scenario-input.ts';
import { scenarioArb, scenarioName, withoutTask, type ScenarioArbOptions } from './scenario.ts';
import { runSchedule, type Reading } from '../engine/schedule.ts';
import { scheduleArb, type ScheduleArbOptions } from './schedule.ts';
import { RunArbitrary, type SmallerScenario } from './shrink.ts';

export interface PbtOptions {
  /** how many scenario/schedule pairs to try (default 1000, or unbounded with `timeMs`) */
  readonly runs?: number;
  /** stop generating after this long (a violation found is still shrunk) */
  readonly timeMs?: number;
  /** fast-check's seed (default 0: one seed, one run) */
  readonly seed?: number;
  /** fast-check's path: replays one counterexample of this seed (and shrinks on from it) */
  readonly path?: string;
  /** a fixed scenario instead of drawn ones */
  readonly scenario?: Scenario;
  /** how scenarios are drawn (ignored with `scenario`) */
  readonly scenarios?: ScenarioArbOptions;
  readonly schedules?: ScheduleArbOptions;
  /** the properties to check, as `--properties` takes them (default P1–P11) */
  readonly properties?: string;
  /** a run longer than this counts as never ending (default 2000) */
  readonly maxSteps?: number;
  /** lock shrinking to the first property violated and to no longer runs (default true) */
  readonly tighten?: boolean;
  /** how a choice is read (default `sticky`: see schedule.ts) */
  readonly reading?: Reading;
  /** add the model-aware shrinking moves of shrink.ts to fast-check's (default true) */
  readonly traceMoves?: boolean;
  /** shrinking gives up after this long and keeps the best so far (default 60 s) */
  readonly shrinkTimeMs?: number;
  /** stops the run at the next schedule: verdict `incomplete` (or the counterexample shrunk so far) */
  readonly signal?: AbortSignal;
  /** called about every `progressMs` (default 100) */
  readonly onProgress?: (p: PbtProgress) => void;
  readonly progressMs?: number;
}

export interface PbtProgress {
  /** `search` until a violation is found, then `shrink` */
  readonly phase: 'search' | 'shrink';
  /** schedules run so far (shrink attempts included) */
  readonly runs: number;
  /** steps taken over every run */
  readonly steps: number;
  readonly elapsedMs: number;
  /** while shrinking: the shortest counterexample so far, in steps */
  readonly bestSteps?: number;
}

export interface PbtResult {
  readonly verdict: 'holds' | 'violated' | 'incomplete';
  readonly variant: RestartVariant;
  readonly seed: number;
  /** fast-check's path to the shrunk counterexample: `--seed S --path P` replays it */
  readonly path?: string;
  /** schedules run before the first violation (or in all) */
  readonly runs: number;
  readonly numShrinks: number;
  readonly elapsedMs: number;
  readonly stoppedBy?: string;
  readonly properties: readonly string[];
  /** the shrunk scenario, its model, the schedule as drawn (before the modulo) and the violation */
  readonly scenario?: Scenario;
  readonly model?: RestartModel;
  readonly schedule?: readonly number[];
  readonly violation?: Violation<RestartState, RestartAction>;
  /** the length of the first violation found, before shrinking */
  readonly firstSteps?: number;
}

/** The properties a run checks, by `--properties` spec; throws RangeError on an unknown id. */
export function propertiesFor(model: RestartModel, spec: string | undefined): RestartProperty[] {
  return selectProperties(restartProperties(model), spec);
}

/**
 * Explores a variant with fast-check over scenarios and schedules.
 *
 * @example
 * const r = await explorePbt(v18, { runs: 200, seed: 1, scenarios: { maxTasks: 2, faults: [] } });
 * r.verdict;               // 'violated'
 * r.violation!.property;   // 'P8' (B4, the T2–T3 window)
 * r.violation!.steps.length; // 11 after shrinking: the shortest there is
 */
export async function explorePbt(variant: RestartVariant, options: PbtOptions = {}): Promise<PbtResult> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const maxSteps = options.maxSteps ?? 2000;
  const tighten = options.tighten ?? true;
  const progressMs = options.progressMs ?? 100;
  const shrinkTimeMs = options.shrinkTimeMs ?? 60_000;
  const scenarios = options.scenario ? fc.constant(options.scenario) : scenarioArb(options.scenarios);
  const schedules = scheduleArb(options.schedules);
  const reading = options.reading ?? 'sticky';
  const models = new WeakMap<Scenario, { model: RestartModel; props: RestartProperty[] }>();
  const modelOf = (s: Scenario): { model: RestartModel; props: RestartProperty[] } => {
    let m = models.get(s);
    if (!m) {
      const model = buildModel(variant, s);
      m = { model, props: propertiesFor(model, options.properties) };
      models.set(s, m);
    }
    return m;
  };
  const pairs = fc.tuple(scenarios, schedules);
  const arb =
    options.traceMoves === false
      ? pairs
      : new RunArbitrary(
          pairs,
          (s: Scenario) => {
            const { model, props } = modelOf(s);
            return { model: model as never, properties: props as never };
          },
          { reading, maxSteps },
          (s: Scenario) => simplerScenarios(s, (x) => modelOf(x).model),
        );
  // fail early on a bad --properties spec, before fast-check wraps the error
  const probe = options.scenario ?? fc.sample(scenarios, { numRuns: 1, seed })[0]!;
  const propertyIds = modelOf(probe).props.map((p) => p.id);

  let runs = 0;
  let steps = 0;
  let target: { property: string; steps: number } | null = null;
  let firstSteps: number | undefined;
  let shrinkStarted = 0;
  let lastYield = performance.now();
  let stoppedBy: string | undefined;

  const progress = (): PbtProgress => ({
    phase: target ? 'shrink' : 'search',
    runs,
    steps,
    elapsedMs: performance.now() - started,
    ...(target ? { bestSteps: target.steps } : {}),
  });

  const predicate = async ([scenario, schedule]: [Scenario, number[]]): Promise<boolean> => {
    const now = performance.now();
    if (now - lastYield >= progressMs) {
      lastYield = now;
      options.onProgress?.(progress());
      await new Promise<void>((resolve) => setImmediate(resolve)); // lets Ctrl-C and timers in
    }
    const { model, props } = modelOf(scenario);
    const run = runSchedule(model, props, schedule, { maxSteps, reading });
    runs++;
    steps += run.steps.length;
    const v = run.violation;
    if (!v) return true;
    if (!target) {
      target = { property: v.property, steps: v.steps.length };
      firstSteps = v.steps.length;
      shrinkStarted = performance.now();
      return false;
    }
    if (tighten && (v.property !== target.property || v.steps.length > target.steps)) return true;
    target.steps = Math.min(target.steps, v.steps.length);
    return false;
  };

  // Interrupts at the next schedule: on abort, when the search time is up, or when shrinking has taken too long.
  const stopPlugin: fc.Plugin<[[Scenario, number[]]]> = () => ({
    decorateRun: (nested) => (value) => {
      const now = performance.now();
      if (options.signal?.aborted) stoppedBy ??= String(options.signal.reason ?? 'aborted');
      else if (!target && options.timeMs !== undefined && now - started >= options.timeMs) stoppedBy ??= 'time';
      else if (target && now - shrinkStarted >= shrinkTimeMs) stoppedBy ??= 'shrink time';
      else return nested(value);
      return new fc.PreconditionFailure(true);
    },
  });

  const numRuns = options.runs ?? (options.timeMs !== undefined ? 2 ** 31 - 1 : 1000);
  const details = await fc.check(fc.asyncProperty(arb, predicate), {
    numRuns,
    seed,
    ...(options.path !== undefined ? { path: options.path } : {}),
    plugins: [stopPlugin],
  });
  const elapsedMs = performance.now() - started;
  const base = { variant, seed, numShrinks: details.numShrinks, elapsedMs, properties: propertyIds };

  if (details.failed && details.counterexample) {
    const [[scenario, schedule]] = details.counterexample;
    // the model itself threw: a bug of the model, not a counterexample
    const e = details.errorInstance;
    if (e instanceof Error && e.message !== 'Property failed by returning false') throw e;
    const { model, props } = modelOf(scenario);
    const run = runSchedule(model, props, schedule, { maxSteps, reading });
    return {
      ...base,
      verdict: 'violated',
      path: details.counterexamplePath,
      runs: details.numRuns,
      ...(stoppedBy ? { stoppedBy } : {}),
      scenario,
      model,
      schedule,
      violation: run.violation!,
      ...(firstSteps !== undefined ? { firstSteps } : {}),
    };
  }
  const total = runs;
  if (stoppedBy && stoppedBy !== 'time') return { ...base, verdict: 'incomplete', runs: total, stoppedBy };
  return { ...base, verdict: 'holds', runs: total, ...(stoppedBy ? { stoppedBy } : {}) };
}

/**
 * Simpler scenarios for shrinking: without one task (the last first), without
 * one fault, with one header made clean. A step of the old run may go missing
 * when its actor is gone, when it is the environment's (a fault), or when it
 * names a pid that is gone (`C5p pid 3`).
 */
export function* simplerScenarios(s: Scenario, modelOf: (s: Scenario) => RestartModel): Generator<SmallerScenario<Scenario>> {
  const dropper = (smaller: Scenario): ((ref: StepRef) => boolean) => {
    const m = modelOf(smaller);
    const actors = new Set(m.actors);
    const vpids = new Set(m.env.vpids);
    return (ref) => {
      if (!actors.has(ref.actor) || ref.actor === 'environment') return true;
      const pid = /\bpid (\d+)\b/.exec(ref.detail ?? '');
      return pid !== null && !vpids.has(Number(pid[1]));
    };
  };
  const input = scenarioToInput(s);
  for (const t of [...input.tasks].reverse()) {
    const smaller = withoutTask(s, t.vpid);
    if (smaller) yield { scenario: smaller, dropped: dropper(smaller) };
  }
  const faults = input.faults ?? [];
  for (let k = 0; k < faults.length; k++) {
    const rest = faults.filter((_f, j) => j !== k);
    const smaller = parseScenario({ ...input, name: scenarioName(input.tasks, rest), faults: rest });
    yield { scenario: smaller, dropped: dropper(smaller) };
  }
  for (let k = 0; k < input.tasks.length; k++) {
    const tasks = input.tasks.map((t, j) => {
      if (j !== k) return t;
      const { header: _h, ...clean } = t;
      return clean;
    });
    const smaller = parseScenario({ ...input, name: scenarioName(tasks, faults), tasks });
    if (JSON.stringify(smaller.tasks) !== JSON.stringify(s.tasks)) yield { scenario: smaller, dropped: () => false };
  }
}

export type PbtEvent =
  | { readonly type: 'progress'; readonly progress: PbtProgress }
  | { readonly type: 'done'; readonly result: PbtResult };

/**
 * {@link explorePbt} as an rxjs stream of progress events and then `done`.
 * Unsubscribing stops the run; `stop` ends it early (verdict `incomplete`).
 *
 * @example
 * explorePbt$(v18, { timeMs: 10_000 }).subscribe((e) => e.type === 'done' && console.log(e.result.verdict));
 */
export function explorePbt$(variant: RestartVariant, options: PbtOptions = {}, stop?: Observable<string>): Observable<PbtEvent> {
  return new Observable<PbtEvent>((subscriber) => {
    const abort = new AbortController();
    const stopSub = stop?.subscribe((reason) => abort.abort(reason));
    explorePbt(variant, {
      ...options,
      signal: abort.signal,
      onProgress: (progress) => {
        options.onProgress?.(progress);
        subscriber.next({ type: 'progress', progress });
      },
    }).then(
      (result) => {
        subscriber.next({ type: 'done', result });
        subscriber.complete();
      },
      (err: unknown) => subscriber.error(err),
    );
    return () => {
      stopSub?.unsubscribe();
      if (!abort.signal.aborted) abort.abort('unsubscribed');
    };
  });
}

/**
 * The shortest counterexample of one property on one scenario, by exhaustive
 * breadth-first search (null when the search holds or hits `maxStates`):
 * the yardstick for how far shrinking got.
 */
export function shortestCounterexample(
  variant: RestartVariant,
  scenario: Scenario,
  property: string,
  maxStates = 500_000,
): Violation<RestartState, RestartAction> | null {
  const model = buildModel(variant, scenario);
  const r = exploreSync(model, propertiesFor(model, property), { maxStates });
  return r.verdict === 'violated' ? r.violation! : null;
}
