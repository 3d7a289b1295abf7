/** Turns the options shared by the commands into a model, a scenario and properties. */
import { readFileSync } from 'node:fs';
import { findVariant, variants } from '../../models/index.ts';
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { buildModel, type RestartModel } from '../kernel/model.ts';
import { DEFAULT_SCENARIO, parseScenario, ScenarioError, shorthandScenario, type Scenario } from '../kernel/scenario.ts';
import { intOption, UsageError } from './errors.ts';

export interface TargetOptions {
  readonly model?: string;
  readonly scenario?: string;
  readonly tasks?: string;
  readonly zombies?: string;
  readonly properties?: string;
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--scenario: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return parseScenario(json, file);
}

export function resolveScenario(o: TargetOptions): Scenario {
  try {
    if (o.scenario !== undefined) {
      if (o.tasks !== undefined || o.zombies !== undefined) {
        throw new UsageError('--scenario cannot be combined with --tasks/--zombies');
      }
      return loadScenarioFile(o.scenario);
    }
    if (o.tasks !== undefined || o.zombies !== undefined) {
      const n = intOption('--tasks', o.tasks ?? '4', 1, 64)!;
      const z = intOption('--zombies', o.zombies ?? '0', 0, 64)!;
      return shorthandScenario(n, z);
    }
    return parseScenario(DEFAULT_SCENARIO, 'default scenario');
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export function resolveModel(name: string | undefined, scenario: Scenario): RestartModel {
  const variant = findVariant(name ?? 'v18');
  if (!variant) {
    throw new UsageError(`--model: unknown model '${name}' (expected one of: ${variants.map((v) => v.name).join(', ')})`);
  }
  return buildModel(variant, scenario);
}

export function resolveProperties(model: RestartModel, spec: string | undefined): RestartProperty[] {
  try {
    return selectProperties(restartProperties(model), spec);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
