/**
 * `node bin/run-ts.js bench/auto.ts [--filter REGEX] [--budget S] [--reductions none,dpor,auto]`
 *
 * Issue 14's rule for `--reduction auto` with a violation: never more than
 * 1.2× slower than the better of `dpor` and `none`. Times each reduction on
 * the bench's mutant rows (N = 3, 6), v20's fault rows (N = 3, 5) and the
 * variants that fail (v17, v18, v18-final on the fault-free tree, N = 3, 4, 6),
 * one search at a time on this thread, to the verdict and its counterexample
 * (shrinking and proof included). Prints one line per row, JSON with --out.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findVariant, mutants } from '../models/index.ts';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { createSearch } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import type { Scenario } from '../src/kernel/scenario.ts';
import { faultScenario, FAULTS, mutantScenario, tree } from './scenarios.ts';

const { values: flags } = parseArgs({
  options: {
    filter: { type: 'string' },
    budget: { type: 'string', default: '30' },
    reductions: { type: 'string', default: 'none,dpor,auto' },
    out: { type: 'string' },
  },
  strict: true,
});
const budgetMs = Number(flags.budget) * 1000;
const reductions = flags.reductions!.split(',');
const pattern = flags.filter ? new RegExp(flags.filter) : null;

interface Case {
  readonly id: string;
  readonly model: string;
  readonly scenario: Scenario;
  readonly properties: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const m of mutants) for (const n of [3, 6]) out.push({ id: `mutant/${m.name}/N=${n}`, model: m.name, scenario: mutantScenario(m.name, n), properties: m.breaks! });
  for (const f of FAULTS) for (const n of [3, 5]) out.push({ id: `fault/v20/N=${n}+${f}`, model: 'v20', scenario: faultScenario(f, n), properties: 'P1-P11' });
  for (const v of ['v17', 'v18', 'v18-final']) for (const n of [3, 4, 6]) out.push({ id: `variant/${v}/N=${n}`, model: v, scenario: tree(n), properties: 'P1-P11' });
  return out.filter((c) => !pattern || pattern.test(c.id));
}

interface Row {
  id: string;
  reduction: string;
  verdict: string;
  ms: number;
  states: number;
  length?: number;
  shortest?: boolean;
  phases?: unknown;
}

const rows: Row[] = [];
for (const c of cases()) {
  const line: string[] = [c.id.padEnd(40)];
  for (const reduction of reductions) {
    const model = buildModel(findVariant(c.model)!, c.scenario);
    const properties = selectProperties(restartProperties(model), c.properties);
    const t0 = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const search = createSearch(model, properties, { strategy: 'exhaustive', reduction: reduction as any });
    let r = null;
    while (!(r = search.work(50))) if (performance.now() - t0 > budgetMs) search.stop('budget');
    const ms = performance.now() - t0;
    const v = r.violation;
    const stats = r.stats as typeof r.stats & { phases?: unknown };
    rows.push({ id: c.id, reduction, verdict: r.verdict, ms, states: r.stats.states, ...(v ? { length: v.steps.length, shortest: v.shortest ?? true } : {}), ...(stats.phases ? { phases: stats.phases } : {}) });
    line.push(`${reduction} ${r.verdict === 'violated' ? `${v!.property}·${v!.steps.length}${v!.shortest === false ? '?' : ''}` : r.verdict} ${(ms / 1000).toFixed(2)}s ${r.stats.states}`.padEnd(34));
  }
  const mine = rows.slice(-reductions.length);
  const best = Math.min(...mine.filter((x) => x.reduction !== 'auto').map((x) => x.ms));
  const auto = mine.find((x) => x.reduction === 'auto');
  if (auto && Number.isFinite(best)) line.push(`auto/best ${(auto.ms / best).toFixed(2)}`);
  process.stdout.write(`${line.join(' ')}\n`);
}
if (flags.out) writeFileSync(flags.out, `${JSON.stringify({ finished: new Date().toISOString(), budgetMs, rows }, null, 2)}\n`);
