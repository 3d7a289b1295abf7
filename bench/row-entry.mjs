// A benchmark worker thread (bench/run.ts): measures the rows it is sent, one
// at a time. It loads the TypeScript sources through tsx itself: a worker does
// not inherit the main thread's loader hooks.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { measureRow } = await import('./rows.ts');
parentPort.on('message', (spec) => parentPort.postMessage(measureRow(spec)));
parentPort.postMessage({ ready: true });
