/** `crsim check`: explore one model on one scenario and say what holds. */
import type { Command } from 'commander';
import { Subject, filter, lastValueFrom, tap } from 'rxjs';
import { explore$ } from '../engine/run.ts';
import type { Result, Strategy } from '../engine/types.ts';
import type { RestartAction } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import { swimlane } from '../trace/swimlane.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { ProgressBar } from './progress.ts';
import { saveReplay, savedLines } from './replay.ts';
import { resultJson, verdictLine } from './verdict.ts';
import { resolveModel, resolveProperties, resolveScenario, type TargetOptions } from './resolve.ts';

export interface CheckOptions extends TargetOptions {
  readonly strategy?: string;
  readonly runs?: string;
  readonly seed?: string;
  readonly maxStates?: string;
  readonly maxDepth?: string;
  readonly json?: boolean;
  /** save a violation as a replay file */
  readonly out?: string;
}

const STRATEGIES: readonly Strategy[] = ['exhaustive', 'random'];

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model <name>', 'the model (see `crsim models`)', 'v18')
    .option('-s, --scenario <file>', 'a scenario file (JSON, spec §1); default: the embedded 4-task scenario')
    .option('-t, --tasks <n>', 'shorthand scenario: n tasks, a live root first')
    .option('-z, --zombies <z>', 'shorthand scenario: z of them zombies, at alternating places')
    .option('-p, --properties <ids>', 'check only these properties, e.g. P1-P7 or P1,P2 (default: P1-P10)');
}

export function registerCheck(program: Command, out: (s: string) => void): void {
  addTargetOptions(program.command('check').description('explore a model on a scenario and check P1-P10'))
    .option('--strategy <name>', 'exhaustive | random', 'exhaustive')
    .option('-r, --runs <n>', 'random: how many schedules', '1000')
    .option('--seed <n>', 'random: the seed (one seed, one run)', '0')
    .option('--max-states <n>', 'exhaustive: stop (exit 3) after this many distinct states')
    .option('--max-depth <n>', 'random: a run longer than this is reported as never ending', '10000')
    .option('--json', 'print one JSON object instead of text')
    .option('-o, --out <file>', 'save a violation as a replay file (see `crsim replay`, `crsim report`)')
    .action(async (o: CheckOptions) => {
      program.setOptionValue('exitCode', await check(o, out));
    });
}

export async function check(o: CheckOptions, out: (s: string) => void): Promise<number> {
  const strategy = o.strategy as Strategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new UsageError(`--strategy: expected one of ${STRATEGIES.join(', ')} (got '${o.strategy}')`);
  }
  const scenario = resolveScenario(o);
  const model = resolveModel(o.model, scenario);
  const properties = resolveProperties(model, o.properties);
  const options = {
    strategy,
    runs: intOption('--runs', o.runs, 1, 1e9),
    seed: intOption('--seed', o.seed, -(2 ** 31), 2 ** 31 - 1),
    maxStates: intOption('--max-states', o.maxStates, 1, 2 ** 31 - 1),
    maxDepth: intOption('--max-depth', o.maxDepth, 1, 1e7),
  };
  const stop = new Subject<string>();
  const onSigint = (): void => stop.next('interrupted (Ctrl-C)');
  process.once('SIGINT', onSigint);
  let result: Result<RestartState, RestartAction>;
  const bar = new ProgressBar({ quiet: o.json === true });
  try {
    const done = await lastValueFrom(
      explore$(model, properties, options, stop).pipe(
        tap((e) => {
          if (e.type !== 'progress') return;
          if (strategy === 'exhaustive') bar.exhaustive(e.stats, e.frontier ?? 0);
          else bar.random(e.stats, options.runs ?? 1000);
        }),
        filter((e) => e.type === 'done'),
      ),
    );
    result = done.result;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
  const origin = { command: 'check', strategy, ...(strategy !== 'exhaustive' ? { seed: options.seed ?? 0 } : {}) };
  const saved = o.out && result.violation ? await saveReplay(o.out, model, result.properties, result.violation, origin) : null;
  if (o.json) {
    out(JSON.stringify({ ...resultJson(model, result), ...(saved ? { replayFile: saved.file, token: saved.token } : {}) }, null, 2));
  } else {
    out(`model ${model.name} · scenario ${scenario.name}`);
    out(verdictLine(result));
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
    if (o.out) for (const line of savedLines(o.out, saved)) out(line);
  }
  return EXIT[result.verdict];
}
