/** `crsim matrix` stopped by Ctrl-C: the rows so far, the open cells without a verdict, exit 3. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { v17 } from '../models/v17.ts';
import { v18 } from '../models/v18.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import { computeMatrixAsync, matrixRow } from '../src/cli/matrix.ts';

const CLI = join(import.meta.dirname, '..', 'bin', 'crsim.js');

describe('a matrix stopped part way', () => {
  const scenarios = ['L', 'LL', 'LZ'].map(standardScenario);

  it('keeps the rows done, leaves the open cells of the row in progress incomplete, and computes no further row', async () => {
    let polls = 0;
    // the stop is heard after the first search of the first row
    const m = await computeMatrixAsync([v18, v17], { scenarios, stop: () => (++polls >= 1 ? 'interrupted (Ctrl-C)' : null) });
    expect(m.rows.map((r) => r.model)).toEqual(['v18']);
    const row = m.rows[0]!;
    expect(row.interrupted).toBe('interrupted (Ctrl-C)');
    expect(row.runs).toBe(1);
    const verdicts = Object.values(row.cells).map((c) => c.verdict);
    expect(verdicts).not.toContain('holds'); // nothing unchecked passes for a proof
    expect(verdicts.filter((v) => v === 'incomplete').length).toBeGreaterThan(0);
  });

  it('without a stop, the async matrix is the sync one', async () => {
    const m = await computeMatrixAsync([v18], { scenarios });
    const { elapsedMs: _a, ...async } = m.rows[0]!;
    const { elapsedMs: _b, ...sync } = matrixRow(v18, { scenarios });
    expect(async).toEqual(sync);
  });

  it('crsim matrix on Ctrl-C prints the table so far and exits 3, at once', async () => {
    const child = spawn(process.execPath, [CLI, 'matrix'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    let signalled = 0;
    const timer = setTimeout(() => {
      signalled = Date.now();
      child.kill('SIGINT');
    }, 4000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    expect(code).toBe(3);
    expect(Date.now() - signalled).toBeLessThan(1000);
    expect(stdout).toMatch(/^model +P1 +P2/);
    expect(stdout).toMatch(/interrupted \(Ctrl-C\): \d+ of \d+ models checked, \S+ in part \(\? marks the cells not decided\)$/m);
  }, 20_000);
});
