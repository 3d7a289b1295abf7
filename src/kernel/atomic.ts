/**
 * Fusing steps: "what if these steps were one atomic step?" without calling
 * one step's `run` from inside another. `atomic(v18.task, 'T2', 'T3')` is
 * v18's task table with T2 replaced by a step that runs T2 then, where T2 went
 * on to T3, T3, with nothing of another actor in between.
 */
import type { StepDef, Steps } from './model.ts';
import type { Proc } from './state.ts';

/**
 * The table `steps` with the step at `first` replaced by the fusion of it and
 * `rest`, in order:
 *
 * - label: the table key stays `first` (other steps jump there); traces show
 *   `T2+T3`. The later steps stay in the table, for any other path to them.
 * - cite: each step's, labelled; `fn`: each distinct function.
 * - enabledness: the first step's guard (and outcomes: it may be
 *   nondeterministic; the later ones may not, there is no choice inside an
 *   atomic step). Each later step runs if the one before jumped to its label,
 *   and must then be enabled: a fused step that would block half-way is a
 *   model error (exit 4), not a wait. A step that jumped elsewhere (an error
 *   path) ends the fused step there.
 * - roles: the first step's (the state between them is never seen).
 *
 * Throws on a label the table lacks, or a later step with outcomes: a model
 * that cannot be built.
 */
export function atomic<P extends Proc>(steps: Steps<P>, first: string, ...rest: string[]): Steps<P> {
  if (rest.length === 0) throw new Error(`atomic: fusing '${first}' with nothing (name two steps or more)`);
  const labels = [first, ...rest];
  const parts = labels.map((label): [string, StepDef<P>] => {
    const step = steps[label];
    if (!step) throw new Error(`atomic: no step '${label}' (the table has ${Object.keys(steps).join(', ')})`);
    return [label, step];
  });
  for (const [label, step] of parts.slice(1)) {
    if (step.outcomes) throw new Error(`atomic: '${label}' is nondeterministic; only the first step of a fused step may be`);
  }
  const head = parts[0]![1];
  const name = labels.join('+');
  const fused: StepDef<P> = {
    fn: [...new Set(parts.map(([, s]) => s.fn))].join(' + '),
    cite: parts.map(([label, s]) => `${label}: ${s.cite}`).join('; '),
    label: name,
    ...(head.enabled ? { enabled: head.enabled } : {}),
    ...(head.detail ? { detail: head.detail } : {}),
    ...(head.outcomes ? { outcomes: head.outcomes } : {}),
    ...(head.roles ? { roles: head.roles } : {}),
    run(s, self, env, i, arg) {
      head.run(s, self, env, i, arg);
      for (let k = 1; k < parts.length; k++) {
        const [label, step] = parts[k]!;
        if (self.pc !== label) return; // the step before went elsewhere: the fused step ends there
        // a guard reads what a step wrote: the draft is the state it sees (Draft only drops readonly)
        if (step.enabled && !step.enabled(s, self as unknown as P, env, i)) {
          throw new Error(`fused step ${name}: ${label} is not enabled right after ${parts[k - 1]![0]} (an atomic step cannot wait)`);
        }
        step.run(s, self, env, i);
      }
    },
  };
  return { ...steps, [first]: fused };
}
