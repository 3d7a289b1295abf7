import { Worker } from 'node:worker_threads';
import { lastValueFrom, Observable, filter } from 'rxjs';
import { formatBytes, MemoryGuard } from './budget.ts';
import { checkEnd, checkStep } from './evaluate.ts';
import { ExhaustiveSearch } from './exhaustive.ts';
import { fingerprint } from './fingerprint.ts';
import type { ExploreOptions } from './run.ts';
import type { Recipe } from './workers.ts';
import { bfsDepth, hasCycle, STOP, WANTED, type PartReport } from './shared-explore.ts';
import { SharedTable } from './shared-table.ts';
import { replay } from './replay.ts';
import type { Action, Model, Property, Result, RunEvent, Stats, Violation } from './types.ts';

interface Item {
  readonly state: unknown;
  readonly id: number;
  readonly depth: number;
}

export type ToWorker =
  | { type: 'explore'; buffer: SharedArrayBuffer; control: SharedArrayBuffer; maxStates: number; index: number }
  | { type: 'give'; items: Item[] }
  | { type: 'donate' }
  | { type: 'finish' };

export type ToMain =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'status'; pending: number; report: PartReport }
  | { type: 'idle'; report: PartReport }
  | { type: 'donation'; items: Item[] }
  | { type: 'final'; report: PartReport; edges: Int32Array; edgeCount: number };

type Final = Extract<ToMain, { type: 'final' }>;

/** A pool of worker threads that load the TypeScript sources through tsx. */
class Pool {
  readonly workers: Worker[] = [];
  private handler: ((i: number, m: ToMain) => void) | null = null;
  private failure: ((e: Error) => void) | null = null;
  private closed = false;

  constructor(recipe: Recipe, n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: recipe });
      w.on('message', (m: ToMain) => {
        if (m.type === 'error') this.failure?.(new Error(`worker ${i}: ${m.message}`));
        else this.handler?.(i, m);
      });
      w.on('error', (e) => this.failure?.(e));
      w.on('exit', (code) => {
        if (!this.closed) this.failure?.(new Error(`worker ${i} exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  /** Resolves when `onMessage` calls `done`; rejects if a worker fails. */
  run<T>(onMessage: (i: number, m: ToMain, done: (v: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.failure = reject;
      this.handler = (i, m) => onMessage(i, m, resolve);
    });
  }

  send(i: number, m: ToWorker): void {
    this.workers[i]!.postMessage(m);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** the fewest pending states worth splitting with an idle worker */
const MIN_DONATION = 64;
const emptyStats = (): Stats => ({ states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * An exhaustive search on `workers` worker threads (random walks and PCT have
 * theirs in workers.ts). A breadth-first prefix runs on this thread until a
 * level has 16 states per worker; then the workers expand states depth
 * first, each state claimed once in a shared lock-free fingerprint table, an
 * idle worker taking half of a busy one's pending states (shared-explore.ts).
 * (A level-synchronous search, every level finished before the next, made
 * the workers wait at each level's end: 1.5 to 2 times slower on 2 cores.)
 *
 * What it reports does not depend on timing, except where a budget cut it:
 * - holds: every reachable state is expanded once, by somebody, so the
 *   states and transitions are the one-thread search's; the depth is the
 *   breadth-first depth of the edges the workers kept, which is the one the
 *   one-thread search reports;
 * - violated: a violation met by a worker stops them all; the one-thread
 *   breadth-first search then runs here to that length, and its result is the
 *   answer (the counterexample, proven shortest, and its statistics);
 * - incomplete (`--max-states`, `--max-memory`, the heap, Ctrl-C): the states,
 *   transitions and depth are those of what the workers had explored when
 *   they stopped, which varies from run to run.
 * `--max-memory` bounds the process's resident memory: this thread and every
 * worker, watched here every `progressMs`; each worker watches its own heap.
 * Cycles (a run that never ends) are looked for in the same edges.
 * Partial-order reduction is not parallel: the workers run the plain search.
 */
export class ParallelExhaustive<S, A extends Action> {
  readonly stats = emptyStats();
  private readonly guard: MemoryGuard;
  /** [STOP] and, per worker, [WANTED + i] (shared-explore.ts) */
  private readonly control: Int32Array;
  private stoppedBy: string | null = null;
  private table: SharedTable | null = null;
  private reports: PartReport[] = [];
  private pending: number[] = [];
  private prefixTransitions = 0;
  /** the one-thread search running here (rebuilding a counterexample, or a lasso) */
  private serial: ExhaustiveSearch<S, A> | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly recipe: Recipe,
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: ExploreOptions & { readonly workers: number },
  ) {
    this.guard = new MemoryGuard(options.maxMemory);
    this.control = new Int32Array(new SharedArrayBuffer(4 * (WANTED + options.workers)));
  }

  /** Asks every thread to stop; the result is then `incomplete` with the statistics so far. */
  stop(reason: string): void {
    this.stoppedBy ??= reason;
    Atomics.store(this.control, STOP, 1);
    this.serial?.stop(reason);
  }

  /** Checks the process's memory (every thread's); stops when over budget. */
  poll(): void {
    const memory = this.guard.check();
    if (memory) this.stop(memory);
  }

  /** The statistics so far, for progress events. */
  snapshot(): Stats {
    const s = this.serial ? { ...this.serial.stats } : { ...this.stats };
    if (!this.serial) {
      s.states = this.table?.size ?? s.states;
      s.transitions = this.prefixTransitions + this.reports.reduce((n, r) => n + r.transitions, 0);
      s.maxDepth = this.reports.reduce((d, r) => Math.max(d, r.deepest), s.maxDepth); // depth first: the deepest path so far
    }
    s.elapsedMs = Date.now() - this.started;
    return s;
  }

  get frontier(): number {
    if (this.serial) return this.serial.frontier;
    return this.pending.reduce((n, p) => n + p, 0);
  }

  async run(): Promise<Result<S, A>> {
    const { options } = this;
    const maxStates = options.maxStates ?? 1 << 22;
    const bytes = SharedTable.bytesFor(maxStates);
    if (options.maxMemory !== undefined && bytes > options.maxMemory && this.guard.check() === null) {
      // the table cannot grow while threads fill it, so it is allocated whole (a process already over budget stops at the first check)
      return this.finish({
        verdict: 'incomplete',
        stoppedBy: `--max-memory ${formatBytes(options.maxMemory)} is less than the ${formatBytes(bytes)} the shared state table for ${maxStates.toLocaleString('en-US')} states takes; lower --max-states`,
      });
    }
    this.table = SharedTable.create(maxStates);
    const pool = new Pool(this.recipe, options.workers);
    try {
      let ready = 0;
      await pool.run<void>((_i, m, done) => {
        if (m.type === 'ready' && ++ready === options.workers) done();
      });
      return await this.explore(pool, this.table);
    } finally {
      await pool.close();
    }
  }

  private async explore(pool: Pool, table: SharedTable): Promise<Result<S, A>> {
    const { model, properties, options, stats } = this;
    const W = options.workers;
    const prefixEdges: number[] = [];

    // a breadth-first prefix, until a level has enough to share
    const init = model.init();
    const [h0, l0] = fingerprint(init);
    const root = table.add(h0, l0)!;
    let level: Item[] = [{ state: init, id: root, depth: 0 }];
    let depth = 0;
    while (level.length > 0 && level.length < 16 * W && !this.stoppedBy) {
      const next: Item[] = [];
      for (const { state, id } of level) {
        const s = state as S;
        const enabled = model.actions(s);
        let i = 0;
        if (enabled.length === 0) {
          if (checkEnd(properties, s)) return this.rebuild(table, depth, [id, -1]);
          continue;
        }
        for (const a of enabled) {
          const n = model.next(s, a);
          this.prefixTransitions++;
          if (checkStep(properties, s, a, n)) return this.rebuild(table, depth + 1, [id, i]);
          i++;
          const [hi, lo] = fingerprint(n);
          const added = table.add(hi, lo, id)!;
          if (added >= 0) next.push({ state: n, id: added, depth: depth + 1 });
          prefixEdges.push(id, added >= 0 ? added : -added - 1);
        }
      }
      if (next.length === 0) break;
      level = next;
      depth++;
      if (options.maxStates !== undefined && table.size >= options.maxStates) this.stop(`--max-states ${options.maxStates} reached`);
    }
    stats.maxDepth = depth;
    let finals: Final[] = [];
    if (level.length >= 16 * W && !this.stoppedBy) {
      // the workers take it from there
      const maxStatesForWorkers = options.maxStates ?? Infinity;
      for (let i = 0; i < W; i++) {
        pool.send(i, { type: 'explore', buffer: table.buffer, control: this.control.buffer as SharedArrayBuffer, maxStates: maxStatesForWorkers, index: i });
        pool.send(i, { type: 'give', items: level.filter((_it, k) => k % W === i) });
      }
      this.pending = new Array<number>(W).fill(0);
      level.forEach((_it, k) => this.pending[k % W]!++);
      level = [];
      this.reports = new Array<PartReport>(W).fill({ transitions: 0, deepest: depth, violationLength: -1, violationAt: [-1, -1], stoppedBy: null });
      await this.spread(pool, W);
      finals = await collectFinals(pool, W);
      this.reports = finals.map((f) => f.report);
    }
    stats.transitions = this.prefixTransitions + this.reports.reduce((n, r) => n + r.transitions, 0);
    stats.states = table.size;
    stats.tableBytes = table.bytes;
    let met: PartReport | null = null;
    for (const r of this.reports) if (r.violationLength >= 0 && (!met || r.violationLength < met.violationLength)) met = r;
    if (met) return this.rebuild(table, met.violationLength, met.violationAt);
    const edgeLists = [{ edges: Int32Array.from(prefixEdges), count: prefixEdges.length / 2 }, ...finals.map((f) => ({ edges: f.edges, count: f.edgeCount }))];
    stats.maxDepth = Math.max(depth, bfsDepth(edgeLists, root));
    this.stoppedBy ??= this.reports.find((r) => r.stoppedBy)?.stoppedBy ?? null;
    if (this.stoppedBy) return this.finish({ verdict: 'incomplete', stoppedBy: this.stoppedBy });
    if (properties.some((p) => p.coversNonTermination) && hasCycle(edgeLists)) {
      // a run that never ends: the one-thread search shows it as a lasso
      const r = await this.serially(new ExhaustiveSearch(model, properties, options));
      Object.assign(this.stats, r.stats);
      return this.finish(r);
    }
    return this.finish({ verdict: 'holds' });
  }

  /** The workers expand until every one is idle: nothing left, a violation met, or a stop. */
  private spread(pool: Pool, W: number): Promise<void> {
    const idle = new Array<boolean>(W).fill(false);
    let donor = -1;
    return pool.run<void>((i, m, done) => {
      if (m.type === 'status') {
        this.pending[i] = m.pending;
        this.reports[i] = m.report;
      }
      if (m.type === 'donation') {
        donor = -1;
        const taker = idle.findIndex((x, k) => x && k !== i);
        if (m.items.length && taker >= 0) {
          idle[taker] = false;
          this.pending[taker] = m.items.length;
          this.pending[i] = Math.max(0, this.pending[i]! - m.items.length);
          pool.send(taker, { type: 'give', items: m.items });
        }
      }
      if (m.type === 'idle') {
        idle[i] = true;
        this.pending[i] = 0;
        this.reports[i] = m.report;
      }
      if (donor < 0 && idle.every(Boolean)) {
        done();
        return;
      }
      // an idle worker takes half of the busiest one's pending states, if there are enough to pay for
      // their copy (a state costs about twice as much to post to another thread as to expand, on v20 at 4 tasks)
      if (donor < 0 && idle.some(Boolean) && Atomics.load(this.control, STOP) === 0) {
        let busiest = -1;
        for (let k = 0; k < W; k++) if (!idle[k] && this.pending[k]! >= MIN_DONATION && (busiest < 0 || this.pending[k]! > this.pending[busiest]!)) busiest = k;
        if (busiest >= 0) {
          donor = busiest;
          pool.send(busiest, { type: 'donate' });
          Atomics.store(this.control, WANTED + busiest, 1);
        }
      }
    });
  }

  /**
   * A violation of `length` steps was met at `at` (a slot, and the index of
   * the action that breaks a property there, or -1 for an end state). The
   * one-thread breadth-first search to that length finds the first shortest
   * one, as one thread would report it (with the same budgets, and its
   * statistics). If a budget or Ctrl-C stops that search first, the
   * violation is shown as met, along the path that first reached its state:
   * a real counterexample, not proven shortest (exit 1, as a reduced search
   * stopped during its proof).
   */
  private async rebuild(table: SharedTable, length: number, at: readonly [number, number]): Promise<Result<S, A>> {
    const met = (): Violation<S, A> => {
      const choices = this.choicesTo(table, at[0]);
      if (at[1] >= 0) choices.push(at[1]);
      const run = replay(this.model, this.properties, choices);
      if (!run.failure) throw new Error('internal: a violation met by a worker did not replay');
      return { ...run.failure, steps: run.steps, choices: run.choices, shortest: false };
    };
    if (this.stoppedBy) return this.finish({ verdict: 'violated', violation: { ...met(), shortestNote: `met by a worker at depth ${length}; not proven shortest: ${this.stoppedBy}` } });
    const { maxStates, maxMemory } = this.options;
    const bfs = new ExhaustiveSearch(this.model, this.properties, {
      depthLimit: length,
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxMemory !== undefined ? { maxMemory } : {}),
    });
    const r = await this.serially(bfs);
    if (r.verdict === 'violated' && r.violation!.steps.length <= length) {
      Object.assign(this.stats, r.stats);
      return this.finish(r);
    }
    if (r.verdict !== 'incomplete' || r.stoppedBy?.startsWith('depth limit')) throw new Error('internal: a violation met by a worker was not found again by breadth-first search');
    const note = `met by a worker at depth ${length}; not proven shortest: ${r.stoppedBy} before breadth-first search reached it`;
    return this.finish({ verdict: 'violated', violation: { ...met(), shortestNote: note } });
  }

  /** The choices (action indices) along the first-reached path to a slot. */
  private choicesTo(table: SharedTable, slot: number): number[] {
    const path = table.pathTo(slot);
    const choices: number[] = [];
    let state = this.model.init();
    for (let k = 1; k < path.length; k++) {
      const enabled = this.model.actions(state);
      const i = enabled.findIndex((a) => {
        const [hi, lo] = fingerprint(this.model.next(state, a));
        return table.get(hi, lo) === path[k];
      });
      if (i < 0) throw new Error('internal: a shared-table path does not follow the model');
      choices.push(i);
      state = this.model.next(state, enabled[i]!);
    }
    return choices;
  }

  /** Runs a one-thread search here in slices (progress and Ctrl-C go on). */
  private async serially(search: ExhaustiveSearch<S, A>): Promise<Result<S, A>> {
    this.serial = search;
    let r: Result<S, A> | null;
    while (!(r = search.work(50))) await tick();
    this.serial = null;
    return r;
  }

  private finish(r: Pick<Result<S, A>, 'verdict'> & Partial<Result<S, A>>): Result<S, A> {
    this.guard.check();
    this.stats.elapsedMs = Date.now() - this.started;
    this.stats.peakBytes = this.guard.peak;
    return { ...r, explored: 'exhaustive', stats: this.stats, properties: this.properties.map((p) => p.id), workers: this.options.workers };
  }
}

function collectFinals(pool: Pool, W: number): Promise<Final[]> {
  const finals: Final[] = [];
  const p = pool.run<Final[]>((i, m, done) => {
    if (m.type === 'final') {
      finals[i] = m;
      if (finals.filter(Boolean).length === W) done(finals);
    }
  });
  for (let i = 0; i < W; i++) pool.send(i, { type: 'finish' });
  return p;
}

/**
 * Runs {@link ParallelExhaustive} and streams what happens, as explore$ does:
 * progress events every `progressMs` (the process's memory is checked at the
 * same pace), the violation, then `done`. `stopSignal` (Ctrl-C) reaches every
 * worker at once; the result is then `incomplete` with the statistics so far.
 *
 * @example
 * exploreExhaustiveParallel$(recipe, model, properties, { workers: 2 }, ctrlC$)
 *   .pipe(filter((e) => e.type === 'done'))
 *   .subscribe((e) => console.log(e.result.verdict));
 */
export function exploreExhaustiveParallel$<S, A extends Action>(
  recipe: Recipe,
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions & { readonly workers: number },
  stopSignal?: Observable<string>,
): Observable<RunEvent<S, A>> {
  return new Observable<RunEvent<S, A>>((subscriber) => {
    const job = new ParallelExhaustive(recipe, model, properties, options);
    const stopSub = stopSignal?.subscribe((reason) => job.stop(reason));
    const timer = setInterval(() => {
      job.poll();
      subscriber.next({ type: 'progress', stats: job.snapshot(), frontier: job.frontier });
    }, options.progressMs ?? 100);
    let over = false;
    const end = (): void => {
      over = true;
      clearInterval(timer);
      stopSub?.unsubscribe();
    };
    job.run().then(
      (result) => {
        end();
        if (result.violation) subscriber.next({ type: 'violation', violation: result.violation });
        subscriber.next({ type: 'done', result });
        subscriber.complete();
      },
      (e: unknown) => {
        end();
        subscriber.error(e);
      },
    );
    return () => {
      if (over) return;
      end();
      job.stop('unsubscribed');
    };
  });
}

/** {@link exploreExhaustiveParallel$}'s result. */
export async function exploreExhaustiveParallel<S, A extends Action>(
  recipe: Recipe,
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: ExploreOptions & { readonly workers: number },
  stopSignal?: Observable<string>,
): Promise<Result<S, A>> {
  const done = await lastValueFrom(exploreExhaustiveParallel$(recipe, model, properties, options, stopSignal).pipe(filter((e) => e.type === 'done')));
  return done.result;
}
