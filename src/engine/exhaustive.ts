import { MemoryGuard } from './budget.ts';
import { survivors } from './cycles.ts';
import { checkEnd, checkStep, type Failure } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import { replay } from './replay.ts';
import type { Search, SearchOptions } from './search.ts';
import type { Action, Hash, Model, Property, Result, Stats, Violation } from './types.ts';
import { VisitedSet } from './visited.ts';

/**
 * Breadth-first search over every reachable state, each state expanded once
 * (64-bit fingerprints). Level by level, so the first violation found is a
 * shortest one: a transition violation found while expanding level d has d + 1
 * steps, and the rest of level d is still scanned for a state with nothing
 * enabled (d steps) before the search stops. When no property fails, the
 * recorded edges are searched for a cycle: a run that never ends.
 */
export class ExhaustiveSearch<S, A extends Action> implements Search<S, A> {
  readonly stats: Stats = { states: 0, transitions: 0, maxDepth: 0, runs: 0, elapsedMs: 0, tableBytes: 0 };
  private readonly visited: VisitedSet;
  /**
   * The level being expanded and the next one: each state, its id and, where the model keeps
   * fingerprints (Model.fingerprints), its fingerprint as two numbers (hi, lo). Side by side
   * rather than one object a state: a level's states live long enough to be copied by the
   * young generation's collector, and every object more is more to copy.
   */
  private level: S[] = [];
  private ids: number[] = [];
  private hashes: number[] = [];
  private nextLevel: S[] = [];
  private nextIds: number[] = [];
  private nextHashes: number[] = [];
  /** the fingerprint of the state expanded, as fingerprints.next takes it */
  private readonly prevHash: [number, number] = [0, 0];
  private readonly keepsHashes: boolean;
  private cursor = 0;
  private depth = 0;
  private found: { id: number; choice: number; failure: Failure } | null = null;
  private foundEnd: { id: number; failure: Failure } | null = null;
  private edgeSrc = new Int32Array(1 << 12);
  private edgeDst = new Int32Array(1 << 12);
  private edges = 0;
  private readonly trackEdges: boolean;
  private stopped: string | null = null;
  /** the depth limit cut a state: the level is still scanned for end states */
  private cutByDepth = false;
  private finished: Result<S, A> | null = null;
  private readonly started = Date.now();
  private readonly guard: MemoryGuard;
  private readonly maxStates: number;
  private readonly depthLimit: number;

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly options: SearchOptions = {},
  ) {
    this.trackEdges = properties.some((p) => p.coversNonTermination);
    this.guard = new MemoryGuard(options.maxMemory);
    this.maxStates = options.maxStates ?? Infinity;
    this.depthLimit = options.depthLimit ?? Infinity;
    this.visited = new VisitedSet();
    const init = model.init();
    this.keepsHashes = !!model.fingerprints;
    const [hi, lo] = model.fingerprints?.of(init) ?? fingerprint(init);
    this.visited.add(hi, lo, -1, -1);
    this.level.push(init);
    this.ids.push(0);
    if (this.keepsHashes) this.hashes.push(hi, lo);
    this.stats.states = 1;
  }

  get frontier(): number {
    return this.level.length - this.cursor + this.nextLevel.length;
  }

  stop(reason: string): void {
    this.stopped ??= reason;
  }

  /** Works for about `budgetMs` milliseconds; returns the result once there is one. */
  work(budgetMs: number): Result<S, A> | null {
    if (this.finished) return this.finished;
    const deadline = Date.now() + budgetMs;
    const { model, properties, visited, stats } = this;
    const { maxStates, depthLimit } = this;
    const successors = model.successors;
    let tick = 0;
    for (;;) {
      if (this.cursor >= this.level.length) {
        if (this.foundEnd || this.found) return this.finish();
        if (this.nextLevel.length === 0) return this.finish();
        this.level = this.nextLevel;
        this.ids = this.nextIds;
        this.hashes = this.nextHashes;
        this.nextLevel = [];
        this.nextIds = [];
        this.nextHashes = [];
        this.cursor = 0;
        this.depth++;
        stats.maxDepth = this.depth;
      }
      if (this.stopped && !this.cutByDepth) return this.finish();
      // the clock every 16 expansions (a wide state takes up to a millisecond), memory every 50 ms of it
      if ((++tick & 15) === 0) {
        const now = Date.now();
        const memory = this.guard.poll(now);
        if (memory) this.stop(memory);
        if (now >= deadline) {
          this.updateStats();
          return null;
        }
      }
      const at = this.cursor++;
      const state = this.level[at]!;
      const id = this.ids[at]!;
      const hash = this.keepsHashes ? this.prevHash : undefined;
      if (hash) {
        hash[0] = this.hashes[2 * at]!;
        hash[1] = this.hashes[2 * at + 1]!;
      }
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        const failure = checkEnd(properties, state);
        if (failure && !this.foundEnd) this.foundEnd = { id, failure };
        continue;
      }
      if (this.found) continue; // only looking for a shorter end-state violation now
      if (this.depth >= depthLimit) {
        this.stop(`depth limit ${depthLimit} reached`);
        this.cutByDepth = true;
        continue;
      }
      for (let i = 0; i < enabled.length; i++) {
        const action = enabled[i]!;
        // peeked where the model can (Model.successors): kept, below, only when new
        const next = successors ? successors.peek(state, action) : model.next(state, action);
        stats.transitions++;
        const failure = checkStep(properties, state, action, next);
        if (failure) {
          this.found = { id, choice: i, failure };
          break;
        }
        const h = hash ? model.fingerprints!.next(state, hash, next) : undefined;
        const [hi, lo] = h ?? fingerprint(next);
        const added = visited.add(hi, lo, id, i);
        if (added >= 0) {
          this.nextLevel.push(successors ? successors.keep(state, next) : next);
          this.nextIds.push(added);
          if (h) this.nextHashes.push(hi, lo);
          if (visited.size >= maxStates) this.stop(`--max-states ${maxStates} reached`);
        }
        if (this.trackEdges) this.addEdge(id, added >= 0 ? added : -added - 1);
      }
    }
  }

  private addEdge(src: number, dst: number): void {
    if (this.edges === this.edgeSrc.length) {
      const s = new Int32Array(this.edges * 2);
      s.set(this.edgeSrc);
      this.edgeSrc = s;
      const d = new Int32Array(this.edges * 2);
      d.set(this.edgeDst);
      this.edgeDst = d;
    }
    this.edgeSrc[this.edges] = src;
    this.edgeDst[this.edges] = dst;
    this.edges++;
  }

  private updateStats(): void {
    this.stats.states = this.visited.size;
    this.stats.elapsedMs = Date.now() - this.started;
    this.stats.tableBytes = this.visited.bytes + this.edgeSrc.byteLength * 2;
    this.stats.phases = { search: { states: this.visited.size, ms: this.stats.elapsedMs } };
    this.guard.check();
    this.stats.peakBytes = this.guard.peak;
  }

  private finish(): Result<S, A> {
    this.updateStats();
    const base = { explored: 'exhaustive' as const, stats: this.stats, properties: this.properties.map((p) => p.id) };
    if (this.foundEnd) {
      return (this.finished = { ...base, verdict: 'violated', violation: this.violation(this.visited.pathTo(this.foundEnd.id)) });
    }
    if (this.found) {
      const path = [...this.visited.pathTo(this.found.id), this.found.choice];
      return (this.finished = { ...base, verdict: 'violated', violation: this.violation(path) });
    }
    if (this.stopped) return (this.finished = { ...base, verdict: 'incomplete', stoppedBy: this.stopped });
    const cycle = this.trackEdges ? this.findCycle() : null;
    if (cycle) return (this.finished = { ...base, verdict: 'violated', violation: cycle });
    return (this.finished = { ...base, verdict: 'holds' });
  }

  private violation(choices: number[]): Violation<S, A> {
    const run = replay(this.model, this.properties, choices);
    if (!run.failure) throw new Error('internal: a counterexample did not replay to its violation');
    // found level by level, with a depth limit or not: no shorter run violates
    return { ...run.failure, steps: run.steps, choices: run.choices, shortest: true };
  }

  /**
   * A cycle in the state graph: strip every state that cannot reach a cycle
   * (repeatedly remove states with no remaining successor); what is left has a
   * successor inside itself, so walking successors from the earliest-found
   * survivor must revisit a state. Reported as a lasso: prefix, then the cycle.
   */
  private findCycle(): Violation<S, A> | null {
    const n = this.visited.size;
    const m = this.edges;
    const outdeg = survivors(n, m, this.edgeSrc, this.edgeDst);
    if (!outdeg.some((d) => d > 0)) return null;
    // successor lists of the survivors
    const succ = new Map<number, number[]>();
    for (let e = 0; e < m; e++) {
      const s = this.edgeSrc[e]!;
      const d = this.edgeDst[e]!;
      if (outdeg[s]! > 0 && outdeg[d]! > 0) {
        let list = succ.get(s);
        if (!list) succ.set(s, (list = []));
        list.push(d);
      }
    }
    let start = 0;
    while (outdeg[start] === 0) start++;
    const seenAt = new Map<number, number>();
    const walk: number[] = [];
    let v = start;
    while (!seenAt.has(v)) {
      seenAt.set(v, walk.length);
      walk.push(v);
      v = succ.get(v)![0]!;
    }
    const loop = walk.slice(seenAt.get(v)!);
    return this.lasso(loop);
  }

  private lasso(loop: number[]): Violation<S, A> {
    const prefix = this.visited.pathTo(loop[0]!);
    const run = replay(this.model, [], prefix);
    let state = run.steps.length ? run.steps[run.steps.length - 1]!.state : run.init;
    const hashOf = (s: S): Hash => this.model.fingerprints?.of(s) ?? fingerprint(s);
    const steps = [...run.steps];
    const choices = [...run.choices];
    // follow the loop by fingerprint back to its first state
    for (let k = 1; k <= loop.length; k++) {
      const target = loop[k % loop.length]!;
      const enabled = this.model.actions(state);
      let moved = false;
      for (let i = 0; i < enabled.length; i++) {
        const next = this.model.next(state, enabled[i]!);
        const [hi, lo] = hashOf(next);
        if (this.visited.get(hi, lo) === target) {
          steps.push({ action: enabled[i]!, state: next });
          choices.push(i);
          state = next;
          moved = true;
          break;
        }
      }
      if (!moved) throw new Error('internal: cycle edge not found on replay');
    }
    const p = this.properties.find((q) => q.coversNonTermination)!;
    return {
      property: p.id,
      title: p.title,
      message: `a run that never ends: after ${prefix.length} steps, ${loop.length} steps repeat for ever`,
      steps,
      choices,
      cycleStart: prefix.length,
    };
  }
}
