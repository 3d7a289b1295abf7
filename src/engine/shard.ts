/**
 * Run plans, shards and their merge, for the random walks and PCT.
 *
 * A run's schedule depends only on (seed, run index) (`runSeed`), so the runs
 * can be spread anywhere. `--shard i/n` takes the runs i, i+n, i+2n, … of the
 * R requested (strided, so every shard starts on the low indices, where the
 * verdict of an unsharded search is decided). Each shard stops at its own
 * first violation, which is the lowest failing index of its runs; the lowest
 * over the shards is the one the unsharded search stops at, so the merged
 * verdict and counterexample are the unsharded ones. Counts are summed: a
 * merged `holds` counts exactly the unsharded runs and steps; a merged
 * `violated` counts what the shards ran, which can be more.
 */
import { fieldPath, showValue, valueAt } from './json-input.ts';
import { lazySchema } from './lazy-zod.ts';
import { PctSearch, type PctOptions } from './pct.ts';
import { RandomSearch } from './random.ts';
import type { Search, SearchOptions } from './search.ts';
import type { Action, Model, Property, Result, Stats, Strategy, Verdict, Violation } from './types.ts';

/** The runs a search executes: `first + stride·j` for j = 0 … count−1. */
export interface RunPlan {
  readonly first: number;
  readonly stride: number;
  readonly count: number;
}

export interface Shard {
  /** 0-based */
  readonly index: number;
  readonly count: number;
}

export const runAt = (plan: RunPlan, j: number): number => plan.first + plan.stride * j;

/** The runs of `shard` among `runs` runs (all of them without a shard). */
export function planOf(runs: number, shard?: Shard): RunPlan {
  if (!shard) return { first: 0, stride: 1, count: runs };
  return { first: shard.index, stride: shard.count, count: Math.max(0, Math.ceil((runs - shard.index) / shard.count)) };
}

/** A `--shard` value: `i/n`, 0 ≤ i < n. Throws a RangeError naming what was expected. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1_000_000 || index >= count) {
    throw new RangeError(`--shard: expected i/n with 0 <= i < n <= 1,000,000, e.g. 0/4 (got '${text}')`);
  }
  return { index, count };
}

/** What a walk search (random.ts, pct.ts) offers to run one run by its index. */
export interface Walker<S, A extends Action> {
  readonly stats: Stats;
  one(run: number): Violation<S, A> | null;
}

/** The parameters every shard of one job shares: a merge refuses files that differ in any of them. */
export interface ShardJob {
  /** what is checked, opaque to the engine (the CLI stores model, scenario and properties) */
  readonly target: unknown;
  readonly strategy: Extract<Strategy, 'random' | 'pct'>;
  readonly seed: number;
  /** runs requested, over all shards */
  readonly runs: number;
  readonly maxDepth: number;
  readonly pct?: { readonly depth: number; readonly threads: number; readonly steps: number; readonly perRun: number };
}

/** A violation as a shard file keeps it: the schedule replays it. */
export interface SavedViolation {
  readonly property: string;
  readonly title: string;
  readonly message: string;
  readonly schedule: readonly number[];
  readonly cycleStart?: number;
}

/** What runs came to: one shard's, or every shard's merged (counts summed, the longest run the longest). */
export interface RunsOutcome {
  readonly verdict: Verdict;
  /** runs executed */
  readonly executed: number;
  readonly transitions: number;
  /** the longest run that ended */
  readonly longest: number;
  /** the machine time the runs took */
  readonly elapsedMs: number;
  readonly failedRun?: number;
  readonly violation?: SavedViolation;
  readonly stoppedBy?: string;
}

export interface ShardFile extends ShardJob, RunsOutcome {
  readonly format: typeof SHARD_FORMAT;
  readonly crsim: string;
  readonly shard: Shard;
}

export const SHARD_FORMAT = 'crsim-shard/1';

export function savedViolation(v: Violation<unknown, Action>): SavedViolation {
  return {
    property: v.property,
    title: v.title,
    message: v.message,
    schedule: [...v.choices],
    ...(v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}),
  };
}

/** The shard file of one shard's result. */
export function shardFile<S, A extends Action>(job: ShardJob, shard: Shard, r: Result<S, A>, crsim: string): ShardFile {
  return {
    format: SHARD_FORMAT,
    crsim,
    ...job,
    shard,
    verdict: r.verdict,
    executed: r.stats.runs,
    transitions: r.stats.transitions,
    longest: r.stats.maxDepth,
    elapsedMs: r.stats.elapsedMs,
    ...(r.failedRun !== undefined ? { failedRun: r.failedRun } : {}),
    ...(r.violation ? { violation: savedViolation(r.violation as Violation<unknown, Action>) } : {}),
    ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
  };
}

/** The shard file's schema, built on first use (./lazy-zod.ts). */
const schema = lazySchema((z) => {
  const nat = z.number().int().min(0);
  return z
    .object({
      format: z.literal(SHARD_FORMAT),
      crsim: z.string(),
      target: z.unknown(),
      strategy: z.enum(['random', 'pct']),
      seed: z.number().int(),
      runs: nat,
      maxDepth: nat,
      pct: z.object({ depth: z.number().int().min(1), threads: nat, steps: nat, perRun: z.number().min(0).max(1) }).strict().optional(),
      shard: z.object({ index: nat, count: z.number().int().min(1) }).strict(),
      verdict: z.enum(['holds', 'violated', 'incomplete']),
      executed: nat,
      transitions: nat,
      longest: nat,
      elapsedMs: z.number().min(0),
      failedRun: nat.optional(),
      violation: z
        .object({ property: z.string(), title: z.string(), message: z.string(), schedule: z.array(nat), cycleStart: nat.optional() })
        .strict()
        .optional(),
      stoppedBy: z.string().optional(),
    })
    .strict()
    .refine((f) => f.shard.index < f.shard.count, { message: 'expected an index below shard.count', path: ['shard', 'index'] })
    .refine((f) => (f.verdict === 'violated') === (f.violation !== undefined && f.failedRun !== undefined), {
      message: 'expected a violation and a failedRun exactly when the verdict is violated',
      path: ['violation'],
    })
    .refine((f) => f.failedRun === undefined || (f.failedRun % f.shard.count === f.shard.index && f.failedRun < f.runs), {
      message: 'expected a run of this shard (index + k·count, below runs)',
      path: ['failedRun'],
    })
    .refine((f) => (f.strategy === 'pct') === (f.pct !== undefined), { message: 'expected PCT parameters exactly for strategy pct', path: ['pct'] })
    // counts that no run of crsim writes: a shard cannot run more than its runs, nor hold having skipped one
    .refine((f) => f.executed <= planOf(f.runs, f.shard).count, {
      message: 'expected at most the runs of this shard (runs i, i+n, … below runs)',
      path: ['executed'],
    })
    .refine((f) => f.verdict !== 'holds' || f.executed === planOf(f.runs, f.shard).count, {
      message: 'expected every run of this shard for verdict holds (runs i, i+n, … below runs)',
      path: ['executed'],
    })
    .refine((f) => f.failedRun === undefined || f.executed > (f.failedRun - f.shard.index) / f.shard.count, {
      message: 'expected the failing run among the runs executed',
      path: ['executed'],
    });
});

/** A shard file that cannot be merged: the CLI prints the message (file and field) and exits 2. */
export class ShardFileError extends Error {
  override readonly name = 'ShardFileError';
}

const fieldOf = (path: readonly PropertyKey[]): string => fieldPath(path) || '(the file)';

/** The runs of the shard a file names (its fields are valid when this is asked). */
function plannedOf(json: unknown): string {
  const f = json as { runs: number; shard: Shard };
  return planOf(f.runs, f.shard).count.toLocaleString('en-US');
}

/** Validates one parsed shard file; throws {@link ShardFileError} naming the file, the field, its value and what was expected. */
export function parseShardFile(json: unknown, file: string): ShardFile {
  const r = schema().safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    const planned = fieldOf(path) === 'executed' ? ` (this shard has ${plannedOf(json)} runs)` : '';
    throw new ShardFileError(`${file}: ${fieldOf(path)}: ${issue.message}${planned} (got ${showValue(valueAt(json, path))})`);
  }
  return r.data as ShardFile;
}

/** Key order does not matter when comparing two JSON values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface Merged extends RunsOutcome {
  readonly job: ShardJob;
  readonly shards: number;
  /** the file that holds the winning violation */
  readonly from?: string;
}

/**
 * One verdict from the files of every shard of one job: the violation of the
 * lowest failing run wins; otherwise `incomplete` if a shard was stopped, else
 * `holds`. Refuses (ShardFileError, naming the file and the field) files of
 * different jobs, a shard given twice, or a missing shard.
 */
export function mergeShards(files: readonly { readonly file: string; readonly json: unknown }[]): Merged {
  if (files.length === 0) throw new ShardFileError('merge: expected at least one shard file');
  const parsed = files.map(({ file, json }) => ({ file, f: parseShardFile(json, file) }));
  const first = parsed[0]!;
  const shared = ['target', 'strategy', 'seed', 'runs', 'maxDepth', 'pct'] as const;
  for (const { file, f } of parsed.slice(1)) {
    for (const k of shared) {
      if (canonical(f[k]) !== canonical(first.f[k])) {
        throw new ShardFileError(`${file}: ${k}: expected ${showValue(first.f[k])} as in ${first.file}, the same job (got ${showValue(f[k])})`);
      }
    }
    if (f.shard.count !== first.f.shard.count) {
      throw new ShardFileError(`${file}: shard.count: expected ${first.f.shard.count} as in ${first.file} (got ${f.shard.count})`);
    }
  }
  const count = first.f.shard.count;
  const byIndex = new Map<number, string>();
  for (const { file, f } of parsed) {
    const other = byIndex.get(f.shard.index);
    if (other !== undefined) throw new ShardFileError(`${file}: shard.index: shard ${f.shard.index}/${count} is also in ${other}`);
    byIndex.set(f.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new ShardFileError(
      `merge: shard.index: expected all ${count} shards 0…${count - 1}; missing ${missing.map((i) => `${i}/${count}`).join(', ')}`,
    );
  }
  let best: { file: string; f: ShardFile } | undefined;
  for (const p of parsed) if (p.f.failedRun !== undefined && (!best || p.f.failedRun < best.f.failedRun!)) best = p;
  const stopped = parsed.find((p) => p.f.verdict === 'incomplete');
  const { format: _f, crsim: _c, shard: _s, verdict: _v, executed: _e, transitions: _t, longest: _l, elapsedMs: _m, ...rest } = first.f;
  const job: ShardJob = {
    target: rest.target,
    strategy: rest.strategy,
    seed: rest.seed,
    runs: rest.runs,
    maxDepth: rest.maxDepth,
    ...(rest.pct ? { pct: rest.pct } : {}),
  };
  const sum = (k: 'executed' | 'transitions' | 'elapsedMs'): number => parsed.reduce((a, p) => a + p.f[k], 0);
  const executed = sum('executed');
  // fewer runs than asked, and nothing found: not a pass (exit 3)
  const short = !best && !stopped && executed < job.runs ? `only ${executed.toLocaleString('en-US')} of ${job.runs.toLocaleString('en-US')} runs were executed` : null;
  return {
    job,
    shards: count,
    verdict: best ? 'violated' : stopped || short ? 'incomplete' : 'holds',
    executed,
    transitions: sum('transitions'),
    longest: Math.max(...parsed.map((p) => p.f.longest)),
    elapsedMs: sum('elapsedMs'),
    ...(best ? { failedRun: best.f.failedRun!, violation: best.f.violation!, from: best.file } : {}),
    ...(!best && stopped ? { stoppedBy: `${stopped.file}: ${stopped.f.stoppedBy ?? 'stopped'}` } : !best && short ? { stoppedBy: short } : {}),
  };
}

/** What a result says about the search besides its stats and verdict. */
export interface WalkMeta {
  readonly explored: Extract<Strategy, 'random' | 'pct'>;
  readonly seed: number;
  readonly properties: readonly string[];
  readonly pct?: ShardJob['pct'];
  readonly shard?: Shard;
}

/**
 * Runs a plan's runs in order on one walker, in slices; stops at the first
 * violation. The sequential form of a shard (workers.ts spreads the same plan
 * over threads).
 */
export class WalkSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats;
  private j = 0;
  private stopped: string | null = null;
  private readonly started = Date.now();
  private finished: Result<S, A> | null = null;

  constructor(
    private readonly walker: Walker<S, A>,
    readonly plan: RunPlan,
    private readonly meta: WalkMeta,
  ) {
    this.stats = walker.stats;
  }

  get frontier(): number {
    return this.plan.count - this.j;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    while (this.j < this.plan.count) {
      if (this.stopped) return this.finish({ verdict: 'incomplete', stoppedBy: this.stopped });
      const run = runAt(this.plan, this.j++);
      const violation = this.walker.one(run);
      this.stats.runs++;
      if (violation) return this.finish({ verdict: 'violated', violation, failedRun: run });
      if (Date.now() >= deadline) {
        this.stats.elapsedMs = Date.now() - this.started;
        return null;
      }
    }
    return this.finish({ verdict: 'holds' });
  }

  private finish(end: Pick<Result<S, A>, 'verdict' | 'violation' | 'failedRun' | 'stoppedBy'>): Result<S, A> {
    this.stats.elapsedMs = Date.now() - this.started;
    const { explored, seed, properties, pct, shard } = this.meta;
    return (this.finished = {
      explored,
      seed,
      properties,
      stats: this.stats,
      ...(pct ? { pct } : {}),
      ...(shard ? { shard } : {}),
      ...end,
    });
  }
}

export interface WalkOptions extends SearchOptions, PctOptions {
  readonly strategy: 'random' | 'pct';
  readonly shard?: Shard;
}

/** A walker for the strategy, and the PCT parameters when it is PCT. */
export function walkerFor<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  o: WalkOptions,
): { walker: Walker<S, A>; pct?: ShardJob['pct'] } {
  const base = { seed: o.seed ?? 0, maxDepth: o.maxDepth ?? 10_000, runs: 0 };
  if (o.strategy === 'random') {
    const rs = new RandomSearch(model, properties, base);
    return { walker: { stats: rs.stats, one: (r) => rs.one(r) } };
  }
  const ps = new PctSearch(model, properties, {
    ...base,
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
  });
  const b = ps.bound;
  return { walker: { stats: ps.stats, one: (r) => ps.one(r) }, pct: { depth: b.depth, threads: b.threads, steps: b.steps, perRun: b.perRun } };
}

/** The runs of the options' shard (all `runs` without one), on this thread. */
export function createWalkSearch<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  o: WalkOptions,
): WalkSearch<S, A> {
  const { walker, pct } = walkerFor(model, properties, o);
  return new WalkSearch(walker, planOf(o.runs ?? 1000, o.shard), {
    explored: o.strategy,
    seed: o.seed ?? 0,
    properties: properties.map((p) => p.id),
    ...(pct ? { pct } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
  });
}
