/**
 * `crsim diff A B` and `crsim check --model A --base B`: what model A breaks
 * that its base B does not, and what it fixes. Per scenario and property: a
 * violation of A alone is new, of B alone fixed, of both inherited (listed
 * once). Where both violate a property, a differential search
 * (src/engine/differential.ts) looks for A's shortest violation that B, run on
 * the same steps, does not have — a base's shorter violation no longer hides
 * it — and the reverse. Exit 1 when A has something new, 3 when a budget
 * stopped a search, else 0.
 */
import type { Command } from 'commander';
import { STANDARD_SCENARIOS, standardScenario, type StandardScenario } from '../../properties/standard-scenarios.ts';
import { selectProperties, restartProperties, type RestartProperty } from '../../properties/restart.ts';
import { differentialModel, differentialProperty, sharedOnSteps } from '../engine/differential.ts';
import { exploreSync } from '../engine/create.ts';
import type { Result, Step } from '../engine/types.ts';
import { buildModel, type RestartAction, type RestartModel, type RestartVariant } from '../kernel/model.ts';
import type { RestartState } from '../kernel/state.ts';
import type { Scenario } from '../kernel/scenario.ts';
import { swimlane } from '../trace/swimlane.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { assertFits, preloadModelFiles, resolveScenario, resolveVariant, type TargetOptions } from './resolve.ts';

export type DiffKind = 'new' | 'fixed' | 'inherited' | 'stopped';

export interface DiffFinding {
  readonly kind: DiffKind;
  readonly scenario: string;
  readonly property: string;
  readonly message: string;
  /** the steps of the schedule (new: the variant's, fixed: the base's); none for inherited */
  readonly steps?: number;
  readonly schedule?: readonly number[];
  /** new or fixed although the other model violates the property too, on other schedules */
  readonly differential?: boolean;
  /** inherited: the shortest of each */
  readonly lengths?: { readonly variant: number; readonly base: number };
  /** inherited: whether the base, on the variant's shortest violation's steps, violates the property too */
  readonly sameSteps?: boolean;
  /** the trace, for printing */
  readonly trace?: { readonly model: RestartModel; readonly steps: readonly Step<RestartState, RestartAction>[] };
}

export interface DiffOptions {
  readonly maxStates?: number;
}

type Run = Result<unknown, RestartAction>;

function search(model: RestartModel, p: RestartProperty, o: DiffOptions): Result<RestartState, RestartAction> {
  return exploreSync(model, [p], { strategy: 'exhaustive', ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}) });
}

/** A's shortest violation of `id` that B does not have on the same steps (breadth first over the pair). */
function differential(a: RestartModel, b: RestartModel, id: string, o: DiffOptions): Run & { steps?: Step<RestartState, RestartAction>[] } {
  const pa = selectProperties(restartProperties(a), id)[0]!;
  const pb = selectProperties(restartProperties(b), id);
  const product = differentialModel(a, b, pb);
  const r = exploreSync(product, [differentialProperty(pa, pb[0], b)], { strategy: 'exhaustive', ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}) });
  return { ...r, ...(r.violation ? { steps: r.violation.steps.map((s) => ({ action: s.action, state: s.state.v })) } : {}) };
}

/** The findings of one scenario: for each property, new, fixed or inherited (nothing when both hold). */
export function diffScenario(variant: RestartVariant, base: RestartVariant, code: string, scenario: Scenario, ids: readonly string[], o: DiffOptions = {}): DiffFinding[] {
  assertFits(variant, scenario, `scenario ${code}`);
  assertFits(base, scenario, `scenario ${code}`);
  const a = buildModel(variant, scenario);
  const b = buildModel(base, scenario);
  const out: DiffFinding[] = [];
  for (const id of ids) {
    const [pa] = selectProperties(restartProperties(a), id);
    const [pb] = selectProperties(restartProperties(b), id);
    const ra = search(a, pa!, o);
    const rb = search(b, pb!, o);
    if (ra.verdict === 'incomplete' || rb.verdict === 'incomplete') {
      out.push({ kind: 'stopped', scenario: code, property: id, message: ra.stoppedBy ?? rb.stoppedBy ?? 'stopped' });
      continue;
    }
    const va = ra.violation;
    const vb = rb.violation;
    const found = (kind: 'new' | 'fixed', model: RestartModel, v: NonNullable<typeof va>, differential = false): DiffFinding => ({
      kind,
      scenario: code,
      property: id,
      message: v.message,
      steps: v.steps.length,
      schedule: v.choices,
      ...(differential ? { differential } : {}),
      trace: { model, steps: v.steps },
    });
    if (va && !vb) out.push(found('new', a, va));
    else if (vb && !va) out.push(found('fixed', b, vb));
    else if (va && vb) {
      // listed once; `sameSteps`: the base, replaying the variant's shortest violation, violates it there too
      const sameSteps = sharedOnSteps(a, b, [pb!], va.steps.map((s) => s.action), id);
      out.push({ kind: 'inherited', scenario: code, property: id, message: va.message, lengths: { variant: va.steps.length, base: vb.steps.length }, sameSteps });
      for (const [kind, x, y] of [['new', a, b], ['fixed', b, a]] as const) {
        const d = differential(x, y, id, o);
        if (d.verdict === 'incomplete') out.push({ kind: 'stopped', scenario: code, property: id, message: `${kind}: ${d.stoppedBy ?? 'stopped'}` });
        else if (d.violation && d.steps) out.push(found(kind, x, { ...d.violation, steps: d.steps }, true));
      }
    }
  }
  return out;
}

/** Loads A and B (names or model files) and remembers how resolveModel finds them. */
export async function loadPair(a: string, b: string, typecheck: boolean): Promise<[RestartVariant, RestartVariant]> {
  await preloadModelFiles(a, { typecheck });
  await preloadModelFiles(b, { typecheck });
  const va = await resolveVariant(a);
  const vb = await resolveVariant(b);
  if (va === vb) throw new UsageError(`--base: the same model as --model (${a}); expected the model the variant was derived from, e.g. v18`);
  return [va, vb];
}

function findingLines(f: DiffFinding, a: string, b: string, trace: boolean): string[] {
  const where = `${f.property} on ${f.scenario}`;
  if (f.kind === 'stopped') return [`  ${where}: not decided (${f.message})`];
  if (f.kind === 'inherited') {
    const same = f.sameSteps ? '' : ` (${b} cannot replay ${a}'s steps: they differ)`;
    return [`  ${where}: ${a} ${f.lengths!.variant} steps, ${b} ${f.lengths!.base} steps — ${f.message}${same}`];
  }
  const other = f.kind === 'new' ? b : a;
  const lines = [
    `  ${where}: ${f.steps} steps — ${f.message}${f.differential ? ` (${other} replays these steps without it, and violates ${f.property} elsewhere)` : ''}`,
    `    schedule: ${f.schedule!.join(' ')}`,
  ];
  if (trace && f.trace) lines.push('', ...swimlane(f.trace.model, f.trace.model.init(), f.trace.steps).split('\n').map((l) => `    ${l}`.trimEnd()), '');
  return lines;
}

/** The report: new, fixed, inherited, in that order; every section named even when empty. */
export function diffText(findings: readonly DiffFinding[], a: string, b: string, trace: boolean): string[] {
  const section = (kind: DiffKind, title: string): string[] => {
    const rows = findings.filter((f) => f.kind === kind);
    if (kind === 'stopped' && rows.length === 0) return [];
    return [`${title}: ${rows.length === 0 ? 'none' : ''}`.trimEnd(), ...rows.flatMap((f) => findingLines(f, a, b, trace))];
  };
  return [
    ...section('new', `new in ${a} (not in ${b}, or not on the same steps)`),
    ...section('fixed', `fixed by ${a} (violated in ${b}; not in ${a}, or not on the same steps)`),
    ...section('inherited', `inherited (violated in both; shortest of each)`),
    ...section('stopped', 'not decided (--max-states)'),
  ];
}

export function diffExit(findings: readonly DiffFinding[]): number {
  if (findings.some((f) => f.kind === 'new')) return EXIT.violated;
  if (findings.some((f) => f.kind === 'stopped')) return EXIT.incomplete;
  return EXIT.holds;
}

function findingJson(f: DiffFinding): object {
  const { trace: _trace, ...rest } = f;
  return rest;
}

export interface DiffCliOptions extends TargetOptions {
  readonly scenarios?: string;
  readonly maxStates?: string;
  readonly json?: boolean;
}

/** `crsim diff A B`: over the given scenario, the codes of --scenarios, or else the standard scenarios. */
export async function diff(aName: string, bName: string, o: DiffCliOptions, out: (s: string) => void, typecheck = true): Promise<number> {
  const [va, vb] = await loadPair(aName, bName, typecheck);
  const single = o.scenario !== undefined || o.tasks !== undefined || (o.fault?.length ?? 0) > 0;
  if (single && o.scenarios !== undefined) throw new UsageError('--scenarios cannot be combined with --scenario/--tasks/--fault (one scenario, or a list of codes)');
  let scenarios: { code: string; scenario: Scenario }[];
  if (single) {
    const s = resolveScenario(o);
    scenarios = [{ code: s.name, scenario: s }];
  } else {
    let list: readonly StandardScenario[];
    try {
      list = o.scenarios ? o.scenarios.split(',').map((c) => standardScenario(c.trim())) : STANDARD_SCENARIOS;
    } catch (e) {
      throw new UsageError(`--scenarios: ${(e as Error).message}`);
    }
    // the standard set runs a ghost scenario only where both models have ghosts (as the matrix does)
    const ghosts = va.ghostStart !== undefined && vb.ghostStart !== undefined;
    scenarios = list.filter((s) => o.scenarios !== undefined || ghosts || !s.scenario.tasks.some((t) => t.kind === 'ghost')).map((s) => ({ code: s.code, scenario: s.scenario }));
  }
  return report(va, vb, scenarios, o, out, single);
}

/** `crsim check --model A --base B`: the one scenario check would run. */
export async function checkAgainstBase(o: DiffCliOptions & { base: string }, out: (s: string) => void, typecheck = true): Promise<number> {
  const [va, vb] = await loadPair(o.model ?? 'v18', o.base, typecheck);
  const s = resolveScenario(o);
  return report(va, vb, [{ code: s.name, scenario: s }], o, out, true);
}

async function report(
  va: RestartVariant,
  vb: RestartVariant,
  scenarios: readonly { code: string; scenario: Scenario }[],
  o: DiffCliOptions,
  out: (s: string) => void,
  trace: boolean,
): Promise<number> {
  const maxStates = intOption('--max-states', o.maxStates, 1, 2 ** 31 - 1);
  const probe = buildModel(va, scenarios[0]!.scenario);
  let ids: string[];
  try {
    ids = selectProperties(restartProperties(probe), o.properties).map((p) => p.id);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const findings: DiffFinding[] = [];
  const t0 = Date.now();
  for (const s of scenarios) findings.push(...diffScenario(va, vb, s.code, s.scenario, ids, maxStates !== undefined ? { maxStates } : {}));
  const a = va.name;
  const b = vb.name;
  if (o.json) {
    out(JSON.stringify({ variant: a, base: b, scenarios: scenarios.map((s) => s.code), properties: ids, findings: findings.map(findingJson) }, null, 2));
  } else {
    out(`${a} against base ${b} · ${scenarios.length === 1 ? `scenario ${scenarios[0]!.code}` : `${scenarios.length} scenarios`} · ${ids.length === 1 ? ids[0] : `${ids.length} properties`} · ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    out(diffText(findings, a, b, trace).join('\n'));
  }
  return diffExit(findings);
}

export function registerDiff(program: Command, out: (s: string) => void): void {
  program
    .command('diff')
    .description('what model A breaks that base B does not, and what it fixes, per scenario and property (exit 1: A has something new)')
    .argument('<a>', 'the variant: a model name or a .ts file')
    .argument('<b>', 'the base: a model name or a .ts file, e.g. v18')
    .option('-s, --scenario <file|code>', 'one scenario: a file or a code such as LL+sig2')
    .option('-t, --tasks <n>', 'one shorthand scenario: n tasks, a live root first')
    .option('-z, --zombies <z>', 'shorthand scenario: z of them zombies')
    .option('--fault <code>', 'add a fault, repeatable (sig2, fail1, sig1@T5:* …)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--scenarios <codes>', 'comma-separated scenario codes; default: the standard scenarios of crsim matrix')
    .option('-p, --properties <ids>', 'only these properties, e.g. P1-P7 (default: P1-P11)')
    .option('--max-states <n>', 'stop a search after this many distinct states (the cell is not decided, exit 3)')
    .option('--json', 'print one JSON object')
    .action(async (a: string, b: string, o: DiffCliOptions) => {
      program.setOptionValue('exitCode', await diff(a, b, o, out, program.opts()['typecheck'] as boolean));
    });
}
