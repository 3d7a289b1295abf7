/**
 * Timed runs of any Model: a discrete-event simulation with a clock in µs.
 *
 * Each thread whose next step is enabled holds a sampled firing time; the
 * earliest fires (ties go to the lower thread index, which is the actor index
 * for actors), the clock moves to it, and the step runs as in an untimed walk.
 * A timed run is therefore one interleaving of the untimed model, and its
 * choices (the index of the fired action among the enabled ones) replay it
 * through src/engine/replay.ts.
 *
 * Memory policy ("enabling memory", as in generalised stochastic Petri nets):
 * a step that stays enabled while others fire keeps its sample; a step that is
 * disabled and later enabled again draws a new one; a thread that fired draws
 * afresh for its next step, even one with the same label.
 *
 * Delays: the model names each action's timing class (Model.timeClass), and a
 * profile maps class names to distributions (src/engine/profile.ts); this
 * module knows no class name but `default`. Properties are evaluated as the
 * untimed engine does (onStep on every transition, onEnd where nothing is
 * enabled), except that a run goes on after a violation, so that one run
 * answers every property: each is recorded at its first violation.
 *
 * Randomness: one pure-rand stream per run, seeded by (seed, run index) as the
 * random walks are (src/engine/random.ts), so run r is the same on any worker
 * or shard. The queue is heap-js keyed on (time, thread), with stale entries
 * (of a step disabled or fired since) skipped on pop.
 */
import { Heap } from 'heap-js';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { sampler, type Sampler } from './distributions.ts';
import type { Profile } from './profile.ts';
import { runSeed } from './random.ts';
import { threadOf, type Action, type Model, type Property } from './types.ts';

/** A named instant of a run: the first transition where `at` holds (e.g. the coordinator wakes). */
export interface Mark<S, A extends Action = Action> {
  readonly name: string;
  at(prev: S, action: A, next: S): boolean;
}

export interface TimedOptions<S, A extends Action> {
  readonly profile: Profile;
  readonly seed?: number;
  /** a run longer than this many steps never ends (default 10,000, as random walks) */
  readonly maxSteps?: number;
  /** stop each run at this time (µs): what has not happened by then did not happen */
  readonly timeBound?: number;
  readonly marks?: readonly Mark<S, A>[];
}

export type RunEnd = 'ended' | 'step-bound' | 'time-bound';

export interface TimedViolation {
  /** index of the property in the list given */
  readonly index: number;
  readonly property: string;
  readonly message: string;
  /** how many steps reach it (the choices to replay are the first `steps`) */
  readonly steps: number;
  readonly time: number;
}

export interface TimedRun {
  readonly run: number;
  /** nothing enabled, the step bound passed, or the time bound reached */
  readonly end: RunEnd;
  /** the clock at the end (the time bound when cut by it) */
  readonly time: number;
  readonly steps: number;
  /** the first violation of each property violated, in the order met */
  readonly violations: readonly TimedViolation[];
  /** the time of each mark (NaN when it never happened), in the order of `marks` */
  readonly marks: readonly number[];
  /** with `record`: the choice index and the clock at each step */
  readonly choices?: readonly number[];
  readonly times?: readonly number[];
}

interface Entry {
  t: number;
  th: number;
  g: number;
}

const byTime = (a: Entry, b: Entry): number => a.t - b.t || a.th - b.th;

/** Runs timed runs of one model; `run(r)` depends only on the seed and r. */
export class TimedSimulator<S, A extends Action> {
  private readonly samplers = new Map<A, Sampler>();
  private readonly maxSteps: number;
  private readonly timeBound: number;
  private readonly seed: number;
  private readonly marks: readonly Mark<S, A>[];
  private readonly nonTermination: number;
  // per-thread scratch, reused across runs
  private sched: (A | null)[] = [];
  private gen: number[] = [];
  private seen: number[] = [];
  private index: number[] = [];
  private epoch = 0;
  private readonly heap = new Heap<Entry>(byTime);
  /** popped entries, reused: no allocation per step */
  private readonly free: Entry[] = [];

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: TimedOptions<S, A>,
  ) {
    this.maxSteps = options.maxSteps ?? 10_000;
    this.timeBound = options.timeBound ?? Infinity;
    this.seed = options.seed ?? 0;
    this.marks = options.marks ?? [];
    this.nonTermination = properties.findIndex((p) => p.coversNonTermination);
  }

  /** The sampler of an action: its class's distribution in the profile, times the class's and the action's scale. */
  samplerOf(a: A): Sampler {
    let s = this.samplers.get(a);
    if (s) return s;
    const { profile } = this.options;
    const cls = this.model.timeClass?.(a) ?? { name: 'default' };
    const dist = profile.classes[cls.name] ?? profile.classes['default'];
    if (!dist) throw new Error(`profile ${profile.name}: no distribution for timing class '${cls.name}' (nor a 'default')`);
    s = sampler(dist, (profile.scales?.[cls.name] ?? 1) * (cls.scale ?? 1));
    // a model that makes new action objects on every call must not grow this for ever
    if (this.samplers.size > 100_000) this.samplers.clear();
    this.samplers.set(a, s);
    return s;
  }

  run(r: number, record = false): TimedRun {
    const { model, properties, marks } = this;
    const rng = xoroshiro128plus(runSeed(this.seed, r));
    const { heap, sched, gen, seen, index, free } = this;
    for (const e of heap.heapArray) free.push(e);
    heap.clear();
    for (let i = 0; i < sched.length; i++) sched[i] = null;
    const violated: boolean[] = properties.map(() => false);
    const violations: TimedViolation[] = [];
    const markTimes: number[] = marks.map(() => NaN);
    let marksLeft = marks.length;
    const choices: number[] | undefined = record ? [] : undefined;
    const times: number[] | undefined = record ? [] : undefined;
    let state = model.init();
    let now = 0;
    let steps = 0;
    const note = (i: number, message: string): void => {
      violated[i] = true;
      violations.push({ index: i, property: properties[i]!.id, message, steps, time: now });
    };
    for (;;) {
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        for (let i = 0; i < properties.length; i++) {
          const p = properties[i]!;
          if (violated[i] || !p.onEnd) continue;
          const m = p.onEnd(state);
          if (m !== null) note(i, m);
        }
        return this.result(r, 'ended', now, steps, violations, markTimes, choices, times);
      }
      if (steps >= this.maxSteps) {
        const k = this.nonTermination;
        if (k >= 0 && !violated[k]) note(k, `no end after ${steps} steps (the step bound of timed runs)`);
        return this.result(r, 'step-bound', now, steps, violations, markTimes, choices, times);
      }
      // enabling memory: keep the samples of steps still enabled, draw for the new ones
      const epoch = ++this.epoch;
      for (let i = 0; i < enabled.length; i++) {
        const a = enabled[i]!;
        const th = threadOf(a);
        // another outcome of the thread's nondeterministic step: one clock for the step, the outcome drawn when it fires
        if (seen[th] === epoch) {
          index[th] = i;
          continue;
        }
        seen[th] = epoch;
        index[th] = i;
        const held = sched[th];
        if (held === a || (held && held.label === a.label && held.actor === a.actor && held.detail === a.detail)) continue;
        sched[th] = a;
        const g = (gen[th] = (gen[th] ?? 0) + 1);
        const entry = free.pop() ?? { t: 0, th: 0, g: 0 };
        entry.t = now + this.samplerOf(a)(rng, now);
        entry.th = th;
        entry.g = g;
        heap.push(entry);
      }
      for (let th = 0; th < sched.length; th++) {
        if (sched[th] && seen[th] !== epoch) {
          sched[th] = null;
          gen[th]!++;
        }
      }
      let e = heap.pop()!;
      while (e.g !== gen[e.th] || !sched[e.th]) {
        free.push(e);
        e = heap.pop()!;
      }
      free.push(e);
      if (e.t > this.timeBound) return this.result(r, 'time-bound', this.timeBound, steps, violations, markTimes, choices, times);
      now = e.t;
      const last = index[e.th]!;
      let first = last;
      while (first > 0 && threadOf(enabled[first - 1]!) === e.th) first--;
      // a nondeterministic step (its outcomes are one thread's actions, side by side): any outcome
      const k = first < last ? first + uniformInt(rng, 0, last - first) : last;
      const action = first < last ? enabled[k]! : sched[e.th]!;
      sched[e.th] = null;
      gen[e.th]!++;
      const next = model.next(state, action);
      steps++;
      choices?.push(k);
      times?.push(now);
      for (let i = 0; i < properties.length; i++) {
        const p = properties[i]!;
        if (violated[i] || !p.onStep) continue;
        const m = p.onStep(state, action, next);
        if (m !== null) note(i, m);
      }
      if (marksLeft > 0) {
        for (let i = 0; i < marks.length; i++) {
          if (Number.isNaN(markTimes[i]!) && marks[i]!.at(state, action, next)) {
            markTimes[i] = now;
            marksLeft--;
          }
        }
      }
      state = next;
    }
  }

  private result(
    run: number,
    end: RunEnd,
    time: number,
    steps: number,
    violations: TimedViolation[],
    marks: number[],
    choices: number[] | undefined,
    times: number[] | undefined,
  ): TimedRun {
    return { run, end, time, steps, violations, marks, ...(choices ? { choices, times: times! } : {}) };
  }
}
