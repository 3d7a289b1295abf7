/**
 * `npm run bench [-- --quick] [-- --filter REGEX] [-- --out FILE] [-- --md FILE]`
 *
 * The benchmark of issue 4: the fixed scenario set (bench/scenarios.ts)
 * crossed with the strategies — exhaustive plain (breadth-first, no
 * reduction), exhaustive with dynamic partial-order reduction (`dpor`), random
 * walks and PCT — then worker-thread scale-out. Every row carries a baseline
 * measured in the same run: plain exhaustive for dpor and random, random for
 * PCT; the gains are ratios. Rows run one at a time in worker threads: each
 * exhaustive row in a fresh one (a heap limit ends only that worker, and the
 * peak memory is that row's alone), the walks of a scenario in another. Prints the table,
 * writes JSON with the machine to bench/results.json (or --out), and with
 * --md FILE the markdown tables and the issue's targets between the
 * `<!-- bench:start -->` and `<!-- bench:end -->` lines of FILE (the
 * scale-out table between `<!-- bench-scale:start -->` and its end line).
 *
 * Budgets: a row stops (verdict `incomplete`, stats so far) at its time budget
 * or --max-states; an exhaustive strategy that did not finish at N tasks is
 * not run at N + 1 (`skipped`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { filter, lastValueFrom } from 'rxjs';
import { findVariant, mutants } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { restartRecipe, targetSpec } from '../src/cli/target.ts';
import { exploreSync } from '../src/engine/run.ts';
import { exploreWorkers$ } from '../src/engine/workers.ts';
import { buildModel } from '../src/kernel/model.ts';
import { FAULTS, tree } from './scenarios.ts';
import type { RowResult, RowSpec, ScenarioRef, Spread, StrategyName } from './rows.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    filter: { type: 'string' },
    out: { type: 'string', default: 'bench/results.json' },
    md: { type: 'string' },
    budget: { type: 'string' },
    'hunt-budget': { type: 'string' },
    seeds: { type: 'string' },
    'max-states': { type: 'string' },
    'heap-mb': { type: 'string' },
    'no-scale': { type: 'boolean', default: false },
  },
  strict: true,
});

function intFlag(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(v) || v < min) {
    process.stderr.write(`bench: --${name}: expected an integer >= ${min} (got '${raw}')\n`);
    process.exit(2);
  }
  return v;
}

const quick = flags.quick === true;
const config = {
  quick,
  /** fault-free trees N = 2 … nMax */
  nMax: quick ? 6 : 10,
  mutantNs: [3, 6],
  faultNs: [3, 5],
  /** per exhaustive row of the fault-free trees (the issue's largest target is 60 s) */
  budgetMs: intFlag('budget', flags.budget, quick ? 5 : 60, 1) * 1000,
  /** per exhaustive row of the mutants and faults; per seed for the walks */
  huntBudgetMs: intFlag('hunt-budget', flags['hunt-budget'], quick ? 5 : 20, 1) * 1000,
  /** about 430 bytes a state for plain search: 5M states stay under the worker's heap limit */
  maxStates: intFlag('max-states', flags['max-states'], quick ? 1_000_000 : 5_000_000, 1),
  seeds: intFlag('seeds', flags.seeds, quick ? 5 : 20, 1),
  /** walks where the properties hold: runs of seed 0 */
  holdRuns: quick ? 200 : 1000,
  /** walks looking for a counterexample: runs per seed at most */
  findRuns: 10_000,
  depth: 3,
  heapMb: intFlag('heap-mb', flags['heap-mb'], 3072, 256),
  scaleRuns: quick ? 3000 : 20_000,
};
let pattern: RegExp | null = null;
try {
  pattern = flags.filter ? new RegExp(flags.filter) : null;
} catch (e) {
  process.stderr.write(`bench: --filter: not a regular expression: ${(e as Error).message}\n`);
  process.exit(2);
}

const ALL = 'P1-P10';
const V18_HOLDS = 'P1-P6,P9,P10';
const STRATEGIES: readonly StrategyName[] = ['plain', 'dpor', 'random', 'pct'];

function label(ref: ScenarioRef): string {
  return ref.kind === 'fault' ? `N=${ref.n}+${ref.fault}` : `N=${ref.n}`;
}

function spec(group: RowSpec['group'], model: string, scenario: ScenarioRef, properties: string, strategy: StrategyName, measures: string, hunting: boolean): RowSpec {
  return {
    id: `${group}/${model}/${label(scenario)}/${strategy}`,
    group,
    model,
    scenario,
    properties,
    measures,
    strategy,
    maxStates: config.maxStates,
    budgetMs: group === 'verify' && (strategy === 'plain' || strategy === 'dpor') ? config.budgetMs : config.huntBudgetMs,
    seeds: hunting ? config.seeds : 1,
    runs: hunting ? config.findRuns : config.holdRuns,
    depth: config.depth,
  };
}

/** Rows of one scenario, strategy after strategy. */
interface Batch {
  readonly rows: RowSpec[];
  /** exhaustive rows of a growing tree: skipped once the smaller tree did not finish */
  readonly ladder?: { model: string; n: number };
}

function batches(): Batch[] {
  const out: Batch[] = [];
  for (const [model, props, what] of [
    ['v18', V18_HOLDS, 'verify P1–P6, P9, P10 (P7, P8 fail by the known B4 and T8a findings)'],
    ['v20', ALL, 'verify P1–P10'],
  ] as const) {
    for (let n = 2; n <= config.nMax; n++) {
      const ref: ScenarioRef = { kind: 'tree', n };
      out.push({ rows: STRATEGIES.map((s) => spec('verify', model, ref, props, s, what, false)), ladder: { model, n } });
    }
  }
  for (const m of mutants) {
    for (const n of config.mutantNs) {
      const ref: ScenarioRef = { kind: 'mutant', n };
      out.push({ rows: STRATEGIES.map((s) => spec('mutant', m.name, ref, m.breaks!, s, `first counterexample of ${m.breaks} (declared)`, true)) });
    }
  }
  for (const fault of FAULTS) {
    for (const n of config.faultNs) {
      const ref: ScenarioRef = { kind: 'fault', n, fault };
      out.push({ rows: STRATEGIES.map((s) => spec('fault', 'v20', ref, ALL, s, 'P1–P10: verdict or first counterexample', true)) });
    }
  }
  return out;
}

/** The row a row is compared with: plain for dpor and random, random for pct. */
function baselineOf(row: RowSpec): string | null {
  const b = row.strategy === 'dpor' || row.strategy === 'random' ? 'plain' : row.strategy === 'pct' ? 'random' : null;
  return b ? row.id.replace(/\/[a-z]+$/, `/${b}`) : null;
}

// ---- running rows in worker threads ----

class RowWorker {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;

  private start(): Promise<void> {
    const w = new Worker(new URL('./row-entry.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: config.heapMb } });
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return this.ready;
  }

  async measure(spec: RowSpec): Promise<RowResult> {
    if (!this.worker) await this.start();
    else await this.ready;
    const w = this.worker!;
    return new Promise<RowResult>((resolve) => {
      const done = (r: RowResult): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(r);
      };
      const lost = (why: string): void => {
        this.worker = null;
        void w.terminate();
        done({
          id: spec.id,
          scenarioName: label(spec.scenario),
          tasks: spec.scenario.n,
          zombies: 0,
          verdict: 'incomplete',
          note: why,
          states: 0,
          transitions: 0,
          ms: 0,
          statesPerSec: 0,
          peakBytes: config.heapMb * 2 ** 20,
          tableBytes: 0,
        });
      };
      const onMessage = (r: RowResult): void => done(r);
      const onError = (e: Error): void =>
        lost((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory: the row's ${config.heapMb} MB heap limit` : `worker error: ${e.message}`);
      const onExit = (code: number): void => lost(`worker exited (${code})`);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage(spec);
    });
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
    this.worker = null;
  }
}

// ---- formatting ----

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const mb = (b: number): string => (b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0);
function time(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
const ratio = (x: number): string => (x >= 100 ? `×${Math.round(x)}` : `×${x.toPrecision(x >= 10 ? 3 : 2)}`);
const sp = (s: Spread | undefined, f: (x: number) => string): string => (s ? `${f(s.median)} [${f(s.min)}–${f(s.max)}]` : '—');

interface Measured {
  readonly spec: RowSpec;
  readonly result: RowResult;
  readonly baseline: string | null;
  readonly vs: string;
  readonly ratios: Record<string, number>;
}

function compare(row: RowSpec, r: RowResult, base: RowResult | undefined): { vs: string; ratios: Record<string, number> } {
  if (!base) return { vs: row.strategy === 'plain' ? 'baseline' : '—', ratios: {} };
  if (r.verdict === 'skipped' || r.verdict === 'error' || base.verdict === 'skipped' || base.verdict === 'error') return { vs: `baseline ${base.verdict}`, ratios: {} };
  const ratios: Record<string, number> = {};
  const parts: string[] = [];
  const complete = (x: RowResult): boolean => x.verdict === 'holds' || x.verdict === 'violated';
  if (row.strategy === 'dpor') {
    if (complete(r) && complete(base)) {
      ratios['states'] = base.states / Math.max(r.states, 1);
      ratios['time'] = base.ms / Math.max(r.ms, 1e-3);
      parts.push(`states ${ratio(ratios['states'])} fewer`, `time ${ratio(ratios['time'])}`);
      if (r.length !== undefined && base.length !== undefined) {
        ratios['length'] = r.length / base.length;
        parts.push(`length ${r.length}/${base.length}${r.shortest ? ' (proven shortest)' : ''}`);
      }
      if (r.verdict !== base.verdict) parts.push(`VERDICT DIFFERS from plain (${base.verdict})`);
    } else {
      ratios['statesPerSec'] = r.statesPerSec / Math.max(base.statesPerSec, 1e-9);
      parts.push(`${complete(base) ? 'plain finished' : 'plain incomplete'}; states/s ${ratio(ratios['statesPerSec'])}`);
    }
    return { vs: parts.join(', '), ratios };
  }
  const w = r.walks;
  if (row.strategy === 'random') {
    if (w?.firstMs && base.verdict === 'violated') {
      ratios['firstCex'] = base.ms / Math.max(w.firstMs.median, 1e-3);
      ratios['length'] = w.length!.median / base.length!;
      return { vs: `first cex ${ratio(ratios['firstCex'])} sooner than plain's verdict; length ${ratio(ratios['length'])} the shortest (${base.length})`, ratios };
    }
    if (!w?.found && base.verdict === 'violated') return { vs: `plain found ${base.property} in ${time(base.ms)}; random found none`, ratios };
    return { vs: base.verdict === 'holds' ? 'plain proved it' : `plain ${base.verdict}`, ratios };
  }
  // pct against random
  const bw = base.walks;
  if (w?.runs && bw?.runs) {
    ratios['runs'] = bw.runs.median / w.runs.median;
    ratios['firstCex'] = bw.firstMs!.median / Math.max(w.firstMs!.median, 1e-3);
    return { vs: `runs to cex ${ratio(ratios['runs'])} fewer, time ${ratio(ratios['firstCex'])}`, ratios };
  }
  if (w?.found && !bw?.found) return { vs: 'random found none', ratios };
  if (!w?.found && bw?.found) return { vs: 'random found one, pct none', ratios };
  ratios['runsPerSec'] = (w?.runsPerSec ?? 0) / Math.max(bw?.runsPerSec ?? 0, 1e-9);
  return { vs: `runs/s ${ratio(ratios['runsPerSec'])}`, ratios };
}

function cells(m: Measured): string[] {
  const r = m.result;
  const w = r.walks;
  const verdict = r.verdict === 'violated' ? `✗ ${r.property}` : r.verdict === 'holds' ? '✓ holds' : r.verdict;
  return [
    m.spec.id.replace(/^[a-z]+\//, ''),
    verdict,
    r.verdict === 'skipped' ? '' : int(r.states),
    r.verdict === 'skipped' ? '' : int(r.transitions),
    r.verdict === 'skipped' ? '' : int(r.statesPerSec),
    r.verdict === 'skipped' ? '' : mb(r.peakBytes),
    r.verdict === 'skipped' ? '' : time(r.ms),
    w ? `${w.found}/${w.seeds}` : '',
    w ? sp(w.runs, int) : '',
    w ? sp(w.firstMs, time) : r.verdict === 'violated' ? time(r.ms) : '',
    w ? sp(w.length, int) : r.length !== undefined ? `${r.length}${r.shortest === false ? ' (not proven shortest)' : ''}` : '',
    m.vs,
    r.note ?? '',
  ];
}

const HEAD = ['row', 'verdict', 'states', 'transitions', 'states/s', 'peak MB', 'time', 'seeds', 'runs to cex', 'time to cex', 'cex length', 'vs baseline', 'note'];

function textTable(rows: string[][]): string {
  const widths = HEAD.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: string[]): string => r.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(rows: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

// ---- the machine ----

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    commit,
  };
}

// ---- scale-out ----

interface ScaleRow {
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
 * How much of the machine this process gets right now: the same busy loop on
 * 1 and on 2 threads at once; the work done per second on 2 over that on 1.
 */
async function cpuCapacity(): Promise<ScaleRow[]> {
  const code = `const { parentPort } = require('node:worker_threads'); let x = 0; const t = performance.now(); for (let i = 0; i < 4e8; i++) x = (x + i) % 1000003; parentPort.postMessage(performance.now() - t + x * 0);`;
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
    { id: 'scale/cpu/busy loop/1 thread', strategy: 'cpu', workers: 1, runs: 1, ms: one, runsPerSec: 1000 / one, verdict: '—' },
    { id: 'scale/cpu/busy loop/2 threads', strategy: 'cpu', workers: 2, runs: 2, ms: two, runsPerSec: 2000 / two, verdict: '—', speedup: (2 * one) / two },
  ];
  report(`cpu capacity: 2 threads do ${ratio((2 * one) / two)} the work of 1 per second`);
  return rows;
}

async function scaleOut(): Promise<ScaleRow[]> {
  const n = 5;
  const scenario = tree(n);
  const model = buildModel(findVariant('v20')!, scenario);
  const properties = selectProperties(restartProperties(model), ALL);
  const spec = targetSpec('v20', scenario, properties);
  const out: ScaleRow[] = await cpuCapacity();
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
  return out;
}

function scaleTable(rows: readonly ScaleRow[], md: boolean): string {
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

// ---- the issue's targets ----

interface Target {
  readonly target: string;
  readonly limit: string;
  readonly measured: string;
  readonly met: boolean | null;
  readonly by: string;
}

function targets(all: readonly Measured[]): Target[] {
  const get = (id: string): RowResult | undefined => all.find((m) => m.spec.id === id)?.result;
  const out: Target[] = [];
  const done = (r: RowResult | undefined): r is RowResult => !!r && (r.verdict === 'holds' || r.verdict === 'violated');
  for (const [n, limitMs] of [[4, 1000], [6, 10_000], [8, 60_000]] as const) {
    for (const model of ['v18', 'v20']) {
      const cands = (['plain', 'dpor'] as const).map((s) => ({ s, r: get(`verify/${model}/N=${n}/${s}`) }));
      if (cands.every((c) => !c.r)) continue;
      const finished = cands.filter((c) => done(c.r));
      const best = finished.sort((a, b) => a.r!.ms - b.r!.ms)[0];
      const what = `${model} fault-free N=${n} (${Math.floor(n / 2)} zombies) exhaustive`;
      if (best) {
        const ms = best.r!.ms;
        out.push({
          target: what,
          limit: time(limitMs),
          measured: `${time(ms)} (${best.s}, ${int(best.r!.states)} states)`,
          met: ms < limitMs,
          by: ms < limitMs ? `${ratio(limitMs / ms)} under` : `${ratio(ms / limitMs)} over`,
        });
      } else {
        const why = cands
          .map((c) => `${c.s}: ${!c.r ? 'not run' : c.r.verdict === 'skipped' ? `not run (${c.r.note})` : `${c.r.verdict} after ${time(c.r.ms)}, ${int(c.r.states)} states${c.r.note ? ` (${c.r.note})` : ''}`}`)
          .join('; ');
        const longest = Math.max(0, ...cands.map((c) => (c.r && c.r.verdict !== 'skipped' ? c.r.ms : 0)));
        out.push({
          target: what,
          limit: time(limitMs),
          measured: why,
          met: false,
          by: longest > 0 ? `more than ${ratio(longest / limitMs)} over (stopped at ${time(longest)})` : 'not run: a smaller tree did not finish',
        });
      }
    }
  }
  for (const m of mutants) {
    const cands = (['random', 'pct'] as const).map((s) => ({ s, r: get(`mutant/${m.name}/N=6/${s}`) })).filter((c) => c.r?.walks?.firstMs);
    if (!cands.length) {
      if (get(`mutant/${m.name}/N=6/random`)) out.push({ target: `${m.name} N=6 first counterexample`, limit: '50 ms', measured: 'none found', met: false, by: '—' });
      continue;
    }
    const best = cands.sort((a, b) => a.r!.walks!.firstMs!.median - b.r!.walks!.firstMs!.median)[0]!;
    const ms = best.r!.walks!.firstMs!.median;
    out.push({
      target: `${m.name} N=6 first counterexample (median over ${best.r!.walks!.seeds} seeds)`,
      limit: '50 ms',
      measured: `${time(ms)} (${best.s}; ${best.r!.walks!.found}/${best.r!.walks!.seeds} seeds found it)`,
      met: ms < 50,
      by: ms < 50 ? `${ratio(50 / ms)} under` : `${ratio(ms / 50)} over`,
    });
  }
  // counterexamples as short as the shortest: dpor against plain (BFS: shortest)
  const pairs = all.filter((m) => m.spec.strategy === 'dpor' && m.result.length !== undefined);
  let same = 0;
  let longer = 0;
  for (const m of pairs) {
    const base = get(m.baseline!);
    if (base?.length === undefined) continue;
    if (m.result.length === base.length) same++;
    else longer++;
  }
  if (same + longer) {
    out.push({
      target: 'counterexamples as short as the shortest (dpor vs plain BFS)',
      limit: 'equal length',
      measured: `${same} of ${same + longer} equal`,
      met: longer === 0,
      by: longer ? `${longer} longer` : 'all equal',
    });
  }
  return out;
}

function targetTable(ts: readonly Target[]): string {
  const head = ['target', 'limit', 'measured', 'met', 'by'];
  const body = ts.map((t) => [t.target, t.limit, t.measured, t.met === null ? '?' : t.met ? 'yes' : 'NO', t.by]);
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---- main ----

function report(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg();
  const plan = batches();
  const wanted = new Set<string>();
  for (const b of plan) {
    for (const r of b.rows) {
      if (pattern && !pattern.test(r.id)) continue;
      wanted.add(r.id);
      // a row's baseline, and the baseline's baseline, are measured too
      for (let x = baselineOf(r); x; x = baselineOf(b.rows.find((y) => y.id === x)!)) wanted.add(x);
    }
  }
  const measured: Measured[] = [];
  const results = new Map<string, RowResult>();
  /** exhaustive strategies that did not finish at a smaller tree, per model */
  const gaveUp = new Map<string, number>();
  for (const batch of plan) {
    const rows = batch.rows.filter((r) => wanted.has(r.id));
    if (!rows.length) continue;
    const worker = new RowWorker();
    try {
      for (const row of rows) {
        let result: RowResult;
        const key = `${row.model}/${row.strategy}`;
        const stoppedAt = batch.ladder && (row.strategy === 'plain' || row.strategy === 'dpor') ? gaveUp.get(key) : undefined;
        if (stoppedAt !== undefined) {
          result = { id: row.id, scenarioName: label(row.scenario), tasks: row.scenario.n, zombies: Math.floor(row.scenario.n / 2), verdict: 'skipped', note: `did not finish at N=${stoppedAt}`, states: 0, transitions: 0, ms: 0, statesPerSec: 0, peakBytes: 0, tableBytes: 0 };
        } else {
          result = await worker.measure(row);
          // a fresh isolate for the next row, so that what this one left behind is not counted in its peak memory
          if (row.strategy === 'plain' || row.strategy === 'dpor' || result.peakBytes > 32 * 2 ** 20) await worker.close();
          if (batch.ladder && (row.strategy === 'plain' || row.strategy === 'dpor') && (result.verdict === 'incomplete' || result.verdict === 'error')) {
            gaveUp.set(key, batch.ladder.n);
          }
        }
        results.set(row.id, result);
        const baseline = baselineOf(row);
        const { vs, ratios } = compare(row, result, baseline ? results.get(baseline) : undefined);
        const m: Measured = { spec: row, result, baseline, vs, ratios };
        measured.push(m);
        const c = cells(m);
        report(`${row.id}: ${c[1]} · ${c[2]} states · ${c[6]}${result.walks ? ` · cex ${c[9]}` : ''} · ${vs}${result.note ? ` · ${result.note}` : ''}`);
      }
    } finally {
      await worker.close();
    }
  }
  const scale = flags['no-scale'] || (pattern && !pattern.test('scale')) ? [] : await scaleOut();
  const finished = new Date();
  const mach = { ...machine(), loadAverage: { atStart: load0.map((x) => +x.toFixed(2)), atEnd: os.loadavg().map((x) => +x.toFixed(2)) } };
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const shown = measured.filter((m) => !pattern || pattern.test(m.spec.id) || m.spec.strategy === 'plain');
  const groups = ['verify', 'mutant', 'fault'] as const;
  const titles = {
    verify: 'Fault-free trees, N tasks with ⌊N/2⌋ zombies at alternating places: v18 (P1–P6, P9, P10) and v20 (P1–P10)',
    mutant: "Mutants, each checked against the property it declares it breaks (walks: seeds 0…, runs until the seed's first counterexample)",
    fault: 'v20 with one fault, P1–P10',
  };
  const ts = targets(measured);
  const out: string[] = [];
  for (const g of groups) {
    const rows = shown.filter((m) => m.spec.group === g).map(cells);
    if (!rows.length) continue;
    out.push('', titles[g], textTable(rows));
  }
  if (scale.length) out.push('', `Scale-out: random and PCT on v20 N=5 (${int(config.scaleRuns)} runs), exhaustive on v20 N=4; wall time including worker start-up`, scaleTable(scale, false));
  if (ts.length) {
    out.push('', "The issue's targets (one worker):");
    for (const t of ts) out.push(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.measured} (limit ${t.limit}; ${t.by})`);
  }
  out.push('', `machine: ${mach.cpu}, ${mach.cores} cores, Node ${mach.node}, load average ${mach.loadAverage.atStart.join(' ')} → ${mach.loadAverage.atEnd.join(' ')} (shared machine: prefer the ratios)`);
  console.log(out.join('\n'));
  const json = {
    command,
    started: started.toISOString(),
    finished: finished.toISOString(),
    machine: mach,
    config,
    measuredHow: {
      time: 'performance.now() around the search (model built before), in the row worker',
      memory: "peak of the worker isolate's used heap + external memory (v8.getHeapStatistics), sampled after every 50 ms slice, minus the same after a forced GC before the row",
      states: 'exhaustive: distinct states stored; walks: steps taken',
    },
    rows: measured.map((m) => ({ ...m.spec, result: m.result, baseline: m.baseline, vs: m.vs, ratios: m.ratios })),
    scale,
    targets: ts,
  };
  writeFileSync(flags.out!, `${JSON.stringify(json, null, 2)}\n`);
  report(`wrote ${flags.out}`);
  if (flags.md) {
    const head = [
      `Command: \`${command}\` · ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${Math.round((finished.getTime() - started.getTime()) / 1000)} s in all`,
      '',
      `Machine: ${mach.cpu}, ${mach.cores} cores (${mach.availableParallelism} available), ${mach.memoryGB} GB, Node ${mach.node}, ${mach.platform}; commit ${mach.commit}; load average at start ${mach.loadAverage.atStart.join(' / ')}, at end ${mach.loadAverage.atEnd.join(' / ')} (1/5/15 min). Shared with other jobs: absolute times are noisy, the ratios less so.`,
    ];
    let text = existsSync(flags.md) ? readFileSync(flags.md, 'utf8') : '';
    const put = (name: string, block: string): void => {
      const start = `<!-- ${name}:start -->`;
      const end = `<!-- ${name}:end -->`;
      const a = text.indexOf(start);
      const b = text.indexOf(end);
      text = a >= 0 && b > a ? `${text.slice(0, a + start.length)}\n${block}\n${text.slice(b)}` : `${text}${start}\n${block}\n${end}\n`;
    };
    if (measured.length) {
      const md: string[] = [
        ...head,
        '',
        `Budgets: exhaustive rows stop at ${int(config.maxStates)} states or after ${time(config.budgetMs)} (fault-free trees) or ${time(config.huntBudgetMs)} (mutants, faults); an exhaustive strategy that did not finish at N tasks is skipped at N + 1. Walks: ${int(config.holdRuns)} runs of seed 0 where the properties hold; else seeds 0…${config.seeds - 1}, each run until its first counterexample (at most ${int(config.findRuns)} runs, ${time(config.huntBudgetMs)}). PCT depth ${config.depth}. Heap limit ${config.heapMb} MB per row worker.`,
      ];
      if (ts.length) md.push('', "### The issue's targets", '', targetTable(ts));
      for (const g of groups) {
        const rows = shown.filter((m) => m.spec.group === g).map(cells);
        if (rows.length) md.push('', `### ${titles[g]}`, '', mdTable(rows));
      }
      put('bench', md.join('\n'));
    }
    if (scale.length) {
      put('bench-scale', [...head, '', `Random and PCT: v20 N=5, P1–P10 (they hold), ${int(config.scaleRuns)} runs, seed 0. Exhaustive (plain, src/engine/parallel.ts): v20 N=4, P1–P10, states in place of runs. Wall time, worker start-up included; for the walks also left out. The busy loop says how much of the second core this process got at the time.`, '', scaleTable(scale, true)].join('\n'));
    }
    writeFileSync(flags.md, text);
    report(`wrote the tables to ${flags.md}`);
  }
}

await main();
