/**
 * `crsim simulate`: timed runs of a model on a scenario under a delay profile,
 * and what they say with a stated confidence: per property, the probability
 * that a restart violates it (exact Clopper–Pearson interval over a number of
 * runs fixed by the Okamoto bound for --epsilon, or --runs); a hypothesis test
 * (--assert, Wald's SPRT); the coordinator's wake-up time and the restart's
 * duration. Numbers and sources of the profiles: docs/timing.md.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.ts';
import type { Command } from 'commander';
import { lastValueFrom, Subject, filter, tap } from 'rxjs';
import type { Profile } from '../engine/profile.ts';
import { parseProfile, parseRunqlat, parseSchbench, ProfileError, sniff } from '../engine/profile.ts';
import { replay } from '../engine/replay.ts';
import { simulate$, simulateWorkers$, type SmcOptions, type Tally } from '../engine/smc.ts';
import { clopperPearson, okamotoRuns, runsForUpperBound, summarizeTimes, type TimeSummary } from '../engine/stats.ts';
import { TimedSimulator } from '../engine/timed.ts';
import type { Violation } from '../engine/types.ts';
import type { RestartAction, RestartModel } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import { completeProfile, PRESETS, restartMarks, TIME_CLASSES } from '../kernel/timing.ts';
import { makeReplayFile } from '../trace/replayfile.ts';
import { swimlane } from '../trace/swimlane.ts';
import type { RestartProperty } from '../../properties/restart.ts';
import { addTargetOptions } from './check.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { ProgressBar } from './progress.ts';
import { runShard, writeShard } from './simulate-shard.ts';
import { parseShard } from '../engine/shard.ts';
import { resolveModel, resolveProperties, resolveScenario, type TargetOptions } from './resolve.ts';
import { restartRecipe, targetSpec } from './target.ts';

export interface SimulateOptions extends TargetOptions {
  readonly profile?: string;
  readonly runs?: string;
  readonly epsilon?: string;
  readonly confidence?: string;
  readonly seed?: string;
  readonly assert?: string;
  readonly alpha?: string;
  readonly beta?: string;
  readonly delta?: string;
  readonly timeBound?: string;
  readonly maxSteps?: string;
  readonly workers?: string;
  readonly json?: boolean;
  readonly out?: string;
  readonly sweep?: string;
  readonly plot?: string;
  readonly shard?: string;
  readonly html?: string;
}

/** Exit 3 for an SPRT that did not decide within its runs. */
const UNDECIDED = EXIT.incomplete;

export function registerSimulate(program: Command, out: (s: string) => void): void {
  addTargetOptions(program.command('simulate').description('timed runs under a delay profile: how likely each violation is, and how long a restart takes'))
    .option('--profile <name|file>', `a preset (${Object.keys(PRESETS).join(', ')}), a profile JSON file, or bcc runqlat / schbench output`, 'loaded')
    .option('-r, --runs <n>', 'run exactly this many (default: as many as --epsilon needs; with --assert, the most the test may take, default 1,000,000)')
    .option('--epsilon <e>', 'half-width every estimate must reach, at --confidence (fixes the runs by the Okamoto bound)', '0.01')
    .option('--confidence <c>', 'confidence of the intervals', '0.95')
    .option('--seed <n>', 'the seed; run r depends only on (seed, r)', '0')
    .option('--assert <claim>', "test a claim such as 'P8 < 1e-3' with Wald's SPRT: exit 0 accepted, 1 rejected (with a witness), 3 undecided")
    .option('--alpha <a>', 'SPRT: the chance of rejecting a claim that holds by --delta', '0.05')
    .option('--beta <b>', 'SPRT: the chance of accepting a claim that fails by --delta', '0.05')
    .option('--delta <d>', 'SPRT: half-width of the indifference region around the threshold (default: half the threshold, or of 1 − it)')
    .option('--time-bound <t>', "stop each run at this time (e.g. 500us, 2ms, 1s): 'violated within T'")
    .option('--max-steps <n>', 'a run longer than this never ends (P9)', '10000')
    .option('--workers <n>', 'spread the runs over n worker threads (the same numbers for any n)')
    .option('--sweep <param=a:b:step>', `repeat for each value of a class's delay scale (${TIME_CLASSES.join(', ')}), e.g. wakeup=0.5:4:0.5`)
    .option('--plot <file.svg>', 'draw the restart-duration CDF (or, with --sweep, the probabilities against the parameter) as SVG')
    .option('--html <file.html>', 'a standalone page: the estimates, the time statistics and the plots')
    .option('--shard <i/n>', 'run only runs i, i+n, i+2n, ... and write them to --out for `crsim merge` (needs --runs with --assert)')
    .option('--json', 'print one JSON object instead of text')
    .option('-o, --out <file>', "save the first violation's witness run as a replay file, with its timestamps; with --shard, the shard file")
    .action(async (o: SimulateOptions) => {
      program.setOptionValue('exitCode', await simulate(o, out));
    });
}

// ---- input ----

function numberOption(name: string, raw: string | undefined, lo: number, hi: number, open = false): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (open && (v === lo || v === hi))) {
    throw new UsageError(`${name}: expected a number ${open ? 'strictly ' : ''}between ${lo} and ${hi} (got '${raw}')`);
  }
  return v;
}

/** `500`, `500us`, `2ms`, `1s` → µs. */
export function parseDuration(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*([\d.]+(?:e[+-]?\d+)?)\s*(us|µs|ms|s)?\s*$/i.exec(raw);
  const v = m ? Number(m[1]) * ({ us: 1, µs: 1, ms: 1e3, s: 1e6 } as Record<string, number>)[(m[2] ?? 'us').toLowerCase()]! : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${name}: expected a positive time such as 500us, 2ms or 1s (got '${raw}')`);
  return v;
}

/** A preset name, a profile JSON file, or a runqlat / schbench text (the wake-up class; the rest from `loaded`). */
export function loadProfile(spec: string): Profile {
  const preset = PRESETS[spec];
  if (preset) return preset;
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new UsageError(`--profile: '${spec}' is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a readable file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    switch (sniff(text)) {
      case 'json': {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (e) {
          throw new UsageError(`${spec}: not valid JSON: ${(e as Error).message}`);
        }
        const p = parseProfile(json, spec);
        if (p.base !== undefined && !PRESETS[p.base]) {
          throw new UsageError(`${spec}: profile.base: expected one of ${Object.keys(PRESETS).join(', ')} (got ${JSON.stringify(p.base)})`);
        }
        return completeProfile(p, spec);
      }
      case 'runqlat':
        return completeProfile({ classes: { wakeup: parseRunqlat(text, spec) }, source: `wake-up: bcc runqlat histogram ${spec}` }, spec);
      case 'schbench':
        return completeProfile({ classes: { wakeup: parseSchbench(text, spec) }, source: `wake-up: schbench percentiles ${spec}` }, spec);
      default:
        throw new UsageError(`--profile: ${spec}: expected a profile JSON object, bcc runqlat output or schbench percentile lines (found none of them)`);
    }
  } catch (e) {
    if (e instanceof ProfileError) throw new UsageError(e.message);
    throw e;
  }
}

export interface Claim {
  readonly property: string;
  readonly direction: '<' | '>';
  readonly theta: number;
}

export function parseClaim(raw: string): Claim {
  const m = /^\s*(P\d+)\s*(<=?|>=?)\s*([\d.]+(?:e[+-]?\d+)?)\s*$/i.exec(raw);
  const theta = m ? Number(m[3]) : NaN;
  if (!m || !(theta > 0 && theta < 1)) {
    throw new UsageError(`--assert: expected a claim such as 'P8 < 1e-3' (a property, < or >, a probability strictly between 0 and 1) (got '${raw}')`);
  }
  return { property: m[1]!.toUpperCase(), direction: m[2]!.startsWith('<') ? '<' : '>', theta };
}

export interface Sweep {
  readonly param: string;
  readonly values: readonly number[];
}

export function parseSweep(raw: string): Sweep {
  const m = /^\s*([a-z]+)\s*=\s*([\d.]+(?:e[+-]?\d+)?):([\d.]+(?:e[+-]?\d+)?):([\d.]+(?:e[+-]?\d+)?)\s*$/i.exec(raw);
  if (!m) throw new UsageError(`--sweep: expected param=from:to:step, e.g. wakeup=0.5:4:0.5 (got '${raw}')`);
  const [a, b, step] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (!(TIME_CLASSES as readonly string[]).includes(m[1]!)) throw new UsageError(`--sweep: expected a timing class (${TIME_CLASSES.join(', ')}) as the parameter (got '${m[1]}')`);
  if (!(a > 0 && b >= a && step > 0)) throw new UsageError(`--sweep: expected 0 < from ≤ to and step > 0 (got '${raw}')`);
  const values: number[] = [];
  for (let i = 0; a + i * step <= b * (1 + 1e-12); i++) values.push(Number((a + i * step).toPrecision(12)));
  if (values.length > 100) throw new UsageError(`--sweep: expected at most 100 values (got ${values.length} from '${raw}')`);
  return { param: m[1]!, values };
}

// ---- results ----

export interface PropertyEstimate {
  readonly id: string;
  readonly title: string;
  readonly k: number;
  readonly n: number;
  readonly lo: number;
  readonly hi: number;
  /** the lowest violating run (its witness), or undefined */
  readonly firstRun?: number;
}

export interface SimulationReport {
  readonly model: string;
  readonly scenario: string;
  readonly profile: { readonly name: string; readonly source?: string };
  readonly seed: number;
  readonly runs: number;
  readonly runsBy: string;
  readonly confidence: number;
  readonly epsilon?: number;
  readonly timeBound?: number;
  readonly elapsedMs: number;
  readonly workers?: number;
  readonly properties: readonly PropertyEstimate[];
  readonly ends: Tally['ends'];
  readonly neverEnded: number;
  readonly times: Readonly<Record<string, TimeSummary>>;
  readonly sprt?: { readonly claim: string; readonly decision: 'accepted' | 'rejected' | 'undecided'; readonly runs: number; readonly violating: number; readonly alpha: number; readonly beta: number; readonly indifference: readonly [number, number] };
}

export function reportOf(model: RestartModel, properties: readonly RestartProperty[], tally: Tally, meta: Omit<SimulationReport, 'model' | 'scenario' | 'runs' | 'properties' | 'ends' | 'neverEnded' | 'times'>): SimulationReport {
  const n = tally.runs;
  const times: Record<string, TimeSummary> = { 'restart duration': summarizeTimes(tally.durations, meta.confidence) };
  restartMarks.forEach((m, i) => (times[m.name] = summarizeTimes(tally.marks[i]!, meta.confidence)));
  return {
    model: model.name,
    scenario: model.env.scenario.name,
    runs: n,
    ...meta,
    properties: properties.map((p, i) => {
      const k = tally.hits[i]!;
      const ci = clopperPearson(k, n, meta.confidence);
      return { id: p.id, title: p.title, k, n, lo: ci.lo, hi: ci.hi, ...(tally.first[i]! >= 0 ? { firstRun: tally.first[i]! } : {}) };
    }),
    ends: tally.ends,
    neverEnded: tally.neverEnded,
    times,
  };
}

const num = (x: number): string => x.toLocaleString('en-US');
/** A probability in a short form: 4 significant digits, exponent below 1e-3. */
export const prob = (p: number): string => (p === 0 || p === 1 ? String(p) : p < 1e-3 ? p.toExponential(2) : Number(p.toPrecision(4)).toString());
const us = (x: number): string => (Number.isNaN(x) ? '–' : x >= 1e3 ? `${(x / 1000).toFixed(x >= 1e4 ? 1 : 2)} ms` : `${x.toFixed(x < 10 ? 2 : 1)} µs`);

export function textLines(r: SimulationReport): string[] {
  const pct = Math.round(r.confidence * 1000) / 10;
  const lines = [
    `model ${r.model} · scenario ${r.scenario} · profile ${r.profile.name}${r.profile.source ? ` (${r.profile.source})` : ''}`,
    `${num(r.runs)} timed runs (${r.runsBy}), seed ${r.seed}${r.timeBound !== undefined ? `, each cut at ${us(r.timeBound)}` : ''}, ${(r.elapsedMs / 1000).toFixed(1)} s${r.elapsedMs > 0 ? `, ${num(Math.round((r.runs * 1000) / r.elapsedMs))} runs/s` : ''}${r.workers ? `, ${r.workers} workers` : ''}`,
  ];
  const within = r.timeBound !== undefined ? ` within ${us(r.timeBound)}` : '';
  for (const p of r.properties) {
    if (p.k === 0) continue;
    lines.push(`(${num(p.k)}/${num(p.n)} runs) Pr(${p.id} violated${within}) in [${prob(p.lo)}, ${prob(p.hi)}] (${pct}% CI); first in run ${p.firstRun}`);
  }
  // the properties no run violated share one interval: one line for them all
  const zero = r.properties.filter((p) => p.k === 0);
  if (zero.length && r.runs > 0) {
    const p = zero[0]!;
    const tighter = p.hi / 10;
    const which = zero.length === 1 ? p.id : `each of ${zero.map((q) => q.id).join(', ')}`;
    lines.push(
      `(0/${num(p.n)} runs) Pr(${zero.length === 1 ? p.id : 'P'} violated${within}) in [0, ${prob(p.hi)}] (${pct}% CI) for ${which}; ${num(runsForUpperBound(tighter, r.confidence))} runs with none would bound it by ${prob(tighter)}`,
    );
  }
  const never = r.neverEnded;
  lines.push(
    `runs that never ended (P9): ${num(never)} (${num(r.ends['step-bound'])} past the step bound, ${num(never - r.ends['step-bound'])} deadlocked)${r.timeBound !== undefined ? `; cut by the time bound: ${num(r.ends['time-bound'])}` : ''}; all counted in every denominator`,
  );
  for (const [name, t] of Object.entries(r.times)) {
    if (t.count === 0) {
      lines.push(`${name}: no run got there`);
      continue;
    }
    const ps = t.percentiles.map((q) => `p${q.q * 100} ${us(q.value)}`).join(' · ');
    lines.push(`${name} (${num(t.count)} runs): mean ${us(t.mean.value)} [${us(t.mean.lo)}, ${us(t.mean.hi)}] · ${ps} · max ${us(t.max)}`);
  }
  if (r.sprt) {
    const s = r.sprt;
    lines.push(
      `SPRT ${s.claim}: ${s.decision} after ${num(s.runs)} runs (${num(s.violating)} violating); α ${s.alpha}, β ${s.beta}, indifference region [${prob(s.indifference[0])}, ${prob(s.indifference[1])}]`,
    );
  }
  return lines;
}

/** Run r again, recording, and replay its first violation of `property` through the untimed model. */
export function witness(
  model: RestartModel,
  properties: readonly RestartProperty[],
  options: SmcOptions<RestartState, RestartAction>,
  run: number,
  property: string,
): { violation: Violation<RestartState, RestartAction>; times: number[] } {
  const sim = new TimedSimulator(model, properties, options);
  const timed = sim.run(run, true);
  const v = timed.violations.find((x) => x.property === property);
  if (!v) throw new Error(`internal: run ${run} did not violate ${property} when run again`);
  const only = properties.filter((p) => p.id === property);
  const choices = timed.choices!.slice(0, v.steps);
  const untimed = replay(model, only, choices);
  if (untimed.failure?.property !== property) throw new Error(`internal: run ${run}'s schedule did not replay to ${property} untimed`);
  return {
    violation: { ...untimed.failure, steps: untimed.steps, choices: untimed.choices },
    times: timed.times!.slice(0, v.steps),
  };
}

// ---- the command ----

export async function simulate(o: SimulateOptions, out: (s: string) => void): Promise<number> {
  const scenario = resolveScenario(o);
  const model = resolveModel(o.model, scenario);
  const properties = resolveProperties(model, o.properties);
  const profile = loadProfile(o.profile ?? 'loaded');
  const confidence = numberOption('--confidence', o.confidence ?? '0.95', 0, 1, true)!;
  const epsilon = numberOption('--epsilon', o.epsilon ?? '0.01', 0, 0.5, true)!;
  const seed = intOption('--seed', o.seed ?? '0', -(2 ** 31), 2 ** 31 - 1)!;
  const maxSteps = intOption('--max-steps', o.maxSteps ?? '10000', 1, 1e7)!;
  const workers = intOption('--workers', o.workers, 1, 256);
  const timeBound = parseDuration('--time-bound', o.timeBound);
  const claim = o.assert !== undefined ? parseClaim(o.assert) : undefined;
  if (claim && !properties.some((p) => p.id === claim.property)) {
    throw new UsageError(`--assert: ${claim.property} is not among the properties checked (${properties.map((p) => p.id).join(', ')})`);
  }
  const sweep = o.sweep !== undefined ? parseSweep(o.sweep) : undefined;
  if (sweep && claim) throw new UsageError('--sweep cannot be combined with --assert (a sweep estimates; test one setting at a time)');
  const given = intOption('--runs', o.runs, 1, 1e9);
  const runs = given ?? (claim ? 1_000_000 : okamotoRuns(epsilon, confidence));
  const runsBy = given !== undefined ? (claim ? 'the most --assert may take' : '--runs') : claim ? 'SPRT, at most 1,000,000' : `Okamoto bound for ±${epsilon} at ${confidence * 100}%`;
  let sprt: SmcOptions<RestartState, RestartAction>['sprt'];
  if (claim) {
    const alpha = numberOption('--alpha', o.alpha ?? '0.05', 0, 0.5, true)!;
    const beta = numberOption('--beta', o.beta ?? '0.05', 0, 0.5, true)!;
    const delta = numberOption('--delta', o.delta, 0, 0.5, true) ?? Math.min(claim.theta, 1 - claim.theta) / 2;
    if (!(claim.theta - delta > 0 && claim.theta + delta < 1)) {
      throw new UsageError(`--delta: expected the indifference region ${claim.theta} ± δ inside (0, 1) (got δ = ${delta})`);
    }
    sprt = { property: claim.property, theta: claim.theta, direction: claim.direction, delta, alpha, beta };
  }

  if (o.shard !== undefined) {
    let shard;
    try {
      shard = parseShard(o.shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (!o.out) throw new UsageError('--shard: needs --out FILE, the shard file for `crsim merge`');
    if (sweep || workers !== undefined) throw new UsageError('--shard cannot be combined with --sweep or --workers (run one shard per process)');
    if (claim && given === undefined) throw new UsageError('--shard with --assert: needs --runs N (every shard runs its part of the N runs; merge stops the test where one process would)');
    const job = {
      target: targetSpec(o.model ?? 'v18', scenario, properties),
      profile,
      seed,
      runs,
      maxSteps,
      confidence,
      runsBy,
      ...(timeBound !== undefined ? { timeBound } : {}),
      ...(given === undefined && !claim ? { epsilon } : {}),
      ...(sprt ? { sprt } : {}),
    };
    const file = runShard(model, properties, job, shard.index, shard.count);
    writeShard(o.out, file);
    const n = file.rows.length / (3 + restartMarks.length);
    const bad = file.rows.some((x, i) => i % (3 + restartMarks.length) === 0 && x !== 0);
    out(`wrote shard ${shard.index}/${shard.count} (${n.toLocaleString('en-US')} of ${runs.toLocaleString('en-US')} runs${bad ? ', some violating' : ''}) to ${o.out}: crsim merge FILES... combines the shards`);
    return bad ? EXIT.violated : EXIT.holds;
  }

  const stop = new Subject<string>();
  const onSigint = (): void => stop.next('interrupted (Ctrl-C)');
  process.once('SIGINT', onSigint);
  const bar = new ProgressBar({ quiet: o.json === true });
  const spec = targetSpec(o.model ?? 'v18', scenario, properties);
  const runOne = async (p: Profile, total: number): Promise<{ tally: Tally; elapsedMs: number }> => {
    const options: SmcOptions<RestartState, RestartAction> = { profile: p, seed, maxSteps, runs: total, marks: restartMarks, ...(timeBound !== undefined ? { timeBound } : {}), ...(sprt ? { sprt } : {}) };
    const events =
      workers !== undefined
        ? simulateWorkers$(restartRecipe(spec), { module: new URL('../kernel/timing.ts', import.meta.url).href, exportName: 'restartMarks' }, properties, options, workers, stop)
        : simulate$(model, properties, options, stop);
    const done = await lastValueFrom(
      events.pipe(
        tap((e) => {
          if (e.type === 'progress') bar.random({ states: 0, transitions: 0, maxDepth: 0, runs: e.runs, elapsedMs: e.elapsedMs, tableBytes: 0 }, total, 'simulate');
        }),
        filter((e) => e.type === 'done'),
      ),
    );
    if (done.type !== 'done') throw new Error('internal: no result');
    return done;
  };
  const meta = (p: Profile, elapsedMs: number) => ({
    profile: { name: p.name, ...(p.source ? { source: p.source } : {}) },
    seed,
    runsBy,
    confidence,
    ...(given === undefined && !claim ? { epsilon } : {}),
    ...(timeBound !== undefined ? { timeBound } : {}),
    elapsedMs,
    ...(workers !== undefined ? { workers } : {}),
  });

  try {
    if (sweep) {
      const rows: { value: number; report: SimulationReport }[] = [];
      for (const value of sweep.values) {
        const p: Profile = { ...profile, name: `${profile.name}, ${sweep.param} ×${value}`, scales: { ...profile.scales, [sweep.param]: (profile.scales?.[sweep.param] ?? 1) * value } };
        const { tally, elapsedMs } = await runOne(p, runs);
        rows.push({ value, report: reportOf(model, properties, tally, meta(p, elapsedMs)) });
      }
      bar.stop();
      if (o.plot) await writePlot(o.plot, sweepPlotSpec(sweep.param, rows));
      const table = sweepTable(sweep.param, rows);
      if (o.html) writeText('--html', o.html, await (await import('./simulate-html.ts')).sweepHtml(sweep.param, rows, table));
      if (o.json) out(JSON.stringify({ sweep: { param: sweep.param, values: sweep.values }, rows: rows.map((r) => ({ value: r.value, ...r.report })) }, null, 2));
      else for (const line of table) out(line);
      if (o.plot && !o.json) out(`\nwrote ${o.plot}`);
      if (o.html && !o.json) out(`wrote ${o.html}`);
      return rows.some((r) => r.report.properties.some((p) => p.k > 0)) ? EXIT.violated : EXIT.holds;
    }

    const { tally, elapsedMs } = await runOne(profile, runs);
    bar.stop();
    let report = reportOf(model, properties, tally, meta(profile, elapsedMs));
    let exit: number = report.properties.some((p) => p.k > 0) ? EXIT.violated : EXIT.holds;
    if (claim && sprt && tally.sprt) {
      const decision = tally.sprt.decision === 'accept' ? 'accepted' : tally.sprt.decision === 'reject' ? 'rejected' : 'undecided';
      report = {
        ...report,
        sprt: {
          claim: `Pr(${claim.property} violated) ${claim.direction} ${claim.theta}`,
          decision,
          runs: tally.sprt.samples,
          violating: tally.sprt.hits,
          alpha: sprt.alpha,
          beta: sprt.beta,
          indifference: [claim.theta - sprt.delta, claim.theta + sprt.delta],
        },
      };
      exit = decision === 'accepted' ? EXIT.holds : decision === 'rejected' ? EXIT.violated : UNDECIDED;
    }
    // the witness: the asserted property's first violating run, else the first property violated
    const target = claim ? report.properties.find((p) => p.id === claim.property && p.firstRun !== undefined) : report.properties.find((p) => p.firstRun !== undefined);
    const wantWitness = target && (!claim || exit === EXIT.violated);
    const w = wantWitness ? witness(model, properties, { profile, seed, maxSteps, runs, ...(timeBound !== undefined ? { timeBound } : {}) }, target.firstRun!, target.id) : null;
    let saved: string | null = null;
    if (o.out && w && target) {
      const file = await makeReplayFile(model, [target.id], w.violation, { command: 'simulate', profile: profile.name, seed, run: target.firstRun! });
      writeFileAtomic(o.out, `${JSON.stringify({ ...file, times: w.times.map((t) => Math.round(t * 1000) / 1000) }, null, 2)}\n`);
      saved = o.out;
    }
    if (o.plot) await writePlot(o.plot, cdfPlotSpec(report, tally));
    if (o.html) writeText('--html', o.html, await (await import('./simulate-html.ts')).simulationHtml(report, tally, textLines(report)));
    if (o.json) {
      out(JSON.stringify({ ...report, ...(w && target ? { witness: { property: target.id, run: target.firstRun, schedule: w.violation.choices, times: w.times } } : {}), ...(saved ? { replayFile: saved } : {}) }, null, 2));
    } else {
      for (const line of textLines(report)) out(line);
      if (w && target) {
        out('');
        out(`witness: run ${target.firstRun} (seed ${seed}) violates ${target.id} at ${us(w.times[w.times.length - 1] ?? 0)}, step ${w.times.length}: ${w.violation.message}`);
        if (claim) {
          out('');
          out(swimlane(model, model.init(), w.violation.steps));
        }
      }
      if (saved) out(`saved ${saved}: crsim replay ${saved} · crsim report ${saved} --format perfetto`);
      else if (o.out) out(`--out ${o.out}: nothing saved, no violation was found`);
      if (o.plot) out(`wrote ${o.plot}`);
      if (o.html) out(`wrote ${o.html}`);
    }
    return exit;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
}

// ---- sweeps and plots ----

export function sweepTable(param: string, rows: readonly { value: number; report: SimulationReport }[]): string[] {
  const ids = rows[0]!.report.properties.filter((p) => rows.some((r) => r.report.properties.find((q) => q.id === p.id)!.k > 0)).map((p) => p.id);
  const head = [`${param} ×`, ...ids.map((id) => `Pr(${id}) [CI]`), 'restart p50', 'restart p99', 'wake-up p50'];
  const body = rows.map((r) => {
    const d = r.report.times['restart duration']!;
    const c = r.report.times['coordinator wake-up']!;
    return [
      String(r.value),
      ...ids.map((id) => {
        const p = r.report.properties.find((q) => q.id === id)!;
        return `${prob(p.k / p.n)} [${prob(p.lo)}, ${prob(p.hi)}]`;
      }),
      us(d.percentiles[0]!.value),
      us(d.percentiles[2]!.value),
      us(c.percentiles[0]!.value),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`sweep of the ${param} delay scale: ${num(rows[0]!.report.runs)} runs each, ${rows[0]!.report.profile.name.replace(/, .*/, '')} profile`, fmt(head), ...body.map(fmt)];
}

type VlSpec = Record<string, unknown>;

export function sweepPlotSpec(param: string, rows: readonly { value: number; report: SimulationReport }[]): VlSpec {
  const data = rows.flatMap((r) =>
    r.report.properties.filter((p) => rows.some((x) => x.report.properties.find((q) => q.id === p.id)!.k > 0)).map((p) => ({ x: r.value, property: p.id, p: p.k / p.n, lo: p.lo, hi: p.hi })),
  );
  const enc = { x: { field: 'x', type: 'quantitative', title: `${param} delay scale` }, color: { field: 'property', type: 'nominal' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Pr(violated) per restart against the ${param} scale (95% CI)`,
    width: 480,
    height: 280,
    data: { values: data },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { ...enc, y: { field: 'p', type: 'quantitative', title: 'Pr(violated)' } } },
      { mark: 'errorbar', encoding: { ...enc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  };
}

export function cdfPlotSpec(report: SimulationReport, tally: Tally): VlSpec {
  const xs = tally.durations.filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
  // at most 400 points of the empirical CDF
  const step = Math.max(1, Math.floor(xs.length / 400));
  const values: { t: number; F: number }[] = [];
  for (let i = 0; i < xs.length; i++) if (i % step === 0 || i === xs.length - 1) values.push({ t: xs[i]!, F: (i + 1) / xs.length });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `restart duration, ${report.model}, ${report.scenario}, profile ${report.profile.name} (${report.runs} runs)`,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'µs', scale: { type: 'log' } },
      y: { field: 'F', type: 'quantitative', title: 'fraction of runs ended' },
    },
  };
}

export async function renderSvg(spec: VlSpec): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

function writeText(flag: string, file: string, text: string): void {
  writeFileAtomic(file, text, flag); // temporary file and rename: never half a file
}

async function writePlot(file: string, spec: VlSpec): Promise<void> {
  writeText('--plot', file, await renderSvg(spec));
}

export function histogramPlotSpec(report: SimulationReport, tally: Tally): VlSpec {
  const values = tally.durations.filter((d) => !Number.isNaN(d)).map((t) => ({ t }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `restart duration, ${report.model}, profile ${report.profile.name}`,
    width: 480,
    height: 200,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 't', type: 'quantitative', bin: { maxbins: 60 }, title: 'µs' },
      y: { aggregate: 'count', type: 'quantitative', title: 'runs' },
    },
  };
}
