/**
 * A worker thread of a parallel exhaustive search (src/engine/parallel.ts). It
 * builds the model and the properties itself, from the recipe the main thread
 * gives (the one random walks' workers use), then expands the states it is
 * given over the shared fingerprint table.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedExplorer } from './shared-explore.ts';
import { SharedTable } from './shared-table.ts';
import type { Action, Model, Property } from './types.ts';
import type { ToMain, ToWorker } from './parallel.ts';
import type { Recipe, Target } from './workers.ts';

const port = parentPort!;
const send = (m: ToMain, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

const recipe = workerData as Recipe;
let model: Model<unknown, Action>;
let properties: readonly Property<unknown, Action>[];
try {
  const mod = (await import(recipe.module)) as Record<string, unknown>;
  const make = mod[recipe.exportName] as (arg: unknown) => Promise<Target<unknown, Action>> | Target<unknown, Action>;
  ({ model, properties } = await make(recipe.arg));
} catch (e) {
  send({ type: 'error', message: (e as Error).stack ?? String(e) });
  throw e;
}

let explorer: SharedExplorer<unknown, Action> | null = null;
let running = false;

/** Expands in slices of 10 ms; a request to donate is answered between them (and ends a slice early: shared-explore.ts). */
function loop(): void {
  const e = explorer!;
  const done = e.work(10);
  if (done) {
    running = false;
    send({ type: 'idle', report: e.report() });
    return;
  }
  send({ type: 'status', pending: e.pending, report: e.report() });
  setImmediate(loop);
}

function start(): void {
  if (running) return;
  running = true;
  setImmediate(loop);
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'explore':
      explorer = new SharedExplorer(model, properties, new SharedTable(m.buffer), new Int32Array(m.control), m.maxStates, m.index);
      return;
    case 'give':
      explorer!.give(m.items);
      start();
      return;
    case 'donate':
      send({ type: 'donation', items: explorer && running ? explorer.donate() : [] });
      return;
    case 'finish': {
      const e = explorer!;
      const edges = e.edges.slice(0, e.edgeCount * 2);
      send({ type: 'final', report: e.report(), edges, edgeCount: e.edgeCount }, [edges.buffer]);
      return;
    }
  }
});

send({ type: 'ready' });
