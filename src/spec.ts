/** How the library API names a model and a scenario. */
import { findVariant, variants } from '../models/index.ts';
import type { RestartVariant } from './kernel/model.ts';
import { DEFAULT_SCENARIO, parseScenario, shorthandScenario, type Scenario } from './kernel/scenario.ts';

/** A model by name (`v18`, `mutant:B2`, … see `variants`), or a variant object. */
export type ModelSpec = string | RestartVariant;

/** A scenario: parsed, its JSON input, or the `--tasks N --zombies Z` shorthand. */
export type ScenarioSpec = Scenario | { readonly tasks: readonly unknown[]; readonly faults?: readonly unknown[]; readonly name?: string } | { readonly tasks: number; readonly zombies?: number };

export function variantOf(spec: ModelSpec): RestartVariant {
  if (typeof spec !== 'string') return spec;
  const v = findVariant(spec);
  if (!v) throw new RangeError(`unknown model '${spec}' (expected one of: ${variants.map((x) => x.name).join(', ')})`);
  return v;
}

export function scenarioOf(spec: ScenarioSpec | undefined): Scenario {
  if (spec === undefined) return parseScenario(DEFAULT_SCENARIO, 'default scenario');
  if (typeof spec.tasks === 'number') return shorthandScenario(spec.tasks, (spec as { zombies?: number }).zombies ?? 0);
  if ('nrPids' in spec && 'walk' in spec) return spec as Scenario;
  return parseScenario(spec, 'scenario');
}

