/**
 * Random walks and PCT on worker threads (`--workers N`), and the walk
 * searches over a run plan (a shard) on one thread.
 *
 * The runs of a plan are handed out in chunks of consecutive plan positions;
 * a worker runs its chunk in order and stops at its first violation. A chunk
 * is handed out only while it starts below the lowest failing position found
 * so far, and every chunk handed out runs to its end or to its own first
 * violation. So when the workers are done, every position below the lowest
 * failing one has run without a violation: the verdict, the counterexample
 * (of the lowest failing run) and the counts (runs, steps up to that run) are
 * those of the same plan run on one thread, whatever the number of workers
 * and however the chunks fell.
 *
 * Workers load the TypeScript sources through tsx (worker-entry.mjs) and build
 * their model from a {@link Recipe}: a module and an export that make the model
 * and the properties from a JSON argument. The engine knows nothing of kernels.
 */
import { availableParallelism } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { replay } from './replay.ts';
import { planOf, runAt, walkerFor, type RunPlan, type ShardJob, type WalkOptions } from './shard.ts';
import type { Action, Model, Property, Result, RunEvent, Stats, Violation } from './types.ts';

/**
 * The most worker threads a search takes: 4 per core. More only share the
 * same cores, each with its own model, heap and queue (32 threads took 1.8 GB
 * for 100 runs on 2 cores), so asking for them is a mistake to refuse.
 */
export function workerLimit(): { readonly max: number; readonly cores: number } {
  const cores = availableParallelism();
  return { max: 4 * cores, cores };
}

/** How a worker makes the model: `(await import(module))[exportName](arg)` → { model, properties }. */
export interface Recipe {
  /** a file: URL or absolute path of an ES module (TypeScript allowed) */
  readonly module: string;
  readonly exportName: string;
  /** structured-cloneable */
  readonly arg: unknown;
}

export interface Target<S, A extends Action> {
  readonly model: Model<S, A>;
  readonly properties: readonly Property<S, A>[];
}

// ---- protocol between the coordinator and its workers ----

interface Init {
  readonly crsimWorker: 1;
  readonly recipe: Recipe;
  readonly options: WalkOptions;
  readonly plan: RunPlan;
}

interface FoundFailure {
  readonly j: number;
  readonly property: string;
  readonly title: string;
  readonly message: string;
  readonly choices: readonly number[];
  readonly cycleStart?: number;
}

type ToWorker = { readonly type: 'chunk'; readonly from: number; readonly to: number } | { readonly type: 'exit' };

type FromWorker =
  | { readonly type: 'ready'; readonly pct?: ShardJob['pct'] }
  | {
      readonly type: 'chunk';
      readonly from: number;
      /** one past the last position run (the failing one included) */
      readonly to: number;
      readonly transitions: number;
      readonly longest: number;
      readonly ms: number;
      readonly failure?: FoundFailure;
    }
  | { readonly type: 'error'; readonly message: string };

/** The worker side: build the target, then run the chunks it is given. */
export async function workerMain(): Promise<void> {
  const port = parentPort;
  const init = workerData as Init | undefined;
  if (!port || init?.crsimWorker !== 1) throw new Error('internal: workerMain runs only in a crsim worker thread');
  const send = (m: FromWorker): void => port.postMessage(m);
  try {
    const mod = (await import(init.recipe.module)) as Record<string, unknown>;
    const make = mod[init.recipe.exportName] as (arg: unknown) => Target<unknown, Action> | Promise<Target<unknown, Action>>;
    if (typeof make !== 'function') throw new Error(`${init.recipe.module} exports no function ${init.recipe.exportName}`);
    const { model, properties } = await make(init.recipe.arg);
    const { walker, pct } = walkerFor(model, properties, init.options);
    port.on('message', (m: ToWorker) => {
      if (m.type === 'exit') {
        port.close();
        return;
      }
      try {
        const t0 = performance.now();
        const before = walker.stats.transitions;
        walker.stats.maxDepth = 0;
        let failure: FoundFailure | undefined;
        let j = m.from;
        while (j < m.to) {
          const v = walker.one(runAt(init.plan, j));
          j++;
          if (v) {
            failure = {
              j: j - 1,
              property: v.property,
              title: v.title,
              message: v.message,
              choices: v.choices,
              ...(v.cycleStart !== undefined ? { cycleStart: v.cycleStart } : {}),
            };
            break;
          }
        }
        send({
          type: 'chunk',
          from: m.from,
          to: j,
          transitions: walker.stats.transitions - before,
          longest: walker.stats.maxDepth,
          ms: performance.now() - t0,
          ...(failure ? { failure } : {}),
        });
      } catch (e) {
        send({ type: 'error', message: (e as Error).stack ?? String(e) });
      }
    });
    send({ type: 'ready', ...(pct ? { pct } : {}) });
  } catch (e) {
    send({ type: 'error', message: (e as Error).stack ?? String(e) });
  }
}

export interface ParallelOptions extends WalkOptions {
  readonly workers: number;
  /** how often a progress event is emitted, in milliseconds */
  readonly progressMs?: number;
  /** called once every worker has built its model, with the milliseconds that took (thread start-up) */
  readonly onReady?: (ms: number) => void;
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
/** how long a stop waits for the chunks still running */
const STOP_GRACE_MS = 500;

/**
 * Runs the options' plan on `workers` threads and streams progress events,
 * the violation, then `done`, as {@link explore$} does. `model` and
 * `properties` (the same the recipe makes) rebuild the counterexample's steps
 * on this thread. Unsubscribing terminates the workers; `stopSignal` ends the
 * search with verdict `incomplete` (or `violated`, if a violation was found).
 */
export function exploreWorkers$<S, A extends Action>(
  recipe: Recipe,
  target: Target<S, A>,
  options: ParallelOptions,
  stopSignal?: Observable<string>,
): Observable<RunEvent<S, A>> {
  return new Observable<RunEvent<S, A>>((subscriber) => {
    const started = Date.now();
    const plan = planOf(options.runs ?? 1000, options.shard);
    const n = Math.max(1, Math.min(options.workers, Math.max(1, plan.count)));
    const stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
    const chunks: { from: number; to: number; transitions: number; longest: number }[] = [];
    let best: FoundFailure | null = null;
    let next = 0;
    let stopped: string | null = null;
    let closed = false;
    let pct: ShardJob['pct'];
    let rate = 0; // plan positions per ms, per worker
    let readyCount = 0;
    const busy = new Set<Worker>();
    const pool: Worker[] = [];
    // only what a worker needs, and can be cloned to it
    const walk: WalkOptions = {
      strategy: options.strategy,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
      ...(options.depth !== undefined ? { depth: options.depth } : {}),
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
    };
    const init: Init = { crsimWorker: 1, recipe, options: walk, plan };

    const limit = (): number => Math.min(plan.count, best ? best.j : Infinity);
    const chunkSize = (): number => (rate > 0 ? Math.max(1, Math.min(4096, Math.round(rate * 40))) : 1);

    const dispatch = (w: Worker): void => {
      if (closed) return;
      if (!stopped && next < limit()) {
        const from = next;
        // small chunks first (a counterexample may be a few runs away), then about 40 ms of work each
        const to = Math.min(limit(), from + chunkSize());
        next = to;
        busy.add(w);
        w.postMessage({ type: 'chunk', from, to } satisfies ToWorker);
        return;
      }
      busy.delete(w);
      if (busy.size === 0) finish();
    };

    const finish = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearTimeout(grace);
      stopSub?.unsubscribe();
      for (const w of pool) void w.terminate();
      const cut = best ? best.j : Infinity;
      stats.runs = 0;
      stats.transitions = 0;
      stats.maxDepth = 0;
      for (const c of chunks) {
        if (c.from > cut) continue; // ran past the verdict: not counted, as one thread would not have run it
        stats.runs += c.to - c.from;
        stats.transitions += c.transitions;
        stats.maxDepth = Math.max(stats.maxDepth, c.longest);
      }
      stats.states = stats.transitions;
      stats.elapsedMs = Date.now() - started;
      const base = {
        explored: options.strategy,
        stats,
        seed: options.seed ?? 0,
        properties: target.properties.map((p) => p.id),
        workers: n,
        ...(pct ? { pct } : {}),
        ...(options.shard ? { shard: options.shard } : {}),
      };
      let result: Result<S, A>;
      if (best) {
        const run = replay(target.model, [], best.choices);
        const violation: Violation<S, A> = {
          property: best.property,
          title: best.title,
          message: best.message,
          steps: run.steps,
          choices: run.choices,
          ...(best.cycleStart !== undefined ? { cycleStart: best.cycleStart } : {}),
        };
        result = { ...base, verdict: 'violated', violation, failedRun: runAt(plan, best.j) };
        subscriber.next({ type: 'violation', violation });
      } else if (stopped || stats.runs < plan.count) {
        result = { ...base, verdict: 'incomplete', stoppedBy: stopped ?? 'workers ended early' };
      } else {
        result = { ...base, verdict: 'holds' };
      }
      subscriber.next({ type: 'done', result });
      subscriber.complete();
    };

    const fail = (e: Error): void => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      stopSub?.unsubscribe();
      for (const w of pool) void w.terminate();
      subscriber.error(e);
    };

    for (let i = 0; i < n; i++) {
      const w = new Worker(ENTRY, { workerData: init });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'error') return fail(new Error(`worker ${i}: ${m.message}`));
        if (m.type === 'ready') {
          pct ??= m.pct;
          if (++readyCount === n) options.onReady?.(Date.now() - started);
          return dispatch(w);
        }
        chunks.push({ from: m.from, to: m.to, transitions: m.transitions, longest: m.longest });
        stats.runs += m.to - m.from;
        stats.transitions += m.transitions;
        stats.states = stats.transitions;
        stats.maxDepth = Math.max(stats.maxDepth, m.longest);
        if (m.ms > 0) rate = rate === 0 ? (m.to - m.from) / m.ms : rate * 0.5 + ((m.to - m.from) / m.ms) * 0.5;
        if (m.failure && (!best || m.failure.j < best.j)) best = m.failure;
        dispatch(w);
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (!closed && code !== 0) fail(new Error(`worker ${i} exited with code ${code}`));
      });
    }
    const timer = setInterval(() => {
      stats.elapsedMs = Date.now() - started;
      subscriber.next({ type: 'progress', stats: { ...stats }, frontier: plan.count - next });
    }, options.progressMs ?? 100);
    // a stop hands out no more chunks; a chunk still running after STOP_GRACE_MS (one long run) is dropped, uncounted
    let grace: NodeJS.Timeout | undefined;
    const stopSub = stopSignal?.subscribe((reason) => {
      stopped ??= reason;
      grace ??= setTimeout(finish, STOP_GRACE_MS);
    });
    return () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      stopSub?.unsubscribe();
      for (const w of pool) void w.terminate();
    };
  });
}
