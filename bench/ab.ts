/**
 * `node bin/run-ts.js bench/ab.ts --base DIR [--rows LIST] [--reps N] [--reduction R] [--md FILE]`
 *
 * Before and after, measured in the same run: each row is checked by the
 * checkout at DIR (the baseline: `git worktree add DIR <commit>`, then `npm
 * run build` there) and by this one, alternately, `--reps` times each (default
 * 3), each check a fresh `crsim check … --json` process. A row's time is the
 * least search time of its reps (the machine is shared: the least is the run
 * least disturbed), and the ratio is baseline / this. Both checkouts must give
 * the same verdict; the states may differ only where a change meant them to.
 *
 * Rows: `model:tasks:zombies:properties`, `;`-separated (default: the rows of
 * issue 14 that finish in seconds, v18 4/2 and 5/2, v20 5/2 and 6/3).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRows, positiveInt } from './args.ts';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    rows: { type: 'string', default: 'v18:4:2:P2-P6,P9,P10;v18:5:2:P2-P6,P9,P10;v20:5:2:P1-P11;v20:6:3:P1-P11' },
    reps: { type: 'string', default: '3' },
    reduction: { type: 'string', default: 'dpor' },
    md: { type: 'string' },
  },
  strict: true,
});
if (!flags.base) {
  process.stderr.write('bench/ab: --base DIR: the baseline checkout is required\n');
  process.exit(2);
}
const reps = positiveInt(flags.reps, '--reps', 'bench/ab');
const rows = checkRows(flags.rows!, 'bench/ab');

interface Run {
  readonly verdict: string;
  readonly states: number;
  readonly ms: number;
}

function check(dir: string, row: (typeof rows)[number]): Run {
  const args = [join(dir, 'bin/crsim.js'), 'check', '-m', row.model, '-t', row.tasks, '-z', row.zombies, '-p', row.properties, '--reduction', flags.reduction!, '--proof-states', '0', '--json'];
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? ''); // exit 1 is a violation, still a result
  }
  const j = JSON.parse(out) as { verdict: string; states: number; phases?: { search?: { ms: number } }; elapsedMs: number };
  return { verdict: j.verdict, states: j.states, ms: j.phases?.search?.ms ?? j.elapsedMs };
}

const commit = (dir: string): string => execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const load0 = loadavg().map((x) => x.toFixed(2));
const lines: string[] = [];
for (const row of rows) {
  const runs: Run[][] = [[], []];
  for (let k = 0; k < reps; k++) for (const [side, dir] of [flags.base, '.'].entries()) runs[side]!.push(check(dir, row));
  const [base, mine] = runs.map((rs) => ({ ...rs[0]!, ms: Math.min(...rs.map((r) => r.ms)) }));
  if (base!.verdict !== mine!.verdict) throw new Error(`bench/ab: ${row.id}: the verdicts differ (${base!.verdict} before, ${mine!.verdict} after)`);
  const line = `| ${row.id} | ${base!.verdict} | ${base!.states.toLocaleString('en-US')} | ${(base!.ms / 1000).toFixed(2)} s | ${mine!.states.toLocaleString('en-US')} | ${(mine!.ms / 1000).toFixed(2)} s | ${Math.round(mine!.states / (mine!.ms / 1000)).toLocaleString('en-US')} | ×${(base!.ms / mine!.ms).toFixed(2)} |`;
  lines.push(line);
  process.stdout.write(`${line}\n`);
}
const head = [
  `Command: \`node bin/run-ts.js bench/ab.ts --base DIR\` (DIR: commit ${commit(flags.base)}; this: ${commit('.')}) · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · least search time of ${reps} alternating runs, \`--reduction ${flags.reduction} --proof-states 0\`; load average ${load0.join(' / ')} at start, ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at end.`,
  '',
  '| row | verdict | states before | time before | states after | time after | states/s after | speed-up |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
const table = [...head, ...lines].join('\n');
if (flags.md) {
  const start = '<!-- bench-ab:start -->';
  const end = '<!-- bench-ab:end -->';
  const md = readFileSync(flags.md, 'utf8');
  const a = md.indexOf(start);
  const b = md.indexOf(end);
  if (a < 0 || b < a) {
    process.stderr.write(`bench/ab: --md ${flags.md}: no '${start}' … '${end}' block to rewrite\n`);
    process.exit(2);
  }
  writeFileSync(flags.md, `${md.slice(0, a + start.length)}\n${table}\n${md.slice(b)}`);
}
