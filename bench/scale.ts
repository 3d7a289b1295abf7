/**
 * Scale-out measurements: random walks and PCT on 1 and 2 worker threads
 * against one thread (src/engine/workers.ts), exhaustive search likewise
 * (src/engine/parallel.ts), and a busy loop on 1 and 2 threads before and
 * after, to say how much of the second core this process could get.
 */
import { Worker } from 'node:worker_threads';
import { filter, lastValueFrom } from 'rxjs';
import { findVariant } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { restartRecipe, targetSpec } from '../src/cli/target.ts';
import { exploreSync } from '../src/engine/run.ts';
import { exploreWorkers$ } from '../src/engine/workers.ts';
import { buildModel } from '../src/kernel/model.ts';
import { int, ratio, time } from './format.ts';
import { tree } from './scenarios.ts';

const ALL = 'P1-P10';

export interface ScaleRow {
  readonly id: string;
  readonly strategy: 'random' | 'pct' | 'cpu' | 'exhaustive';
  readonly workers: number | 'sequential';
  readonly runs: number;
  readonly ms: number;
  /** worker threads: until every worker had built its model */
  readonly startupMs?: number;
  readonly runsPerSec: number;
  readonly verdict: string;
  /** wall time, sequential / this */
  readonly speedup?: number;
  /** the same, worker start-up left out */
  readonly steadySpeedup?: number;
}

/**
 * How much of the machine this process gets right now: the same busy loop
 * (allocating small objects) on 1 and on 2 threads at once; the work done
 * per second on 2 over that on 1.
 */
async function cpuCapacity(when: string, report: (line: string) => void): Promise<ScaleRow[]> {
  // allocation-heavy, like the model's steps (a tight integer loop says less: on this VM it scaled ×1.1 where the model scaled ×1.8)
  const code = `const { parentPort } = require('node:worker_threads'); let keep = []; let h = 0; for (let i = 0; i < 1e8; i++) { const o = { a: i, b: [i, i + 1], c: 'k' + (i & 255) }; h = (h * 31 + o.b[1] + o.c.length) | 0; if ((i & 1023) === 0) keep = [o]; } parentPort.postMessage(h + keep.length);`;
  const once = (k: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      let left = k;
      for (let i = 0; i < k; i++) {
        const w = new Worker(code, { eval: true });
        w.once('message', () => {
          void w.terminate();
          if (--left === 0) resolve(performance.now() - t0);
        });
        w.once('error', reject);
      }
    });
  const one = await once(1);
  const two = await once(2);
  const rows: ScaleRow[] = [
    { id: `scale/cpu (${when})/busy loop/1 thread`, strategy: 'cpu', workers: 1, runs: 1, ms: one, runsPerSec: 1000 / one, verdict: '—' },
    { id: `scale/cpu (${when})/busy loop/2 threads`, strategy: 'cpu', workers: 2, runs: 2, ms: two, runsPerSec: 2000 / two, verdict: '—', speedup: (2 * one) / two },
  ];
  report(`cpu capacity (${when}): 2 threads do ${ratio((2 * one) / two)} the work of 1 per second`);
  return rows;
}

export async function scaleOut(config: { readonly scaleRuns: number; readonly depth: number }, report: (line: string) => void): Promise<ScaleRow[]> {
  const n = 5;
  const scenario = tree(n);
  const model = buildModel(findVariant('v20')!, scenario);
  const properties = selectProperties(restartProperties(model), ALL);
  const spec = targetSpec('v20', scenario, properties);
  const out: ScaleRow[] = await cpuCapacity('before', report);
  for (const strategy of ['random', 'pct'] as const) {
    const options = { strategy, runs: config.scaleRuns, seed: 0, depth: config.depth };
    const t0 = performance.now();
    const seq = exploreSync(model, properties, options);
    const seqMs = performance.now() - t0;
    const base: ScaleRow = { id: `scale/v20/N=${n}/${strategy}/sequential`, strategy, workers: 'sequential', runs: seq.stats.runs, ms: seqMs, runsPerSec: (seq.stats.runs * 1000) / seqMs, verdict: seq.verdict };
    out.push(base);
    report(`${base.id}: ${time(seqMs)}`);
    for (const workers of [1, 2]) {
      const t1 = performance.now();
      let startupMs = 0;
      const onReady = (ms: number): void => {
        startupMs = ms;
      };
      const done = await lastValueFrom(exploreWorkers$(restartRecipe(spec), { model, properties }, { ...options, workers, onReady }).pipe(filter((e) => e.type === 'done')));
      const ms = performance.now() - t1;
      const r = done.result;
      const same = r.verdict === seq.verdict && r.stats.runs === seq.stats.runs && r.stats.transitions === seq.stats.transitions;
      const row: ScaleRow = {
        id: `scale/v20/N=${n}/${strategy}/workers=${workers}`,
        strategy,
        workers,
        runs: r.stats.runs,
        ms,
        startupMs,
        runsPerSec: (r.stats.runs * 1000) / ms,
        verdict: same ? r.verdict : `${r.verdict} (DIFFERS from sequential)`,
        speedup: seqMs / ms,
        steadySpeedup: seqMs / Math.max(ms - startupMs, 1),
      };
      out.push(row);
      report(`${row.id}: ${time(ms)} (start-up ${time(startupMs)}), ${ratio(row.speedup!)} vs sequential, ${ratio(row.steadySpeedup!)} without start-up`);
    }
  }
  // exhaustive search on worker threads (src/engine/parallel.ts), plain search: v20 N=4
  try {
    const { exploreExhaustiveParallel } = await import('../src/engine/parallel.ts');
    const small = tree(4);
    const m4 = buildModel(findVariant('v20')!, small);
    const p4 = selectProperties(restartProperties(m4), ALL);
    const spec4 = targetSpec('v20', small, p4);
    const t0 = performance.now();
    const seq = exploreSync(m4, p4, { strategy: 'exhaustive', reduction: 'none' });
    const seqMs = performance.now() - t0;
    const rate = (states: number, ms: number): number => (states * 1000) / ms;
    out.push({ id: 'scale/v20/N=4/exhaustive/sequential', strategy: 'exhaustive', workers: 'sequential', runs: seq.stats.states, ms: seqMs, runsPerSec: rate(seq.stats.states, seqMs), verdict: seq.verdict });
    report(`scale/v20/N=4/exhaustive/sequential: ${time(seqMs)}`);
    for (const workers of [1, 2]) {
      const t1 = performance.now();
      const r = await exploreExhaustiveParallel(restartRecipe(spec4), m4, p4, { strategy: 'exhaustive', workers });
      const ms = performance.now() - t1;
      const same = r.verdict === seq.verdict && r.stats.states === seq.stats.states;
      out.push({
        id: `scale/v20/N=4/exhaustive/workers=${workers}`,
        strategy: 'exhaustive',
        workers,
        runs: r.stats.states,
        ms,
        runsPerSec: rate(r.stats.states, ms),
        verdict: same ? r.verdict : `${r.verdict}, ${int(r.stats.states)} states (DIFFERS from sequential)`,
        speedup: seqMs / ms,
      });
      report(`scale/v20/N=4/exhaustive/workers=${workers}: ${time(ms)}, ${ratio(seqMs / ms)} vs sequential`);
    }
  } catch (e) {
    report(`scale: exhaustive search on workers not measured: ${(e as Error).message.split('\n')[0]}`);
  }
  out.push(...(await cpuCapacity('after', report)));
  return out;
}

export function scaleTable(rows: readonly ScaleRow[], md: boolean): string {
  const head = ['row', 'verdict', 'runs (states)', 'wall time', 'start-up', 'runs/s (states/s)', 'vs sequential', 'without start-up'];
  const body = rows.map((r) => [
    r.id.replace(/^scale\//, ''),
    r.verdict,
    int(r.runs),
    time(r.ms),
    r.startupMs !== undefined ? time(r.startupMs) : '',
    r.strategy === 'cpu' ? '' : int(r.runsPerSec),
    r.speedup !== undefined ? ratio(r.speedup) : 'baseline',
    r.steadySpeedup !== undefined ? ratio(r.steadySpeedup) : '',
  ]);
  if (md) return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
  const line = (r: string[]): string => r.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
