/**
 * `crsim report FILE --format html|mermaid|perfetto|itf|json [--out OUT]`: draws a
 * saved violation. The file is replayed first (so the states are the model's
 * own), then exported; a file whose steps no longer apply is refused (exit 3)
 * with the step that failed.
 */
import { Option, type Command } from 'commander';
import type { Trace } from '../trace/annotate.ts';
import { exportTrace, FORMATS, type Format } from '../trace/export.ts';
import { retimeHtml, retimePerfetto } from '../trace/timeaxis.ts';
import { crsimVersion, encodeToken, isToken, type ReplayFile, type ReplayOutcome } from '../trace/replayfile.ts';
import { assertNotInput, assertWritable, writeFileAtomic } from './atomic-write.ts';
import { EXIT, UsageError } from './errors.ts';
import { plural } from './verdict.ts';
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
    .option('-o, --out <file>', 'write here instead of standard output')
    .addOption(new Option('--output <file>', 'the same as --out').hideHelp())
    .option('-m, --model <name>', "draw on this model instead of the file's (a name or a .ts file)")
    .action(async (arg: string, o: { format: string; out?: string; output?: string; model?: string }) => {
      if (!FORMATS.includes(o.format as Format)) {
        throw new UsageError(`--format: expected one of ${FORMATS.join(', ')} (got '${o.format}')`);
      }
      if (o.out !== undefined && o.output !== undefined) throw new UsageError('--out and --output: give one of them (--output is the old name of --out)');
      const dest = o.out ?? o.output;
      const flag = o.out !== undefined ? '--out' : '--output';
      if (dest !== undefined) {
        // the replay file is an input: a trace written over it would lose it
        assertNotInput(dest, isToken(arg) ? [] : [arg], flag);
        assertWritable(dest, flag);
      }
      const { file, outcome } = await replayOutcome(arg, o.model);
      if (outcome.status === 'diverged') {
        process.stderr.write(`crsim: cannot draw ${arg}: ${outcome.summary}\n`);
        program.setOptionValue('exitCode', EXIT.incomplete);
        return;
      }
      if (outcome.status !== 'reproduced') process.stderr.write(`crsim: note: ${outcome.summary}\n`);
      let text = exportTrace(traceOf(file, outcome), o.format as Format);
      // a timed run's file (crsim simulate --out) carries the clock: Perfetto shows real µs
      if (o.format === 'perfetto' && file.times && file.times.length === outcome.steps.length) text = retimePerfetto(text, file.times);
      if (o.format === 'html' && file.times && file.times.length === outcome.steps.length) text = retimeHtml(text, file.times);
      if (dest !== undefined) {
        writeFileAtomic(dest, text, flag);
        out(`wrote ${dest} (${o.format}, ${plural(outcome.steps.length, 'step')})`);
      } else {
        out(text.trimEnd());
      }
      program.setOptionValue('exitCode', EXIT.holds);
    });
}
