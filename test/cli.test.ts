/** The crsim command as a user runs it: verdicts, exit codes, JSON, errors of input. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';


/** The real binary, for what reaches stderr and the process exit code. */
function bin(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['bin/crsim.js', ...argv], { encoding: 'utf8' });
}

const dir = mkdtempSync(join(tmpdir(), 'crsim-cli-'));
function scenarioFile(json: unknown): string {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof json === 'string' ? json : JSON.stringify(json));
  return f;
}

describe('crsim check', () => {
  it('with no arguments checks v18 on the embedded scenario and shows B4 as a swimlane', async () => {
    const { code, out } = await runCli('check');
    expect(code).toBe(1);
    expect(out).toContain('scenario default: live root, zombie, thread, live leaf');
    expect(out).toMatch(/^P8 violated after 14 steps: .*-ESRCH/m);
    expect(out).toMatch(/exhaustive: [\d,]+ states, [\d,]+ transitions/);
    expect(out).toMatch(/coordinator\s+live 1\s+│ changed/);
    expect(out).toMatch(/schedule: (\d+ ){13}\d+$/m);
  });
  it('says exactly what was explored when the properties hold', async () => {
    const { code, out } = await runCli('check', '--tasks', '2', '--zombies', '1', '--properties', 'P2-P6,P9,P10');
    expect(code).toBe(0);
    expect(out).toMatch(/^exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+, [\d.]+ s; P2–P6, P9, P10 hold$/m);
  });
  it('--json prints the documented object', async () => {
    const { code, out } = await runCli('check', '--model', 'v18', '--tasks', '4', '--zombies', '2', '--reduction', 'dpor', '--json');
    expect(code).toBe(1);
    const j = JSON.parse(out);
    expect(j).toMatchObject({ verdict: 'violated', explored: 'exhaustive', reduction: 'dpor', model: 'v18', property: 'P8', shortest: true });
    expect(j.states).toBeGreaterThan(100);
    expect(j.transitions).toBeGreaterThan(j.states);
    expect(j.counterexample).toHaveLength(j.schedule.length);
    expect(j.counterexample[0]).toEqual({ step: 1, actor: 'coordinator', label: 'C4', changes: expect.any(String) });
  });
  it('random walks report the schedules and the seed', async () => {
    const { code, out } = await runCli('check', '--strategy', 'random', '--runs', '50', '--seed', '9', '-p', 'P2,P3', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ verdict: 'holds', explored: 'random', runs: 50, seed: 9, properties: ['P2', 'P3'] });
  });
  it('--proof-states 0 skips the proof: the counterexample is shrunk and said unproven', async () => {
    const { code, out } = await runCli('check', '--model', 'v18', '--tasks', '6', '--zombies', '3', '--reduction', 'dpor', '--proof-states', '0', '--json');
    expect(code).toBe(1);
    const j = JSON.parse(out);
    expect(j).toMatchObject({ verdict: 'violated', reduction: 'dpor', property: 'P8', shortest: false });
    expect(j.counterexample).toHaveLength(16);
    expect(j.shortestNote).toMatch(/shrunk to 16; not proven shortest: no proof was asked for$/);
  });
  it('--max-states stops with exit 3 and the statistics so far', async () => {
    const { code, out } = await runCli('check', '--tasks', '3', '-p', 'P1', '--max-states', '500', '--json');
    expect(code).toBe(3);
    expect(JSON.parse(out)).toMatchObject({ verdict: 'incomplete', stoppedBy: '--max-states 500 reached' });
  });
  it('reads a scenario file', async () => {
    const f = scenarioFile({ name: 'two', tasks: [{ vpid: 7, kind: 'live' }, { vpid: 9, kind: 'zombie' }] });
    const { code, out } = await runCli('check', '--scenario', f, '-p', 'P2,P3');
    expect(code).toBe(0);
    expect(out).toContain('scenario two');
  });
});

describe('errors of input exit 2 and name what is wrong', () => {
  const cases: [string, string[], RegExp][] = [
    ['a field of the wrong type', [], /scenario\.tasks\[0\]\.header\.exit_code: .*expected number.*\(got "x"\)/],
    ['a zombie whose header is not TASK_DEAD', [], /scenario\.tasks\[1\]\.header\.state: expected 64 for a zombie task \(got 0\)/],
    ['a duplicate vpid', [], /scenario\.tasks\[1\]\.vpid: expected a vpid not used by an earlier task \(got 1\)/],
    ['a fault naming no task', [], /scenario\.faults\[0\]\.task: expected the vpid of a task of the scenario \(got 5\)/],
    ['an unknown field', [], /scenario\.tasks\[0\]: .*"colour"/],
  ];
  const files = [
    { tasks: [{ vpid: 1, kind: 'live', header: { exit_code: 'x' } }] },
    { tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie', header: { state: 0 } }] },
    { tasks: [{ vpid: 1, kind: 'live' }, { vpid: 1, kind: 'live' }] },
    { tasks: [{ vpid: 1, kind: 'live' }], faults: [{ type: 'signal', task: 5 }] },
    { tasks: [{ vpid: 1, kind: 'live', colour: 'red' }] },
  ];
  it.each(cases.map((c, k) => [c[0], files[k], c[2]] as const))('%s', (_name, json, message) => {
    const r = bin('check', '--scenario', scenarioFile(json));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });
  it('a file that is not JSON, or missing', () => {
    const bad = bin('check', '--scenario', scenarioFile('{ tasks: '));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
    const missing = bin('check', '--scenario', join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json.*ENOENT/);
  });
  it.each([
    [['check', '--tasks', 'x'], /--tasks: expected an integer from 1 to 64 \(got 'x'\)/],
    [['check', '--tasks', '3', '--zombies', '3'], /--zombies: expected an integer from 0 to 2/],
    [['check', '--model', 'v99'], /--model: unknown model 'v99' \(expected one of: .*v18/],
    [['check', '--strategy', 'dfs'], /--strategy: expected one of exhaustive, random/],
    [['check', '--properties', 'P99'], /--properties: unknown property 'P99'/],
    [['check', '--scenario', 'a.json', '--tasks', '2'], /--scenario cannot be combined with --tasks/],
    [['check', '--bogus'], /unknown option '--bogus'/],
    [['check', '--proof-states', '-1'], /--proof-states: expected an integer from 0 to 2,147,483,647 \(got '-1'\)/],
    [['check', '--strategy', 'random', '--proof-states', '5'], /--proof-states: applies to --strategy exhaustive/],
  ])('%j', (argv, message) => {
    const r = bin(...argv);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('crsim models', () => {
  it('lists v18 with what it is', () => {
    const out = execFileSync(process.execPath, ['bin/crsim.js', 'models'], { encoding: 'utf8' });
    expect(out).toMatch(/^v18\s+v18 after the seed patch 28\/80/m);
  });
});
