// A worker thread of the parallel exhaustive search: from the build (dist/),
// the compiled worker.js beside this file; from source, the TypeScript through
// tsx, as bin/crsim.js does for the main thread.
import { existsSync } from 'node:fs';

const built = existsSync(new URL('./worker.js', import.meta.url));
if (!built) (await import('tsx/esm/api')).register();
await import(built ? './worker.js' : './worker.ts');
