/** The bench tools' command-line arguments: a bad one ends the tool with exit 2, naming it, before it writes anything else. */
import { findVariant } from '../models/index.ts';
import type { RestartVariant } from '../src/kernel/model.ts';

function refuse(tool: string, message: string): never {
  process.stderr.write(`${tool}: ${message}\n`);
  process.exit(2);
}

/** A flag that takes a whole number of at least 1. */
export function positiveInt(value: string | undefined, flag: string, tool: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) refuse(tool, `${flag}: expected an integer >= 1 (got '${value}')`);
  return n;
}

/** A row of a tool's `--rows` list: `model:tasks:zombies:properties`, the counts as written. */
export interface CheckRow {
  readonly model: string;
  readonly tasks: string;
  readonly zombies: string;
  readonly properties: string;
  readonly id: string;
}

/** `--rows`, `;`-separated. */
export function checkRows(list: string, tool: string): CheckRow[] {
  return list.split(';').map((r) => {
    const [model, tasks, zombies, properties] = r.split(':');
    if (!model || !/^\d+$/.test(tasks ?? '') || !/^\d+$/.test(zombies ?? '') || !properties) refuse(tool, `--rows: '${r}': expected model:tasks:zombies:properties`);
    return { model, tasks: tasks!, zombies: zombies!, properties, id: `${model} ${tasks}/${zombies} ${properties}` };
  });
}

/** {@link checkRows}, each row's model found in the registry (exit 2 naming one that is not). */
export function registryRows(list: string, tool: string): (CheckRow & { readonly variant: RestartVariant })[] {
  return checkRows(list, tool).map((row) => {
    const variant = findVariant(row.model);
    return { ...row, variant: variant ?? refuse(tool, `--rows: '${row.model}': not a model of the registry`) };
  });
}
