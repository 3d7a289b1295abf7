/** Issue 13: one scenario syntax (--scenario LL+sig2, --fault CODE) and faults pinned to a window. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultFromCode, standardScenario } from '../properties/standard-scenarios.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-scenario-syntax-'));

describe('--scenario CODE and --fault', () => {
  it('--scenario LL+sig1 is the matrix scenario of that code, and -t 2 --fault sig1 the same tree and fault', async () => {
    const a = await runCli('check', '-m', 'v20', '--scenario', 'LL+sig1', '-p', 'P3');
    const b = await runCli('check', '-m', 'v20', '-t', '2', '--fault', 'sig1', '-p', 'P3');
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    const verdict = (s: string): string => s.split('\n')[1]!;
    expect(verdict(a.out)).toBe(verdict(b.out));
    expect(a.out).toContain('P3 violated after 13 steps');
  });

  it('a zombie root: --scenario ZL', async () => {
    expect(standardScenario('ZL').scenario.tasks.map((t) => t.kind)).toEqual(['zombie', 'live']);
    const r = await runCli('check', '-m', 'v20', '--scenario', 'ZL', '-p', 'P9');
    expect(r.code).toBe(0);
    expect(r.out).toContain('scenario ZL');
  });

  it('--fault is repeatable and adds to a scenario file too', async () => {
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
    const r = await runCli('check', '-m', 'v20', '--scenario', file, '--fault', 'sig1', '--fault', 'fail2', '-p', 'P1');
    expect(r.out).toContain('+ sig1 + fail2');
  });

  it.each([
    [['--scenario', 'LL+bogus1'], /--scenario: scenario 'LL\+bogus1': unknown fault 'bogus1' \(expected sigN/],
    [['-t', '2', '--fault', 'sig9'], /--fault: scenario\.faults\[0\]\.task: expected the vpid of a task of the scenario \(got 9\)/],
    [['-t', '2', '--fault', 'fail1@T6e'], /--fault 'fail1@T6e': only a signal .* takes a window/],
    [['-t', '2', '--fault', 'sig1@T99'], /faults\[0\]\.at\[0\]: no task's step of model v20 matches it; .*\(got "T99"\)/],
    [['-t', '2', '--fault', 'sig1@C5*'], /faults\[0\]\.at\[0\]: no task's step/],
  ])('bad input %j: exit 2 naming the field and the value', async (args, message) => {
    const r = await runCli('check', '-m', 'v20', ...args, '-p', 'P3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('faults pinned to a window', () => {
  it('the code grammar writes the window into the scenario JSON', () => {
    expect(faultFromCode('sig1@T5:prepare/T5:check').json).toEqual({ type: 'signal', task: 1, at: ['T5:prepare', 'T5:check'] });
    expect(standardScenario('LL+sigC@C5w:*').scenario.faults).toEqual([{ type: 'signal-coordinator', at: ['C5w:*'] }]);
  });

  it("a signal pinned to T5 fires only there: v18's deadlock on LL+sig1 needs the signal elsewhere, so pinned to T5 P9 holds", async () => {
    const free = await runCli('check', '-m', 'v18', '--scenario', 'LL+sig1', '-p', 'P9');
    expect(free.code).toBe(1);
    expect(free.out).toContain('P9 violated after 22 steps: deadlock');
    const pinned = await runCli('check', '-m', 'v18', '--scenario', 'LL+sig1@T5:*', '-p', 'P9');
    expect(pinned.code).toBe(0);
    expect(pinned.out).toMatch(/P9 holds/);
    // v20's P3 on LL+sig1 comes from a signal while task 1 waits its turn: pinned there, the same 13 steps
    const v20 = await runCli('check', '-m', 'v20', '--scenario', 'LL+sig1@T5:*', '-p', 'P3');
    expect(v20.out).toContain('P3 violated after 13 steps');
    const row = v20.out.split('\n').findIndex((l) => /\bsignal\b/.test(l) && /│/.test(l));
    expect(v20.out.split('\n')[row - 1]).toMatch(/T5:/); // task 1's last step before the signal was in T5
  });

  it('a window the task never reaches: the signal never fires, the run is fault-free (P8 as on L)', async () => {
    const never = await runCli('check', '-m', 'v18', '--scenario', 'L+sig1@X1', '-p', 'P8');
    const plain = await runCli('check', '-m', 'v18', '--scenario', 'L', '-p', 'P8');
    expect(never.out.split('\n')[1]).toBe(plain.out.split('\n')[1]);
  });
});
