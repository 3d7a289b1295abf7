/**
 * Issue 13, defect 1: a saved deadlock (P9, nothing can move) replayed on a
 * model that fixes it, where the same schedule still applies step for step,
 * must be re-judged at the end (can anyone still move?), not taken for a run
 * cut at its depth bound; a run that was cut is labelled as such when saved.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lostWakeup } from '../models/mutants/lost-wakeup.ts';
import type { RestartVariant } from '../src/kernel/model.ts';
import { decodeToken, encodeToken, readReplay, replayFile, type ReplayFile } from '../src/trace/replayfile.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-deadlock-'));

/** lost-wakeup with the sleep in T5 made a poll: the same labels, but the task never sleeps for ever */
const fixed: RestartVariant = {
  ...lostWakeup,
  name: 'lost-wakeup-polling',
  task: { ...lostWakeup.task, 'T5:sleep': { ...lostWakeup.task['T5:sleep']!, enabled: () => true } },
};

describe('a saved deadlock replayed on a model that fixes it', () => {
  it('is re-judged at the end of the replay: no longer reproduces (exit 0), not "cut at its bound"', async () => {
    const file = join(dir, 'deadlock.json');
    const r = await runCli('check', '--model', 'mutant:lost-wakeup', '--tasks', '1', '--properties', 'P9', '--out', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('deadlock: nothing can move');
    const saved = readReplay(file);
    expect(saved.bound).toBeUndefined();
    expect((await replayFile(saved, lostWakeup)).status).toBe('reproduced');
    const out = await replayFile(saved, fixed);
    expect(out.steps).toHaveLength(saved.schedule.length); // every saved step still applies
    expect(out.status).toBe('not-reproduced');
    expect(out.summary).not.toContain('cut at its bound');
    expect(out.summary).toMatch(/the saved run ended in a deadlock; here .*live 1: T5:sleep.* can still move/);
    // the token carries the same judgement
    expect((await replayFile(decodeToken(encodeToken(saved)), fixed)).status).toBe('not-reproduced');
  });

  it('a run cut at its depth bound is saved as such, and replays as still running', async () => {
    const file = join(dir, 'cut.json');
    // random runs of at most 5 steps: a run cut at its bound reports P9 (no end)
    const r = await runCli('explore', '--model', 'v18', '--tasks', '1', '--properties', 'P9', '--runs', '5', '--max-steps', '5', '--seed', '1', '--out', file);
    expect(r.code).toBe(1);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as ReplayFile;
    expect(saved.bound).toBe(true);
    expect(decodeToken(encodeToken(saved)).bound).toBe(true);
    const out = await replayFile(saved, fixed);
    expect(out.summary).toContain('cut at its bound');
  });
});
