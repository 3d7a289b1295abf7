/**
 * Start-up rows (`npm run bench:startup`, or part of `npm run bench`): the
 * whole-process wall time of short crsim commands, median of 5 after one
 * warm-up run, beside what the same run measures as baselines: Node's own
 * start-up (`node -e 0`, the floor), and the same commands from the
 * TypeScript sources through tsx (what every start cost before the build).
 * `check` runs with --json, so the search's own time comes from the same runs.
 * Wall time only: Node does not report a child's CPU time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { time } from './format.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/crsim.js');

export interface StartupRow {
  readonly id: string;
  readonly command: string;
  /** what runs: the build, the sources through tsx, or bare node */
  readonly from: 'dist' | 'source' | 'node';
  readonly wallMs: { median: number; min: number; max: number };
  /** check --json: the search's own elapsedMs (median) */
  readonly searchMs?: number;
  readonly target?: { readonly limitMs: number; readonly met: boolean };
  readonly exitCode: number;
}

interface Spec {
  readonly id: string;
  readonly args: readonly string[];
  readonly from: StartupRow['from'];
  readonly limitMs?: number;
}

/** The issue's targets: `crsim models` ≤ 0.12 s, `crsim check -m v20 -t 4 -z 2` ≤ 0.45 s, whole process. */
const SPECS: readonly Spec[] = [
  { id: 'node -e 0', args: ['-e', '0'], from: 'node' },
  { id: 'crsim --version', args: ['--version'], from: 'dist' },
  { id: 'crsim models', args: ['models'], from: 'dist', limitMs: 120 },
  { id: 'crsim models', args: ['models'], from: 'source' },
  { id: 'crsim check -m v20 -t 4 -z 2', args: ['check', '-m', 'v20', '-t', '4', '-z', '2', '--json'], from: 'dist', limitMs: 450 },
  { id: 'crsim check -m v20 -t 4 -z 2', args: ['check', '-m', 'v20', '-t', '4', '-z', '2', '--json'], from: 'source' },
];

function once(spec: Spec): { ms: number; code: number; searchMs?: number } {
  const argv = spec.from === 'node' ? [...spec.args] : [BIN, ...spec.args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CRSIM_FROM: spec.from === 'node' ? '' : spec.from } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`bench startup: ${spec.id} (${spec.from}) exited ${r.status}: ${r.stderr.split('\n')[0]}`);
  let searchMs: number | undefined;
  if (spec.args.includes('--json')) searchMs = (JSON.parse(r.stdout) as { elapsedMs: number }).elapsedMs;
  return { ms, code: r.status, ...(searchMs !== undefined ? { searchMs } : {}) };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Builds dist/ (so the rows time this checkout's code), then measures every row, `runs` times each. */
export function measureStartup(report: (line: string) => void, runs = 5): StartupRow[] {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench startup: the build failed:\n${build.stdout}${build.stderr}`);
  const rows: StartupRow[] = [];
  for (const spec of SPECS) {
    once(spec); // warm-up: file cache, and tsx's own cache for the source rows
    const got = Array.from({ length: runs }, () => once(spec));
    const walls = got.map((g) => g.ms);
    const wallMs = { median: median(walls), min: Math.min(...walls), max: Math.max(...walls) };
    const searches = got.flatMap((g) => (g.searchMs === undefined ? [] : [g.searchMs]));
    const row: StartupRow = {
      id: spec.id,
      command: spec.from === 'node' ? `node ${spec.args.join(' ')}` : `${spec.id}${spec.args.includes('--json') ? ' --json' : ''}`,
      from: spec.from,
      wallMs,
      ...(searches.length ? { searchMs: median(searches) } : {}),
      ...(spec.limitMs !== undefined ? { target: { limitMs: spec.limitMs, met: wallMs.median <= spec.limitMs } } : {}),
      exitCode: got[0]!.code,
    };
    rows.push(row);
    report(`startup/${row.from}/${row.id}: ${time(wallMs.median)} [${time(wallMs.min)}–${time(wallMs.max)}]${row.searchMs !== undefined ? `, search ${time(row.searchMs)}` : ''}${row.target ? ` · target ≤ ${time(row.target.limitMs)}: ${row.target.met ? 'met' : 'MISSED'}` : ''}`);
  }
  return rows;
}

const FROM = { dist: 'build (dist/)', source: 'sources through tsx', node: 'Node alone' } as const;

/** The rows as a markdown (md) or text table: each beside Node's floor and, for the build, beside the sources. */
export function startupTable(rows: readonly StartupRow[], md: boolean): string {
  const floor = rows.find((r) => r.from === 'node')?.wallMs.median ?? 0;
  const head = ['command', 'runs from', 'wall (median of 5) [min–max]', 'search', 'start-up: wall − Node − search', 'vs the sources', 'target'];
  const body = rows.map((r) => {
    const src = r.from === 'dist' ? rows.find((s) => s.from === 'source' && s.id === r.id) : undefined;
    return [
      md ? `\`${r.command}\`` : r.command,
      FROM[r.from],
      `${time(r.wallMs.median)} [${time(r.wallMs.min)}–${time(r.wallMs.max)}]`,
      r.searchMs !== undefined ? time(r.searchMs) : '—',
      r.from === 'node' ? '—' : time(r.wallMs.median - floor - (r.searchMs ?? 0)),
      src ? `×${(src.wallMs.median / r.wallMs.median).toFixed(1)} faster` : '—',
      r.target ? `≤ ${time(r.target.limitMs)}: ${r.target.met ? 'met' : `**missed** by ${time(r.wallMs.median - r.target.limitMs)}`}` : '—',
    ];
  });
  if (md) return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [head, ...body].map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n');
}
