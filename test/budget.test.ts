/** Budgets: a search stops with verdict `incomplete` (exit 3) and its statistics, never a crash out of heap. */
import { describe, expect, it } from 'vitest';
import { v20 } from '../models/v20.ts';
import { restartProperties } from '../properties/restart.ts';
import { formatBytes, MemoryGuard, parseBytes } from '../src/engine/budget.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const model = buildModel(v20, shorthandScenario(4, 0));
const properties = restartProperties(model);


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
    expect(out).toMatch(/^exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+, [\d.]+ s, partial-order reduction; P1–P10 hold$/m);
  });
});
