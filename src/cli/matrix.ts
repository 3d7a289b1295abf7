/**
 * `crsim matrix`: every model against every property on the standard
 * scenarios (properties/standard-scenarios.ts), as a table.
 *
 * A cell is decided cheaply: per (model, scenario), one exhaustive run checks
 * every property still open; when it finds a violation, that property's cell is
 * closed (first scenario, shortest counterexample) and the run is repeated
 * without it. A property violated on a small scenario is not checked again on
 * the larger ones, so most runs are the single exploration that shows the rest hold.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { variants as registry } from '../../models/index.ts';
import { restartProperties } from '../../properties/restart.ts';
import { STANDARD_SCENARIOS, standardScenario, type StandardScenario } from '../../properties/standard-scenarios.ts';
import { createSearch } from '../engine/create.ts';
import { buildModel, type RestartVariant } from '../kernel/model.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { EXIT, intOption, UsageError } from './errors.ts';
import { resolveVariant } from './resolve.ts';

export interface Cell {
  readonly verdict: 'holds' | 'violated' | 'incomplete';
  /** violated: the first standard scenario (smallest first) that shows it */
  readonly scenario?: string;
  /** violated: the length of the shortest counterexample on that scenario */
  readonly steps?: number;
  readonly message?: string;
  /** violated: the schedule that replays it (`crsim check --scenario ...`) */
  readonly schedule?: readonly number[];
  /** incomplete: the scenario where --max-states stopped the search */
  readonly stoppedOn?: string;
}

export interface MatrixRow {
  readonly model: string;
  readonly summary: string;
  /** a mutant's declared property */
  readonly breaks?: string;
  readonly cells: Readonly<Record<string, Cell>>;
  /** exhaustive runs, distinct states summed over them, and the time they took */
  readonly runs: number;
  readonly states: number;
  readonly elapsedMs: number;
  /** stopped before its end (Ctrl-C): the cells not decided are incomplete */
  readonly interrupted?: string;
}

export interface Matrix {
  readonly properties: readonly { readonly id: string; readonly title: string }[];
  readonly scenarios: readonly { readonly code: string; readonly description: string }[];
  readonly rows: readonly MatrixRow[];
}

export interface MatrixOptions {
  readonly scenarios?: readonly StandardScenario[];
  /** a bound per exhaustive run; past it the cell is `incomplete` */
  readonly maxStates?: number;
  readonly onRow?: (row: MatrixRow) => void;
  /** polled between slices of a search: a reason (Ctrl-C) stops the matrix where it is */
  readonly stop?: () => string | null;
}

/** One row: a variant against every property, scenario after scenario, smallest first. */
export function matrixRow(variant: RestartVariant, options: MatrixOptions = {}): MatrixRow {
  const row = rowSteps(variant, options);
  for (;;) {
    const r = row.next();
    if (r.done) return r.value;
  }
}

/** {@link matrixRow}, yielding to the event loop between slices, so a Ctrl-C is heard. */
export function matrixRowAsync(variant: RestartVariant, options: MatrixOptions = {}): Promise<MatrixRow> {
  return drain(rowSteps(variant, options));
}

/** Runs a sliced computation to its end, back to the event loop between slices. */
async function drain<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What the runs of a row or grid row have done so far, and why they stopped, if they did. */
interface Tally {
  runs: number;
  states: number;
  interrupted?: string;
}

/**
 * Decides the open properties of `cells` on one scenario: one exhaustive run
 * of all of them, repeated without each property it finds violated (that cell
 * closed), in slices of 100 ms. When a run stops (--max-states, Ctrl-C) the
 * open cells are incomplete; when one holds they stay open, for the caller:
 * a row goes on to the next scenario, a grid row says they hold.
 */
function* settleScenario(
  model: ReturnType<typeof buildModel>,
  cells: Record<string, Cell>,
  code: string,
  options: MatrixOptions,
  tally: Tally,
): Generator<void, void> {
  const all = restartProperties(model);
  for (;;) {
    const open = all.filter((p) => !cells[p.id]);
    if (open.length === 0) return;
    if (tally.interrupted) {
      for (const p of open) cells[p.id] = { verdict: 'incomplete', stoppedOn: code };
      return;
    }
    const search = createSearch(model, open, options.maxStates !== undefined ? { maxStates: options.maxStates } : {});
    let r;
    while (!(r = search.work(100))) {
      yield;
      const why = options.stop?.();
      if (why) search.stop((tally.interrupted = why));
    }
    yield; // between searches too: most take less than a slice
    tally.interrupted ??= options.stop?.() ?? undefined;
    tally.runs++;
    tally.states += r.stats.states;
    if (r.verdict === 'violated') {
      const v = r.violation!;
      cells[v.property] = { verdict: 'violated', scenario: code, steps: v.steps.length, message: v.message, schedule: v.choices };
      continue;
    }
    if (r.verdict === 'incomplete') for (const p of open) cells[p.id] = { verdict: 'incomplete', stoppedOn: code };
    return;
  }
}

/** A row, computed in slices of 100 ms (it yields between them); `options.stop` ends it with the open cells incomplete. */
function* rowSteps(variant: RestartVariant, options: MatrixOptions): Generator<void, MatrixRow> {
  const scenarios = options.scenarios ?? STANDARD_SCENARIOS;
  const started = Date.now();
  const cells: Record<string, Cell> = {};
  let ids: string[] | null = null;
  const tally: Tally = { runs: 0, states: 0 };
  for (const { code, scenario } of scenarios) {
    // a variant that predates RESTART_GHOST cannot restart a ghost (check refuses it too)
    if (variant.ghostStart === undefined && scenario.tasks.some((t) => t.kind === 'ghost')) continue;
    const model = buildModel(variant, scenario);
    ids ??= restartProperties(model).map((p) => p.id);
    yield* settleScenario(model, cells, code, options, tally);
  }
  for (const id of ids ?? []) cells[id] ??= { verdict: 'holds' };
  const { runs, states, interrupted } = tally;
  return {
    model: variant.name,
    summary: variant.summary,
    ...(variant.breaks ? { breaks: variant.breaks } : {}),
    cells,
    runs,
    states,
    elapsedMs: Date.now() - started,
    ...(interrupted ? { interrupted } : {}),
  };
}

/** `crsim matrix --grid`: one model, every scenario × property; a cell's steps are the shortest on that scenario. */
export interface GridRow {
  readonly model: string;
  readonly breaks?: string;
  /** by scenario code, then property id; a scenario the model cannot run (a ghost) is absent */
  readonly cells: Readonly<Record<string, Readonly<Record<string, Cell>>>>;
  readonly interrupted?: string;
}

/**
 * A grid row: per scenario, one exhaustive run of every property still open
 * on it, repeated without each property it finds violated (as a matrix row,
 * but no scenario inherits another's verdicts).
 */
export async function gridRowAsync(variant: RestartVariant, options: MatrixOptions = {}): Promise<GridRow> {
  const scenarios = options.scenarios ?? STANDARD_SCENARIOS;
  const cells: Record<string, Record<string, Cell>> = {};
  const tally: Tally = { runs: 0, states: 0 };
  for (const { code, scenario } of scenarios) {
    if (variant.ghostStart === undefined && scenario.tasks.some((t) => t.kind === 'ghost')) continue;
    const model = buildModel(variant, scenario);
    const mine: Record<string, Cell> = (cells[code] = {});
    await drain(settleScenario(model, mine, code, options, tally));
    for (const p of restartProperties(model)) mine[p.id] ??= { verdict: 'holds' };
  }
  const { interrupted } = tally;
  return { model: variant.name, ...(variant.breaks ? { breaks: variant.breaks } : {}), cells, ...(interrupted ? { interrupted } : {}) };
}

/** A grid cell: `✓`, `✗n` (shortest counterexample on this scenario), `?`. */
function gridCellText(c: Cell | undefined): string {
  if (!c) return '';
  return c.verdict === 'holds' ? '✓' : c.verdict === 'violated' ? `✗${c.steps}` : '?';
}

export function gridText(rows: readonly GridRow[], properties: readonly string[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const head = ['scenario', ...properties.map((id) => (id === r.breaks ? `[${id}]` : id))];
    const body = Object.entries(r.cells).map(([code, cells]) => [code, ...properties.map((id) => gridCellText(cells[id]))]);
    const widths = head.map((h, k) => Math.max(h.length, ...body.map((row) => row[k]!.length)));
    const line = (row: string[]): string => row.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd();
    out.push(`${r.model}${r.breaks ? ` (declares ${r.breaks})` : ''}`, line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line), '');
  }
  out.push('✓ holds on the scenario · ✗n violated, shortest counterexample n steps on that scenario · ? stopped (--max-states or Ctrl-C)');
  return out.join('\n');
}

/** 1 when a mutant's declared property holds on every scenario of its grid, else 3 when a cell is undecided, else 0. */
export function gridExit(rows: readonly GridRow[]): number {
  const missed = rows.some((r) => r.breaks && Object.values(r.cells).every((c) => c[r.breaks!]?.verdict === 'holds'));
  const undecided = rows.some((r) => Object.values(r.cells).some((c) => Object.values(c).some((x) => x.verdict === 'incomplete')));
  return missed ? EXIT.violated : undecided ? EXIT.incomplete : EXIT.holds;
}

/**
 * The matrix of the given variants (default: the registry) on the standard scenarios.
 *
 * @example
 * const m = computeMatrix([v18]);
 * m.rows[0]!.cells.P8; // { verdict: 'violated', scenario: 'L', steps: 11, ... }
 */
export function computeMatrix(variants: readonly RestartVariant[] = registry, options: MatrixOptions = {}): Matrix {
  const scenarios = options.scenarios ?? STANDARD_SCENARIOS;
  const probe = buildModel(variants[0] ?? registry[0]!, scenarios[0]!.scenario);
  const properties = restartProperties(probe).map((p) => ({ id: p.id, title: p.title }));
  const rows = variants.map((v) => {
    const row = matrixRow(v, { ...options, scenarios });
    options.onRow?.(row);
    return row;
  });
  return { properties, scenarios: scenarios.map(({ code, description }) => ({ code, description })), rows };
}

/**
 * {@link computeMatrix}, yielding to the event loop between slices; once
 * `options.stop` gives a reason, the row in progress ends with its open cells
 * incomplete and no further row is computed.
 */
export async function computeMatrixAsync(variants: readonly RestartVariant[] = registry, options: MatrixOptions = {}): Promise<Matrix> {
  const scenarios = options.scenarios ?? STANDARD_SCENARIOS;
  const probe = buildModel(variants[0] ?? registry[0]!, scenarios[0]!.scenario);
  const properties = restartProperties(probe).map((p) => ({ id: p.id, title: p.title }));
  const rows: MatrixRow[] = [];
  for (const v of variants) {
    const row = await matrixRowAsync(v, { ...options, scenarios });
    rows.push(row);
    options.onRow?.(row);
    if (row.interrupted) break;
  }
  return { properties, scenarios: scenarios.map(({ code, description }) => ({ code, description })), rows };
}

/** `✓`, `✗ LZ·12` (first scenario · counterexample steps), or `?` (stopped by --max-states). */
export function cellText(c: Cell): string {
  if (c.verdict === 'holds') return '✓';
  if (c.verdict === 'incomplete') return `? ${c.stoppedOn}`;
  return `✗ ${c.scenario}·${c.steps}`;
}

/** A mutant whose declared property holds on every standard scenario: the matrix did not catch it. */
export function uncaught(m: Matrix): MatrixRow[] {
  return m.rows.filter((r) => r.breaks && r.cells[r.breaks]?.verdict === 'holds');
}

/** Cells a budget stopped: the matrix is not a verdict on them. */
export function incompleteCells(m: Matrix): number {
  return m.rows.reduce((k, r) => k + Object.values(r.cells).filter((c) => c.verdict === 'incomplete').length, 0);
}

/** 1 when a mutant was not caught, else 3 when a cell was stopped by --max-states, else 0. */
export function matrixExit(m: Matrix): number {
  return uncaught(m).length ? EXIT.violated : incompleteCells(m) ? EXIT.incomplete : EXIT.holds;
}

const LEGEND_CELLS =
  '✓ holds on every standard scenario · ✗ S·n violated, first on scenario S (smallest first), shortest counterexample n steps · ? stopped by --max-states';

export function matrixText(m: Matrix): string {
  const head = ['model', ...m.properties.map((p) => p.id)];
  const body = m.rows.map((r) => [
    r.model,
    ...m.properties.map((p) => (r.breaks === p.id ? `[${cellText(r.cells[p.id]!)}]` : cellText(r.cells[p.id]!))),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((row) => row[k]!.length)));
  const line = (row: string[]): string => row.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line), ''];
  out.push(LEGEND_CELLS, '[ ] the property a mutant declares it breaks', '');
  const w = Math.max(...m.scenarios.map((s) => s.code.length));
  out.push('scenarios, smallest first:', ...m.scenarios.map((s) => `  ${s.code.padEnd(w)}  ${s.description}`));
  out.push('(a scenario with a ghost is run only on the models that have ghosts)');
  const missed = uncaught(m);
  if (missed.length) out.push('', `not caught: ${missed.map((r) => `${r.model} (declares ${r.breaks})`).join(', ')}`);
  const stopped = incompleteCells(m);
  const by = m.rows.some((r) => r.interrupted) ? 'Ctrl-C or --max-states' : '--max-states';
  if (stopped) out.push('', `incomplete: ${stopped} cell${stopped === 1 ? '' : 's'} stopped by ${by} (exit 3): no verdict there`);
  return out.join('\n');
}

/** The README block: a markdown table and its legend, with nothing that changes from run to run. */
export function matrixMarkdown(m: Matrix): string {
  const head = `| model | ${m.properties.map((p) => p.id).join(' | ')} |`;
  const rule = `| --- | ${m.properties.map(() => ':---:').join(' | ')} |`;
  const rows = m.rows.map((r) => {
    const cells = m.properties.map((p) => {
      const t = cellText(r.cells[p.id]!);
      return r.breaks === p.id ? `**${t}**` : t;
    });
    return `| \`${r.model}\` | ${cells.join(' | ')} |`;
  });
  return [
    head,
    rule,
    ...rows,
    '',
    `${LEGEND_CELLS}. **Bold**: the property a mutant declares it breaks.`,
    '',
    `Scenarios, smallest first: ${m.scenarios.map((s) => `\`${s.code}\` ${s.description}`).join(' · ')}. A scenario with a ghost is run only on the models that have ghosts (v18-final and later).`,
  ].join('\n');
}

export const MATRIX_START = '<!-- matrix:start -->';
export const MATRIX_END = '<!-- matrix:end -->';

/** The text between the markers, or null when the file has none. */
export function readmeBlock(text: string): string | null {
  const a = text.indexOf(MATRIX_START);
  const b = text.indexOf(MATRIX_END);
  if (a < 0 || b < a) return null;
  return text.slice(a + MATRIX_START.length, b).trim();
}

export function replaceReadmeBlock(text: string, block: string): string {
  const a = text.indexOf(MATRIX_START);
  const b = text.indexOf(MATRIX_END);
  if (a < 0 || b < a) throw new UsageError(`--readme: expected a '${MATRIX_START}' line before a '${MATRIX_END}' line`);
  return `${text.slice(0, a + MATRIX_START.length)}\n${block}\n${text.slice(b)}`;
}

export interface MatrixCliOptions {
  readonly model?: string;
  readonly scenarios?: string;
  readonly maxStates?: string;
  readonly md?: boolean;
  readonly json?: boolean;
  readonly readme?: string;
  readonly grid?: boolean;
}

export function registerMatrix(program: Command, out: (s: string) => void): void {
  program
    .command('matrix')
    .description('check every model against P1-P11 on the standard scenarios; exit 1 when a mutant does not break the property it declares, 3 when --max-states left a cell without a verdict')
    .option('-m, --model <names>', 'only these models, comma-separated (names or .ts files); default: every registered model')
    .option('--scenarios <codes>', 'comma-separated scenario codes instead of the standard set, e.g. LZL,LL+sig2')
    .option('--max-states <n>', 'stop a run after this many distinct states (the cell shows ?)')
    .option('--grid', 'every scenario × property cell, one table per model (not only the first scenario that fails)')
    .option('--md', 'print the markdown table (the README block)')
    .option('--json', 'print JSON: every cell with its message and schedule')
    .option('--readme <file>', 'rewrite the block between the matrix markers in this file')
    .action(async (o: MatrixCliOptions) => {
      program.setOptionValue('exitCode', await matrix(o, out));
    });
}

export async function matrix(o: MatrixCliOptions, out: (s: string) => void): Promise<number> {
  const chosen = o.model ? await Promise.all(o.model.split(',').map((n) => resolveVariant(n.trim()))) : registry;
  let scenarios: readonly StandardScenario[] | undefined;
  if (o.scenarios) {
    try {
      scenarios = o.scenarios.split(',').map((c) => standardScenario(c.trim()));
    } catch (e) {
      throw new UsageError(`--scenarios: ${(e as Error).message}`);
    }
  }
  const maxStates = intOption('--max-states', o.maxStates, 1, 2 ** 31 - 1);
  const tty = process.stderr.isTTY;
  // Ctrl-C stops the run in progress: the rows so far are printed, exit 3 (a second Ctrl-C kills)
  let interrupted: string | null = null;
  const onSigint = (): void => void (interrupted = 'interrupted (Ctrl-C)');
  process.once('SIGINT', onSigint);
  if (o.grid) {
    if (o.md || o.readme) throw new UsageError(`${o.md ? '--md' : '--readme'}: applies to the matrix, not --grid (--grid prints text or --json)`);
    try {
      const rows: GridRow[] = [];
      for (const v of chosen) {
        const row = await gridRowAsync(v, { ...(scenarios ? { scenarios } : {}), ...(maxStates !== undefined ? { maxStates } : {}), stop: () => interrupted });
        rows.push(row);
        if (row.interrupted) break;
      }
      const ids = restartProperties(buildModel(chosen[0]!, (scenarios ?? STANDARD_SCENARIOS)[0]!.scenario)).map((p) => p.id);
      if (o.json) out(JSON.stringify({ properties: ids, grid: rows }, null, 2));
      else out(gridText(rows, ids));
      return rows.some((r) => r.interrupted) ? EXIT.incomplete : gridExit(rows);
    } finally {
      process.off('SIGINT', onSigint);
    }
  }
  let m: Matrix;
  try {
    m = await computeMatrixAsync(chosen, {
      ...(scenarios ? { scenarios } : {}),
      ...(maxStates !== undefined ? { maxStates } : {}),
      stop: () => interrupted,
      onRow: (r) => {
        if (tty) process.stderr.write(`${r.model}: ${r.runs.toLocaleString('en-US')} run${r.runs === 1 ? '' : 's'}, ${r.states.toLocaleString('en-US')} states, ${(r.elapsedMs / 1000).toFixed(1)} s\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const stopped = m.rows.find((r) => r.interrupted);
  if (stopped) {
    const note = `${stopped.interrupted}: ${m.rows.length - 1} of ${chosen.length} models checked, ${stopped.model} in part (? marks the cells not decided)`;
    if (o.json) out(JSON.stringify({ ...m, interrupted: note }, null, 2));
    else out(`${o.md ? matrixMarkdown(m) : matrixText(m)}\n\n${note}${o.readme ? `; ${o.readme} not rewritten` : ''}`);
    return 3;
  }
  if (o.readme) {
    let text: string;
    try {
      text = readFileSync(o.readme, 'utf8');
    } catch (e) {
      throw new UsageError(`--readme: cannot read '${o.readme}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    writeFileAtomic(o.readme, replaceReadmeBlock(text, matrixMarkdown(m)), '--readme');
    out(`${o.readme}: matrix block rewritten (${m.rows.length} models × ${m.properties.length} properties)`);
  } else if (o.json) out(JSON.stringify(m, null, 2));
  else if (o.md) out(matrixMarkdown(m));
  else out(matrixText(m));
  return matrixExit(m);
}
