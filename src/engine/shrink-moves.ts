/**
 * Shrinking moves that know only the engine's Model: a shorter run is found by
 * dropping steps of the run (the steps an actor took from some point on, one
 * step, a wait that slept for nothing) and replaying the rest by identity
 * (actor, label, detail). fast-check's shrinking (src/arbitraries/shrink.ts)
 * and the reduced search's shortening (./shorten.ts) both use them.
 */
import { checkEnd, checkStep } from './evaluate.ts';
import { findStep, sameStep, stepRef, type StepRef } from './match.ts';
import { pickIndex, runSchedule, type Reading, type RunOptions } from './schedule.ts';
import type { Action, Model, Property, Step } from './types.ts';

/** The choice that makes {@link pickIndex} pick `index` (its inverse). */
export function choiceFor(enabled: readonly Action[], index: number, last: number, reading: Reading, environment: number): number {
  if (reading === 'absolute') return index;
  for (let c = 0; c < enabled.length; c++) if (pickIndex(enabled, c, last, reading, environment) === index) return c;
  throw new Error('internal: no choice picks this action');
}

/**
 * Replays steps by identity (actor name, label, detail) on `model` and writes
 * them back as choices, up to the first violation. A step that cannot be found
 * is skipped when `dropped` says it may go (it belonged to what a move took
 * away), else the replay fails. Returns the choices when `property` breaks,
 * else null.
 */
export function replayByIdentity<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  refs: readonly StepRef[],
  property: string,
  options: Pick<RunOptions, 'reading' | 'environment'> & {
    dropped?: (ref: StepRef) => boolean;
    /** when the steps run out before the run ends, go on with choice 0 for at most this many steps in all */
    completeUpTo?: number;
  } = {},
): number[] | null {
  const reading = options.reading ?? 'sticky';
  const environment = options.environment ?? model.actors.indexOf('environment');
  let state = model.init();
  let last = 0;
  const choices: number[] = [];
  for (const ref of refs) {
    const enabled = model.actions(state);
    const i = findStep(model as Model<unknown, A>, enabled, ref);
    if (i < 0) {
      if (options.dropped?.(ref)) continue;
      return null;
    }
    const action = enabled[i]!;
    const next = model.next(state, action);
    choices.push(choiceFor(enabled, i, last, reading, environment));
    const failure = checkStep(properties, state, action, next);
    if (failure) return failure.property === property ? choices : null;
    state = next;
    last = action.actor;
  }
  // the steps ran out: go on as runSchedule completes a list (choice 0), so an end state can still be reached
  for (let k = choices.length; ; k++) {
    const enabled = model.actions(state);
    if (enabled.length === 0) return checkEnd(properties, state)?.property === property ? choices : null;
    if (k >= (options.completeUpTo ?? 0)) return null;
    const action = enabled[pickIndex(enabled, 0, last, reading, environment)]!;
    const next = model.next(state, action);
    const failure = checkStep(properties, state, action, next);
    if (failure) return failure.property === property ? choices : null;
    state = next;
    last = action.actor;
  }
}

/**
 * Schedules whose runs break `property` in fewer steps than `steps` do, made by
 * dropping steps of the run: the steps an actor took from one of its steps on
 * (earliest first: the biggest cut), then single steps. Lazy.
 */
export function* shorterSchedules<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  steps: readonly Step<S, A>[],
  property: string,
  options: Pick<RunOptions, 'reading' | 'environment'> = {},
): Generator<number[]> {
  const refs = steps.map((s) => stepRef(model as Model<unknown, A>, s.action));
  const L = refs.length;
  const seen = new Set<string>();
  // a candidate may be completed with choice 0, as long as its run stays shorter than this one
  const attempt = (keep: (k: number) => boolean): number[] | null =>
    replayByIdentity(model, properties, refs.filter((_r, k) => keep(k)), property, { ...options, completeUpTo: L - 1 });
  const fresh = (c: number[] | null): c is number[] => {
    if (!c || c.length >= L) return false;
    const key = c.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const actors = [...new Set(steps.map((s) => s.action.actor))];
  for (const x of actors) {
    for (let j = 0; j < L; j++) {
      if (steps[j]!.action.actor !== x) continue;
      const c = attempt((k) => k < j || steps[k]!.action.actor !== x);
      if (fresh(c)) yield c;
    }
  }
  // an actor's loop: from one of its steps to the next time it takes the same step (a wait that slept for nothing)
  for (const x of actors) {
    const mine = refs.flatMap((r, k) => (steps[k]!.action.actor === x ? [k] : []));
    for (let a = 0; a < mine.length; a++) {
      for (let b = a + 1; b < mine.length; b++) {
        if (!sameStep(refs[mine[a]!]!, refs[mine[b]!]!)) continue;
        const from = mine[a]!;
        const to = mine[b]!;
        const c = attempt((k) => k < from || k >= to || steps[k]!.action.actor !== x);
        if (fresh(c)) yield c;
      }
    }
  }
  for (let j = 0; j < L; j++) {
    const c = attempt((k) => k !== j);
    if (fresh(c)) yield c;
  }
  // one other choice at some step, then choice 0 (a preemption moved): reaches runs that reorder steps
  const reading = options.reading ?? 'sticky';
  const environment = options.environment ?? model.actors.indexOf('environment');
  const prefix: number[] = [];
  const widths: number[] = [];
  {
    let state = model.init();
    let last = 0;
    for (const step of steps) {
      const enabled = model.actions(state);
      const i = enabled.indexOf(step.action);
      if (i < 0) return; // not this model's run
      prefix.push(choiceFor(enabled, i, last, reading, environment));
      widths.push(enabled.length);
      state = step.state;
      last = step.action.actor;
    }
  }
  let budget = DEVIATION_BUDGET;
  const tryList = (candidate: number[]): boolean => {
    const run = runSchedule(model, properties, candidate, { reading, environment, maxSteps: L - 1 });
    budget -= run.steps.length + 1;
    return !run.atBound && run.violation?.property === property && run.violation.steps.length < L;
  };
  for (let i = 0; i < L; i++) {
    for (let alt = 0; alt < widths[i]!; alt++) {
      if (alt === prefix[i]) continue;
      const candidate = [...prefix.slice(0, i), alt];
      if (tryList(candidate) && fresh(candidate)) yield candidate;
    }
  }
  // two of them (a wake-up lost between two preemptions needs both), within a budget of simulated steps
  for (let i = 0; i < L && budget > 0; i++) {
    for (let a = 0; a < widths[i]! && budget > 0; a++) {
      if (a === prefix[i]) continue;
      const first = [...prefix.slice(0, i), a];
      for (let j = i + 1; j < L - 1 && budget > 0; j++) {
        for (let b = 1; b < 4 && budget > 0; b++) {
          const candidate = [...first, ...new Array<number>(j - i - 1).fill(0), b];
          if (tryList(candidate) && fresh(candidate)) yield candidate;
        }
      }
    }
  }
}

/** how many steps the two-preemption moves may simulate per shrink (about a second) */
const DEVIATION_BUDGET = 400_000;

