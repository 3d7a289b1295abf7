// `npm run build` (and prepare, which npm ci and npm pack run): the compiled
// ESM JavaScript and .d.ts of src/, models/ and properties/ in dist/, plus the
// worker entries (.mjs, which tsc does not emit). dist/.built records when the
// sources were read: bin/crsim.js runs the sources instead while any of them
// is newer. The build goes to a scratch directory that then replaces dist/,
// so a crsim started meanwhile never imports a half-written or half-deleted
// dist/ (without dist/.built it runs the sources).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const next = join(root, `.dist-${process.pid}`);
const old = join(root, `.dist-old-${process.pid}`);
const started = Date.now(); // before tsc reads a source: an edit made during the build counts as newer

rmSync(next, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
for (const f of readdirSync(join(root, 'src/engine'))) {
  if (f.endsWith('.mjs')) copyFileSync(join(root, 'src/engine', f), join(next, 'src/engine', f));
}
writeFileSync(join(next, '.built'), `${started}\n`);
try {
  renameSync(dist, old);
} catch (e) {
  if (e.code !== 'ENOENT') throw e; // the first build
}
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
