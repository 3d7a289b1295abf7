/**
 * What the exporters draw, computed once from a restart trace: one lane per
 * actor, each step with what it changed and the kernel line it implements, the
 * token hand-offs (an activation's lookup, `C5a2`/`T8a2`/`X2a2 pid N`, waking
 * the next task), other wake-ups, and the intervals an actor spends blocked
 * (sched INTERRUPTIBLE, from prepare_to_wait to the wake-up).
 */
import type { Step } from '../engine/types.ts';
import type { RestartAction, RestartModel } from '../kernel/model.ts';
import type { Proc, RestartState } from '../kernel/state.ts';
import { diff, formatValue, type Change } from '../engine/diff.ts';
import { changesText } from './swimlane.ts';

/** A counterexample ready to draw: the model it ran on and the states it went through. */
export interface Trace {
  readonly model: RestartModel;
  readonly init: RestartState;
  readonly steps: readonly Step<RestartState, RestartAction>[];
  readonly violation?: { readonly property: string; readonly title: string; readonly message: string };
  /** for a run that never ends: the step where the repeating cycle starts */
  readonly cycleStart?: number;
  /** the replay token, shown so the page can be shared */
  readonly token?: string;
  readonly crsimVersion?: string;
}

export interface Lane {
  readonly index: number;
  readonly name: string;
  /** coordinator, task, or environment (the faults) */
  readonly kind: 'coordinator' | 'task' | 'environment';
}

export interface Arrow {
  readonly from: number;
  readonly to: number;
  /** `token`: an activation waking the next task; `failed`: its lookup failed (ESRCH); `wake`: another wake-up */
  readonly kind: 'token' | 'failed' | 'wake';
  readonly label: string;
}

export interface AnnotatedStep {
  /** 1-based, as the swimlane numbers them */
  readonly n: number;
  readonly actor: number;
  readonly label: string;
  readonly detail?: string;
  /** the kernel function and the line the step implements (from the variant's step table) */
  readonly fn?: string;
  readonly cite?: string;
  readonly changes: string;
  readonly changed: readonly { readonly path: string; readonly before: string; readonly after: string }[];
  readonly arrows: readonly Arrow[];
}

/** An actor blocked from just after step `from` to just after step `to` (null: still blocked at the end). */
export interface Blocked {
  readonly actor: number;
  readonly from: number;
  readonly to: number | null;
  /** the wait it sleeps in, e.g. `T5` */
  readonly wait: string;
}

export interface Annotated {
  readonly lanes: readonly Lane[];
  readonly steps: readonly AnnotatedStep[];
  readonly blocked: readonly Blocked[];
  /** per lane: the step after which the actor had finished (returned or gone), or null */
  readonly finishedAt: readonly (number | null)[];
}

const ACTIVATION = /^[A-Z]\d+a2$/;

function procOf(s: RestartState, actor: number, lanes: readonly Lane[]): Proc | null {
  const lane = lanes[actor];
  if (!lane || lane.kind === 'environment') return null;
  return actor === 0 ? s.coord : (s.tasks[actor - 1] ?? null);
}

function stepDef(model: RestartModel, a: RestartAction): { fn?: string; cite?: string } {
  if (a.fault !== undefined) return { fn: 'fault', cite: 'a fault of the scenario (spec §1)' };
  const table = a.actor === 0 ? model.variant.coordinator : model.variant.task;
  const def = table[a.pc];
  return def ? { fn: def.fn, cite: def.cite } : {};
}

function show(model: RestartModel, c: Change): { path: string; before: string; after: string } {
  const path = c.path.replace(/^tasks\[(\d+)\]/, (_m, i: string) => `task ${model.env.vpids[Number(i)]}`);
  return { path, before: formatValue(c.before), after: formatValue(c.after) };
}

/** Lanes, steps, arrows and blocked intervals of a trace. */
export function annotate(trace: Trace): Annotated {
  const { model, init, steps } = trace;
  const lanes: Lane[] = model.actors.map((name, index) => ({
    index,
    name,
    kind: index === 0 ? 'coordinator' : name === 'environment' && index === model.actors.length - 1 ? 'environment' : 'task',
  }));
  const actorOfPid = (vpid: number): number => model.env.vpids.indexOf(vpid) + 1;
  const blocked: Blocked[] = [];
  const open = new Map<number, { from: number; wait: string }>();
  const finishedAt: (number | null)[] = lanes.map(() => null);
  const out: AnnotatedStep[] = [];
  let prev = init;
  // actors blocked in the initial state (none in the models so far, but cheap to honour)
  for (const l of lanes) {
    const p = procOf(init, l.index, lanes);
    if (p?.sched === 'INTERRUPTIBLE') open.set(l.index, { from: 0, wait: p.pc.split(':')[0]! });
  }
  steps.forEach((step, k) => {
    const n = k + 1;
    const a = step.action;
    const next = step.state;
    const arrows: Arrow[] = [];
    const pidMatch = /\bpid (\d+)\b/.exec(a.detail ?? '');
    const woken = new Set<number>();
    for (const l of lanes) {
      const before = procOf(prev, l.index, lanes);
      const after = procOf(next, l.index, lanes);
      if (!before || !after) continue;
      if (before.sched !== 'INTERRUPTIBLE' && after.sched === 'INTERRUPTIBLE') {
        open.set(l.index, { from: n, wait: a.actor === l.index ? a.label.split(':')[0]! : after.pc.split(':')[0]! });
      }
      if (before.sched === 'INTERRUPTIBLE' && after.sched !== 'INTERRUPTIBLE') {
        const o = open.get(l.index);
        if (o) blocked.push({ actor: l.index, from: o.from, to: n, wait: o.wait });
        open.delete(l.index);
        if (l.index !== a.actor) woken.add(l.index);
      }
      if (finishedAt[l.index] === null && model.finished(next, l.index) && !model.finished(prev, l.index)) finishedAt[l.index] = n;
    }
    if (ACTIVATION.test(a.label) && pidMatch) {
      const target = actorOfPid(Number(pidMatch[1]));
      if (target > 0) {
        const failed = !prev.ctx.error && next.ctx.error;
        arrows.push({ from: a.actor, to: target, kind: failed ? 'failed' : 'token', label: failed ? `lookup of pid ${pidMatch[1]} fails: ESRCH` : `activate pid ${pidMatch[1]}` });
        woken.delete(target);
      }
    }
    for (const w of woken) {
      arrows.push({ from: a.actor, to: w, kind: 'wake', label: `${a.label} wakes ${lanes[w]!.name}` });
    }
    out.push({
      n,
      actor: a.actor,
      label: a.label,
      ...(a.detail !== undefined ? { detail: a.detail } : {}),
      ...stepDef(model, a),
      changes: changesText(model, prev, step),
      changed: diff(prev, next).map((c) => show(model, c)),
      arrows,
    });
    prev = next;
  });
  for (const [actor, o] of open) blocked.push({ actor, from: o.from, to: null, wait: o.wait });
  blocked.sort((x, y) => x.from - y.from || x.actor - y.actor);
  return { lanes, steps: out, blocked, finishedAt };
}
