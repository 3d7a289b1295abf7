import { checkEnd, checkStep, type Failure } from './evaluate.ts';
import type { Action, Model, Property, Step } from './types.ts';

export interface Replayed<S, A extends Action> {
  readonly init: S;
  readonly steps: Step<S, A>[];
  /** the exact index taken at each step (after reading the choice modulo the enabled count) */
  readonly choices: number[];
  /** the first violation met, with the number of steps that reach it */
  readonly failure?: Failure;
  /** true when the schedule ran out of enabled actions before its end */
  readonly ended: boolean;
}

/**
 * Runs a schedule from the initial state. Each choice is read modulo the number
 * of enabled actions, so any list of naturals is a valid schedule (what lets
 * fast-check shrink schedules freely). Stops at the first violation; a state
 * with nothing enabled is checked against the end properties.
 */
export function replay<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  schedule: readonly number[],
): Replayed<S, A> {
  const init = model.init();
  let state = init;
  const steps: Step<S, A>[] = [];
  const choices: number[] = [];
  for (const c of schedule) {
    const enabled = model.actions(state);
    if (enabled.length === 0) {
      const failure = checkEnd(properties, state);
      return failure ? { init, steps, choices, failure, ended: true } : { init, steps, choices, ended: true };
    }
    const index = ((c % enabled.length) + enabled.length) % enabled.length;
    const action = enabled[index]!;
    const next = model.next(state, action);
    steps.push({ action, state: next });
    choices.push(index);
    const failure = checkStep(properties, state, action, next);
    if (failure) return { init, steps, choices, failure, ended: false };
    state = next;
  }
  if (model.actions(state).length === 0) {
    const failure = checkEnd(properties, state);
    if (failure) return { init, steps, choices, failure, ended: true };
    return { init, steps, choices, ended: true };
  }
  return { init, steps, choices, ended: false };
}
