/**
 * Every file crsim writes goes through here: written to a temporary file in
 * the same directory, then renamed over the target, so an interrupted write
 * never leaves half a file, and a file read as input is never clobbered.
 */
import { closeSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

const tempName = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);

const reason = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

/** Writes `text` to `path` atomically; a failure is a UsageError naming the option and the path. */
export function writeFileAtomic(path: string, text: string, option = '--out'): void {
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never made
    }
    throw new UsageError(`${option}: cannot write '${path}': ${reason(e)}`);
  }
}

/**
 * Checks, before a long search, that `path` can be written: its directory
 * exists and takes a new file, and it is not a directory. Throws a UsageError.
 */
export function assertWritable(path: string, option = '--out'): void {
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${option}: '${path}' is a directory (expected a file to write)`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  const tmp = tempName(path);
  try {
    closeSync(openSync(tmp, 'wx'));
    unlinkSync(tmp);
  } catch (e) {
    throw new UsageError(`${option}: cannot write '${path}': ${reason(e)} (checked before searching)`);
  }
}

/** The file a path names, through symbolic links (the path itself when it does not exist yet). */
function identity(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Refuses an output that is one of the inputs (it would be overwritten before, or instead of, being read). */
export function assertNotInput(out: string, inputs: readonly string[], option = '--out'): void {
  const o = identity(out);
  const same = inputs.find((i) => identity(i) === o);
  if (same !== undefined) throw new UsageError(`${option}: '${out}' is also an input ('${same}'); expected another file, so the input is not overwritten`);
}
