/**
 * The job-array examples of examples/ run here as their engine would run them,
 * and their merged verdict and counterexample must equal the unsharded run's.
 *
 * How each file is run (examples/README.md): Kubernetes, each container's
 * `args` block with `sh -c` and JOB_COMPLETION_INDEX per index of
 * `completions`; GitHub Actions, each job's `run:` steps with `bash -eo
 * pipefail` (`npm ci` skipped: this checkout is installed), `${{
 * strategy.job-index }}` and `job-total` substituted per matrix entry, and the
 * shard artifacts copied into the merge job's directory; Slurm, each .sbatch
 * script with bash and the SLURM_ARRAY_* variables of its `--array`. `npx
 * crsim` is this checkout's bin/crsim.js (an `npx` shim first on PATH).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const EX = join(ROOT, 'examples');
const SHIM = mkdtempSync(join(tmpdir(), 'crsim-npx-'));
writeFileSync(join(SHIM, 'npx'), `#!/bin/sh\n[ "$1" = crsim ] || { echo "npx shim: only crsim" >&2; exit 127; }\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/crsim.js'))} "$@"\n`);
chmodSync(join(SHIM, 'npx'), 0o755);

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script as the engine's shell does, in `cwd`, with the engine's variables. */
function sh(shell: string[], script: string, cwd: string, env: Record<string, string> = {}): Ran {
  const r = spawnSync(shell[0]!, [...shell.slice(1), script], { cwd, encoding: 'utf8', env: { ...process.env, ...env, PATH: `${SHIM}:${process.env['PATH']}` } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The one `npx crsim check` line of a script, run unsharded (no --shard, --shards, --out; `|| …` dropped) with --json. */
function unsharded(script: string, subst: (s: string) => string = (s) => s): { code: number; json: Record<string, unknown> } {
  const lines = script.split('\n').map((l) => l.trim().replace(/^-?\s*run:\s*/, '')).filter((l) => l.startsWith('npx crsim check '));
  expect(lines).toHaveLength(1);
  const words = subst(lines[0]!).replace(/\s*\|\|.*$/, '').split(/\s+/).slice(2);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (['--shard', '--shards', '--out'].includes(words[i]!)) i++;
    else kept.push(words[i]!);
  }
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/crsim.js'), ...kept, '--json'], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

/** The merged run matches the unsharded one: exit code, verdict line, schedule; and the replay file, when written. */
function expectSame(merged: Ran, base: { code: number; json: Record<string, unknown> }, cex?: string): void {
  expect(merged.stderr).not.toMatch(/crsim: (?!--shard auto)/);
  expect(merged.code).toBe(base.code);
  const lines = merged.stdout.split('\n');
  if (base.json['verdict'] === 'violated') {
    expect(lines).toContain(`schedule: ${(base.json['schedule'] as number[]).join(' ')}`);
    expect(merged.stdout).toContain(`${String(base.json['property'])} violated after ${(base.json['schedule'] as number[]).length} steps: ${String(base.json['message'])}`);
    if (cex) {
      const file = JSON.parse(readFileSync(cex, 'utf8')) as { schedule: number[]; violation: { property: string }; origin: { run: number } };
      expect(file.schedule).toEqual(base.json['schedule']);
      expect(file.violation.property).toBe(base.json['property']);
      expect(file.origin.run).toBe(base.json['failedRun']);
    }
  } else {
    expect(base.json['verdict']).toBe('holds');
    expect(merged.stdout).toContain(`${(base.json['runs'] as number).toLocaleString('en-US')} of ${(base.json['runs'] as number).toLocaleString('en-US')} runs executed`);
  }
}

/** The block scalar (`- |`) under `args:` of each container in a YAML document, in order. */
function argsBlocks(doc: string): string[] {
  const lines = doc.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*- \|\s*$/.test(lines[i]!) || !/^\s*args:\s*$/.test(lines[i - 1] ?? '')) continue;
    const indent = /^\s*/.exec(lines[i + 1] ?? '')![0].length;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && (lines[j]!.trim() === '' || /^\s*/.exec(lines[j]!)![0].length >= indent); j++) body.push(lines[j]!.slice(indent));
    out.push(body.join('\n').trim());
  }
  return out;
}

describe('examples/k8s: an Indexed Job, then a merge Job', () => {
  it('runs each completion index with sh -c, then the merge: the unsharded verdict', () => {
    const docs = readFileSync(join(EX, 'k8s/crsim-indexed-job.yaml'), 'utf8').split(/^---$/m);
    const shardDoc = docs.find((d) => /completionMode: Indexed/.test(d))!;
    const mergeDoc = docs.find((d) => /name: crsim-merge/.test(d))!;
    const completions = Number(/completions: (\d+)/.exec(shardDoc)![1]);
    const [shardScript] = argsBlocks(shardDoc);
    const [mergeScript] = argsBlocks(mergeDoc);
    expect(shardScript).toContain('--shard auto');
    // the count crsim is told is the Job's completions, and the merge waits for that many files
    expect(shardScript).toContain(`--shards ${completions}`);
    expect(mergeDoc).toContain(`-ge ${completions} ]`);
    const work = mkdtempSync(join(tmpdir(), 'crsim-k8s-'));
    for (let i = 0; i < completions; i++) {
      const r = sh(['sh', '-c'], shardScript!, work, { JOB_COMPLETION_INDEX: String(i) });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`--shard auto: shard ${i}/${completions} from Kubernetes Indexed Job (JOB_COMPLETION_INDEX=${i}, --shards=${completions})`);
    }
    expect(readdirSync(join(work, 'shards')).sort()).toEqual(Array.from({ length: completions }, (_, i) => `shard-${i}.json`).sort());
    expectSame(sh(['sh', '-c'], mergeScript!, work), unsharded(shardScript!));
  });
});

describe('examples/github: a matrix of shards, then a merge job', () => {
  it('runs each matrix entry in its own checkout, hands the artifacts to the merge job: the unsharded verdict', () => {
    const wf = readFileSync(join(EX, 'github/crsim-shards.yml'), 'utf8');
    const [shardJob, mergeJob] = wf.split(/^ {2}merge:$/m);
    expect(mergeJob).toMatch(/needs: shard/);
    const matrix = JSON.parse(/shard: (\[[\d, ]+\])/.exec(shardJob!)![1]!) as number[];
    const steps = (job: string): string[] => [...job.matchAll(/^\s*- run: (.*)$/gm)].map((m) => m[1]!).filter((s) => s !== 'npm ci');
    const subst = (i: number) => (s: string) => s.replaceAll('${{ strategy.job-index }}', String(i)).replaceAll('${{ strategy.job-total }}', String(matrix.length));
    const merge = mkdtempSync(join(tmpdir(), 'crsim-gha-merge-'));
    for (const [i] of matrix.entries()) {
      const job = mkdtempSync(join(tmpdir(), `crsim-gha-${i}-`));
      for (const step of steps(shardJob!)) {
        const r = sh(['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'], subst(i)(step), job);
        expect(r.code, `${step}\n${r.stderr}`).toBe(0);
      }
      cpSync(join(job, 'shards'), join(merge, 'shards'), { recursive: true }); // upload-artifact, download-artifact merge-multiple
    }
    const mergeSteps = steps(mergeJob!);
    expect(mergeSteps).toHaveLength(1);
    const merged = sh(['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'], mergeSteps[0]!, merge);
    const base = unsharded(shardJob!, subst(0));
    expect(base.json['verdict']).toBe('violated'); // so the workflow fails, as the example says
    expectSame(merged, base, join(merge, 'cex.json'));
  });
});

describe('examples/slurm: a job array, then a merge afterok', () => {
  it('runs the array script for each task id of --array with bash, then the merge script: the unsharded verdict', () => {
    const array = readFileSync(join(EX, 'slurm/crsim-array.sbatch'), 'utf8');
    const mergeScript = readFileSync(join(EX, 'slurm/crsim-merge.sbatch'), 'utf8');
    expect(readFileSync(join(EX, 'slurm/submit.sh'), 'utf8')).toMatch(/--dependency=afterok:/);
    const [, lo, hi] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(array)!.map(Number) as [number, number, number];
    const work = mkdtempSync(join(tmpdir(), 'crsim-slurm-'));
    mkdirSync(join(work, 'shards')); // submit.sh makes it: Slurm opens --output there before the script runs
    for (let id = lo; id <= hi; id++) {
      const env = { SLURM_ARRAY_JOB_ID: '4242', SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(lo), SLURM_ARRAY_TASK_MAX: String(hi), SLURM_ARRAY_TASK_COUNT: String(hi - lo + 1), SLURM_ARRAY_TASK_STEP: '1' };
      const r = sh(['bash', '-c'], array, work, env);
      expect(r.code, r.stderr).toBe(0); // afterok needs every task to succeed, a violation included
      expect(r.stderr).toContain(`shard ${id - lo}/${hi - lo + 1} from Slurm job array`);
    }
    expectSame(sh(['bash', '-c'], mergeScript, work), unsharded(array), join(work, 'cex.json'));
  });
});
