/**
 * The shard files `crsim merge` reads: each argument is a file, a directory
 * (every `*.json` in it) or a pattern with `*`, `?` or `[…]` in its last
 * component (`out/shard-*.json`; quote it, so that the shell hands it to crsim
 * even on an engine whose shell does not expand it). Node 20 has no fs.glob,
 * and a pattern in the file name is all a job array's output needs.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.ts';

const WILD = /[*?[]/;

/** `*` any run of characters but `/`, `?` one, `[abc]`/`[a-z]`/`[!a]` a class: as a RegExp. */
function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

function list(dir: string, arg: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    throw new UsageError(`${arg}: cannot read the directory '${dir}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The files the arguments name, in order (files in a directory or a pattern sorted by name, numbers by value). */
export function expandShardFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let dir: boolean | undefined; // undefined: nothing of that name (a pattern, or a file reading will say is missing)
    try {
      dir = statSync(arg).isDirectory();
    } catch {
      dir = undefined;
    }
    if (dir === undefined && WILD.test(arg)) {
      const parent = dirname(arg);
      if (WILD.test(parent)) throw new UsageError(`${arg}: expected wildcards in the file name only, e.g. 'out/shard-*.json'`);
      const re = patternRegExp(basename(arg));
      const hits = list(parent, arg).filter((n) => re.test(n)).sort(byName);
      if (hits.length === 0) throw new UsageError(`${arg}: no file matches the pattern in '${parent}'`);
      files.push(...hits.map((n) => join(parent, n)));
    } else if (dir) {
      const hits = list(arg, arg).filter((n) => n.endsWith('.json')).sort(byName);
      if (hits.length === 0) throw new UsageError(`${arg}: expected shard files (*.json) in the directory, found none`);
      files.push(...hits.map((n) => join(arg, n)));
    } else files.push(arg);
  }
  return files;
}
