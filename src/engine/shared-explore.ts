import { MemoryGuard } from './budget.ts';
import { survivors } from './cycles.ts';
import { checkEnd, checkStep } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import type { SharedTable } from './shared-table.ts';
import type { Action, Model, Property } from './types.ts';

/** What one explorer reports. */
export interface PartReport {
  /** transitions followed so far */
  readonly transitions: number;
  /** the deepest state it expanded, along the paths it took (not the breadth-first depth) */
  readonly deepest: number;
  /** the length of the violation it met (a bound for the rebuilding of the counterexample), or -1 */
  readonly violationLength: number;
  /** where: the slot of the state, and the index of the action that breaks a property there (-1: the state is a violating end) */
  readonly violationAt: readonly [slot: number, choice: number];
  readonly stoppedBy: string | null;
}

interface Item<S> {
  readonly state: S;
  readonly id: number;
  readonly depth: number;
}

/** `control[STOP]` is set (by any thread) to ask every explorer to stop at once. */
export const STOP = 0;
/** `control[WANTED + i]` is set by the coordinator when it asks worker i to donate: the worker ends its slice at once to answer */
export const WANTED = 1;

/**
 * One worker's part of a parallel exhaustive search: depth first from the
 * states it is given, each state claimed in the shared fingerprint table by
 * the first worker to reach it (so no state is expanded twice). Every edge
 * (slot ids) is kept: the coordinator finds cycles in them, and the
 * breadth-first depth of the state graph, which does not depend on who
 * claimed what (parallel.ts). It stops at the first violation it meets, at
 * the state budget, when its own heap nears its limit, or when another
 * thread sets the shared stop flag; in each case it sets the flag, so all
 * stop within a few expansions.
 */
export class SharedExplorer<S, A extends Action> {
  private readonly stack: Item<S>[] = [];
  transitions = 0;
  deepest = 0;
  violationLength = -1;
  violationAt: [number, number] = [-1, -1];
  stoppedBy: string | null = null;
  edges = new Int32Array(1 << 12);
  edgeCount = 0;
  /** this thread's heap (the process's resident memory is the coordinator's to watch) */
  private readonly guard = new MemoryGuard();

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly table: SharedTable,
    private readonly control: Int32Array,
    private readonly maxStates = Infinity,
    /** this worker's index (its `control[WANTED + index]`) */
    private readonly index = 0,
  ) {}

  get pending(): number {
    return this.stack.length;
  }

  /** States already claimed in the table, to expand here. */
  give(items: readonly Item<S>[]): void {
    for (const it of items) this.stack.push(it);
  }

  /** Hands back half of the pending states (the oldest: the largest subtrees, depth first). */
  donate(): Item<S>[] {
    return this.stack.splice(0, Math.floor(this.stack.length / 2));
  }

  /** Expands states for about `ms` milliseconds; true when it has nothing left (or stopped). */
  work(ms: number): boolean {
    const deadline = Date.now() + ms;
    const { model, properties, table, control } = this;
    const wanted = WANTED + this.index;
    let tick = 0;
    while (this.stack.length) {
      if (Atomics.load(control, STOP) !== 0) return true;
      // asked to donate: end the slice, so the request is answered now rather than at the slice's end
      if (Atomics.load(control, wanted) !== 0 && this.stack.length > 1) {
        Atomics.store(control, wanted, 0);
        return false;
      }
      if ((++tick & 15) === 0) {
        const now = Date.now();
        const heap = this.guard.poll(now);
        if (heap) return this.halt(heap);
        if (now >= deadline) return false;
      }
      const { state, id, depth } = this.stack.pop()!;
      if (depth > this.deepest) this.deepest = depth;
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        if (checkEnd(properties, state)) {
          this.violationLength = depth;
          this.violationAt = [id, -1];
          return this.halt(null);
        }
        continue;
      }
      for (let i = 0; i < enabled.length; i++) {
        const action = enabled[i]!;
        const next = model.next(state, action);
        this.transitions++;
        if (checkStep(properties, state, action, next)) {
          this.violationLength = depth + 1;
          this.violationAt = [id, i];
          return this.halt(null);
        }
        const [hi, lo] = fingerprint(next);
        const added = table.add(hi, lo, id);
        if (added === null) return this.halt(`the shared state table is full (${table.room.toLocaleString('en-US')} states; raise --max-states)`);
        if (added >= 0) {
          this.stack.push({ state: next, id: added, depth: depth + 1 });
          if (table.size >= this.maxStates) this.halt(`--max-states ${this.maxStates} reached`);
        }
        this.edge(id, added >= 0 ? added : -added - 1);
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
      const e = new Int32Array(this.edges.length * 2);
      e.set(this.edges);
      this.edges = e;
    }
    this.edges[this.edgeCount * 2] = src;
    this.edges[this.edgeCount * 2 + 1] = dst;
    this.edgeCount++;
  }

  report(): PartReport {
    return { transitions: this.transitions, deepest: this.deepest, violationLength: this.violationLength, violationAt: this.violationAt, stoppedBy: this.stoppedBy };
  }
}

/** Edge lists (pairs of slot ids) as dense node ids: src, dst, and the slot → node map. */
function denseEdges(edgeLists: readonly { edges: Int32Array; count: number }[]): { n: number; m: number; src: Int32Array; dst: Int32Array; node: Map<number, number> } {
  const node = new Map<number, number>();
  const id = (slot: number): number => {
    let d = node.get(slot);
    if (d === undefined) node.set(slot, (d = node.size));
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
  return { n: node.size, m, src, dst, node };
}

/**
 * The breadth-first depth of the graph from `root` (a slot id): the length of
 * the longest shortest path, which is the depth the one-thread breadth-first
 * search reports, whoever expanded what.
 *
 * @example
 * bfsDepth([{ edges: Int32Array.from([1, 2, 2, 3, 1, 3]), count: 3 }], 1); // 1
 */
export function bfsDepth(edgeLists: readonly { edges: Int32Array; count: number }[], root: number): number {
  const { n, m, src, dst, node } = denseEdges(edgeLists);
  const r = node.get(root);
  if (r === undefined) return 0;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[src[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const succ = new Int32Array(m);
  const fill = start.slice(0, n);
  for (let e = 0; e < m; e++) succ[fill[src[e]!]!++] = dst[e]!;
  const dist = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  dist[r] = 0;
  let head = 0;
  let tail = 0;
  queue[tail++] = r;
  let deepest = 0;
  while (head < tail) {
    const v = queue[head++]!;
    for (let k = start[v]!; k < start[v + 1]!; k++) {
      const w = succ[k]!;
      if (dist[w]! < 0) {
        dist[w] = dist[v]! + 1;
        if (dist[w]! > deepest) deepest = dist[w]!;
        queue[tail++] = w;
      }
    }
  }
  return deepest;
}

/**
 * Is there a cycle among these edges (pairs of slot ids)? Repeatedly strips
 * nodes with no successor left; a node that survives lies on or leads into a
 * cycle.
 */
export function hasCycle(edgeLists: readonly { edges: Int32Array; count: number }[]): boolean {
  const { n, m, src, dst } = denseEdges(edgeLists);
  return survivors(n, m, src, dst).some((d) => d > 0);
}
