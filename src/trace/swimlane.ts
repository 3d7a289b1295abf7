/**
 * A counterexample as a text swimlane: one column per actor, one row per step,
 * the step's label in its actor's column and what it changed at the right.
 */
import type { Action, Model, Step } from '../engine/types.ts';
import { diff, formatChange } from '../engine/diff.ts';

export interface SwimlaneOptions {
  /** the widest a column may be */
  readonly columnWidth?: number;
  /** the index where a repeating cycle starts, marked in the margin */
  readonly cycleStart?: number;
}

export function stepText(a: Action): string {
  return a.detail ? `${a.label} ${a.detail}` : a.label;
}

export function changesText<S, A extends Action>(model: Model<S, A>, prev: S, step: Step<S, A>): string {
  if (model.describe) return model.describe(prev, step.action, step.state);
  return diff(prev, step.state).map(formatChange).join(', ');
}

export function swimlane<S, A extends Action>(
  model: Model<S, A>,
  init: S,
  steps: readonly Step<S, A>[],
  options: SwimlaneOptions = {},
): string {
  const used = new Set(steps.map((s) => s.action.actor));
  const lanes = model.actors.map((name, i) => ({ name, i })).filter((l) => used.has(l.i));
  const max = options.columnWidth ?? 22;
  const widths = lanes.map((l) =>
    Math.min(max, Math.max(l.name.length, ...steps.filter((s) => s.action.actor === l.i).map((s) => stepText(s.action).length))),
  );
  const num = String(steps.length).length;
  const cell = (text: string, w: number): string => (text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w));
  const header = `${' '.repeat(num + 2)}${lanes.map((l, k) => cell(l.name, widths[k]!)).join('  ')}  │ changed`;
  const rule = `${' '.repeat(num + 2)}${widths.map((w) => '─'.repeat(w)).join('  ')}──┼────────`;
  const rows: string[] = [header, rule];
  let prev = init;
  steps.forEach((step, n) => {
    const mark = options.cycleStart === n ? '↻' : ' ';
    const cells = lanes.map((l, k) => cell(l.i === step.action.actor ? stepText(step.action) : '', widths[k]!));
    rows.push(`${String(n + 1).padStart(num)}${mark} ${cells.join('  ')}  │ ${changesText(model, prev, step)}`);
    prev = step.state;
  });
  if (options.cycleStart !== undefined) rows.push(`${' '.repeat(num + 2)}↻ from step ${options.cycleStart + 1} the run repeats for ever`);
  return rows.map((r) => r.trimEnd()).join('\n');
}
