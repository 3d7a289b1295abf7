/** The model library: every variant and mutant by the name `--model` takes. */
import type { RestartVariant } from '../src/kernel/model.ts';
import { b1 } from './mutants/b1.ts';
import { b15 } from './mutants/b15.ts';
import { b2 } from './mutants/b2.ts';
import { b3 } from './mutants/b3.ts';
import { b7 } from './mutants/b7.ts';
import { b8 } from './mutants/b8.ts';
import { b9 } from './mutants/b9.ts';
import { lostWakeup } from './mutants/lost-wakeup.ts';
import { pfClearedEarly } from './mutants/pf-cleared-early.ts';
import { staleCompletion } from './mutants/stale-completion.ts';
import { v17 } from './v17.ts';
import { v18final } from './v18-final.ts';
import { v18 } from './v18.ts';
import { v20 } from './v20.ts';

/** the faithful variants, oldest first */
export const versions: readonly RestartVariant[] = [v17, v18, v18final, v20];

/** the known-buggy variants, each declaring the property it breaks */
export const mutants: readonly RestartVariant[] = [b1, b2, b3, b7, b8, b9, b15, lostWakeup, staleCompletion, pfClearedEarly];

export const variants: readonly RestartVariant[] = [...versions, ...mutants];

export function findVariant(name: string): RestartVariant | undefined {
  return variants.find((v) => v.name === name);
}
