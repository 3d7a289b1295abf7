/** Budgets: a search stops with verdict `incomplete` (exit 3) and its statistics, never a crash out of heap. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties } from '../properties/restart.ts';
import { formatBytes, MemoryGuard, parseBytes } from '../src/engine/budget.ts';
import { ExhaustiveSearch } from '../src/engine/exhaustive.ts';
import { PctSearch } from '../src/engine/pct.ts';
import { RandomSearch } from '../src/engine/random.ts';
import { exploreSync } from '../src/engine/run.ts';
import { Proof } from '../src/engine/shorten.ts';
import type { Action, Model, Property, Result } from '../src/engine/types.ts';
import { buildModel } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const model = buildModel(v20, shorthandScenario(4, 0));
const properties = restartProperties(model);
const CLI = join(import.meta.dirname, '..', 'bin', 'crsim.js');

/** A wide model: each state takes `ms` milliseconds to expand and has 8 successors, all new. */
function slowModel(ms: number): Model<number, Action> {
  const act = (k: number): Action => ({ actor: k, label: `a${k}` });
  return {
    name: 'slow',
    actors: Array.from({ length: 8 }, (_x, k) => `a${k}`),
    init: () => 0,
    actions: () => {
      const until = Date.now() + ms;
      while (Date.now() < until); // the cost of expanding a wide state
      return Array.from({ length: 8 }, (_x, k) => act(k));
    },
    next: (s, a) => s * 8 + a.actor + 1,
  };
}

/** Runs the CLI in a child process (its own resident memory), with a time limit. */
function cli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, ms: Date.now() - t0 });
    }),
  );
}


describe('sizes', () => {
  it('parses the sizes --max-memory takes, and refuses the rest', () => {
    expect(parseBytes('512M')).toBe(512 * 2 ** 20);
    expect(parseBytes('2G')).toBe(2 * 2 ** 30);
    expect(parseBytes('1.5GB')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('800000')).toBe(800000);
    expect(parseBytes('lots')).toBeNull();
    expect(parseBytes('0')).toBeNull();
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GB');
  });
  it('the guard says nothing within its budget, and names the budget past it', () => {
    expect(new MemoryGuard(2 ** 50).check()).toBeNull();
    expect(new MemoryGuard(1).check()).toMatch(/^--max-memory 1 B reached \(resident \d+ MB\)$/);
  });
});

describe.each([['plain', 'none'], ['reduced', 'dpor']] as const)('the %s exhaustive search', (_name, reduction) => {
  it('stops at --max-states with the statistics so far', () => {
    const r = exploreSync(model, properties, { reduction, maxStates: 2000 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toBe('--max-states 2000 reached');
    expect(r.stats.states).toBeGreaterThanOrEqual(2000);
    expect(r.stats.transitions).toBeGreaterThan(0);
    expect(r.stats.tableBytes).toBeGreaterThan(0);
  });
  it('stops at --max-memory with the statistics so far', () => {
    const r = exploreSync(model, properties, { reduction, maxMemory: 1 });
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toMatch(/^--max-memory 1 B reached/);
    expect(r.stats.states).toBeGreaterThan(0);
    expect(r.stats.peakBytes).toBeGreaterThan(0);
  });
});

describe('memory is checked by time, not by a count of expansions', () => {
  it('a search whose states take 5 ms each to expand stops at --max-memory within its first slice', () => {
    // 4,096 expansions (the old count between checks) would take 20 s here
    const search = new ExhaustiveSearch(slowModel(5), [], { maxMemory: 1 });
    const t0 = Date.now();
    let r = search.work(100);
    while (!r) r = search.work(100);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toMatch(/^--max-memory 1 B reached/);
    expect(r.stats.states).toBeGreaterThan(16);
    expect(r.stats.transitions).toBeGreaterThan(16);
  });
  it('the proof that a counterexample is shortest stops at --max-memory, and says so (no larger proof is tried)', () => {
    const m = buildModel(v18, shorthandScenario(4, 1));
    const ps = restartProperties(m);
    const v = exploreSync(m, ps).violation!;
    const proof = new Proof(m, ps, v, 1_000_000, 1);
    let c = proof.work(100);
    while (!c) c = proof.work(100);
    expect(c.shortest).toBe(false);
    expect(c.shortest === false && c.memory).toBe(true);
    expect(c.shortest === false && c.why).toMatch(/^not proven shortest: --max-memory 1 B reached/);
  });
});

// the process starts at about 120 MB; the plain search's wide levels grow fast, the reduced search's stack slowly
/** Long runs: +1 or +2 from 0 until 200,000 (about 130,000 steps); the property fails on a multiple of 7,919 past 150,000. */
const counter: Model<number, Action> = {
  name: 'counter',
  actors: ['a', 'b'],
  init: () => 0,
  actions: (s) => (s >= 200_000 ? [] : [0, 1].map((k) => ({ actor: k, label: `+${k + 1}` }))),
  next: (s, a) => s + a.actor + 1,
};
const multiple: Property<number, Action> = {
  id: 'M',
  title: 'no multiple of 7,919 past 150,000',
  onStep: (_p, _a, n) => (n > 150_000 && n % 7919 === 0 ? `reached ${n}` : null),
};

function drain<S, A extends Action>(search: { work(ms: number): Result<S, A> | null }, ms: number): Result<S, A> {
  for (;;) {
    const r = search.work(ms);
    if (r) return r;
  }
}

describe('a walk longer than a slice', () => {
  it.each([
    ['random', () => new RandomSearch(counter, [multiple], { runs: 6, seed: 3, maxDepth: 1e6 })],
    ['pct', () => new PctSearch(counter, [multiple], { runs: 6, seed: 3, maxDepth: 1e6, steps: 140_000 })],
  ] as const)('%s: pauses at each slice end and resumes where it was: the same runs, verdict and counterexample', (_name, make) => {
    const whole = drain(make(), Infinity);
    const search = make();
    let slices = 0;
    let r: Result<number, Action> | null;
    while (!(r = search.work(0))) slices++;
    expect(slices).toBeGreaterThan(50); // about one pause per 1,024 steps
    expect(whole.verdict).toBe('violated');
    expect(r.verdict).toBe(whole.verdict);
    expect(r.failedRun).toBe(whole.failedRun);
    expect(r.stats.runs).toBe(whole.stats.runs);
    expect(r.violation?.choices).toEqual(whole.violation?.choices);
  });
  it('a stop during a long run ends the search within a slice; the run cut short is not counted', () => {
    const endless: Model<number, Action> = { ...counter, actions: (st) => counter.actions(st % 1000) };
    const search = new RandomSearch(endless, [], { runs: 10, seed: 1, maxDepth: 1e7 });
    const t0 = Date.now();
    expect(search.work(20)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(search.stats.runs).toBe(0);
    search.stop('interrupted (Ctrl-C)');
    const r = search.work(20)!;
    expect(r.verdict).toBe('incomplete');
    expect(r.stoppedBy).toBe('interrupted (Ctrl-C)');
    expect(r.stats.runs).toBe(0);
    expect(r.stats.transitions).toBeGreaterThan(1000);
  });
});

// the reduced search stores a state of 30 tasks in about 60 bytes (its summaries interned): at 170M it ran
// 1.6 M states, 15 s, before a table's doubling passed the limit; at 130M 0.2 M states, 2.5 s
describe.each([['plain', 'none', 300], ['reduced', 'dpor', 130]] as const)('a %s search of 30 tasks, each state wide', (_name, reduction, mb) => {
  it(`stops at --max-memory ${mb}M with exit 3 and the statistics so far, within seconds`, async () => {
    const r = await cli(['check', '-t', '30', '--reduction', reduction, '--max-memory', `${mb}M`, '--json'], 30_000);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.stoppedBy).toMatch(new RegExp(`^--max-memory ${mb} MB reached \\(resident \\d+ MB\\)$`));
    expect(j.states).toBeGreaterThan(1000);
    expect(j.transitions).toBeGreaterThan(1000);
    expect(j.peakBytes).toBeLessThan((mb + 100) * 2 ** 20);
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);
});

describe('crsim check', () => {
  it('--max-memory stops with exit 3 and reports memory per state', async () => {
    const { code, out } = await runCli('check', '-m', 'v20', '-t', '3', '--max-memory', '1M', '--json');
    expect(code).toBe(3);
    const j = JSON.parse(out);
    expect(j.verdict).toBe('incomplete');
    expect(j.stoppedBy).toMatch(/^--max-memory 1 MB reached/);
    expect(j.states).toBeGreaterThan(0);
    expect(j.bytesPerState).toBeGreaterThan(0);
  });
  it('a bad --max-memory or --reduction exits 2 and says what was expected', async () => {
    expect((await runCli('check', '--max-memory', 'lots')).code).toBe(2);
    expect((await runCli('check', '--reduction', 'magic')).code).toBe(2);
    expect((await runCli('check', '--reduction', 'dpor', '--workers', '2')).code).toBe(2);
  });
  it('--reduction dpor says so in the verdict line', async () => {
    const { code, out } = await runCli('check', '-m', 'v20', '-t', '3', '--reduction', 'dpor');
    expect(code).toBe(0);
    expect(out).toMatch(/^exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+, [\d.]+ s, partial-order reduction; P1–P11 hold$/m);
  });
});
