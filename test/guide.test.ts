/**
 * docs/writing-a-model.md runs as written: its ```sh blocks run in order, in a
 * scratch copy of the project, each as one bash script (`set -e`). A block
 * expects exit code 0 unless it says `# exits N`; a ```text block right after
 * it is the stdout of its last command (timings aside; a `…` line stands for
 * any number of lines). Also: `--model FILE.ts` and its errors.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GUIDE = join(ROOT, 'docs/writing-a-model.md');

interface Fence {
  readonly lang: string;
  readonly body: string;
  readonly line: number;
}

/** The fenced blocks of a markdown text, with their language and first line. */
export function fences(md: string): Fence[] {
  const out: Fence[] = [];
  const lines = md.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const open = /^```(\S*)\s*$/.exec(lines[k]!);
    if (!open) continue;
    const start = k;
    const body: string[] = [];
    for (k++; k < lines.length && !/^```\s*$/.test(lines[k]!); k++) body.push(lines[k]!);
    out.push({ lang: open[1]!, body: body.join('\n'), line: start + 1 });
  }
  return out;
}

interface GuideStep {
  readonly script: string;
  readonly line: number;
  readonly exit: number;
  readonly stdout?: string;
}

export function guideSteps(md: string): GuideStep[] {
  const blocks = fences(md);
  return blocks.flatMap((b, k) => {
    if (b.lang !== 'sh') return [];
    const next = blocks[k + 1];
    const exit = /^# exits? (\d+)/m.exec(b.body);
    return [{ script: b.body, line: b.line, exit: exit ? Number(exit[1]) : 0, ...(next?.lang === 'text' ? { stdout: next.body } : {}) }];
  });
}

/** Timings vary from run to run: `0.20 s` → `… s`. */
const normalise = (s: string): string[] =>
  s
    .replace(/\d+(?:\.\d+)? s\b/g, '… s')
    .trimEnd()
    .split('\n')
    .map((l) => l.trimEnd());

/** True when `actual` matches `expected`, where a `…` line of expected stands for any number of lines. */
export function matchesOutput(expected: string, actual: string): boolean {
  const exp = normalise(expected);
  const act = normalise(actual);
  const segments: string[][] = [[]];
  for (const l of exp) {
    if (l.trim() === '…') segments.push([]);
    else segments.at(-1)!.push(l);
  }
  let at = 0;
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    const anchoredStart = k === 0;
    const anchoredEnd = k === segments.length - 1;
    let found = -1;
    for (let i = at; i + seg.length <= act.length; i++) {
      if (seg.every((l, j) => act[i + j] === l)) {
        found = i;
        if (!anchoredEnd || i + seg.length === act.length) break;
        found = -1;
      }
      if (anchoredStart) break;
    }
    if (found < 0) return false;
    at = found + seg.length;
  }
  return true;
}

describe('the output matcher', () => {
  it('matches exactly, skips with …, and ignores timings', () => {
    expect(matchesOutput('a\nb', 'a\nb\n')).toBe(true);
    expect(matchesOutput('a\nb', 'a\nb\nc')).toBe(false);
    expect(matchesOutput('a\n…', 'a\nb\nc')).toBe(true);
    expect(matchesOutput('…\nc', 'a\nb\nc')).toBe(true);
    expect(matchesOutput('a\n…\nc', 'a\nx\ny\nc')).toBe(true);
    expect(matchesOutput('a\n…\nc', 'b\nx\nc')).toBe(false);
    expect(matchesOutput('done, 0.20 s; ok', 'done, 13.5 s; ok')).toBe(true);
    expect(matchesOutput('P2 holds', 'P2 violated')).toBe(false);
  });
});

describe('docs/writing-a-model.md, run as written', () => {
  const steps = guideSteps(readFileSync(GUIDE, 'utf8'));
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crsim-guide-'));
    for (const p of ['bin', 'src', 'models', 'properties', 'docs', 'package.json', 'tsconfig.json', 'README.md']) {
      cpSync(join(ROOT, p), join(dir, p), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the worked example: copy, patch, check v18, check the copy, compare', () => {
    expect(steps.map((s) => s.script.split('\n')[0]!.split(' ').slice(0, 3).join(' '))).toEqual([
      'cp models/v18.ts models/v18-b2.ts',
      'patch models/v18-b2.ts <<\'EOF\'',
      'node bin/crsim.js check',
      'node bin/crsim.js check',
      'node bin/crsim.js matrix',
      // issue 13: against a base, a pinned fault, a second example on v20, type errors
      'node bin/crsim.js check',
      'node bin/crsim.js check',
      'node bin/crsim.js check',
      'cat > models/v20-no-pf.ts',
      "sed 's/self.pf =",
      // issue 13: fusing two steps, a step with several outcomes
      'cat > models/v18-atomic.ts',
      'cat > models/v18-wake-one.ts',
    ]);
    expect(steps.filter((s) => s.stdout !== undefined)).toHaveLength(10);
  });

  it('every block exits and prints as the guide says', () => {
    for (const step of steps) {
      const r = spawnSync('bash', ['-e', '-c', step.script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      const where = `docs/writing-a-model.md:${step.line}\n${step.script.slice(0, 200)}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
      expect(r.status, where).toBe(step.exit);
      if (step.stdout !== undefined) expect(matchesOutput(step.stdout, r.stdout), where).toBe(true);
    }
  });
});

describe('--model FILE.ts', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crsim-model-file-'));
    const v18 = JSON.stringify(join(ROOT, 'models/v18.ts'));
    writeFileSync(join(dir, 'none.ts'), 'export const answer = 42;\n');
    writeFileSync(join(dir, 'named.ts'), `import { v18 } from ${v18};\nexport const mine = { ...v18, name: 'mine' };\n`);
    writeFileSync(join(dir, 'two.ts'), `import { v18 } from ${v18};\nexport const a = { ...v18, name: 'a' };\nexport const b = { ...v18, name: 'b' };\n`);
    writeFileSync(join(dir, 'broken.ts'), `import { nothing } from './missing.ts';\nexport default nothing;\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a named RestartVariant export and checks it', async () => {
    const r = await runCli('check', '--model', join(dir, 'named.ts'), '--tasks', '1', '--properties', 'P1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('model mine · scenario');
    expect(r.out).toContain('P1 holds');
  });

  it('a missing file is exit 2, naming the option and the file', async () => {
    const r = await runCli('check', '--model', './models/nope.ts');
    expect(r.code).toBe(2);
    expect(r.err).toBe("crsim: --model: no such file './models/nope.ts' (expected a registered model name or a .ts file exporting a RestartVariant)\n");
  });

  it('a file that exports no variant, or several, is exit 2', async () => {
    const none = await runCli('check', '--model', join(dir, 'none.ts'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('none.ts\' exports no RestartVariant (expected a default or named export with name, coordinator and task)');
    const two = await runCli('check', '--model', join(dir, 'two.ts'));
    expect(two.code).toBe(2);
    expect(two.err).toContain('exports several variants (a, b); make the one to check its default export');
  });

  it('a file that does not load is exit 2 with the loader\'s message', async () => {
    const r = await runCli('check', '--model', join(dir, 'broken.ts'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^crsim: --model: cannot load '.*broken\.ts': .*missing\.ts/);
  });

  it('crsim matrix takes files and names together', async () => {
    const r = await runCli('matrix', '--model', `v18,${join(dir, 'named.ts')}`, '--scenarios', 'L', '--md');
    expect(r.code).toBe(0);
    expect(r.out).toContain('| `v18` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✗ L·11 | ✓ | ✓ |');
    expect(r.out).toContain('| `mine` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✗ L·11 | ✓ | ✓ |');
  });
});
