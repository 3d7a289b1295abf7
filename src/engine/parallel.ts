import { Worker } from 'node:worker_threads';
import { checkEnd, checkStep } from './evaluate.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import { fingerprint } from './fingerprint.ts';
import type { ExploreOptions } from './run.ts';
import type { Recipe } from './workers.ts';
import { hasCycle, type PartReport } from './shared-explore.ts';
import { SharedTable } from './shared-table.ts';
import type { Action, Model, Property, Result, Stats } from './types.ts';


interface Item {
  readonly state: unknown;
  readonly id: number;
  readonly depth: number;
}

export type ToWorker =
  | { type: 'explore'; buffer: SharedArrayBuffer; trackEdges: boolean; maxStates: number }
  | { type: 'give'; items: Item[] }
  | { type: 'donate' }
  | { type: 'finish' };

export type ToMain =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'status'; pending: number }
  | { type: 'idle'; pending: number; report: PartReport }
  | { type: 'donation'; items: Item[] }
  | { type: 'final'; report: PartReport; edges: Int32Array; edgeCount: number };

/** A pool of worker threads that load the TypeScript sources through tsx. */
class Pool {
  readonly workers: Worker[] = [];
  private readonly handlers: ((i: number, m: ToMain) => void)[] = [];
  private failure: ((e: Error) => void) | null = null;

  constructor(recipe: Recipe, n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: recipe });
      w.on('message', (m: ToMain) => {
        if (m.type === 'error') this.failure?.(new Error(`worker ${i}: ${m.message}`));
        else this.handlers.at(-1)?.(i, m);
      });
      w.on('error', (e) => this.failure?.(e));
      this.workers.push(w);
    }
  }

  /** Resolves when `onMessage` calls `done`; rejects if a worker fails. */
  run<T>(onMessage: (i: number, m: ToMain, done: (v: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.failure = reject;
      this.handlers.push((i, m) => onMessage(i, m, resolve));
    });
  }

  send(i: number, m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.workers[i]!.postMessage(m, transfer);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const emptyStats = (): Stats => ({ states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 });

/**
 * An exhaustive search on `workers` worker threads (random walks and PCT have
 * theirs in workers.ts). A breadth-first prefix runs on this thread until
 * there are 16 states per worker; then the workers expand states depth first,
 * each state claimed once in a shared lock-free fingerprint table, and an idle
 * worker takes half of a busy one's pending states. The verdict is the one
 * thread's: every reachable state is expanded once, by somebody. A violation
 * met stops them all; the counterexample is then the one the plain
 * breadth-first search gives (a shortest one), computed here to that length.
 * Cycles (a run that never ends) are looked for in the edges the workers kept.
 * Partial-order reduction is not parallel: the workers run the plain search.
 */
export async function exploreExhaustiveParallel<S, A extends Action>(
  recipe: Recipe,
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions & { readonly workers: number },
): Promise<Result<S, A>> {
  const pool = new Pool(recipe, options.workers);
  try {
    let ready = 0;
    await pool.run<void>((_i, m, done) => {
      if (m.type === 'ready' && ++ready === options.workers) done();
    });
    return await exhaustive(pool, model, properties, options);
  } finally {
    await pool.close();
  }
}

async function exhaustive<S, A extends Action>(
  pool: Pool,
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions & { readonly workers: number },
): Promise<Result<S, A>> {
  const started = Date.now();
  const W = options.workers;
  // the table cannot grow while threads fill it: room for --max-states, by default 4M states (64 MB)
  const maxStates = options.maxStates ?? 1 << 22;
  const table = SharedTable.create(maxStates);
  const trackEdges = properties.some((p) => p.coversNonTermination);
  const stats = emptyStats();
  const prefixEdges: number[] = [];
  const base = { explored: 'exhaustive' as const, stats, properties: properties.map((p) => p.id), workers: W };
  const certify = (length: number): Result<S, A> => {
    // the counterexample the plain breadth-first search gives, to that length
    const bfs = new ExhaustiveSearch(model, properties, { depthLimit: length, ...(options.certifyStates ? { maxStates: options.certifyStates } : {}) });
    let r;
    do r = bfs.work(Infinity);
    while (!r);
    stats.states = table.size;
    stats.elapsedMs = Date.now() - started;
    if (r.verdict !== 'violated') throw new Error('internal: a violation met by a worker was not found again by breadth-first search');
    return { ...base, verdict: 'violated', violation: r.violation! };
  };

  // a breadth-first prefix, until there is enough to share
  const init = model.init();
  const [h0, l0] = fingerprint(init);
  let level: Item[] = [{ state: init, id: table.add(h0, l0)!, depth: 0 }];
  while (level.length > 0 && level.length < 16 * W) {
    const next: Item[] = [];
    for (const { state, id, depth } of level) {
      const s = state as S;
      const enabled = model.actions(s);
      if (enabled.length === 0) {
        if (checkEnd(properties, s)) return certify(depth);
        continue;
      }
      for (const a of enabled) {
        const n = model.next(s, a);
        stats.transitions++;
        if (checkStep(properties, s, a, n)) return certify(depth + 1);
        const [hi, lo] = fingerprint(n);
        const added = table.add(hi, lo)!;
        if (added >= 0) next.push({ state: n, id: added, depth: depth + 1 });
        if (trackEdges) prefixEdges.push(id, added >= 0 ? added : -added - 1);
      }
    }
    level = next;
    stats.maxDepth = level[0]?.depth ?? stats.maxDepth;
  }

  // the workers take it from there
  for (let i = 0; i < W; i++) pool.send(i, { type: 'explore', buffer: table.buffer, trackEdges, maxStates });
  const pending = new Array<number>(W).fill(0);
  const idle = new Array<boolean>(W).fill(true);
  level.forEach((it, k) => pending[k % W]!++);
  for (let i = 0; i < W; i++) {
    const items = level.filter((_it, k) => k % W === i);
    if (items.length) {
      idle[i] = false;
      pool.send(i, { type: 'give', items });
    }
  }
  let donor = -1;
  let violationLength = -1;
  let stoppedBy: string | null = null;
  if (idle.every(Boolean)) {
    // nothing was left to share: the prefix was everything
  } else {
    await pool.run<void>((i, m, done) => {
      if (m.type === 'status') pending[i] = m.pending;
      if (m.type === 'donation') {
        donor = -1;
        const taker = idle.findIndex((x, k) => x && k !== i);
        if (m.items.length && taker >= 0) {
          idle[taker] = false;
          pending[taker] = m.items.length;
          pool.send(taker, { type: 'give', items: m.items });
        }
      }
      if (m.type === 'idle') {
        idle[i] = true;
        pending[i] = 0;
        if (m.report.violationLength >= 0 && (violationLength < 0 || m.report.violationLength < violationLength)) {
          violationLength = m.report.violationLength;
        }
        stoppedBy ??= m.report.stoppedBy;
      }
      if (violationLength >= 0 || stoppedBy) {
        done();
        return;
      }
      // an idle worker takes half of the busiest one's pending states
      if (donor < 0 && idle.some(Boolean)) {
        let busiest = -1;
        for (let k = 0; k < W; k++) if (!idle[k] && pending[k]! > 1 && (busiest < 0 || pending[k]! > pending[busiest]!)) busiest = k;
        if (busiest >= 0) {
          donor = busiest;
          pool.send(busiest, { type: 'donate' });
        }
      }
      if (donor < 0 && idle.every(Boolean)) done();
    });
  }
  const finals = await collectFinals(pool, W);
  for (const f of finals) {
    stats.transitions += f.report.transitions;
    stats.maxDepth = Math.max(stats.maxDepth, f.report.maxDepth);
  }
  stats.states = table.size;
  stats.tableBytes = table.bytes;
  if (violationLength >= 0) return certify(violationLength);
  stats.elapsedMs = Date.now() - started;
  if (stoppedBy) return { ...base, verdict: 'incomplete', stoppedBy };
  if (trackEdges && hasCycle([{ edges: Int32Array.from(prefixEdges), count: prefixEdges.length / 2 }, ...finals.map((f) => ({ edges: f.edges, count: f.edgeCount }))])) {
    // a run that never ends: the single-threaded search shows it as a lasso
    const one = new ExhaustiveSearch(model, properties, options);
    let r;
    do r = one.work(Infinity);
    while (!r);
    return { ...r, workers: W };
  }
  return { ...base, verdict: 'holds' };
}

function collectFinals(pool: Pool, W: number): Promise<Extract<ToMain, { type: 'final' }>[]> {
  const finals: Extract<ToMain, { type: 'final' }>[] = [];
  const p = pool.run<Extract<ToMain, { type: 'final' }>[]>((_i, m, done) => {
    if (m.type === 'final') {
      finals.push(m);
      if (finals.length === W) done(finals);
    }
  });
  for (let i = 0; i < W; i++) pool.send(i, { type: 'finish' });
  return p;
}
