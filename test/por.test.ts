/**
 * Partial-order reduction: the footprint vocabulary knows which updates
 * commute, the reduced search reduces, and on every model of the registry its
 * verdicts are those of the plain search, with a counterexample in both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { variants, versions } from '../models/index.ts';
import { v18 } from '../models/v18.ts';
import { v20 } from '../models/v20.ts';
import { restartProperties } from '../properties/restart.ts';
import { STANDARD_SCENARIOS } from '../properties/standard-scenarios.ts';
import { CLEAR, conflicts, conflictsAfter, conflictsInOrder, footprintsConflict, INC, DEC, READ, READ_NOT, SET, WRITE } from '../src/engine/access.ts';
import { DporSearch } from '../src/engine/dpor.ts';
import { exploreSync } from '../src/engine/run.ts';
import { causalPast } from '../src/engine/shorten.ts';
import type { Action, Model, Property } from '../src/engine/types.ts';
import { ckpt_ctx_get, ckpt_ctx_put } from '../src/kernel/ctx.ts';
import { assign, counterAdd, makeCloner, readIs, Tracer } from '../src/kernel/footprint.ts';
import { buildModel, initialState } from '../src/kernel/model.ts';
import { parseScenario, shorthandScenario, type Scenario } from '../src/kernel/scenario.ts';
import { finish_wait, prepare_to_wait, wake_up_all, wake_up_process } from '../src/kernel/sched.ts';
import type { RestartState } from '../src/kernel/state.ts';
import { zombiePlacements } from './scenarios.ts';
import { wakeOne } from './wake-one.ts';

describe('the footprint vocabulary', () => {
  const tracer = new Tracer(['ctx.refcount', 'ctx.nrTotal']);
  const clone = (s: RestartState): RestartState => structuredClone(s);
  const state = (refcount: number): RestartState => {
    const s = initialState(v18, shorthandScenario(2, 0));
    s.ctx.refcount = refcount;
    return s;
  };
  const fp = (s: RestartState, step: (d: RestartState) => void): number[] => tracer.trace(s, clone, step).codes;
  const names = (codes: readonly number[]): string[] => codes.map((c) => tracer.vocab.describe(c));

  it('two gets commute, two puts commute; a get and a put commute in their order, and reversed only with the values', () => {
    const get = fp(state(3), (d) => ckpt_ctx_get(d, 'test'));
    const put = fp(state(3), (d) => ckpt_ctx_put(d, 'test'));
    expect(names(get)).toContain('ctx.refcount:inc');
    expect(names(put)).toContain('ctx.refcount:dec');
    expect(footprintsConflict(get, get)).toBe(false);
    expect(footprintsConflict(put, put)).toBe(false);
    // reversing a get and a later put may make the put the one that frees: the reduction checks the values
    expect(footprintsConflict(get, put)).toBe(true);
    const inOrder = (a: readonly number[], b: readonly number[]): boolean => a.some((x) => b.some((y) => conflictsInOrder(x, y)));
    expect(inOrder(get, put)).toBe(false);
    expect(tracer.trace(state(3), clone, (d) => ckpt_ctx_put(d, 'test')).counters).toEqual([tracer.vocab.id('ctx.refcount'), 2, -1]);
  });
  it('the put that frees writes ctx.freed, which every use of the ctx reads', () => {
    const last = fp(state(1), (d) => ckpt_ctx_put(d, 'test'));
    const get = fp(state(1), (d) => ckpt_ctx_get(d, 'test'));
    expect(names(last)).toContain('ctx.freed@false:write');
    expect(names(get)).toContain('ctx.freed@false:read');
    expect(footprintsConflict(last, fp(state(3), (d) => ckpt_ctx_put(d, 'test')))).toBe(true);
  });
  it('two wake-ups of a running task commute; a wake-up and its prepare_to_wait do not', () => {
    const wake = fp(state(3), (d) => wake_up_process(d.tasks[0]!));
    // a blind store: the same notes whatever the task's state was
    expect(names(wake)).toEqual(['tasks[0].sched@RUNNING:set', 'tasks[0].sched@INTERRUPTIBLE:clear']);
    expect(footprintsConflict(wake, wake)).toBe(false);
    const prepare = fp(state(3), (d) => prepare_to_wait(d.tasks[0]!, 'waitq'));
    expect(footprintsConflict(wake, prepare)).toBe(true);
    const sleeping = state(3);
    prepare_to_wait(sleeping.tasks[0]!, 'waitq');
    expect(footprintsConflict(wake, fp(sleeping, (d) => finish_wait(d.tasks[0]!)))).toBe(false);
    expect(footprintsConflict(wake, tracer.reads(sleeping, (v) => v.tasks[0]!.sched === 'RUNNING').codes)).toBe(true);
  });
  it('wake_up_all(waitq) does not conflict with a task joining another queue', () => {
    const all = fp(state(3), (d) => wake_up_all(d, 'waitq'));
    const join = fp(state(3), (d) => prepare_to_wait(d.tasks[1]!, 'stack'));
    expect(footprintsConflict(all, join)).toBe(false);
    expect(footprintsConflict(all, fp(state(3), (d) => prepare_to_wait(d.tasks[1]!, 'waitq')))).toBe(true);
  });
  it('conflictsInOrder: as conflicts, and an inc and a dec commute', () => {
    const at = (kind: number): number => 7 * 8 + kind;
    expect(conflictsInOrder(at(INC), at(DEC))).toBe(false);
    expect(conflictsInOrder(at(DEC), at(INC))).toBe(false);
    expect(conflictsInOrder(at(INC), at(READ))).toBe(true);
    expect(conflictsInOrder(at(DEC), at(WRITE))).toBe(true);
    expect(conflictsInOrder(at(READ), at(READ))).toBe(false);
  });
  it('conflictsAfter: a store commutes with a read before it that saw what it stores, not with one after it', () => {
    const at = (kind: number): number => 7 * 8 + kind;
    expect(conflictsAfter(at(SET), at(READ))).toBe(false);
    expect(conflictsAfter(at(READ), at(SET))).toBe(true);
    expect(conflictsAfter(at(CLEAR), at(READ_NOT))).toBe(false);
    expect(conflictsAfter(at(READ_NOT), at(CLEAR))).toBe(true);
    expect(conflictsAfter(at(SET), at(CLEAR))).toBe(true);
    expect(conflicts(at(SET), at(READ))).toBe(true); // either order: the summaries' test
  });
  it('conflicts: read/read, inc/inc and dec/dec commute, anything with a write does not', () => {
    const at = (kind: number): number => 7 * 8 + kind;
    expect(conflicts(at(READ), at(READ))).toBe(false);
    expect(conflicts(at(INC), at(INC))).toBe(false);
    expect(conflicts(at(DEC), at(DEC))).toBe(false);
    expect(conflicts(at(READ), at(WRITE))).toBe(true);
    expect(conflicts(at(INC), at(READ))).toBe(true);
    expect(conflicts(at(WRITE), 8 * 8 + WRITE)).toBe(false);
  });
});

/** n threads, each counting its own counter to k: independent, so (k+1)^n states plainly. */
interface Counters {
  c: number[];
}
function counters(n: number, k: number, shared = false): Model<Counters> {
  const act = (t: number): Action => ({ actor: t, label: `c${t}++` });
  return {
    name: 'counters',
    actors: Array.from({ length: n }, (_, t) => `t${t}`),
    init: () => ({ c: new Array<number>(n).fill(0) }),
    actions: (s) => s.c.flatMap((v, t) => (v < k ? [act(t)] : [])),
    next: (s, a) => ({ c: s.c.map((v, t) => (t === a.actor ? v + 1 : v)) }),
    por: {
      threads: n,
      // each thread writes its own counter; with `shared`, they all also write object n
      traced: (s, a) => {
        const next = { c: s.c.map((v, t) => (t === a.actor ? v + 1 : v)) };
        return { next, footprint: [a.actor * 8 + WRITE, ...(shared ? [n * 8 + WRITE] : [])] };
      },
      guardReads: (s, t) => (s.c[t]! < k ? [] : null),
      observe: () => 99 * 8 + READ,
    },
  };
}

describe('the reduced search', () => {
  it('explores one interleaving of independent threads', () => {
    const plain = exploreSync(counters(3, 3), []);
    const reduced = exploreSync(counters(3, 3), [], { reduction: 'dpor' });
    expect(plain.stats.states).toBe(64);
    expect(reduced.verdict).toBe('holds');
    expect(reduced.stats.states).toBe(10); // one path: 3·3 steps
  });
  it('explores every order of threads that conflict', () => {
    const reduced = exploreSync(counters(2, 2, true), [], { reduction: 'dpor' });
    expect(reduced.stats.states).toBe(9);
  });
  it('finds a violation that needs an order, and reports the shortest counterexample', () => {
    // bad: thread 1 done while thread 0 has not moved
    const bad: Property<Counters> = { id: 'X', title: 'x', onStep: (_p, _a, s) => (s.c[1] === 2 && s.c[0] === 0 ? 'bad' : null), observes: () => ['c'] };
    const m = counters(2, 2);
    const r = exploreSync(m, [bad], { reduction: 'dpor' });
    expect(r.verdict).toBe('violated');
    expect(r.violation!.steps.map((s) => s.action.actor)).toEqual([1, 1]);
    expect(r.violation!.shortest).toBe(true);
  });
  it('tells a watcher each transition it runs and each race it reverses (bench/anatomy.ts)', () => {
    const watched = (m: Model<Counters>) => {
      let transitions = 0;
      const races: string[] = [];
      const search = new DporSearch(m, [], { watch: { transition: () => void transitions++, race: (a, b) => void races.push(`${a.label} ${b.label}`) } });
      const r = search.work(10_000)!;
      expect(transitions).toBe(r.stats.transitions);
      return { races, sleepBlocked: search.sleepBlocked };
    };
    expect(watched(counters(3, 3))).toEqual({ races: [], sleepBlocked: 0 });
    // two threads that both write one object: their steps race, each way round
    const shared = watched(counters(2, 2, true));
    expect(shared.races.length).toBeGreaterThan(0);
    expect(new Set(shared.races)).toEqual(new Set(['c0++ c1++', 'c1++ c0++']));
  });
  it('refuses a property that does not say what it observes', () => {
    const blind: Property<Counters> = { id: 'B', title: 'b', onStep: () => null };
    expect(DporSearch.unsupported(counters(2, 2), [blind])).toMatch(/B does not say what it observes/);
    expect(() => exploreSync(counters(2, 2), [blind], { reduction: 'dpor' })).toThrow(/partial-order reduction unavailable/);
  });
  it('reports a cycle as a run that never ends', () => {
    const loop: Model<{ x: number }> = {
      name: 'loop',
      actors: ['t'],
      init: () => ({ x: 0 }),
      actions: () => [{ actor: 0, label: 'x' }],
      next: (s) => ({ x: (s.x + 1) % 3 }),
      por: { threads: 1, traced: (s) => ({ next: { x: (s.x + 1) % 3 }, footprint: [WRITE] }), guardReads: () => [], observe: () => READ },
    };
    const r = exploreSync(loop, [{ id: 'P9', title: 'ends', coversNonTermination: true }], { reduction: 'dpor' });
    expect(r.violation?.property).toBe('P9');
    expect(r.violation!.cycleStart).toBe(0);
    expect(r.violation!.steps).toHaveLength(3);
  });
  it('the causal past drops the steps a violation does not depend on', () => {
    // thread 0 writes object 1, thread 1 writes object 2, thread 2 reads object 1: thread 1's step is not needed
    const steps = [
      { thread: 1, fp: [2 * 8 + WRITE] },
      { thread: 0, fp: [1 * 8 + WRITE] },
      { thread: 1, fp: [2 * 8 + WRITE] },
      { thread: 2, fp: [1 * 8 + READ] },
    ];
    expect(causalPast(steps)).toEqual([1, 3]);
  });
  it('shrinks the long run a depth-first search finds to the shortest length (v18, 6 tasks)', () => {
    const m = buildModel(v18, shorthandScenario(6, 3));
    const ps = restartProperties(m);
    const reduced = exploreSync(m, ps, { reduction: 'dpor', certifyStates: 0 });
    const v = reduced.violation!;
    expect(v.shortestNote).toMatch(/found at depth \d{3} by the reduced search, .* shrunk to 16; not proven shortest: no proof was asked for$/);
    // the plain search's shortest, found by breadth-first search
    expect(v.steps).toHaveLength(exploreSync(m, ps).violation!.steps.length);
    expect(v.shortest).toBe(false); // not proven: the proof was skipped
  });
  it('a stop while the counterexample is being proven shortest keeps it, unproven', () => {
    // v18 at 8 tasks: found in 0.2 s, shrunk to 18 steps, then a proof that takes ~14 s
    const m = buildModel(v18, shorthandScenario(8, 4));
    const search = new DporSearch(m, restartProperties(m));
    const started = Date.now();
    let r = null;
    while (!r && Date.now() - started < 3000) r = search.work(100);
    expect(r).toBeNull();
    search.stop('stopped by the test');
    r = search.work(100);
    expect(r?.verdict).toBe('violated');
    expect(r!.violation!.steps).toHaveLength(18);
    expect(r!.violation!.shortestNote).toMatch(/shrunk to 18; not proven shortest: stopped by the test$/);
  });
  it('reduces the restart models: v20 on 3 tasks stores under half the states', () => {
    const m = buildModel(v20, shorthandScenario(3, 0));
    const ps = restartProperties(m);
    const plain = exploreSync(m, ps);
    const reduced = exploreSync(m, ps, { reduction: 'dpor' });
    expect(reduced.verdict).toBe(plain.verdict);
    expect(reduced.stats.states).toBeLessThan(plain.stats.states / 2);
  });
});

/**
 * Threads that get, put and use one refcounted object (the last put frees it;
 * a use, get or put after that is a use after free), and store to and test a
 * flag: the increments and decrements commute unless a reordering lets a put
 * free the object early; two blind stores commute if they store one value.
 */
type Op = 'get' | 'put' | 'use' | 'setA' | 'setB' | 'testB' | 'isA' | 'pick' | 'getOrPut';
/** the nondeterministic ops: each outcome an action of the thread (a nondeterministic step) */
const OUTCOMES: Partial<Record<Op, readonly Op[]>> = { pick: ['setA', 'setB'], getOrPut: ['get', 'put'] };
interface Ref {
  obj: { count: number; freed: boolean; flag: 'A' | 'B' };
  pc: number[];
  uaf: string | null;
}
function refcount(programs: readonly (readonly Op[])[], count: number): Model<Ref> {
  const tracer = new Tracer(['obj.count']);
  const init = (): Ref => ({ obj: { count, freed: false, flag: 'A' }, pc: programs.map(() => 0), uaf: null });
  const clone = makeCloner(init());
  const step = (d: Ref, t: number, chosen?: string): void => {
    const at = programs[t]![d.pc[t]!]!;
    const op = OUTCOMES[at] ? (chosen as Op) : at;
    d.pc[t] = d.pc[t]! + 1;
    if (op === 'setA' || op === 'setB') return assign(d.obj, 'flag', op === 'setA' ? 'A' : 'B', ['A', 'B']);
    if (op === 'testB') {
      if (d.obj.flag === 'B') d.uaf = `t${t} saw B`;
      return;
    }
    if (op === 'isA') {
      if (!readIs(d.obj, 'flag', 'A')) d.uaf = `t${t} saw no A`;
      return;
    }
    if (d.obj.freed) {
      d.uaf = `${op} by t${t} after free`;
      return;
    }
    if (op === 'get') counterAdd(d.obj, 'count', 1);
    else if (op === 'put' && counterAdd(d.obj, 'count', -1) === 1) d.obj.freed = true;
  };
  const acts = (s: Ref, t: number): Action[] => {
    const label = programs[t]!.join('');
    const outcomes = OUTCOMES[programs[t]![s.pc[t]!]!];
    return outcomes ? outcomes.map((detail) => ({ actor: t, label, detail })) : [{ actor: t, label }];
  };
  const enabled = (s: Ref, t: number): boolean => !s.uaf && s.pc[t]! < programs[t]!.length;
  return {
    name: 'refcount',
    actors: programs.map((_p, t) => `t${t}`),
    init,
    actions: (s) => programs.flatMap((_p, t) => (enabled(s, t) ? acts(s, t) : [])),
    next: (s, a) => tracer.trace(s, clone, (d) => step(d, a.actor, a.detail)).next,
    por: {
      threads: programs.length,
      traced(s, a) {
        const guard = tracer.reads(s, (v) => enabled(v, a.actor));
        const { next, codes, counters } = tracer.trace(s, clone, (d) => step(d, a.actor, a.detail));
        return { next, footprint: guard.codes.concat(codes), counters };
      },
      guardReads: (s, t) => (s.pc[t]! < programs[t]!.length ? tracer.reads(s, (v) => enabled(v, t)).codes : null),
      observe: (s, name) => tracer.observe(s, name),
    },
  };
}
const noUaf: Property<Ref> = { id: 'UAF', title: 'no use after free', onStep: (_p, _a, s) => s.uaf, observes: () => ['uaf'] };

/** A thousand random programs of `ops`: the reduced search's verdict is the plain one's, and both verdicts occur. */
function agreesOnRandomPrograms(ops: readonly Op[], seed: number): void {
  const op = fc.constantFrom<Op>(...ops);
  const verdicts = new Set<string>();
  fc.assert(
    fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (programs, count) => {
      const m = refcount(programs, count);
      const plain = exploreSync(m, [noUaf]);
      const reduced = exploreSync(m, [noUaf], { reduction: 'dpor' });
      expect(reduced.verdict, JSON.stringify(programs)).toBe(plain.verdict);
      verdicts.add(plain.verdict);
    }),
    { numRuns: 1000, seed },
  );
  expect([...verdicts].sort()).toEqual(['holds', 'violated']);
}

describe('counters and blind stores: what commutes, and the reduced search agrees', () => {
  it('finds the order where two puts free the object before a get', () => {
    // count 2: t0 gets and uses, t1 and t2 each put; only t1, t2 before t0 frees early
    const m = refcount([['get', 'use'], ['put'], ['put']], 2);
    const plain = exploreSync(m, [noUaf]);
    const reduced = exploreSync(m, [noUaf], { reduction: 'dpor' });
    expect(plain.verdict).toBe('violated');
    expect(reduced.verdict).toBe('violated');
    expect(reduced.violation!.steps).toHaveLength(plain.violation!.steps.length);
  });
  it('commutes a get and a put far from zero', () => {
    const m = refcount([['get', 'put'], ['get', 'put'], ['get', 'put']], 3);
    const plain = exploreSync(m, [noUaf]);
    const reduced = exploreSync(m, [noUaf], { reduction: 'dpor' });
    expect(reduced.verdict).toBe('holds');
    expect(plain.verdict).toBe('holds');
    expect(reduced.stats.states).toBeLessThan(plain.stats.states / 2);
  });
  it('the future of a finished state races with every read since the last write, not only the latest (a use after free it once missed)', () => {
    // t0 tests the flag, then puts; t2 uses, then stores the value t0 tested: the use after free needs
    // t2's use after both puts, a race of the freeing put with the root's use that only a summary shows
    for (const test of ['testB', 'isA'] as const) {
      const m = refcount([[test, 'put'], ['put'], ['use', 'setA']], 2);
      const plain = exploreSync(m, [noUaf]);
      const reduced = exploreSync(m, [noUaf], { reduction: 'dpor' });
      expect(plain.verdict).toBe('violated');
      expect(reduced.verdict).toBe('violated');
      expect(reduced.violation!.steps).toHaveLength(4);
    }
  });
  it('agrees with the plain search on random programs', () => {
    agreesOnRandomPrograms(['get', 'put', 'use', 'setA', 'setB', 'testB', 'isA'], 4);
  });
  it('explores every outcome of a nondeterministic step, not only the first', () => {
    // one thread: only the outcome setB (the second) makes testB fail
    const m = refcount([['pick', 'testB']], 1);
    const reduced = exploreSync(m, [noUaf], { reduction: 'dpor' });
    expect(reduced.verdict).toBe('violated');
    expect(reduced.violation!.steps.map((st) => st.action.detail ?? '')).toEqual(['setB', '']);
    // two threads: the put that frees before t0's use, through the second outcome of each
    const two = refcount([['getOrPut', 'use'], ['getOrPut']], 1);
    expect(exploreSync(two, [noUaf], { reduction: 'dpor' }).verdict).toBe('violated');
  });
  it('agrees with the plain search on random programs with nondeterministic steps', () => {
    agreesOnRandomPrograms(['get', 'put', 'use', 'setA', 'setB', 'testB', 'isA', 'pick', 'getOrPut'], 13);
  });
  it('a blind store outside its domain is a model error', () => {
    const t = new Tracer();
    const s: { obj: { flag: string } } = { obj: { flag: 'A' } };
    expect(() => t.trace(s, (x) => structuredClone(x), (d) => assign(d.obj, 'flag', 'C', ['A', 'B']))).toThrow(/obj.flag = C over A, outside its domain A, B/);
  });
});

/**
 * Plain and reduced search agree: the same verdict and the same first
 * property violated, with a counterexample in both, as short as the plain one
 * (or longer, and said to be unproven, when the breadth-first proof ran out of
 * its budget). Then, for up to `rounds` rounds, the same again without that
 * property, until both say the rest holds: a violation the reduced search
 * missed cannot hide behind another.
 */
function compare(m: ReturnType<typeof buildModel>, label: string, rounds: number): string[] {
  let properties = restartProperties(m);
  const violated: string[] = [];
  for (;;) {
    const plain = exploreSync(m, properties);
    const reduced = exploreSync(m, properties, { reduction: 'dpor' });
    const at = `${label}, ${properties.map((p) => p.id).join(',')}`;
    expect(reduced.verdict, at).toBe(plain.verdict);
    if (!plain.violation) return violated;
    const v = reduced.violation!;
    expect(v.property, at).toBe(plain.violation.property);
    // the reduced search found one itself, then made it a shortest one
    expect(v.shortestNote, at).toMatch(/found at depth \d+ by the reduced search/);
    if (v.shortest) expect(v.steps.length, at).toBe(plain.violation.steps.length);
    else {
      expect(v.shortestNote, at).toMatch(/not proven shortest/);
      expect(v.steps.length, at).toBeGreaterThan(plain.violation.steps.length);
    }
    violated.push(plain.violation.property);
    if (violated.length === rounds) return violated;
    properties = properties.filter((p) => p.id !== plain.violation!.property);
  }
}

describe('plain and reduced search agree on every model of the registry', () => {
  const LZLZ = parseScenario({ name: 'LZLZ', tasks: [1, 2, 3, 4].map((vpid) => ({ vpid, kind: vpid % 2 ? 'live' : 'zombie' })) });
  // ~5–10 s a model on 2 busy cores: the soundness check of the reduction over the whole registry
  const sample = zombiePlacements(3).filter((s) => ['LLL', 'LZL', 'ZLZ', 'ZZZ'].includes(s.name));
  it('a model with a nondeterministic step (C8 wakes one waiter of waitq, any of them)', () => {
    let violations = 0;
    for (const { scenario } of STANDARD_SCENARIOS.filter((x) => x.scenario.nrPids >= 2 && !x.scenario.tasks.some((t) => t.kind === 'ghost'))) {
      violations += compare(buildModel(wakeOne, scenario), `${wakeOne.name} on ${scenario.name}`, 3).length;
    }
    compare(buildModel(wakeOne, sample.find((s) => s.name === 'LZL')!), `${wakeOne.name} on LZL`, 1);
    expect(violations).toBeGreaterThan(0);
  });
  it.each(variants.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    let violations = 0;
    // every standard scenario (1–2 tasks with zombies, a thread, a ghost, each fault; then LZL): three properties deep
    for (const { scenario } of STANDARD_SCENARIOS) violations += compare(buildModel(variant, scenario), `${variant.name} on ${scenario.name}`, 3).length;
    // zombies placed over 3 tasks, and a 4-task tree: the first violation
    for (const scenario of [...sample, LZLZ]) compare(buildModel(variant, scenario), `${variant.name} on ${scenario.name}`, 1);
    // the comparison met violations to agree on (every model has some under faults)
    expect(violations).toBeGreaterThan(0);
  });
});

/** Two reduced searches sharing their tables (bench/swarm.ts), in turns of 64 steps: the first to end gives the verdict. */
function sharedPair<S, A extends Action>(m: Model<S, A>, properties: readonly Property<S, A>[]): { verdict: string; property?: string; duplicates: number } {
  const a = new DporSearch(m, properties, { certifyStates: 0 });
  const b = new DporSearch(m, properties, { certifyStates: 0 }, a.tables);
  for (;;) {
    const r = a.work(0) ?? b.work(0);
    if (r) return { verdict: r.verdict, property: r.violation?.property, duplicates: a.duplicates + b.duplicates };
  }
}

describe('two reduced searches sharing their tables agree with the plain search', () => {
  it('on random programs', () => {
    const op = fc.constantFrom<Op>('get', 'put', 'use', 'setA', 'setB', 'testB', 'isA', 'pick', 'getOrPut');
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (programs, count) => {
        const m = refcount(programs, count);
        expect(sharedPair(m, [noUaf]).verdict, JSON.stringify(programs)).toBe(exploreSync(m, [noUaf]).verdict);
      }),
      { numRuns: 500, seed: 21 },
    );
  });
  it('on each version of the protocol and each standard scenario: the verdict, and the property a violation breaks', () => {
    let duplicates = 0;
    const scenarios = STANDARD_SCENARIOS.map((x) => x.scenario);
    for (const variant of versions) {
      for (const scenario of scenarios) {
        const m = buildModel(variant, scenario);
        const properties = restartProperties(m);
        const plain = exploreSync(m, properties);
        const pair = sharedPair(m, properties);
        const at = `${variant.name} on ${scenario.name}`;
        expect(pair.verdict, at).toBe(plain.verdict);
        // the first violation met may break another property than the plain search's shortest does: it must break one the plain search finds broken
        if (plain.violation && pair.property !== plain.violation.property) expect(plainFindsViolated(m, pair.property!), at).toBe(true);
        duplicates += pair.duplicates;
      }
    }
    // the two did meet on each other's stack: the sharing was exercised
    expect(duplicates).toBeGreaterThan(0);
  });
});

/** The plain search finds `id` violated (the other properties dropped). */
function plainFindsViolated(m: ReturnType<typeof buildModel>, id: string): boolean {
  return exploreSync(m, restartProperties(m).filter((p) => p.id === id)).verdict === 'violated';
}
