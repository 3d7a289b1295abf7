/**
 * Replay files: a violation saved so that anyone can re-run it step by step.
 * A file holds the crsim version, the model's name and a hash of its source
 * file, the scenario, the properties checked, the schedule (the index taken at
 * each step), the violated property and the steps themselves (actor, label,
 * detail). Replaying matches each saved step by what it is (actor, label,
 * detail), not only by its index, so a file survives edits that reorder or add
 * actions, and says which step no longer applies when it does not. A replay
 * token is the same file, minus the steps, in one URL-safe line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { lazySchema } from '../engine/lazy-zod.ts';
import { fieldPath, JsonInputError, parseJsonInput, showValue, valueAt } from '../engine/json-input.ts';
import { restartProperties, selectProperties, type RestartProperty } from '../../properties/restart.ts';
import { scenarioToInput, type ScenarioInput } from '../kernel/scenario-input.ts';
import { checkEnd, checkStep, type Failure } from '../engine/evaluate.ts';
import { fingerprint } from '../engine/fingerprint.ts';
import type { Step, Violation } from '../engine/types.ts';
import { buildModel, type RestartAction, type RestartModel, type RestartVariant } from '../kernel/model.ts';
import { parseScenario, ScenarioError } from '../kernel/scenario.ts';
import type { RestartState } from '../kernel/state.ts';
import { findStep, stepRef, stepRefText, type StepRef } from '../engine/match.ts';
import { changesText } from './swimlane.ts';
import { crsimVersion, packageRoot } from '../package.ts';

export const REPLAY_FORMAT = 'crsim-replay/1';
const TOKEN_PREFIX = 'crsim1.';

export interface ReplayStep extends StepRef {
  /** what the step changed, for a reader of the file (not used to replay) */
  readonly changes?: string;
}

export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  /** the crsim version that wrote the file */
  readonly crsim: string;
  readonly model: {
    readonly name: string;
    /** `sha256:` of the model's source file (or of its step table when the file is not found) */
    readonly hash: string;
    /** the source file, relative to the package */
    readonly source?: string;
  };
  readonly scenario: ScenarioInput;
  readonly properties: readonly string[];
  /** the index of the action taken among the enabled ones, at each step */
  readonly schedule: readonly number[];
  readonly violation: { readonly property: string; readonly title: string; readonly message: string };
  /** a run that never ends: the step where the repeating cycle starts */
  readonly cycleStart?: number;
  /**
   * a run cut at the search's depth bound (P9: no end seen), not a deadlock:
   * replayed, it reproduces while something can still move
   */
  readonly bound?: true;
  readonly steps: readonly ReplayStep[];
  /** how the violation was found: command, strategy, seed, fast-check path… */
  readonly origin?: Readonly<Record<string, string | number>>;
  /** `crsim simulate`: the clock (µs) at each step of the timed run */
  readonly times?: readonly number[];
}

/** A replay file or token that cannot be read: the CLI prints the message and exits 2. */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

export { crsimVersion };

/** The models this code was built with: models/ beside src/, or dist/models/ beside dist/src/. */
const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));

/** The model modules under `dir`: .ts from source, .js (not .d.ts) from the build. */
function modelFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...modelFiles(p));
    else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The TypeScript source of a model module (itself from source; models/….ts in the package from the build, when shipped). */
function sourceOf(file: string): string {
  if (file.endsWith('.ts')) return file;
  const ts = join(packageRoot(), 'models', relative(MODELS, file)).replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : file;
}

const sources = new WeakMap<RestartVariant, { hash: string; source?: string }>();

/** Records where a variant loaded from a model file came from: the sha256 of the file's text and its name. */
export function setModelSource(variant: RestartVariant, src: { hash: string; source?: string }): void {
  sources.set(variant, src);
}

/**
 * The source file that defines a variant (a file under models/ that exports
 * it; a registry re-exporting it counts last) and the sha256 of its text.
 * A variant defined elsewhere is hashed by its step table instead: each step's
 * label, citation and code.
 */
export async function modelSource(variant: RestartVariant): Promise<{ hash: string; source?: string }> {
  const known = sources.get(variant);
  if (known) return known;
  const files = modelFiles(MODELS).sort((a, b) => Number(/index\.[tj]s$/.test(a)) - Number(/index\.[tj]s$/.test(b)));
  let found: { hash: string; source?: string } | undefined;
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch {
      continue; // a model that does not load cannot be this one
    }
    if (Object.values(mod).includes(variant)) {
      const src = sourceOf(file); // the same hash whether crsim runs from source or from the build
      const text = readFileSync(src, 'utf8');
      found = { hash: `sha256:${createHash('sha256').update(text).digest('hex')}`, source: relative(packageRoot(), src).split(sep).join('/') };
      break;
    }
  }
  if (!found) {
    const h = createHash('sha256');
    for (const table of [variant.coordinator, variant.task]) {
      for (const [label, step] of Object.entries(table)) h.update(`${label}\0${step.cite}\0${step.run.toString()}\0`);
    }
    found = { hash: `sha256:${h.digest('hex')}` };
  }
  sources.set(variant, found);
  return found;
}

/**
 * A replay file for a violation found on `model`.
 *
 * @example
 * const file = await makeReplayFile(model, ['P8'], result.violation!, { command: 'check' });
 * writeFileSync('cex.json', JSON.stringify(file, null, 2));
 */
export async function makeReplayFile(
  model: RestartModel,
  properties: readonly string[],
  violation: Violation<RestartState, RestartAction>,
  origin?: Record<string, string | number>,
): Promise<ReplayFile> {
  const src = await modelSource(model.variant);
  const last = violation.steps.at(-1)?.state ?? model.init();
  // P9 without a cycle is a deadlock (nothing can move) or a run cut at its bound (something still could)
  const cut = violation.cycleStart === undefined && model.actions(last).length > 0 && checkEndless(model, violation.property);
  let prev = model.init();
  const steps = violation.steps.map((step) => {
    const r: ReplayStep = { ...stepRef(model, step.action), changes: changesText(model, prev, step) };
    prev = step.state;
    return r;
  });
  return {
    format: REPLAY_FORMAT,
    crsim: crsimVersion(),
    model: { name: model.variant.name, hash: src.hash, ...(src.source ? { source: src.source } : {}) },
    scenario: scenarioToInput(model.env.scenario),
    properties: [...properties],
    schedule: [...violation.choices],
    violation: { property: violation.property, title: violation.title, message: violation.message },
    ...(violation.cycleStart !== undefined ? { cycleStart: violation.cycleStart } : {}),
    ...(cut ? { bound: true as const } : {}),
    steps,
    ...(origin ? { origin } : {}),
  };
}

/** true when `id` is the property that covers runs that never end (P9). */
function checkEndless(model: RestartModel, id: string): boolean {
  return restartProperties(model).some((p) => p.id === id && p.coversNonTermination === true);
}

/** The replay file's schema, built on first use (../engine/lazy-zod.ts). */
const fileSchema = lazySchema((z) => {
  const nat = z.number().int().min(0);
  return z
    .object({
      format: z.literal(REPLAY_FORMAT),
      crsim: z.string(),
      model: z.object({ name: z.string().min(1), hash: z.string(), source: z.string().optional() }),
      scenario: z.record(z.string(), z.unknown()),
      properties: z.array(z.string().regex(/^P\d+$/, 'expected a property id such as P1')).min(1),
      schedule: z.array(nat),
      violation: z.object({ property: z.string().regex(/^P\d+$/, 'expected a property id such as P1'), title: z.string(), message: z.string() }),
      cycleStart: nat.optional(),
      bound: z.literal(true).optional(),
      steps: z.array(z.object({ actor: z.string(), label: z.string(), detail: z.string().optional(), changes: z.string().optional() })),
      origin: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      times: z.array(z.number().min(0)).optional(),
    })
    .refine((f) => f.times === undefined || f.times.length === f.schedule.length, {
      message: 'expected one time per schedule entry',
      path: ['times'],
    })
    .refine((f) => f.steps.length === 0 || f.steps.length === f.schedule.length, {
      message: 'expected one step per schedule entry',
      path: ['steps'],
    })
    .refine((f) => f.cycleStart === undefined || f.cycleStart <= f.schedule.length, {
      message: 'expected a step index within the schedule',
      path: ['cycleStart'],
    });
});

/** Validates a parsed replay file; throws {@link ReplayFileError} naming the field, its value and what was expected. */
export function parseReplayFile(json: unknown, source = 'replay file'): ReplayFile {
  const r = fileSchema().safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    const field = fieldPath(path) || '(the file)';
    throw new ReplayFileError(`${source}: ${field}: ${issue.message} (got ${showValue(valueAt(json, path))})`);
  }
  try {
    parseScenario(r.data.scenario, source);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ReplayFileError(e.message);
    throw e;
  }
  return r.data as unknown as ReplayFile;
}

/** The replay token: the file without its steps, deflated, base64url, one line. */
export function encodeToken(f: ReplayFile): string {
  const compact = {
    m: f.model.name,
    h: f.model.hash.replace(/^sha256:/, '').slice(0, 16),
    v: f.crsim,
    s: f.scenario,
    p: f.properties.join(','),
    c: f.schedule.join('.'),
    x: f.violation.property,
    ...(f.cycleStart !== undefined ? { y: f.cycleStart } : {}),
    ...(f.bound ? { b: 1 } : {}),
  };
  return TOKEN_PREFIX + deflateRawSync(Buffer.from(JSON.stringify(compact))).toString('base64url');
}

/** The most a token may inflate to: 1 MiB (a token of a 10,000-step schedule is about 60 KB inflated). */
export const MAX_TOKEN_BYTES = 1 << 20;

export function isToken(s: string): boolean {
  return s.startsWith(TOKEN_PREFIX);
}

/** Reads a token back into a replay file (with no steps: the schedule's indices replay it). */
export function decodeToken(token: string): ReplayFile {
  let text: string;
  try {
    // a token inflates to a few KB; a bomb stops at the bound, at once, not after a gigabyte
    text = inflateRawSync(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url'), { maxOutputLength: MAX_TOKEN_BYTES }).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ReplayFileError(`replay token: inflates to more than ${MAX_TOKEN_BYTES.toLocaleString('en-US')} bytes (expected a token as crsim prints it, a few KB at most)`);
    }
    throw new ReplayFileError(`replay token: not a crsim token (expected ${TOKEN_PREFIX}… as crsim prints it; got ${token.slice(0, 24)}…)`);
  }
  let compact: Record<string, unknown>;
  try {
    const json = parseJsonInput(text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new JsonInputError('expected an object');
    compact = json as Record<string, unknown>;
  } catch (e) {
    throw new ReplayFileError(`replay token: not a crsim token (${(e as Error).message}; got ${token.slice(0, 24)}…)`);
  }
  const c = String(compact.c ?? '');
  return parseReplayFile(
    {
      format: REPLAY_FORMAT,
      crsim: compact.v,
      model: { name: compact.m, hash: `sha256:${String(compact.h)}` },
      scenario: compact.s,
      properties: String(compact.p ?? '').split(','),
      schedule: c === '' ? [] : c.split('.').map(Number),
      violation: { property: compact.x, title: '', message: '' },
      ...(compact.y !== undefined ? { cycleStart: compact.y } : {}),
      ...(compact.b === 1 ? { bound: true } : {}),
      steps: [],
    },
    'replay token',
  );
}

/** Reads a replay file by path, or a token. */
export function readReplay(fileOrToken: string): ReplayFile {
  if (isToken(fileOrToken)) return decodeToken(fileOrToken.trim());
  let text: string;
  try {
    text = readFileSync(fileOrToken, 'utf8');
  } catch (e) {
    throw new ReplayFileError(`cannot read '${fileOrToken}': ${(e as NodeJS.ErrnoException).code ?? String(e)} (expected a replay file or a ${TOKEN_PREFIX}… token)`);
  }
  let json: unknown;
  try {
    json = parseJsonInput(text);
  } catch (e) {
    if (e instanceof JsonInputError) throw new ReplayFileError(`${fileOrToken}: ${e.message}`);
    throw e;
  }
  return parseReplayFile(json, fileOrToken);
}

/** `1 step`, `1,200 steps`. */
const steps_ = (k: number): string => `${k.toLocaleString('en-US')} step${k === 1 ? '' : 's'}`;

export type ReplayStatus = 'reproduced' | 'different' | 'not-reproduced' | 'diverged';

export interface ReplayOutcome {
  /**
   * `reproduced`: the same property breaks at the same step; `different`: a
   * violation, but another one or at another step; `not-reproduced`: the steps
   * all ran and nothing broke; `diverged`: a step no longer applies.
   */
  readonly status: ReplayStatus;
  readonly model: RestartModel;
  readonly init: RestartState;
  /** the steps that ran */
  readonly steps: readonly Step<RestartState, RestartAction>[];
  /** the schedule as it ran (indices in the current model) */
  readonly choices: readonly number[];
  readonly violation?: Failure;
  readonly cycleStart?: number;
  /** one line: what happened */
  readonly summary: string;
  /** what else a reader should know: a changed model, steps found at another index */
  readonly notes: readonly string[];
}

/**
 * Re-runs a replay file on `variant`, step by step, and says whether the saved
 * violation happens again.
 *
 * @example
 * const out = await replayFile(readReplay('cex.json'), findVariant('v18')!);
 * out.status; // 'reproduced'
 */
export async function replayFile(f: ReplayFile, variant: RestartVariant): Promise<ReplayOutcome> {
  let scenario;
  try {
    scenario = parseScenario(f.scenario, 'replay file');
  } catch (e) {
    if (e instanceof ScenarioError) throw new ReplayFileError(e.message);
    throw e;
  }
  const model = buildModel(variant, scenario);
  let properties: RestartProperty[];
  try {
    properties = selectProperties(restartProperties(model), f.properties.join(','));
  } catch (e) {
    throw new ReplayFileError(`replay file: properties: ${(e as Error).message.replace(/^--properties: /, '')}`);
  }
  const notes: string[] = [];
  const src = await modelSource(variant);
  const savedHash = f.model.hash.replace(/^sha256:/, '');
  const nowHash = src.hash.replace(/^sha256:/, '');
  if (!nowHash.startsWith(savedHash)) {
    notes.push(`the model's source (${src.source ?? variant.name}) changed since the file was saved: replaying step by step, matched by actor, label and detail`);
  }
  const byIdentity = f.steps.length > 0;
  const n = f.schedule.length;
  const expected = f.violation.property;
  const init = model.init();
  const steps: Step<RestartState, RestartAction>[] = [];
  const choices: number[] = [];
  let state = init;
  const base = { model, init, steps, choices, notes };
  const saved = (k: number): string => (byIdentity ? `step ${k + 1} (${stepRefText(f.steps[k]!)})` : `step ${k + 1} (choice ${f.schedule[k]})`);
  for (let k = 0; k < n; k++) {
    const enabled = model.actions(state);
    let i: number;
    if (byIdentity) {
      i = findStep(model, enabled, f.steps[k]!);
      if (i >= 0 && i !== f.schedule[k]) notes.push(`step ${k + 1} (${stepRefText(f.steps[k]!)}) is now action ${i} of ${enabled.length} (was ${f.schedule[k]})`);
    } else {
      i = f.schedule[k]! < enabled.length ? f.schedule[k]! : -1;
    }
    if (i < 0) {
      const now = enabled.length ? enabled.map((a) => stepRefText(stepRef(model, a))).join('; ') : 'nothing (the run has ended)';
      return { ...base, status: 'diverged', summary: `${saved(k)} no longer applies: what can move there now is ${now}` };
    }
    const action = enabled[i]!;
    const next = model.next(state, action);
    steps.push({ action, state: next });
    choices.push(i);
    const failure = checkStep(properties, state, action, next);
    if (failure) {
      if (failure.property === expected && k === n - 1) {
        return { ...base, status: 'reproduced', violation: failure, summary: `reproduced: ${failure.property} violated at step ${k + 1}: ${failure.message}` };
      }
      return {
        ...base,
        status: 'different',
        violation: failure,
        summary: `a different violation: ${failure.property} at step ${k + 1} (${failure.message}); the file has ${expected} at step ${n}`,
      };
    }
    state = next;
  }
  if (model.actions(state).length === 0) {
    const failure = checkEnd(properties, state);
    if (failure) {
      const same = failure.property === expected;
      return {
        ...base,
        status: same ? 'reproduced' : 'different',
        violation: failure,
        summary: same
          ? `reproduced: ${failure.property} violated when the run ends after ${steps_(n)}: ${failure.message}`
          : `a different violation: ${failure.property} at the end (${failure.message}); the file has ${expected}`,
      };
    }
  } else {
    const p = properties.find((q) => q.coversNonTermination);
    if (p && p.id === expected) {
      if (f.cycleStart !== undefined) {
        const at = f.cycleStart === 0 ? init : steps[f.cycleStart - 1]!.state;
        const [a1, a2] = fingerprint(at);
        const [b1, b2] = fingerprint(state);
        if (a1 === b1 && a2 === b2) {
          const failure = { property: p.id, title: p.title, message: `a run that never ends: after ${steps_(f.cycleStart)}, ${steps_(n - f.cycleStart)} repeat for ever` };
          return { ...base, status: 'reproduced', violation: failure, cycleStart: f.cycleStart, summary: `reproduced: ${p.id}: ${failure.message}` };
        }
      } else if (f.bound || /^no end after/.test(f.violation.message)) {
        // files saved before `bound` existed say so in their message
        const failure = { property: p.id, title: p.title, message: `still running after ${steps_(n)} (the saved run was cut at its bound)` };
        return { ...base, status: 'reproduced', violation: failure, summary: `reproduced: ${p.id}: ${failure.message}` };
      } else {
        // a saved deadlock, re-judged here: something can still move, so nobody is stuck at this point
        const movers = [...new Set(model.actions(state).map((a) => stepRefText(stepRef(model, a))))].join('; ');
        return {
          ...base,
          status: 'not-reproduced',
          summary: `no longer reproduces: all ${steps_(n)} ran, and the saved run ended in a deadlock; here ${movers} can still move (the model no longer deadlocks on this schedule)`,
        };
      }
    }
  }
  return { ...base, status: 'not-reproduced', summary: `no longer reproduces: ${n === 1 ? 'its 1 step' : `all ${steps_(n)}`} ran and ${expected} held (the model no longer has this violation on this schedule)` };
}
