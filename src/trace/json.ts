/**
 * A trace as plain JSON: the actors, then every step with its actor, label,
 * detail, the kernel line it implements, what it changed, the arrows and the
 * full state after it. For scripts; the replay file is the format to share.
 */
import { annotate, type Trace } from './annotate.ts';

/**
 * @example
 * const doc = toTraceJson(trace); doc.steps[0].state.ctx.refcount; // 2
 */
export function toTraceJson(trace: Trace): Record<string, unknown> {
  const a = annotate(trace);
  return {
    format: 'crsim-trace/1',
    crsim: trace.crsimVersion ?? '',
    model: trace.model.name,
    scenario: trace.model.env.scenario.name,
    actors: a.lanes.map((l) => l.name),
    ...(trace.violation ? { violation: trace.violation } : {}),
    ...(trace.cycleStart !== undefined ? { cycleStart: trace.cycleStart } : {}),
    ...(trace.token ? { token: trace.token } : {}),
    init: trace.init,
    steps: a.steps.map((s, k) => ({
      step: s.n,
      actor: a.lanes[s.actor]!.name,
      label: s.label,
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
      ...(s.fn ? { fn: s.fn } : {}),
      ...(s.cite ? { cite: s.cite } : {}),
      changes: s.changed,
      arrows: s.arrows.map((x) => ({ from: a.lanes[x.from]!.name, to: a.lanes[x.to]!.name, kind: x.kind, label: x.label })),
      state: trace.steps[k]!.state,
    })),
    blocked: a.blocked.map((b) => ({ actor: a.lanes[b.actor]!.name, from: b.from, to: b.to, wait: b.wait })),
  };
}
