/** The model library: every variant and mutant by the name `--model` takes. */
import type { RestartVariant } from '../src/kernel/model.ts';
import { v18 } from './v18.ts';

export const variants: readonly RestartVariant[] = [v18];

export function findVariant(name: string): RestartVariant | undefined {
  return variants.find((v) => v.name === name);
}
