/** docs/timing.md's findings block is the one the current library produces (rows recomputed; the script writes it). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docBlock, DOC, END, FINDINGS, latencyRow, probabilityRow, START } from '../scripts/timing-findings.ts';

const block = docBlock(readFileSync(DOC, 'utf8'));
const stale = 'docs/timing.md is stale: run `node bin/run-ts.js scripts/timing-findings.ts --write`';

describe('docs/timing.md findings', () => {
  it('has one row per finding and per (model, size)', () => {
    expect(block.startsWith(START) && block.endsWith(END)).toBe(true);
    for (const f of FINDINGS) expect(block, stale).toContain(`| ${f.bug} | ${f.property} | \`${f.code}\` |`);
    for (const m of ['v18-final', 'v20']) for (const n of [4, 8, 16]) expect(block, stale).toContain(`| \`${m}\` | ${n} (`);
  });

  it('B4: the probability row is what the simulation gives now', () => {
    expect(block, stale).toContain(probabilityRow(FINDINGS[0]!));
  }, 120_000);

  it('v20 at 4 tasks: the latency row is what the simulation gives now', () => {
    expect(block, stale).toContain(latencyRow('v20', 4));
  }, 120_000);
});
