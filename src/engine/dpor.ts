import { CONFLICT_MASK, conflictsAfter, conflictsInOrder, DEC, INC, kindOf, objectOf, WRITE } from './access.ts';
import { MemoryGuard } from './budget.ts';
import { checkEnd, checkStep, type Failure } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import { replay } from './replay.ts';
import type { Search, SearchOptions } from './search.ts';
import { project, Proof, PROOF_STATES, settle } from './shorten.ts';
import { PairMemo, SetTable, TupleTable } from './summaries.ts';
import { threadOf, type Action, type Hash, type Model, type Phase, type PorSupport, type Property, type Result, type Stats, type Violation } from './types.ts';
import { VisitedSet } from './visited.ts';

/** An executed transition on the DFS stack: event i leaves frame i. */
interface Event<A> {
  readonly thread: number;
  readonly choice: number;
  readonly action: A;
  /** accesses, the property observations included */
  readonly fp: readonly number[];
  /** the interned set of `fp`, for summaries */
  readonly fpSet: number;
  /** its counter updates, `[object id, value after, change]` triples (Traced.counters) */
  readonly cnt: readonly number[];
  /** vector clock: vc[t] = how many events of thread t happen before or at this one */
  readonly vc: Int32Array;
  readonly seq: number;
  /** the thread's previous event on the stack, restored when this one is undone */
  readonly prevLast: number;
}

/** A state on the DFS stack. Frames are reused, one per depth: a search pushes and pops millions. */
interface Frame<S, A> {
  state: S;
  /** the state's fingerprint, where the model keeps fingerprints itself (Model.fingerprints) */
  hash: Hash | undefined;
  id: number;
  /** `stateOf[2 × id]` when pushed: the summary of earlier explorations, and UNKNOWN (pop reads it here, not in that large array) */
  stored: number;
  /** the sleep set's bits, written to the state when it is finished */
  mask: number;
  enabled: readonly A[];
  /** thread → index in `enabled` of its first action, or -1 */
  readonly index: Int32Array;
  /** the other actions of the thread being explored (a nondeterministic step's outcomes), explored before any other thread */
  readonly alts: number[];
  /** threads to explore from here (a source set, grown by races) */
  readonly todo: number[];
  readonly queued: Uint8Array;
  /** threads whose step is explored elsewhere (sleep set), with that step's footprint (an interned set) */
  sleep: Sleep;
  /** threads explored from here, in order; `exploredFp[t]`: the footprint of t's steps from here (an interned set) */
  readonly explored: number[];
  readonly exploredFp: Int32Array;
  /** the summary of what has been explored below, so far: per thread, the set of its accesses */
  readonly summary: Int32Array;
  /** a cycle goes through here: what lies below is not fully known */
  unknown: boolean;
  ev: Event<A> | null;
}

/**
 * Where a reduced search stores its states: the visited set, two ints a state
 * (`stateOf`), the interned sets and summaries. Two searches on one model may
 * share them (bench/swarm.ts): each skips what the other has finished, and
 * explores for itself a state only on the other's stack.
 */
export class DporTables {
  /** the stored states (their paths are on the stack: no parents), in a table up to three quarters full */
  readonly visited = new VisitedSet(1 << 12, false, 0.75);
  /**
   * Per stored state, two ints side by side (a cache hit reads both):
   * `stateOf[2 × id]` is its summary's id in `summaries` × 8 + the flags
   * above, and `stateOf[2 × id + 1]` the sleep set it was explored with
   * (threads below 31, as bits) + FINISHED.
   */
  stateOf = new Int32Array(2 << 12);
  /** interned sets of access codes (footprints, and what a thread does below a state) */
  readonly sets = new SetTable();
  /** interned summaries, T set ids each: states share them (a third to two fifths as many summaries as states) */
  readonly summaries: TupleTable;
  /** whether two interned footprints conflict, by their ids */
  readonly conflictMemo = new PairMemo();
  /** a second search stores its states here too */
  shared = false;

  constructor(readonly threads: number) {
    this.summaries = new TupleTable(threads);
  }

  get bytes(): number {
    return this.visited.bytes + this.stateOf.byteLength + this.summaries.bytes + this.sets.bytes + this.conflictMemo.bytes;
  }
}

/** A reduced search's run as it goes, for bench/anatomy.ts: each transition with its accesses (the properties' observations included), each race it reverses. */
export interface DporWatcher<A> {
  transition(thread: number, action: A, accesses: readonly number[]): void;
  race(earlier: A, later: A, earlierAccesses: readonly number[], laterAccesses: readonly number[]): void;
}

export interface DporOptions<S = unknown, A extends Action = Action> extends SearchOptions {
  /**
   * Which thread a new state runs first: `highest` (the last task first, the
   * coordinator last; measured best on the restart models: tasks run until they
   * block, so fewer transitions overlap) or `lowest`.
   */
  readonly porOrder?: 'highest' | 'lowest';
  readonly watch?: DporWatcher<A>;
}

const NONE: readonly number[] = [];
/** A sleep set: pairs [thread, footprint set id, …], never changed once made (so the empty one is shared). */
type Sleep = readonly number[];
const NO_SLEEP: Sleep = [];

function asleep(sleep: Sleep, thread: number): boolean {
  for (let k = 0; k < sleep.length; k += 2) if (sleep[k] === thread) return true;
  return false;
}

/** the sleeping threads below 31 as bits */
function sleepMask(sleep: Sleep): number {
  let mask = 0;
  for (let k = 0; k < sleep.length; k += 2) if (sleep[k]! < 31) mask |= 1 << sleep[k]!;
  return mask;
}
/**
 * A stored state's flags, in the low bits of its first int (`stateOf`): on the
 * stack of search 0 or 1 (two may share their tables), and UNKNOWN: what lies
 * below is not fully known (a cycle went through it). The summary's id is
 * above them.
 */
const UNKNOWN = 4;
const FLAGS = 3;
/** in the second int, beside the sleep set's bits: the state has been finished, its summary is complete */
const FINISHED = 1 << 31;
const NO_CLOCK = 0x7fffffff;

/**
 * Stateful dynamic partial-order reduction: Flanagan–Godefroid DPOR with
 * source sets (Abdulla et al., POPL 2014) and sleep sets, depth first, each
 * state stored once by its 64-bit fingerprint.
 *
 * - Each transition's footprint is recorded by the model (`model.por`), with
 *   the objects the properties observe at that transition added as reads.
 *   Two transitions conflict when their footprints do (src/engine/access.ts);
 *   happens-before is kept with vector clocks.
 * - A transition that races with an earlier one of another thread (they
 *   conflict and nothing else orders them) makes the earlier state explore a
 *   thread that starts the reversed order. A transition that disables a thread
 *   enabled before it makes its state explore that thread too.
 * - State caching, after Yang et al. (SPIN 2008): a state already finished is
 *   not explored again, but what each thread does in its explored future (its
 *   summary) is checked for races against the stack, as Flanagan–Godefroid's
 *   update would check a thread's next transition. A state reached with a
 *   thread awake that slept when it was explored is explored again (what was
 *   done below is cached); from then on a thread counts as asleep there only
 *   if it slept in every exploration. A state on the stack closes a cycle: a property that
 *   covers non-termination reports it; otherwise every state of the stack is
 *   fully expanded.
 *
 * Every reachable end state is reached (deadlocks, leaks), and every
 * transition a property observes runs in a context that agrees on what it
 * observes, so the verdicts are those of the plain search (test/por.test.ts
 * compares them on every model). The counterexample is the stack, projected
 * onto the causal past of its last transition, then certified by a
 * breadth-first search to its length (src/engine/shorten.ts).
 */
export class DporSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
  /** transitions that reached a finished state (its summary was checked instead) */
  cacheHits = 0;
  /** finished states explored again (a thread woke from their sleep set, or a cycle's summary) */
  revisits = 0;
  /** states explored while on the stack of the other search sharing the tables, never finished */
  duplicates = 0;
  /** states reached with every enabled thread asleep (an optimal reduction would not reach them) */
  sleepBlocked = 0;
  private readonly por: PorSupport<S, A>;
  private readonly T: number;
  readonly tables: DporTables;
  private readonly visited: VisitedSet;
  private readonly sets: SetTable;
  private readonly summaries: TupleTable;
  private readonly conflictMemo: PairMemo;
  /** this search's on-stack flag (1, or 2 for the second of two sharing their tables) */
  private readonly onStack: number;
  private readonly stack: Frame<S, A>[] = [];
  /** per object id: the accesses of the stack's events, packed as event index × 8 + kind */
  private readonly hist: number[][] = [];
  /** per stack index: the thread and sequence number of the event leaving that frame (hot loops read these, not the events) */
  private evThread = new Int32Array(256);
  private evSeq = new Int32Array(256);
  /** per thread: the index of its last event on the stack, or -1 */
  private readonly last: Int32Array;
  private readonly zero: Int32Array;
  /** per stack index: the vector clock of the event leaving that frame, reused (an event lives while its frame is on the stack) */
  private readonly clocks: Int32Array[] = [];
  /** scratch, one entry per thread */
  private readonly scratch: Uint8Array;
  private readonly acc: Int32Array;
  private readonly observers: Property<S, A>[];
  private readonly trackCycles: boolean;
  private readonly highest: boolean;
  private readonly guard: MemoryGuard;
  private stopped: string | null = null;
  /** the counterexample found, while a breadth-first search proves it shortest */
  private proof: { readonly run: Proof<S, A>; readonly note: string } | null = null;
  private finished: Result<S, A> | null = null;
  private rootChecked = false;
  private readonly started = Date.now();
  /** the reduced search's own states and time, frozen when it meets a violation */
  private searchPhase: Phase | null = null;
  /** the shrinking's schedules, the states they visited and its time, once it ran */
  private shrinkPhase: Phase | null = null;
  /** the proof's states and time */
  private readonly proofPhase: Phase = { states: 0, ms: 0 };

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: DporOptions<S, A> = {},
    /** the tables of another search of the same model, for this one to store its states in too */
    joins?: DporTables,
  ) {
    const why = DporSearch.unsupported(model, properties);
    if (why) throw new Error(`partial-order reduction unavailable: ${why}`);
    this.por = model.por!;
    this.T = this.por.threads;
    if (joins?.shared) throw new Error('internal: two reduced searches at most share their tables');
    this.tables = joins ?? new DporTables(this.T);
    this.tables.shared = joins !== undefined;
    ({ visited: this.visited, sets: this.sets, summaries: this.summaries, conflictMemo: this.conflictMemo } = this.tables);
    this.onStack = joins ? 2 : 1;
    this.last = new Int32Array(this.T).fill(-1);
    this.zero = new Int32Array(this.T);
    this.scratch = new Uint8Array(this.T);
    this.acc = new Int32Array(this.T);
    this.observers = properties.filter((p) => p.onStep && p.observes);
    this.trackCycles = properties.some((p) => p.coversNonTermination);
    this.highest = (options.porOrder ?? 'highest') === 'highest';
    this.guard = new MemoryGuard(options.maxMemory);
    const init = model.init();
    const hash = model.fingerprints?.of(init);
    const [hi, lo] = hash ?? fingerprint(init);
    const added = this.visited.add(hi, lo, -1, -1);
    const id = added >= 0 ? added : -added - 1;
    this.enter(id);
    this.push(init, hash, id, NO_SLEEP);
  }

  /** Why the reduction cannot run (no footprints, or a property that does not say what it observes), or null. */
  static unsupported<S, A extends Action>(model: Model<S, A>, properties: readonly Property<S, A>[]): string | null {
    if (!model.por) return `model ${model.name} records no footprints`;
    const blind = properties.filter((p) => p.onStep && !p.observes).map((p) => p.id);
    return blind.length ? `${blind.join(', ')} do${blind.length === 1 ? 'es' : ''} not say what ${blind.length === 1 ? 'it observes' : 'they observe'}` : null;
  }

  get frontier(): number {
    return this.proof ? this.proof.run.frontier : this.stack.length;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    const maxStates = this.options.maxStates ?? Infinity;
    let tick = 0;
    for (;;) {
      if (this.proof) return this.prove(deadline);
      if (this.stopped) return this.finish();
      if (!this.rootChecked && this.stack.length) {
        this.rootChecked = true;
        const root = this.stack[0]!;
        if (root.enabled.length === 0) {
          const end = checkEnd(this.properties, root.state);
          if (end) return this.violated(end, true);
        }
      }
      // the clock every 64 transitions, memory every 50 ms of it (budget.ts)
      if ((++tick & 63) === 0) {
        const now = Date.now();
        const memory = this.guard.poll(now);
        if (memory) this.stop(memory);
        if (now >= deadline) {
          this.updateStats();
          return null;
        }
      }
      const depth = this.stack.length - 1;
      if (depth < 0) return this.finish();
      const frame = this.stack[depth]!;
      if (frame.ev) this.undo(depth);
      // a thread explored here runs each of its actions: a nondeterministic step's outcomes, in turn
      let choice = frame.alts.pop();
      if (choice === undefined) {
        // the second of two searches sharing their tables takes a frame's threads in the other order: the two part at the first frame with two
        const thread = this.onStack === 2 ? frame.todo.shift() : frame.todo.pop();
        if (thread === undefined) {
          this.pop();
          continue;
        }
        choice = frame.index[thread]!;
        for (let k = frame.enabled.length - 1; k > choice; k--) if (threadOf(frame.enabled[k]!) === thread) frame.alts.push(k);
      }
      const result = this.execute(depth, threadOf(frame.enabled[choice]!), choice);
      if (result) return result;
      if (this.visited.size >= maxStates) this.stop(`--max-states ${maxStates} reached`);
    }
  }

  /** Marks a state on the stack (a new one has the empty summary). */
  private enter(id: number): void {
    const t = this.tables;
    if (2 * id >= t.stateOf.length) {
      const grown = new Int32Array(Math.max(2 * id + 2, t.stateOf.length * 2));
      grown.set(t.stateOf);
      t.stateOf = grown;
    }
    t.stateOf[2 * id] = t.stateOf[2 * id]! | this.onStack;
  }

  /** frames by depth, kept for reuse */
  private readonly pool: Frame<S, A>[] = [];

  private push(state: S, hash: Hash | undefined, id: number, sleep: Sleep): Frame<S, A> {
    const enabled = this.model.actions(state);
    const depth = this.stack.length;
    let frame = this.pool[depth];
    if (frame) {
      frame.state = state;
      frame.hash = hash;
      frame.id = id;
      frame.stored = this.tables.stateOf[2 * id]!;
      frame.mask = sleepMask(sleep);
      frame.enabled = enabled;
      frame.index.fill(-1);
      frame.alts.length = 0;
      frame.todo.length = 0;
      frame.queued.fill(0);
      frame.sleep = sleep;
      for (const t of frame.explored) frame.exploredFp[t] = 0;
      frame.explored.length = 0;
      frame.summary.fill(0);
      frame.unknown = false;
      frame.ev = null;
    } else {
      frame = {
        state,
        hash,
        id,
        stored: this.tables.stateOf[2 * id]!,
        mask: sleepMask(sleep),
        enabled,
        index: new Int32Array(this.T).fill(-1),
        alts: [],
        todo: [],
        queued: new Uint8Array(this.T),
        sleep,
        explored: [],
        exploredFp: new Int32Array(this.T),
        summary: new Int32Array(this.T),
        unknown: false,
        ev: null,
      };
      this.pool[depth] = frame;
    }
    const index = frame.index;
    for (let k = enabled.length - 1; k >= 0; k--) index[threadOf(enabled[k]!)] = k;
    for (let k = 0; k < enabled.length; k++) {
      const t = threadOf(enabled[this.highest ? enabled.length - 1 - k : k]!);
      if (!asleep(sleep, t)) {
        frame.todo.push(t);
        frame.queued[t] = 1;
        break;
      }
    }
    if (frame.todo.length === 0 && enabled.length > 0) this.sleepBlocked++;
    this.stack.push(frame);
    if (this.stack.length - 1 > this.stats.maxDepth) this.stats.maxDepth = this.stack.length - 1;
    return frame;
  }

  private enqueue(frame: Frame<S, A>, thread: number): void {
    if (frame.queued[thread] || asleep(frame.sleep, thread)) return;
    frame.queued[thread] = 1;
    frame.todo.push(thread);
  }

  private expandAll(frame: Frame<S, A>): void {
    for (const a of frame.enabled) this.enqueue(frame, threadOf(a));
  }

  /**
   * Whether the interned footprint `later` conflicts with `earlier`, recorded
   * before it where both ran in that order (memoised: the same steps meet again
   * and again).
   */
  private setsConflict(later: number, earlier: number): boolean {
    if (later === 0 || earlier === 0) return false;
    const slot = this.conflictMemo.slot(later, earlier);
    let v = this.conflictMemo.get(slot, later, earlier);
    if (v < 0) this.conflictMemo.set(slot, later, earlier, (v = sortedConflict(this.sets.sets[later]!, this.sets.sets[earlier]!) ? 1 : 0));
    return v === 1;
  }

  /** Event j happens before event k (both on the stack, j < k). */
  private hb(j: number, k: number): boolean {
    const ej = this.stack[j]!.ev!;
    return this.stack[k]!.ev!.vc[ej.thread]! >= ej.seq;
  }

  /** Runs `thread` from frame i (the top); returns a result when the search ends. */
  private execute(i: number, thread: number, choice: number): Result<S, A> | null {
    const frame = this.stack[i]!;
    const action = frame.enabled[choice]!;
    const { next, footprint, counters = NONE, hash } = this.por.traced(frame.state, action, frame.hash);
    this.stats.transitions++;
    let fp = footprint;
    for (const p of this.observers) {
      const names = p.observes!(frame.state, action, next);
      if (names.length) fp = fp.concat(names.map((n) => this.por.observe(next, n)));
    }
    // vector clock: the thread's previous event, and every earlier conflicting event
    const prevLast = this.last[thread]!;
    const base = prevLast >= 0 ? this.stack[prevLast]!.ev!.vc : this.zero;
    const vc = (this.clocks[i] ??= new Int32Array(this.T));
    vc.set(base);
    const seq = base[thread]! + 1;
    const { hard: direct, incs } = this.directPredecessors(thread, fp);
    for (const j of direct) join(vc, this.stack[j]!.ev!.vc);
    vc[thread] = seq;
    if (incs.length && !this.decrementCommutes(i, vc, counters)) {
      for (const j of incs) if (!direct.includes(j)) (direct.push(j), join(vc, this.stack[j]!.ev!.vc));
    }
    // races: a direct predecessor that nothing later orders before this event
    if (direct.length) {
      // latest first (a handful: insertion sort)
      for (let x = 1; x < direct.length; x++) {
        const v = direct[x]!;
        let y = x - 1;
        for (; y >= 0 && direct[y]! < v; y--) direct[y + 1] = direct[y]!;
        direct[y + 1] = v;
      }
      const acc = this.acc;
      acc.set(base);
      for (const j of direct) {
        const ej = this.stack[j]!.ev!;
        if (acc[ej.thread]! < ej.seq) {
          this.options.watch?.race(ej.action, action, ej.fp, fp);
          this.reverse(j, thread, i, true);
        }
        join(acc, ej.vc);
      }
    }
    this.options.watch?.transition(thread, action, fp);
    const ev: Event<A> = { thread, choice, action, fp, fpSet: this.sets.of(fp), cnt: counters, vc, seq, prevLast };
    frame.ev = ev;
    if (i >= this.evThread.length) {
      const t = new Int32Array(this.evThread.length * 2);
      t.set(this.evThread);
      this.evThread = t;
      const q = new Int32Array(t.length);
      q.set(this.evSeq);
      this.evSeq = q;
    }
    this.evThread[i] = thread;
    this.evSeq[i] = seq;
    this.last[thread] = i;
    for (const c of fp) {
      const id = objectOf(c);
      let h = this.hist[id];
      if (!h) this.hist[id] = h = [];
      h.push(i * 8 + kindOf(c));
    }
    const failure = checkStep(this.properties, frame.state, action, next);
    if (failure) return this.violated(failure, false);

    // the child's sleep set: what sleeps here, and what was explored here, that this step does not touch
    let sleep: number[] | null = null;
    const here = frame.sleep;
    for (let k = 0; k < here.length; k += 2) if (here[k] !== thread && !this.setsConflict(ev.fpSet, here[k + 1]!)) (sleep ??= []).push(here[k]!, here[k + 1]!);
    for (const u of frame.explored) if (u !== thread && !this.setsConflict(ev.fpSet, frame.exploredFp[u]!)) (sleep ??= []).push(u, frame.exploredFp[u]!);
    // a thread with several outcomes sleeps below a sibling only on what all of them touch
    const done = frame.exploredFp[thread]!;
    if (done === 0 && !frame.explored.includes(thread)) frame.explored.push(thread);
    frame.exploredFp[thread] = this.sets.union(done, ev.fpSet);

    const [hi, lo] = hash ?? fingerprint(next);
    const added = this.visited.add(hi, lo, -1, -1);
    if (added >= 0) return this.descend(i, next, hash, added, sleep ?? NO_SLEEP);
    const id = -added - 1;
    const stateOf = this.tables.stateOf;
    const word = stateOf[2 * id]!;
    if (word & this.onStack) {
      this.disabledBy(i, this.model.actions(next), thread);
      if (this.trackCycles) return this.cycle(i, id);
      for (const f of this.stack) {
        this.expandAll(f);
        f.unknown = true;
      }
      return null;
    }
    // explored before with a thread asleep that is awake now: explore it again (what was done below is cached);
    // a state only on the other search's stack, never finished, has no summary yet: explore it too
    const wasAsleep = stateOf[2 * id + 1]!;
    if (!(wasAsleep & FINISHED)) {
      this.duplicates++;
      return this.descend(i, next, hash, id, sleep ?? NO_SLEEP);
    }
    const woken = (wasAsleep & ~FINISHED & ~(sleep ? sleepMask(sleep) : 0)) !== 0;
    if (woken || word & UNKNOWN) {
      this.revisits++;
      return this.descend(i, next, hash, id, sleep ?? NO_SLEEP);
    }
    this.cacheHits++;
    const at = (word >>> 3) * this.T;
    this.summaryRaces(i, at);
    this.disabledBy(i, this.model.actions(next), thread);
    this.absorb(frame, ev, this.summaries.ints, at);
    return null;
  }

  /** Pushes the state the event leaving frame i reached. */
  private descend(i: number, next: S, hash: Hash | undefined, id: number, sleep: Sleep): Result<S, A> | null {
    this.enter(id);
    const child = this.push(next, hash, id, sleep);
    this.disabledBy(i, child.enabled, this.stack[i]!.ev!.thread);
    if (child.enabled.length === 0) {
      const end = checkEnd(this.properties, next);
      if (end) return this.violated(end, true);
    }
    return null;
  }

  /** A thread enabled before and disabled after the event leaving frame i could have gone first. */
  private disabledBy(i: number, after: readonly A[], thread: number): void {
    const frame = this.stack[i]!;
    const on = this.scratch.fill(0);
    for (let k = 0; k < after.length; k++) on[threadOf(after[k]!)] = 1;
    for (let k = 0; k < frame.enabled.length; k++) {
      const q = threadOf(frame.enabled[k]!);
      if (q !== thread && !on[q]) this.enqueue(frame, q);
    }
  }

  /**
   * Earlier events of other threads whose accesses conflict with `fp` (back to
   * the last write of each object), and apart from them the increments that
   * a decrement of `fp` follows: those order it only if they must (see
   * {@link decrementCommutes}). An increment after a decrement commutes with
   * it: moved earlier it only raises what the decrement sees.
   */
  private directPredecessors(thread: number, fp: readonly number[]): { hard: number[]; incs: number[] } {
    const hard: number[] = [];
    const incs: number[] = [];
    for (const c of fp) {
      const h = this.hist[objectOf(c)];
      if (!h) continue;
      for (let k = h.length - 1; k >= 0; k--) {
        const e = h[k]!;
        const j = e >> 3;
        const a = c - kindOf(c) + kindOf(e);
        if (this.evThread[j] !== thread && conflictsAfter(c, a)) {
          const kc = kindOf(c);
          const ka = kindOf(a);
          if (kc === DEC && ka === INC) {
            if (!incs.includes(j)) incs.push(j);
          } else if (!(kc === INC && ka === DEC) && !hard.includes(j)) hard.push(j);
        }
        if (kindOf(e) === WRITE) break; // everything before a write happens before it
      }
    }
    return { hard, incs };
  }

  /**
   * A decrement commutes with the increments before it that it does not
   * depend on otherwise, if it stays above zero in every order: with every
   * increment on the stack that does not happen before it (by `vc`) moved
   * after it. Checked over all of them at once: two increments may each be
   * dispensable and not both.
   */
  private decrementCommutes(i: number, vc: Int32Array, cnt: readonly number[]): boolean {
    for (let n = 0; n < cnt.length; n += 3) {
      if (cnt[n + 2]! >= 0) continue;
      const id = cnt[n]!;
      let after = cnt[n + 1]!;
      for (let k = 0; k < i; k++) {
        const ek = this.stack[k]!.ev!;
        if (vc[ek.thread]! >= ek.seq) continue; // happens before
        for (let m = 0; m < ek.cnt.length; m += 3) if (ek.cnt[m] === id && ek.cnt[m + 2]! > 0) after -= ek.cnt[m + 2]!;
      }
      if (after < 1) return false;
    }
    return true;
  }

  /**
   * Event j (on the stack) races with a later transition of `thread`: make the
   * state before j explore a thread that starts the reversal, an initial of
   * the events after j that do not depend on j (Source-DPOR). `upTo` is the
   * later event's index, or the top for a summary's transition (`real` false).
   */
  private reverse(j: number, thread: number, upTo: number, real: boolean): void {
    const frame = this.stack[j]!;
    if (frame.queued[thread] || asleep(frame.sleep, thread)) return;
    if (frame.index[thread]! >= 0) {
      this.enqueue(frame, thread);
      return;
    }
    // the thread is disabled before j: start with an initial of the events after j
    // that do not depend on j (each of them is enabled before j)
    const first = new Int32Array(this.T).fill(NO_CLOCK);
    let candidate = -1;
    let blocked = false;
    const end = real ? upTo : upTo + 1;
    for (let k = j + 1; k < end; k++) {
      if (this.hb(j, k)) continue;
      const ek = this.stack[k]!.ev!;
      let initial = first[ek.thread] === NO_CLOCK;
      if (initial) {
        for (let t = 0; t < this.T; t++) {
          if (t !== ek.thread && first[t]! !== NO_CLOCK && ek.vc[t]! >= first[t]!) {
            initial = false;
            break;
          }
        }
      }
      if (first[ek.thread] === NO_CLOCK) first[ek.thread] = ek.seq;
      if (!initial) continue;
      if (frame.queued[ek.thread] || asleep(frame.sleep, ek.thread)) return; // an initial is already explored from there
      if (frame.index[ek.thread]! < 0) blocked = true;
      else if (candidate < 0) candidate = ek.thread;
    }
    if (candidate >= 0) this.enqueue(frame, candidate);
    // no initial enabled before j (not expected), or a summary's thread with no initial on the stack: explore all
    else if (blocked || !real) this.expandAll(frame);
  }

  /**
   * The races of a finished state's explored future with the stack, found as
   * Flanagan and Godefroid's update finds those of a thread's next transition:
   * for each object a thread q touches below the state, the latest conflicting
   * stack event of another thread that does not happen before q's last event.
   * (Ordering q's future after more of the stack, through the events below,
   * would find fewer races but is not sound with sleep sets: the differential
   * test found a missed violation.) The summary is the T sets at `at` in
   * `summaries.ints`.
   */
  private summaryRaces(top: number, at: number): void {
    const ints = this.summaries.ints;
    for (let q = 0; q < this.T; q++) {
      const set = ints[at + q]!;
      if (set === 0) continue;
      const ql = this.last[q]!;
      const clock = ql >= 0 ? this.stack[ql]!.ev!.vc : this.zero;
      // each object once, with all the kinds q's future has on it
      const objects = this.sets.objects(set);
      for (let n = 0; n < objects.length; n += 2) {
        const h = this.hist[objects[n]!];
        if (!h || h.length === 0) continue;
        const kinds = objects[n + 1]!;
        for (let k = h.length - 1; k >= 0; k--) {
          const e = h[k]!;
          const j = e >> 3;
          const tj = this.evThread[j]!;
          // every racing event back to the last write: reads since it do not order one another
          if (tj !== q && clock[tj]! < this.evSeq[j]! && (CONFLICT_MASK[e & 7]! & kinds) !== 0) this.reverse(j, q, top, false);
          if ((e & 7) === WRITE) break;
        }
      }
    }
  }

  /** Undoes the event leaving frame i (its child has been explored). */
  private undo(i: number): void {
    const frame = this.stack[i]!;
    const ev = frame.ev!;
    for (let k = ev.fp.length - 1; k >= 0; k--) this.hist[objectOf(ev.fp[k]!)]!.pop();
    this.last[ev.thread] = ev.prevLast;
    frame.ev = null;
  }

  private pop(): void {
    const frame = this.stack.pop()!;
    const stateOf = this.tables.stateOf;
    // what another search sharing the tables finished meanwhile counts too
    const word = !this.tables.shared ? frame.stored : stateOf[2 * frame.id]!;
    // a state explored again keeps what earlier explorations found below it, and sleeps only where all of them slept
    const sum = frame.summary;
    const old = word >>> 3;
    if (old !== 0) {
      const ints = this.summaries.ints;
      for (let t = 0; t < this.T; t++) sum[t] = this.sets.union(ints[old * this.T + t]!, sum[t]!);
    }
    const id = this.summaries.of(sum);
    // finished (off this stack); ids stay below 2^29 (read back with >>>): 2^29 summaries would not fit in memory
    stateOf[2 * frame.id] = (id << 3) | (word & (UNKNOWN | (FLAGS & ~this.onStack))) | (frame.unknown ? UNKNOWN : 0);
    const was = stateOf[2 * frame.id + 1]!;
    stateOf[2 * frame.id + 1] = (was & FINISHED ? was & frame.mask : frame.mask) | FINISHED;
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      this.absorb(parent, parent.ev!, sum, 0);
      if (frame.unknown) parent.unknown = true;
    }
  }

  /** Adds to a frame's summary its event and what lies below it (the T sets at `from[at]`). */
  private absorb(frame: Frame<S, A>, ev: Event<A>, from: Int32Array, at: number): void {
    const acc = frame.summary;
    for (let t = 0; t < this.T; t++) {
      const x = from[at + t]!;
      if (x !== 0 && x !== acc[t]) acc[t] = this.sets.union(acc[t]!, x);
    }
    acc[ev.thread] = this.sets.union(acc[ev.thread]!, ev.fpSet);
  }

  private updateStats(): void {
    this.stats.states = this.visited.size;
    this.stats.elapsedMs = Date.now() - this.started;
    const search = this.searchPhase ?? { states: this.visited.size, ms: this.stats.elapsedMs };
    const proof = { states: this.proofPhase.states + (this.proof?.run.states ?? 0), ms: this.proofPhase.ms };
    this.stats.phases = {
      search,
      ...(this.shrinkPhase ? { shrink: { ...this.shrinkPhase } } : {}),
      ...(this.searchPhase && (proof.states || proof.ms) ? { proof } : {}),
    };
    this.stats.tableBytes = this.tables.bytes;
    this.guard.check();
    this.stats.peakBytes = this.guard.peak;
  }

  private violated(failure: Failure, atEnd: boolean): Result<S, A> | null {
    this.searchPhase = { states: this.visited.size, ms: Date.now() - this.started };
    const top = this.stack.length - 1;
    const events: Event<A>[] = [];
    for (let k = 0; k <= (atEnd ? top - 1 : top); k++) events.push(this.stack[k]!.ev!);
    const run = replay(this.model, this.properties, events.map((e) => e.choice));
    if (!run.failure) throw new Error(`internal: the reduced search's counterexample (${failure.property}) did not replay`);
    let violation: Violation<S, A> = { ...run.failure, steps: run.steps, choices: run.choices };
    const found = violation.steps.length;
    let note = `found at depth ${found} by the reduced search`;
    if (!atEnd) {
      const projected = project(this.model, this.properties, violation, events);
      if (projected && projected.steps.length < found) {
        violation = projected;
        note += `, ${projected.steps.length} steps in the causal past of its last one`;
      }
    }
    const budget = this.proofStates;
    if (budget <= 0) return this.finish(settle(this.model, this.properties, { shortest: false, violation, why: 'not proven shortest: no proof was asked for' }, violation.steps.length, note, this.shrinkTally));
    // Proven first, shrunk only if that fails: a breadth-first search stops at the first level with a
    // violation whatever its depth limit, so a shorter counterexample would not make the proof cheaper
    this.proof = { run: new Proof(this.model, this.properties, violation, budget, this.options.maxMemory), note };
    return null;
  }

  /** the states the proof of a counterexample's length may store (SearchOptions.certifyStates) */
  private get proofStates(): number {
    return this.options.certifyStates ?? PROOF_STATES;
  }

  /** Goes on with the proof until the deadline; a stop ends it with the counterexample unproven. */
  private prove(deadline: number): Result<S, A> | null {
    const p = this.proof!;
    this.updateStats();
    const t0 = Date.now();
    const c = this.stopped ? p.run.stoppedBy(this.stopped) : p.run.work(Math.max(1, deadline - Date.now()));
    this.proofPhase.ms += Date.now() - t0;
    if (!c) return null;
    this.proofPhase.states += p.run.states;
    this.proof = null;
    return this.finish(settle(this.model, this.properties, c, p.run.violation.steps.length, p.note, this.shrinkTally));
  }

  /** the shrinking's phase, made when it first runs */
  private readonly shrinkTally = (): Phase => (this.shrinkPhase ??= { states: 0, ms: 0, runs: 0 });

  private cycle(i: number, target: number): Result<S, A> {
    let c = 0;
    while (this.stack[c]!.id !== target) c++;
    const choices: number[] = [];
    for (let k = 0; k <= i; k++) choices.push(this.stack[k]!.ev!.choice);
    const run = replay(this.model, [], choices);
    const p = this.properties.find((q) => q.coversNonTermination)!;
    return this.finish({
      property: p.id,
      title: p.title,
      message: `a run that never ends: after ${c} steps, ${choices.length - c} steps repeat for ever`,
      steps: run.steps,
      choices: run.choices,
      cycleStart: c,
      shortest: false,
      shortestNote: 'a cycle found by the reduced search',
    });
  }

  private finish(violation?: Violation<S, A>): Result<S, A> {
    this.updateStats();
    const base = { explored: 'exhaustive' as const, reduction: 'dpor' as const, stats: this.stats, properties: this.properties.map((p) => p.id) };
    if (violation) return (this.finished = { ...base, verdict: 'violated', violation });
    if (this.stopped) return (this.finished = { ...base, verdict: 'incomplete', stoppedBy: this.stopped });
    return (this.finished = { ...base, verdict: 'holds' });
  }
}

/** Two sorted lists of access codes, `a` recorded after `b`, conflict (the codes of one object are adjacent). */
function sortedConflict(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const oa = objectOf(a[i]!);
    const ob = objectOf(b[j]!);
    if (oa < ob) i++;
    else if (ob < oa) j++;
    else {
      let i2 = i;
      while (i2 < a.length && objectOf(a[i2]!) === oa) i2++;
      let j2 = j;
      while (j2 < b.length && objectOf(b[j2]!) === oa) j2++;
      for (let x = i; x < i2; x++) for (let y = j; y < j2; y++) if (conflictsInOrder(a[x]!, b[y]!)) return true;
      i = i2;
      j = j2;
    }
  }
  return false;
}

function join(into: Int32Array, o: Int32Array): void {
  for (let t = 0; t < into.length; t++) if (o[t]! > into[t]!) into[t] = o[t]!;
}
