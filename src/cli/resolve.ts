/** Turns the options shared by the commands into a model, a scenario and properties. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { basename, dirname, relative, resolve as resolvePath, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findVariant, variants } from '../../models/index.ts';
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { faultFromCode, isScenarioCode, standardScenario } from '../../properties/standard-scenarios.ts';
import { scenarioToInput } from '../kernel/scenario-input.ts';
import { JsonInputError, parseJsonInput } from '../engine/json-input.ts';
import { buildModel, type RestartModel, type RestartVariant } from '../kernel/model.ts';
import { ModelError } from '../kernel/model-error.ts';
import { unknownWindowLabel } from '../kernel/fault-window.ts';
import { DEFAULT_SCENARIO, parseScenario, ScenarioError, shorthandScenario, type Scenario } from '../kernel/scenario.ts';
import { setModelSource } from '../trace/replayfile.ts';
import { intOption, UsageError } from './errors.ts';

export interface TargetOptions {
  readonly model?: string;
  readonly scenario?: string;
  readonly tasks?: string;
  readonly zombies?: string;
  readonly properties?: string;
  /** `--fault CODE`, repeatable: faults added to the scenario (sig2, fail1, sig1@T5:* …) */
  readonly fault?: readonly string[];
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
    json = parseJsonInput(text);
  } catch (e) {
    if (e instanceof JsonInputError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
  return parseScenario(json, file);
}

export function resolveScenario(o: TargetOptions): Scenario {
  const base = baseScenario(o);
  if (!o.fault?.length) return base;
  const input = scenarioToInput(base);
  const added = o.fault.map((code) => {
    try {
      return faultFromCode(code.trim(), `--fault '${code}'`).json;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  try {
    return parseScenario({ ...input, name: `${base.name} + ${o.fault.join(' + ')}`, faults: [...(input.faults ?? []), ...added] }, '--fault');
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/** The scenario before `--fault`: a --scenario code or file, --tasks/--zombies, or the default. */
function baseScenario(o: TargetOptions): Scenario {
  try {
    if (o.scenario !== undefined) {
      if (o.tasks !== undefined || o.zombies !== undefined) {
        throw new UsageError('--scenario cannot be combined with --tasks/--zombies (add faults to either with --fault)');
      }
      // a code such as LL+sig2 unless a file of that name exists
      if (isScenarioCode(o.scenario) && !existsSync(o.scenario)) {
        try {
          return standardScenario(o.scenario).scenario;
        } catch (e) {
          if (e instanceof RangeError) throw new UsageError(`--scenario: ${e.message}`);
          throw e;
        }
      }
      return loadScenarioFile(o.scenario);
    }
    if (o.zombies !== undefined && o.tasks === undefined) {
      throw new UsageError(`--zombies: applies with --tasks, the shorthand scenario it places zombies in (got --zombies ${o.zombies} without --tasks)`);
    }
    if (o.tasks !== undefined) {
      const n = intOption('--tasks', o.tasks, 1, 64)!;
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

/** sha256 of a model file's text, as shard and replay files record it. */
export function fileHash(file: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

/**
 * Makes Node load TypeScript files of a model's folder as ES modules even
 * where no package.json says `"type": "module"` (tsx would load them as
 * CommonJS, and an `export` then fails with "Cannot require() ES Module … in
 * a cycle"). One loader hook per folder, in this thread (workers load the
 * model through here too).
 */
const esmFolders = new Set<string>();
function loadAsEsm(file: string): void {
  const folder = pathToFileURL(dirname(file)).href + '/';
  if (esmFolders.has(folder) || typeof registerHooks !== 'function') return;
  esmFolders.add(folder);
  const mine = `(u) => u.startsWith(${JSON.stringify(folder)}) && /\\.(ts|mts)$/.test(u) && !u.includes('/node_modules/')`;
  const hooks = `const mine = ${mine};
export async function resolve(s, c, next) { const r = await next(s, c); return mine(r.url) ? { ...r, format: 'module' } : r; }
export async function load(u, c, next) { return next(u, mine(u) ? { ...c, format: 'module' } : c); }`;
  registerHooks(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/**
 * Imports a model file (TypeScript runs through tsx, as an ES module wherever
 * it is) and returns the variant it exports: the default export, or its only
 * named RestartVariant. Only files named on the command line (`--model`) come
 * here, or a shard file's model once its recorded hash matched.
 */
export async function loadModelFile(spec: string): Promise<RestartVariant> {
  const hit = loadedFiles.get(spec);
  if (hit) return hit;
  const file = resolvePath(spec);
  if (!existsSync(file)) {
    throw new UsageError(`--model: no such file '${spec}' (expected a registered model name or a .ts file exporting a RestartVariant)`);
  }
  loadAsEsm(file);
  let mod: Record<string, unknown>;
  try {
    if (/\.[mc]?ts$/.test(file)) await typescriptLoader();
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0]!;
    const hint = /require\(\) ES Module|Unexpected token 'export'|Cannot use import statement/.test(why)
      ? ` (rename it to .mts, or put a package.json with {"type": "module"} in its folder)`
      : '';
    throw new UsageError(`--model: cannot load '${spec}': ${why}${hint}`);
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
  // replay files of this model record the file's own hash and its path from here, for the `--model PATH` replay asks for
  setModelSource(variant, { hash: fileHash(file), source: relative(process.cwd(), file).split(sep).join('/') || basename(file) });
  loadedFiles.set(spec, variant);
  return variant;
}

let tsx: Promise<void> | undefined;
/**
 * Run from the build (dist/, .js), Node cannot import a .ts model by itself:
 * tsx is loaded then, and only then. From source, whatever runs the .ts
 * sources (tsx, vitest) already imports it.
 */
function typescriptLoader(): Promise<void> {
  if (!import.meta.url.endsWith('.js')) return Promise.resolve();
  return (tsx ??= import('tsx/esm/api').then((m) => void m.register()));
}

/**
 * Loads the model files a `--model` value names (comma-separated for `crsim
 * matrix`), so that resolveModel finds them; a .ts file is type-checked first
 * (once, here in the command's thread: workers load the file already checked).
 */
export async function preloadModelFiles(spec: string | undefined, o: { typecheck?: boolean } = {}): Promise<void> {
  for (const part of (spec ?? '').split(',').map((p) => p.trim())) {
    if (!part || !isModelFile(part)) continue;
    if (o.typecheck !== false && !loadedFiles.has(part) && /\.[mc]?ts$/.test(part) && existsSync(resolvePath(part))) {
      const { typecheckModelFile } = await import('./typecheck.ts');
      const r = typecheckModelFile(resolvePath(part), part);
      if (r.note) process.stderr.write(`crsim: ${r.note}\n`);
    }
    await loadModelFile(part);
  }
}

/** A registered model by name, or a model file. */
export async function resolveVariant(name: string | undefined): Promise<RestartVariant> {
  const spec = name ?? 'v18';
  return isModelFile(spec) ? loadModelFile(spec) : registered(spec);
}

/** A model of this build, by name: never code named by a file (a replay file, a token). */
export function registered(name: string): RestartVariant {
  const variant = findVariant(name);
  if (!variant) {
    throw new UsageError(`--model: unknown model '${name}' (expected one of: ${variants.map((v) => v.name).join(', ')}, or a .ts file)`);
  }
  return variant;
}

export function resolveModel(name: string | undefined, scenario: Scenario): RestartModel {
  const spec = name ?? 'v18';
  let variant: RestartVariant;
  if (isModelFile(spec)) {
    const loaded = loadedFiles.get(spec);
    if (!loaded) throw new Error(`internal: model file '${spec}' was not loaded before use (preloadModelFiles)`);
    variant = loaded;
  } else variant = registered(spec);
  assertFits(variant, scenario);
  return buildModel(variant, scenario);
}

/**
 * Refuses a scenario the model cannot run as written: a ghost task
 * (RESTART_GHOST, v18 73/80) on a model that predates ghosts, where it would
 * exit at once and read as a violation of the protocol.
 */
export function assertFits(variant: RestartVariant, scenario: Scenario, source = 'scenario'): void {
  const unknown = unknownWindowLabel(scenario.faults, { coordinator: Object.keys(variant.coordinator), task: Object.keys(variant.task) });
  if (unknown) {
    const whose = scenario.faults[unknown.fault]!.type === 'signal-coordinator' ? "coordinator's" : "task's";
    throw new UsageError(
      `${source}: faults[${unknown.fault}].at[${unknown.entry}]: no ${whose} step of model ${variant.name} matches it; expected a label such as ${unknown.known.slice(0, 6).join(', ')}… or a pattern with * (got ${JSON.stringify(unknown.pattern)})`,
    );
  }
  const ghost = scenario.tasks.find((t) => t.kind === 'ghost');
  if (ghost && variant.ghostStart === undefined) {
    const with_ = variants.filter((v) => v.ghostStart !== undefined).map((v) => v.name);
    throw new UsageError(
      `${source}: task ${ghost.vpid}: kind: model ${variant.name} has no ghost tasks (RESTART_GHOST came with v18 73/80); expected a live or zombie task, or a model with ghosts (${with_.join(', ')}) (got "ghost")`,
    );
  }
}

export function resolveProperties(model: RestartModel, spec: string | undefined): RestartProperty[] {
  let chosen: RestartProperty[];
  try {
    chosen = selectProperties(restartProperties(model), spec);
  } catch (e) {
    // a model whose steps lack a role the properties need is the model's error (exit 4), not the user's
    throw e instanceof ModelError ? e : new UsageError((e as Error).message);
  }
  // checking nothing is never a pass
  if (chosen.length === 0) throw new UsageError(`--properties: expected at least one property, e.g. P1-P10 (got '${spec}')`);
  return chosen;
}
