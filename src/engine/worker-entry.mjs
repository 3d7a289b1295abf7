// Entry of a crsim worker thread (see workers.ts): a worker does not inherit
// the main thread's loader hooks, so it registers tsx itself before loading
// the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
const { workerMain } = await import('./workers.ts');
await workerMain();
