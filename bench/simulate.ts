/**
 * `node bin/run-ts.js bench/simulate.ts [--seconds S] [--json]`
 *
 * Timed runs per second against the untimed random walk of the same model,
 * measured in the same process on one thread, alternating slices of 500 runs
 * of each (so both see the same load on a shared machine); the ratio is the
 * median of the per-slice ratios. Targets (issue 12): at least 5,000 timed
 * runs a second of v18 at 4 tasks, and at least 0.8× the random walk.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { findVariant } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { RandomSearch } from '../src/engine/random.ts';
import { TimedSimulator } from '../src/engine/timed.ts';
import { buildModel } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import { PRESETS, restartMarks } from '../src/kernel/timing.ts';

const { values: flags } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, json: { type: 'boolean', default: false } } });
const budgetMs = Number(flags.seconds) * 1000;

export interface SimBenchRow {
  readonly model: string;
  readonly tasks: number;
  readonly zombies: number;
  readonly profile: string;
  readonly timedRunsPerSec: number;
  readonly randomRunsPerSec: number;
  /** median over slices of (timed runs/s) / (random runs/s) */
  readonly ratio: number;
  readonly stepsPerRun: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function row(model: string, tasks: number, zombies: number, profile: string, ms: number): SimBenchRow {
  const m = buildModel(findVariant(model)!, shorthandScenario(tasks, zombies));
  const props = restartProperties(m);
  const sim = new TimedSimulator(m, props, { profile: PRESETS[profile]!, seed: 1, marks: restartMarks });
  const walk = new RandomSearch(m, props, { seed: 1 });
  const slice = 500;
  const ratios: number[] = [];
  let timedMs = 0;
  let randomMs = 0;
  let runs = 0;
  let steps = 0;
  // warm-up: both loops compiled before measuring
  for (let r = 0; r < 300; r++) (sim.run(r), walk.one(r));
  const end = Date.now() + ms;
  for (let from = 1000; Date.now() < end; from += slice) {
    let t = performance.now();
    for (let r = from; r < from + slice; r++) steps += sim.run(r).steps;
    const tt = performance.now() - t;
    t = performance.now();
    for (let r = from; r < from + slice; r++) walk.one(r);
    const tr = performance.now() - t;
    timedMs += tt;
    randomMs += tr;
    runs += slice;
    ratios.push(tr / tt);
  }
  return {
    model,
    tasks,
    zombies,
    profile,
    timedRunsPerSec: Math.round((runs * 1000) / timedMs),
    randomRunsPerSec: Math.round((runs * 1000) / randomMs),
    ratio: Number(median(ratios).toFixed(2)),
    stepsPerRun: Math.round(steps / runs),
  };
}

const rows = [row('v18', 4, 0, 'loaded', budgetMs), row('v18', 4, 2, 'loaded', budgetMs / 2), row('v20', 4, 2, 'loaded', budgetMs / 2)];
if (flags.json) console.log(JSON.stringify({ machine: `${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}`, node: process.version, rows }, null, 2));
else {
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'} ×${os.cpus().length}, 1-minute load ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`);
  console.log('model  tasks  profile  timed runs/s  random runs/s  timed/random  steps/run');
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(6)} ${`${r.tasks} (${r.zombies}z)`.padEnd(6)} ${r.profile.padEnd(8)} ${String(r.timedRunsPerSec).padStart(12)} ${String(r.randomRunsPerSec).padStart(14)} ${`${r.ratio}×`.padStart(13)} ${String(r.stepsPerRun).padStart(10)}`,
    );
  }
  const v18 = rows[0]!;
  console.log(`targets (v18, 4 tasks): ≥ 5,000 timed runs/s: ${v18.timedRunsPerSec >= 5000 ? 'met' : 'missed'} (${v18.timedRunsPerSec}); ≥ 0.8× random: ${v18.ratio >= 0.8 ? 'met' : 'missed'} (${v18.ratio}×)`);
}
