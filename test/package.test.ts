/**
 * The package as a user gets it: `npm pack` (its prepare script builds dist/),
 * the tarball installed offline in a temporary project, then `npx crsim check`
 * there, the library imported from plain Node ESM, a TypeScript consumer
 * type-checked with this project's tsc, and a vitest file that uses
 * `crsim/vitest`. What catches the next packaging slip: a file left out of
 * `files`, an export that points at TypeScript, a runtime read of src/.
 *
 * Offline: `npm ci` leaves the dependencies' tarballs in the npm cache but not
 * their registry metadata, so the project gets a package-lock.json made from
 * this one's (the closure of crsim's dependencies, vitest and
 * @fast-check/vitest), and npm installs from the cache by integrity.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const REGISTRY = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim().replace(/\/?$/, '/');

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
}

/** A subprocess with no trace of the vitest that runs this file (a nested vitest would take its settings). */
function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$)/.test(k)));
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, npm_config_update_notifier: 'false' }, timeout: 120_000 });
}

const ok = (r: SpawnSyncReturns<string>, what: string): string => {
  expect(r.status, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
};

/** The lock path a dependency `name` of the package at `from` resolves to, Node's way: nearest node_modules up. */
function locate(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const p = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (rootLock.packages[p]) return p;
    if (!dir) return undefined;
  }
}

/** A package-lock.json for a project that depends on `deps`, with crsim from `tgz`: entries copied from this project's lock. */
function consumerLock(deps: Record<string, string>, tgz: string): unknown {
  const packages: Record<string, LockEntry> = { '': { name: 'consumer', dependencies: deps } };
  const queue: [string, Record<string, string>][] = [['', Object.fromEntries(Object.entries(deps).filter(([n]) => n !== pkg.name))], ['', pkg.dependencies]];
  while (queue.length) {
    const [from, wanted] = queue.shift()!;
    for (const name of Object.keys(wanted)) {
      const at = locate(from, name);
      if (at === undefined || packages[at]) continue;
      const { dev: _d, devOptional: _o, peer: _p, ...entry } = rootLock.packages[at]!;
      // where the tarball is cached; without it npm would ask the registry for the package's metadata
      const pkgName = at.slice(at.lastIndexOf('node_modules/') + 13);
      entry.resolved ??= `${REGISTRY}${pkgName}/-/${pkgName.split('/').pop()}-${entry.version}.tgz`;
      packages[at] = entry;
      const meta = entry.peerDependenciesMeta ?? {};
      const peers = Object.fromEntries(Object.entries(entry.peerDependencies ?? {}).filter(([n]) => !meta[n]?.optional || locate(at, n)));
      queue.push([at, { ...entry.dependencies, ...entry.optionalDependencies, ...peers }]);
    }
  }
  packages[`node_modules/${pkg.name}`] = {
    version: pkg.version,
    resolved: `file:../${tgz.split('/').pop()}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
    license: 'MIT',
    dependencies: pkg.dependencies,
    bin: { crsim: 'bin/crsim.js' },
    engines: { node: '>=20' },
  };
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

let work: string;
let app: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'crsim-pack-'));
  // npm pack runs prepare, which builds dist/ from the sources as they are now
  ok(run('npm', ['pack', '--silent', '--pack-destination', work], ROOT), 'npm pack');
  const tgz = join(work, `${pkg.name}-${pkg.version}.tgz`);
  expect(existsSync(tgz)).toBe(true);
  app = join(work, 'app');
  mkdirSync(join(app, 'test'), { recursive: true });
  const deps = { [pkg.name]: `file:../${pkg.name}-${pkg.version}.tgz`, vitest: pkg.devDependencies['vitest']!.replace(/^[~^]/, ''), '@fast-check/vitest': pkg.devDependencies['@fast-check/vitest']!.replace(/^[~^]/, '') };
  for (const d of ['vitest', '@fast-check/vitest']) deps[d] = rootLock.packages[`node_modules/${d}`]!.version!;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2)}\n`);
  writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(consumerLock(deps, tgz), null, 2)}\n`);
  ok(run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app), 'npm install --offline');
}, 300_000);

describe('the packed package, installed offline in a new project', () => {
  it('ships the build, not the TypeScript sources, and a prepare script that builds it', () => {
    const installed = join(app, 'node_modules', pkg.name);
    expect(existsSync(join(installed, 'dist/src/index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist/src/index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'dist/src/engine/worker-entry.mjs'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(pkg.scripts['prepare']).toMatch(/scripts\/build\.mjs/);
  });

  it('npx crsim check runs the compiled CLI: the README verdict, exit 1', () => {
    const r = run('npx', ['--no-install', 'crsim', 'check'], app);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^model v18 · scenario default/);
    expect(r.stdout).toMatch(/^schedule: [\d ]+$/m);
    expect(ok(run('npx', ['--no-install', 'crsim', '--version'], app), 'crsim --version').trim()).toBe(pkg.version);
  });

  it('worker threads start from the build too', () => {
    const out = ok(run('npx', ['--no-install', 'crsim', 'check', '-m', 'v20', '-t', '3', '--strategy', 'random', '--runs', '200', '--workers', '2', '--json'], app), 'check --workers 2');
    expect(JSON.parse(out)).toMatchObject({ verdict: 'holds', workers: 2, runs: 200 });
  });

  it('--model FILE.ts loads through tsx, in the main thread and in the workers, against the installed build', () => {
    writeFileSync(join(app, 'my-model.ts'), `import { findVariant, type RestartVariant } from 'crsim';\nconst v: RestartVariant = { ...findVariant('v20')!, name: 'my-v20' };\nexport default v;\n`);
    const out = ok(run('npx', ['--no-install', 'crsim', 'check', '--model', './my-model.ts', '-t', '3', '--strategy', 'random', '--runs', '100', '--workers', '2', '--json'], app), 'check --model my-model.ts');
    expect(JSON.parse(out)).toMatchObject({ model: 'my-v20', verdict: 'holds', workers: 2, runs: 100 });
  });

  it('imports from plain Node ESM: crsim and crsim/vitest', () => {
    writeFileSync(
      join(app, 'use.mjs'),
      `import { check, toMermaid, traceOf, makeReplayFile } from 'crsim';
import { assertSchedule, ViolationError } from 'crsim/vitest';
const r = check('mutant:B2', { tasks: 2, zombies: 1 }, { properties: 'P2' });
const file = await makeReplayFile(r.model, r.properties, r.violation);
const helpers = typeof assertSchedule === 'function' && new ViolationError(r.model, r.violation) instanceof Error;
console.log(JSON.stringify({ verdict: r.verdict, property: r.violation.property, mermaid: toMermaid(traceOf(r.model, r.violation)).startsWith('sequenceDiagram'), source: file.model.source, helpers }));
`,
    );
    const got = JSON.parse(ok(run(process.execPath, ['use.mjs'], app), 'node use.mjs')) as Record<string, unknown>;
    expect(got).toEqual({ verdict: 'violated', property: 'P2', mermaid: true, source: 'models/mutants/b2.ts', helpers: true });
  });

  it('type-checks a TypeScript consumer against the shipped .d.ts', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] }, include: ['consumer.ts'] }),
    );
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { check, type Result, type RestartState, type RestartAction } from 'crsim';
import { runArb } from 'crsim/vitest';
const r = check('v20', { tasks: 2 }, { properties: 'P5' });
const result: Result<RestartState, RestartAction> = r;
const states: number = result.stats.states;
// @ts-expect-error: the verdict is a string union, not a number (the types are there, not any)
const wrong: number = r.verdict;
export { states, wrong, runArb };
`,
    );
    ok(run(process.execPath, [TSC, '-p', 'tsconfig.json'], app), 'tsc');
  });

  it('runs a vitest file that uses crsim/vitest', () => {
    writeFileSync(
      join(app, 'test/pbt.test.ts'),
      `import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { assertSchedule, runArb, scenarioArb, scheduleArb, ViolationError } from 'crsim/vitest';

test.prop([scenarioArb({ maxTasks: 2, faults: [] }), scheduleArb()], { numRuns: 20, seed: 1 })('v18-final: P1, P2 hold', (scenario, schedule) => {
  assertSchedule('v18-final', scenario, schedule, { properties: 'P1,P2' });
});

test('mutant:B2 breaks P2: runArb finds it, assertSchedule throws a ViolationError with the swimlane', () => {
  const details = fc.check(
    fc.property(runArb('mutant:B2', { properties: 'P2', scenarios: { maxTasks: 3, faults: [] } }), ([scenario, schedule]) => {
      assertSchedule('mutant:B2', scenario, schedule, { properties: 'P2' });
    }),
    { seed: 3, numRuns: 2000 },
  );
  expect(details.failed).toBe(true);
  expect(details.errorInstance).toBeInstanceOf(ViolationError);
  expect((details.errorInstance as Error).message).toMatch(/^P2 violated after \\d+ steps/);
});
`,
    );
    const out = ok(run(process.execPath, [join(app, 'node_modules/vitest/vitest.mjs'), 'run', '--root', app, '--testTimeout', '60000'], app), 'vitest run');
    expect(out).toMatch(/Tests\s+.*2 passed/);
  });
});
