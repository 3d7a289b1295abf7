/**
 * The `crsim` command: subcommands register themselves; errors of input exit 2.
 * Start-up is part of every small check, so only the module of the command
 * that runs is loaded (each pulls its own dependencies: rxjs, fast-check…);
 * help, `--version` and an unknown command load them all.
 */
import { Command, CommanderError } from 'commander';
import { crsimVersion } from '../package.ts';
import { EXIT, reportError } from './errors.ts';

type Register = (program: Command, out: (s: string) => void) => void;

/** Each command's module, in the order help lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  check: async () => (await import('./check.ts')).registerCheck,
  models: async () => (await import('./models.ts')).registerModels,
  explore: async () => (await import('./explore.ts')).registerExplore,
  replay: async () => (await import('./replay.ts')).registerReplay,
  report: async () => (await import('./report.ts')).registerReport,
  matrix: async () => (await import('./matrix.ts')).registerMatrix,
  merge: async () => (await import('./merge.ts')).registerMerge,
  simulate: async () => (await import('./simulate.ts')).registerSimulate,
  diff: async () => (await import('./diff.ts')).registerDiff,
};

/** The commands to load for argv: the one named first; none for --version alone; all of them for help or a typo. */
function commandsFor(argv: readonly string[]): string[] {
  const name = argv.find((a) => !a.startsWith('-'));
  if (name === undefined && (argv.includes('--version') || argv.includes('-V'))) return [];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
}

export async function main(argv: readonly string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = new Command('crsim')
    .description('model checker of the linux-cr checkpoint/restart restart protocol')
    .version(crsimVersion(), '-V, --version', "print crsim's version")
    .option('--debug', 'on an internal or model error, print the stack')
    .option('--no-typecheck', 'load a --model FILE.ts without type-checking it first')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => out(s.trimEnd()) });
  try {
    const names = commandsFor(argv);
    for (const register of await Promise.all(names.map((n) => COMMANDS[n]!()))) register(program, out);
    // `--model FILE.ts` is imported before the command runs, so the commands resolve it synchronously
    program.hook('preAction', async (_program, action) => {
      const model = action.opts()['model'] as string | undefined;
      const typecheck = program.opts()['typecheck'] as boolean;
      if (model !== undefined) await (await import('./resolve.ts')).preloadModelFiles(model, { typecheck });
      const base = action.opts()['base'] as string | undefined; // check --base: a second model
      if (base !== undefined) await (await import('./resolve.ts')).preloadModelFiles(base, { typecheck });
    });
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
