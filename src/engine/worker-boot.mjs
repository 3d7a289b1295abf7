// A worker thread runs the TypeScript sources through tsx, as bin/crsim.js does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
