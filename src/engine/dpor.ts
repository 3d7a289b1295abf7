import { conflicts, footprintsConflict } from './access.ts';
import { checkEnd, checkStep, type Failure } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import { replay } from './replay.ts';
import { certify, project } from './shorten.ts';
import type { Search, SearchOptions } from './search.ts';
import { SummaryTable } from './summaries.ts';
import { threadOf, type Action, type Model, type PorSupport, type Property, type Result, type Stats, type Violation } from './types.ts';
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
  /** vector clock: vc[t] = how many events of thread t happen before or at this one */
  readonly vc: Int32Array;
  readonly seq: number;
  /** the thread's previous event on the stack, restored when this one is undone */
  readonly prevLast: number;
}

interface Frame<S, A> {
  readonly state: S;
  readonly id: number;
  readonly enabled: readonly A[];
  /** thread → index in `enabled`, or -1 */
  readonly index: Int32Array;
  /** threads to explore from here (a source set, grown by races) */
  readonly todo: number[];
  readonly queued: Uint8Array;
  /** the summary of what has been explored below, so far */
  summary: number;
  /** what lies below is not fully known (a cycle goes through here): the summary is TOP */
  unknown: boolean;
  ev: Event<A> | null;
  /** sleep set: threads whose next step is explored elsewhere, with its footprint */
  readonly sleep: Map<number, readonly number[]>;
  /** threads explored from here, with the footprint of their step */
  readonly explored: Map<number, readonly number[]>;
  /** experimental: per (thread, access) of the future, the cone of what it depends on */
  cone: Cone;
}

type Cone = Map<number, { ea: ReadonlySet<number>; et: number }>;
const KEY = 1 << 20;
const EMPTY_SET: ReadonlySet<number> = new Set();

const ON_STACK = 1;
const FINISHED = 2;

/**
 * Stateful dynamic partial-order reduction (Flanagan–Godefroid DPOR with
 * source sets, Abdulla et al.), depth first, each state stored once by its
 * 64-bit fingerprint.
 *
 * - Each transition's footprint is recorded by the model (`model.por`), with
 *   the objects the properties observe at that transition added as reads.
 *   Two transitions conflict when their footprints do (src/engine/access.ts);
 *   happens-before is kept with vector clocks.
 * - When a transition races with an earlier one of another thread (they
 *   conflict, and nothing else orders them), the search adds to the earlier
 *   state a thread that starts the reversed order. When a transition disables
 *   a thread that was enabled, that thread is added to its state.
 * - State caching: a state already finished is not explored again, but what
 *   its explored future touches (its summary, per thread) is checked for
 *   races against the current stack as if it were executed; a state on the
 *   stack (a cycle) makes every state of the stack fully expanded, and a
 *   property that covers non-termination reports the cycle.
 *
 * Every reachable end state is reached (deadlocks, leaks: P3, P5, P9), and
 * every transition a property observes is checked in the same context of the
 * objects it observes, so verdicts are those of the plain search
 * (test/por.test.ts compares them). The counterexample is the stack, then
 * projected onto the causal past of its last transition (src/engine/shorten.ts).
 */
export class DporSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
  private readonly por: PorSupport<S, A>;
  private readonly T: number;
  private readonly visited = new VisitedSet();
  private status = new Uint8Array(1 << 12);
  private summaryOf = new Int32Array(1 << 12);
  /** the sleep set a state was explored with (threads below 31), to explore again if one wakes */
  private sleepOf = new Int32Array(1 << 12);
  private readonly summaries: SummaryTable;
  private readonly emptySummary: number;
  private rootChecked = false;
  private readonly stack: Frame<S, A>[] = [];
  /** per object id: the accesses of the stack's events, packed as event index × 4 + kind */
  private readonly hist: number[][] = [];
  private readonly last: Int32Array;
  private readonly zero: Int32Array;
  private readonly observers: Property<S, A>[];
  private stopped: string | null = null;
  private finished: Result<S, A> | null = null;
  private readonly started = Date.now();
  private readonly trackCycles: boolean;
  private readonly stay: boolean;
  private fgSummary = false;
  private readonly coneOf = new Map<number, Cone>();

  /** experimental: the races of a cached state's future, with the cones' happens-before */
  private coneRaces(top: number, cone: Cone): void {
    for (const [key, { ea, et }] of cone) {
      const q = Math.floor(key / KEY);
      const c = key % KEY;
      const h = this.hist[c >> 2];
      if (!h || h.length === 0) continue;
      const ql = this.last[q]!;
      const clock = (ql >= 0 ? this.stack[ql]!.ev!.vc : this.zero).slice();
      const join = (o: Int32Array): void => {
        for (let t = 0; t < this.T; t++) if (o[t]! > clock[t]!) clock[t] = o[t]!;
      };
      for (let r = 0; r < Math.min(31, this.T); r++) if ((et >>> r) & 1 && this.last[r]! >= 0) join(this.stack[this.last[r]!]!.ev!.vc);
      for (const a of ea) {
        const ha = this.hist[a >> 2];
        if (!ha) continue;
        for (let k = ha.length - 1; k >= 0; k--) {
          const e = ha[k]!;
          if (conflicts(a, ((a >> 2) << 2) | (e & 3))) join(this.stack[e >> 2]!.ev!.vc);
          if ((e & 3) === 1) break;
        }
      }
      for (let k = h.length - 1; k >= 0; k--) {
        const e = h[k]!;
        const j = e >> 2;
        const ej = this.stack[j]!.ev!;
        if (ej.thread !== q && conflicts(c, ((c >> 2) << 2) | (e & 3)) && clock[ej.thread]! < ej.seq) {
          this.coneEt = et;
          this.reverse(j, q, top, false);
          this.coneEt = -1;
          break;
        }
        if ((e & 3) === 1) break;
      }
    }
  }
  private coneEt = -1;
  /** transitions that reached a finished state whose summary showed no race with the stack */
  cacheHits = 0;
  /** transitions that reached a finished state explored again, its summary racing with the stack */
  reexplored = 0;

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: SearchOptions & { readonly porOrder?: 'stay' | 'lowest' } = {},
  ) {
    if (!model.por) throw new Error(`model ${model.name} records no footprints: partial-order reduction needs model.por`);
    this.por = model.por;
    this.T = this.por.threads;
    this.last = new Int32Array(this.T).fill(-1);
    this.zero = new Int32Array(this.T);
    this.summaries = new SummaryTable(this.T);
    this.emptySummary = this.summaries.empty;
    this.observers = properties.filter((p) => p.onStep && p.observes);
    this.trackCycles = properties.some((p) => p.coversNonTermination);
    this.stay = (options.porOrder ?? 'stay') === 'stay';
    const init = model.init();
    const [hi, lo] = fingerprint(init);
    const id = this.visited.add(hi, lo, -1, -1);
    this.mark(id, ON_STACK);
    this.push(init, id, -1);
  }

  /** Every property with a step check must say what it observes, or the reduction would be unsound. */
  static supports<S, A extends Action>(model: Model<S, A>, properties: readonly Property<S, A>[]): string | null {
    if (!model.por) return `model ${model.name} records no footprints`;
    const blind = properties.filter((p) => p.onStep && !p.observes).map((p) => p.id);
    return blind.length ? `${blind.join(', ')} do not say what they observe` : null;
  }

  get frontier(): number {
    return this.stack.length;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  private mark(id: number, st: number): void {
    if (id >= this.status.length) {
      const n = Math.max(id + 1, this.status.length * 2);
      const s = new Uint8Array(n);
      s.set(this.status);
      this.status = s;
      const m = new Int32Array(n);
      m.set(this.summaryOf);
      this.summaryOf = m;
      const z = new Int32Array(n);
      z.set(this.sleepOf);
      this.sleepOf = z;
    }
    this.status[id] = st;
  }

  private push(state: S, id: number, preferred: number, sleep: Map<number, readonly number[]> = new Map()): void {
    const enabled = this.model.actions(state);
    const index = new Int32Array(this.T).fill(-1);
    for (let k = 0; k < enabled.length; k++) index[threadOf(enabled[k]!)] = k;
    const frame: Frame<S, A> = {
      state,
      id,
      enabled,
      index,
      todo: [],
      queued: new Uint8Array(this.T),
      summary: this.emptySummary,
      unknown: false,
      ev: null,
      sleep,
      explored: new Map(),
      cone: new Map(),
    };
    let first = this.stay && preferred >= 0 && index[preferred]! >= 0 && !sleep.has(preferred) ? preferred : -1;
    if (first < 0) {
      const list = process.env.DPOR_HIGH ? [...enabled].reverse() : enabled;
      const a = list.find((x) => !sleep.has(threadOf(x)));
      if (a) first = threadOf(a);
    }
    if (first >= 0) {
      frame.todo.push(first);
      frame.queued[first] = 1;
    }
    let mask = 0;
    for (const t of sleep.keys()) if (t < 31) mask |= 1 << t;
    this.sleepOf[id] = mask;
    if (enabled.length) this.added.first++;
    this.stack.push(frame);
    if (this.stack.length - 1 > this.stats.maxDepth) this.stats.maxDepth = this.stack.length - 1;
  }

  readonly fallbacks = { blockedReal: 0, blockedSummary: 0, noInitial: 0, cycle: 0, top: 0 };
  /** debugging: how many threads each rule added */
  readonly added = { first: 0, race: 0, disabled: 0, summary: 0, full: 0 };
  private why: keyof DporSearch<S, A>['added'] = 'first';

  private enqueue(frame: Frame<S, A>, thread: number): void {
    if (frame.queued[thread] || frame.sleep.has(thread)) return;
    this.added[this.why]++;
    frame.queued[thread] = 1;
    frame.todo.push(thread);
  }

  private expandAll(frame: Frame<S, A>): void {
    this.why = 'full';
    for (const a of frame.enabled) this.enqueue(frame, threadOf(a));
  }

  /** j happens before k (both on the stack, j < k) */
  private hb(j: number, k: number): boolean {
    const ej = this.stack[j]!.ev!;
    return this.stack[k]!.ev!.vc[ej.thread]! >= ej.seq;
  }

  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    const maxStates = this.options.maxStates ?? Infinity;
    let tick = 0;
    if (!this.rootChecked) {
      this.rootChecked = true;
      const root = this.stack[0]!;
      if (root.enabled.length === 0) {
        const end = checkEnd(this.properties, root.state);
        if (end) return this.finish({ ...end, steps: [], choices: [] });
      }
    }
    for (;;) {
      if (this.stopped) return this.finish();
      if ((++tick & 255) === 0) {
        if (Date.now() >= deadline) {
          this.updateStats();
          return null;
        }
      }
      const depth = this.stack.length - 1;
      if (depth < 0) return this.finish();
      const frame = this.stack[depth]!;
      if (frame.ev) this.undo(depth);
      if (frame.todo.length === 0) {
        this.pop();
        continue;
      }
      const thread = frame.todo.pop()!;
      const result = this.execute(depth, thread);
      if (result) return result;
      if (this.visited.size >= maxStates) this.stop(`--max-states ${maxStates} reached`);
    }
  }

  /** Runs thread `thread` from the top frame; returns a result when the search ends. */
  private execute(i: number, thread: number): Result<S, A> | null {
    const frame = this.stack[i]!;
    const choice = frame.index[thread]!;
    const action = frame.enabled[choice]!;
    const { next, footprint } = this.por.traced(frame.state, action);
    this.stats.transitions++;
    let fp = footprint as number[];
    if (this.observers.length) {
      for (const p of this.observers) {
        const names = p.observes!(frame.state, action, next);
        if (names.length) {
          if (fp === footprint) fp = fp.slice();
          for (const n of names) fp.push(this.por.observe(next, n));
        }
      }
    }
    // vector clock: the thread's previous event, and every earlier conflicting event
    const prevLast = this.last[thread]!;
    const base = prevLast >= 0 ? this.stack[prevLast]!.ev!.vc : this.zero;
    const vc = base.slice();
    const seq = base[thread]! + 1;
    const direct = this.directPredecessors(thread, fp);
    for (const j of direct) {
      const o = this.stack[j]!.ev!.vc;
      for (let t = 0; t < this.T; t++) if (o[t]! > vc[t]!) vc[t] = o[t]!;
    }
    vc[thread] = seq;
    // races: a direct predecessor that nothing later orders before this event
    if (direct.length) {
      direct.sort((a, b) => b - a);
      const acc = base.slice();
      for (const j of direct) {
        const ej = this.stack[j]!.ev!;
        this.why = 'race';
        if (acc[ej.thread]! < ej.seq) this.reverse(j, thread, i, true);
        const o = ej.vc;
        for (let t = 0; t < this.T; t++) if (o[t]! > acc[t]!) acc[t] = o[t]!;
      }
    }
    const ev: Event<A> = { thread, choice, action, fp, fpSet: this.summaries.codes.of(fp), vc, seq, prevLast };
    frame.ev = ev;
    this.last[thread] = i;
    for (const c of fp) {
      const id = c >> 2;
      let h = this.hist[id];
      if (!h) this.hist[id] = h = [];
      h.push(i * 4 + (c & 3));
    }
    const failure = checkStep(this.properties, frame.state, action, next);
    if (failure) return this.violated(failure, false);

    const [hi, lo] = fingerprint(next);
    const added = this.visited.add(hi, lo, -1, -1);
    const childSleep = new Map<number, readonly number[]>();
    if (!process.env.DPOR_NOSLEEP) for (const src of [frame.sleep, frame.explored]) {
      for (const [u, fu] of src) if (u !== thread && !footprintsConflict(fu, fp)) childSleep.set(u, fu);
    }
    frame.explored.set(thread, fp);
    if (added >= 0) return this.descend(i, next, added, thread, childSleep);
    const id = -added - 1;
    if (this.status[id] === ON_STACK) {
      this.disabledBy(i, this.model.actions(next), thread);
      if (this.trackCycles) return this.cycle(i, id);
      this.fallbacks.cycle++;
      for (const f of this.stack) {
        this.expandAll(f);
        f.unknown = true;
      }
      return null;
    }
    const summary = this.summaryOf[id]!;
    // explored before with threads asleep that are awake now: explore it again (what was done is cached below)
    let mask = 0;
    for (const t of childSleep.keys()) if (t < 31) mask |= 1 << t;
    const wasAsleep = this.sleepOf[id]!;
    const woken = (wasAsleep & ~mask) !== 0 || (this.T > 31 && childSleep.size === 0 && wasAsleep !== 0);
    if (woken) this.sleepOf[id] = wasAsleep & mask;
    if (summary === SummaryTable.TOP || woken || process.env.DPOR_MODE === 'stateless' || (process.env.DPOR_MODE === 'reexplore' && this.racesBelow(i, summary, next))) {
      // what was explored below this state may race with the current stack: explore it again here
      this.reexplored++;
      return this.descend(i, next, id, thread, childSleep);
    }
    this.cacheHits++;
    if (process.env.DPOR_MODE === 'cone') {
      const cone = this.coneOf.get(id) ?? new Map();
      this.why = 'summary';
      this.coneRaces(i, cone);
      frame.cone = coneUnion(frame.cone, coneWithEvent(cone, thread, fp));
    } else if (process.env.DPOR_MODE !== 'reexplore' && process.env.DPOR_MODE !== 'nosummary') {
      this.why = 'summary';
      this.fgSummary = true;
      this.racesBelow(i, summary, next);
      this.fgSummary = false;
    }
    this.disabledBy(i, this.model.actions(next), thread);
    frame.summary = this.summaries.union(frame.summary, this.summaries.withEvent(summary, thread, ev.fpSet));
    return null;
  }

  /** Pushes the state the event leaving frame i reached, to be explored. */
  private descend(i: number, next: S, id: number, thread: number, sleep: Map<number, readonly number[]>): Result<S, A> | null {
    this.mark(id, ON_STACK);
    this.push(next, id, thread, sleep);
    const child = this.stack[i + 1]!;
    this.disabledBy(i, child.enabled, thread);
    if (child.enabled.length === 0) {
      const end = checkEnd(this.properties, next);
      if (end) return this.violated(end, true);
    }
    return null;
  }

  /** A thread enabled before and disabled after the event leaving frame i could have gone first. */
  private disabledBy(i: number, after: readonly A[], thread: number): void {
    const frame = this.stack[i]!;
    this.why = 'disabled';
    for (const a of frame.enabled) {
      const q = threadOf(a);
      if (q !== thread && !after.some((x) => threadOf(x) === q)) this.enqueue(frame, q);
    }
  }

  /** Earlier events of other threads whose accesses conflict with `fp` (back to the last write of each object). */
  private directPredecessors(thread: number, fp: readonly number[]): number[] {
    const out: number[] = [];
    for (const c of fp) {
      const h = this.hist[c >> 2];
      if (!h) continue;
      for (let k = h.length - 1; k >= 0; k--) {
        const e = h[k]!;
        const j = e >> 2;
        const kind = e & 3;
        if (conflicts(c, ((c >> 2) << 2) | kind) && this.stack[j]!.ev!.thread !== thread && !out.includes(j)) out.push(j);
        if (kind === 1) break; // a write: everything before it happens before it
      }
    }
    return out;
  }

  /**
   * Event j (on the stack) races with a later transition of `thread`: make the
   * state before j explore an order that starts the reversal. `upTo` is the
   * index of the later event (or the top, for a summary); `real` says the
   * later event is on the stack (so it may be an initial itself).
   */
  readonly raceLog = new Map<string, number>();
  private reverse(j: number, thread: number, upTo: number, real: boolean): void {
    const frame = this.stack[j]!;
    if (process.env.DPOR_LOG && real) {
      const ej = frame.ev!;
      const top = this.stack[upTo]!;
      const q = top.ev && top.ev.thread === thread ? top.ev.action : top.enabled.find((x) => threadOf(x) === thread);
      const key = `${real ? 'real' : 'summ'} ${this.model.actors[ej.action.actor]}:${ej.action.label} vs t${thread}${real && q ? ':' + q.label : ''} ${frame.index[thread]! >= 0 ? 'en' : 'dis'}`;
      this.raceLog.set(key, (this.raceLog.get(key) ?? 0) + 1);
    }
    if (frame.queued[thread]) return;
    if (frame.index[thread]! >= 0) {
      this.enqueue(frame, thread);
      return;
    }
    // the thread is disabled before j: start with an initial of the events after j
    // that do not depend on j (each is enabled before j)
    const first = new Int32Array(this.T).fill(0x7fffffff);
    let candidate = -1;
    let blocked = false;
    const end = real ? upTo : upTo + 1;
    for (let k = j + 1; k < end; k++) {
      if (this.hb(j, k)) continue;
      const ek = this.stack[k]!.ev!;
      let initial = first[ek.thread] === 0x7fffffff;
      if (initial) {
        for (let t = 0; t < this.T; t++) {
          if (t !== ek.thread && first[t]! !== 0x7fffffff && ek.vc[t]! >= first[t]!) {
            initial = false;
            break;
          }
        }
      }
      if (first[ek.thread] === 0x7fffffff) first[ek.thread] = ek.seq;
      if (!initial) continue;
      if (frame.queued[ek.thread] || frame.sleep.has(ek.thread)) return; // an initial is already explored from there
      if (frame.index[ek.thread]! < 0) blocked = true;
      else if (candidate < 0) candidate = ek.thread;
    }
    if (candidate < 0 && !real && this.coneEt >= 0) {
      // the racing future step's cone: a thread of it that has not moved since j starts the reversal
      for (let r = 0; r < this.T && candidate < 0; r++) {
        if (r !== thread && !(r < 31 && (this.coneEt >>> r) & 1)) continue;
        if (frame.index[r]! < 0) continue;
        if (this.last[r]! > j) continue;
        if (frame.queued[r] || frame.sleep.has(r)) return;
        candidate = r;
      }
    }
    if (candidate >= 0) this.enqueue(frame, candidate);
    // no initial is enabled before j (not expected), or a summary's thread has no initial on the stack: be safe
    else if (blocked || !real) {
      this.fallbacks[blocked ? (real ? 'blockedReal' : 'blockedSummary') : 'noInitial']++;
      this.expandAll(frame);
    }
  }

  /**
   * The races of a finished state's explored future (its summary) with the
   * stack, as Flanagan and Godefroid's update would find them if each future
   * transition of a thread q were q's next one: for each object q's future
   * touches, the latest conflicting stack event of another thread that is not
   * known to happen before q's first step below the state. That first step
   * happens after q's last event and after the stack events its own footprint
   * (or, for a thread blocked there, its guard) conflicts with, such as the
   * wake-up that will let it run.
   */
  private racesBelow(top: number, summary: number, state: S): boolean {
    const sets = this.summaries.sets(summary);
    const codes = this.summaries.codes;
    let enabled: readonly A[] | null = null;
    for (let q = 0; q < this.T; q++) {
      const set = sets[q]!;
      if (set === 0) continue;
      enabled ??= this.model.actions(state);
      const a = enabled.find((x) => threadOf(x) === q);
      const first = a ? this.por.traced(state, a).footprint : (this.por.guardReads(state, q) ?? []);
      const ql = this.last[q]!;
      const clock = (ql >= 0 ? this.stack[ql]!.ev!.vc : this.zero).slice();
      for (const j of this.directPredecessors(q, first)) {
        const o = this.stack[j]!.ev!.vc;
        for (let t = 0; t < this.T; t++) if (o[t]! > clock[t]!) clock[t] = o[t]!;
      }
      const arr = codes.sets[set]!;
      let prevObj = -1;
      for (let n = 0; n < arr.length; n++) {
        const c = arr[n]!;
        const h = this.hist[c >> 2];
        if (!h || h.length === 0) continue;
        if (c >> 2 === prevObj && (c & 3) === 0) continue; // a read after a write of the same object: covered
        prevObj = c >> 2;
        for (let k = h.length - 1; k >= 0; k--) {
          const e = h[k]!;
          const j = e >> 2;
          const ej = this.stack[j]!.ev!;
          if (ej.thread !== q && conflicts(c, ((c >> 2) << 2) | (e & 3))) {
            if (clock[ej.thread]! < ej.seq) {
              if (!this.fgSummary) return true;
              if (process.env.DPOR_LOG) {
                const key = `summ ${this.model.actors[ej.action.actor]}:${ej.action.label} vs t${q} on ${this.por.describeAccess!(c)} ${this.stack[j]!.index[q]! >= 0 ? 'en' : 'dis'}`;
                this.raceLog.set(key, (this.raceLog.get(key) ?? 0) + 1);
              }
              this.reverse(j, q, top, false);
              break;
            }
          }
          if ((e & 3) === 1) break;
        }
      }
    }
    return false;
  }

  private conflictsWithSet(fp: readonly number[], set: Int32Array): boolean {
    for (const c of fp) {
      const base = (c >> 2) << 2;
      // the set is sorted: the four kinds of one object are adjacent
      let lo = 0;
      let hi = set.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (set[mid]! < base) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < set.length && set[k]! < base + 4; k++) if (conflicts(c, set[k]!)) return true;
    }
    return false;
  }

  /** Undoes the event leaving frame i (its child has been explored). */
  private undo(i: number): void {
    const frame = this.stack[i]!;
    const ev = frame.ev!;
    for (let k = ev.fp.length - 1; k >= 0; k--) this.hist[ev.fp[k]! >> 2]!.pop();
    this.last[ev.thread] = ev.prevLast;
    frame.ev = null;
  }

  private pop(): void {
    const frame = this.stack.pop()!;
    let summary = frame.unknown ? SummaryTable.TOP : frame.summary;
    // a state explored again keeps what its earlier explorations found below it
    if (this.status[frame.id] === ON_STACK && this.summaryOf[frame.id]! > 0) summary = this.summaries.union(summary, this.summaryOf[frame.id]!);
    this.status[frame.id] = FINISHED;
    this.summaryOf[frame.id] = summary;
    const old = this.coneOf.get(frame.id);
    const cone = old ? coneUnion(old, frame.cone) : frame.cone;
    if (process.env.DPOR_MODE === 'cone') this.coneOf.set(frame.id, cone);
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      const ev = parent.ev!;
      if (process.env.DPOR_MODE === 'cone') parent.cone = coneUnion(parent.cone, coneWithEvent(cone, ev.thread, ev.fp));
      parent.summary = this.summaries.union(parent.summary, this.summaries.withEvent(summary, ev.thread, ev.fpSet));
    }
  }

  private updateStats(): void {
    this.stats.states = this.visited.size;
    this.stats.elapsedMs = Date.now() - this.started;
    this.stats.tableBytes = this.visited.bytes + this.status.byteLength + this.summaryOf.byteLength + this.summaries.bytes;
  }

  /** The stack's choices (and events) up to and including frame `upTo`'s event. */
  private path(upTo: number): { choices: number[]; events: Event<A>[] } {
    const events: Event<A>[] = [];
    for (let k = 0; k <= upTo; k++) {
      const ev = this.stack[k]!.ev;
      if (ev) events.push(ev);
    }
    return { choices: events.map((e) => e.choice), events };
  }

  private violated(failure: Failure, atEnd: boolean): Result<S, A> {
    const top = this.stack.length - 1;
    const { choices, events } = this.path(atEnd ? top - 1 : top);
    const run = replay(this.model, this.properties, choices);
    if (!run.failure) throw new Error(`internal: the reduced search's counterexample (${failure.property}) did not replay`);
    let violation: Violation<S, A> = { ...run.failure, steps: run.steps, choices: run.choices };
    const found = violation.steps.length;
    let note = `found at depth ${found} by the reduced search`;
    if (!atEnd) {
      const projected = project(this.model, this.properties, violation, events);
      if (projected && projected.steps.length < found) {
        violation = projected;
        note += `, projected onto the causal past of its last step (${projected.steps.length} steps)`;
      }
    }
    const budget = this.options.certifyStates ?? 1_000_000;
    if (budget > 0) {
      this.updateStats();
      const length = violation.steps.length;
      const c = certify(this.model, this.properties, violation, budget);
      violation = {
        ...c.violation,
        shortest: c.shortest,
        shortestNote: c.shortest ? `${note}; breadth-first search to depth ${length} gives the shortest` : `${note}; ${c.why}`,
      };
    } else violation = { ...violation, shortest: false, shortestNote: note };
    return this.finish(violation);
  }

  private cycle(i: number, target: number): Result<S, A> {
    let c = 0;
    while (this.stack[c]!.id !== target) c++;
    const { choices } = this.path(i);
    const run = replay(this.model, [], choices);
    const p = this.properties.find((q) => q.coversNonTermination)!;
    const loop = choices.length - c;
    return this.finish({
      property: p.id,
      title: p.title,
      message: `a run that never ends: after ${c} steps, ${loop} steps repeat for ever`,
      steps: run.steps,
      choices: run.choices,
      cycleStart: c,
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

function conflictsAny(fp: Iterable<number>, set: ReadonlySet<number>): boolean {
  for (const c of fp) {
    const base = (c >> 2) << 2;
    for (let k = 0; k < 4; k++) if (set.has(base + k) && conflicts(c, base + k)) return true;
  }
  return false;
}

function coneWithEvent(cone: Cone, t: number, fp: readonly number[]): Cone {
  const out: Cone = new Map();
  const fset = new Set(fp);
  for (const [key, v] of cone) {
    const q = Math.floor(key / KEY);
    const c = key % KEY;
    const inP = q === t || (t < 31 && (v.et >>> t) & 1) === 1 || conflictsAny(fset, v.ea) || conflictsAny([c], fset);
    out.set(key, inP ? { ea: new Set([...v.ea, ...fp]), et: v.et | (t < 31 ? 1 << t : 0) } : v);
  }
  for (const c of fp) out.set(t * KEY + c, { ea: EMPTY_SET, et: 0 });
  return out;
}

function coneUnion(a: Cone, b: Cone): Cone {
  if (a.size === 0) return b;
  if (b.size === 0) return a;
  const out: Cone = new Map(a);
  for (const [key, v] of b) {
    const w = out.get(key);
    if (!w) out.set(key, v);
    else out.set(key, { ea: new Set([...w.ea].filter((x) => v.ea.has(x))), et: w.et & v.et });
  }
  return out;
}
