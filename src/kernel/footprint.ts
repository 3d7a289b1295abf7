/**
 * The footprint vocabulary, and the recorder that writes it down.
 *
 * A transition's footprint lists the shared objects it touched, each named by
 * its path in the state and tagged with how it touched it:
 *
 * | name | object |
 * | --- | --- |
 * | `ctx.refcount`, `ctx.activePid`, … | a field of the ctx |
 * | `coord.sched`, `tasks[2].slot`, … | a field of the coordinator or of task 2 (index in the model, pids_arr first) |
 * | `tasks[2].pc@T6e` | "task 2 is at T6e": written by the step that enters or leaves T6e |
 * | `fired[0]`, `oops` | fault 0 has fired; the oops record |
 *
 * | kind | meaning | commutes with |
 * | --- | --- | --- |
 * | `read` | the object held what was seen (a wait's condition, a guard, a branch; a {@link readIs} that held) | reads; a later `set` of the value seen |
 * | `read-not` | a {@link readIs} found the field does not hold the value | reads; a later `clear` |
 * | `write` | the value was changed (both the old and the new value are noted) | nothing on the same object |
 * | `set` / `clear` | a blind store ({@link assign}) made "holds v" true / false | another `set` / `clear` |
 * | `inc` | a counter went up by one (`ckpt_ctx_get`) | another `inc`; a `dec` (below) |
 * | `dec` | a counter went down by one from above 0 (`ckpt_ctx_put`) | another `dec`; an `inc` (below) |
 *
 * "Later" is the order the two steps were recorded in: a store after a read
 * that saw what it stores changes nothing the read saw, the reverse may
 * (src/engine/access.ts). A blind store notes the same accesses whatever the
 * field held, which is what lets two of them commute.
 *
 * Two gets commute; two puts commute. A get and a put commute unless some
 * order lets the put free the ctx early: the trace also records each
 * counter's value after the step (`counters`), and the reduction commutes a
 * put with the gets before it only if the count stays above zero with all of
 * them moved after it (src/engine/dpor.ts). A put that frees also writes
 * `ctx.freed`, which every use of the ctx reads (`ctx_use`), so it conflicts
 * with every later use. A put on a counter already at 0 reads it (the kernel
 * would oops), which conflicts with every update.
 *
 * Footprints are recorded, not declared: `buildModel` runs a step on a copy of
 * the state seen through a view (or a proxy, see {@link Tracer}) that notes every
 * field the step reads or writes (and the step's guard, at the state where it
 * was enabled). So a model
 * written in the style of models/v18.ts needs nothing more than to change
 * counters with {@link counterAdd} (the kernel's get and put do); {@link assign}
 * and {@link readIs} make more steps commute. The `reads`
 * and `writes` lists of a step stay what they were: documentation, in the same
 * names. Partial-order reduction (src/engine/dpor.ts) uses the recorded ones.
 */

import { accessCode, CLEAR, DEC, INC, KIND_NAMES, kindOf, objectOf, READ, READ_NOT, SET, WRITE, type AccessKind } from '../engine/access.ts';
import type { Hash } from '../engine/types.ts';
import { ZobristNumbers } from './zobrist.ts';

/** Object names ↔ dense ids, one table per model (ids are local to a process). */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  /** each id's pseudo-random number, for fingerprints (src/kernel/zobrist.ts) */
  readonly numbers = new ZobristNumbers();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
      this.numbers.add(id, name);
    }
    return id;
  }

  private readonly fields: number[] = [];
  private readonly fieldIds = new Map<string, number>();

  /** The field an object belongs to: `tasks[2].sched@RUNNING` and `tasks[2].sched@INTERRUPTIBLE` share one. */
  fieldOf(id: number): number {
    let f = this.fields[id];
    if (f === undefined) {
      const name = this.names[id]!;
      const at = name.indexOf('@');
      const field = at < 0 ? name : name.slice(0, at);
      f = this.fieldIds.get(field);
      if (f === undefined) this.fieldIds.set(field, (f = this.fieldIds.size));
      this.fields[id] = f;
    }
    return f;
  }

  /** `tasks[2].slot:write` */
  describe(code: number): string {
    return `${this.names[objectOf(code)]}:${KIND_NAMES[kindOf(code)]}`;
  }
}

const RAW = Symbol('raw');
/** the counter updates of a step that made none (most steps): shared, never written */
const NO_COUNTERS: number[] = Object.freeze([]) as unknown as number[];
/** no value looked up yet ({@link Slot.lastValue}) */
const UNSEEN = Symbol('unseen');
const CONTAINER = Symbol('container');

/** The recorder of the transition being traced, or null when nothing is recorded. */
let active: Recorder | null = null;

/** Marks an object's JSON among a field's values (a string value is never taken for an object). */
const OBJECT_KEY = '\u0000object ';

/** How a value names itself in `field@value`. */
const valueKey = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** One field of a container, as the recorder knows it (one lookup by key per access). */
class Slot {
  /** the field as a whole, once named */
  leafId = -1;
  /** "holds v" ids, by value (objects by their JSON) */
  readonly values = new Map<unknown, number>();
  /** the value last looked up and its id (a field is read again and again at one value) */
  lastValue: unknown = UNSEEN;
  lastId = -1;
  /** the one looked up before it (a fingerprint trades a field's old value for its new one) */
  priorValue: unknown = UNSEEN;
  priorId = -1;
  /** the container the field holds, once met */
  child: Container | null = null;

  constructor(
    readonly key: string,
    /** a {@link counterAdd} counter: reads and plain writes note the whole field */
    readonly counter: boolean,
  ) {}
}

/** A container seen through the recorder: the ids of its fields are computed once. */
class Container {
  private readonly slots: Record<string, Slot | undefined> = Object.create(null) as Record<string, Slot | undefined>;
  /** the proxy handler of this container's objects (one per container: it reads the active recorder) */
  readonly handler: ProxyHandler<Record<PropertyKey, unknown>>;
  private readonly counterKeys = new Set<string>();
  /** the root's fields that are containers in every state (objects in the initial state); null: all objects are */
  shape: ReadonlySet<string> | null = null;
  /**
   * The last object wrapped and its proxy: a container is one place in the
   * state, so within a transition it is one object, wrapped once (a proxy
   * reads the active recorder, so it serves any transition on that object).
   */
  private lastTarget: object | null = null;
  private lastProxy: object | null = null;

  constructor(
    readonly vocab: Vocabulary,
    readonly path: string,
    readonly isArray: boolean,
    /** 0 the root, 1 its objects and arrays, 2 the objects in those arrays */
    readonly depth: number,
    readonly counters: ReadonlySet<string>,
    /**
     * inside a value the fingerprint takes as a leaf (the oops record): steps
     * replace such a value, never mutate it (the state copy shares it)
     */
    readonly inLeaf = false,
  ) {
    for (const name of counters) {
      const prefix = this.isArray ? `${path}[` : path ? `${path}.` : '';
      if (name.startsWith(prefix)) this.counterKeys.add(name.slice(prefix.length).replace(/]$/, ''));
    }
    this.handler = makeHandler(this);
  }

  name(key: string): string {
    return this.isArray ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
  }

  slot(key: string): Slot {
    let s = this.slots[key];
    if (s === undefined) this.slots[key] = s = new Slot(key, this.counterKeys.has(key));
    return s;
  }

  /** the field as a whole (a counter, or a field replaced wholesale) */
  leaf(key: string): number {
    return this.leafOf(this.slot(key));
  }

  leafOf(s: Slot): number {
    if (s.leafId < 0) s.leafId = this.vocab.id(this.name(s.key));
    return s.leafId;
  }

  /** "the field holds this value" */
  at(key: string, value: unknown): number {
    return this.valueOf(this.slot(key), value);
  }

  valueOf(s: Slot, value: unknown): number {
    if (typeof value !== 'object') {
      if (value === s.lastValue) return s.lastId;
      if (value === s.priorValue) return s.priorId;
    }
    const id = this.lookUp(s, value);
    s.priorValue = s.lastValue;
    s.priorId = s.lastId;
    s.lastValue = value;
    s.lastId = id;
    return id;
  }

  private lookUp(s: Slot, value: unknown): number {
    const k = typeof value === 'object' && value !== null ? OBJECT_KEY + valueKey(value) : value;
    let id = s.values.get(k);
    if (id === undefined) {
      id = this.vocab.id(`${this.name(s.key)}@${valueKey(value)}`);
      // two values that name themselves alike (1 and '1', null and 'null') would be one object to
      // the footprints and one number to the fingerprint: states that differ would hash alike
      for (const [other, known] of s.values) {
        if (known === id) throw new Error(`footprint: ${this.name(s.key)} holds ${typeof other === 'string' && other.startsWith(OBJECT_KEY) ? 'an object' : `the ${typeof other} ${String(other)}`} and ${typeof k === 'string' && k.startsWith(OBJECT_KEY) ? 'an object' : `the ${typeof value} ${valueKey(value)}`}, which name themselves alike`);
      }
      s.values.set(k, id);
    }
    return id;
  }

  /** the object a read of `key` holding `value` notes */
  read(key: string, value: unknown): number {
    const s = this.slot(key);
    return s.counter ? this.leafOf(s) : this.valueOf(s, value);
  }

  /** values of this container that are containers themselves */
  holdsContainer(v: unknown): v is object {
    return typeof v === 'object' && v !== null && this.depth < 2 && (this.depth === 0 || this.isArray);
  }

  child(key: string, isArray: boolean): Container {
    return this.childOf(this.slot(key), isArray);
  }

  childOf(s: Slot, isArray: boolean): Container {
    let c = s.child;
    if (c === null) {
      const inLeaf = this.inLeaf || (this.shape !== null && !this.shape.has(s.key));
      c = s.child = new Container(this.vocab, this.name(s.key), isArray, this.depth + 1, this.counters, inLeaf);
    }
    return c;
  }

  /** `target` (an object at this container's place) seen through the recorder */
  wrap<T extends object>(target: T): T {
    if (this.lastTarget !== target) {
      this.lastProxy = new Proxy(target as Record<PropertyKey, unknown>, this.handler);
      this.lastTarget = target;
    }
    return this.lastProxy as T;
  }
}

function isContainerValue(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function makeHandler(c: Container): ProxyHandler<Record<PropertyKey, unknown>> {
  return {
    get(t, key) {
      if (typeof key === 'symbol') return key === RAW ? t : key === CONTAINER ? c : t[key];
      const v = t[key]; // plain data: no getters that would need the receiver
      if (typeof v === 'function' || (c.isArray && key === 'length')) return v;
      return readField(c, c.slot(key), v);
    },
    set(t, key, value) {
      if (typeof key !== 'symbol' && !(c.isArray && key === 'length')) writeField(c, c.slot(key), t[key], value);
      else if (active!.readonly) throw new Error(`footprint: a guard wrote ${c.name(String(key))}`);
      t[key] = value; // a plain store: Reflect.set with a receiver is several times slower
      return true;
    },
    deleteProperty(t, key) {
      if (typeof key !== 'symbol') {
        const rec = active!;
        if (rec.hashing && c.inLeaf) throw new Error(`footprint: a step mutated ${c.name(key)}; replace the value that holds it instead`);
        const from = c.at(key, t[key]);
        const to = c.at(key, undefined);
        rec.note(from, WRITE);
        rec.note(to, WRITE);
        if (rec.hashing) rec.move(c.vocab, from, to);
      }
      return Reflect.deleteProperty(t, key);
    },
  };
}

/** A read of field `s` of `c`, which holds `v`: a container's field gives its view, any other notes what it held. */
function readField(c: Container, s: Slot, v: unknown): unknown {
  if (typeof v === 'function') return v;
  if (c.holdsContainer(v)) return c.childOf(s, Array.isArray(v)).wrap(v);
  active!.note(s.counter ? c.leafOf(s) : c.valueOf(s, v), READ);
  return v;
}

/** A store of `value` into field `s` of `c`, which holds `old`: noted (the caller stores). */
function writeField(c: Container, s: Slot, old: unknown, value: unknown): void {
  const rec = active!;
  if (rec.readonly) throw new Error(`footprint: a guard wrote ${c.name(s.key)}`);
  if (c.holdsContainer(old)) throw new Error(`footprint: a step replaced ${c.name(s.key)}; mutate its fields instead`);
  if (rec.hashing && c.inLeaf) throw new Error(`footprint: a step mutated ${c.name(s.key)}; replace the value that holds it instead`);
  if (s.counter) {
    rec.note(c.leafOf(s), WRITE);
    if (rec.hashing && old !== value) rec.move(c.vocab, c.valueOf(s, old), c.valueOf(s, value));
  } else if (old === value) rec.note(c.valueOf(s, old), READ);
  else {
    const from = c.valueOf(s, old);
    const to = c.valueOf(s, value);
    rec.note(from, WRITE);
    rec.note(to, WRITE);
    if (rec.hashing) rec.move(c.vocab, from, to);
  }
}

/** A view's own symbol properties besides {@link RAW} and {@link CONTAINER}: its fields' slots, and the views its fields hold. */
const SLOTS = Symbol('slots');
const KIDS = Symbol('kids');

/** A view was asked what it does not know (a field outside the shape, a method): the step runs again through proxies. */
class Unknown extends Error {}

/** The prototype of every view: whatever a view does not have itself throws {@link Unknown}. */
const UNKNOWN: object = new Proxy(Object.create(null) as object, {
  get() {
    throw new Unknown('footprint: a view was asked for a property outside the shape');
  },
  set() {
    throw new Unknown('footprint: a view was given a property outside the shape');
  },
  has() {
    throw new Unknown('footprint: a view was asked for a property outside the shape');
  },
});

/**
 * The accessors of a view of a record with `fields`, generated as {@link makeCloner}
 * generates the copy (each field read by its name), shared by the views of one
 * kind (every task's) so that the model's reads see one map. They do what
 * the proxy's traps do; a field that holds a view (`kids[j]`) gives it.
 */
function compileAccessors(fields: readonly string[], kids: readonly boolean[]): PropertyDescriptorMap {
  const q = JSON.stringify;
  const code = fields.map((f, j) => {
    const get = kids[j] ? `return this[K][${j}];` : `return R(this[C], this[S][${j}], this[T][${q(f)}]);`;
    const set = `const t = this[T]; W(this[C], this[S][${j}], t[${q(f)}], v); t[${q(f)}] = v;`;
    return `${q(f)}: { enumerable: true, get() { ${get} }, set(v) { ${set} } }`;
  });
  return new Function('R', 'W', 'T', 'C', 'S', 'K', `return { ${code.join(',\n')} };`)(readField, writeField, RAW, CONTAINER, SLOTS, KIDS) as PropertyDescriptorMap;
}

/** One prototype per kind of view: V8 turns objects into dictionaries when a name's accessor differs from that of an object of the same map (`coord.pc`, `tasks[i].pc`). */
const PROTOS = new WeakMap<PropertyDescriptorMap, object>();

/**
 * A view of container `c` (its fields `fields`, accessors from {@link compileAccessors}),
 * aimed at an object by setting its RAW. The accessors are the view's own and not
 * configurable, so that a `delete` throws (and the step runs again through proxies)
 * rather than doing nothing.
 */
function makeView(c: Container, fields: readonly string[], accessors: PropertyDescriptorMap, kids: readonly unknown[]): Record<PropertyKey, unknown> {
  let proto = PROTOS.get(accessors);
  if (!proto) PROTOS.set(accessors, (proto = Object.create(UNKNOWN) as object));
  const v = Object.create(proto) as Record<PropertyKey, unknown>;
  Object.defineProperty(v, RAW, { value: null, writable: true });
  Object.defineProperty(v, CONTAINER, { value: c });
  Object.defineProperty(v, SLOTS, { value: fields.map((f) => c.slot(f)) });
  Object.defineProperty(v, KIDS, { value: kids });
  Object.defineProperties(v, accessors);
  return Object.preventExtensions(v);
}

/** The views of a shape: the root's, its records', and those of the records in its arrays. */
interface Views {
  readonly root: object;
  /** aims the views at a state's objects; false for a state not of the shape */
  readonly aim: (state: object) => boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => isContainerValue(v) && !Array.isArray(v);

/**
 * Records the accesses of one transition. The root and its object or array
 * fields are containers, and so are the objects inside those arrays
 * (`tasks[2]`); any other value is a leaf.
 *
 * A read of a leaf notes "the field holds v" (`tasks[2].sched@RUNNING`), a
 * write that changes it notes both the old and the new value, and a write of
 * the value already there is a read. So a step conflicts only with the steps
 * that change what it saw: two wake-ups of a running task commute, and a
 * check `wq == complete` (see {@link readIs}) does not conflict with a task
 * moving between two other queues. Counters are the exception: a read or a
 * plain write of one notes the whole field, which conflicts with every
 * {@link counterAdd}.
 */
class Recorder {
  /** the codes noted so far are buf[0 .. n) (the buffer is reused: one exact copy per transition) */
  private readonly buf: number[] = [];
  private n = 0;
  /** counter updates: `[object id, value after, change]` triples */
  counters: number[] = NO_COUNTERS;
  /** > 0 while a counter update runs: its raw read and write are noted as one inc or dec */
  quiet = 0;
  readonly: boolean = false;
  /** whether the state's fingerprint is kept: `hi`, `lo` (src/kernel/zobrist.ts) */
  hashing = false;
  hi = 0;
  lo = 0;

  /** Ready for another transition (a Tracer reuses its recorder). */
  reset(readonly: boolean): this {
    this.n = 0;
    this.counters = NO_COUNTERS;
    this.quiet = 0;
    this.readonly = readonly;
    this.hashing = false;
    return this;
  }

  note(id: number, kind: AccessKind): void {
    if (this.quiet === 0) this.buf[this.n++] = accessCode(id, kind);
  }

  /** the accesses noted, in order */
  codes(): number[] {
    return this.buf.slice(0, this.n);
  }

  /** A leaf moved from "holds a" (object `from`) to "holds b" (`to`): the fingerprint trades one number for the other. */
  move(vocab: Vocabulary, from: number, to: number): void {
    const { hi, lo } = vocab.numbers;
    this.hi = (this.hi - hi[from]! + hi[to]!) | 0;
    this.lo = (this.lo - lo[from]! + lo[to]!) | 0;
  }
}

/**
 * A copy of the state one level deep in every container, so that a step may
 * mutate it freely: the top-level record, its objects and arrays, and the
 * objects in those arrays. Values deeper down (the oops record) are shared:
 * steps replace them, never mutate them.
 */
export function cloneState<T extends object>(s: T): T {
  const out: Record<string, unknown> = {};
  for (const k in s) {
    const v = (s as Record<string, unknown>)[k];
    if (Array.isArray(v)) {
      const a = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i] as unknown;
        a[i] = isContainerValue(x) ? (Array.isArray(x) ? x.slice() : { ...x }) : x;
      }
      out[k] = a;
    } else if (isContainerValue(v)) out[k] = { ...v };
    else out[k] = v;
  }
  return out as T;
}

/** Source of an object literal copying `fields` of the object `expr` names, each read by its name (one map for every copy). */
function recordLiteral(fields: readonly string[], expr: string): string {
  return `{${fields.map((f) => `${JSON.stringify(f)}: ${expr}[${JSON.stringify(f)}]`).join(', ')}}`;
}

/**
 * A copier specialised to the shape of `sample` (the initial state): object
 * literals with the fields spelled out, which V8 builds several times faster
 * than spreads. Every state of a model has the shape of its initial state
 * (the fingerprint relies on it too): a field a step added would be lost.
 */
export function makeCloner<T extends object>(sample: T): (s: T) => T {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sample)) {
    const src = `s[${JSON.stringify(k)}]`;
    if (Array.isArray(v)) {
      const first = v.find(isContainerValue);
      if (first && !Array.isArray(first) && v.every((x) => isContainerValue(x) && !Array.isArray(x))) {
        parts.push(`${JSON.stringify(k)}: ${src}.map((x) => (${recordLiteral(Object.keys(first), 'x')}))`);
      } else if (v.every((x) => !isContainerValue(x))) parts.push(`${JSON.stringify(k)}: ${src}.slice()`);
      else return cloneState;
    } else if (isContainerValue(v)) parts.push(`${JSON.stringify(k)}: ${recordLiteral(Object.keys(v), src)}`);
    else parts.push(`${JSON.stringify(k)}: ${src}`);
  }
  return new Function('s', `return {${parts.join(', ')}};`) as (s: T) => T;
}

/** A draft record's view ({@link makeDrafter}): the record it reads, the draft that copied it (it is that draft's own), its copier, where a copy goes. */
const TARGET = Symbol('target');
const OWNED = Symbol('owned');
const COPIER = Symbol('copier');
const PLACE = Symbol('place');

interface DraftView {
  [TARGET]: Record<string, unknown>;
  [OWNED]: number;
  readonly [COPIER]: (r: Record<string, unknown>) => Record<string, unknown>;
  readonly [PLACE]: (copy: Record<string, unknown>) => void;
}

/** The first store of draft `n` into a record it still shares: the record is copied into the new state, and the view reads the copy from now on. */
function own(view: DraftView, n: number): Record<string, unknown> {
  const copy = view[COPIER](view[TARGET]);
  view[TARGET] = copy;
  view[OWNED] = n;
  view[PLACE](copy);
  return copy;
}

/** The accessors of a draft record's view, generated as {@link compileAccessors} (shared by the views of one kind: one map); `G.n` numbers the draft. */
function compileDraftAccessors(fields: readonly string[], G: { n: number }): PropertyDescriptorMap {
  const code = fields.map((f) => {
    const k = JSON.stringify(f);
    // a store of the value already there changes nothing: the record stays shared
    return `${k}: { enumerable: true, get() { return this[T][${k}]; }, set(v) { const t = this[T]; if (!Object.is(t[${k}], v)) { const n = G.n; (this[O] === n ? t : own(this, n))[${k}] = v; } } }`;
  });
  return new Function('T', 'O', 'own', 'G', `return { ${code.join(',\n')} };`)(TARGET, OWNED, own, G) as PropertyDescriptorMap;
}

function fillArray(into: unknown[], from: readonly unknown[]): unknown[] {
  for (let i = 0; i < into.length; i++) into[i] = from[i];
  return into;
}

/** A store the draft's views do not take (a record or an array replaced): the step runs again on a full copy. */
const replaced = (): never => {
  throw new Unknown('draft: a step replaced a record or an array; it runs again on a full copy');
};

/** What {@link makeDrafter} makes. */
export interface Drafts<T> {
  /** the state `body` makes of a draft of `s` */
  next<A>(s: T, body: (draft: T, arg: A) => void, arg: A): T;
  /**
   * The same, into records and arrays the drafts reuse: valid until the next
   * call (read it, compare it, keep nothing of it). For a search that throws
   * most successors away: {@link Drafts.keep} makes the lasting copy of one it keeps.
   */
  peek<A>(s: T, body: (draft: T, arg: A) => void, arg: A): T;
  /** the lasting copy of `peeked`, peeked from `prev`: what it does not share with `prev` copied */
  keep(prev: T, peeked: T): T;
}

/**
 * Runs a step on a copy-on-write draft of the state, for the untraced search:
 * a new root, and a copy of a record (the ctx, the coordinator, a task) only
 * where the step first stores into it; every other record is shared with the
 * state stepped from. Fingerprints then compare only what changed
 * ({@link Tracer.rehash} skips a shared record), and a state costs what its
 * step wrote rather than a copy of everything. `peek` copies into records and
 * arrays made once and reused, and `keep` copies out the successors a search
 * keeps: one seen before (most of them) is copied into nothing that outlives it.
 *
 * The step sees views with an accessor per field (as the footprint's views,
 * {@link Tracer}), so model code stays plain mutation of a draft. What the
 * views do not take (a record or an array replaced, a field added or
 * deleted, a store into an array of records) throws, and the step runs again
 * on a full copy (`copy`); so does a step that throws (its error comes from
 * that run). States are never mutated once produced: a shared record is
 * read, never written. Null for a shape the views do not cover.
 * For tests: `makeDrafter.rerun = false` makes such a step throw instead.
 */
export function makeDrafter<T extends object>(
  sample: T,
  copy: (s: T) => T,
): Drafts<T> | null {
  const q = JSON.stringify;
  const keys = Object.keys(sample);
  const root: { s: Record<string, unknown> } = { s: {} };
  /** the draft's number: a view or an array is the draft's own when it was copied by that number */
  const G = { n: 0, scratch: false };
  /** per root field: the draft that copied the array into its new state */
  const ownArray = keys.map(() => 0);
  const aimCode: string[] = [];
  const aimed: DraftView[] = [];
  const rootAccessors: string[] = [];
  const protos = new Map<string, object>();
  const copiers = new Map<string, { copy: (x: object) => Record<string, unknown>; fill: (into: object, x: object) => Record<string, unknown> }>();
  const viewOf = (fields: string[], place: (c: Record<string, unknown>) => void): DraftView => {
    const key = q(fields);
    let proto = protos.get(key);
    let c = copiers.get(key);
    if (!proto || !c) {
      proto = Object.create(Object.prototype) as object;
      protos.set(key, proto);
      c = {
        copy: new Function('x', `return ${recordLiteral(fields, 'x')};`) as (x: object) => Record<string, unknown>,
        fill: new Function('y', 'x', `${fields.map((f) => `y[${q(f)}] = x[${q(f)}];`).join(' ')} return y;`) as (into: object, x: object) => Record<string, unknown>,
      };
      copiers.set(key, c);
    }
    const { copy: fresh, fill } = c;
    // a draft that only peeks (the plain search's successors, most of them seen before) copies into a record of its own, reused
    const spare = fresh(Object.fromEntries(fields.map((f) => [f, undefined])));
    const v = Object.create(proto) as DraftView;
    Object.defineProperty(v, COPIER, { value: (x: object) => (G.scratch ? fill(spare, x) : fresh(x)) });
    Object.defineProperty(v, TARGET, { value: null, writable: true });
    Object.defineProperty(v, OWNED, { value: 0, writable: true });
    Object.defineProperty(v, PLACE, { value: place });
    Object.defineProperties(v, draftAccessors(proto, fields));
    return Object.preventExtensions(v) as DraftView;
  };
  const accessorsOf = new WeakMap<object, PropertyDescriptorMap>();
  function draftAccessors(proto: object, fields: string[]): PropertyDescriptorMap {
    let a = accessorsOf.get(proto);
    if (!a) accessorsOf.set(proto, (a = compileDraftAccessors(fields, G)));
    return a;
  }
  const kids: unknown[] = [];
  /** per array of the root: the array a peeking draft copies it into */
  const spares = keys.map((k) => {
    const v = (sample as Record<string, unknown>)[k];
    return Array.isArray(v) ? new Array<unknown>(v.length).fill(null) : null;
  });
  /** root field `k` (the `j`-th) in the new state: the array copied, or filled into its spare when peeking, the first time this draft touches it */
  const ownedArray = (j: number, k: string): unknown[] => {
    if (ownArray[j] !== G.n) {
      ownArray[j] = G.n;
      const a = root.s[k] as unknown[];
      root.s[k] = G.scratch ? fillArray(spares[j]!, a) : a.slice();
    }
    return root.s[k] as unknown[];
  };
  const aim = (view: DraftView, x: string): void => {
    // a record that is not one throws at the step's first look, and the step runs again on a copy
    aimCode.push(`v${aimed.length}[T] = ${x};`);
    aimed.push(view);
  };
  for (const [j, k] of keys.entries()) {
    const v = (sample as Record<string, unknown>)[k];
    const K = q(k);
    if (isRecord(v)) {
      aim(viewOf(Object.keys(v), (c) => (root.s[k] = c)), `s[${K}]`);
      kids[j] = aimed[aimed.length - 1];
      rootAccessors.push(`${K}: { enumerable: true, get() { return V[${j}]; }, set: X }`);
    } else if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) {
      const fields = Object.keys(v[0]!);
      if (!v.every((x) => q(Object.keys(x)) === q(fields))) return null;
      aimCode.push(`a = s[${K}]; if (!Array.isArray(a) || a.length !== ${v.length}) return false;`);
      kids[j] = Object.freeze(v.map((_x, i) => {
        // the array is copied the first time one of its records is copied into it
        const view = viewOf(fields, (c) => (ownedArray(j, k)[i] = c));
        aim(view, `a[${i}]`);
        return view;
      }));
      rootAccessors.push(`${K}: { enumerable: true, get() { return V[${j}]; }, set: X }`);
    } else if (Array.isArray(v)) {
      if (!v.every((x) => !isContainerValue(x))) return null;
      // an array of plain values (the faults fired): copied when the step first looks at it
      kids[j] = () => ownedArray(j, k);
      aimCode.push(`if (!Array.isArray(s[${K}]) || s[${K}].length !== ${v.length}) return false;`);
      rootAccessors.push(`${K}: { enumerable: true, get() { return V[${j}](); }, set: X }`);
    } else if (isContainerValue(v)) return null;
    // a leaf: values deeper down (the oops record) are replaced by steps, never mutated, and shared
    else rootAccessors.push(`${K}: { enumerable: true, get() { return R.s[${K}]; }, set(v) { R.s[${K}] = v; } }`);
  }
  const view = Object.preventExtensions(
    Object.defineProperties(Object.create(Object.prototype) as object, new Function('V', 'X', 'R', `return { ${rootAccessors.join(',\n')} };`)(kids, replaced, root) as PropertyDescriptorMap),
  );
  const consts = aimed.length ? `const ${aimed.map((_v, i) => `v${i} = V[${i}]`).join(', ')};` : '';
  // the new root, each field read by its name; then the views aimed at the state's records
  const spareRoot: Record<string, unknown> = Object.fromEntries(keys.map((k) => [k, null]));
  const begin = new Function(
    'V',
    'T',
    'R',
    'G',
    'Y',
    `${consts} return (s) => { let a; ${aimCode.join('\n')}
      if (G.scratch) { ${keys.map((k) => `Y[${q(k)}] = s[${q(k)}];`).join(' ')} R.s = Y; }
      else R.s = {${keys.map((k) => `${q(k)}: s[${q(k)}]`).join(', ')}};
      return true; };`,
  )(aimed, TARGET, root, G, spareRoot) as (s: object) => boolean;
  let busy = false;
  const run = <A>(s: T, body: (draft: T, arg: A) => void, arg: A, peek: boolean): T => {
    if (busy) return copied(s, body, arg);
    G.scratch = peek;
    if (!begin(s)) return copied(s, body, arg);
    busy = true;
    G.n++;
    try {
      body(view as T, arg);
      return root.s as T;
    } catch (e) {
      if (!makeDrafter.rerun) throw e;
      return copied(s, body, arg);
    } finally {
      busy = false;
    }
  };
  const copied = <A>(s: T, body: (draft: T, arg: A) => void, arg: A): T => {
    const d = copy(s);
    body(d, arg);
    return d;
  };
  const keeper = makeKeeper(sample);
  if (!keeper) return null;
  return {
    next: (s, body, arg) => run(s, body, arg, false),
    peek: (s, body, arg) => run(s, body, arg, true),
    // a state the step ran on a full copy for is new throughout
    keep: (prev, peeked) => (peeked === spareRoot ? keeper(prev, peeked) : peeked),
  };
}
/** For tests: false, a step the drafts cannot run throws instead of running again on a full copy. */
makeDrafter.rerun = true;

/**
 * The lasting copy of a state a draft peeked at (`peek`, {@link makeDrafter}):
 * a new root, and a copy of every array and record `next` does not share with
 * `prev`, each object literal spelled out as {@link makeCloner}'s. Only for
 * the states a search keeps: allocated here, they are the ones that live.
 */
function makeKeeper<T extends object>(sample: T): ((prev: T, next: T) => T) | null {
  const q = JSON.stringify;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sample)) {
    const K = q(k);
    if (isRecord(v)) parts.push(`${K}: n[${K}] === p[${K}] ? n[${K}] : ${recordLiteral(Object.keys(v), `n[${K}]`)}`);
    else if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) {
      const fields = Object.keys(v[0]!);
      const items = v.map((_x, i) => `(n[${K}][${i}] === p[${K}][${i}] ? n[${K}][${i}] : ${recordLiteral(fields, `n[${K}][${i}]`)})`);
      parts.push(`${K}: n[${K}] === p[${K}] ? n[${K}] : [${items.join(', ')}]`);
    } else if (Array.isArray(v)) parts.push(`${K}: n[${K}] === p[${K}] ? n[${K}] : [${v.map((_x, i) => `n[${K}][${i}]`).join(', ')}]`);
    else if (isContainerValue(v)) return null;
    else parts.push(`${K}: n[${K}]`);
  }
  return new Function('p', 'n', `return {${parts.join(', ')}};`) as (prev: T, next: T) => T;
}

/** One top-level field of the shape, for fingerprints: a leaf, a record's fields, or an array's elements. */
interface PlanEntry {
  readonly key: string;
  readonly c: Container;
  /** the fields of the record, or of each record in the array; null for a leaf or an array of primitives */
  readonly fields: readonly string[] | null;
  /** an array: each element's container (null for a primitive element) */
  readonly items: readonly (Container | null)[] | null;
  readonly names?: readonly string[];
}

/** How a model records: one root container per model. */
export class Tracer {
  readonly vocab = new Vocabulary();
  private readonly root: Container;
  private spare: Recorder | null = new Recorder();

  /**
   * `counters`: the fields changed by {@link counterAdd}, e.g. `ctx.refcount`.
   * `shape`: a state (the initial one), for fingerprints ({@link hash}): the
   * containers are those of `shape` (the root, its objects and arrays, the
   * objects in those arrays; the fields `makeCloner` copies), the rest leaves.
   */
  constructor(
    counters: readonly string[] = [],
    private readonly shape?: object,
  ) {
    this.root = new Container(this.vocab, '', false, 0, new Set(counters));
    if (shape) this.root.shape = new Set(Object.entries(shape).flatMap(([k, v]) => (isContainerValue(v) ? [k] : [])));
  }

  /**
   * The fingerprint of `state` walked from scratch: the sum of the numbers of
   * "leaf holds value" over every leaf of the shape (a field the state lacks
   * holds undefined, as after a delete). {@link trace} keeps it up to date.
   */
  hash(state: object): Hash {
    const { numbers } = this.vocab;
    let hi = 0;
    let lo = 0;
    const leaf = (c: Container, key: string, v: unknown): void => {
      const id = c.at(key, v);
      hi = (hi + numbers.hi[id]!) | 0;
      lo = (lo + numbers.lo[id]!) | 0;
    };
    const s = state as Record<string, unknown>;
    for (const e of this.leaves()) {
      const v = s[e.key];
      if (e.items) {
        const a = v as unknown[];
        for (let i = 0; i < a.length; i++) {
          const c = e.items[i];
          if (c) for (const f of e.fields!) leaf(c, f, (a[i] as Record<string, unknown>)[f]);
          else leaf(e.c, e.names![i]!, a[i]);
        }
      } else if (e.fields) for (const f of e.fields) leaf(e.c, f, (v as Record<string, unknown>)[f]);
      else leaf(e.c, e.key, v);
    }
    return [hi >>> 0, lo >>> 0];
  }

  /** The shape's leaves, grouped by container, computed once: what {@link hash} sums and {@link rehash} compares. */
  private plan: readonly PlanEntry[] | null = null;

  private leaves(): readonly PlanEntry[] {
    if (this.plan) return this.plan;
    if (!this.shape) throw new Error('footprint: fingerprints need the Tracer to be given the shape of the states');
    const plan: PlanEntry[] = [];
    for (const [k, sample] of Object.entries(this.shape as Record<string, unknown>)) {
      if (!isContainerValue(sample)) plan.push({ key: k, c: this.root, fields: null, items: null });
      else if (!Array.isArray(sample)) plan.push({ key: k, c: this.root.child(k, false), fields: Object.keys(sample), items: null });
      else {
        const c = this.root.child(k, true);
        const first = sample.find(isContainerValue);
        // an array of records: one container an element (its fields those of the first); else primitive elements
        const items = sample.map((x, i) => (isContainerValue(x) ? c.child(String(i), Array.isArray(x)) : null));
        plan.push({ key: k, c, fields: first ? Object.keys(first) : null, items, names: sample.map((_x, i) => String(i)) });
      }
    }
    return (this.plan = plan);
  }

  /**
   * The fingerprint of `next` from that of `prev` ({@link hash}): the leaves
   * whose values differ trade their numbers, as {@link trace} would have for
   * the writes that made them differ, without recording anything. For a
   * search that runs steps untraced (breadth-first): comparing every leaf is
   * cheaper than hashing every leaf.
   */
  rehash(prev: object, hash: Hash, next: object): Hash {
    const acc = this.acc;
    acc.hi = hash[0] | 0;
    acc.lo = hash[1] | 0;
    (this.compare ??= this.compileCompare())(prev, next);
    return [acc.hi >>> 0, acc.lo >>> 0];
  }

  private readonly acc = { hi: 0, lo: 0 };
  private compare: ((prev: object, next: object) => void) | null = null;

  /**
   * The comparison of {@link rehash}, generated for the shape as
   * {@link makeCloner} generates the copy: each leaf read by its name (a
   * field name held in a variable would make every read a dictionary lookup),
   * and a leaf that differs trades its numbers.
   */
  private compileCompare(): (prev: object, next: object) => void {
    const plan = this.leaves();
    const acc = this.acc;
    const numbers = this.vocab.numbers;
    // the numbers' arrays are read after each lookup: a value met for the first time may grow them
    const trade = (c: Container, s: Slot, a: unknown, b: unknown): void => {
      const x = c.valueOf(s, a);
      const y = c.valueOf(s, b);
      acc.hi = (acc.hi - numbers.hi[x]! + numbers.hi[y]!) | 0;
      acc.lo = (acc.lo - numbers.lo[x]! + numbers.lo[y]!) | 0;
    };
    // each field's slot, looked up once: S[k] a record's, S[k][i] those of an array's i-th record, S[k] a leaf's
    const slots = plan.map((e): unknown => {
      if (e.fields === null && e.items === null) return e.c.slot(e.key);
      if (e.items === null) return e.fields!.map((f) => e.c.slot(f));
      if (e.items.every((c) => c === null)) return e.names!.map((n) => e.c.slot(n));
      return e.items.map((c) => (c ? (e.fields ?? []).map((f) => c.slot(f)) : null));
    });
    const q = JSON.stringify;
    const code = plan.map((e, k) => {
      const key = q(e.key);
      if (e.fields === null && e.items === null) return `if (p[${key}] !== n[${key}]) t(E[${k}].c, S[${k}], p[${key}], n[${key}]);`;
      const fields = (a: string, b: string, c: string, s: string): string => e.fields!.map((f, j) => `if (${a}[${q(f)}] !== ${b}[${q(f)}]) t(${c}, ${s}[${j}], ${a}[${q(f)}], ${b}[${q(f)}]);`).join(' ');
      // a record or an array the two states share (a step's draft copies only what it stores into, makeDrafter) holds the same leaves
      if (e.items === null) return `{ const a = p[${key}], b = n[${key}], L = S[${k}]; if (a !== b) { ${fields('a', 'b', `E[${k}].c`, 'L')} } }`;
      if (e.items.every((c) => c !== null) && e.fields) {
        return `{ const A = p[${key}], B = n[${key}], I = E[${k}].items, L = S[${k}]; if (A !== B) for (let i = 0; i < A.length; i++) { const a = A[i], b = B[i]; if (a === b) continue; const c = I[i], l = L[i]; ${fields('a', 'b', 'c', 'l')} } }`;
      }
      if (e.items.every((c) => c === null)) {
        return `{ const A = p[${key}], B = n[${key}], L = S[${k}]; if (A !== B) for (let i = 0; i < A.length; i++) if (A[i] !== B[i]) t(E[${k}].c, L[i], A[i], B[i]); }`;
      }
      // records and plain values mixed: the fields read by a variable name (slower, and rare)
      return `{ const A = p[${key}], B = n[${key}], I = E[${k}].items, N = E[${k}].names, F = E[${k}].fields || []; for (let i = 0; i < A.length; i++) { const c = I[i]; if (!c) { if (A[i] !== B[i]) t(E[${k}].c, E[${k}].c.slot(N[i]), A[i], B[i]); } else { const a = A[i], b = B[i]; for (const f of F) if (a[f] !== b[f]) t(c, c.slot(f), a[f], b[f]); } } }`;
    });
    return new Function('E', 't', 'S', `return (p, n) => { ${code.join('\n')} };`)(plan, trade, slots) as (prev: object, next: object) => void;
  }

  /**
   * Runs `body` on a mutable copy of `state` seen through the recorder.
   * Returns the new state and the accesses, in order; given `hash`, the
   * fingerprint of `state` ({@link hash}), also the fingerprint of the new state.
   */
  trace<T extends object>(
    state: T,
    clone: (s: T) => T,
    body: (draft: T) => void,
    hash?: Hash,
  ): { next: T; codes: number[]; counters: number[]; hash?: Hash } {
    return this.step(state, clone, undefined, body, undefined, hash);
  }

  /**
   * {@link trace} with a guard: `guard(view, arg)` looks (read-only) at the
   * copy before `body(draft, arg)` changes it, through the same recorder and
   * proxies, so the codes are the guard's reads then the step's accesses: what
   * {@link reads} on `state` and then {@link trace} note (the copy holds what
   * `state` holds until the step runs), in one pass.
   */
  step<T extends object, A>(
    state: T,
    clone: (s: T) => T,
    guard: ((view: T, arg: A) => unknown) | undefined,
    body: (draft: T, arg: A) => void,
    arg: A,
    hash?: Hash,
  ): { next: T; codes: number[]; counters: number[]; hash?: Hash } {
    if (hash && !this.shape) throw new Error('footprint: fingerprints need the Tracer to be given the shape of the states');
    let next = clone(state);
    const views = this.aim(next);
    if (views) {
      this.viewing = true;
      try {
        return this.run(next, views as T, guard, body, arg, hash);
      } catch (e) {
        // something the views do not know, or the step failed: the proxies run it again and answer
        if (!Tracer.rerun) throw e;
        next = clone(state);
      } finally {
        this.viewing = false;
      }
    }
    return this.run(next, this.root.wrap(next), guard, body, arg, hash);
  }

  private run<T extends object, A>(
    next: T,
    draft: T,
    guard: ((view: T, arg: A) => unknown) | undefined,
    body: (draft: T, arg: A) => void,
    arg: A,
    hash: Hash | undefined,
  ): { next: T; codes: number[]; counters: number[]; hash?: Hash } {
    const rec = this.recorder(false);
    if (hash) {
      rec.hashing = true;
      rec.hi = hash[0] | 0;
      rec.lo = hash[1] | 0;
    }
    const prev = active;
    active = rec;
    try {
      if (guard) {
        rec.readonly = true;
        guard(draft, arg);
        rec.readonly = false;
      }
      body(draft, arg);
    } finally {
      active = prev;
      this.spare = rec;
    }
    if (hash) return { next, codes: rec.codes(), counters: rec.counters, hash: [rec.hi >>> 0, rec.lo >>> 0] };
    return { next, codes: rec.codes(), counters: rec.counters };
  }

  /** The spare recorder, or a new one while the spare is in use (a trace inside a trace). */
  private recorder(readonly: boolean): Recorder {
    const rec = this.spare ?? new Recorder();
    this.spare = null;
    return rec.reset(readonly);
  }

  /** The reads a read-only look at `state` makes (a step's guard). */
  reads<T extends object, R>(state: T, body: (view: T) => R): { value: R; codes: number[] } {
    const rec = this.recorder(true);
    const prev = active;
    active = rec;
    try {
      const value = body(this.root.wrap(state));
      return { value, codes: rec.codes() };
    } finally {
      active = prev;
      this.spare = rec;
    }
  }

  /**
   * Steps (and the guards traced with them) run on views of the state rather than proxies when they
   * can: an object per container of the shape, made once, with an accessor per
   * field (a proxy's traps are calls V8 cannot inline), aimed at each state's
   * objects in turn. An array of records is a frozen array of its records'
   * views. A step that does what a view does not know (a field outside the
   * shape, a delete, a store into the array) runs again through proxies; one
   * difference remains: a read of an array of records outside its elements
   * (`tasks[-1]`) gives undefined without the read the proxies note.
   * For tests: `Tracer.proxies`, always proxies (the reference the views are
   * checked against); `Tracer.rerun = false`, a step the views cannot run
   * throws instead (the views did all the work).
   */
  static proxies = false;
  static rerun = true;
  private views: Views | null | undefined;
  /** the views are in use (by a trace that traces inside it, say): another trace takes proxies */
  private viewing = false;

  /** The root's view aimed at `state`, or null when the proxies must record (no shape; a state not of the shape; views in use). */
  private aim(state: object): object | null {
    if (this.viewing || Tracer.proxies) return null;
    if (this.views === undefined) this.views = this.makeViews();
    return this.views && this.views.aim(state) ? this.views.root : null;
  }

  /** The views of the shape's containers: the root, its records, the records of its arrays when they all have the first's fields. */
  private makeViews(): Views | null {
    if (!this.shape) return null;
    const q = JSON.stringify;
    // the aiming, generated: each object read by its name, each view stored into by a site of its own
    const aimed: object[] = [];
    const code: string[] = [];
    const aim = (view: object, x: string): void => {
      code.push(`x = ${x}; if (typeof x !== 'object' || x === null || Array.isArray(x)) return false; v${aimed.length}[T] = x;`);
      aimed.push(view);
    };
    const fields = Object.keys(this.shape);
    const kids = fields.map((k): unknown => {
      const sample = (this.shape as Record<string, unknown>)[k];
      if (isRecord(sample)) {
        const own = Object.keys(sample);
        const view = makeView(this.root.child(k, false), own, compileAccessors(own, []), []);
        aim(view, `s[${q(k)}]`);
        return view;
      }
      if (!Array.isArray(sample) || sample.length === 0 || !sample.every(isRecord)) return undefined; // a leaf, or plain values: proxies
      const own = Object.keys(sample[0]!);
      if (!sample.every((x) => q(Object.keys(x)) === q(own))) return undefined;
      const c = this.root.child(k, true);
      const accessors = compileAccessors(own, []);
      const views = sample.map((_x, i) => makeView(c.child(String(i), false), own, accessors, []));
      code.push(`a = s[${q(k)}]; if (!Array.isArray(a) || a.length !== ${views.length}) return false;`);
      views.forEach((v, i) => aim(v, `a[${i}]`));
      return Object.freeze(views);
    });
    const root = makeView(this.root, fields, compileAccessors(fields, kids.map((v) => v !== undefined)), kids);
    aimed.push(root);
    const consts = aimed.map((_v, i) => `v${i} = V[${i}]`).join(', ');
    const body = `const ${consts}; return (s) => { let a, x; ${code.join('\n')} v${aimed.length - 1}[T] = s; return true; };`;
    return { root, aim: new Function('V', 'T', body)(aimed, RAW) as (state: object) => boolean };
  }

  /**
   * The read of a named object in `state`, as a property observes it:
   * `tasks[2].pc@T6e` (whether the field holds that value), or `ctx.error`
   * (its value in `state`).
   */
  observe(state: object, name: string): number {
    const at = name.indexOf('@');
    let c = this.root;
    let v: unknown = state;
    const parts = name.slice(0, at < 0 ? name.length : at).match(/[^.[\]]+/g) ?? [];
    for (let k = 0; k < parts.length; k++) {
      const key = parts[k]!;
      const x = (v as Record<string, unknown> | undefined)?.[key];
      if (k < parts.length - 1) {
        c = c.child(key, Array.isArray(x));
        v = x;
      } else if (at < 0) return accessCode(c.read(key, x), READ);
      else return accessCode(this.vocab.id(name), valueKey(x) === name.slice(at + 1) ? READ : READ_NOT);
    }
    throw new Error(`footprint: cannot observe '${name}'`);
  }
}

/**
 * `obj[field] === value`, noted as a read of "the field holds `value`": it
 * conflicts only with a step that moves the field to or from that value. For
 * tests like "is this task on the waitq?" over every task.
 */
export function readIs<T extends object, K extends keyof T & string>(obj: T, field: K, value: T[K]): boolean {
  const r = recording(obj);
  if (!r) return obj[field] === value;
  const holds = r.raw[field] === value;
  r.rec.note(r.c.at(field, value), holds ? READ : READ_NOT);
  return holds;
}

/** The recorder, container and raw object behind `obj` while a step is traced; null otherwise. */
function recording(obj: object): { rec: Recorder; c: Container; raw: Record<string, unknown> } | null {
  const o = obj as Record<PropertyKey, unknown>;
  const c = active ? (o[CONTAINER] as Container | undefined) : undefined;
  return active && c ? { rec: active, c, raw: o[RAW] as Record<string, unknown> } : null;
}

/**
 * `obj[field] = value` as a blind store, one whose effect does not depend on
 * what the field held (wake_up_process's `state = TASK_RUNNING`). Noted as
 * `set` of "the field holds `value`" and `clear` of every other value of
 * `domain`, whatever it held before: two stores of one value commute (a
 * wake-up and a waiter's own finish_wait), a store conflicts with every read
 * of the field and with a store of another value. The notes do not depend on
 * the state, which is what lets the reduction reorder two stores: a store
 * noted as a read when it changed nothing would race with nothing.
 */
export function assign<T extends object, K extends keyof T & string>(obj: T, field: K, value: T[K], domain: readonly T[K][]): void {
  const r = recording(obj);
  if (!r) {
    obj[field] = value;
    return;
  }
  const { rec, c, raw } = r;
  if (rec.hashing && c.inLeaf) throw new Error(`assign: ${c.name(field)} is inside a value steps replace, never mutate`);
  if (!domain.includes(value) || !domain.includes(raw[field] as T[K])) {
    throw new Error(`assign: ${c.name(field)} = ${valueKey(value)} over ${valueKey(raw[field])}, outside its domain ${domain.map(valueKey).join(', ')}`);
  }
  for (const v of domain) rec.note(c.at(field, v), v === value ? SET : CLEAR);
  if (rec.hashing && raw[field] !== value) rec.move(c.vocab, c.at(field, raw[field]), c.at(field, value));
  raw[field] = value;
}

/**
 * Adds `delta` (+1 or -1) to a counter field, noted as one `inc` or `dec`.
 * Returns the value before. A decrement of a counter at 0 or below changes
 * nothing and is noted as a read (the caller reports it).
 */
export function counterAdd<T extends object, K extends keyof T & string>(obj: T, field: K, delta: 1 | -1): number {
  const o = obj as unknown as Record<PropertyKey, unknown> & Record<string, number>;
  const rec = active;
  const raw = (o[RAW] as Record<string, number> | undefined) ?? o;
  const before = raw[field]!;
  if (delta < 0 && before <= 0) {
    if (rec) void o[field]; // noted as a read
    return before;
  }
  if (rec) {
    rec.quiet++;
    try {
      o[field] = before + delta; // through the proxy, kept quiet
    } finally {
      rec.quiet--;
    }
    const c = o[CONTAINER] as Container | undefined;
    if (!c) throw new Error(`counterAdd: ${field} of an object that is not part of the traced state`);
    const id = c.leaf(field);
    rec.note(id, delta > 0 ? INC : DEC);
    if (rec.quiet === 0) {
      if (rec.counters === NO_COUNTERS) rec.counters = [];
      rec.counters.push(id, before + delta, delta);
    }
  } else raw[field] = before + delta;
  return before;
}
