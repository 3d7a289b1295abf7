/** The `crsim` command: subcommands register themselves; errors of input exit 2. */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './check.ts';
import { EXIT, reportError } from './errors.ts';
import { registerExplore } from './explore.ts';
import { registerMatrix } from './matrix.ts';
import { registerMerge } from './merge.ts';
import { registerModels } from './models.ts';
import { registerReplay } from './replay.ts';
import { registerReport } from './report.ts';
import { preloadModelFiles } from './resolve.ts';

export async function main(argv: readonly string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = new Command('crsim')
    .description('model checker of the linux-cr checkpoint/restart restart protocol')
    .option('--debug', 'on an internal or model error, print the stack')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => out(s.trimEnd()) });
  registerCheck(program, out);
  registerModels(program, out);
  registerExplore(program, out);
  registerReplay(program, out);
  registerReport(program, out);
  registerMatrix(program, out);
  registerMerge(program, out);
  // `--model FILE.ts` is imported before the command runs, so the commands resolve it synchronously
  program.hook('preAction', async (_program, action) => preloadModelFiles(action.opts()['model'] as string | undefined));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return (program.getOptionValue('exitCode') as number | undefined) ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT.usage;
    }
    // usage 2, a model error 4, anything else 5: a crash never reads as a verdict
    return reportError(e, argv.includes('--debug'));
  }
}
