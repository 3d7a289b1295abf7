// `npm run build` (and prepare, prepack): the compiled ESM JavaScript and .d.ts
// of src/, models/ and properties/ in dist/, plus the worker entries (.mjs,
// which tsc does not emit). dist/.built records when the sources were read:
// bin/crsim.js runs the sources instead while any of them is newer.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now(); // before tsc reads a source: an edit made during the build counts as newer

rmSync(dist, { recursive: true, force: true }); // no output of a deleted source lingers
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
for (const f of readdirSync(join(root, 'src/engine'))) {
  if (f.endsWith('.mjs')) copyFileSync(join(root, 'src/engine', f), join(dist, 'src/engine', f));
}
writeFileSync(join(dist, '.built'), `${started}\n`);
