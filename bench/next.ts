/**
 * `node bin/run-ts.js bench/next.ts [N]`: what one transition costs, per step
 * of the hot path, on 100,000 transitions of random walks of v18 on N tasks
 * (default 4; N/2 zombies). It is why buildModel's `next` runs the step on a
 * copy-on-write draft (only the records it stores into are copied) instead of
 * copying the whole state by hand, or calling immer's produce (the steps are
 * still written as mutations of a draft), and what recording a footprint for partial-order
 * reduction adds: the reduced search (src/engine/dpor.ts) calls `traced` for
 * each transition, then either walks the new state for its fingerprint or
 * takes the one `traced` kept up to date (src/kernel/zobrist.ts). CPU time,
 * best of 5 passes.
 */
import { produce, setAutoFreeze } from 'immer';
import { v18 } from '../models/v18.ts';
import { fingerprint } from '../src/engine/fingerprint.ts';
import type { Hash } from '../src/engine/types.ts';
import { makeCloner } from '../src/kernel/footprint.ts';
import { buildModel, type RestartAction } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import type { RestartState } from '../src/kernel/state.ts';

setAutoFreeze(false);
const n = Number(process.argv[2] ?? 4);
const model = buildModel(v18, shorthandScenario(n, Math.floor(n / 2)));

const pairs: [RestartState, RestartAction][] = [];
/** the fingerprint of each pair's state, as `fingerprints.of` starts it and `traced` keeps it */
const hashes: Hash[] = [];
let seed = 1;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
while (pairs.length < 100_000) {
  let s = model.init();
  let h = model.fingerprints!.of(s);
  for (;;) {
    const enabled = model.actions(s);
    if (enabled.length === 0) break;
    const a = enabled[Math.floor(random() * enabled.length)]!;
    pairs.push([s, a]);
    hashes.push(h);
    const t = model.por!.traced(s, a, h);
    s = t.next;
    h = t.hash!;
  }
}

// the step itself, on a draft, as buildModel runs it
const apply = (d: RestartState, a: RestartAction): void => {
  if (a.fault !== undefined) return;
  if (a.actor === 0) model.variant.coordinator[a.pc]!.run(d, d.coord, model.env, -1);
  else model.variant.task[a.pc]!.run(d, d.tasks[a.actor - 1]!, model.env, a.actor - 1);
};

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function time(name: string, f: (s: RestartState, a: RestartAction, h: Hash) => unknown): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = cpu();
    for (let k = 0; k < pairs.length; k++) f(pairs[k]![0], pairs[k]![1], hashes[k]!);
    best = Math.min(best, cpu() - t0);
  }
  const us = (best / pairs.length) * 1000;
  console.log(`${name.padEnd(44)} ${us.toFixed(2).padStart(6)} µs`);
  return us;
}

console.log(`v18 on ${n} tasks, ${pairs.length.toLocaleString('en-US')} transitions`);
const immer = time("next with immer's produce", (s, a) => produce(s, (d) => apply(d as RestartState, a)));
const cloneState = makeCloner(model.init());
const copy = time('next on a copy of the whole state (the step)', (s, a) => apply(cloneState(s), a));
const drafted = time('next as buildModel does it (copy-on-write)', (s, a) => model.next(s, a));
time('  + its fingerprint compared (plain search)', (s, a, h) => model.fingerprints!.next(s, h, model.next(s, a)));
time('the same, with its footprint recorded (dpor)', (s, a) => model.por!.traced(s, a));
const walked = time('  + the next state\'s fingerprint walked', (s, a) => fingerprint(model.por!.traced(s, a).next));
const kept = time('  or kept up to date by traced (dpor)', (s, a, h) => model.por!.traced(s, a, h));
time('fingerprint of the state', (s) => fingerprint(s));
time('fingerprints.of the state (from scratch)', (s) => model.fingerprints!.of(s));
time('enabled actions of the state', (s) => model.actions(s));
console.log(`the structural copy is ${(immer / copy).toFixed(1)}x faster than produce, the copy-on-write draft ${(copy / drafted).toFixed(1)}x faster than the copy`);
console.log(`a traced transition with its fingerprint kept costs ${(kept / walked).toFixed(2)}x the one walked`);
