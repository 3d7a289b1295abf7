/** The benchmark's tables: number formats, the comparison of a row with its baseline, the issue's targets. */
import { mutants } from '../models/index.ts';
import type { RowResult, RowSpec, Spread } from './rows.ts';

export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
export const mb = (b: number): string => (b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0);
export function time(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
export const ratio = (x: number): string => (x >= 100 ? `×${Math.round(x)}` : `×${x.toPrecision(x >= 10 ? 3 : 2)}`);
export const sp = (s: Spread | undefined, f: (x: number) => string): string => (s ? `${f(s.median)} [${f(s.min)}–${f(s.max)}]` : '—');

export interface Measured {
  readonly spec: RowSpec;
  readonly result: RowResult;
  readonly baseline: string | null;
  readonly vs: string;
  readonly ratios: Record<string, number>;
}

export function compare(row: RowSpec, r: RowResult, base: RowResult | undefined): { vs: string; ratios: Record<string, number> } {
  if (!base) return { vs: row.strategy === 'plain' ? 'baseline' : '—', ratios: {} };
  if (r.verdict === 'skipped' || r.verdict === 'error' || base.verdict === 'skipped' || base.verdict === 'error') return { vs: `baseline ${base.verdict}`, ratios: {} };
  const ratios: Record<string, number> = {};
  const parts: string[] = [];
  const complete = (x: RowResult): boolean => x.verdict === 'holds' || x.verdict === 'violated';
  if (row.strategy === 'dpor') {
    if (complete(r) && complete(base)) {
      ratios['states'] = base.states / Math.max(r.states, 1);
      ratios['time'] = base.ms / Math.max(r.ms, 1e-3);
      parts.push(`states ${ratio(ratios['states'])} fewer`, `time ${ratio(ratios['time'])}`);
      if (r.length !== undefined && base.length !== undefined) {
        ratios['length'] = r.length / base.length;
        parts.push(`length ${r.length}/${base.length}${r.shortest ? ' (proven shortest)' : ''}`);
      }
      if (r.verdict !== base.verdict) parts.push(`VERDICT DIFFERS from plain (${base.verdict})`);
    } else {
      ratios['statesPerSec'] = r.statesPerSec / Math.max(base.statesPerSec, 1e-9);
      parts.push(`${complete(base) ? 'plain finished' : 'plain incomplete'}; states/s ${ratio(ratios['statesPerSec'])}`);
    }
    return { vs: parts.join(', '), ratios };
  }
  const w = r.walks;
  if (row.strategy === 'random') {
    if (w?.firstMs && base.verdict === 'violated') {
      ratios['firstCex'] = base.ms / Math.max(w.firstMs.median, 1e-3);
      ratios['length'] = w.length!.median / base.length!;
      return { vs: `first cex ${ratio(ratios['firstCex'])} sooner than plain's verdict; length ${ratio(ratios['length'])} the shortest (${base.length})`, ratios };
    }
    if (!w?.found && base.verdict === 'violated') return { vs: `plain found ${base.property} in ${time(base.ms)}; random found none`, ratios };
    return { vs: base.verdict === 'holds' ? 'plain proved it' : `plain ${base.verdict}`, ratios };
  }
  // pct against random
  const bw = base.walks;
  if (w?.runs && bw?.runs) {
    ratios['runs'] = bw.runs.median / w.runs.median;
    ratios['firstCex'] = bw.firstMs!.median / Math.max(w.firstMs!.median, 1e-3);
    return { vs: `runs to cex ${ratio(ratios['runs'])} fewer, time ${ratio(ratios['firstCex'])}`, ratios };
  }
  if (w?.found && !bw?.found) return { vs: 'random found none', ratios };
  if (!w?.found && bw?.found) return { vs: 'random found one, pct none', ratios };
  ratios['runsPerSec'] = (w?.runsPerSec ?? 0) / Math.max(bw?.runsPerSec ?? 0, 1e-9);
  return { vs: `runs/s ${ratio(ratios['runsPerSec'])}`, ratios };
}

export function cells(m: Measured): string[] {
  const r = m.result;
  const w = r.walks;
  const verdict = r.verdict === 'violated' ? `✗ ${r.property}` : r.verdict === 'holds' ? '✓ holds' : r.verdict;
  return [
    m.spec.id.replace(/^[a-z]+\//, ''),
    verdict,
    r.verdict === 'skipped' ? '' : int(r.states),
    r.verdict === 'skipped' ? '' : int(r.transitions),
    r.verdict === 'skipped' ? '' : int(r.statesPerSec),
    r.verdict === 'skipped' ? '' : mb(r.peakBytes),
    r.verdict === 'skipped' ? '' : time(r.ms),
    w ? `${w.found}/${w.seeds}` : '',
    w ? sp(w.runs, int) : '',
    w ? sp(w.firstMs, time) : r.verdict === 'violated' ? time(r.ms) : '',
    w ? sp(w.length, int) : r.length !== undefined ? `${r.length}${r.shortest === false ? ' (not proven shortest)' : ''}` : '',
    m.vs,
    r.note ?? '',
  ];
}

export const HEAD = ['row', 'verdict', 'states', 'transitions', 'states/s', 'peak MB', 'time', 'seeds', 'runs to cex', 'time to cex', 'cex length', 'vs baseline', 'note'];

export function textTable(rows: string[][]): string {
  const widths = HEAD.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: string[]): string => r.map((c, k) => c.padEnd(widths[k]!)).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function mdTable(rows: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export interface Target {
  readonly target: string;
  readonly limit: string;
  readonly measured: string;
  readonly met: boolean | null;
  readonly by: string;
}

export function targets(all: readonly Measured[]): Target[] {
  const get = (id: string): RowResult | undefined => all.find((m) => m.spec.id === id)?.result;
  const out: Target[] = [];
  const done = (r: RowResult | undefined): r is RowResult => !!r && (r.verdict === 'holds' || r.verdict === 'violated');
  for (const [n, limitMs] of [[4, 1000], [6, 10_000], [8, 60_000]] as const) {
    for (const model of ['v18', 'v20']) {
      const cands = (['plain', 'dpor'] as const).map((s) => ({ s, r: get(`verify/${model}/N=${n}/${s}`) }));
      if (cands.every((c) => !c.r)) continue;
      const finished = cands.filter((c) => done(c.r));
      const best = finished.sort((a, b) => a.r!.ms - b.r!.ms)[0];
      const what = `${model} fault-free N=${n} (${Math.floor(n / 2)} zombies) exhaustive`;
      if (best) {
        const ms = best.r!.ms;
        out.push({
          target: what,
          limit: time(limitMs),
          measured: `${time(ms)} (${best.s}, ${int(best.r!.states)} states)`,
          met: ms < limitMs,
          by: ms < limitMs ? `${ratio(limitMs / ms)} under` : `${ratio(ms / limitMs)} over`,
        });
      } else {
        const why = cands
          .map((c) => `${c.s}: ${!c.r ? 'not run' : c.r.verdict === 'skipped' ? `not run (${c.r.note})` : `${c.r.verdict} after ${time(c.r.ms)}, ${int(c.r.states)} states${c.r.note ? ` (${c.r.note})` : ''}`}`)
          .join('; ');
        const longest = Math.max(0, ...cands.map((c) => (c.r && c.r.verdict !== 'skipped' ? c.r.ms : 0)));
        out.push({
          target: what,
          limit: time(limitMs),
          measured: why,
          met: false,
          by: longest > 0 ? `more than ${ratio(longest / limitMs)} over (stopped at ${time(longest)})` : 'not run: a smaller tree did not finish',
        });
      }
    }
  }
  for (const m of mutants) {
    const cands = (['random', 'pct'] as const).map((s) => ({ s, r: get(`mutant/${m.name}/N=6/${s}`) })).filter((c) => c.r?.walks?.firstMs);
    if (!cands.length) {
      if (get(`mutant/${m.name}/N=6/random`)) out.push({ target: `${m.name} N=6 first counterexample`, limit: '50 ms', measured: 'none found', met: false, by: '—' });
      continue;
    }
    const best = cands.sort((a, b) => a.r!.walks!.firstMs!.median - b.r!.walks!.firstMs!.median)[0]!;
    const ms = best.r!.walks!.firstMs!.median;
    out.push({
      target: `${m.name} N=6 first counterexample (median over ${best.r!.walks!.seeds} seeds)`,
      limit: '50 ms',
      measured: `${time(ms)} (${best.s}; ${best.r!.walks!.found}/${best.r!.walks!.seeds} seeds found it)`,
      met: ms < 50,
      by: ms < 50 ? `${ratio(50 / ms)} under` : `${ratio(ms / 50)} over`,
    });
  }
  // counterexamples as short as the shortest: dpor against plain (BFS: shortest)
  const pairs = all.filter((m) => m.spec.strategy === 'dpor' && m.result.length !== undefined);
  let same = 0;
  let longer = 0;
  for (const m of pairs) {
    const base = get(m.baseline!);
    if (base?.length === undefined) continue;
    if (m.result.length === base.length) same++;
    else longer++;
  }
  if (same + longer) {
    out.push({
      target: 'counterexamples as short as the shortest (dpor vs plain BFS)',
      limit: 'equal length',
      measured: `${same} of ${same + longer} equal`,
      met: longer === 0,
      by: longer ? `${longer} longer` : 'all equal',
    });
  }
  return out;
}

export function targetTable(ts: readonly Target[]): string {
  const head = ['target', 'limit', 'measured', 'met', 'by'];
  const body = ts.map((t) => [t.target, t.limit, t.measured, t.met === null ? '?' : t.met ? 'yes' : 'NO', t.by]);
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
