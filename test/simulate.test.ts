import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { witness } from '../src/cli/simulate.ts';
import { replay } from '../src/engine/replay.ts';
import { simulateSync } from '../src/engine/smc.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario } from '../src/kernel/scenario.ts';
import { PRESETS, restartMarks, restartTimeClass } from '../src/kernel/timing.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-simulate-'));
const json = (out: string): Record<string, any> => JSON.parse(out) as Record<string, any>;
/** A report without what depends on the machine or the thread count. */
const numbers = (r: Record<string, any>): unknown => ({ ...r, elapsedMs: 0, workers: 0 });

describe('restart timing classes', () => {
  it('the classes follow the labels: wake-up, restore (times the image size), exit, fault, cpu', () => {
    const m = buildModel(
      findVariant('v18')!,
      parseScenario({ tasks: [{ vpid: 1, kind: 'live', imageSize: 3 }, { vpid: 2, kind: 'zombie' }], faults: [{ type: 'signal', task: 1 }] }),
    );
    const of = restartTimeClass(m.env);
    const a = (actor: number, label: string, fault?: number) => ({ actor, label, pc: label, ...(fault !== undefined ? { fault } : {}) });
    expect(of(a(1, 'T1:sleep'))).toEqual({ name: 'wakeup' });
    expect(of(a(0, 'C5w:sleep'))).toEqual({ name: 'wakeup' });
    expect(of(a(1, 'T6e'))).toEqual({ name: 'restore', scale: 3 });
    expect(of(a(2, 'T6b'))).toEqual({ name: 'restore', scale: 1 });
    expect(of(a(2, 'X2'))).toEqual({ name: 'exit' });
    expect(of(a(3, 'signal', 0))).toEqual({ name: 'fault' });
    expect(of(a(1, 'T2'))).toEqual({ name: 'cpu' });
    expect(m.timeClass).toBeDefined();
  });
});

describe('crsim simulate', () => {
  it('estimates Pr(P8 violated) for v18 with an exact interval, exit 1; the same numbers on 2 workers', async () => {
    const args = ['simulate', '-m', 'v18', '-t', '2', '--runs', '3000', '--profile', 'idle', '--json'];
    const one = await runCli(...args);
    expect(one.code).toBe(1);
    const r = json(one.out);
    const p8 = r['properties'].find((p: any) => p.id === 'P8');
    expect(p8.n).toBe(3000);
    expect(p8.k).toBeGreaterThan(0);
    expect(p8.lo).toBeLessThan(p8.k / p8.n);
    expect(p8.hi).toBeGreaterThan(p8.k / p8.n);
    expect(r['times']['restart duration'].count + r['neverEnded']).toBeLessThanOrEqual(3000);
    expect(r['witness'].property).toBe('P8');
    const two = await runCli(...args, '--workers', '2');
    expect(two.code).toBe(1);
    expect(numbers(json(two.out))).toEqual(numbers(r));
  }, 60_000);

  it('text: the established form, and a 0/N line with its upper bound and the runs a tighter one needs', async () => {
    const { code, out } = await runCli('simulate', '-m', 'v20', '-t', '2', '--runs', '500', '-p', 'P1,P8');
    expect(code).toBe(0);
    expect(out).toMatch(/\(0\/500 runs\) Pr\(P violated\) in \[0, 0\.007351\] \(95% CI\) for each of P1, P8; 5,017 runs with none would bound it by 7\.35e-4/);
    expect(out).toMatch(/restart duration \(500 runs\): mean .* p50 .* p99\.9 /);
    expect(out).toMatch(/coordinator wake-up \(500 runs\)/);
  });

  it('--assert: accepted (0), rejected with a witness (1), undecided within the runs (3)', async () => {
    const accepted = await runCli('simulate', '-m', 'v20', '-t', '2', '--assert', 'P8 < 0.05', '--json');
    expect(accepted.code).toBe(0);
    expect(json(accepted.out)['sprt']).toMatchObject({ decision: 'accepted', violating: 0 });
    const rejected = await runCli('simulate', '-m', 'v18', '-t', '2', '--assert', 'P8 < 0.001');
    expect(rejected.code).toBe(1);
    expect(rejected.out).toMatch(/SPRT Pr\(P8 violated\) < 0\.001: rejected after \d+ runs/);
    expect(rejected.out).toMatch(/witness: run \d+ \(seed 0\) violates P8/);
    expect(rejected.out).toMatch(/C5a2/); // the swimlane of the witness
    const undecided = await runCli('simulate', '-m', 'v18', '-t', '2', '--assert', 'P8 < 0.05', '--runs', '5');
    expect(undecided.code).toBe(3);
    expect(undecided.out).toMatch(/undecided after 5 runs/);
  }, 60_000);

  it('--out saves the witness with its timestamps, and crsim replay reproduces the violation', async () => {
    const file = join(dir, 'w.json');
    const { code } = await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '300', '--out', file);
    expect(code).toBe(1);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.times).toHaveLength(saved.schedule.length);
    expect(saved.times.every((t: number, i: number) => i === 0 || t >= saved.times[i - 1])).toBe(true);
    expect(saved.origin).toMatchObject({ command: 'simulate', seed: 0 });
    const again = await runCli('replay', file);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/P8/);
    expect(again.out).toMatch(/timed run \(crsim simulate\): step \d+ at [\d.]+ µs/);
    // Perfetto on the run's clock: each step's slice ends when it fired
    const perfetto = join(dir, 'w.perfetto.json');
    expect((await runCli('report', file, '--format', 'perfetto', '--out', perfetto)).code).toBe(0);
    const events = JSON.parse(readFileSync(perfetto, 'utf8')).traceEvents.filter((e: any) => e.cat === 'step');
    expect(events).toHaveLength(saved.schedule.length);
    for (const e of events) {
      expect(e.ts + e.dur).toBeLessThanOrEqual(saved.times[e.args.step - 1] + 1e-9);
      expect(e.args.at).toBe(`${saved.times[e.args.step - 1].toFixed(3)} µs`);
    }
    const last = events.at(-1);
    expect(last.ts).toBeCloseTo(saved.times.at(-2), 6);
    // the HTML swimlane: each row says when its step fired
    const html = join(dir, 'w.html');
    expect((await runCli('report', file, '--format', 'html', '--out', html)).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<text class="changes"[^>]*>@ [\d.]+ µs · /g)).toHaveLength(saved.schedule.length);
    expect(page).toContain(`timed run: ${saved.times.at(-1).toFixed(2)} µs`);
  }, 60_000);

  it('--time-bound: a violation after the bound does not count, and the cut runs are reported', async () => {
    const free = json((await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '1000', '--json')).out);
    const cut = json((await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '1000', '--time-bound', '5us', '--json')).out);
    expect(cut['timeBound']).toBe(5);
    expect(cut['ends']['time-bound']).toBeGreaterThan(900);
    const k = (r: Record<string, any>) => r['properties'].find((p: any) => p.id === 'P8').k;
    expect(k(cut)).toBeLessThan(k(free));
    expect(cut['runs']).toBe(1000);
  }, 60_000);

  it('profiles from files: a runqlat histogram, a JSON profile; a bad one is exit 2 naming the field', async () => {
    const runqlat = join(dir, 'runqlat.txt');
    writeFileSync(runqlat, '     usecs               : count     distribution\n         0 -> 1          : 10       |****|\n         2 -> 3          : 30       |************|\n');
    const r = await runCli('simulate', '-m', 'v20', '-t', '2', '--runs', '200', '--profile', runqlat, '--json');
    expect(r.code).toBe(0);
    expect(json(r.out)['profile'].source).toMatch(/runqlat/);
    const good = join(dir, 'p.json');
    writeFileSync(good, JSON.stringify({ name: 'mine', base: 'rt', classes: { restore: { type: 'constant', value: 1000 } } }));
    const g = json((await runCli('simulate', '-m', 'v20', '-t', '2', '--runs', '200', '--profile', good, '--json')).out);
    expect(g['times']['restart duration'].percentiles[0].value).toBeGreaterThan(4000); // 2 tasks × 2 restore steps × 1 ms
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ classes: { wakeup: { type: 'exponential', mean: 0 } } }));
    const b = await runCli('simulate', '-t', '2', '--profile', bad);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/bad\.json: profile\.classes\.wakeup\.mean: .*\(got 0\)/);
    const e = await runCli('simulate', '-t', '2', '--assert', 'P8 < 2');
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/--assert: expected a claim .* \(got 'P8 < 2'\)/);
    const s = await runCli('simulate', '-t', '2', '--sweep', 'nothing=1:2:1');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/--sweep: expected a timing class/);
  }, 60_000);

  it('--sweep prints a table per value and --plot writes an SVG', async () => {
    const svg = join(dir, 'sweep.svg');
    const { code, out } = await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '400', '--sweep', 'wakeup=1:3:1', '--plot', svg);
    expect(code).toBe(1);
    expect(out).toMatch(/sweep of the wakeup delay scale: 400 runs each/);
    expect(out.split('\n').filter((l) => /^[123] /.test(l))).toHaveLength(3);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*Pr\(violated\)[\s\S]*<\/svg>$/);
  }, 60_000);
});

describe('shards', () => {
  it('simulate --shard i/n, then crsim merge: the numbers of the unsharded run; a missing shard is exit 2', async () => {
    const job = ['simulate', '-m', 'v18', '-t', '2', '--runs', '1500', '--profile', 'rt'];
    const files = [0, 1, 2].map((i) => join(dir, `shard-${i}.json`));
    for (const [i, f] of files.entries()) expect((await runCli(...job, '--shard', `${i}/3`, '--out', f)).out).toMatch(new RegExp(`wrote shard ${i}/3 \\(500 of 1,500 runs`));
    const merged = await runCli('merge', ...files, '--json');
    expect(merged.code).toBe(1);
    const whole = await runCli(...job, '--json');
    const strip = (r: Record<string, any>) => ({ ...r, elapsedMs: 0, shards: 0 });
    expect(strip(json(merged.out))).toEqual(strip(json(whole.out)));
    const missing = await runCli('merge', files[0]!, files[2]!);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/shard 1\/3 missing/);
  }, 60_000);

  it('an SPRT over shards stops where one process stops', async () => {
    const job = ['simulate', '-m', 'v18', '-t', '2', '--runs', '600', '--assert', 'P8 < 0.01'];
    const files = [0, 1].map((i) => join(dir, `sprt-${i}.json`));
    for (const [i, f] of files.entries()) await runCli(...job, '--shard', `${i}/2`, '--out', f);
    const merged = json((await runCli('merge', ...files, '--json')).out);
    const whole = json((await runCli(...job, '--json')).out);
    expect(merged['sprt']).toEqual(whole['sprt']);
    expect(merged['sprt'].decision).toBe('rejected');
  }, 60_000);
});

describe('witnesses', () => {
  it('every simulated violation replays through the untimed model to the same violation', () => {
    const model = buildModel(findVariant('v18')!, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }], faults: [{ type: 'signal', task: 1 }] }));
    const properties = restartProperties(model);
    const options = { profile: PRESETS['loaded']!, seed: 3, runs: 400, marks: restartMarks };
    const tally = simulateSync(model, properties, options);
    const violated = properties.filter((_p, i) => tally.hits[i]! > 0);
    expect(violated.length).toBeGreaterThan(1);
    for (const p of violated) {
      const run = tally.first[properties.indexOf(p)]!;
      const w = witness(model, properties, options, run, p.id);
      expect(w.violation.property).toBe(p.id);
      expect(w.times).toHaveLength(w.violation.choices.length);
      const again = replay(model, properties.filter((q) => q.id === p.id), w.violation.choices);
      expect(again.failure?.message).toBe(w.violation.message);
    }
  });

  it('one seed, one tally', () => {
    const model = buildModel(findVariant('v18')!, shorthandScenario(3, 1));
    const properties = restartProperties(model);
    const a = simulateSync(model, properties, { profile: PRESETS['saturated']!, seed: 5, runs: 300, marks: restartMarks });
    const b = simulateSync(model, properties, { profile: PRESETS['saturated']!, seed: 5, runs: 300, marks: restartMarks, chunk: 7 });
    expect(b).toEqual(a);
    const c = simulateSync(model, properties, { profile: PRESETS['saturated']!, seed: 6, runs: 300, marks: restartMarks });
    expect(c.durations).not.toEqual(a.durations);
  });
});
