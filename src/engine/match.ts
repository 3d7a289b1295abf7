/**
 * Steps matched by what they are, not by where they were: the actor's name, the
 * step label and its detail. A replay file or a shrinking move that keeps a
 * step finds it again among the enabled actions this way, even when the model
 * changed the order of the actions (or added some).
 */
import type { Action, Model } from './types.ts';

/** What identifies a step across runs and model edits. */
export interface StepRef {
  readonly actor: string;
  readonly label: string;
  readonly detail?: string;
}

export function stepRef<A extends Action>(model: Model<unknown, A>, a: A): StepRef {
  return { actor: model.actors[a.actor] ?? `actor ${a.actor}`, label: a.label, ...(a.detail !== undefined ? { detail: a.detail } : {}) };
}

export function sameStep(a: StepRef, b: StepRef): boolean {
  return a.actor === b.actor && a.label === b.label && (a.detail ?? '') === (b.detail ?? '');
}

/** `live 2: T5:check pid 3` */
export function stepRefText(r: StepRef): string {
  return `${r.actor}: ${r.label}${r.detail ? ` ${r.detail}` : ''}`;
}

/** The index among `enabled` of the action that is the step `ref`, or -1. */
export function findStep<A extends Action>(model: Model<unknown, A>, enabled: readonly A[], ref: StepRef): number {
  for (let i = 0; i < enabled.length; i++) {
    const a = enabled[i]!;
    if (a.label === ref.label && (a.detail ?? '') === (ref.detail ?? '') && model.actors[a.actor] === ref.actor) return i;
  }
  return -1;
}
