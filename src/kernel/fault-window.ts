/**
 * Faults pinned to a window (issue 13): a fault with `at` may fire only while
 * its target's next step is one of these labels; a pattern's `*` stands for any
 * text (`T5:*`). Without `at`, a fault fires at any step where it is enabled
 * (spec §3, environment actions).
 */
import type { FaultSpec } from './scenario.ts';

const compiled = new WeakMap<readonly string[], RegExp>();

/** One regular expression for a list of labels and patterns. */
export function windowRegExp(at: readonly string[]): RegExp {
  let re = compiled.get(at);
  if (!re) {
    const alt = at.map((p) => p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    re = new RegExp(`^(?:${alt.join('|')})$`);
    compiled.set(at, re);
  }
  return re;
}

/** Whether a fault's window allows it to fire while its target is at `pc` (a fault with no window: always). */
export function inWindow(f: FaultSpec, pc: string): boolean {
  const at = 'at' in f ? f.at : undefined;
  return at === undefined || windowRegExp(at).test(pc);
}

/**
 * The first label or pattern of a fault's window that names no step of the
 * table its target runs (a task's for a signal to a task, the coordinator's
 * for one to the coordinator), or null when all of them do.
 */
export function unknownWindowLabel(
  faults: readonly FaultSpec[],
  labels: { readonly coordinator: readonly string[]; readonly task: readonly string[] },
): { fault: number; entry: number; pattern: string; known: readonly string[] } | null {
  for (const [k, f] of faults.entries()) {
    if (!('at' in f) || f.at === undefined) continue;
    const known = f.type === 'signal-coordinator' ? labels.coordinator : labels.task;
    for (const [j, p] of f.at.entries()) {
      const re = windowRegExp([p]);
      if (!known.some((l) => re.test(l))) return { fault: k, entry: j, pattern: p, known };
    }
  }
  return null;
}
