/**
 * A trace as a Mermaid sequence diagram (renders in GitHub markdown): one
 * participant per actor, each step a note over its actor, token hand-offs and
 * wake-ups as arrows, a blocked actor's sleep as a note, the violation last.
 */
import { annotate, type Trace } from './annotate.ts';

/** Mermaid reads `;` as a statement end and `#` as an entity: write both as entities. */
function text(s: string, max = 90): string {
  const cut = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return cut.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/[\r\n]+/g, ' ');
}

/**
 * @example
 * const md = '```mermaid\n' + toMermaid(trace) + '\n```';
 */
export function toMermaid(trace: Trace): string {
  const a = annotate(trace);
  const id = (i: number): string => `A${i}`;
  const lines = ['sequenceDiagram'];
  for (const l of a.lanes) lines.push(`  participant ${id(l.index)} as ${text(l.name)}`);
  const sleepsAt = new Map<number, { actor: number; wait: string }[]>();
  for (const b of a.blocked) {
    const list = sleepsAt.get(b.from) ?? [];
    list.push({ actor: b.actor, wait: b.wait });
    sleepsAt.set(b.from, list);
  }
  for (const s of a.steps) {
    if (trace.cycleStart !== undefined && s.n === trace.cycleStart + 1) {
      lines.push(`  Note over ${id(0)},${id(a.lanes.length - 1)}: ↻ from here the run repeats for ever`);
    }
    const label = `${s.n} · ${s.label}${s.detail ? ` ${s.detail}` : ''}`;
    lines.push(`  Note over ${id(s.actor)}: ${text(label)}${s.changes ? `<br/>${text(s.changes, 120)}` : ''}`);
    for (const arrow of s.arrows) {
      const style = arrow.kind === 'wake' ? '-->>' : arrow.kind === 'failed' ? '--x' : '->>';
      lines.push(`  ${id(arrow.from)}${style}${id(arrow.to)}: ${text(arrow.label)}`);
    }
    for (const sl of sleepsAt.get(s.n) ?? []) lines.push(`  Note right of ${id(sl.actor)}: blocked in ${text(sl.wait)} (INTERRUPTIBLE)`);
  }
  if (trace.violation) {
    const v = trace.violation;
    lines.push(`  Note over ${id(0)},${id(a.lanes.length - 1)}: ✗ ${text(`${v.property} violated: ${v.message}`, 160)}`);
  }
  return lines.join('\n');
}
