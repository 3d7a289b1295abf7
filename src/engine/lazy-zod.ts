/**
 * zod, loaded on first use. Importing it costs about 30 ms (95 modules), and
 * `crsim check -t 4 -z 2` validates no file: scenarios, shard and replay files
 * build their schemas through {@link lazySchema}, so zod loads only when one is
 * parsed. Synchronous (the parsers are), hence `require` of zod's CommonJS build.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let loaded: typeof Zod | undefined;

/** zod's namespace (`z`), loaded the first time it is asked for. */
export function zod(): typeof Zod.z {
  loaded ??= createRequire(import.meta.url)('zod') as typeof Zod;
  return loaded.z;
}

/** A schema built on first use: `make` receives zod's `z`. */
export function lazySchema<T>(make: (z: typeof Zod.z) => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= make(zod()));
}
