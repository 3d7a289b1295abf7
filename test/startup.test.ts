/**
 * Issue 11, start-up: `crsim check -t N -z Z` loads only what its search
 * needs. zod (scenario, shard and replay files), rxjs (worker threads) and
 * cli-progress (a terminal) stay unloaded, and the shorthand scenario, built
 * without zod, is the one the scenario parser makes of the same tasks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario, shorthandScenario } from '../src/kernel/scenario.ts';

const ROOT = join(import.meta.dirname, '..');

/** The packages a `crsim` run loads (from the sources, through tsx): ES modules seen by a module hook, CommonJS ones (zod is required where used) in require's cache at exit. */
function packagesLoaded(...argv: string[]): { packages: string[]; code: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'crsim-startup-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(log)}, url + '\\n');\n  return next(url, context);\n}\n`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  writeFileSync(join(dir, 'cache.cjs'), `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`);
  const r = spawnSync(process.execPath, ['--require', join(dir, 'cache.cjs'), '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(ROOT, 'bin/crsim.js'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CRSIM_FROM: 'source', NODE_OPTIONS: '' },
  });
  const loaded = readFileSync(log, 'utf8').split('\n');
  const packages = [...new Set(loaded.map((u) => /[/\\]node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\]/.exec(u)?.[1]).filter((p): p is string => p !== undefined))];
  return { packages, code: r.status, stdout: r.stdout };
}

describe('crsim check -t -z: what it loads', () => {
  it('neither zod, rxjs nor cli-progress', () => {
    const r = packagesLoaded('check', '-m', 'v20', '-t', '3', '-z', '1', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('holds');
    expect(r.packages).toContain('commander');
    expect(r.packages.filter((p) => ['zod', 'rxjs', 'cli-progress'].includes(p))).toEqual([]);
  }, 60_000);

  it('zod as soon as a scenario file is read', () => {
    const r = packagesLoaded('check', '-m', 'v20', '-s', join(ROOT, 'examples/tree.json'), '--max-states', '10', '--json');
    expect(r.packages).toContain('zod');
  }, 60_000);
});

describe('the shorthand scenario', () => {
  it('is what parseScenario makes of the same tasks', () => {
    for (let n = 1; n <= 9; n++) {
      for (let z = 0; z < n; z++) {
        const s = shorthandScenario(n, z);
        const tasks = s.tasks.map((t) => ({ vpid: t.vpid, kind: t.kind }));
        expect(s).toEqual(parseScenario({ name: s.name, tasks }));
        expect(s.tasks.filter((t) => t.kind === 'zombie')).toHaveLength(z);
      }
    }
  });
});
