/**
 * Differential checking: what a variant breaks that its base does not, at the
 * same schedule. The variant runs as usual; the base follows it step for step,
 * each step found again by what it is (actor, label, detail: match.ts), and
 * records which properties it violated on the way. A differential property
 * fails only where the variant violates a property that the base, replaying
 * the same steps, has not violated by then (or, at an end, does not violate at
 * its own end). Only schedules the base can replay count: where the base
 * cannot take one of the steps (a step moved or renamed), the two runs are no
 * longer the same schedule, and a violation there says nothing about the
 * change (it is new only if the base never violates the property at all).
 *
 * The product is an ordinary model, so any exhaustive search finds the
 * shortest such violation (breadth first) — including where the base has a
 * shorter violation of its own that would hide the variant's.
 */
import { findStep, stepRef } from './match.ts';
import type { Action, Model, Property } from './types.ts';

export interface DiffState<S, T> {
  /** the variant's state */
  readonly v: S;
  /** the base's state after the same steps, or null once it could not take one */
  readonly b: T | null;
  /** the properties the base has violated on the way, sorted */
  readonly bv: readonly string[];
}

/**
 * The variant with its base in tow. Its actions are the variant's, in the
 * variant's order, so a schedule of the product is a schedule of the variant.
 */
export function differentialModel<S, A extends Action, T, B extends Action>(
  variant: Model<S, A>,
  base: Model<T, B>,
  baseProperties: readonly Property<T, B>[],
): Model<DiffState<S, T>, A> {
  return {
    name: `${variant.name} against ${base.name}`,
    actors: variant.actors,
    init: () => ({ v: variant.init(), b: base.init(), bv: [] }),
    actions: (s) => variant.actions(s.v),
    next(s, a) {
      const v = variant.next(s.v, a);
      if (s.b === null) return { v, b: null, bv: s.bv };
      const enabled = base.actions(s.b);
      const i = findStep(base, enabled, stepRef(variant, a));
      if (i < 0) return { v, b: null, bv: s.bv };
      const ba = enabled[i]!;
      const b = base.next(s.b, ba);
      let bv = s.bv;
      for (const p of baseProperties) {
        if (!bv.includes(p.id) && p.onStep && p.onStep(s.b, ba, b) !== null) bv = [...bv, p.id].sort();
      }
      return { v, b, bv };
    },
    ...(variant.describe ? { describe: (prev: DiffState<S, T>, a: A, next: DiffState<S, T>) => variant.describe!(prev.v, a, next.v) } : {}),
  };
}

/**
 * `p` of the variant, counted only where the base (`baseP`, the property of
 * the same id) has not violated it on the same steps.
 */
export function differentialProperty<S, A extends Action, T, B extends Action>(
  p: Property<S, A>,
  baseP: Property<T, B> | undefined,
  base: Model<T, B>,
): Property<DiffState<S, T>, A> {
  return {
    id: p.id,
    title: p.title,
    ...(p.coversNonTermination ? { coversNonTermination: true } : {}),
    ...(p.onStep
      ? {
          onStep: (prev: DiffState<S, T>, a: A, next: DiffState<S, T>) => {
            const message = p.onStep!(prev.v, a, next.v);
            return message !== null && next.b !== null && !next.bv.includes(p.id) ? message : null;
          },
        }
      : {}),
    ...(p.onEnd
      ? {
          onEnd: (s: DiffState<S, T>) => {
            const message = p.onEnd!(s.v);
            if (message === null || s.b === null || s.bv.includes(p.id)) return null;
            // the base has it too when it ends here as well and its own end check fails
            const baseToo = s.b !== null && base.actions(s.b).length === 0 && baseP?.onEnd?.(s.b) != null;
            return baseToo ? null : message;
          },
        }
      : {}),
  };
}

/**
 * Whether the base, run on the variant's steps (matched by identity), violates
 * `id` by their end too: the variant's violation on these steps is then shared.
 */
export function sharedOnSteps<S, A extends Action, T, B extends Action>(
  variant: Model<S, A>,
  base: Model<T, B>,
  baseProperties: readonly Property<T, B>[],
  actions: readonly A[],
  id: string,
): boolean {
  const product = differentialModel(variant, base, baseProperties);
  let s = product.init();
  for (const a of actions) s = product.next(s, a);
  if (s.bv.includes(id)) return true;
  const p = baseProperties.find((q) => q.id === id);
  return s.b !== null && base.actions(s.b).length === 0 && variant.actions(s.v).length === 0 && p?.onEnd?.(s.b) != null;
}
