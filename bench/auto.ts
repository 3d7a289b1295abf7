/**
 * `node bin/run-ts.js bench/auto.ts [--filter REGEX] [--budget S] [--reductions none,dpor,auto]`
 *
 * Issue 14's rule for `--reduction auto` with a violation: never more than
 * 1.2× slower than the better of `dpor` and `none`. Times each reduction on
 * the bench's mutant rows (N = 3, 6), v20's fault rows (N = 3, 5) and the
 * variants that fail (v17, v18, v18-final on the fault-free tree, N = 3, 4, 6),
 * one search at a time on this thread, to the verdict and its counterexample
 * (shrinking and proof included). Prints one line per row, JSON with --out.
 * `--walks N`: another number of random walks before auto's reduced search (src/engine/auto.ts).
 * `--first-hit R`: instead, per row, the first of R runs (seed 0) that meets a violation, for
 * uniform walks and for auto's walks (uniform and PCT in turn), and how many rows each meets within 8, 16, 32, 64.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findVariant, mutants } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { AutoSearch, AutoWalks } from '../src/engine/auto.ts';
import { createSearch } from '../src/engine/create.ts';
import { RandomSearch } from '../src/engine/random.ts';
import { buildModel } from '../src/kernel/model.ts';
import type { Scenario } from '../src/kernel/scenario.ts';
import { faultScenario, FAULTS, mutantScenario, tree } from './scenarios.ts';

const { values: flags } = parseArgs({
  options: {
    filter: { type: 'string' },
    budget: { type: 'string', default: '30' },
    reductions: { type: 'string', default: 'none,dpor,auto' },
    reps: { type: 'string', default: '1' },
    ns: { type: 'string', default: '3,6' },
    out: { type: 'string' },
    walks: { type: 'string' },
    'first-hit': { type: 'string' },
  },
  strict: true,
});
const budgetMs = Number(flags.budget) * 1000;
const reductions = flags.reductions!.split(',');
const pattern = flags.filter ? new RegExp(flags.filter) : null;
const reps = Number(flags.reps);
/** tree sizes: mutants take them as given, faults one less than each but 3, variants 3, 4 and them */
const ns = flags.ns!.split(',').map(Number);
const budgets = flags.walks ? { walks: Number(flags.walks) } : {};

interface Case {
  readonly id: string;
  readonly model: string;
  readonly scenario: Scenario;
  readonly properties: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const m of mutants) for (const n of ns) out.push({ id: `mutant/${m.name}/N=${n}`, model: m.name, scenario: mutantScenario(m.name, n), properties: m.breaks! });
  for (const f of FAULTS) for (const n of ns.map((x) => (x > 3 ? x - 1 : x))) out.push({ id: `fault/v20/N=${n}+${f}`, model: 'v20', scenario: faultScenario(f, n), properties: 'P1-P11' });
  for (const v of ['v17', 'v18', 'v18-final']) for (const n of [...new Set([3, 4, ...ns])]) out.push({ id: `variant/${v}/N=${n}`, model: v, scenario: tree(n), properties: 'P1-P11' });
  return out.filter((c) => !pattern || pattern.test(c.id));
}

interface Row {
  id: string;
  reduction: string;
  verdict: string;
  /** wall time, and this process's CPU time (the machine is shared: the ratios use CPU time), the least of --reps runs */
  ms: number;
  cpuMs: number;
  states: number;
  length?: number;
  shortest?: boolean;
  phases?: unknown;
}

if (flags['first-hit']) {
  const runs = Number(flags['first-hit']);
  const firsts: Record<'uniform' | 'auto', number[]> = { uniform: [], auto: [] };
  for (const c of new Map(cases().map((x) => [x.id, x])).values()) {
    const model = buildModel(findVariant(c.model)!, c.scenario);
    const properties = selectProperties(restartProperties(model), c.properties);
    const options = { runs, seed: 0, maxDepth: 2_000, noEndFails: false };
    const first = (walks: { work(ms: number): { verdict: string; failedRun?: number } | null }) => {
      const r = walks.work(Infinity);
      return r?.verdict === 'violated' ? r.failedRun! : Infinity;
    };
    const uniform = first(new RandomSearch(model, properties, options));
    const auto = first(new AutoWalks(model, properties, options));
    if (uniform === Infinity && auto === Infinity) continue; // the properties hold (or no walk meets it)
    firsts.uniform.push(uniform);
    firsts.auto.push(auto);
    process.stdout.write(`${c.id.padEnd(40)} uniform ${uniform}  auto ${auto}\n`);
  }
  for (const [k, v] of Object.entries(firsts)) {
    const within = (n: number) => v.filter((x) => x < n).length;
    process.stdout.write(`${k}: ${v.length} rows; within 8 ${within(8)}, 16 ${within(16)}, 32 ${within(32)}, 64 ${within(64)}\n`);
  }
  process.exit(0);
}

const rows: Row[] = [];
for (const c of cases()) {
  const line: string[] = [c.id.padEnd(40)];
  // one model for the three searches: each search then runs on code the one before warmed (`--reps` takes the least)
  const model = buildModel(findVariant(c.model)!, c.scenario);
  const properties = selectProperties(restartProperties(model), c.properties);
  for (const reduction of reductions) {
    let ms = Infinity;
    let cpuMs = Infinity;
    let r = null;
    for (let k = 0; k < reps; k++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const search =
        reduction === 'auto' ? new AutoSearch(model, properties, budgets) : createSearch(model, properties, { strategy: 'exhaustive', reduction: reduction as 'none' | 'dpor' });
      while (!(r = search.work(50))) if (performance.now() - t0 > budgetMs) search.stop('budget');
      const cpu = process.cpuUsage(c0);
      ms = Math.min(ms, performance.now() - t0);
      cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000);
    }
    if (!r) throw new Error('bench: no result');
    const v = r.violation;
    const stats = r.stats as typeof r.stats & { phases?: unknown };
    rows.push({ id: c.id, reduction, verdict: r.verdict, ms, cpuMs, states: r.stats.states, ...(v ? { length: v.steps.length, shortest: v.shortest ?? true } : {}), ...(stats.phases ? { phases: stats.phases } : {}) });
    line.push(`${reduction} ${r.verdict === 'violated' ? `${v!.property}·${v!.steps.length}${v!.shortest === false ? '?' : ''}` : r.verdict} ${(cpuMs / 1000).toFixed(2)}s ${r.stats.states}`.padEnd(34));
  }
  const mine = rows.slice(-reductions.length);
  const best = Math.min(...mine.filter((x) => x.reduction !== 'auto').map((x) => x.cpuMs));
  const auto = mine.find((x) => x.reduction === 'auto');
  if (auto && Number.isFinite(best)) line.push(`auto/best ${(auto.cpuMs / best).toFixed(2)} (CPU)`);
  process.stdout.write(`${line.join(' ')}\n`);
}
if (flags.out) writeFileSync(flags.out, `${JSON.stringify({ finished: new Date().toISOString(), budgetMs, rows }, null, 2)}\n`);
