import { MemoryGuard } from './budget.ts';
import { survivors } from './cycles.ts';
import { checkEnd, checkStep } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import type { SharedTable } from './shared-table.ts';
import type { Action, Model, Property } from './types.ts';

/** What one explorer reports. */
export interface PartReport {
  /** transitions followed so far, every level included */
  readonly transitions: number;
  /** states it claimed for the next level */
  readonly claimed: number;
  /** the length of the violation it met (a bound for the rebuilding of the counterexample), or -1 */
  readonly violationLength: number;
  readonly stoppedBy: string | null;
}

interface Item<S> {
  readonly state: S;
  readonly id: number;
}

/** `control[STOP]` is set (by any thread) to ask every explorer to stop at once. */
export const STOP = 0;
/** `control[WANTED + i]` is set by the coordinator when it asks worker i to donate: the worker ends its slice at once to answer */
export const WANTED = 1;

/**
 * One worker's part of a parallel exhaustive search, level by level: it
 * expands the states of the current level it is given (all at depth
 * `depth`), each new successor claimed in the shared fingerprint table by the
 * first worker to reach it and kept for the next level by that worker. The
 * coordinator (parallel.ts) starts a level only when every worker has
 * finished the one before, so the states stored, the transitions and the
 * depth at each level are those of the one-thread breadth-first search,
 * whatever the timing. It stops at the first violation it meets, at the
 * state budget, when its own heap nears its limit, or when another thread
 * sets the shared stop flag; in each case it sets the flag, so all stop
 * within a few expansions. Edges (slot ids) are kept when a property covers
 * non-termination, to look for cycles.
 */
export class SharedExplorer<S, A extends Action> {
  private current: Item<S>[] = [];
  private next: Item<S>[] = [];
  transitions = 0;
  violationLength = -1;
  stoppedBy: string | null = null;
  edges: Int32Array;
  edgeCount = 0;
  /** this thread's heap (the process's resident memory is the coordinator's to watch) */
  private readonly guard = new MemoryGuard();

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly table: SharedTable,
    private readonly control: Int32Array,
    private readonly trackEdges: boolean,
    /** the depth of the first level it is given */
    public depth: number,
    private readonly maxStates = Infinity,
    /** this worker's index (its `control[WANTED + index]`) */
    private readonly index = 0,
  ) {
    this.edges = new Int32Array(trackEdges ? 1 << 12 : 0);
  }

  /** states of the current level still to expand */
  get pending(): number {
    return this.current.length;
  }

  /** States of the current level (already claimed in the table), to expand here. */
  give(items: readonly Item<S>[]): void {
    for (const it of items) this.current.push(it);
  }

  /** Hands back half of the current level's pending states. */
  donate(): Item<S>[] {
    return this.current.splice(0, Math.floor(this.current.length / 2));
  }

  /** The next level: the states this worker claimed. */
  advance(): void {
    this.current = this.next;
    this.next = [];
    this.depth++;
  }

  /** Expands states for about `ms` milliseconds; true when the level's share is done (or it stopped). */
  work(ms: number): boolean {
    const deadline = Date.now() + ms;
    const { model, properties, table, control, depth } = this;
    let tick = 0;
    const wanted = WANTED + this.index;
    while (this.current.length) {
      if (Atomics.load(control, STOP) !== 0) return true;
      // asked to donate: end the slice, so the request is answered now rather than at the slice's end
      if (Atomics.load(control, wanted) !== 0 && this.current.length > 1) {
        Atomics.store(control, wanted, 0);
        return false;
      }
      if ((++tick & 15) === 0) {
        const now = Date.now();
        const heap = this.guard.poll(now);
        if (heap) return this.halt(heap);
        if (now >= deadline) return false;
      }
      const { state, id } = this.current.pop()!;
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        if (checkEnd(properties, state)) {
          this.violationLength = depth;
          return this.halt(null);
        }
        continue;
      }
      for (const action of enabled) {
        const next = model.next(state, action);
        this.transitions++;
        if (checkStep(properties, state, action, next)) {
          this.violationLength = depth + 1;
          return this.halt(null);
        }
        const [hi, lo] = fingerprint(next);
        const added = table.add(hi, lo);
        if (added === null) return this.halt(`the shared state table is full (${table.room.toLocaleString('en-US')} states; raise --max-states)`);
        if (added >= 0) {
          this.next.push({ state: next, id: added });
          if (table.size >= this.maxStates) this.halt(`--max-states ${this.maxStates} reached`);
        }
        if (this.trackEdges) this.edge(id, added >= 0 ? added : -added - 1);
      }
    }
    return true;
  }

  /** Stops this explorer and, through the shared flag, every other one. */
  private halt(reason: string | null): true {
    this.stoppedBy ??= reason;
    Atomics.store(this.control, STOP, 1);
    return true;
  }

  private edge(src: number, dst: number): void {
    if (this.edgeCount * 2 + 2 > this.edges.length) {
      const e = new Int32Array(Math.max(1 << 12, this.edges.length * 2));
      e.set(this.edges);
      this.edges = e;
    }
    this.edges[this.edgeCount * 2] = src;
    this.edges[this.edgeCount * 2 + 1] = dst;
    this.edgeCount++;
  }

  report(): PartReport {
    return { transitions: this.transitions, claimed: this.next.length, violationLength: this.violationLength, stoppedBy: this.stoppedBy };
  }
}

/**
 * Is there a cycle among these edges (pairs of slot ids)? Repeatedly strips
 * nodes with no successor left; a node that survives lies on or leads into a
 * cycle.
 */
export function hasCycle(edgeLists: readonly { edges: Int32Array; count: number }[]): boolean {
  const dense = new Map<number, number>();
  const id = (slot: number): number => {
    let d = dense.get(slot);
    if (d === undefined) dense.set(slot, (d = dense.size));
    return d;
  };
  let m = 0;
  for (const l of edgeLists) m += l.count;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  let k = 0;
  for (const l of edgeLists) {
    for (let e = 0; e < l.count; e++) {
      src[k] = id(l.edges[e * 2]!);
      dst[k] = id(l.edges[e * 2 + 1]!);
      k++;
    }
  }
  return survivors(dense.size, m, src, dst).some((d) => d > 0);
}
