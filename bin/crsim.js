#!/usr/bin/env node
// The crsim command. It runs the compiled JavaScript in dist/ (built by
// `npm ci` and `npm pack`: the prepare and prepack scripts). In a checkout
// (src/ beside bin/) it runs the TypeScript sources through tsx instead when
// dist/ is missing or older than a source, so an edit needs no build step; and
// when --model names a .ts file, whose relative imports (../src/kernel/…) must
// share the one copy of the kernel the checker uses.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);

// `crsim … | head` closes the pipe early: that is not an error of crsim's
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

/** The newest modification time of a .ts/.mjs source under dir (tests excluded), or 0. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** --model / -m values that name a TypeScript file (matrix takes a comma-separated list). */
function namesTsModel() {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = a === '--model' || a === '-m' ? argv[i + 1] : a.startsWith('--model=') ? a.slice(8) : undefined;
    if (v?.split(',').some((p) => /\.[mc]?ts$/.test(p.trim()))) return true;
  }
  return false;
}

function fromSource() {
  // CRSIM_FROM=dist|source overrides the choice (bench/startup.ts times each)
  if (process.env.CRSIM_FROM === 'dist' || process.env.CRSIM_FROM === 'source') return process.env.CRSIM_FROM === 'source';
  if (!existsSync(join(root, 'src/cli/main.ts'))) return false; // an installed package: dist/ only
  if (namesTsModel()) return true;
  let built = 0;
  try {
    built = Number(readFileSync(join(root, 'dist/.built'), 'utf8'));
  } catch {
    return true; // never built, or a build in progress
  }
  return ['src', 'models', 'properties'].some((d) => newest(join(root, d)) > built);
}

// an error before main() runs (a broken build, a missing dependency) is an internal error: exit 5, as main's own
try {
  let main;
  if (fromSource()) {
    (await import('tsx/esm/api')).register();
    ({ main } = await import('../src/cli/main.ts'));
  } else {
    ({ main } = await import('../dist/src/cli/main.js'));
  }
  process.exitCode = await main(argv);
} catch (e) {
  process.stderr.write(`crsim: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (argv.includes('--debug') && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 5;
}
