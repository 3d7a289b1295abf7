/**
 * `crsim report FILE --format html|mermaid|perfetto|itf|json [-o OUT]`: draws a
 * saved violation. The file is replayed first (so the states are the model's
 * own), then exported; a file whose steps no longer apply is refused (exit 3)
 * with the step that failed.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Trace } from '../trace/annotate.ts';
import { exportTrace, FORMATS, type Format } from '../trace/export.ts';
import { crsimVersion, encodeToken, type ReplayFile, type ReplayOutcome } from '../trace/replayfile.ts';
import { EXIT, UsageError } from './errors.ts';
import { replayOutcome } from './replay.ts';

/** The drawable trace of a replayed file. */
export function traceOf(file: ReplayFile, outcome: ReplayOutcome): Trace {
  return {
    model: outcome.model,
    init: outcome.init,
    steps: outcome.steps,
    ...(outcome.violation ? { violation: outcome.violation } : {}),
    ...(outcome.cycleStart !== undefined ? { cycleStart: outcome.cycleStart } : {}),
    token: encodeToken(file),
    crsimVersion: crsimVersion(),
  };
}

export function registerReport(program: Command, out: (s: string) => void): void {
  program
    .command('report')
    .description('export a saved violation: an HTML swimlane page, Mermaid, Perfetto (Chrome trace), ITF or JSON')
    .argument('<file-or-token>', 'a replay file (cex.json) or a crsim1.… token')
    .option('-f, --format <format>', FORMATS.join(' | '), 'html')
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('-m, --model <name>', "draw on this model instead of the file's (a name or a .ts file)")
    .action(async (arg: string, o: { format: string; output?: string; model?: string }) => {
      if (!FORMATS.includes(o.format as Format)) {
        throw new UsageError(`--format: expected one of ${FORMATS.join(', ')} (got '${o.format}')`);
      }
      const { file, outcome } = await replayOutcome(arg, o.model);
      if (outcome.status === 'diverged') {
        process.stderr.write(`crsim: cannot draw ${arg}: ${outcome.summary}\n`);
        program.setOptionValue('exitCode', EXIT.incomplete);
        return;
      }
      if (outcome.status !== 'reproduced') process.stderr.write(`crsim: note: ${outcome.summary}\n`);
      const text = exportTrace(traceOf(file, outcome), o.format as Format);
      if (o.output) {
        try {
          writeFileSync(o.output, text);
        } catch (e) {
          throw new UsageError(`--output: cannot write '${o.output}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
        out(`wrote ${o.output} (${o.format}, ${outcome.steps.length} steps)`);
      } else {
        out(text.trimEnd());
      }
      program.setOptionValue('exitCode', EXIT.holds);
    });
}
