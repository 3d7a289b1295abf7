/** The verdict of a run, as a line of text and as the `--json` object. */
import type { Phase, Result } from '../engine/types.ts';
import type { RestartAction, RestartModel } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import { pctBound } from '../engine/pct.ts';
import { changesText } from '../trace/swimlane.ts';

// integers grouped by hand: the first toLocaleString loads ICU's number data, 10 ms of a small check's start-up
const n = (x: number): string => (Number.isSafeInteger(x) ? String(x).replace(/\B(?=(\d{3})+$)/g, ',') : x.toLocaleString('en-US'));

/** `1 run`, `2,000 runs`: the count with thousands separators and the noun in the right number. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${n(count)} ${count === 1 ? noun : many}`;
}

/** `P1–P10`, `P1–P6, P9, P10`: consecutive ids folded into ranges. */
export function propertyList(ids: readonly string[]): string {
  const nums = ids.map((id) => Number(id.slice(1))).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(j - i >= 2 ? `P${nums[i]}–P${nums[j]}` : nums.slice(i, j + 1).map((k) => `P${k}`).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

export function explored(r: Result<unknown, RestartAction>): string {
  const s = r.stats;
  const time = `${(s.elapsedMs / 1000).toFixed(s.elapsedMs < 10_000 ? 2 : 1)} s`;
  if (r.explored === 'exhaustive') {
    const how = `${r.reduction ? ', partial-order reduction' : ''}${r.workers !== undefined ? `, ${r.workers} workers` : ''}`;
    return `exhaustive: ${plural(s.states, 'state')}, ${plural(s.transitions, 'transition')}, depth ${n(s.maxDepth)}, ${time}${how}`;
  }
  const where = `${r.workers !== undefined ? `, ${r.workers} worker${r.workers === 1 ? '' : 's'}` : ''}${r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : ''}`;
  const name = r.explored === 'pct' && r.pct ? `pct depth ${r.pct.depth}` : r.explored;
  const failed = r.failedRun !== undefined ? `, run ${n(r.failedRun)} failed` : '';
  return `${name}: ${plural(s.runs, 'schedule')} (seed ${r.seed}${failed}), ${plural(s.transitions, 'step')}, longest ${n(s.maxDepth)}${where}, ${time}`;
}

const sci = (x: number): string => (x >= 0.001 ? x.toPrecision(3) : x.toExponential(2));

/**
 * PCT's guarantee for the run's parameters (Burckhardt et al., ASPLOS 2010):
 * one run finds a given bug of depth d with probability at least
 * p = 1/(n·k^(d−1)), so R runs all miss it with probability at most (1 − p)^R.
 */
export function pctBoundLine(r: Pick<Result<unknown, RestartAction>, 'pct' | 'stats'>, runs = r.stats.runs): string | null {
  if (!r.pct) return null;
  const { depth: d, threads, steps: k } = r.pct;
  const b = pctBound(threads, k, d);
  const inverse = Math.round(1 / b.perRun);
  return (
    `PCT bound: n = ${threads} threads, k = ${n(k)} steps, d = ${d}: one run finds a depth-${d} bug with p ≥ 1/(n·k^(d−1)) = ` +
    `${Number.isSafeInteger(inverse) ? `1/${n(inverse)}` : sci(b.perRun)}; ${n(runs)} run${runs === 1 ? '' : 's'} miss it with probability ≤ (1 − p)^R = ${sci(b.missAfter(runs))}` +
    (r.stats.maxDepth > k ? ` (k is an estimate: a run took ${n(r.stats.maxDepth)} steps)` : '')
  );
}

/**
 * `(time: random walks 100 runs (6,012 states) 0.02 s, search 159 states 0.01 s, shrink 12 runs (340 states) 0.02 s,
 * proof 3,012 states 0.10 s)`: the phases of an exhaustive check, when there is more than the search.
 * A search that walked (auto's walks, when one found the violation) counts runs and the states it visited.
 */
export function phasesLine(r: Pick<Result<unknown, RestartAction>, 'stats'>): string | null {
  const p = r.stats.phases;
  if (!p || (!p.walks && !p.shrink && !p.proof)) return null;
  const t = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const walked = (x: Phase): string => `${plural(x.runs ?? 0, 'run')} (${plural(x.states, 'state')})`;
  const parts = [
    ...(p.walks ? [`random walks ${walked(p.walks)} ${t(p.walks.ms)}`] : []),
    p.search.runs !== undefined ? `search by random walks ${walked(p.search)} ${t(p.search.ms)}` : `search ${plural(p.search.states, 'state')} ${t(p.search.ms)}`,
    ...(p.shrink ? [`shrink ${plural(p.shrink.runs ?? 0, 'run')} (${plural(p.shrink.states, 'state')}) ${t(p.shrink.ms)}`] : []),
    ...(p.proof ? [`proof ${plural(p.proof.states, 'state')} ${t(p.proof.ms)}`] : []),
  ];
  return `  (time: ${parts.join(', ')})`;
}

export function verdictLine(r: Result<unknown, RestartAction>): string {
  const props = propertyList(r.properties);
  const phases = phasesLine(r);
  const split = phases ? `\n${phases}` : '';
  if (r.verdict === 'violated') {
    const v = r.violation!;
    const how = v.shortestNote ? `\n  (counterexample ${v.shortestNote})` : '';
    return `${v.property} violated after ${plural(v.steps.length, 'step')}: ${v.message}\n  (${v.title}; ${explored(r)})${how}${split}`;
  }
  if (r.verdict === 'holds' && r.explored !== 'exhaustive') {
    // walks sample schedules: finding nothing is not a proof, so it is never said as "hold"
    const bound = r.pct ? `; a depth-${r.pct.depth} bug is missed by all of them with probability ≤ ${sci(pctBound(r.pct.threads, r.pct.steps, r.pct.depth).missAfter(r.stats.runs))}` : '';
    return `${explored(r)}; no violation of ${props} in ${plural(r.stats.runs, 'run')}${bound}`;
  }
  const verb = r.properties.length === 1 ? 'holds' : 'hold';
  if (r.verdict === 'holds') return `${explored(r)}; ${props} ${verb}${split}`;
  return `incomplete: ${r.stoppedBy}; ${explored(r)}; no violation of ${props} in what was explored${split}`;
}

export interface JsonStep {
  readonly step: number;
  readonly actor: string;
  readonly label: string;
  readonly detail?: string;
  readonly changes: string;
}

export function counterexampleJson(model: RestartModel, r: Result<RestartState, RestartAction>): JsonStep[] {
  const v = r.violation!;
  let prev = model.init();
  return v.steps.map((step, k) => {
    const out: JsonStep = {
      step: k + 1,
      actor: model.actors[step.action.actor]!,
      label: step.action.label,
      ...(step.action.detail !== undefined ? { detail: step.action.detail } : {}),
      changes: changesText(model, prev, step),
    };
    prev = step.state;
    return out;
  });
}

export function resultJson(model: RestartModel, r: Result<RestartState, RestartAction>): Record<string, unknown> {
  const v = r.violation;
  return {
    verdict: r.verdict,
    explored: r.explored,
    model: model.name,
    scenario: model.env.scenario.name,
    states: r.stats.states,
    transitions: r.stats.transitions,
    maxDepth: r.stats.maxDepth,
    elapsedMs: r.stats.elapsedMs,
    ...(r.explored !== 'exhaustive' ? { runs: r.stats.runs, seed: r.seed } : {}),
    ...(r.failedRun !== undefined ? { failedRun: r.failedRun } : {}),
    ...(r.pct ? { pct: { ...r.pct, missAfterRuns: pctBound(r.pct.threads, r.pct.steps, r.pct.depth).missAfter(r.stats.runs) } } : {}),
    ...(r.workers !== undefined ? { workers: r.workers } : {}),
    ...(r.shard ? { shard: r.shard } : {}),
    ...(r.reduction ? { reduction: r.reduction } : {}),
    ...(r.stats.phases ? { phases: r.stats.phases } : {}),
    ...(r.stats.peakBytes ? { peakBytes: r.stats.peakBytes, bytesPerState: Math.round(r.stats.tableBytes / Math.max(1, r.stats.states)) } : {}),
    properties: r.properties,
    ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
    ...(v
      ? {
          property: v.property,
          title: v.title,
          message: v.message,
          schedule: v.choices,
          ...(v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}),
          ...(v.shortest !== undefined ? { shortest: v.shortest } : {}),
          ...(v.shortestNote ? { shortestNote: v.shortestNote } : {}),
          counterexample: counterexampleJson(model, r),
        }
      : {}),
    summary: verdictLine(r),
  };
}

