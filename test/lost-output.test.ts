/**
 * When writing --out still fails after the search (the disk filled, the folder
 * went away), the result is printed all the same, then the error (exit 2):
 * a counterexample found is never lost. The rename that makes the write
 * atomic is made to fail here, after the check before the search passed.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-run.ts';

vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const renameSync = (from: string, to: string): void => {
    if (String(to).endsWith('doomed.json')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, renameSync }, renameSync };
});

describe('nothing lost when --out cannot be written after the search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsim-lost-'));
  const out = join(dir, 'doomed.json');

  it('check prints the counterexample, then the error (exit 2), and leaves no temporary file', async () => {
    const r = await runCli('check', '-t', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^P8 violated after 11 steps/m);
    expect(r.out).toMatch(/^schedule: (\d+ )+\d+$/m);
    expect(r.out).toContain(`--out ${out}: not written (below); the result is the one above`);
    expect(r.err).toBe(`crsim: --out: cannot write '${out}': ENOSPC\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--json still prints the whole object', async () => {
    const r = await runCli('check', '-t', '1', '--out', out, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: 'violated', property: 'P8' });
  });
});
