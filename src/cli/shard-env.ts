/**
 * `--shard auto`: the shard index and count from the environment a job-array
 * engine sets, so a manifest passes no `i/n` by hand. Engines are tried in this
 * order, and the first whose index variable is set is used:
 *
 * 1. Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based). Kubernetes does
 *    not inject the count, so it comes from `--shards` or `CRSIM_SHARDS`.
 * 2. Slurm job array: (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) /
 *    `SLURM_ARRAY_TASK_STEP` (1 when unset), of `SLURM_ARRAY_TASK_COUNT`.
 * 3. GitLab parallel jobs: `CI_NODE_INDEX` (1-based) − 1, of `CI_NODE_TOTAL`.
 * 4. Bazel / GoogleTest sharding: `TEST_SHARD_INDEX` (0-based), of
 *    `TEST_TOTAL_SHARDS`; crsim touches `TEST_SHARD_STATUS_FILE`, as Bazel
 *    asks of a test that shards.
 *
 * A variable that is missing, not an integer, or out of range, and a
 * `--shards`/`CRSIM_SHARDS` that disagrees with the engine's count, are usage
 * errors naming the variable.
 */
import { writeFileSync } from 'node:fs';
import type { Shard } from '../engine/shard.ts';
import { UsageError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvShard extends Shard {
  /** which engine and variables gave it, for the line check prints */
  readonly from: string;
}

/** The index variables, in the order they are tried. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'CI_NODE_INDEX', 'TEST_SHARD_INDEX'] as const;

const MAX_SHARDS = 1_000_000;

function int(env: Env, name: string, min: number, why = ''): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') throw new UsageError(`--shard auto: ${name}: expected an integer >= ${min}${why} (it is not set)`);
  if (!/^\s*-?\d+\s*$/.test(raw) || Number(raw) < min || Number(raw) > 2 ** 31) {
    throw new UsageError(`--shard auto: ${name}: expected an integer >= ${min}${why} (got '${raw}')`);
  }
  return Number(raw);
}

/** The count given to crsim itself: `--shards`, else CRSIM_SHARDS; undefined when neither. */
function ownCount(env: Env, shards: string | undefined): { n: number; name: string } | undefined {
  if (shards !== undefined) {
    if (!/^\d+$/.test(shards.trim()) || Number(shards) < 1 || Number(shards) > MAX_SHARDS) {
      throw new UsageError(`--shards: expected an integer from 1 to ${MAX_SHARDS.toLocaleString('en-US')} (got '${shards}')`);
    }
    return { n: Number(shards), name: '--shards' };
  }
  if (env['CRSIM_SHARDS'] !== undefined) return { n: int(env, 'CRSIM_SHARDS', 1), name: 'CRSIM_SHARDS' };
  return undefined;
}

function within(index: number, count: number, what: string, indexName: string): void {
  if (count > MAX_SHARDS) throw new UsageError(`--shard auto: ${what}: expected at most ${MAX_SHARDS.toLocaleString('en-US')} shards (got ${count})`);
  if (index >= count) throw new UsageError(`--shard auto: ${indexName}: gives shard ${index}, expected below the count ${count} (${what})`);
}

/** An engine that injects its count: `--shards`/CRSIM_SHARDS, when given, must agree with it. */
function agree(own: { n: number; name: string } | undefined, count: number, countName: string): void {
  if (own && own.n !== count) throw new UsageError(`${own.name}: ${own.n} disagrees with ${countName}=${count}; give one count, or the same`);
}

/**
 * The shard this process runs, read from `env` in the documented order.
 * `shards` is the `--shards` option, for engines that do not say the count.
 */
export function shardFromEnv(env: Env, shards?: string): EnvShard {
  const own = ownCount(env, shards);
  if (env['JOB_COMPLETION_INDEX'] !== undefined) {
    const index = int(env, 'JOB_COMPLETION_INDEX', 0);
    if (!own) {
      throw new UsageError(
        `--shard auto: JOB_COMPLETION_INDEX=${index} (Kubernetes Indexed Job) gives no count: set CRSIM_SHARDS or --shards to the Job's completions`,
      );
    }
    within(index, own.n, `${own.name}=${own.n}`, 'JOB_COMPLETION_INDEX');
    return { index, count: own.n, from: `Kubernetes Indexed Job (JOB_COMPLETION_INDEX=${index}, ${own.name}=${own.n})` };
  }
  if (env['SLURM_ARRAY_TASK_ID'] !== undefined) {
    const id = int(env, 'SLURM_ARRAY_TASK_ID', 0);
    const min = int(env, 'SLURM_ARRAY_TASK_MIN', 0, ', the first task id of the array');
    const count = int(env, 'SLURM_ARRAY_TASK_COUNT', 1, ', the number of tasks of the array');
    const step = env['SLURM_ARRAY_TASK_STEP'] === undefined ? 1 : int(env, 'SLURM_ARRAY_TASK_STEP', 1);
    if (id < min) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID: ${id} is below SLURM_ARRAY_TASK_MIN=${min}`);
    if ((id - min) % step !== 0) {
      throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID: ${id} is not SLURM_ARRAY_TASK_MIN=${min} plus a multiple of SLURM_ARRAY_TASK_STEP=${step} (crsim expects --array=MIN-MAX[:STEP])`);
    }
    const index = (id - min) / step;
    within(index, count, `SLURM_ARRAY_TASK_COUNT=${count}; crsim expects --array=MIN-MAX[:STEP], with no gaps`, 'SLURM_ARRAY_TASK_ID');
    agree(own, count, 'SLURM_ARRAY_TASK_COUNT');
    const stepText = step === 1 ? '' : ` / SLURM_ARRAY_TASK_STEP=${step}`;
    return { index, count, from: `Slurm job array (SLURM_ARRAY_TASK_ID=${id} − SLURM_ARRAY_TASK_MIN=${min}${stepText}, SLURM_ARRAY_TASK_COUNT=${count})` };
  }
  if (env['CI_NODE_INDEX'] !== undefined) {
    const node = int(env, 'CI_NODE_INDEX', 1, ' (GitLab numbers parallel jobs from 1)');
    const count = int(env, 'CI_NODE_TOTAL', 1, ', the number of parallel jobs');
    if (node > count) throw new UsageError(`--shard auto: CI_NODE_INDEX: ${node} is above CI_NODE_TOTAL=${count}`);
    agree(own, count, 'CI_NODE_TOTAL');
    within(node - 1, count, `CI_NODE_TOTAL=${count}`, 'CI_NODE_INDEX');
    return { index: node - 1, count, from: `GitLab parallel job (CI_NODE_INDEX=${node} − 1, CI_NODE_TOTAL=${count})` };
  }
  if (env['TEST_SHARD_INDEX'] !== undefined) {
    const index = int(env, 'TEST_SHARD_INDEX', 0);
    const count = int(env, 'TEST_TOTAL_SHARDS', 1, ', the number of shards');
    within(index, count, `TEST_TOTAL_SHARDS=${count}`, 'TEST_SHARD_INDEX');
    agree(own, count, 'TEST_TOTAL_SHARDS');
    const status = env['TEST_SHARD_STATUS_FILE'];
    if (status) {
      try {
        writeFileSync(status, '', { flag: 'a' }); // tells Bazel this test shards
      } catch (e) {
        throw new UsageError(`--shard auto: TEST_SHARD_STATUS_FILE: cannot write '${status}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    return { index, count, from: `Bazel test sharding (TEST_SHARD_INDEX=${index}, TEST_TOTAL_SHARDS=${count})` };
  }
  throw new UsageError(
    `--shard auto: no shard index in the environment (expected one of ${SHARD_INDEX_VARIABLES.join(', ')}); give --shard I/N where no job-array engine sets them`,
  );
}
