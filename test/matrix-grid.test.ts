/** Issue 13: crsim matrix --grid shows every scenario × property cell, not only the first failing scenario. */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';

describe('crsim matrix --grid', () => {
  it("v20: P3 and P9 fail on both signal scenarios, each with its own shortest length; the matrix shows only the first", async () => {
    const r = await runCli('matrix', '--grid', '-m', 'v20', '--scenarios', 'L,LL+sig1,LL+sig2');
    expect(r.code).toBe(0);
    const rows = Object.fromEntries(r.out.split('\n').filter((l) => /^(L|LL\+sig[12]) /.test(l)).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).slice(1)]));
    expect(rows['L']).toEqual(Array(11).fill('✓'));
    expect(rows['LL+sig1']![2]).toBe('✗13'); // P3
    expect(rows['LL+sig2']![2]).toBe('✗14');
    expect(rows['LL+sig2']![3]).toBe('✗21'); // P4 only with the signal to task 2
    expect(rows['LL+sig1']![3]).toBe('✓');
    const m = await runCli('matrix', '-m', 'v20', '--scenarios', 'L,LL+sig1,LL+sig2', '--json');
    const cells = (JSON.parse(m.out) as { rows: { cells: Record<string, { scenario?: string }> }[] }).rows[0]!.cells;
    expect(cells['P3']!.scenario).toBe('LL+sig1'); // the matrix keeps the first only
  });

  it('--json gives every cell; a mutant whose declared property holds everywhere exits 1; --md is refused', async () => {
    const r = await runCli('matrix', '--grid', '-m', 'mutant:B9', '--scenarios', 'L,Z', '--json');
    const j = JSON.parse(r.out) as { grid: { model: string; cells: Record<string, Record<string, { verdict: string; steps?: number }>> }[] };
    expect(j.grid[0]!.cells['L']!['P9']).toMatchObject({ verdict: 'violated', steps: 21 });
    expect(Object.keys(j.grid[0]!.cells['Z']!)).toHaveLength(11);
    expect(r.code).toBe(0);
    const missed = await runCli('matrix', '--grid', '-m', 'mutant:B2', '--scenarios', 'L');
    expect(missed.code).toBe(1); // B2 declares P2, which holds without a zombie
    expect((await runCli('matrix', '--grid', '--md', '-m', 'v20', '--scenarios', 'L')).code).toBe(2);
  });
});
