/**
 * Real time on a Perfetto trace of a timed run (`crsim simulate --out`): the
 * exporter lays steps on a grid of one step per millisecond; a replay file
 * with `times` (the clock in µs when each step fired) moves every event onto
 * the run's clock by a monotone piecewise-linear map: grid step n, [(n−1) ms,
 * n ms], becomes [t(n−1), t(n)], the wait before step n fired. Nesting and
 * flow arrows keep their order.
 */
const GRID_US = 1000;

/** Maps a grid time (µs, one step per ms) to the run's clock. */
export function gridToClock(times: readonly number[]): (g: number) => number {
  const at = (n: number): number => (n <= 0 ? 0 : times[Math.min(n, times.length) - 1]!);
  return (g) => {
    const n = Math.floor(g / GRID_US);
    if (n >= times.length) return at(times.length) + (g - times.length * GRID_US) / GRID_US;
    const frac = (g - n * GRID_US) / GRID_US;
    return at(n) + frac * (at(n + 1) - at(n));
  };
}

interface Ev {
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

/** Re-times the events of a Perfetto JSON text; each step's slice says when it fired. */
export function retimePerfetto(text: string, times: readonly number[]): string {
  const json = JSON.parse(text) as { traceEvents: Ev[]; displayTimeUnit?: string; metadata?: Record<string, unknown> };
  const map = gridToClock(times);
  for (const e of json.traceEvents) {
    if (e.ts === undefined) continue;
    const start = map(e.ts);
    if (e.dur !== undefined) e.dur = Math.max(0, map(e.ts + e.dur) - start);
    e.ts = start;
    const step = e.args?.['step'];
    if (typeof step === 'number' && times[step - 1] !== undefined) e.args!['at'] = `${times[step - 1]!.toFixed(3)} µs`;
  }
  json.displayTimeUnit = 'ns';
  json.metadata = { ...json.metadata, clock: 'timed run (µs): a step slice spans the wait before the step fired' };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const clock = (t: number): string => (t >= 1e3 ? `${(t / 1000).toFixed(3)} ms` : `${t.toFixed(2)} µs`);

/**
 * The HTML swimlane of a timed run: each row's change column starts with the
 * clock when the step fired, and the header says how long the run took.
 */
export function retimeHtml(html: string, times: readonly number[]): string {
  let out = html.replace(/(<g class="row" data-step="(\d+)">[\s\S]*?<text class="changes"[^>]*>)/g, (_m, head: string, n: string) => {
    const t = times[Number(n) - 1];
    return t === undefined ? head : `${head}@ ${clock(t)} · `;
  });
  const total = times.at(-1);
  if (total !== undefined) out = out.replace(/(<div class="meta">[^<]*?\d+ steps)/, `$1 · timed run: ${clock(total)} (the time each step fired is in its row)`);
  return out;
}
