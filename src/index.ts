/**
 * crsim as a library: check a restart variant on a scenario, explore it with
 * fast-check, draw and share what breaks.
 *
 * @example
 * import { check, toHtml, traceOf } from 'crsim';
 * const r = check('v18', { tasks: [{ vpid: 1, kind: 'live' }] });
 * r.verdict;                 // 'violated'
 * r.violation!.property;     // 'P8' (B4: the T2–T3 window)
 * writeFileSync('cex.html', toHtml(traceOf(r.model, r.violation!)));
 */
import { restartProperties, selectProperties, type RestartProperty } from '../properties/restart.ts';
import { explorePbt, type PbtOptions, type PbtResult } from './arbitraries/explore.ts';
import { exploreSync, type ExploreOptions } from './engine/run.ts';
import type { Result, Violation } from './engine/types.ts';
import { buildModel, type RestartAction, type RestartModel, type RestartVariant } from './kernel/model.ts';
import type { RestartState } from './kernel/state.ts';
import type { Trace } from './trace/annotate.ts';
import { scenarioOf, variantOf, type ModelSpec, type ScenarioSpec } from './spec.ts';

export type { RestartAction, RestartModel, RestartVariant } from './kernel/model.ts';
export type { RestartState } from './kernel/state.ts';
export type { Scenario, ScenarioTask, FaultSpec } from './kernel/scenario.ts';
export type { Result, Violation, Step, Property, Model, Action, Stats, Verdict } from './engine/types.ts';

// models, scenarios, properties
export { variants, versions, mutants, findVariant } from '../models/index.ts';
export { buildModel } from './kernel/model.ts';
// writing a model: roles, fused steps, nondeterministic wake-ups
export { withRoles, ROLES, type Role, type Outcome, type StepDef, type Steps } from './kernel/model.ts';
export { atomic } from './kernel/atomic.ts';
export { wakeOneOutcomes, wake_up_one } from './kernel/sched.ts';
export { parseScenario, shorthandScenario, ScenarioError, DEFAULT_SCENARIO } from './kernel/scenario.ts';
export { restartProperties, selectProperties, type RestartProperty } from '../properties/restart.ts';
// the engine
export { exploreSync, explore$, createSearch, type ExploreOptions } from './engine/run.ts';
export { replay } from './engine/replay.ts';
// timed simulation and statistical model checking (docs/timing.md)
export { TimedSimulator, type TimedOptions, type TimedRun, type Mark } from './engine/timed.ts';
export { simulateSync, simulate$, type SmcOptions, type Tally } from './engine/smc.ts';
export { sampler, type Distribution, type Sampler } from './engine/distributions.ts';
export { parseProfile, parseRunqlat, parseSchbench, ProfileError, type Profile } from './engine/profile.ts';
export { clopperPearson, okamotoRuns, runsForUpperBound, Sprt, quantile, summarizeTimes, type SprtOptions } from './engine/stats.ts';
export { PRESETS, restartMarks, restartTimeClass, TIME_CLASSES } from './kernel/timing.ts';
export { scenarioToInput, type ScenarioInput } from './kernel/scenario-input.ts';
// fast-check
export {
  scenarioArb,
  scenarioInputArb,
  supportedPlacements,
  supportedFaults,
  type ScenarioArbOptions,
  type Placement,
  type FaultType,
} from './arbitraries/scenario.ts';
export { scheduleArb, type ScheduleArbOptions } from './arbitraries/schedule.ts';
export { runSchedule, pickIndex, type RunOptions, type ScheduleRun, type Reading } from './engine/schedule.ts';
export { RunArbitrary } from './arbitraries/shrink.ts';
export { shorterSchedules, replayByIdentity } from './engine/shrink-moves.ts';
export { explorePbt, explorePbt$, shortestCounterexample, simplerScenarios, type PbtOptions, type PbtResult, type PbtProgress } from './arbitraries/explore.ts';
export { runArb, assertSchedule, ViolationError } from './vitest.ts';
// traces: text, exports, replay files
export { swimlane } from './trace/swimlane.ts';
export { annotate, type Trace, type Annotated } from './trace/annotate.ts';
export { toHtml } from './trace/html.ts';
export { toMermaid } from './trace/mermaid.ts';
export { toPerfetto } from './trace/perfetto.ts';
export { toItf, type ItfTrace } from './trace/itf.ts';
export { toTraceJson } from './trace/json.ts';
export { exportTrace, FORMATS, type Format } from './trace/export.ts';
export {
  makeReplayFile,
  replayFile,
  readReplay,
  parseReplayFile,
  encodeToken,
  decodeToken,
  modelSource,
  ReplayFileError,
  type ReplayFile,
  type ReplayOutcome,
} from './trace/replayfile.ts';

export { variantOf, scenarioOf, type ModelSpec, type ScenarioSpec } from './spec.ts';

export interface CheckOptions extends ExploreOptions {
  /** which properties, as `--properties` takes them: `P1-P7`, `P1,P2` (default all) */
  readonly properties?: string;
}

export interface CheckResult extends Result<RestartState, RestartAction> {
  readonly model: RestartModel;
}

/**
 * Checks a model on a scenario (exhaustively by default: the counterexample is
 * a shortest one).
 *
 * @example
 * check('mutant:B2', { tasks: 2, zombies: 1 }).violation?.property; // 'P2'
 * check('v18', { tasks: 3, zombies: 1 }, { properties: 'P1,P2' }).verdict; // 'holds'
 * check('v18', undefined, { strategy: 'random', runs: 500, seed: 7 });
 */
export function check(model: ModelSpec, scenario?: ScenarioSpec, options: CheckOptions = {}): CheckResult {
  const m = buildModel(variantOf(model), scenarioOf(scenario));
  const properties: RestartProperty[] = selectProperties(restartProperties(m), options.properties);
  return { ...exploreSync(m, properties, options), model: m };
}

/**
 * Explores a model with fast-check over scenarios and schedules, and shrinks
 * what it finds (see {@link PbtOptions}).
 *
 * @example
 * const r = await explore('mutant:B3', { runs: 2000, seed: 1 });
 * r.violation?.steps.length; // the shrunk counterexample's length
 * r.path;                    // with the seed, replays it: explore('mutant:B3', { seed: 1, path: r.path })
 */
export function explore(model: ModelSpec, options: PbtOptions = {}): Promise<PbtResult> {
  return explorePbt(variantOf(model), options);
}

/**
 * A violation ready for the exporters.
 *
 * @example
 * const r = check('v18', { tasks: 1 });
 * toMermaid(traceOf(r.model, r.violation!));
 */
export function traceOf(model: RestartModel, violation: Violation<RestartState, RestartAction>): Trace {
  return {
    model,
    init: model.init(),
    steps: violation.steps,
    violation: { property: violation.property, title: violation.title, message: violation.message },
    ...(violation.cycleStart !== undefined ? { cycleStart: violation.cycleStart } : {}),
  };
}
