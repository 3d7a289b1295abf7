/** Turns the options shared by the commands into a model, a scenario and properties. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findVariant, variants } from '../../models/index.ts';
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { buildModel, type RestartModel, type RestartVariant } from '../kernel/model.ts';
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

/** Variants loaded from `--model FILE.ts`, by the option's text. */
const loadedFiles = new Map<string, RestartVariant>();

/** A `--model` value that names a file (a path, or a .ts/.js name) rather than a registered model. */
export function isModelFile(spec: string): boolean {
  return spec.includes('/') || /\.(ts|mts|js|mjs)$/.test(spec);
}

function isVariant(x: unknown): x is RestartVariant {
  const v = x as Partial<RestartVariant> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.coordinator === 'object' && v.coordinator !== null && typeof v.task === 'object' && v.task !== null;
}

/**
 * Imports a model file (TypeScript runs through tsx) and returns the variant it
 * exports: the default export, or its only named RestartVariant.
 */
export async function loadModelFile(spec: string): Promise<RestartVariant> {
  const hit = loadedFiles.get(spec);
  if (hit) return hit;
  const file = resolvePath(spec);
  if (!existsSync(file)) {
    throw new UsageError(`--model: no such file '${spec}' (expected a registered model name or a .ts file exporting a RestartVariant)`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--model: cannot load '${spec}': ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
  let variant: RestartVariant;
  if (isVariant(mod['default'])) variant = mod['default'];
  else {
    const named = [...new Set(Object.values(mod).filter(isVariant))];
    if (named.length !== 1) {
      throw new UsageError(
        named.length === 0
          ? `--model: '${spec}' exports no RestartVariant (expected a default or named export with name, coordinator and task)`
          : `--model: '${spec}' exports several variants (${named.map((v) => v.name).join(', ')}); make the one to check its default export`,
      );
    }
    variant = named[0]!;
  }
  loadedFiles.set(spec, variant);
  return variant;
}

/** Loads the model files a `--model` value names (comma-separated for `crsim matrix`), so that resolveModel finds them. */
export async function preloadModelFiles(spec: string | undefined): Promise<void> {
  for (const part of (spec ?? '').split(',').map((p) => p.trim())) {
    if (part && isModelFile(part)) await loadModelFile(part);
  }
}

/** A registered model by name, or a model file. */
export async function resolveVariant(name: string | undefined): Promise<RestartVariant> {
  const spec = name ?? 'v18';
  return isModelFile(spec) ? loadModelFile(spec) : registered(spec);
}

function registered(name: string): RestartVariant {
  const variant = findVariant(name);
  if (!variant) {
    throw new UsageError(`--model: unknown model '${name}' (expected one of: ${variants.map((v) => v.name).join(', ')}, or a .ts file)`);
  }
  return variant;
}

export function resolveModel(name: string | undefined, scenario: Scenario): RestartModel {
  const spec = name ?? 'v18';
  if (isModelFile(spec)) {
    const variant = loadedFiles.get(spec);
    if (!variant) throw new Error(`internal: model file '${spec}' was not loaded before use (preloadModelFiles)`);
    return buildModel(variant, scenario);
  }
  return buildModel(registered(spec), scenario);
}

export function resolveProperties(model: RestartModel, spec: string | undefined): RestartProperty[] {
  try {
    return selectProperties(restartProperties(model), spec);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
