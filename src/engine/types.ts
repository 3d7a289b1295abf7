/**
 * The engine's view of a model: a labelled transition system, in the manner of
 * Stateright's `Model` trait. The engine knows nothing of kernels: a state is any
 * plain record, an action names its actor, its label and the shared objects it
 * touches.
 */

/** What an action touches, for partial-order reduction and for readers of a trace. */
export interface Footprint {
  /** shared objects read, e.g. `ctx.activePid`, `slot[2]` */
  readonly reads: readonly string[];
  /** shared objects written */
  readonly writes: readonly string[];
}

export interface Action {
  /** index of the actor in {@link Model.actors} */
  readonly actor: number;
  /** the step label of the contract, e.g. `T5:check` or `C5a1` */
  readonly label: string;
  /** optional argument shown beside the label, e.g. the task a step prepares */
  readonly detail?: string;
  readonly footprint: Footprint;
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
}

/**
 * A named check. `onStep` runs on every transition, `onEnd` on every state where
 * nothing is enabled. A string return is the violation message.
 * A property with `coversNonTermination` is also the one reported when the
 * exhaustive search finds a cycle (a run that never ends).
 */
export interface Property<S, A extends Action = Action> {
  readonly id: string;
  readonly title: string;
  onStep?(prev: S, action: A, next: S): string | null;
  onEnd?(state: S): string | null;
  readonly coversNonTermination?: boolean;
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
}

export interface Stats {
  states: number;
  transitions: number;
  maxDepth: number;
  runs: number;
  elapsedMs: number;
  /** bytes of the visited-set tables (exhaustive search) */
  tableBytes: number;
}

export type Strategy = 'exhaustive' | 'random';

export type Verdict = 'holds' | 'violated' | 'incomplete';

export interface Result<S, A extends Action = Action> {
  readonly verdict: Verdict;
  readonly explored: Strategy;
  readonly stats: Stats;
  readonly violation?: Violation<S, A>;
  /** why the run stopped before a verdict */
  readonly stoppedBy?: string;
  readonly seed?: number;
  readonly properties: readonly string[];
}

export type RunEvent<S, A extends Action = Action> =
  | { readonly type: 'progress'; readonly stats: Stats; readonly frontier?: number }
  | { readonly type: 'violation'; readonly violation: Violation<S, A> }
  | { readonly type: 'done'; readonly result: Result<S, A> };
