/** A target for worker threads (a Recipe's module): a counter whose walks never end, and no property (tests of stops). */
import type { Action, Model } from '../src/engine/types.ts';
import type { Target } from '../src/engine/workers.ts';

export function endlessTarget(): Target<number, Action> {
  const model: Model<number, Action> = {
    name: 'endless',
    actors: ['a', 'b'],
    init: () => 0,
    actions: () => [0, 1].map((k) => ({ actor: k, label: `+${k + 1}` })),
    next: (s, a) => (s + a.actor + 1) % 1000,
  };
  return { model, properties: [] };
}
