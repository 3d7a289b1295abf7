/**
 * The progress bar of long `check` and `explore` runs, on a terminal only:
 * states per second, distinct states, depth (exhaustive); runs per second and
 * the ETA (random walks, `explore`); fed by the rxjs progress events of the
 * searches. Off a terminal, or with `--json`, there is no bar at all. The bar
 * appears only once a run has lasted a moment, and is cleared before the
 * verdict is printed.
 */
import cliProgress from 'cli-progress';
import type { Stats } from '../engine/types.ts';
import type { PbtProgress } from '../arbitraries/explore.ts';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface ProgressOptions {
  /** where the bar goes (default stderr, keeping stdout for the verdict) */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** `--json` or any other reason to stay quiet */
  readonly quiet?: boolean;
  /** the bar shows only after this long (default 300 ms: short runs print no bar) */
  readonly delayMs?: number;
}

/** A bar that may never show: every method is a no-op off a terminal. */
export class ProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  private format = '';
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  readonly enabled: boolean;
  private readonly delayMs: number;
  private last: { t: number; count: number } | null = null;
  private rate = 0;
  /** the lines the bar showed, for tests */
  shown = 0;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = !options.quiet && this.stream.isTTY === true;
    this.delayMs = options.delayMs ?? 300;
  }

  /** Smoothed rate of `count` per second. */
  private rateOf(elapsedMs: number, count: number): number {
    if (this.last && elapsedMs > this.last.t) {
      const r = ((count - this.last.count) * 1000) / (elapsedMs - this.last.t);
      this.rate = this.rate === 0 ? r : this.rate * 0.7 + r * 0.3;
    } else if (!this.last && elapsedMs > 0) this.rate = (count * 1000) / elapsedMs;
    this.last = { t: elapsedMs, count };
    return this.rate;
  }

  private show(format: string, total: number, value: number, payload: Record<string, string>): void {
    if (this.bar && this.format !== format) this.stop(); // a new phase (explore: search, then shrink)
    this.format = format;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format, stream: this.stream as NodeJS.WritableStream, hideCursor: true, clearOnComplete: true, barsize: 24, fps: 8, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, value, payload);
    } else {
      this.bar.setTotal(total);
      this.bar.update(value, payload);
    }
    this.shown++;
  }

  /** An exhaustive search: no total is known, so no ETA. */
  exhaustive(stats: Stats, frontier: number): void {
    if (!this.enabled || stats.elapsedMs < this.delayMs) return;
    const rate = this.rateOf(stats.elapsedMs, stats.transitions);
    this.show(
      'exhaustive │ {states} states │ {rate} transitions/s │ depth {depth} │ frontier {frontier} │ {elapsed} │ Ctrl-C stops',
      1,
      0,
      { states: n(stats.states), rate: n(rate), depth: String(stats.maxDepth), frontier: n(frontier), elapsed: duration(stats.elapsedMs) },
    );
  }

  /** Runs counted against a known total (random walks, PCT, timed runs), so the ETA is known. */
  random(stats: Stats, totalRuns: number, label = 'random'): void {
    if (!this.enabled || stats.elapsedMs < this.delayMs) return;
    const rate = this.rateOf(stats.elapsedMs, stats.runs);
    const eta = rate > 0 ? duration(((totalRuns - stats.runs) / rate) * 1000) : '?';
    const longest = stats.maxDepth > 0 ? ' │ longest {depth}' : '';
    this.show(
      `${label} {bar} {percentage}% │ {value}/{total} runs │ {rate} runs/s${longest} │ {elapsed} │ ETA {left}`,
      totalRuns,
      stats.runs,
      { rate: n(rate), depth: String(stats.maxDepth), elapsed: duration(stats.elapsedMs), left: eta },
    );
  }

  /** `explore`: fast-check runs, by count or by time; then shrinking, whose length is unknown. */
  explore(p: PbtProgress, budget: { runs?: number; timeMs?: number }): void {
    if (!this.enabled || p.elapsedMs < this.delayMs) return;
    const rate = this.rateOf(p.elapsedMs, p.runs);
    const elapsed = duration(p.elapsedMs);
    if (p.phase === 'shrink') {
      this.show('explore: shrinking │ best {best} steps │ {runs} schedules tried │ {elapsed}', 1, 0, {
        best: String(p.bestSteps ?? '?'),
        runs: n(p.runs),
        elapsed,
      });
      return;
    }
    if (budget.timeMs !== undefined) {
      const left = Math.max(0, budget.timeMs - p.elapsedMs);
      this.show('explore {bar} {percentage}% │ {runs} runs │ {rate} runs/s │ {elapsed} │ ETA {left}', budget.timeMs, Math.min(p.elapsedMs, budget.timeMs), {
        runs: n(p.runs),
        rate: n(rate),
        elapsed,
        left: duration(left),
      });
      return;
    }
    const total = budget.runs ?? 1;
    const eta = rate > 0 ? duration(((total - p.runs) / rate) * 1000) : '?';
    this.show('explore {bar} {percentage}% │ {value}/{total} runs │ {rate} runs/s │ {elapsed} │ ETA {left}', total, Math.min(p.runs, total), {
      rate: n(rate),
      elapsed,
      left: eta,
    });
  }

  /** Clears the bar (if it ever showed) so the verdict prints on a clean line. */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}
