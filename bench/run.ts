/**
 * `npm run bench [-- --quick] [-- --filter REGEX] [-- --out FILE] [-- --md FILE]`
 * `npm run bench:startup [-- --md FILE]`: only the start-up rows (bench/startup.ts)
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
import { mutants } from '../models/index.ts';
import { cells, compare, int, mdTable, targetTable, targets, textTable, time, type Measured } from './format.ts';
import type { RowResult, RowSpec, ScenarioRef, StrategyName } from './rows.ts';
import { scaleOut, scaleTable } from './scale.ts';
import { FAULTS } from './scenarios.ts';
import { measureStartup, startupTable } from './startup.ts';

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
    startup: { type: 'boolean', default: false },
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
/** about 430 bytes a state for plain search: 5M states stay under the worker's heap limit */
const maxStates = intFlag('max-states', flags['max-states'], quick ? 1_000_000 : 5_000_000, 1);
const config = {
  quick,
  /** fault-free trees N = 2 … nMax */
  nMax: quick ? 6 : 10,
  mutantNs: [3, 6],
  faultNs: [3, 5],
  /**
   * per exhaustive row of the fault-free trees: three times the issue's largest
   * target (60 s), so that a row that misses a target says by how much
   */
  budgetMs: intFlag('budget', flags.budget, quick ? 5 : 180, 1) * 1000,
  /** per exhaustive row of the mutants and faults; per seed for the walks */
  huntBudgetMs: intFlag('hunt-budget', flags['hunt-budget'], quick ? 5 : 20, 1) * 1000,
  maxStates,
  /** dpor keeps no state objects, only fingerprints and summaries (about 100 bytes a state) */
  dporMaxStates: maxStates * 6,
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
    maxStates: strategy === 'dpor' ? config.dporMaxStates : config.maxStates,
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

// ---- main ----

function report(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `--startup`: only the start-up rows (a few seconds); JSON to bench/startup.json, the table to --md's bench-startup block. */
function startupOnly(): void {
  const load0 = os.loadavg();
  const rows = measureStartup(report);
  const mach = { ...machine(), loadAverage: { atStart: load0.map((x) => +x.toFixed(2)), atEnd: os.loadavg().map((x) => +x.toFixed(2)) } };
  console.log(`${startupTable(rows, false)}\n\nmachine: ${mach.cpu}, ${mach.cores} cores, Node ${mach.node}, load average ${mach.loadAverage.atStart.join(' ')} → ${mach.loadAverage.atEnd.join(' ')}`);
  writeFileSync('bench/startup.json', `${JSON.stringify({ command: 'npm run bench:startup', finished: new Date().toISOString(), machine: mach, startup: rows }, null, 2)}\n`);
  report('wrote bench/startup.json');
  if (flags.md) putStartup(flags.md, rows, mach);
}

function putStartup(file: string, rows: ReturnType<typeof measureStartup>, mach: ReturnType<typeof machine> & { loadAverage: { atStart: number[]; atEnd: number[] } }): void {
  const start = '<!-- bench-startup:start -->';
  const end = '<!-- bench-startup:end -->';
  const block = [
    `Command: \`npm run bench:startup\` · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${mach.cpu}, ${mach.cores} cores, Node ${mach.node}; commit ${mach.commit}; load average at start ${mach.loadAverage.atStart.join(' / ')}, at end ${mach.loadAverage.atEnd.join(' / ')}.`,
    '',
    startupTable(rows, true),
  ].join('\n');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  text = a >= 0 && b > a ? `${text.slice(0, a + start.length)}\n${block}\n${text.slice(b)}` : `${text}${start}\n${block}\n${end}\n`;
  writeFileSync(file, text);
  report(`wrote the start-up table to ${file}`);
}

async function main(): Promise<void> {
  if (flags.startup) return startupOnly();
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
  const scale = flags['no-scale'] || (pattern && !pattern.test('scale')) ? [] : await scaleOut(config, report);
  const startup = pattern && !pattern.test('startup') ? [] : measureStartup(report);
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
  if (startup.length) out.push('', 'Start-up: whole process, median of 5', startupTable(startup, false));
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
    startup,
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
        `Budgets: exhaustive rows stop at ${int(config.maxStates)} states (dpor: ${int(config.dporMaxStates)}) or after ${time(config.budgetMs)} (fault-free trees) or ${time(config.huntBudgetMs)} (mutants, faults); an exhaustive strategy that did not finish at N tasks is skipped at N + 1. Walks: ${int(config.holdRuns)} runs of seed 0 where the properties hold; else seeds 0…${config.seeds - 1}, each run until its first counterexample (at most ${int(config.findRuns)} runs, ${time(config.huntBudgetMs)}). PCT depth ${config.depth}. Heap limit ${config.heapMb} MB per row worker.`,
      ];
      if (ts.length) md.push('', "### The issue's targets", '', targetTable(ts));
      for (const g of groups) {
        const rows = shown.filter((m) => m.spec.group === g).map(cells);
        if (rows.length) md.push('', `### ${titles[g]}`, '', mdTable(rows));
      }
      put('bench', md.join('\n'));
    }
    if (scale.length) {
      put('bench-scale', [...head, '', `Random and PCT: v20 N=5, P1–P10 (they hold), ${int(config.scaleRuns)} runs, seed 0. Exhaustive (plain, src/engine/parallel.ts): v20 N=4, P1–P10, states in place of runs. Wall time, worker start-up included; for the walks also left out. The busy loop (allocating small objects, as the model does), before and after, says how much of the second core this process could get.`, '', scaleTable(scale, true)].join('\n'));
    }
    writeFileSync(flags.md, text);
    report(`wrote the tables to ${flags.md}`);
    if (startup.length) putStartup(flags.md, startup, mach);
  }
}

await main();
