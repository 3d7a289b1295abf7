/**
 * A trace as Chrome Trace Event JSON, which the Perfetto UI (and
 * chrome://tracing) opens: one process for the run, one thread track per
 * actor, each step a slice, blocked intervals as slices under which the
 * actor's own steps nest, token hand-offs and wake-ups as flow arrows, the
 * violation as an instant event. Time is the step number: one step = 1 ms.
 */
import { annotate, type Trace } from './annotate.ts';

export interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly bp?: string;
  readonly s?: string;
  readonly args?: Record<string, unknown>;
}

const STEP_US = 1000;
/** a step's slice takes the first 80% of its millisecond, so arrows and nesting stay clear */
const SLICE_US = 800;

/**
 * @example
 * writeFileSync('trace.json', JSON.stringify(toPerfetto(trace))); // open in ui.perfetto.dev
 */
export function toPerfetto(trace: Trace): { traceEvents: TraceEvent[]; displayTimeUnit: string; metadata: Record<string, unknown> } {
  const a = annotate(trace);
  const pid = 1;
  const tid = (actor: number): number => actor + 1;
  const ev: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `crsim ${trace.model.name}: ${trace.model.env.scenario.name}` } },
  ];
  for (const l of a.lanes) {
    ev.push({ name: 'thread_name', ph: 'M', pid, tid: tid(l.index), args: { name: l.name } });
    ev.push({ name: 'thread_sort_index', ph: 'M', pid, tid: tid(l.index), args: { sort_index: l.index } });
  }
  const end = (a.steps.length + 1) * STEP_US;
  for (const b of a.blocked) {
    // from the end of the step that blocked it to the end of the one that woke it
    const ts = b.from * STEP_US + SLICE_US - STEP_US;
    const until = b.to === null ? end : b.to * STEP_US - STEP_US + SLICE_US + 100;
    ev.push({ name: `blocked in ${b.wait}`, cat: 'blocked', ph: 'X', pid, tid: tid(b.actor), ts: Math.max(0, ts), dur: until - Math.max(0, ts), args: { sched: 'INTERRUPTIBLE' } });
  }
  let flow = 1;
  for (const s of a.steps) {
    const ts = (s.n - 1) * STEP_US;
    ev.push({
      name: `${s.label}${s.detail ? ` ${s.detail}` : ''}`,
      cat: 'step',
      ph: 'X',
      pid,
      tid: tid(s.actor),
      ts,
      dur: SLICE_US,
      args: { step: s.n, ...(s.fn ? { fn: s.fn } : {}), ...(s.cite ? { cite: s.cite } : {}), changes: s.changes || '(nothing)' },
    });
    for (const arrow of s.arrows) {
      const id = flow++;
      ev.push({ name: arrow.label, cat: arrow.kind, ph: 's', pid, tid: tid(arrow.from), ts: ts + SLICE_US / 2, id });
      ev.push({ name: arrow.label, cat: arrow.kind, ph: 'f', bp: 'e', pid, tid: tid(arrow.to), ts: ts + SLICE_US / 2 + 1, id });
    }
  }
  if (trace.violation) {
    const v = trace.violation;
    const last = a.steps.at(-1);
    ev.push({
      name: `${v.property} violated`,
      cat: 'violation',
      ph: 'i',
      s: 'g',
      pid,
      tid: tid(last?.actor ?? 0),
      ts: a.steps.length * STEP_US,
      args: { property: v.property, title: v.title, message: v.message },
    });
  }
  return {
    traceEvents: ev,
    displayTimeUnit: 'ms',
    metadata: { 'crsim-version': trace.crsimVersion ?? '', model: trace.model.name, scenario: trace.model.env.scenario.name },
  };
}
