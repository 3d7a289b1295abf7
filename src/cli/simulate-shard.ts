/**
 * Shards of `crsim simulate`: `--shard i/n --out FILE` runs the runs i, i+n,
 * i+2n, … of the job and writes each run's outcome; `crsim merge` reads the
 * n files, checks they are one job with every shard once, puts the runs back
 * in index order and tallies them as one process would (an SPRT consumes them
 * in that order too). The numbers are those of the unsharded run.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.ts';
import { z } from 'zod';
import { distributionSchema, type Profile } from '../engine/profile.ts';
import { encode, rowWidth, SmcTally, type SmcOptions } from '../engine/smc.ts';
import { TimedSimulator } from '../engine/timed.ts';
import type { RestartAction, RestartModel } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import { restartMarks } from '../kernel/timing.ts';
import { crsimVersion } from '../trace/replayfile.ts';
import type { RestartProperty } from '../../properties/restart.ts';
import { EXIT, UsageError } from './errors.ts';
import { restartTarget, type TargetSpec } from './target.ts';
import { reportOf, textLines, witness, type SimulationReport } from './simulate.ts';

export const SIM_SHARD_FORMAT = 'crsim-simulate-shard/1';

export interface SimJob {
  readonly target: TargetSpec;
  readonly profile: Profile;
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly timeBound?: number;
  readonly confidence: number;
  readonly runsBy: string;
  readonly epsilon?: number;
  readonly sprt?: NonNullable<SmcOptions<RestartState, RestartAction>['sprt']>;
}

export interface SimShardFile {
  readonly format: typeof SIM_SHARD_FORMAT;
  readonly crsim: string;
  readonly job: SimJob;
  readonly shard: { readonly index: number; readonly count: number };
  /** per run of the shard, in order: [violated mask, end code, duration, …mark times]; null for NaN */
  readonly rows: readonly (number | null)[];
}

const schema = z.object({
  format: z.literal(SIM_SHARD_FORMAT),
  crsim: z.string(),
  job: z.object({
    target: z.object({ model: z.string(), scenario: z.record(z.string(), z.unknown()), properties: z.array(z.string()) }),
    profile: z.object({ name: z.string(), source: z.string().optional(), classes: z.record(z.string(), distributionSchema), scales: z.record(z.string(), z.number()).optional() }),
    seed: z.number().int(),
    runs: z.number().int().min(1),
    maxSteps: z.number().int().min(1),
    timeBound: z.number().positive().optional(),
    confidence: z.number().gt(0).lt(1),
    runsBy: z.string(),
    epsilon: z.number().optional(),
    sprt: z.record(z.string(), z.unknown()).optional(),
  }),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).refine((s) => s.index < s.count, { message: 'expected index < count', path: ['index'] }),
  rows: z.array(z.number().nullable()),
});

/** Runs shard `index` of `count` of the job and returns its file. */
export function runShard(model: RestartModel, properties: readonly RestartProperty[], job: SimJob, index: number, count: number): SimShardFile {
  const sim = new TimedSimulator(model, properties, { profile: job.profile, seed: job.seed, maxSteps: job.maxSteps, marks: restartMarks, ...(job.timeBound !== undefined ? { timeBound: job.timeBound } : {}) });
  const w = rowWidth(restartMarks.length);
  const nonTermination = properties.findIndex((p) => p.coversNonTermination);
  const mine = Math.max(0, Math.ceil((job.runs - index) / count));
  const rows = new Float64Array(mine * w);
  for (let j = 0; j < mine; j++) encode(sim.run(index + j * count), nonTermination, rows, j * w);
  return { format: SIM_SHARD_FORMAT, crsim: crsimVersion(), job, shard: { index, count }, rows: Array.from(rows, (x) => (Number.isNaN(x) ? null : x)) };
}

export function writeShard(file: string, shard: SimShardFile): void {
  writeFileAtomic(file, `${JSON.stringify(shard)}\n`); // temporary file and rename: never half a file
}

/** True when the file is a simulate shard (so `crsim merge` hands it here). */
export function isSimulateShard(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').slice(0, 200).includes(`"format":"${SIM_SHARD_FORMAT}"`);
  } catch {
    return false;
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function readShard(file: string): SimShardFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UsageError(`${file}: ${issue.path.join('.') || '(the file)'}: ${issue.message}`);
  }
  return r.data as unknown as SimShardFile;
}

/** `crsim merge` of simulate shards: the report of the whole job. */
export async function mergeSimulate(files: readonly string[], o: { json?: boolean }, out: (s: string) => void): Promise<number> {
  const shards = files.map((file) => ({ file, s: readShard(file) }));
  const first = shards[0]!;
  const count = first.s.shard.count;
  const seen = new Map<number, string>();
  for (const { file, s } of shards) {
    if (canonical(s.job) !== canonical(first.s.job)) throw new UsageError(`${file}: job: expected the job of ${first.file} (same model, scenario, profile, seed, runs)`);
    if (s.shard.count !== count) throw new UsageError(`${file}: shard.count: expected ${count}, as ${first.file} (got ${s.shard.count})`);
    const dup = seen.get(s.shard.index);
    if (dup) throw new UsageError(`${file}: shard.index: shard ${s.shard.index}/${count} is also ${dup}`);
    seen.set(s.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_v, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new UsageError(`merge: shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing (expected one file per shard 0/${count} … ${count - 1}/${count})`);
  const job = first.s.job;
  const { model, properties } = await restartTarget(job.target);
  const w = rowWidth(restartMarks.length);
  const byIndex = new Map(shards.map(({ file, s }) => [s.shard.index, { file, rows: s.rows }]));
  const all = new Float64Array(job.runs * w);
  for (let r = 0; r < job.runs; r++) {
    const { file, rows } = byIndex.get(r % count)!;
    const at = Math.floor(r / count) * w;
    if (at + w > rows.length) throw new UsageError(`${file}: rows: expected ${Math.ceil((job.runs - (r % count)) / count)} runs of ${w} numbers (got ${rows.length / w})`);
    for (let k = 0; k < w; k++) all[r * w + k] = rows[at + k] ?? NaN;
  }
  const tally = new SmcTally(properties, restartMarks.length, job.sprt);
  tally.add(0, all);
  const t = tally.tally;
  let report: SimulationReport = reportOf(model, properties, t, {
    profile: { name: job.profile.name, ...(job.profile.source ? { source: job.profile.source } : {}) },
    seed: job.seed,
    runsBy: job.runsBy,
    confidence: job.confidence,
    ...(job.epsilon !== undefined ? { epsilon: job.epsilon } : {}),
    ...(job.timeBound !== undefined ? { timeBound: job.timeBound } : {}),
    elapsedMs: 0,
  });
  let exit: number = report.properties.some((p) => p.k > 0) ? EXIT.violated : EXIT.holds;
  if (job.sprt && t.sprt) {
    const decision = t.sprt.decision === 'accept' ? 'accepted' : t.sprt.decision === 'reject' ? 'rejected' : 'undecided';
    report = {
      ...report,
      sprt: {
        claim: `Pr(${job.sprt.property} violated) ${job.sprt.direction} ${job.sprt.theta}`,
        decision,
        runs: t.sprt.samples,
        violating: t.sprt.hits,
        alpha: job.sprt.alpha,
        beta: job.sprt.beta,
        indifference: [job.sprt.theta - job.sprt.delta, job.sprt.theta + job.sprt.delta],
      },
    };
    exit = decision === 'accepted' ? EXIT.holds : decision === 'rejected' ? EXIT.violated : EXIT.incomplete;
  }
  const target = job.sprt ? report.properties.find((p) => p.id === job.sprt!.property && p.firstRun !== undefined) : report.properties.find((p) => p.firstRun !== undefined);
  const wit = target ? witness(model, properties, { profile: job.profile, seed: job.seed, maxSteps: job.maxSteps, runs: job.runs, ...(job.timeBound !== undefined ? { timeBound: job.timeBound } : {}) }, target.firstRun!, target.id) : null;
  if (o.json) out(JSON.stringify({ ...report, shards: count, ...(wit && target ? { witness: { property: target.id, run: target.firstRun, schedule: wit.violation.choices, times: wit.times } } : {}) }, null, 2));
  else {
    out(`merged ${count} simulate shard${count === 1 ? '' : 's'}`);
    for (const line of textLines(report)) out(line);
    if (wit && target) out(`witness: run ${target.firstRun} (seed ${job.seed}) violates ${target.id}: ${wit.violation.message}`);
  }
  return exit;
}
