/**
 * The engine's view of a model: a labelled transition system, in the manner of
 * Stateright's `Model` trait. The engine knows nothing of kernels: a state is any
 * plain record, an action names its actor, its label and the shared objects it
 * touches.
 */

export interface Action {
  /** index of the actor in {@link Model.actors} */
  readonly actor: number;
  /** the step label of the contract, e.g. `T5:check` or `C5a1` */
  readonly label: string;
  /** optional argument shown beside the label, e.g. the task a step prepares */
  readonly detail?: string;
  /**
   * the thread of control the action belongs to, for partial-order reduction
   * and PCT: a thread's actions happen in program order, and the actions of
   * one thread enabled together are the outcomes of one nondeterministic step
   * (the reduction explores all of them, PCT picks one at random). Defaults
   * to the actor.
   */
  readonly thread?: number;
}

/** A transition with the objects it touched (see src/engine/access.ts). */
export interface Traced<S> {
  readonly next: S;
  /** accesses packed as `id × 4 + kind`, the guard's reads included */
  readonly footprint: readonly number[];
  /**
   * the counters behind its `inc` and `dec` accesses, as triples `[object id,
   * value after, change]`: an increment and a decrement commute unless the
   * decrement would reach zero (and free) in the other order (src/engine/dpor.ts)
   */
  readonly counters?: readonly number[];
  /**
   * the fingerprint of `next`, where the model keeps fingerprints up to date
   * as a step writes (cheaper than walking the state); given only when
   * `traced` was given the fingerprint of the state it started from
   */
  readonly hash?: Hash;
}

/** A 64-bit fingerprint as two unsigned 32-bit halves [hi, lo] (src/engine/fingerprint.ts). */
export type Hash = readonly [number, number];

/**
 * What a model offers for partial-order reduction: transitions with their
 * exact footprints, and the reads of a disabled thread's guard.
 */
export interface PorSupport<S, A extends Action = Action> {
  /** thread ids are below this */
  readonly threads: number;
  /** `hash`: the fingerprint of `state` ({@link Model.fingerprints}), for the model to update into `Traced.hash` */
  traced(state: S, action: A, hash?: Hash): Traced<S>;
  /** the reads of the guard of `thread`'s next step, where it is disabled; null when the thread has finished */
  guardReads(state: S, thread: number): readonly number[] | null;
  /** the access code of a read of a named object in `state`, as a property observes it */
  observe(state: S, name: string): number;
  /**
   * The field an object belongs to (objects may stand for "this field holds
   * that value"): a step that changes the field may change which of them a
   * later step touches. Default: every object is its own field.
   */
  fieldOf?(objectId: number): number;
  /** `tasks[2].slot:write`, for debugging and traces */
  describeAccess?(code: number): string;
}

export interface Model<S, A extends Action = Action> {
  readonly name: string;
  /** display names of the actors, one lane each */
  readonly actors: readonly string[];
  init(): S;
  /** the enabled actions, in a deterministic order */
  actions(state: S): readonly A[];
  next(state: S, action: A): S;
  /** optional: what changed, for traces (defaults to a structural diff) */
  describe?(prev: S, action: A, next: S): string;
  /**
   * optional: fingerprints the model keeps itself, cheaper than walking each
   * state (src/engine/fingerprint.ts). `of` a state from scratch; `next`, a
   * successor's from its predecessor's. Two states get equal fingerprints
   * exactly when they are equal, up to collisions. A search uses one kind of
   * fingerprint throughout: these and the walked ones are different numbers.
   */
  readonly fingerprints?: {
    of(state: S): Hash;
    next(prev: S, prevHash: Hash, next: S): Hash;
  };
  /**
   * optional, for the plain search: `peek(state, action)` is `next` into
   * storage the model reuses, valid until the next call (the properties and
   * the fingerprint read it, nothing keeps it), and `keep(state, peeked)` its
   * lasting copy, for a successor the search keeps. Most successors have been
   * seen before: they cost no allocation that outlives them.
   */
  readonly successors?: {
    peek(state: S, action: A): S;
    keep(prev: S, peeked: S): S;
  };
  /** optional: footprints for partial-order reduction (without it the reduced search falls back to plain) */
  readonly por?: PorSupport<S, A>;
  /** optional: the timing class of an action, for timed runs (src/engine/timed.ts); without it every action is `default` */
  timeClass?(action: A): TimeClass;
}

/** How long an action takes is drawn from its class's distribution, times `scale` (e.g. a task's image size). */
export interface TimeClass {
  readonly name: string;
  readonly scale?: number;
}

/** The thread of an action: its `thread`, or its actor. */
export const threadOf = (a: Action): number => a.thread ?? a.actor;

/**
 * A named check. `onStep` runs on every transition, `onEnd` on every state where
 * nothing is enabled. A string return is the violation message.
 * A property with `coversNonTermination` is also the one reported when the
 * exhaustive search finds a cycle (a run that never ends).
 */
export interface Property<S, A extends Action = Action> {
  readonly id: string;
  readonly title: string;
  /** `next` may be storage the search reuses ({@link Model.successors}): read it, keep nothing of it */
  onStep?(prev: S, action: A, next: S): string | null;
  onEnd?(state: S): string | null;
  readonly coversNonTermination?: boolean;
  /**
   * For partial-order reduction: the objects (named as the model's footprints
   * name them) that `onStep` reads at this transition besides what the
   * transition itself touched. A property that says nothing is taken to read
   * every object at every transition (sound, and no reduction). A check that
   * looks only at the acting thread's own fields observes nothing more: its
   * violation shows at that thread's own step.
   */
  observes?(prev: S, action: A, next: S): readonly string[];
}

export interface Step<S, A extends Action = Action> {
  readonly action: A;
  readonly state: S;
}

export interface Violation<S, A extends Action = Action> {
  readonly property: string;
  readonly title: string;
  readonly message: string;
  /** the schedule that reaches the violation, from the initial state */
  readonly steps: readonly Step<S, A>[];
  /** for non-termination: the index in `steps` where the repeating cycle starts */
  readonly cycleStart?: number;
  /** the choice sequence (index of the action among the enabled ones at each step) */
  readonly choices: readonly number[];
  /**
   * true when no shorter counterexample exists (breadth-first search, or a
   * reduced search's counterexample certified by one); false when not proven
   */
  readonly shortest?: boolean;
  /** how the counterexample was made short, or why it is not proven shortest */
  readonly shortestNote?: string;
}

export interface Stats {
  states: number;
  transitions: number;
  maxDepth: number;
  runs: number;
  elapsedMs: number;
  /** bytes of the visited-set tables (exhaustive search) */
  tableBytes: number;
  /** the largest resident memory of the process seen during the search, in bytes */
  peakBytes?: number;
  /** exhaustive: the work split into its phases */
  phases?: Phases;
}

/** One phase of an exhaustive check: the states it stored (or, shrinking and walking, visited) and its time. */
export interface Phase {
  states: number;
  ms: number;
  /** shrinking, random walks: the schedules run */
  runs?: number;
}

/**
 * Where an exhaustive check's time went: the random walks `--reduction auto`
 * runs first (when they found nothing: else they are the search), the search
 * that gave the verdict, the shrinking of its counterexample and the
 * breadth-first proof that it is shortest.
 */
export interface Phases {
  walks?: Phase;
  search: Phase;
  shrink?: Phase;
  proof?: Phase;
}

export type Strategy = 'exhaustive' | 'random' | 'pct';

export type Verdict = 'holds' | 'violated' | 'incomplete';

export interface Result<S, A extends Action = Action> {
  readonly verdict: Verdict;
  readonly explored: Strategy;
  /** exhaustive search: the partial-order reduction used, if any */
  readonly reduction?: 'dpor';
  readonly stats: Stats;
  readonly violation?: Violation<S, A>;
  /** why the run stopped before a verdict */
  readonly stoppedBy?: string;
  /** random and PCT: the index of the run that failed (it replays alone: seed and index) */
  readonly failedRun?: number;
  /** PCT: the parameters of the probability bound 1/(n·k^(d−1)) */
  readonly pct?: { readonly depth: number; readonly threads: number; readonly steps: number; readonly perRun: number };
  /** scale-out: how many workers, or which shard of how many */
  readonly workers?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly seed?: number;
  readonly properties: readonly string[];
}

export type RunEvent<S, A extends Action = Action> =
  | { readonly type: 'progress'; readonly stats: Stats; readonly frontier?: number }
  | { readonly type: 'violation'; readonly violation: Violation<S, A> }
  | { readonly type: 'done'; readonly result: Result<S, A> };
