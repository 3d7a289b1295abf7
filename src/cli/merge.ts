/**
 * `crsim merge FILES…`: one verdict from the shard files that
 * `crsim check --strategy random|pct --shard i/n --out FILE` wrote, on one
 * machine or many. The violation of the lowest failing run wins (the one an
 * unsharded run reports); counts are summed. Files of different jobs, a shard
 * given twice or missing, or a malformed file exit 2 naming the file and the
 * field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { replay } from '../engine/replay.ts';
import { mergeShards, ShardFileError, type Merged } from '../engine/shard.ts';
import type { Result } from '../engine/types.ts';
import type { RestartAction } from '../kernel/model.ts';
import { ScenarioError } from '../kernel/scenario.ts';
import type { RestartState } from '../kernel/state.ts';
import { swimlane } from '../trace/swimlane.ts';
import { JsonInputError, parseJsonInput } from '../engine/json-input.ts';
import { assertNotInput, assertWritable } from './atomic-write.ts';
import { EXIT, UsageError } from './errors.ts';
import { saveReplay, savedLines } from './replay.ts';
import { expandShardFiles } from './shard-files.ts';
import { restartTarget, type TargetSpec } from './target.ts';
import { pctBoundLine, plural, resultJson, verdictLine } from './verdict.ts';

/** Reads and merges shard files; a file that cannot be read or merged is a UsageError. */
export function mergeFiles(files: readonly string[]): Merged {
  const parsed = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      return { file, json: parseJsonInput(text) };
    } catch (e) {
      if (e instanceof JsonInputError) throw new UsageError(`${file}: ${e.message}`);
      throw e;
    }
  });
  try {
    return mergeShards(parsed);
  } catch (e) {
    if (e instanceof ShardFileError) throw new UsageError(e.message);
    throw e;
  }
}

function isTargetSpec(t: unknown): t is TargetSpec {
  const x = t as Partial<TargetSpec> | null;
  return typeof x === 'object' && x !== null && typeof x.model === 'string' && typeof x.scenario === 'object' && Array.isArray(x.properties);
}

export function registerMerge(program: Command, out: (s: string) => void): void {
  program
    .command('merge')
    .description('combine the shard files of `check --shard i/n --out FILE` into one verdict')
    .argument('<files...>', "one shard file per shard, 0/n … n-1/n: files, a directory of them, or a pattern such as 'out/shard-*.json'")
    .option('--json', 'print one JSON object instead of text')
    .option('-o, --out <file>', 'save the merged violation as a replay file')
    .action(async (files: string[], o: { json?: boolean; out?: string }) => {
      program.setOptionValue('exitCode', await merge(files, o, out));
    });
}

export async function merge(args: readonly string[], o: { json?: boolean; out?: string }, out: (s: string) => void): Promise<number> {
  const files = expandShardFiles(args);
  // shards of `crsim simulate` (timed runs) have their own format and merge
  const sim = await import('./simulate-shard.ts');
  if (files.length > 0 && sim.isSimulateShard(files[0]!)) return sim.mergeSimulate(files, o, out);
  if (o.out !== undefined) {
    assertNotInput(o.out, files);
    assertWritable(o.out);
  }
  const m = mergeFiles(files);
  const spec = m.job.target;
  if (!isTargetSpec(spec)) throw new UsageError(`${files[0]}: target: expected { model, scenario, properties } (got ${JSON.stringify(spec).slice(0, 60)})`);
  let target;
  try {
    // a model path stored relative (older shard files) is read from the first shard file's folder
    target = await restartTarget(spec, dirname(resolvePath(files[0]!)));
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError) throw new UsageError(`${files[0]}: target: ${e.message}`);
    throw e;
  }
  const { model, properties } = target;
  const stats = { states: m.transitions, transitions: m.transitions, maxDepth: m.longest, runs: m.executed, elapsedMs: m.elapsedMs, tableBytes: 0 };
  const base = {
    explored: m.job.strategy,
    stats,
    seed: m.job.seed,
    properties: properties.map((p) => p.id),
    ...(m.job.pct ? { pct: m.job.pct } : {}),
  };
  let result: Result<RestartState, RestartAction>;
  if (m.violation) {
    const run = replay(model, [], m.violation.schedule);
    if (run.steps.length !== m.violation.schedule.length) {
      throw new UsageError(`${m.from}: violation.schedule: expected a schedule of the model (${model.name}) that runs to its end (it stops after ${run.steps.length} steps)`);
    }
    const violation = {
      property: m.violation.property,
      title: m.violation.title,
      message: m.violation.message,
      steps: run.steps,
      choices: run.choices,
      ...(m.violation.cycleStart !== undefined ? { cycleStart: m.violation.cycleStart } : {}),
    };
    result = { ...base, verdict: 'violated', violation, failedRun: m.failedRun! };
  } else if (m.verdict === 'incomplete') {
    result = { ...base, verdict: 'incomplete', stoppedBy: m.stoppedBy ?? 'a shard was stopped' };
  } else {
    result = { ...base, verdict: 'holds' };
  }
  const origin = { command: 'merge', strategy: m.job.strategy, seed: m.job.seed, ...(m.failedRun !== undefined ? { run: m.failedRun } : {}) };
  const saved = o.out && result.violation ? await saveReplay(o.out, model, result.properties, result.violation, origin) : null;
  if (o.json) {
    out(JSON.stringify({ ...resultJson(model, result), shards: m.shards, ...(m.from ? { from: m.from } : {}), ...(saved ? { replayFile: saved.file, token: saved.token } : {}) }, null, 2));
  } else {
    out(`merged ${m.shards} shard${m.shards === 1 ? '' : 's'} · model ${model.name} · scenario ${model.env.scenario.name}`);
    out(verdictLine(result));
    out(`(counts and time summed over the shards: ${m.executed.toLocaleString('en-US')} of ${plural(m.job.runs, 'run')} executed)`);
    const bound = pctBoundLine(result, m.job.runs);
    if (bound) out(bound);
    const v = result.violation;
    if (v) {
      out(`from ${m.from}`);
      out('');
      out(swimlane(model, model.init(), v.steps, v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}));
      out('');
      out(`schedule: ${v.choices.join(' ')}`);
    }
    if (o.out) for (const line of savedLines(o.out, saved)) out(line);
  }
  return EXIT[result.verdict];
}
