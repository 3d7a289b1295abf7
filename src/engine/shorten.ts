import { runSchedule } from './schedule.ts';
import { shorterSchedules } from './shrink-moves.ts';
import { kindOf, kindsConflict, objectOf, type AccessKind } from './access.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import { replay } from './replay.ts';
import { threadOf, type Action, type Model, type Phase, type Property, type Violation } from './types.ts';

/** A transition of a counterexample: its thread and its accesses (observations included). */
export interface TracedStep {
  readonly thread: number;
  readonly fp: readonly number[];
  /** the action, to tell apart the outcomes of a thread's nondeterministic step (same label, another detail) */
  readonly action?: Action;
}

/**
 * The causal past of a counterexample's last transition: that transition,
 * and every earlier one it depends on, through its thread's program order or
 * a conflicting access, transitively. Any order of the same transitions that
 * respects those dependencies reaches a state that agrees on everything the
 * last transition and its property read, so the projection, in the original
 * order, violates the property too. It drops the transitions the reduced
 * search ran early (a persistent set may schedule a thread that the violation
 * does not need), and it is never longer than a shortest counterexample of
 * the same Mazurkiewicz trace.
 *
 * Returns the indices kept, in order.
 */
export function causalPast(steps: readonly TracedStep[]): number[] {
  const m = steps.length - 1;
  if (m < 0) return [];
  const keep: number[] = [m];
  const threads = new Set<number>([steps[m]!.thread]);
  // object id → mask of the access kinds of the kept transitions
  const masks = new Map<number, number>();
  const add = (fp: readonly number[]): void => {
    for (const c of fp) masks.set(objectOf(c), (masks.get(objectOf(c)) ?? 0) | (1 << kindOf(c)));
  };
  add(steps[m]!.fp);
  for (let k = m - 1; k >= 0; k--) {
    const s = steps[k]!;
    let needed = threads.has(s.thread);
    if (!needed) {
      for (const c of s.fp) {
        const mask = masks.get(objectOf(c));
        if (!mask) continue;
        const kind = kindOf(c);
        for (let k2 = 0; k2 < 8 && !needed; k2++) if (mask & (1 << k2) && kindsConflict(k2 as AccessKind, kind)) needed = true; // the kept steps are later
        if (needed) break;
      }
    }
    if (!needed) continue;
    keep.push(k);
    threads.add(s.thread);
    add(s.fp);
  }
  return keep.reverse();
}

/**
 * Replays the kept transitions (by thread) and returns the violation they
 * reach, or null when they do not replay (which would be a footprint that
 * missed an access).
 */
export function project<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  violation: Violation<S, A>,
  steps: readonly TracedStep[],
): Violation<S, A> | null {
  const kept = causalPast(steps);
  if (kept.length === steps.length) return violation;
  let state = model.init();
  const choices: number[] = [];
  for (const k of kept) {
    const enabled = model.actions(state);
    const want = steps[k]!;
    const index = enabled.findIndex((a) => threadOf(a) === want.thread && (!want.action || (a.label === want.action.label && a.detail === want.action.detail)));
    if (index < 0) return null;
    choices.push(index);
    state = model.next(state, enabled[index]!);
  }
  const run = replay(model, properties, choices);
  if (!run.failure) return null;
  return { ...run.failure, steps: run.steps, choices: run.choices };
}

/**
 * Shortens a counterexample with the shrinking moves of `crsim explore`
 * (./shrink-moves.ts: drop an actor's steps from some point on, drop
 * one step, move a preemption), taking the first shorter run each time, until
 * no move shortens it: deterministic, and each round is shorter, so it ends.
 * A depth-first search's counterexample wanders: at 8 tasks, DPOR's 187 steps
 * on v18 shrink to 18 in 0.15 s. Not a proof of shortness; {@link certify} is.
 */
export function shrink<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  violation: Violation<S, A>,
  tally?: Phase,
): Violation<S, A> {
  if (violation.cycleStart !== undefined) return violation;
  const t0 = Date.now();
  let best = violation;
  for (;;) {
    const next = shorterSchedules(model, properties, best.steps, best.property).next();
    if (next.done) break;
    const run = runSchedule(model, properties, next.value);
    if (tally) {
      tally.runs = (tally.runs ?? 0) + 1;
      tally.states += run.steps.length; // each step a state visited, as a walk counts them
    }
    if (run.violation?.property !== best.property || run.atBound || run.violation.steps.length >= best.steps.length) break;
    best = run.violation;
  }
  if (tally) tally.ms += Date.now() - t0;
  return best;
}

/** the states a proof may store unless told (SearchOptions.certifyStates, `--proof-states`) */
export const PROOF_STATES = 1_000_000;

export type Certified<S, A extends Action> =
  | { readonly shortest: true; readonly violation: Violation<S, A> }
  | {
      readonly shortest: false;
      readonly violation: Violation<S, A>;
      readonly why: string;
      /** stopped by its state budget: that budget */
      readonly states?: number;
      /** stopped by memory (`--max-memory`, the heap): a larger proof would stop too */
      readonly memory?: boolean;
    };

/**
 * Is the counterexample a shortest one? A plain breadth-first search to its
 * length answers, within a budget of states, and returns the counterexample
 * the plain search would have returned: a shortest one, the first in
 * breadth-first order (so a reduced search reports what a plain one does).
 * It works in slices, so that a caller can report progress and stop it.
 */
export class Proof<S, A extends Action> {
  /** the breadth-first search (null for a cycle, which it does not certify) */
  readonly bfs: ExhaustiveSearch<S, A> | null;

  constructor(
    model: Model<S, A>,
    properties: readonly Property<S, A>[],
    readonly violation: Violation<S, A>,
    private readonly maxStates: number,
    maxMemory?: number,
  ) {
    const budget = { maxStates, depthLimit: violation.steps.length, ...(maxMemory !== undefined ? { maxMemory } : {}) };
    this.bfs = violation.cycleStart !== undefined ? null : new ExhaustiveSearch(model, properties, budget);
  }

  /** the states its breadth-first search stored so far */
  get states(): number {
    return this.bfs?.stats.states ?? 0;
  }

  get frontier(): number {
    return this.bfs?.frontier ?? 0;
  }

  /** The answer of a proof stopped before its end: the counterexample, unproven. */
  stoppedBy(reason: string): Certified<S, A> {
    return { shortest: false, violation: this.violation, why: `not proven shortest: ${reason}` };
  }

  /** Works for about `budgetMs` milliseconds; the answer once there is one. */
  work(budgetMs: number): Certified<S, A> | null {
    const { violation } = this;
    if (!this.bfs) return { shortest: false, violation, why: 'a cycle is not certified' };
    const r = this.bfs.work(budgetMs);
    if (!r) return null;
    if (r.verdict === 'violated') return { shortest: true, violation: { ...r.violation!, shortest: true } };
    const length = violation.steps.length;
    const stop = r.stoppedBy ?? '';
    if (stop.startsWith('depth')) return { shortest: false, violation, why: 'internal: breadth-first search found no violation within its length' };
    if (stop.startsWith('--max-states')) {
      return { shortest: false, violation, states: this.maxStates, why: `not proven shortest: breadth-first search to depth ${length} needs more than ${this.maxStates.toLocaleString('en-US')} states` };
    }
    return { shortest: false, violation, why: `not proven shortest: ${stop}`, memory: true };
  }
}

/**
 * The counterexample a proof's answer settles, its note starting with how it
 * was `found`: proven shortest by a breadth-first search to its `length`; or
 * (the proof's budget, a stop, no proof asked for) shrunk, its schedules and
 * states added to the phase `tally()` gives, and said why not. Past the
 * state budget no shorter one exists above the level the proof reached, so
 * the shrunk one's depth is out of reach too.
 */
export function settle<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  c: Certified<S, A>,
  length: number,
  found: string,
  tally: () => Phase,
): Violation<S, A> {
  if (c.shortest) {
    const n = c.violation.steps.length;
    return { ...c.violation, shortest: true, shortestNote: `${found}; breadth-first search to depth ${length} gives the shortest${n < length ? `, ${n} steps` : ''}` };
  }
  const v = shrink(model, properties, c.violation, tally());
  const how = v.steps.length < c.violation.steps.length ? `${found}, shrunk to ${v.steps.length}` : found;
  const why = c.states !== undefined ? `not proven shortest: breadth-first search to depth ${v.steps.length} needs more than ${c.states.toLocaleString('en-US')} states` : c.why;
  return { ...v, shortest: false, shortestNote: `${how}; ${why}` };
}
