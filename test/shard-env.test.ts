/** `--shard auto` (src/cli/shard-env.ts) and the files `crsim merge` reads (src/cli/shard-files.ts). */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.ts';
import { main } from '../src/cli/main.ts';
import { shardFromEnv } from '../src/cli/shard-env.ts';
import { expandShardFiles } from '../src/cli/shard-files.ts';

const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('--shard auto reads the engine that runs it', () => {
  it('Kubernetes: JOB_COMPLETION_INDEX, the count from --shards or CRSIM_SHARDS', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2' }, '4')).toMatchObject({ index: 2, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', CRSIM_SHARDS: '3' })).toMatchObject({ index: 0, count: 3, from: expect.stringContaining('CRSIM_SHARDS=3') });
    expect(refused(() => shardFromEnv({ JOB_COMPLETION_INDEX: '2' }))).toMatch(/JOB_COMPLETION_INDEX=2 .*set CRSIM_SHARDS or --shards/);
    expect(refused(() => shardFromEnv({ JOB_COMPLETION_INDEX: '4' }, '4'))).toMatch(/^--shard auto: JOB_COMPLETION_INDEX: gives shard 4, expected below the count 4/);
    expect(refused(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x' }, '4'))).toMatch(/JOB_COMPLETION_INDEX: expected an integer >= 0 \(got 'x'\)/);
    expect(refused(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' }, '0'))).toMatch(/^--shards: expected an integer from 1/);
  });

  it('Slurm: the task id less the array minimum (over the step), of the task count', () => {
    const slurm = { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_COUNT: '4' };
    expect(shardFromEnv(slurm)).toMatchObject({ index: 2, count: 4, from: expect.stringMatching(/^Slurm job array \(SLURM_ARRAY_TASK_ID=7 − SLURM_ARRAY_TASK_MIN=5/) });
    expect(shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_STEP: '2' })).toMatchObject({ index: 2, count: 4 });
    expect(refused(() => shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_MIN: undefined }))).toMatch(/^--shard auto: SLURM_ARRAY_TASK_MIN: .*not set/);
    expect(refused(() => shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_COUNT: undefined }))).toMatch(/^--shard auto: SLURM_ARRAY_TASK_COUNT: .*not set/);
    expect(refused(() => shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_ID: '4' }))).toMatch(/SLURM_ARRAY_TASK_ID: 4 is below SLURM_ARRAY_TASK_MIN=5/);
    expect(refused(() => shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_ID: '20' }))).toMatch(/SLURM_ARRAY_TASK_ID: gives shard 15, expected below the count 4/);
    expect(refused(() => shardFromEnv({ ...slurm, SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_STEP: '2' }))).toMatch(/SLURM_ARRAY_TASK_STEP=2/);
    expect(refused(() => shardFromEnv(slurm, '5'))).toMatch(/^--shards: 5 disagrees with SLURM_ARRAY_TASK_COUNT=4/);
    expect(shardFromEnv(slurm, '4')).toMatchObject({ index: 2, count: 4 });
  });

  it('GitLab: CI_NODE_INDEX counts from 1', () => {
    expect(shardFromEnv({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 0, count: 3 });
    expect(shardFromEnv({ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' })).toMatchObject({ index: 2, count: 3 });
    expect(refused(() => shardFromEnv({ CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' }))).toMatch(/CI_NODE_INDEX: expected an integer >= 1 \(GitLab numbers parallel jobs from 1\) \(got '0'\)/);
    expect(refused(() => shardFromEnv({ CI_NODE_INDEX: '4', CI_NODE_TOTAL: '3' }))).toMatch(/CI_NODE_INDEX: 4 is above CI_NODE_TOTAL=3/);
    expect(refused(() => shardFromEnv({ CI_NODE_INDEX: '1' }))).toMatch(/CI_NODE_TOTAL: .*not set/);
  });

  it('Bazel: TEST_SHARD_INDEX of TEST_TOTAL_SHARDS, and the status file is touched', () => {
    const status = join(mkdtempSync(join(tmpdir(), 'crsim-bazel-')), 'status');
    expect(shardFromEnv({ TEST_SHARD_INDEX: '1', TEST_TOTAL_SHARDS: '2', TEST_SHARD_STATUS_FILE: status })).toMatchObject({ index: 1, count: 2 });
    expect(existsSync(status)).toBe(true);
    expect(refused(() => shardFromEnv({ TEST_SHARD_INDEX: '2', TEST_TOTAL_SHARDS: '2' }))).toMatch(/TEST_SHARD_INDEX: gives shard 2, expected below the count 2/);
  });

  it('takes the first engine in the documented order, and names them all when none is set', () => {
    const both = { JOB_COMPLETION_INDEX: '1', CRSIM_SHARDS: '2', CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' };
    expect(shardFromEnv(both).from).toMatch(/^Kubernetes/);
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2', TEST_SHARD_INDEX: '1', TEST_TOTAL_SHARDS: '2' }).from).toMatch(/^Slurm/);
    expect(refused(() => shardFromEnv({}))).toMatch(/JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, CI_NODE_INDEX, TEST_SHARD_INDEX/);
  });
});

describe('crsim merge reads files, a directory or a pattern', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsim-shardfiles-'));
  mkdirSync(join(dir, 'shards'));
  for (const n of ['shard-10.json', 'shard-2.json', 'shard-1.json', 'notes.txt']) writeFileSync(join(dir, 'shards', n), '{}');

  it('expands a directory to its .json files and a pattern in the file name, numbers in order', () => {
    const s = join(dir, 'shards');
    expect(expandShardFiles([s])).toEqual(['shard-1.json', 'shard-2.json', 'shard-10.json'].map((n) => join(s, n)));
    expect(expandShardFiles([join(s, 'shard-?.json')])).toEqual(['shard-1.json', 'shard-2.json'].map((n) => join(s, n)));
    expect(expandShardFiles([join(s, 'shard-[!2]*.json')])).toEqual(['shard-1.json', 'shard-10.json'].map((n) => join(s, n)));
    expect(expandShardFiles(['a.json', 'b.json'])).toEqual(['a.json', 'b.json']);
    expect(refused(() => expandShardFiles([join(s, 'x-*.json')]))).toMatch(/no file matches the pattern/);
    expect(refused(() => expandShardFiles([join(dir, '*', 'a.json')]))).toMatch(/wildcards in the file name only/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(refused(() => expandShardFiles([empty]))).toMatch(/expected shard files \(\*\.json\) in the directory, found none/);
  });

  it('says which shards are missing when a directory lacks some', async () => {
    const out = join(dir, 'job');
    mkdirSync(out);
    const quiet = (): void => undefined;
    for (const i of [0, 2]) {
      const code = await main(['check', '-m', 'v20', '-t', '2', '--strategy', 'random', '--runs', '20', '--shard', `${i}/4`, '--out', join(out, `s${i}.json`)], quiet);
      expect(code).toBe(0);
    }
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
    try {
      expect(await main(['merge', out], quiet)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/missing 1\/4, 3\/4/);
  });
});
