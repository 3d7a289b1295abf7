// Entry of a timed-simulation worker thread (see smc.ts): a worker does not
// inherit the main thread's loader hooks, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
const { timedWorkerMain } = await import('./smc.ts');
await timedWorkerMain();
