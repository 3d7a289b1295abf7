/**
 * `next` runs a step on a copy-on-write draft (src/kernel/footprint.ts
 * makeDrafter): only the records the step stores into are copied, the rest
 * shared with the state stepped from. On every model of the registry, random
 * walks from deep-frozen states (a store into a shared record throws) give
 * the next states of a full copy (the traced path's), fingerprints that
 * `fingerprints.next` keeps equal to those walked from scratch, and leave the
 * state stepped from as it was; the drafts run every step themselves. The
 * plain search's successors, peeked into reused storage and kept, are the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { standardScenario } from '../properties/standard-scenarios.ts';
import { makeCloner, makeDrafter } from '../src/kernel/footprint.ts';
import { buildModel } from '../src/kernel/model.ts';
import type { RestartState } from '../src/kernel/state.ts';
import { wakeOne } from './wake-one.ts';

const SCENARIOS = ['LZL', 'LG+sig2', 'LT+kill1', 'LL+die2', 'LZ+sigC', 'LL+fail1'];

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

afterEach(() => {
  makeDrafter.rerun = true;
});

describe('copy-on-write drafts', () => {
  for (const variant of [...variants, wakeOne]) {
    it(`${variant.name}: the next states of a full copy, from frozen states, sharing what the step left alone`, () => {
      makeDrafter.rerun = false;
      let seed = 1414;
      const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      let compared = 0;
      let shared = 0;
      for (const code of SCENARIOS) {
        const model = buildModel(variant, standardScenario(code).scenario);
        const fp = model.fingerprints!;
        for (let w = 0; w < 20; w++) {
          let s: RestartState = deepFreeze(model.init());
          let h = fp.of(s);
          for (let d = 0; d < 200; d++) {
            const before = JSON.stringify(s);
            const enabled = model.actions(s);
            if (enabled.length === 0) break;
            const pick = Math.floor(random() * enabled.length);
            let chosen: RestartState | undefined;
            let last: { kept: RestartState; json: string } | undefined;
            enabled.forEach((a, k) => {
              const next = model.next(s, a);
              const full = JSON.stringify(model.por!.traced(s, a).next);
              const rehashed = fp.next(s, h, next).join();
              if (JSON.stringify(next) !== full || rehashed !== fp.of(next).join()) {
                expect({ next: JSON.stringify(next), hash: rehashed }, `${a.label} at ${before}`).toEqual({ next: full, hash: fp.of(next).join() });
              }
              // peeked into reused storage, then kept: the same state, which the next peek leaves alone
              const peeked = model.successors!.peek(s, a);
              const json = JSON.stringify(peeked);
              const peekHash = fp.next(s, h, peeked).join();
              const kept = model.successors!.keep(s, peeked);
              if (json !== full || JSON.stringify(kept) !== full || peekHash !== rehashed) {
                expect({ peeked: json, kept: JSON.stringify(kept), hash: peekHash }, `${a.label} at ${before}`).toEqual({ peeked: full, kept: full, hash: rehashed });
              }
              if (last && JSON.stringify(last.kept) !== last.json) expect(JSON.stringify(last.kept)).toBe(last.json);
              last = { kept, json: full };
              shared += next.tasks.filter((t, i) => t === s.tasks[i]).length + (next.ctx === s.ctx ? 1 : 0);
              compared++;
              // walk on from a kept state every other step
              if (k === pick) chosen = d % 2 ? kept : next;
            });
            if (JSON.stringify(s) !== before) expect(JSON.stringify(s)).toBe(before);
            h = fp.next(s, h, chosen!);
            s = deepFreeze(chosen!);
          }
        }
      }
      expect(compared).toBeGreaterThan(1000);
      expect(shared).toBeGreaterThan(compared);
    });
  }

  it('what the drafts do not take runs again on a full copy', () => {
    type S = { a: { x: number; y?: string }; t: { v: number }[]; f: boolean[]; o: { w: number } | null };
    const shape: S = { a: { x: 0, y: 'p' }, t: [{ v: 1 }, { v: 2 }], f: [false], o: null };
    const clone = makeCloner(shape);
    const drafts = makeDrafter(shape, clone)!;
    const draft = <A>(s: S, step: (d: S, arg: A) => void, arg: A): S => drafts.next(s, step, arg);
    const s0 = deepFreeze(clone(shape));
    const steps: ((d: S) => void)[] = [
      (d) => void delete d.a.y,
      (d) => void ((d.a as Record<string, unknown>).z = 1),
      (d) => void (d.a = { x: 3 }),
      (d) => void (d.t[0] = { v: 5 }),
      (d) => void d.t.push({ v: 3 }),
    ];
    for (const step of steps) {
      const full = clone(s0);
      step(full);
      makeDrafter.rerun = false;
      expect(() => draft(s0, step, undefined)).toThrow();
      makeDrafter.rerun = true;
      expect(draft(s0, step, undefined)).toEqual(full);
    }
    // what they take: a copy of what is stored into, the rest shared
    makeDrafter.rerun = false;
    const n = draft(s0, (d: S) => void ((d.t[1]!.v = d.a.x + 5), (d.f[0] = true), (d.o = { w: 1 })), undefined);
    expect(n).toEqual({ a: { x: 0, y: 'p' }, t: [{ v: 1 }, { v: 5 }], f: [true], o: { w: 1 } });
    expect(n.a).toBe(s0.a);
    expect(n.t[0]).toBe(s0.t[0]);
    // a store of the value already there copies nothing
    const same = draft(s0, (d: S) => void (d.t[0]!.v = 1), undefined);
    expect(same.t).toBe(s0.t);
    // a step that throws throws from the full copy
    expect(() => draft(s0, () => { throw new Error('boom'); }, undefined)).toThrow('boom');
  });
});
