import { survivors } from './cycles.ts';
import { checkEnd, checkStep } from './evaluate.ts';
import { fingerprint } from './fingerprint.ts';
import type { SharedTable } from './shared-table.ts';
import type { Action, Model, Property } from './types.ts';

/** What one explorer reports. */
export interface PartReport {
  readonly transitions: number;
  /** the deepest state it expanded */
  readonly maxDepth: number;
  /** the length of the shortest violation it met (a bound for the certification), or -1 */
  readonly violationLength: number;
  readonly full: boolean;
  readonly stoppedBy: string | null;
}

interface Item<S> {
  readonly state: S;
  readonly id: number;
  readonly depth: number;
}

/**
 * One worker's part of a parallel exhaustive search: depth first from the
 * states it is given, each state claimed in the shared fingerprint table by
 * the first worker to reach it (so no state is expanded twice). It stops at
 * the first violation it meets and reports its length; the caller then finds
 * the shortest one by a breadth-first search to that length. Edges (slot ids)
 * are kept when a property covers non-termination, to look for cycles.
 */
export class SharedExplorer<S, A extends Action> {
  private readonly stack: Item<S>[] = [];
  transitions = 0;
  maxDepth = 0;
  violationLength = -1;
  full = false;
  stoppedBy: string | null = null;
  edges: Int32Array;
  edgeCount = 0;

  constructor(
    private readonly model: Model<S, A>,
    private readonly properties: readonly Property<S, A>[],
    private readonly table: SharedTable,
    private readonly trackEdges: boolean,
    private readonly maxStates = Infinity,
  ) {
    this.edges = new Int32Array(trackEdges ? 1 << 12 : 0);
  }

  get pending(): number {
    return this.stack.length;
  }

  /** States already claimed in the table (by the caller), to expand here. */
  give(items: readonly { state: S; id: number; depth: number }[]): void {
    for (const it of items) this.stack.push(it);
  }

  /** Hands back half of the pending states (the oldest: the largest subtrees, depth first). */
  donate(): { state: S; id: number; depth: number }[] {
    const n = Math.floor(this.stack.length / 2);
    return this.stack.splice(0, n);
  }

  /** Expands states for about `ms` milliseconds; true when it has nothing left (or stopped). */
  work(ms: number): boolean {
    const deadline = Date.now() + ms;
    const { model, properties, table } = this;
    let tick = 0;
    while (this.stack.length && this.violationLength < 0 && !this.stoppedBy) {
      if ((++tick & 63) === 0 && Date.now() >= deadline) return false;
      const { state, id, depth } = this.stack.pop()!;
      if (depth > this.maxDepth) this.maxDepth = depth;
      const enabled = model.actions(state);
      if (enabled.length === 0) {
        if (checkEnd(properties, state)) this.violationLength = depth;
        continue;
      }
      for (const action of enabled) {
        const next = model.next(state, action);
        this.transitions++;
        if (checkStep(properties, state, action, next)) {
          this.violationLength = depth + 1;
          break;
        }
        const [hi, lo] = fingerprint(next);
        const added = table.add(hi, lo);
        if (added === null) {
          this.stoppedBy = `the shared state table is full (${table.capacity.toLocaleString('en-US')} slots; raise --max-states)`;
          break;
        }
        if (added >= 0) {
          this.stack.push({ state: next, id: added, depth: depth + 1 });
          if (table.size >= this.maxStates) this.stoppedBy = `--max-states ${this.maxStates} reached`;
        }
        if (this.trackEdges) this.edge(id, added >= 0 ? added : -added - 1);
      }
    }
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
    return { transitions: this.transitions, maxDepth: this.maxDepth, violationLength: this.violationLength, full: this.full, stoppedBy: this.stoppedBy };
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
