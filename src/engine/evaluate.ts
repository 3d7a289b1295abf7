import type { Action, Property } from './types.ts';

export interface Failure {
  readonly property: string;
  readonly title: string;
  readonly message: string;
}

/** The first property (in the order given) that the transition violates. */
export function checkStep<S, A extends Action>(
  properties: readonly Property<S, A>[],
  prev: S,
  action: A,
  next: S,
): Failure | null {
  for (const p of properties) {
    if (!p.onStep) continue;
    const message = p.onStep(prev, action, next);
    if (message !== null) return { property: p.id, title: p.title, message };
  }
  return null;
}

/** The first property that a state with nothing enabled violates. */
export function checkEnd<S, A extends Action>(properties: readonly Property<S, A>[], state: S): Failure | null {
  for (const p of properties) {
    if (!p.onEnd) continue;
    const message = p.onEnd(state);
    if (message !== null) return { property: p.id, title: p.title, message };
  }
  return null;
}
