/**
 * Statistical model checking over timed runs (src/engine/timed.ts): run the
 * runs firstRun, firstRun + 1, … and tally, per property, how many violate it
 * (the lowest violating run kept as the witness), how runs ended, and the
 * times of each run's end and marks. An estimate runs a fixed number of runs;
 * a hypothesis test (SPRT) consumes runs in index order until it decides.
 *
 * Runs are independent and seeded by (seed, index), so they spread over worker
 * threads: chunks of consecutive runs go out in order and come back in any
 * order, and are tallied in index order. The tally (and an SPRT's decision
 * point) is therefore the same for any number of workers.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { Sprt, type SprtOptions } from './stats.ts';
import { TimedSimulator, type Mark, type TimedOptions, type TimedRun } from './timed.ts';
import type { Action, Model, Property } from './types.ts';
import type { Recipe, Target } from './workers.ts';

export interface SmcOptions<S, A extends Action> extends TimedOptions<S, A> {
  /** the runs of an estimate, or the most an SPRT may take */
  readonly runs: number;
  readonly firstRun?: number;
  /** a hypothesis test on one property's violation probability */
  readonly sprt?: SprtOptions & { readonly property: string };
  /** how many runs a slice (or a worker's chunk) takes */
  readonly chunk?: number;
}

const END_CODE = { ended: 0, 'step-bound': 1, 'time-bound': 2 } as const;
const END_NAME = ['ended', 'step-bound', 'time-bound'] as const;

/** What the runs showed. Every run counts in `runs`, whatever its end. */
export interface Tally {
  runs: number;
  /** per property (in the order given): violating runs, and the lowest violating run index (-1: none) */
  readonly hits: number[];
  readonly first: number[];
  /** runs that ended (nothing enabled), passed the step bound, were cut by the time bound */
  readonly ends: Record<(typeof END_NAME)[number], number>;
  /** runs that never end: the non-termination property violated (deadlock, or the step bound) */
  neverEnded: number;
  /** per run: when it ended, NaN for a run that never ended or was cut by the time bound */
  readonly durations: number[];
  /** per mark, per run: when it happened (NaN: never) */
  readonly marks: number[][];
  /** the SPRT's decision and the runs it took */
  sprt?: { decision: 'accept' | 'reject' | null; samples: number; hits: number };
}

/** One run as a worker sends it: [violated properties as a bit mask, end code, end time, …mark times]. */
const WIDTH = (marks: number): number => 3 + marks;

/** The width of one encoded run, for `marks` marks. */
export const rowWidth = WIDTH;

export function encode(run: TimedRun, nonTermination: number, out: Float64Array, at: number): void {
  let mask = 0;
  for (const v of run.violations) mask |= 1 << v.index;
  out[at] = mask;
  out[at + 1] = END_CODE[run.end];
  const never = nonTermination >= 0 && (mask & (1 << nonTermination)) !== 0;
  out[at + 2] = run.end === 'ended' && !never ? run.time : NaN;
  run.marks.forEach((t, i) => (out[at + 3 + i] = t));
}

export class SmcTally {
  readonly tally: Tally;
  private readonly sprt: Sprt | null;
  private readonly sprtIndex: number;

  constructor(
    private readonly properties: readonly { readonly id: string; readonly coversNonTermination?: boolean }[],
    private readonly markCount: number,
    sprt?: SprtOptions & { readonly property: string },
  ) {
    this.tally = {
      runs: 0,
      hits: properties.map(() => 0),
      first: properties.map(() => -1),
      ends: { ended: 0, 'step-bound': 0, 'time-bound': 0 },
      neverEnded: 0,
      durations: [],
      marks: Array.from({ length: markCount }, () => []),
    };
    this.sprtIndex = sprt ? properties.findIndex((p) => p.id === sprt.property) : -1;
    if (sprt && this.sprtIndex < 0) throw new Error(`SPRT on ${sprt.property}, which is not among the properties checked`);
    this.sprt = sprt ? new Sprt(sprt) : null;
    if (sprt) this.tally.sprt = { decision: null, samples: 0, hits: 0 };
  }

  get decided(): boolean {
    return this.sprt?.decision != null;
  }

  /** Adds runs `from`, `from + 1`, … in the encoded form; stops at an SPRT decision. Returns the runs taken. */
  add(from: number, rows: Float64Array): number {
    const w = WIDTH(this.markCount);
    const t = this.tally;
    const nonTermination = this.properties.findIndex((p) => p.coversNonTermination);
    let taken = 0;
    for (let at = 0; at < rows.length; at += w) {
      if (this.decided) break;
      const r = from + taken++;
      const mask = rows[at]!;
      for (let i = 0; i < t.hits.length; i++) {
        if (mask & (1 << i)) {
          t.hits[i]!++;
          if (t.first[i] === -1) t.first[i] = r;
        }
      }
      t.ends[END_NAME[rows[at + 1]!]!]++;
      if (nonTermination >= 0 && mask & (1 << nonTermination)) t.neverEnded++;
      else if (nonTermination < 0 && rows[at + 1] === END_CODE['step-bound']) t.neverEnded++;
      t.durations.push(rows[at + 2]!);
      for (let m = 0; m < this.markCount; m++) t.marks[m]!.push(rows[at + 3 + m]!);
      t.runs++;
      if (this.sprt) {
        this.sprt.add((mask & (1 << this.sprtIndex)) !== 0);
        t.sprt = { decision: this.sprt.decision, samples: this.sprt.samples, hits: this.sprt.hits };
      }
    }
    return taken;
  }
}

/** Runs `from` to `to − 1` on one thread, encoded. */
export function runChunk<S, A extends Action>(sim: TimedSimulator<S, A>, properties: readonly Property<S, A>[], marks: number, from: number, to: number): Float64Array {
  const w = WIDTH(marks);
  const out = new Float64Array((to - from) * w);
  const nonTermination = properties.findIndex((p) => p.coversNonTermination);
  for (let r = from; r < to; r++) encode(sim.run(r), nonTermination, out, (r - from) * w);
  return out;
}

export type SmcEvent = { readonly type: 'progress'; readonly runs: number; readonly elapsedMs: number } | { readonly type: 'done'; readonly tally: Tally; readonly elapsedMs: number };

/** The runs of a job, synchronously, on this thread. */
export function simulateSync<S, A extends Action>(model: Model<S, A>, properties: readonly Property<S, A>[], options: SmcOptions<S, A>): Tally {
  const sim = new TimedSimulator(model, properties, options);
  const marks = options.marks?.length ?? 0;
  const tally = new SmcTally(properties, marks, options.sprt);
  const first = options.firstRun ?? 0;
  const chunk = options.chunk ?? 256;
  for (let r = first; r < first + options.runs && !tally.decided; r += chunk) {
    tally.add(r, runChunk(sim, properties, marks, r, Math.min(first + options.runs, r + chunk)));
  }
  return tally.tally;
}

/** The same, in slices on the event loop, with progress events; unsubscribing or `stop` ends it (the tally so far). */
export function simulate$<S, A extends Action>(
  model: Model<S, A>,
  properties: readonly Property<S, A>[],
  options: SmcOptions<S, A>,
  stop?: Observable<string>,
): Observable<SmcEvent> {
  return new Observable<SmcEvent>((subscriber) => {
    const started = Date.now();
    const sim = new TimedSimulator(model, properties, options);
    const marks = options.marks?.length ?? 0;
    const tally = new SmcTally(properties, marks, options.sprt);
    const first = options.firstRun ?? 0;
    const end = first + options.runs;
    const chunk = options.chunk ?? 256;
    let r = first;
    let stopped = false;
    const sub = stop?.subscribe(() => (stopped = true));
    let timer: NodeJS.Immediate | undefined;
    const tick = (): void => {
      const deadline = Date.now() + 100;
      try {
        while (r < end && !tally.decided && !stopped && Date.now() < deadline) {
          const to = Math.min(end, r + chunk);
          tally.add(r, runChunk(sim, properties, marks, r, to));
          r = to;
        }
      } catch (e) {
        subscriber.error(e);
        return;
      }
      if (r < end && !tally.decided && !stopped) {
        subscriber.next({ type: 'progress', runs: tally.tally.runs, elapsedMs: Date.now() - started });
        timer = setImmediate(tick);
        return;
      }
      subscriber.next({ type: 'done', tally: tally.tally, elapsedMs: Date.now() - started });
      subscriber.complete();
    };
    timer = setImmediate(tick);
    return () => {
      if (timer) clearImmediate(timer);
      sub?.unsubscribe();
    };
  });
}

// ---- worker threads ----

interface WorkerInit {
  readonly crsimTimedWorker: 1;
  readonly recipe: Recipe;
  /** a module and export giving the marks (functions do not cross threads) */
  readonly marks?: { readonly module: string; readonly exportName: string };
  readonly options: Omit<TimedOptions<unknown, Action>, 'marks'>;
}

type ToWorker = { readonly from: number; readonly to: number } | null;
type FromWorker = { readonly type: 'ready' } | { readonly type: 'chunk'; readonly from: number; readonly rows: Float64Array } | { readonly type: 'error'; readonly message: string };

const ENTRY = new URL('./timed-worker-entry.mjs', import.meta.url);

/** The worker side: build the target, then run the chunks it is given. */
export async function timedWorkerMain(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  try {
    const mod = (await import(init.recipe.module)) as Record<string, unknown>;
    const make = mod[init.recipe.exportName] as (arg: unknown) => Promise<Target<unknown, Action>> | Target<unknown, Action>;
    const { model, properties } = await make(init.recipe.arg);
    const marks = init.marks ? ((await import(init.marks.module)) as Record<string, unknown>)[init.marks.exportName] as Mark<unknown, Action>[] : [];
    const sim = new TimedSimulator(model, properties, { ...init.options, marks });
    port.on('message', (m: ToWorker) => {
      if (!m) return port.close();
      const rows = runChunk(sim, properties, marks.length, m.from, m.to);
      port.postMessage({ type: 'chunk', from: m.from, rows } satisfies FromWorker, [rows.buffer as ArrayBuffer]);
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies FromWorker);
  }
}

/**
 * The runs of a job on `workers` threads, each building the model from
 * `recipe` (and the marks from `marksFrom`). Same tally as simulate$.
 */
export function simulateWorkers$<S, A extends Action>(
  recipe: Recipe,
  marksFrom: { readonly module: string; readonly exportName: string } | undefined,
  properties: readonly { readonly id: string; readonly coversNonTermination?: boolean }[],
  options: SmcOptions<S, A>,
  workers: number,
  stop?: Observable<string>,
): Observable<SmcEvent> {
  return new Observable<SmcEvent>((subscriber) => {
    const started = Date.now();
    const marks = options.marks?.length ?? 0;
    const tally = new SmcTally(properties, marks, options.sprt);
    const first = options.firstRun ?? 0;
    const end = first + options.runs;
    const chunk = options.chunk ?? 1024;
    const { marks: _m, ...plain } = options;
    const init: WorkerInit = {
      crsimTimedWorker: 1,
      recipe,
      ...(marksFrom ? { marks: marksFrom } : {}),
      options: { profile: plain.profile, ...(plain.seed !== undefined ? { seed: plain.seed } : {}), ...(plain.maxSteps !== undefined ? { maxSteps: plain.maxSteps } : {}), ...(plain.timeBound !== undefined ? { timeBound: plain.timeBound } : {}) },
    };
    let next = first;
    let consumed = first;
    const waiting = new Map<number, Float64Array>();
    const pool: Worker[] = [];
    let closed = false;
    let stopped = false;
    const sub = stop?.subscribe(() => (stopped = true));
    const close = (): void => {
      closed = true;
      clearInterval(timer);
      sub?.unsubscribe();
      for (const w of pool) void w.terminate();
    };
    const dispatch = (w: Worker): void => {
      if (next < end && !tally.decided && !stopped) {
        const to = Math.min(end, next + chunk);
        w.postMessage({ from: next, to } satisfies ToWorker);
        next = to;
      }
    };
    const finishIfDone = (): void => {
      if (closed) return;
      const all = consumed >= end || tally.decided;
      if (!all && !(stopped && consumed >= next)) return;
      close();
      subscriber.next({ type: 'done', tally: tally.tally, elapsedMs: Date.now() - started });
      subscriber.complete();
    };
    for (let i = 0; i < Math.max(1, workers); i++) {
      const w = new Worker(ENTRY, { workerData: init });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (closed) return;
        if (m.type === 'error') {
          close();
          subscriber.error(new Error(`worker ${i}: ${m.message}`));
          return;
        }
        if (m.type === 'chunk') {
          waiting.set(m.from, m.rows);
          // tally in index order: a chunk waits for the ones before it
          for (let rows = waiting.get(consumed); rows && !tally.decided; rows = waiting.get(consumed)) {
            waiting.delete(consumed);
            tally.add(consumed, rows);
            consumed += rows.length / WIDTH(marks);
          }
        }
        dispatch(w);
        finishIfDone();
      });
      w.on('error', (e) => {
        if (closed) return;
        close();
        subscriber.error(e);
      });
    }
    const timer = setInterval(() => subscriber.next({ type: 'progress', runs: tally.tally.runs, elapsedMs: Date.now() - started }), 100);
    return () => {
      if (!closed) close();
    };
  });
}
