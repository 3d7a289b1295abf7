/**
 * What a worker thread or a shard file needs to rebuild the model and the
 * properties a command checks: the model's name (or file), the scenario in its
 * JSON form and the property selection. The recipe of workers.ts points here.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { scenarioToInput, type ScenarioInput } from '../kernel/scenario-input.ts';
import type { Recipe } from '../engine/workers.ts';
import { buildModel, type RestartModel } from '../kernel/model.ts';
import { parseScenario, type Scenario } from '../kernel/scenario.ts';
import { UsageError } from './errors.ts';
import { assertFits, fileHash, isModelFile, resolveVariant } from './resolve.ts';

export interface TargetSpec {
  /** a registered model name, or the absolute path of a model file */
  readonly model: string;
  /** a model file: the sha256 of its text, checked before it is imported again (a worker, `crsim merge`) */
  readonly modelHash?: string;
  readonly scenario: ScenarioInput;
  /** the selected property ids, in order */
  readonly properties: readonly string[];
}

export function targetSpec(model: string, scenario: Scenario, properties: readonly { id: string }[]): TargetSpec {
  const file = isModelFile(model) ? resolvePath(model) : null;
  return {
    model: file ?? model,
    ...(file ? { modelHash: fileHash(file) } : {}),
    scenario: scenarioToInput(scenario),
    properties: properties.map((p) => p.id),
  };
}

/**
 * The model and properties of a spec (throws UsageError for an unknown model
 * or a model file whose text is not the one recorded, ScenarioError/RangeError
 * for bad input). A relative model path (older shard files) is taken from
 * `base`, the folder of the file that holds the spec.
 */
export async function restartTarget(spec: TargetSpec, base?: string): Promise<{ model: RestartModel; properties: RestartProperty[] }> {
  let name = spec.model;
  if (isModelFile(name)) {
    if (!isAbsolute(name)) name = resolvePath(base ?? '.', name);
    if (spec.modelHash === undefined) {
      throw new UsageError(`target.modelHash: expected the sha256 of model file '${spec.model}', so that its code is checked before it runs (got nothing: write the shards again with this crsim)`);
    }
    if (!existsSync(name)) throw new UsageError(`target.model: no such model file '${name}' (expected the model file the shards were run on)`);
    const now = fileHash(name);
    if (now !== spec.modelHash) {
      throw new UsageError(`target.modelHash: model file '${name}' changed since the shards were run (expected ${spec.modelHash.slice(0, 19)}…, the file is ${now.slice(0, 19)}…): run the shards again on one version`);
    }
  }
  const variant = await resolveVariant(name);
  const scenario = parseScenario(spec.scenario, 'shard target scenario');
  assertFits(variant, scenario, 'shard target scenario');
  const model = buildModel(variant, scenario);
  // an empty list would select every property here, and checking none is never a pass: refused
  if (spec.properties.length === 0) throw new UsageError('target.properties: expected at least one property id (got [])');
  const properties = selectProperties(restartProperties(model), spec.properties.join(','));
  return { model, properties };
}

/** The recipe a worker thread follows to build the same target. */
export function restartRecipe(spec: TargetSpec): Recipe {
  // this very module, whether it runs from source (target.ts) or from the build (target.js)
  return { module: import.meta.url, exportName: 'restartTarget', arg: spec };
}
