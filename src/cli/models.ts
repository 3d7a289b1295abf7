/** `crsim models`: the model library. */
import type { Command } from 'commander';
import { variants } from '../../models/index.ts';

export function registerModels(program: Command, out: (s: string) => void): void {
  program
    .command('models')
    .description('list the models (variants and known-buggy mutants)')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      if (o.json) {
        out(JSON.stringify(variants.map((v) => ({ name: v.name, summary: v.summary, ...(v.breaks ? { breaks: v.breaks } : {}) })), null, 2));
        return;
      }
      const w = Math.max(...variants.map((v) => v.name.length));
      for (const v of variants) out(`${v.name.padEnd(w)}  ${v.summary}${v.breaks ? ` [breaks ${v.breaks}]` : ''}`);
    });
}
