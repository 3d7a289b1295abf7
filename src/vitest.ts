/**
 * Property-based tests of restart models in vitest, with @fast-check/vitest:
 * draw scenarios and schedules, run them, and fail with a readable swimlane.
 *
 * @example
 * import { test } from '@fast-check/vitest';
 * import { assertSchedule, runArb, scenarioArb, scheduleArb } from 'crsim/vitest';
 *
 * // P1 and P2 (the seed patch's claim) over drawn trees and interleavings
 * test.prop([scenarioArb({ maxTasks: 3, faults: [] }), scheduleArb()])('v18: P1, P2 hold', (scenario, schedule) => {
 *   assertSchedule('v18', scenario, schedule, { properties: 'P1,P2' });
 * });
 *
 * // runArb shrinks with the model in mind: a failure comes back as a shortest schedule
 * test.prop([runArb('mutant:B2', { properties: 'P2' })])('B2 breaks P2', ([scenario, schedule]) => {
 *   assertSchedule('mutant:B2', scenario, schedule, { properties: 'P2' });
 * });
 */
import fc from 'fast-check';
import { restartProperties, selectProperties, type RestartProperty } from '../properties/restart.ts';
import { scenarioArb, type ScenarioArbOptions } from './arbitraries/scenario.ts';
import { scenarioToInput } from './kernel/scenario-input.ts';
import { scheduleArb, type ScheduleArbOptions } from './arbitraries/schedule.ts';
import { runSchedule, type Reading, type ScheduleRun } from './engine/schedule.ts';
import { RunArbitrary } from './arbitraries/shrink.ts';
import { simplerScenarios } from './arbitraries/explore.ts';
import type { Violation } from './engine/types.ts';
import { buildModel, type RestartAction, type RestartModel } from './kernel/model.ts';
import type { Scenario } from './kernel/scenario.ts';
import type { RestartState } from './kernel/state.ts';
import { swimlane } from './trace/swimlane.ts';
import { variantOf, type ModelSpec } from './spec.ts';

export { scenarioArb, scenarioInputArb, type ScenarioArbOptions } from './arbitraries/scenario.ts';
export { scheduleArb, type ScheduleArbOptions } from './arbitraries/schedule.ts';
export { runSchedule } from './engine/schedule.ts';

export interface AssertOptions {
  /** which properties, as `--properties` takes them (default all) */
  readonly properties?: string;
  /** a run longer than this counts as never ending (default 2000) */
  readonly maxSteps?: number;
  readonly reading?: Reading;
}

/** A schedule broke a property: the message is the swimlane, the scenario and the schedule. */
export class ViolationError extends Error {
  override readonly name = 'ViolationError';
  constructor(
    readonly model: RestartModel,
    readonly violation: Violation<RestartState, RestartAction>,
  ) {
    super(
      [
        `${violation.property} violated after ${violation.steps.length} steps: ${violation.message}`,
        `model ${model.name} · scenario ${JSON.stringify(scenarioToInput(model.env.scenario))}`,
        '',
        swimlane(model, model.init(), violation.steps, violation.cycleStart !== undefined ? { cycleStart: violation.cycleStart } : {}),
        '',
        `schedule (indices; replay with src/engine/replay.ts): ${violation.choices.join(' ')}`,
      ].join('\n'),
    );
  }
}

const cache = new WeakMap<Scenario, Map<string, { model: RestartModel; props: RestartProperty[] }>>();
function caseFor(model: ModelSpec, scenario: Scenario, properties: string | undefined): { model: RestartModel; props: RestartProperty[] } {
  const variant = variantOf(model);
  let byKey = cache.get(scenario);
  if (!byKey) cache.set(scenario, (byKey = new Map()));
  const key = `${variant.name}\0${properties ?? ''}`;
  let c = byKey.get(key);
  if (!c) {
    const m = buildModel(variant, scenario);
    c = { model: m, props: selectProperties(restartProperties(m), properties) };
    byKey.set(key, c);
  }
  return c;
}

/**
 * Runs a schedule of `model` on `scenario` (completed with choice 0) and throws
 * a {@link ViolationError} when a property breaks.
 */
export function assertSchedule(model: ModelSpec, scenario: Scenario, schedule: readonly number[], options: AssertOptions = {}): ScheduleRun<RestartState, RestartAction> {
  const c = caseFor(model, scenario, options.properties);
  const run = runSchedule(c.model, c.props, schedule, {
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.reading ? { reading: options.reading } : {}),
  });
  if (run.violation) throw new ViolationError(c.model, run.violation);
  return run;
}

export interface RunArbOptions extends AssertOptions {
  readonly scenarios?: ScenarioArbOptions;
  /** a fixed scenario instead of drawn ones */
  readonly scenario?: Scenario;
  readonly schedules?: ScheduleArbOptions;
}

/**
 * Scenario and schedule pairs that shrink with the model in mind (shorter runs,
 * simpler scenarios; see src/arbitraries/shrink.ts), for `test.prop([runArb(…)])`.
 * Pass the same `properties` to {@link assertSchedule}.
 */
export function runArb(model: ModelSpec, options: RunArbOptions = {}): fc.Arbitrary<[Scenario, number[]]> {
  const scenarios = options.scenario ? fc.constant(options.scenario) : scenarioArb(options.scenarios);
  const runOptions = {
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.reading ? { reading: options.reading } : {}),
  };
  return new RunArbitrary(
    fc.tuple(scenarios, scheduleArb(options.schedules)),
    (s: Scenario) => {
      const c = caseFor(model, s, options.properties);
      return { model: c.model as never, properties: c.props as never };
    },
    runOptions,
    (s: Scenario) => simplerScenarios(s, (x) => caseFor(model, x, options.properties).model),
  );
}
