/**
 * `crsim matrix`: per-property verdicts agree with direct checks, and the
 * README's table is the one the current library produces.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { v18 } from '../models/v18.ts';
import { restartProperties } from '../properties/restart.ts';
import { STANDARD_SCENARIOS, standardScenario } from '../properties/standard-scenarios.ts';
import {
  cellText,
  computeMatrix,
  matrixMarkdown,
  matrixRow,
  matrixText,
  MATRIX_END,
  MATRIX_START,
  readmeBlock,
  replaceReadmeBlock,
  uncaught,
} from '../src/cli/matrix.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';

describe('standard scenarios', () => {
  it('codes build the scenario they name, and unknown letters or faults are refused', () => {
    const s = standardScenario('LZT+sig2').scenario;
    expect(s.tasks.map((t) => [t.kind, t.leader])).toEqual([['live', true], ['zombie', true], ['live', false]]);
    expect(s.faults).toEqual([{ type: 'signal', task: 2 }]);
    expect(() => standardScenario('LQ')).toThrow(/unknown task letter 'Q'/);
    expect(() => standardScenario('LL+boom')).toThrow(/unknown fault 'boom'/);
  });
  it('are listed smallest first: never more tasks than a later one, fault-free before faulty at a size', () => {
    // size: the tasks the code lists (an extra-task fault adds one that is not in the tree)
    const key = (s: (typeof STANDARD_SCENARIOS)[number]) => s.code.split('+')[0]!.length * 2 + (s.scenario.faults.length ? 1 : 0);
    for (let k = 1; k < STANDARD_SCENARIOS.length; k++) {
      expect(key(STANDARD_SCENARIOS[k - 1]!), STANDARD_SCENARIOS[k]!.code).toBeLessThanOrEqual(key(STANDARD_SCENARIOS[k]!));
    }
  });
});

describe('a matrix row agrees with direct exhaustive checks, property by property', () => {
  const scenarios = ['L', 'LZ', 'LL', 'LL+sig1'].map(standardScenario);
  const row = matrixRow(v18, { scenarios });

  it('v18: P1, P7, P8, P9 and P11 violated on their first scenario; the rest hold', () => {
    expect(Object.fromEntries(Object.entries(row.cells).map(([id, c]) => [id, cellText(c)]))).toEqual({
      P1: '✗ LZ·31',
      P2: '✓',
      P3: '✓',
      P4: '✓',
      P5: '✓',
      P6: '✓',
      P7: '✗ LL+sig1·23',
      P8: '✗ L·11',
      P9: '✗ LL+sig1·22',
      P10: '✓',
      P11: '✗ LZ·35',
    });
  });

  it('each cell is what checking that property alone gives: holds before its scenario, the same shortest length on it', () => {
    for (const [id, cell] of Object.entries(row.cells)) {
      const upto = cell.verdict === 'violated' ? scenarios.findIndex((s) => s.code === cell.scenario) : scenarios.length;
      scenarios.slice(0, upto).forEach(({ code, scenario }) => {
        const m = buildModel(v18, scenario);
        expect(exploreSync(m, restartProperties(m).filter((p) => p.id === id)).verdict, `${id} on ${code}`).toBe('holds');
      });
      if (cell.verdict === 'violated') {
        const m = buildModel(v18, scenarios[upto]!.scenario);
        const r = exploreSync(m, restartProperties(m).filter((p) => p.id === id));
        expect(r.violation?.steps.length, id).toBe(cell.steps);
        expect(r.violation?.choices, id).toEqual(cell.schedule);
      }
    }
  });

  it('a mutant whose declared property holds is reported as not caught', () => {
    const fake = { ...v18, name: 'mutant:fake', summary: 'v18 claiming to break P4', breaks: 'P4' };
    const m = computeMatrix([v18, fake], { scenarios: [standardScenario('L')] });
    expect(uncaught(m).map((r) => r.model)).toEqual(['mutant:fake']);
    expect(matrixText(m)).toContain('not caught: mutant:fake (declares P4)');
    expect(matrixMarkdown(m)).toContain('| `mutant:fake` | ✓ | ✓ | ✓ | **✓** |');
  });

  it('--max-states makes the open cells incomplete instead of a verdict', () => {
    const r = matrixRow(v18, { scenarios: [standardScenario('LL')], maxStates: 50 });
    expect(cellText(r.cells.P1!)).toBe('? LL');
  });
});

describe('the README block', () => {
  it('is found between the markers and replaced in place', () => {
    const text = `intro\n${MATRIX_START}\nold\n${MATRIX_END}\nafter\n`;
    expect(readmeBlock(text)).toBe('old');
    const next = replaceReadmeBlock(text, 'new table');
    expect(next).toBe(`intro\n${MATRIX_START}\nnew table\n${MATRIX_END}\nafter\n`);
    expect(readmeBlock(next)).toBe('new table');
    expect(() => replaceReadmeBlock('no markers', 'x')).toThrow(/expected a '<!-- matrix:start -->' line/);
  });

  it('is the matrix of every registered model on the standard scenarios (else run `npm run matrix:update`)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = readmeBlock(readme);
    expect(block, 'README.md has no matrix markers').not.toBeNull();
    const m = computeMatrix(variants);
    expect(m.rows.map((r) => r.model)).toEqual(variants.map((v) => v.name));
    expect(block, 'the README matrix is stale: run `npm run matrix:update`').toBe(matrixMarkdown(m));
  });
});
