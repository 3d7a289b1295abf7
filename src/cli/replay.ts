/**
 * `crsim replay FILE|TOKEN`: re-runs a saved violation step by step, prints the
 * swimlane and says whether the same violation happens again. Exit 1 when it
 * does (a violation, as `check` exits), 0 when it no longer reproduces, 3 when
 * a step no longer applies (the model changed under the file), 2 for a file
 * that cannot be read.
 */
import type { Command } from 'commander';
import type { Violation } from '../engine/types.ts';
import type { RestartAction, RestartModel, RestartVariant } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import {
  encodeToken,
  makeReplayFile,
  readReplay,
  replayFile,
  ReplayFileError,
  type ReplayFile,
  type ReplayOutcome,
} from '../trace/replayfile.ts';
import { swimlane } from '../trace/swimlane.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { EXIT, UsageError } from './errors.ts';
import { findVariant } from '../../models/index.ts';
import { isModelFile, registered, resolveVariant } from './resolve.ts';

/** Writes a violation to `path` as a replay file; returns the file and its token. */
export async function saveReplay(
  path: string,
  model: RestartModel,
  properties: readonly string[],
  violation: Violation<RestartState, RestartAction>,
  origin?: Record<string, string | number>,
): Promise<{ file: string; token: string; replay: ReplayFile }> {
  const replay = await makeReplayFile(model, properties, violation, origin);
  writeFileAtomic(path, `${JSON.stringify(replay, null, 2)}\n`);
  return { file: path, token: encodeToken(replay), replay };
}

/** What `check` and `explore` print after `--out`. */
export function savedLines(path: string, saved: { file: string; token: string } | null): string[] {
  if (!saved) return ['', `--out ${path}: nothing saved, no violation was found`];
  return ['', `saved ${saved.file}: crsim replay ${saved.file} · crsim report ${saved.file} --format html`, `replay token: ${saved.token}`];
}

/**
 * The variant a replay file names, or the one `--model` gives instead. A file
 * or token is shared in issues and chats: the model it names is looked up
 * among the built-in models only, never imported as code; a model file runs
 * only when the user names it with `--model`.
 */
export async function variantFor(f: ReplayFile, model: string | undefined, fileArg = 'FILE'): Promise<RestartVariant> {
  if (model === undefined && isModelFile(f.model.name)) {
    throw new UsageError(
      `model: '${f.model.name}' names a file, and crsim never runs code named by a replay file or token; expected a built-in model (crsim models), or pass --model FILE.ts to replay on a model file you trust`,
    );
  }
  if (model === undefined && !findVariant(f.model.name) && f.model.source !== undefined && !f.model.source.startsWith('models/')) {
    // saved from a model file: its path is in the file, but a replay file is shared like a token, so it is not loaded from there
    throw new UsageError(
      `model: '${f.model.name}' was saved from the model file ${f.model.source}; crsim never loads code named by a replay file or token. If you trust that file, run: crsim replay ${fileArg} --model ${f.model.source}`,
    );
  }
  try {
    return model === undefined ? registered(f.model.name) : await resolveVariant(model);
  } catch (e) {
    if (e instanceof UsageError && model === undefined) {
      throw new UsageError(
        `the file's model '${f.model.name}' is not in this build (${e.message.replace(/^--model: /, '')}); pass --model NAME or --model FILE.ts`,
      );
    }
    throw e;
  }
}

/** Reads a replay file or token; an unreadable one is a usage error (exit 2). */
export function load(fileOrToken: string): ReplayFile {
  try {
    return readReplay(fileOrToken);
  } catch (e) {
    if (e instanceof ReplayFileError) throw new UsageError(e.message);
    throw e;
  }
}

export async function replayOutcome(fileOrToken: string, model?: string): Promise<{ file: ReplayFile; outcome: ReplayOutcome }> {
  const file = load(fileOrToken);
  const variant = await variantFor(file, model, fileOrToken.length > 60 ? 'FILE' : fileOrToken);
  try {
    const outcome = await replayFile(file, variant);
    if (model !== undefined && variant.name !== file.model.name) {
      // said plainly: the verdict is about another model than the one that found the violation
      return { file, outcome: { ...outcome, notes: [`replaying on ${variant.name} as --model asked, not on ${file.model.name}, the model the file was saved from`, ...outcome.notes] } };
    }
    return { file, outcome };
  } catch (e) {
    if (e instanceof ReplayFileError) throw new UsageError(e.message);
    throw e;
  }
}

export const REPLAY_EXIT = { reproduced: EXIT.violated, different: EXIT.violated, 'not-reproduced': EXIT.holds, diverged: EXIT.incomplete } as const;

export function registerReplay(program: Command, out: (s: string) => void): void {
  program
    .command('replay')
    .description('re-run a saved violation (a file from --out, or its token) step by step and confirm it')
    .argument('<file-or-token>', 'a replay file (cex.json) or a crsim1.… token')
    .option('-m, --model <name>', "replay on this model instead of the file's (a name or a .ts file)")
    .option('--json', 'print one JSON object instead of text')
    .action(async (arg: string, o: { model?: string; json?: boolean }) => {
      const { file, outcome } = await replayOutcome(arg, o.model);
      const m = outcome.model;
      if (o.json) {
        out(
          JSON.stringify(
            {
              status: outcome.status,
              summary: outcome.summary,
              model: m.name,
              scenario: m.env.scenario.name,
              saved: { property: file.violation.property, steps: file.schedule.length, crsim: file.crsim },
              ...(outcome.violation ? { property: outcome.violation.property, message: outcome.violation.message } : {}),
              steps: outcome.steps.length,
              schedule: outcome.choices,
              notes: outcome.notes,
            },
            null,
            2,
          ),
        );
      } else {
        out(`replay ${arg.length > 60 ? `${arg.slice(0, 40)}…` : arg} · model ${m.name} · scenario ${m.env.scenario.name} · saved by crsim ${file.crsim}`);
        for (const note of outcome.notes.slice(0, 8)) out(`note: ${note}`);
        if (outcome.notes.length > 8) out(`note: … and ${outcome.notes.length - 8} more steps found at another index`);
        if (outcome.steps.length) {
          out('');
          out(swimlane(m, outcome.init, outcome.steps, outcome.cycleStart !== undefined ? { cycleStart: outcome.cycleStart } : {}));
          out('');
        }
        out(outcome.summary);
        const times = file.times;
        if (times?.length) out(`timed run (crsim simulate): step ${times.length} at ${times.at(-1)!.toFixed(2)} µs; crsim report FILE --format perfetto|html draws it on that clock`);
      }
      program.setOptionValue('exitCode', REPLAY_EXIT[outcome.status]);
    });
}
