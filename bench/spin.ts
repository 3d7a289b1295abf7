/**
 * `node bin/run-ts.js bench/spin.ts [--rows 4:2,5:2,6:3] [--reps N] [--spin-only 7:3] [--md bench/RESULTS.md]`
 * `node bin/run-ts.js bench/spin.ts --sanity`
 *
 * SPIN beside crsim, measured in the same run (issue 14). For each row
 * `tasks:zombies`, `--reps` times (default 3), alternately: (a) the Promela
 * model of bench/spin/v20.ts is generated into a temporary directory, `spin
 * -a`, compiled with gcc (PAN_CFLAGS below; the compile is timed apart) and
 * `./pan` run, its states stored, transitions, depth, memory and elapsed time
 * read from its output; (b) `crsim check -m v20 -t N -z Z --reduction dpor
 * --proof-states 0 --json`, its states and search time read from the JSON.
 * A row's times are the least of its reps (the machine is shared); the ratio
 * is SPIN's search time over crsim's. A search pan did not finish (depth or
 * memory bound) is reported `incomplete`, never as a result. `--spin-only`
 * rows run SPIN once, without crsim. `--plain-rows` (default 4:2) run both
 * without reduction (`spin -o3`, pan `-DNOREDUCE`; crsim `--reduction none`),
 * where they store the same states: the cost of a state, side by side.
 *
 * `--sanity`: SPIN finds no error for 2:1, 3:1, 4:2 and 5:2; the broken model
 * (restore_task_done completing on every call) is an assertion violation; and
 * without reduction on either side (`spin -o3`, `-DNOREDUCE`; `--reduction
 * none`) SPIN and crsim store the same number of states for 2:1, 3:1 and 4:2.
 *
 * SPIN and gcc are bench-only: `apt-get install spin` (Debian's spin 6.5.2).
 * Without them this exits 2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { promelaV20 } from './spin/v20.ts';

/**
 * gcc flags for pan: the issue's `-O2 -DCOLLAPSE`, plus -DSAFETY (only
 * safety is checked: assertions and invalid end states), a memory bound,
 * room for the state vector, and -fno-tree-slp-vectorize: gcc 12.2's -O2 SLP
 * vectorizer makes pan report a false invalid end state on 4:2 after 95
 * states (-O0, -O1 and -O2 without it agree with crsim's 201,890 states
 * without reduction; bench/RESULTS.md "SPIN beside crsim").
 */
export const PAN_CFLAGS = ['-O2', '-fno-tree-slp-vectorize', '-DSAFETY', '-DCOLLAPSE', '-DMEMLIM=16000', '-DVECTORSZ=4096'];
/** pan's run flags: a depth bound far above the model's (about 50 steps a task) and a hash table of 2^(2N+14) slots */
const panArgs = (n: number): string[] => ['-m1000000', `-w${Math.min(29, 2 * n + 14)}`, '-n'];

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '4:2,5:2,6:3' },
    'spin-only': { type: 'string' },
    'plain-rows': { type: 'string', default: '4:2' },
    reps: { type: 'string', default: '3' },
    md: { type: 'string' },
    sanity: { type: 'boolean', default: false },
  },
  strict: true,
});

function fail(msg: string): never {
  process.stderr.write(`bench/spin: ${msg}\n`);
  process.exit(2);
}

for (const [tool, arg] of [['spin', '-V'], ['gcc', '--version']] as const) {
  const r = spawnSync(tool, [arg], { encoding: 'utf8' });
  if (r.error) fail(`'${tool}' not found: SPIN and gcc are needed for this benchmark only (Debian: apt-get install spin gcc)`);
}
const reps = Number(flags.reps);
if (!Number.isInteger(reps) || reps < 1) fail(`--reps: expected an integer >= 1 (got '${flags.reps}')`);

interface Row {
  readonly n: number;
  readonly z: number;
  readonly id: string;
}
function parseRows(list: string | undefined, flag: string): Row[] {
  if (!list) return [];
  return list.split(',').map((r) => {
    const m = /^(\d+):(\d+)$/.exec(r.trim());
    const n = Number(m?.[1]);
    const z = Number(m?.[2]);
    if (!m || n < 2 || n > 12 || z > n - 1) fail(`${flag}: '${r}': expected tasks:zombies, 2 <= tasks <= 12, zombies < tasks`);
    return { n, z, id: `${n}/${z}` };
  });
}
const rows = parseRows(flags.rows, '--rows');
const spinOnly = parseRows(flags['spin-only'], '--spin-only');
const plainRows = parseRows(flags['plain-rows'], '--plain-rows');

interface PanRun {
  /** `holds`, `violation` (pan's first error line) or `incomplete` (why) */
  readonly verdict: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly memoryMb: number;
  /** pan's own `elapsed time` (the search) */
  readonly searchMs: number;
  /** the ./pan process, wall clock */
  readonly processMs: number;
  /** spin -a and gcc, wall clock */
  readonly compileMs: number;
}

const since = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function runSpin(n: number, z: number, opt: { broken?: boolean; noReduce?: boolean } = {}): PanRun {
  const dir = mkdtempSync(join(tmpdir(), 'crsim-spin-'));
  try {
    writeFileSync(join(dir, 'model.pml'), promelaV20(n, z, { broken: opt.broken ?? false }));
    const t0 = process.hrtime.bigint();
    execFileSync('spin', [...(opt.noReduce ? ['-o3'] : []), '-a', 'model.pml'], { cwd: dir, stdio: 'pipe' });
    execFileSync('gcc', [...PAN_CFLAGS, ...(opt.noReduce ? ['-DNOREDUCE'] : []), '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'pipe' });
    const compileMs = since(t0);
    const t1 = process.hrtime.bigint();
    const r = spawnSync('./pan', panArgs(n), { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    const processMs = since(t1);
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const num = (re: RegExp): number => {
      const m = re.exec(out);
      if (!m) throw new Error(`bench/spin: ${n}/${z}: pan's output has no ${re}:\n${out}`);
      return Number(m[1]);
    };
    const errors = num(/errors: (\d+)/);
    const truncated = /max search depth too small|reached -DMEMLIM bound|out of memory|Search not completed/.exec(out);
    const first = /^pan:\d+: (.*)$/m.exec(out)?.[1];
    return {
      verdict: errors > 0 ? `violation: ${first ?? 'error'}` : truncated ? `incomplete: ${truncated[0]}` : 'holds',
      states: num(/(\d+) states, stored/),
      transitions: num(/(\d+) transitions \(= stored\+matched\)/),
      depth: num(/depth reached (\d+)/),
      memoryMb: num(/([\d.]+)\s+total actual memory usage/),
      searchMs: num(/elapsed time ([\d.e+]+) seconds/) * 1000,
      processMs,
      compileMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CrsimRun {
  readonly verdict: string;
  readonly states: number;
  readonly searchMs: number;
  readonly processMs: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CRSIM = join(ROOT, 'bin/crsim.js');

function runCrsim(n: number, z: number, reduction: string): CrsimRun {
  const args = [CRSIM, 'check', '-m', 'v20', '-t', String(n), '-z', String(z), '--reduction', reduction, '--proof-states', '0', '--json'];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const processMs = since(t0);
  const j = JSON.parse(r.stdout) as { verdict: string; states: number; phases?: { search?: { ms: number } }; elapsedMs: number };
  return { verdict: j.verdict, states: j.states, searchMs: j.phases?.search?.ms ?? j.elapsedMs, processMs };
}

const int = (x: number): string => x.toLocaleString('en-US');
const sec = (ms: number): string => (ms < 10 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);
const loads = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');

if (flags.sanity) {
  let bad = 0;
  const say = (ok: boolean, what: string): void => {
    if (!ok) bad++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  };
  for (const [n, z] of [[2, 1], [3, 1], [4, 2], [5, 2]] as const) {
    const s = runSpin(n, z);
    say(s.verdict === 'holds', `v20 ${n}/${z}: SPIN ${s.verdict}, ${int(s.states)} states`);
  }
  for (const [n, z] of [[3, 1], [4, 2]] as const) {
    const s = runSpin(n, z, { broken: true });
    say(/assertion violated/.test(s.verdict), `broken v20 ${n}/${z} (restore_task_done completes on every call): SPIN ${s.verdict}`);
  }
  for (const [n, z] of [[2, 1], [3, 1], [4, 2]] as const) {
    const s = runSpin(n, z, { noReduce: true });
    const c = runCrsim(n, z, 'none');
    say(s.verdict === 'holds' && s.states === c.states, `v20 ${n}/${z} without reduction: SPIN ${int(s.states)} states, crsim ${int(c.states)} (${c.verdict})`);
  }
  process.exit(bad ? 1 : 0);
}

const MD_START = '<!-- spin:begin -->';
const MD_END = '<!-- spin:end -->';
/** `md` with the block between the markers replaced by `table` */
function withBlock(md: string, table: string): string {
  const a = md.indexOf(MD_START);
  const b = md.indexOf(MD_END);
  if (a < 0 || b < a) fail(`--md ${flags.md}: no '${MD_START}' … '${MD_END}' block to rewrite`);
  return `${md.slice(0, a + MD_START.length)}\n${table}\n${md.slice(b)}`;
}
// a bad --md fails before the runs, not after them
if (flags.md) {
  if (!existsSync(flags.md)) fail(`--md ${flags.md}: no such file`);
  withBlock(readFileSync(flags.md, 'utf8'), '');
}

const load0 = loads();
const lines: string[] = [];
const head =
  '| row | SPIN verdict | SPIN states | transitions | depth | memory | pan search | pan process | compile | crsim states (dpor) | crsim search | crsim process | states SPIN/crsim | search SPIN/crsim |';
process.stdout.write(`${head}\n`);
const emit = (line: string): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const spinCells = (s: PanRun): string =>
  `${s.verdict} | ${int(s.states)} | ${int(s.transitions)} | ${s.depth} | ${s.memoryMb.toFixed(0)} MB | ${sec(s.searchMs)} | ${sec(s.processMs)} | ${sec(s.compileMs)}`;
for (const row of rows) {
  const spins: PanRun[] = [];
  const crsims: CrsimRun[] = [];
  for (let k = 0; k < reps; k++) {
    spins.push(runSpin(row.n, row.z));
    crsims.push(runCrsim(row.n, row.z, 'dpor'));
  }
  const least = (xs: number[]): number => Math.min(...xs);
  const s: PanRun = {
    ...spins[0]!,
    searchMs: least(spins.map((r) => r.searchMs)),
    processMs: least(spins.map((r) => r.processMs)),
    compileMs: least(spins.map((r) => r.compileMs)),
  };
  const c: CrsimRun = { ...crsims[0]!, searchMs: least(crsims.map((r) => r.searchMs)), processMs: least(crsims.map((r) => r.processMs)) };
  if (c.verdict !== 'holds') throw new Error(`bench/spin: crsim says ${c.verdict} on v20 ${row.id}`);
  const ratio = s.verdict === 'holds' ? `×${(s.searchMs / c.searchMs).toFixed(2)}` : 'n/a';
  emit(`| v20 ${row.id} | ${spinCells(s)} | ${int(c.states)} | ${sec(c.searchMs)} | ${sec(c.processMs)} | ×${(s.states / c.states).toFixed(1)} | ${ratio} |`);
}
for (const row of spinOnly) emit(`| v20 ${row.id} | ${spinCells(runSpin(row.n, row.z))} | not run | | | | |`);

const plainHead = '| row, no reduction | SPIN states | crsim states | SPIN transitions | pan search | crsim search (none) | search SPIN/crsim |';
const plainLines: string[] = [];
if (plainRows.length) process.stdout.write(`\n${plainHead}\n`);
for (const row of plainRows) {
  const spins: PanRun[] = [];
  const crsims: CrsimRun[] = [];
  for (let k = 0; k < reps; k++) {
    spins.push(runSpin(row.n, row.z, { noReduce: true }));
    crsims.push(runCrsim(row.n, row.z, 'none'));
  }
  const s = Math.min(...spins.map((r) => r.searchMs));
  const c = Math.min(...crsims.map((r) => r.searchMs));
  const line = `| v20 ${row.id} | ${int(spins[0]!.states)} | ${int(crsims[0]!.states)} | ${int(spins[0]!.transitions)} | ${sec(s)} | ${sec(c)} | ×${(s / c).toFixed(2)} |`;
  plainLines.push(line);
  process.stdout.write(`${line}\n`);
}

const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const spinVersion = spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout.trim();
const gccVersion = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
const table = [
  `Command: \`node bin/run-ts.js bench/spin.ts --rows ${flags.rows}${flags['spin-only'] ? ` --spin-only ${flags['spin-only']}` : ''} --plain-rows '${flags['plain-rows']}' --reps ${reps}\` · commit ${commit} · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} cores, Node ${process.version}, ${spinVersion}, ${gccVersion} · least of ${reps} alternating runs (\`--spin-only\` rows: one run) · load average ${load0} at start, ${loads()} at end (1/5/15 min).`,
  '',
  `pan: \`gcc ${PAN_CFLAGS.join(' ')}\`, run \`./pan -m1000000 -w<2N+14> -n\`. crsim: \`check -m v20 -t N -z Z --reduction dpor --proof-states 0 --json\` (P1–P11).`,
  '',
  head,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...lines,
  ...(plainLines.length ? ['', 'Without reduction on either side (`spin -o3 -a`, pan `-DNOREDUCE`; crsim `--reduction none`): the same states, so the time per state compares directly.', '', plainHead, '| --- | --- | --- | --- | --- | --- | --- |', ...plainLines] : []),
].join('\n');
if (flags.md) writeFileSync(flags.md, withBlock(readFileSync(flags.md, 'utf8'), table));
