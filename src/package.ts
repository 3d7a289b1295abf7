/**
 * Where the package is installed, and its version. The code runs from src/
 * (tsx, vitest) or from dist/src/ (the build), so the root is found by walking
 * up to crsim's package.json rather than by a fixed number of `../`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

/** The directory of crsim's package.json (with a trailing separator). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'crsim') return (root = join(dir, '/'));
    const up = dirname(dir);
    if (up === dir) throw new Error(`internal: no package.json of crsim above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** This build's version (package.json). */
export function crsimVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
