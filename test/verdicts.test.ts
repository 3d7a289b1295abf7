/**
 * A verdict a CI gate can trust (issue 10): no vacuous pass, no crash that
 * reads as a violation, no walk said as a proof, no merge of impossible
 * shards, no code run from a shared file, no option silently ignored, no
 * output lost or written over an input. Each case reproduced the problem
 * before its fix.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { findVariant } from '../models/index.ts';
import { assertNotInput, writeFileAtomic } from '../src/cli/atomic-write.ts';
import { EXIT, reportError, UsageError } from '../src/cli/errors.ts';
import { parseJsonInput, tooDeep } from '../src/engine/json-input.ts';
import { buildModel } from '../src/kernel/model.ts';
import { ModelError } from '../src/kernel/model-error.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** The real binary: the process exit code and what reaches stderr. */
function bin(...argv: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/crsim.js'), ...argv], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t };
}

// a temporary folder with no package.json above it: model files there are not in a "type": "module" scope
const dir = mkdtempSync(join(tmpdir(), 'crsim-verdicts-'));
const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const V18 = JSON.stringify(join(ROOT, 'models/v18.ts'));
const STACK = /\n\s+at .*:\d+/;

describe('verdicts that lie', () => {
  it.each(['P10-P1', 'P5-P2', 'P8-P1'])('a reversed range %s is exit 2, not a pass of nothing', async (range) => {
    const r = await runCli('check', '-t', '1', '--properties', range);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(`--properties: '${range}' is a reversed range`);
    expect(r.out).toBe('');
    const model = buildModel(findVariant('v18')!, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }] }));
    expect(() => selectProperties(restartProperties(model), range)).toThrow(/reversed range/);
  });

  it('a model step that throws is exit 4, one line naming the model, the actor and the step; the stack only with --debug', () => {
    const m = file('throws.ts', `import { v18 } from ${V18};\nexport default { ...v18, name: 'throws', task: { ...v18.task, T2: { ...v18.task['T2'], run: () => { throw new TypeError('boom'); } } } };\n`);
    const r = bin('check', '--model', m, '-t', '1');
    expect(r.status).toBe(EXIT.model);
    expect(r.stderr).toMatch(/^crsim: model error: model throws: task 1 at step 'T2': TypeError: boom$/m);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout).toBe('');
    const debug = bin('check', '--model', m, '-t', '1', '--debug');
    expect(debug.status).toBe(EXIT.model);
    expect(debug.stderr).toMatch(STACK);
    // on worker threads too: the error crosses the thread as text and is still a model error (whichever
    // worker's run throws first: either task may be the first at T2 there)
    const walks = bin('check', '--model', m, '-t', '2', '--strategy', 'random', '--runs', '5', '--workers', '2');
    expect(walks.status).toBe(EXIT.model);
    expect(walks.stderr).toMatch(/model throws: task [12] at step 'T2': TypeError: boom/);
  });

  it('a step that jumps to a label with no step is exit 4, before any property reads the state', () => {
    const m = file('jumps.ts', `import { v18 } from ${V18};\nexport default { ...v18, name: 'jumps', task: { ...v18.task, T2: { ...v18.task['T2'], run: (_s, self) => { self.pc = 'T99'; } } } };\n`);
    // untyped on purpose (implicit any): --no-typecheck, so that the step runs and the model error shows
    const r = bin('--no-typecheck', 'check', '--model', m, '-t', '1');
    expect(r.status).toBe(EXIT.model);
    expect(r.stderr).toContain("model jumps: task 1 at step 'T2': it jumped to 'T99'");
    expect(r.stdout).not.toMatch(/violated/);
  });

  it('an internal error is exit 5, one line, the stack only with --debug', () => {
    const lines: string[] = [];
    expect(reportError(new TypeError('x is undefined'), false, (s) => lines.push(s))).toBe(EXIT.internal);
    expect(lines.join('')).toMatch(/^crsim: internal error: TypeError: x is undefined\n/);
    expect(lines.join('')).not.toMatch(STACK);
    const debug: string[] = [];
    reportError(new TypeError('x'), true, (s) => debug.push(s));
    expect(debug.join('')).toMatch(STACK);
    expect(reportError(new ModelError('m', 'task 1', 'T2', 'boom'), false, () => undefined)).toBe(EXIT.model);
    expect(reportError(new Error("worker 0: ModelError: model m: task 1 at step 'T2': boom\n    at x"), false, () => undefined)).toBe(EXIT.model);
    expect(reportError(new UsageError('bad'), true, () => undefined)).toBe(EXIT.usage);
    expect(new Set(Object.values(EXIT)).size).toBe(6);
  });

  it('an error before main() runs (a package without its build) is exit 5 too, one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crsim-nobuild-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'crsim.js'), readFileSync(resolve('bin/crsim.js')));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'crsim.js'), 'models'], { encoding: 'utf8' });
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^crsim: internal error: .*dist/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('input nested 100,000 levels deep is refused by a depth limit (exit 2), not a stack overflow', () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const scenario = file('deep.json', `{"tasks":[{"vpid":1,"kind":"live","header":${deep}}]}`);
    const r = bin('check', '--scenario', scenario);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/deep\.json: nested deeper than 64 levels at \.tasks\[0\]\.header\.a\.a/);
    expect(r.stderr).not.toMatch(/Maximum call stack/);
    const replay = bin('replay', file('deep-replay.json', `{"format":"crsim-replay/1","x":${deep}}`));
    expect(replay.status).toBe(EXIT.usage);
    const merge = bin('merge', file('deep-shard.json', `[${deep}]`));
    expect(merge.status).toBe(EXIT.usage);
    expect(merge.stderr).toContain('nested deeper than 64 levels');
    expect(tooDeep(JSON.parse('[[[1]]]'), 3)).toBeNull();
    expect(tooDeep(JSON.parse('[[[[1]]]]'), 3)).toBe('[0][0][0]');
    expect(() => parseJsonInput('[[[[1]]]]', 3)).toThrow(/nested deeper than 3 levels/);
  });

  it('--max-states 2147483647 --workers 2 is refused with a clear message, or runs: never a crash', () => {
    const r = bin('check', '-t', '1', '--reduction', 'none', '--max-states', '2147483647', '--workers', '2');
    expect([EXIT.holds, EXIT.violated, EXIT.usage, EXIT.incomplete]).toContain(r.status);
    if (r.status === EXIT.usage) expect(r.stderr).toMatch(/^crsim: --max-states: .*shared table .*expected at most [\d,]+ \(got 2,147,483,647\)/);
    expect(r.stderr).not.toMatch(/allocation failed|internal error/);
  });

  it('random and PCT runs that find nothing say "no violation in R runs", never "hold"', async () => {
    const random = await runCli('check', '-t', '1', '-p', 'P3', '--strategy', 'random', '--runs', '1');
    expect(random.code).toBe(EXIT.holds);
    expect(random.out).toMatch(/^random: 1 schedule \(seed 0\), \d+ steps, longest \d+, [\d.]+ s; no violation of P3 in 1 run$/m);
    expect(random.out).not.toMatch(/\bholds?\b/);
    const pct = await runCli('check', '-t', '2', '-p', 'P3,P4', '--strategy', 'pct', '--runs', '20');
    expect(pct.code).toBe(EXIT.holds);
    expect(pct.out).toMatch(/; no violation of P3, P4 in 20 runs; a depth-3 bug is missed by all of them with probability ≤ 0\.\d+$/m);
    expect(pct.out).not.toMatch(/\bhold\b/);
    const exhaustive = await runCli('check', '-t', '1', '-p', 'P3');
    expect(exhaustive.out).toMatch(/; P3 holds$/m);
  });

  it('crsim matrix with cells stopped by --max-states exits 3', async () => {
    const r = await runCli('matrix', '--model', 'v18', '--scenarios', 'L,LL', '--max-states', '50');
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.out).toMatch(/incomplete: \d+ cells stopped by --max-states \(exit 3\)/);
  });
});

describe('crsim merge refuses what no run writes', () => {
  const shards = join(dir, 'shards');
  mkdirSync(shards, { recursive: true });
  const run = (model: string, i: number, out: string): ReturnType<typeof bin> =>
    bin('check', '--model', model, '-t', '2', '-p', 'P3', '--strategy', 'random', '--runs', '30', '--shard', `${i}/2`, '--out', out);
  const edit = (from: string, to: string, change: (f: Record<string, unknown>) => void): string => {
    const f = JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>;
    change(f);
    writeFileSync(to, JSON.stringify(f));
    return to;
  };

  it('a shard that holds with 0 runs, or ran more runs than it has: exit 2 naming the field; fewer runs than asked: exit 3', () => {
    const s0 = join(shards, 's0.json');
    const s1 = join(shards, 's1.json');
    expect(run('v18', 0, s0).status).toBe(EXIT.holds);
    expect(run('v18', 1, s1).status).toBe(EXIT.holds);
    expect(bin('merge', s0, s1).stdout).toContain('no violation of P3 in 30 runs');
    const none = bin('merge', edit(s0, join(shards, 'none.json'), (f) => (f['executed'] = 0)), s1);
    expect(none.status).toBe(EXIT.usage);
    expect(none.stderr).toMatch(/none\.json: executed: expected every run of this shard for verdict holds .*\(this shard has 15 runs\) \(got 0\)/);
    const many = bin('merge', s0, edit(s1, join(shards, 'many.json'), (f) => (f['executed'] = 999_999)));
    expect(many.status).toBe(EXIT.usage);
    expect(many.stderr).toMatch(/many\.json: executed: expected at most the runs of this shard .*\(got 999999\)/);
    const stopped = edit(s1, join(shards, 'stopped.json'), (f) => Object.assign(f, { executed: 4, verdict: 'incomplete', stoppedBy: 'interrupted (Ctrl-C)' }));
    const short = bin('merge', s0, stopped);
    expect(short.status).toBe(EXIT.incomplete);
    expect(short.stdout).toMatch(/^incomplete: .*stopped\.json: interrupted/m);
    expect(short.stdout).toContain('19 of 30 runs executed');
  });

  it('shards of a model file carry its hash: an edit between them is refused; a path stored relative works from another folder', () => {
    const model = join(shards, 'mine.ts');
    writeFileSync(model, `import { v18 } from ${V18};\nexport default { ...v18, name: 'mine' };\n`);
    const a = join(shards, 'm0.json');
    const b = join(shards, 'm1.json');
    expect(run(model, 0, a).status).toBe(EXIT.holds);
    expect(run(model, 1, b).status).toBe(EXIT.holds);
    const saved = JSON.parse(readFileSync(a, 'utf8')) as { target: { model: string; modelHash: string } };
    expect(saved.target.model).toBe(model);
    expect(saved.target.modelHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // a relative path (as older crsim stored it) is read from the shard file's folder, from any working folder
    const rel = (f: string): string => edit(f, f.replace('.json', '-rel.json'), (x) => ((x['target'] as { model: string }).model = 'mine.ts'));
    const moved = bin('merge', rel(a), rel(b));
    expect(moved.status).toBe(EXIT.holds);
    expect(moved.stdout).toContain('model mine');
    writeFileSync(model, `${readFileSync(model, 'utf8')}// edited\n`);
    const changed = bin('merge', a, b);
    expect(changed.status).toBe(EXIT.usage);
    expect(changed.stderr).toMatch(/target\.modelHash: model file '.*mine\.ts' changed since the shards were run/);
  });
});

describe('no code from a shared file', () => {
  const marker = join(dir, 'planted-ran');
  const evil = file('evil.ts', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nimport { v18 } from ${V18};\nexport default { ...v18, name: 'evil' };\n`);
  const token = (compact: Record<string, unknown>): string => `crsim1.${deflateRawSync(Buffer.from(JSON.stringify(compact))).toString('base64url')}`;

  it('a token or replay file whose model is a path is refused (exit 2) and the file is never imported', () => {
    const t = token({ m: evil, h: '00', v: '0.1.0', s: { tasks: [{ vpid: 1, kind: 'live' }] }, p: 'P8', c: '0', x: 'P8' });
    const r = bin('replay', t);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('crsim never runs code named by a replay file or token');
    const report = bin('report', t, '--format', 'mermaid');
    expect(report.status).toBe(EXIT.usage);
    const replayFile = file('evil-replay.json', JSON.stringify({
      format: 'crsim-replay/1', crsim: '0.1.0', model: { name: evil, hash: 'sha256:00' }, scenario: { tasks: [{ vpid: 1, kind: 'live' }] },
      properties: ['P8'], schedule: [0], violation: { property: 'P8', title: '', message: '' }, steps: [],
    }));
    const fromFile = bin('replay', replayFile);
    expect(fromFile.status).toBe(EXIT.usage);
    expect(fromFile.stderr).toContain('crsim never runs code named by a replay file or token');
    expect(existsSync(marker)).toBe(false);
  });

  it('a model file the user names with --model runs, and a hash that differs from the recorded one is said', async () => {
    const cex = join(dir, 'cex-mine.json');
    const mine = file('mine-replay.ts', `import { v18 } from ${V18};\nexport default { ...v18, name: 'mine' };\n`);
    expect(bin('check', '--model', mine, '-t', '1', '--out', cex).status).toBe(EXIT.violated);
    const saved = JSON.parse(readFileSync(cex, 'utf8')) as { model: { name: string; hash: string; source: string } };
    expect(saved.model).toMatchObject({ name: 'mine', source: 'mine-replay.ts' });
    const same = bin('replay', cex, '--model', mine);
    expect(same.status).toBe(EXIT.violated);
    expect(same.stdout).not.toContain("model's source");
    writeFileSync(mine, `${readFileSync(mine, 'utf8')}// edited\n`);
    const edited = bin('replay', cex, '--model', mine);
    expect(edited.stdout).toMatch(/note: the model's source \(mine-replay\.ts\) changed since the file was saved/);
    const without = bin('replay', cex);
    expect(without.status).toBe(EXIT.usage);
    // issue 13: the model file is named, with the command that replays it; never loaded from the file
    expect(without.stderr).toContain("model: 'mine' was saved from the model file mine-replay.ts; crsim never loads code named by a replay file or token");
    expect(without.stderr).toContain(`run: crsim replay ${cex} --model mine-replay.ts`);
  });

  it('a token that inflates to ~90 MB fails fast with exit 2', () => {
    const bomb = `crsim1.${deflateRawSync(Buffer.from(`{"m":"v18","pad":"${' '.repeat(90_000_000)}"}`)).toString('base64url')}`;
    expect(bomb.length).toBeLessThan(200_000);
    const r = bin('replay', bomb);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/replay token: inflates to more than 1,048,576 bytes/);
    expect(r.ms).toBeLessThan(5000); // a start-up of crsim and an early stop, not 10 s of inflating
  });
});

describe('options that do not apply are refused, naming the option', () => {
  it.each([
    [['check', '-t', '1', '--runs', '5'], /^crsim: --runs: applies to --strategy random or pct \(got --strategy exhaustive\)/],
    [['check', '-t', '1', '--seed', '3'], /^crsim: --seed: applies to --strategy random or pct/],
    [['check', '-t', '1', '--max-depth', '30'], /^crsim: --max-depth: applies to --strategy random or pct/],
    [['check', '-t', '1', '--strategy', 'random', '--reduction', 'none'], /^crsim: --reduction: applies to --strategy exhaustive \(got --strategy random\)/],
    [['check', '-t', '1', '--strategy', 'pct', '--reduction', 'dpor'], /^crsim: --reduction: applies to --strategy exhaustive \(got --strategy pct\)/],
    [['check', '-t', '1', '--strategy', 'random', '--max-states', '10'], /^crsim: --max-states: applies to --strategy exhaustive/],
    [['check', '-t', '1', '--strategy', 'random', '--max-memory', '1G'], /^crsim: --max-memory: applies to --strategy exhaustive/],
    [['check', '-z', '1'], /^crsim: --zombies: applies with --tasks/],
    [['explore', '--faults', 'signal', '--no-faults'], /^crsim: --faults and --no-faults: give one of them/],
    [['explore', '-t', '2', '--max-tasks', '3'], /^crsim: --max-tasks: applies to drawn scenarios, and --tasks fixes the scenario/],
    [['explore', '-z', '1'], /^crsim: --zombies: applies with --tasks/],
  ])('%j', async (argv, message) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('a ghost task on a model without ghosts (v17, v18) is refused at load; v20 takes it', async () => {
    const ghost = file('ghost.json', JSON.stringify({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'ghost' }] }));
    for (const model of ['v17', 'v18']) {
      const r = await runCli('check', '--model', model, '--scenario', ghost);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(new RegExp(`task 2: kind: model ${model} has no ghost tasks .* \\(got "ghost"\\)`));
    }
    expect((await runCli('explore', '--model', 'v18', '--scenario', ghost, '--runs', '1')).code).toBe(EXIT.usage);
    expect((await runCli('check', '--model', 'v20', '--scenario', ghost, '-p', 'P3')).code).toBe(EXIT.holds);
  });

  it('check --help groups its options: what to check, how to search, budgets, output', async () => {
    const r = await runCli('check', '--help');
    const at = (h: string): number => r.out.indexOf(h);
    expect([at('What to check:'), at('How to search:'), at('Budgets:'), at('Output:')].every((k, i, a) => k >= 0 && (i === 0 || k > a[i - 1]!))).toBe(true);
    expect(r.out.slice(at('Budgets:'), at('Output:'))).toMatch(/--max-states[\s\S]*--max-memory|--max-memory[\s\S]*--max-states/);
    expect(r.out.slice(at('Output:'))).toMatch(/--json[\s\S]*--out/);
  });

  it('a model file outside a "type": "module" folder loads as an ES module', () => {
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
    const m = file('plain.ts', `import { v18 } from ${V18};\nexport const mine = { ...v18, name: 'plain' };\n`);
    const r = bin('check', '--model', m, '-t', '1', '-p', 'P3');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(EXIT.holds);
    expect(r.stdout).toContain('model plain · scenario 1 task, 0 zombies');
  });

  it('counts in human output: singular nouns for one, thousands separators', async () => {
    const r = await runCli('check', '-t', '1', '-p', 'P3', '--strategy', 'random', '--runs', '1');
    expect(r.out).toContain('scenario 1 task, 0 zombies');
    expect(r.out).toContain('1 schedule (seed 0)');
    const big = await runCli('check', '-t', '3', '-p', 'P3', '--strategy', 'random', '--runs', '1200');
    expect(big.out).toMatch(/random: 1,200 schedules \(seed 0\), \d{1,3}(,\d{3})+ steps/);
    expect(big.out).toContain('in 1,200 runs');
  });
});

describe('nothing lost, nothing overwritten by surprise', () => {
  it('check --out into a missing folder fails before searching (exit 2)', async () => {
    const r = await runCli('check', '--tasks', '4', '--out', join(dir, 'nonexistent', 'x.json'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/--out: cannot write '.*nonexistent\/x\.json': ENOENT \(checked before searching\)/);
    expect(r.out).toBe('');
  });

  it('check --out over its own scenario file is refused before searching, and the scenario kept', async () => {
    const scenario = file('keep.json', JSON.stringify({ tasks: [{ vpid: 1, kind: 'live' }] }));
    const r = await runCli('check', '--scenario', scenario, '--out', scenario);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('is also an input');
    expect(JSON.parse(readFileSync(scenario, 'utf8'))).toEqual({ tasks: [{ vpid: 1, kind: 'live' }] });
  });

  it('report --out writes; --output is the same option; an output that is the input is refused and the input kept', async () => {
    const cex = join(dir, 'cex-report.json');
    expect((await runCli('check', '-t', '1', '--out', cex)).code).toBe(EXIT.violated);
    const before = readFileSync(cex, 'utf8');
    const out = join(dir, 'trace.mmd');
    const r = await runCli('report', cex, '--format', 'mermaid', '--out', out);
    expect(r.code).toBe(EXIT.holds);
    expect(readFileSync(out, 'utf8')).toMatch(/^sequenceDiagram/);
    expect((await runCli('report', cex, '--format', 'mermaid', '--output', join(dir, 'old.mmd'))).code).toBe(EXIT.holds);
    expect(existsSync(join(dir, 'old.mmd'))).toBe(true);
    const same = await runCli('report', cex, '--format', 'json', '-o', cex);
    expect(same.code).toBe(EXIT.usage);
    expect(same.err).toContain("is also an input");
    expect(readFileSync(cex, 'utf8')).toBe(before);
  });

  it('files are written atomically: the whole text or the old file, and no temporary file left', () => {
    const f = join(dir, 'atomic', 'a.json');
    mkdirSync(join(dir, 'atomic'));
    writeFileAtomic(f, 'old');
    writeFileAtomic(f, 'new text');
    expect(readFileSync(f, 'utf8')).toBe('new text');
    expect(() => writeFileAtomic(join(dir, 'atomic'), 'x')).toThrow(UsageError); // a folder cannot be replaced by a file
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['a.json']);
    expect(() => assertNotInput(join(dir, 'atomic', '.', 'a.json'), [f])).toThrow(/is also an input/);
  });
});
