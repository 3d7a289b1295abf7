/**
 * `crsim explore`: property-based exploration with fast-check over scenarios
 * and schedules. On a violation it prints the shrunk scenario and schedule,
 * the swimlane, how the shrunk length compares with the shortest
 * counterexample exhaustive search finds on the same scenario, and the seed
 * and fast-check path that replay it.
 */
import type { Command } from 'commander';
import { Subject, filter, lastValueFrom, tap } from 'rxjs';
import { explorePbt$, shortestCounterexample, type PbtOptions, type PbtResult } from '../arbitraries/explore.ts';
import { scenarioToInput } from '../kernel/scenario-input.ts';
import { ALL_FAULTS, supportedFaults, supportedPlacements, type FaultType, type Placement } from '../arbitraries/scenario.ts';
import { swimlane } from '../trace/swimlane.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { ProgressBar } from './progress.ts';
import { assertNotInput, assertWritable } from './atomic-write.ts';
import { saveReplay, savedLines } from './replay.ts';
import { plural } from './verdict.ts';
import { addTargetOptions } from './check.ts';
import { assertFits, isModelFile, resolveScenario, resolveVariant } from './resolve.ts';

export interface ExploreCliOptions {
  readonly model?: string;
  readonly scenario?: string;
  readonly tasks?: string;
  readonly zombies?: string;
  /** `--fault CODE`, repeatable (resolve.ts) */
  readonly fault?: readonly string[];
  readonly properties?: string;
  readonly runs?: string;
  readonly time?: string;
  readonly seed?: string;
  readonly path?: string;
  readonly maxTasks?: string;
  readonly placements?: string;
  readonly faults?: string | boolean;
  readonly headers?: string;
  readonly maxLength?: string;
  readonly maxSteps?: string;
  readonly compare?: boolean;
  readonly json?: boolean;
  readonly out?: string;
  /** the drawn-scenario options given on the command line, by flag (registerExplore notes them) */
  readonly given?: ReadonlySet<string>;
}

/** The options that shape drawn scenarios: they do not apply to a fixed one. */
const n = (x: number): string => x.toLocaleString('en-US');

const DRAWN = ['--max-tasks', '--placements', '--faults', '--no-faults', '--headers'] as const;

/** `60s`, `2m`, `500ms`, `1h`, or a number of seconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`--time: expected a duration such as 60s, 2m or 500ms (got '${raw}')`);
  const v = Number(m[1]);
  const ms = v * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (ms <= 0) throw new UsageError(`--time: expected a positive duration (got '${raw}')`);
  return ms;
}

function listOption<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
  for (const x of items) {
    if (!allowed.includes(x as T)) throw new UsageError(`${name}: unknown value '${x}' (expected some of: ${allowed.join(', ')})`);
  }
  return items as T[];
}

/** The command line that replays a result: the same generation options, the seed and the path. */
function replayCommand(o: ExploreCliOptions, r: PbtResult): string {
  const parts = ['crsim explore', `--model ${o.model ?? 'v18'}`];
  if (o.scenario) parts.push(`--scenario ${o.scenario}`);
  if (o.tasks) parts.push(`--tasks ${o.tasks}`);
  if (o.zombies) parts.push(`--zombies ${o.zombies}`);
  if (o.properties) parts.push(`--properties ${o.properties}`);
  if (o.maxTasks) parts.push(`--max-tasks ${o.maxTasks}`);
  if (o.placements) parts.push(`--placements ${o.placements}`);
  if (o.faults === false) parts.push('--no-faults');
  else if (typeof o.faults === 'string') parts.push(`--faults ${o.faults}`);
  if (o.headers) parts.push(`--headers ${o.headers}`);
  if (o.maxLength) parts.push(`--max-length ${o.maxLength}`);
  if (o.maxSteps) parts.push(`--max-steps ${o.maxSteps}`);
  parts.push(`--seed ${r.seed}`, `--path ${r.path}`);
  return parts.join(' ');
}

export async function explore(o: ExploreCliOptions, out: (s: string) => void): Promise<number> {
  const variant = await resolveVariant(o.model);
  const fixed = o.scenario !== undefined || o.tasks !== undefined || o.zombies !== undefined || o.fault !== undefined;
  const given = o.given ?? new Set<string>();
  if (given.has('--faults') && given.has('--no-faults')) throw new UsageError('--faults and --no-faults: give one of them');
  const drawn = DRAWN.find((f) => given.has(f));
  if (fixed && drawn) {
    const by = o.scenario !== undefined ? '--scenario' : '--tasks';
    throw new UsageError(`${drawn}: applies to drawn scenarios, and ${by} fixes the scenario (drop ${drawn}, or ${by} to draw scenarios)`);
  }
  if (o.runs !== undefined && o.time !== undefined) throw new UsageError('--runs and --time: give one of them');
  const runs = intOption('--runs', o.runs, 1, 1e9);
  const timeMs = o.time !== undefined ? parseDuration(o.time) : undefined;
  const seed = intOption('--seed', o.seed ?? '0', -(2 ** 31), 2 ** 31 - 1)!;
  const maxTasks = intOption('--max-tasks', o.maxTasks, 1, 16);
  const maxLength = intOption('--max-length', o.maxLength, 0, 100_000);
  const maxSteps = intOption('--max-steps', o.maxSteps, 1, 1e7);
  if (o.path !== undefined && !/^\d+(:\d+)*$/.test(o.path)) {
    throw new UsageError(`--path: expected fast-check's path, numbers joined by ':' as explore prints it (got '${o.path}')`);
  }
  const headers = o.headers ?? 'valid';
  if (!['none', 'valid', 'any'].includes(headers)) throw new UsageError(`--headers: expected none, valid or any (got '${headers}')`);
  const faults: FaultType[] =
    o.faults === false ? [] : typeof o.faults === 'string' ? listOption('--faults', o.faults, ALL_FAULTS) : supportedFaults();
  for (const f of faults) {
    if (!supportedFaults().includes(f)) throw new UsageError(`--faults: '${f}' is not supported by this build's scenarios`);
  }
  // a model that predates RESTART_GHOST gets no ghost tasks: one would exit at once and read as a violation
  const ghosts = variant.ghostStart !== undefined;
  const placements: Placement[] | undefined = o.placements
    ? listOption('--placements', o.placements, supportedPlacements())
    : ghosts
      ? undefined
      : supportedPlacements().filter((p) => p !== 'ghost');
  if (!ghosts && placements?.includes('ghost')) {
    throw new UsageError(`--placements: model ${variant.name} has no ghost tasks (RESTART_GHOST came with v18 73/80); expected some of ${supportedPlacements().filter((p) => p !== 'ghost').join(', ')} (got '${o.placements}')`);
  }
  const scenario = fixed ? resolveScenario(o) : undefined;
  if (scenario) assertFits(variant, scenario);
  const options: PbtOptions = {
    ...(runs !== undefined ? { runs } : timeMs === undefined ? { runs: 1000 } : {}),
    ...(timeMs !== undefined ? { timeMs } : {}),
    seed,
    ...(o.path !== undefined ? { path: o.path } : {}),
    ...(scenario ? { scenario } : {}),
    scenarios: { ...(maxTasks ? { maxTasks } : {}), faults, headers: headers as 'none' | 'valid' | 'any', ...(placements ? { placements } : {}) },
    ...(maxLength !== undefined ? { schedules: { maxLength } } : {}),
    ...(o.properties !== undefined ? { properties: o.properties } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  };

  // a file that cannot be written is found now, not after the search
  if (o.out !== undefined) {
    assertNotInput(o.out, [o.scenario, o.model].filter((f): f is string => f !== undefined && (f === o.scenario || isModelFile(f))));
    assertWritable(o.out);
  }
  const stop = new Subject<string>();
  const onSigint = (): void => stop.next('interrupted (Ctrl-C)');
  process.once('SIGINT', onSigint);
  const bar = new ProgressBar({ quiet: o.json === true });
  let r: PbtResult;
  try {
    const done = await lastValueFrom(
      explorePbt$(variant, options, stop).pipe(
        tap((e) => {
          if (e.type === 'progress') bar.explore(e.progress, { ...(options.runs !== undefined ? { runs: options.runs } : {}), ...(timeMs !== undefined ? { timeMs } : {}) });
        }),
        filter((e) => e.type === 'done'),
      ),
    );
    r = done.result;
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }

  const v = r.violation;
  if (o.path !== undefined && !v && r.verdict !== 'incomplete') {
    throw new UsageError(
      `--path: '${o.path}' replays no counterexample of seed ${seed} (give the seed, model and options that explore printed with it)`,
    );
  }
  const best = v && o.compare !== false ? shortestCounterexample(variant, r.scenario!, v.property, 300_000) : null;
  let saved: Awaited<ReturnType<typeof saveReplay>> | null = null;
  let lost: UsageError | null = null;
  try {
    saved = o.out && v ? await saveReplay(o.out, r.model!, r.properties, v, { command: 'explore', seed: r.seed, path: r.path! }) : null;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    lost = e; // printed after the result, which is not lost
  }
  const time = `${(r.elapsedMs / 1000).toFixed(2)} s`;
  if (o.json) {
    out(
      JSON.stringify(
        {
          verdict: r.verdict,
          explored: 'explore',
          model: variant.name,
          seed: r.seed,
          runs: r.runs,
          elapsedMs: Math.round(r.elapsedMs),
          properties: r.properties,
          ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
          ...(v
            ? {
                property: v.property,
                title: v.title,
                message: v.message,
                path: r.path,
                numShrinks: r.numShrinks,
                firstSteps: r.firstSteps,
                steps: v.steps.length,
                ...(best ? { shortest: best.steps.length } : {}),
                scenario: scenarioToInput(r.scenario!),
                schedule: v.choices,
                drawn: r.schedule,
                replay: replayCommand(o, r),
              }
            : {}),
          ...(saved ? { replayFile: saved.file, token: saved.token } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    const what = fixed ? `scenario ${options.scenario!.name}` : `scenarios of up to ${maxTasks ?? 4} tasks`;
    out(`model ${variant.name} · explore (fast-check, seed ${r.seed}): ${what} and schedules`);
    if (!v) {
      const why = r.verdict === 'incomplete' ? `incomplete: ${r.stoppedBy}; ` : '';
      out(`${why}${plural(r.runs, 'run')}, ${time}; no violation of ${r.properties.join(', ')} found`);
    } else {
      out(`${v.property} violated after ${plural(v.steps.length, 'step')}: ${v.message}`);
      const cmp = best
        ? best.steps.length === v.steps.length
          ? `exhaustive search on this scenario: ${plural(best.steps.length, 'step')}, so this is a shortest one`
          : `exhaustive search on this scenario: ${plural(best.steps.length, 'step')}`
        : o.compare === false
          ? ''
          : 'exhaustive search on this scenario: too large to compare';
      out(`  (${v.title}; found at run ${n(r.runs)} with ${plural(r.firstSteps ?? 0, 'step')}, shrunk in ${plural(r.numShrinks, 'step')}${r.stoppedBy ? ` (stopped: ${r.stoppedBy})` : ''}; ${time}${cmp ? `; ${cmp}` : ''})`);
      out('');
      out(`scenario: ${JSON.stringify(scenarioToInput(r.scenario!))}`);
      out('');
      out(swimlane(r.model!, r.model!.init(), v.steps, v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}));
      out('');
      out(`schedule: ${v.choices.join(' ')}`);
      out(`replay: ${replayCommand(o, r)}`);
      if (variant.breaks && v.property !== variant.breaks && o.properties === undefined) {
        out(`note: ${variant.name} is declared to break ${variant.breaks}; add --properties ${variant.breaks} to look for that violation`);
      }
    }
    if (lost) out(`\n--out ${o.out}: not written (below); the result is the one above`);
    else if (o.out) for (const line of savedLines(o.out, saved)) out(line);
  }
  if (lost) throw lost;
  return EXIT[r.verdict];
}

export function registerExplore(program: Command, out: (s: string) => void): void {
  const cmd = addTargetOptions(program.command('explore').description('property-based exploration: fast-check over scenarios and schedules, shrunk counterexamples'))
    .option('-r, --runs <n>', 'how many scenario/schedule pairs (default 1000)')
    .option('--time <duration>', 'explore for this long instead, e.g. 60s or 5m')
    .option('--seed <n>', "fast-check's seed (one seed, one run)", '0')
    .option('--path <path>', "fast-check's path of a counterexample: replays it (printed by explore)")
    .option('--max-tasks <n>', 'drawn scenarios: at most n tasks (default 4)')
    .option('--placements <list>', `drawn scenarios: task kinds to place (${supportedPlacements().join(',')})`)
    .option('--faults <list>', `drawn scenarios: fault types (${supportedFaults().join(',')})`)
    .option('--no-faults', 'drawn scenarios: no faults')
    .option('--headers <kind>', 'drawn scenarios: header fields none | valid | any (any: also values restore refuses; default valid)')
    .option('--max-length <n>', 'the longest drawn schedule, before completion with choice 0 (default 200)')
    .option('--max-steps <n>', 'a run longer than this is reported as never ending (default 2000)')
    .option('--no-compare', 'do not run exhaustive search on the shrunk scenario to compare lengths')
    .option('--json', 'print one JSON object instead of text')
    .option('-o, --out <file>', 'save a violation as a replay file')
    .action(async (o: ExploreCliOptions) => {
      program.setOptionValue('exitCode', await explore({ ...o, given }, out));
    });
  // commander folds --faults and --no-faults into one value: note which flags were typed
  const given = new Set<string>();
  for (const flag of DRAWN) cmd.on(`option:${flag.slice(2)}`, () => given.add(flag));
}
