/** Scenario families shared by the suites. */
import { parseScenario, type Scenario } from '../src/kernel/scenario.ts';

/** Every placement of zombies over n tasks (the root included), 2^n scenarios. */
export function zombiePlacements(n: number): Scenario[] {
  return Array.from({ length: 1 << n }, (_, mask) =>
    parseScenario({
      name: Array.from({ length: n }, (_, i) => (mask >> i) & 1 ? 'Z' : 'L').join(''),
      tasks: Array.from({ length: n }, (_, i) => ({ vpid: i + 1, kind: (mask >> i) & 1 ? 'zombie' : 'live' })),
    }),
  );
}

/** n tasks with a thread of the root at place k (the others live). */
export function threadAt(n: number, k: number): Scenario {
  return parseScenario({
    name: Array.from({ length: n }, (_, i) => (i === k ? 'T' : 'L')).join(''),
    tasks: Array.from({ length: n }, (_, i) => (i === k ? { vpid: i + 1, kind: 'live', leader: false, tgid: 1 } : { vpid: i + 1, kind: 'live' })),
  });
}
