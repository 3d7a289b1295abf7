/**
 * What a worker thread or a shard file needs to rebuild the model and the
 * properties a command checks: the model's name (or file), the scenario in its
 * JSON form and the property selection. The recipe of workers.ts points here.
 */
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { scenarioToInput, type ScenarioInput } from '../arbitraries/scenario.ts';
import type { Recipe } from '../engine/workers.ts';
import { buildModel, type RestartModel } from '../kernel/model.ts';
import { parseScenario, type Scenario } from '../kernel/scenario.ts';
import { resolveVariant } from './resolve.ts';

export interface TargetSpec {
  /** a registered model name or a model file, as `--model` takes it */
  readonly model: string;
  readonly scenario: ScenarioInput;
  /** the selected property ids, in order */
  readonly properties: readonly string[];
}

export function targetSpec(model: string, scenario: Scenario, properties: readonly { id: string }[]): TargetSpec {
  return { model, scenario: scenarioToInput(scenario), properties: properties.map((p) => p.id) };
}

/** The model and properties of a spec (throws UsageError for an unknown model, ScenarioError/RangeError for bad input). */
export async function restartTarget(spec: TargetSpec): Promise<{ model: RestartModel; properties: RestartProperty[] }> {
  const variant = await resolveVariant(spec.model);
  const model = buildModel(variant, parseScenario(spec.scenario, 'shard target scenario'));
  const properties = selectProperties(restartProperties(model), spec.properties.join(','));
  return { model, properties };
}

/** The recipe a worker thread follows to build the same target. */
export function restartRecipe(spec: TargetSpec): Recipe {
  // this very module, whether it runs from source (target.ts) or from the build (target.js)
  return { module: import.meta.url, exportName: 'restartTarget', arg: spec };
}
