import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/cli/explore.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-explore-'));

describe('crsim explore', () => {
  it('mutant:B3 --runs 2000 --seed 1 fails with a shrunk counterexample, the seed and the path that replay it', async () => {
    const r = await runCli('explore', '--model', 'mutant:B3', '--runs', '2000', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^model mutant:B3 · explore \(fast-check, seed 1\)/);
    expect(r.out).toMatch(/\nP\d+ violated after \d+ steps: /);
    expect(r.out).toMatch(/shrunk in \d+ steps/);
    expect(r.out).toMatch(/\nscenario: \{"name":/);
    expect(r.out).toMatch(/\n\s+coordinator\s/); // the swimlane
    expect(r.out).toMatch(/\nreplay: crsim explore --model mutant:B3 --seed 1 --path \d+(:\d+)*$/m);
  });

  it('the printed replay command gives back the same counterexample', async () => {
    const first = await runCli('explore', '--model', 'mutant:B3', '--runs', '2000', '--seed', '1', '--properties', 'P2', '--json');
    const a = JSON.parse(first.out) as { schedule: number[]; replay: string; steps: number; shortest: number; property: string };
    expect(a.property).toBe('P2');
    expect(a.steps).toBe(a.shortest); // shrunk to the length exhaustive search finds on the same scenario
    const again = await runCli(...a.replay.replace(/^crsim /, '').split(' '), '--json');
    expect(again.code).toBe(1);
    expect((JSON.parse(again.out) as { schedule: number[] }).schedule).toEqual(a.schedule);
  });

  it('--out saves a replay file that crsim replay confirms', async () => {
    const cex = join(dir, 'explore.json');
    const r = await runCli('explore', '--model', 'mutant:B2', '--runs', '2000', '--seed', '2', '--properties', 'P2', '--out', cex);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`saved ${cex}`);
    const rep = await runCli('replay', cex);
    expect(rep.code).toBe(1);
    expect(rep.out).toContain('reproduced: P2');
  });

  it('a model that holds: every run passes (exit 0); --time bounds the run instead of --runs', async () => {
    const r = await runCli('explore', '--model', 'v20', '--no-faults', '--runs', '300', '--seed', '5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/300 runs, [\d.]+ s; no violation of P1, P2, .*P11 found/);
    const t = await runCli('explore', '--model', 'v20', '--no-faults', '--time', '500ms', '--seed', '5', '--json');
    expect(t.code).toBe(0);
    const j = JSON.parse(t.out) as { verdict: string; runs: number; elapsedMs: number };
    expect(j.verdict).toBe('holds');
    expect(j.runs).toBeGreaterThan(10);
    expect(j.elapsedMs).toBeLessThan(5000);
  });

  it('a fixed scenario: explores only schedules', async () => {
    const r = await runCli('explore', '--model', 'v18', '--tasks', '1', '--properties', 'P8', '--runs', '500', '--json');
    const j = JSON.parse(r.out) as { steps: number; shortest: number; scenario: { tasks: unknown[] } };
    expect(j.scenario.tasks).toHaveLength(1);
    expect(j.steps).toBe(11);
    expect(j.shortest).toBe(11);
  });

  it.each([
    [['--runs', '10', '--time', '5s'], /--runs and --time: give one of them/],
    [['--time', 'soon'], /--time: expected a duration such as 60s/],
    [['--path', 'x:1'], /--path: expected fast-check's path/],
    [['--faults', 'meteor'], /--faults: unknown value 'meteor'/],
    [['--headers', 'all'], /--headers: expected none, valid or any/],
    [['--properties', 'P12'], /unknown property 'P12'/],
    [['--model', 'v99'], /--model: unknown model 'v99'/],
    [['--seed', '1', '--path', '0:9999'], /--path: '0:9999' replays no counterexample of seed 1/],
  ])('bad options are usage errors (exit 2): %j', async (args, message) => {
    const r = await runCli('explore', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('parses durations', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('3')).toBe(3000);
  });
});
