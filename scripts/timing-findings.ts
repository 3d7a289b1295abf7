/**
 * `node bin/run-ts.js scripts/timing-findings.ts [--write]`
 *
 * The findings block of docs/timing.md: for each violation exhaustive search
 * finds in v18, its probability per restart under each preset (timed runs,
 * exact 95% interval), and the restart latency of v18-final and v20 at 4, 8
 * and 16 tasks. Every number is seeded: the same library prints the same
 * block, and test/simulate-findings.test.ts recomputes some rows to catch a
 * stale block. With --write, replaces the block between the markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { findVariant } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { simulateSync } from '../src/engine/smc.ts';
import { clopperPearson, summarizeTimes } from '../src/engine/stats.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario, type Scenario } from '../src/kernel/scenario.ts';
import { PRESETS, restartMarks } from '../src/kernel/timing.ts';

export const START = '<!-- timing-findings:start -->';
export const END = '<!-- timing-findings:end -->';
export const DOC = new URL('../docs/timing.md', import.meta.url);
const SEED = 12;
export const PROBABILITY_RUNS = 10_000;
export const LATENCY_RUNS = 1_000;
const PRESET_NAMES = ['idle', 'loaded', 'saturated', 'rt'] as const;

const LL = { tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] };
export interface Finding {
  readonly bug: string;
  readonly property: string;
  readonly code: string;
  readonly scenario: Scenario;
}

/** The v18 violations of docs/bugs.md and the search's findings, on the scenario each shows on. */
export const FINDINGS: readonly Finding[] = [
  { bug: 'B4: the T2–T3 window', property: 'P8', code: 'LL', scenario: parseScenario(LL) },
  { bug: 'T8a late lookup (ERROR after SUCCESS)', property: 'P7', code: 'LL', scenario: parseScenario(LL) },
  { bug: 'strict P1: wake before restore_activate_next returns', property: 'P1', code: 'LL', scenario: parseScenario(LL) },
  { bug: 'B5: an early error erased by init_completion', property: 'P9', code: 'LL+sig2', scenario: parseScenario({ ...LL, faults: [{ type: 'signal', task: 2 }] }) },
  { bug: 'B6: a handled signal escapes the final sync', property: 'P7', code: 'L+sig1', scenario: parseScenario({ tasks: [{ vpid: 1, kind: 'live' }], faults: [{ type: 'signal', task: 1, disposition: 'handled' }] }) },
  { bug: 'T1 signal: the coordinator waits for ever', property: 'P9', code: 'LL+sig1', scenario: parseScenario({ ...LL, faults: [{ type: 'signal', task: 1 }] }) },
];

const prob = (p: number): string => (p === 0 ? '0' : p < 1e-3 ? p.toExponential(1) : p.toPrecision(2));
const us = (x: number): string => (Number.isNaN(x) ? '–' : x >= 1e3 ? `${(x / 1000).toFixed(x >= 1e4 ? 1 : 2)} ms` : `${x.toFixed(0)} µs`);

/** One cell: `k/N` violating runs, the estimate and its exact 95% interval. */
export function probabilityCell(f: Finding, preset: string, runs = PROBABILITY_RUNS): string {
  const model = buildModel(findVariant('v18')!, f.scenario);
  const properties = restartProperties(model).filter((p) => p.id === f.property);
  const tally = simulateSync(model, properties, { profile: PRESETS[preset]!, seed: SEED, runs, marks: restartMarks });
  const k = tally.hits[0]!;
  const ci = clopperPearson(k, runs);
  return `${prob(k / runs)} [${prob(ci.lo)}, ${prob(ci.hi)}]`;
}

export function probabilityRow(f: Finding): string {
  return `| ${f.bug} | ${f.property} | \`${f.code}\` | ${PRESET_NAMES.map((p) => probabilityCell(f, p)).join(' | ')} |`;
}

/** Restart duration of a fault-free restart: p50 / p99 (mean). */
export function latencyCell(model: string, tasks: number, preset: string, runs = LATENCY_RUNS): string {
  const m = buildModel(findVariant(model)!, shorthandScenario(tasks, tasks / 4));
  const tally = simulateSync(m, restartProperties(m), { profile: PRESETS[preset]!, seed: SEED, runs, marks: restartMarks });
  const t = summarizeTimes(tally.durations);
  return `${us(t.percentiles[0]!.value)} / ${us(t.percentiles[2]!.value)} (${us(t.mean.value)})`;
}

export function latencyRow(model: string, tasks: number): string {
  return `| \`${model}\` | ${tasks} (${tasks / 4} zombies) | ${PRESET_NAMES.map((p) => latencyCell(model, tasks, p)).join(' | ')} |`;
}

export function findingsBlock(log: (s: string) => void = () => {}): string {
  const lines = [
    START,
    `Probability that one restart shows the violation (v18; ${PROBABILITY_RUNS.toLocaleString('en-US')} timed runs per cell, seed ${SEED}; estimate [exact 95% interval]):`,
    '',
    `| finding | property | scenario | ${PRESET_NAMES.join(' | ')} |`,
    `| --- | --- | --- | ${PRESET_NAMES.map(() => '---').join(' | ')} |`,
  ];
  for (const f of FINDINGS) {
    log(`probability: ${f.bug}`);
    lines.push(probabilityRow(f));
  }
  lines.push(
    '',
    `Restart duration without faults, p50 / p99 (mean), from the first step to the last task's exit (${LATENCY_RUNS.toLocaleString('en-US')} timed runs per cell, seed ${SEED}; a quarter of the tasks are zombies):`,
    '',
    `| model | tasks | ${PRESET_NAMES.join(' | ')} |`,
    `| --- | --- | ${PRESET_NAMES.map(() => '---').join(' | ')} |`,
  );
  for (const model of ['v18-final', 'v20']) {
    for (const tasks of [4, 8, 16]) {
      log(`latency: ${model} ${tasks}`);
      lines.push(latencyRow(model, tasks));
    }
  }
  lines.push(END);
  return lines.join('\n');
}

export function docBlock(text: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/timing.md: no ${START} … ${END} block`);
  return text.slice(a, b + END.length);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const block = findingsBlock((s) => process.stderr.write(`${s} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`));
  if (process.argv.includes('--write')) {
    const text = readFileSync(DOC, 'utf8');
    writeFileSync(DOC, text.replace(docBlock(text), block));
    console.log(`wrote the findings block of docs/timing.md (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } else console.log(block);
}
