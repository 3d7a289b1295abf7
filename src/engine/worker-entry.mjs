// Entry of a crsim worker thread (see workers.ts). From the build (dist/), the
// compiled workers.js sits beside this file and loads as it is. From source, a
// worker does not inherit the main thread's loader hooks, so it registers tsx
// itself before loading the TypeScript.
import { existsSync } from 'node:fs';

const built = existsSync(new URL('./workers.js', import.meta.url));
if (!built) (await import('tsx/esm/api')).register();
const { workerMain } = await import(built ? './workers.js' : './workers.ts');
await workerMain();
