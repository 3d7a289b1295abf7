/**
 * Runs a model along a list of choices (src/arbitraries/schedule.ts draws
 * such lists with fast-check; shrinking and the reduced search's shortening
 * replay them here).
 *
 * Schedules as fast-check values: a list of naturals, each read modulo the
 * number of enabled actions, so every list, and so every shrunk list, is a
 * valid schedule. A list that ends before the run does is completed with
 * choice 0 up to a bound, so that every run reaches its end state and the end
 * properties (P5's leak, P9's deadlock, P3's end check) are checked too.
 *
 * How a choice is read: `sticky` (the default) counts from the actor that moved
 * last: 0 lets it go on, or, once it blocks or ends, the next actor in order
 * (round robin); the environment's faults come last, so a fault fires only by a
 * deliberate choice. Choice 0 everywhere is then the plain non-preemptive run,
 * and a counterexample is the few preemptions that break it: deleting a 0
 * moves a preemption one step earlier, which is what lets fast-check shrink a
 * schedule to the shortest one. `absolute` reads the choice as an index into
 * the enabled actions, as src/engine/replay.ts does. Either way the run records
 * the absolute index taken at each step, which replays it exactly.
 */
import { checkEnd, checkStep } from './evaluate.ts';
import type { Action, Model, Property, Step, Violation } from './types.ts';

export type Reading = 'sticky' | 'absolute';

export interface RunOptions {
  /** how a choice picks among the enabled actions (default `sticky`) */
  readonly reading?: Reading;
  /** complete a schedule that ends early with choice 0 (default true) */
  readonly complete?: boolean;
  /** a run longer than this is reported as never ending (default 2000 steps) */
  readonly maxSteps?: number;
  /** the actor whose actions come last in the sticky order (default: the actor named `environment`) */
  readonly environment?: number;
}

export interface ScheduleRun<S, A extends Action> {
  readonly init: S;
  readonly steps: readonly Step<S, A>[];
  /** the absolute index taken at each step: replays the run exactly (src/engine/replay.ts) */
  readonly choices: readonly number[];
  /** how many of the steps came from completing the schedule with choice 0 */
  readonly completed: number;
  /** true when the run reached a state with nothing enabled */
  readonly ended: boolean;
  readonly violation?: Violation<S, A>;
  /** the violation is only the bound: the run was still going after `maxSteps` */
  readonly atBound?: boolean;
}

/** The absolute index that choice `c` picks among `enabled`, after `last` moved. */
export function pickIndex(enabled: readonly Action[], c: number, last: number, reading: Reading, environment: number): number {
  const n = enabled.length;
  const k = ((c % n) + n) % n;
  if (reading === 'absolute') return k;
  // the sticky order: actors from `last` on, then those before it, then the environment
  const rank = (a: Action): number => (a.actor === environment ? 2 : a.actor >= last ? 0 : 1);
  let seen = 0;
  for (let r = 0; r <= 2; r++) {
    for (let i = 0; i < n; i++) {
      if (rank(enabled[i]!) !== r) continue;
      if (seen++ === k) return i;
    }
  }
  return k;
}

/**
 * Runs a schedule from the initial state and checks every property on the way:
 * the first violation ends the run. With completion (the default), a run that
 * is still going at the end of the list goes on with choice 0; past `maxSteps`
 * it is reported as never ending, against the property that covers
 * non-termination (P9), if it is checked.
 *
 * @example
 * const run = runSchedule(model, restartProperties(model), [0, 0, 0, 0, 1]);
 * run.violation?.property; // 'P8' on v18 with one task: the T2–T3 window (B4)
 */
export function runSchedule<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  schedule: readonly number[],
  options: RunOptions = {},
): ScheduleRun<S, A> {
  const maxSteps = options.maxSteps ?? 2000;
  const complete = options.complete ?? true;
  const reading = options.reading ?? 'sticky';
  const environment = options.environment ?? model.actors.indexOf('environment');
  const init = model.init();
  const steps: Step<S, A>[] = [];
  const choices: number[] = [];
  let state = init;
  let last = 0;
  const result = (ended: boolean, violation?: Violation<S, A>): ScheduleRun<S, A> => ({
    init,
    steps,
    choices,
    completed: Math.max(0, steps.length - schedule.length),
    ended,
    ...(violation ? { violation } : {}),
  });
  for (let k = 0; ; k++) {
    const enabled = model.actions(state);
    if (enabled.length === 0) {
      const failure = checkEnd(properties, state);
      return result(true, failure ? { ...failure, steps, choices } : undefined);
    }
    if (k >= maxSteps || (k >= schedule.length && !complete)) {
      const p = complete ? properties.find((q) => q.coversNonTermination) : undefined;
      if (!p) return result(false);
      return { ...result(false), atBound: true, violation: {
        property: p.id,
        title: p.title,
        message: `no end after ${k} steps (the run's bound; the schedule was completed with choice 0)`,
        steps,
        choices,
      } };
    }
    const i = pickIndex(enabled, schedule[k] ?? 0, last, reading, environment);
    const action = enabled[i]!;
    const next = model.next(state, action);
    steps.push({ action, state: next });
    choices.push(i);
    const failure = checkStep(properties, state, action, next);
    if (failure) return result(false, { ...failure, steps, choices });
    state = next;
    last = action.actor;
  }
}
