/** `crsim check`: explore one model on one scenario and say what holds. */
import type { Command } from 'commander';
import type { RestartProperty } from '../../properties/restart.ts';
import { totalmem } from 'node:os';
import { parseBytes } from '../engine/budget.ts';
import { createSearch } from '../engine/create.ts';
import { DporSearch } from '../engine/dpor.ts';
import type { Search } from '../engine/search.ts';
import { parseShard, shardFile, type Shard } from '../engine/shard.ts';
import { shardFromEnv } from './shard-env.ts';
import type { Action, Result, Stats, Strategy } from '../engine/types.ts';
import type { RestartAction, RestartModel } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import { swimlane } from '../trace/swimlane.ts';
import { assertNotInput, assertWritable, writeFileAtomic } from './atomic-write.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { saveReplay, savedLines } from './replay.ts';
import { restartRecipe, targetSpec, type TargetSpec } from './target.ts';
import { crsimVersion } from '../package.ts';
import { pctBoundLine, resultJson, verdictLine } from './verdict.ts';
import { isModelFile, resolveModel, resolveProperties, resolveScenario, type TargetOptions } from './resolve.ts';

export interface CheckOptions extends TargetOptions {
  /** compare with this base model instead (crsim diff) */
  readonly base?: string;
  readonly strategy?: string;
  readonly runs?: string;
  readonly seed?: string;
  readonly maxStates?: string;
  readonly maxDepth?: string;
  readonly json?: boolean;
  /** save a violation as a replay file (with --shard: the shard's result file) */
  readonly out?: string;
  /** pct: the bug depth d */
  readonly depth?: string;
  /** pct: k, the run length the change points are drawn from */
  readonly steps?: string;
  /** random, pct: worker threads */
  readonly workers?: string;
  /** random, pct: `i/n` */
  readonly shard?: string;
  /** with `--shard auto`: the count where the engine does not say it */
  readonly shards?: string;
  /** exhaustive: auto | dpor | none */
  readonly reduction?: string;
  /** stop (exit 3) past this resident memory, e.g. 2G */
  readonly maxMemory?: string;
  /** exhaustive with reduction: the states the proof of a counterexample's length may store */
  readonly proofStates?: string;
}

const STRATEGIES: readonly Strategy[] = ['exhaustive', 'random', 'pct'];

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model <name>', 'the model (see `crsim models`)', 'v18')
    .option('-s, --scenario <file|code>', 'a scenario file (JSON, spec §1) or a code such as LL+sig2 (docs/cli.md); default: the embedded 4-task scenario')
    .option('-t, --tasks <n>', 'shorthand scenario: n tasks, a live root first')
    .option('-z, --zombies <z>', 'shorthand scenario: z of them zombies, at alternating places')
    .option('--fault <code>', 'add a fault to the scenario, repeatable: sigN, killN, ignN, sigC, failN, dieN, esrchN, extra; a signal pinned to a window: sig1@T5:*', (v: string, acc: string[] = []) => [...acc, v])
    .option('-p, --properties <ids>', 'check only these properties, e.g. P1-P7 or P1,P2 (default: P1-P11)');
}

/** `check --help` in four groups; an option not listed here shows under the last. */
const HELP_GROUPS: readonly [string, readonly string[]][] = [
  ['What to check:', ['--model', '--base', '--scenario', '--tasks', '--zombies', '--fault', '--properties']],
  ['How to search:', ['--strategy', '--runs', '--seed', '--depth', '--steps', '--reduction', '--workers', '--shard', '--shards']],
  ['Budgets:', ['--max-states', '--max-memory', '--max-depth', '--proof-states']],
  ['Output:', []],
];

function groupHelp(cmd: Command): void {
  for (const opt of cmd.options) {
    const group = HELP_GROUPS.find(([, flags]) => opt.long !== undefined && flags.includes(opt.long)) ?? HELP_GROUPS[HELP_GROUPS.length - 1]!;
    opt.helpGroup(group[0]);
  }
}

export function registerCheck(program: Command, out: (s: string) => void): void {
  const cmd = addTargetOptions(program.command('check').description('explore a model on a scenario and check P1-P11'))
    .option('--base <name>', 'compare --model with this base (a name or a .ts file): what it breaks that the base does not, what it fixes (as crsim diff)')
    .option('--strategy <name>', 'exhaustive | random | pct (probabilistic concurrency testing)', 'exhaustive')
    .option('-r, --runs <n>', 'random, pct: how many schedules (default 1000)')
    .option('--seed <n>', 'random, pct: the seed, one seed one run (default 0)')
    .option('--depth <d>', 'pct: the bug depth d, i.e. d - 1 priority change points per run (default 3)')
    .option('--steps <k>', 'pct: k, the run length the change points are drawn from (default: the longest of 8 calibration walks)')
    .option('--workers <n>', 'spread the work over n worker threads (same verdict and counterexample for any n); exhaustive: the plain search, in parallel')
    .option('--reduction <name>', 'exhaustive: dpor (partial-order reduction) | none | auto: from 3 tasks on, 16 random walks (uniform and PCT in turn), then a breadth-first proof of what one found, else dpor (default auto)')
    .option('--max-memory <size>', 'stop (exit 3) once the process uses this much memory, e.g. 2G or 512M')
    .option('--shard <i/n>', 'random, pct: run only runs i, i+n, i+2n, ... of --runs; --out then writes a shard file for `crsim merge`; auto: i and n from the job-array engine (Kubernetes, Slurm, GitLab, Bazel)')
    .option('--shards <n>', 'with --shard auto: the number of shards, where the engine does not set it (Kubernetes; or CRSIM_SHARDS)')
    .option('--max-states <n>', 'exhaustive: stop (exit 3) after this many distinct states')
    .option('--proof-states <n>', 'exhaustive with reduction: the states a breadth-first search may store to prove the counterexample shortest; 0 skips the proof (default 1000000)')
    .option('--max-depth <n>', 'random, pct: a run longer than this is reported as never ending (default 10000)')
    .option('--json', 'print one JSON object instead of text')
    .option('-o, --out <file>', 'save a violation as a replay file (see `crsim replay`, `crsim report`); with --shard, the shard result file')
    .action(async (o: CheckOptions) => {
      program.setOptionValue('exitCode', await check(o, out));
    });
  groupHelp(cmd);
}

export async function check(o: CheckOptions, out: (s: string) => void): Promise<number> {
  if (o.base !== undefined) return checkBase(o, out);
  const strategy = o.strategy as Strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new UsageError(`--strategy: expected one of ${STRATEGIES.join(', ')} (got '${o.strategy}')`);
  }
  const scenario = resolveScenario(o);
  const model = resolveModel(o.model, scenario);
  const properties = resolveProperties(model, o.properties);
  const walks = strategy !== 'exhaustive';
  const onlyFor = (flag: string, given: unknown, ok: boolean, which: string): void => {
    if (given !== undefined && !ok) throw new UsageError(`${flag}: applies to --strategy ${which} (got --strategy ${strategy})`);
  };
  onlyFor('--depth', o.depth, strategy === 'pct', 'pct');
  onlyFor('--steps', o.steps, strategy === 'pct', 'pct');
  onlyFor('--shard', o.shard, walks, 'random or pct');
  // an option that does not apply is refused, not ignored: the user meant something by it
  onlyFor('--runs', o.runs, walks, 'random or pct');
  onlyFor('--seed', o.seed, walks, 'random or pct');
  onlyFor('--max-depth', o.maxDepth, walks, 'random or pct');
  onlyFor('--reduction', o.reduction, !walks, 'exhaustive');
  onlyFor('--max-states', o.maxStates, !walks, 'exhaustive (a walk stores no states)');
  onlyFor('--max-memory', o.maxMemory, !walks, 'exhaustive (a walk keeps only its own run)');
  onlyFor('--proof-states', o.proofStates, !walks, 'exhaustive');
  const workers = intOption('--workers', o.workers, 1, 2 ** 31 - 1);
  // worker threads, rxjs and the progress bar's module load only where they are used (start-up: bench/startup.ts)
  const cap = workers === undefined ? null : (await import('../engine/workers.ts')).workerLimit();
  if (cap && workers !== undefined && workers > cap.max) throw new UsageError(`--workers: expected at most ${cap.max}, 4 per core on the ${cap.cores} cores here (got '${o.workers}')`);
  const reduction = exhaustiveReduction(o, model, properties, workers);
  const maxMemory = o.maxMemory === undefined ? undefined : parseBytes(o.maxMemory);
  if (maxMemory === null) throw new UsageError(`--max-memory: expected a size such as 512M, 2G or 1500000000 (got '${o.maxMemory}')`);
  let shard: Shard | undefined;
  if (o.shard !== undefined) {
    try {
      if (o.shard.trim() === 'auto') {
        const found = shardFromEnv(process.env, o.shards);
        process.stderr.write(`crsim: --shard auto: shard ${found.index}/${found.count} from ${found.from}\n`);
        shard = { index: found.index, count: found.count };
      } else shard = parseShard(o.shard);
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError((e as Error).message);
    }
  }
  if (o.shards !== undefined && o.shard?.trim() !== 'auto') throw new UsageError(`--shards: applies with --shard auto (got --shards ${o.shards}${o.shard === undefined ? '' : ` with --shard ${o.shard}`})`);
  const options = {
    strategy,
    runs: walks ? intOption('--runs', o.runs ?? '1000', 1, 1e9) : undefined,
    seed: walks ? intOption('--seed', o.seed ?? '0', -(2 ** 31), 2 ** 31 - 1) : undefined,
    maxStates: intOption('--max-states', o.maxStates, 1, 2 ** 31 - 1),
    certifyStates: intOption('--proof-states', o.proofStates, 0, 2 ** 31 - 1),
    maxDepth: walks ? intOption('--max-depth', o.maxDepth ?? '10000', 1, 1e7) : undefined,
    depth: intOption('--depth', o.depth, 1, 64),
    steps: intOption('--steps', o.steps, 1, 1e7),
    ...(shard ? { shard } : {}),
    ...(reduction ? { reduction } : {}),
    ...(maxMemory !== undefined ? { maxMemory } : {}),
  };
  if (!walks && workers !== undefined && workers > 1) assertTableFits(options.maxStates);
  // what worker threads and shard files are told to rebuild; written out (scenarioToInput) only for them
  const spec = (): TargetSpec => targetSpec(o.model ?? 'v18', scenario, properties);
  // a file that cannot be written is found now, not after the search
  if (o.out !== undefined) {
    assertNotInput(o.out, [o.scenario, o.model].filter((f): f is string => f !== undefined && (f === o.scenario || isModelFile(f))));
    assertWritable(o.out);
  }
  const stops: ((reason: string) => void)[] = [];
  const onSigint = (): void => stops.forEach((f) => f('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  let result: Result<RestartState, RestartAction>;
  // off a terminal, or with --json, the bar would draw nothing: cli-progress is not loaded
  const bar = o.json !== true && process.stderr.isTTY === true ? new (await import('./progress.ts')).ProgressBar() : null;
  const progress = (stats: Stats, frontier: number | undefined): void => {
    if (!bar) return;
    if (strategy === 'exhaustive') bar.exhaustive(stats, frontier ?? 0);
    else bar.random(stats, shard ? Math.ceil(((options.runs ?? 1000) - shard.index) / shard.count) : (options.runs ?? 1000), strategy);
  };
  try {
    if (workers !== undefined && (walks || workers > 1)) {
      const [{ Subject, filter, lastValueFrom, tap }, { exploreWorkers$ }, { exploreExhaustiveParallel$ }] = await Promise.all([
        import('rxjs'),
        import('../engine/workers.ts'),
        import('../engine/parallel.ts'),
      ]);
      const stop = new Subject<string>();
      stops.push((reason) => stop.next(reason));
      const done = await lastValueFrom(
        (walks
          ? exploreWorkers$(restartRecipe(spec()), { model, properties }, { ...options, strategy, workers }, stop)
          : exploreExhaustiveParallel$(restartRecipe(spec()), model, properties, { ...options, workers }, stop)
        ).pipe(
          tap((e) => e.type === 'progress' && progress(e.stats, e.frontier)),
          filter((e) => e.type === 'done'),
        ),
      );
      result = done.result;
    } else {
      const search = createSearch(model, properties, options);
      stops.push((reason) => search.stop(reason));
      result = await sliced(search, progress);
    }
  } catch (e) {
    // the shared table of the parallel search could not be allocated: too many states asked for
    if (e instanceof Error && /cannot allocate the shared state table|Array buffer allocation failed/.test(e.message)) {
      throw new UsageError(`--max-states: ${e.message.replace(/^worker \d+: /, '')} (expected fewer states for --workers, whose table is allocated at once)`);
    }
    throw e;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
  const origin = {
    command: 'check',
    strategy,
    ...(walks ? { seed: options.seed ?? 0 } : {}),
    ...(result.failedRun !== undefined ? { run: result.failedRun } : {}),
    ...(result.pct ? { depth: result.pct.depth, steps: result.pct.steps } : {}),
  };
  let lost: UsageError | null = null;
  if (shard && o.out) {
    const job = {
      target: spec(),
      strategy: strategy as 'random' | 'pct',
      seed: options.seed ?? 0,
      runs: options.runs ?? 1000,
      maxDepth: options.maxDepth ?? 10_000,
      ...(result.pct ? { pct: result.pct } : {}),
    };
    try {
      writeFileAtomic(o.out, `${JSON.stringify(shardFile(job, shard, result, crsimVersion()), null, 2)}\n`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      lost = e;
    }
  }
  let saved: Awaited<ReturnType<typeof saveReplay>> | null = null;
  try {
    saved = o.out && !shard && result.violation ? await saveReplay(o.out, model, result.properties, result.violation, origin) : null;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    lost = e; // the search's result is printed all the same, then the error (exit 2)
  }
  if (o.json) {
    out(JSON.stringify({ ...resultJson(model, result), ...(saved ? { replayFile: saved.file, token: saved.token } : {}) }, null, 2));
  } else {
    out(`model ${model.name} · scenario ${scenario.name}`);
    out(verdictLine(result));
    const bound = pctBoundLine(result, options.runs ?? 1000);
    if (bound) out(bound);
    const v = result.violation;
    if (v) {
      out('');
      out(swimlane(model, model.init(), v.steps, v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}));
      out('');
      out(`schedule: ${v.choices.join(' ')}`);
      const breaks = model.variant.breaks;
      if (breaks && v.property !== breaks && o.properties === undefined) {
        out(`note: ${model.name} is declared to break ${breaks}; the shortest violation of any property is this ${v.property}. Add --properties ${breaks} to see its own.`);
      }
    }
    if (lost) out(`\n--out ${o.out}: not written (below); the result is the one above`);
    else if (o.out && shard) out(`\nwrote shard ${shard.index}/${shard.count} to ${o.out}: crsim merge FILES... combines the shards`);
    else if (o.out) for (const line of savedLines(o.out, saved)) out(line);
  }
  if (lost) throw lost;
  return EXIT[result.verdict];
}

/**
 * Runs a search on this thread in slices of 100 ms, back to the event loop
 * between them (Ctrl-C, the bar), to its result: `explore$` without rxjs.
 */
async function sliced<S, A extends Action>(search: Search<S, A>, progress: (stats: Stats, frontier: number) => void): Promise<Result<S, A>> {
  for (;;) {
    const result = search.work(100);
    if (result) return result;
    progress({ ...search.stats }, search.frontier);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `check --base`: exhaustive searches only; the options of one search alone are refused, not ignored. */
async function checkBase(o: CheckOptions, out: (s: string) => void): Promise<number> {
  const alone: [string, unknown][] = [
    ['--out', o.out], ['--workers', o.workers], ['--shard', o.shard], ['--runs', o.runs], ['--seed', o.seed], ['--reduction', o.reduction], ['--max-depth', o.maxDepth], ['--depth', o.depth], ['--steps', o.steps],
  ];
  const given = alone.find(([, v]) => v !== undefined);
  if (given) throw new UsageError(`${given[0]}: does not apply with --base (the comparison runs exhaustive searches, breadth first; got ${given[0]} ${String(given[1])})`);
  if ((o.strategy ?? 'exhaustive') !== 'exhaustive') throw new UsageError(`--strategy: --base compares exhaustively (got '${o.strategy}')`);
  const { checkAgainstBase } = await import('./diff.ts');
  return checkAgainstBase({ ...o, base: o.base! }, out);
}

/**
 * The parallel search allocates its shared table for --max-states at once
 * (12 bytes a slot: fingerprint and first parent; a power of two with a quarter free, as SharedTable sizes
 * it): refuse a table larger than this machine's memory before trying.
 */
function assertTableFits(maxStates: number | undefined): void {
  if (maxStates === undefined) return;
  let slots = 1 << 12;
  while ((slots * 3) / 4 < maxStates) slots *= 2;
  const bytes = 12 * slots;
  if (bytes > totalmem()) {
    const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
    const most = Math.floor((2 ** Math.floor(Math.log2(totalmem() / 12)) * 3) / 4);
    throw new UsageError(
      `--max-states: with --workers the shared table for ${maxStates.toLocaleString('en-US')} states is allocated at once and needs ${gib(bytes)}, more than this machine's ${gib(totalmem())}; expected at most ${most.toLocaleString('en-US')} (got ${maxStates.toLocaleString('en-US')})`,
    );
  }
}

/**
 * The partial-order reduction an exhaustive check uses: `dpor` when asked,
 * and with `auto` from 3 tasks on random walks, then dpor where they find
 * nothing (src/engine/auto.ts); none on worker threads (the parallel search is the
 * plain one).
 */
function exhaustiveReduction(
  o: CheckOptions,
  model: RestartModel,
  properties: readonly RestartProperty[],
  workers: number | undefined,
): 'dpor' | 'auto' | undefined {
  const asked = o.reduction ?? 'auto';
  if (!['auto', 'dpor', 'none'].includes(asked)) throw new UsageError(`--reduction: expected auto, dpor or none (got '${asked}')`);
  if (asked === 'none' || (o.strategy ?? 'exhaustive') !== 'exhaustive') return undefined;
  const parallel = workers !== undefined && workers > 1;
  const why = DporSearch.unsupported(model, properties);
  if (asked === 'dpor') {
    if (parallel) throw new UsageError('--reduction dpor: partial-order reduction runs on one thread; drop --workers, or use --reduction none');
    if (why) throw new UsageError(`--reduction dpor: ${why}`);
    return 'dpor';
  }
  // auto: random walks, then dpor (src/engine/auto.ts)
  return !parallel && !why && model.env.tasks.length >= 3 ? 'auto' : undefined;
}
