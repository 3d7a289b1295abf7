/**
 * The benchmark's fixed scenario set (issue 4, item 1).
 *
 * - Fault-free trees of N tasks, N = 2 … 10, with ⌊N/2⌋ zombies at alternating
 *   places (`shorthandScenario(N, ⌊N/2⌋)`: live root, zombie, live, zombie, …),
 *   so N = 8 has the 4 zombies.
 * - Each mutant at N = 3 and N = 6 on the same tree, plus what its bug needs
 *   to show at all (the first standard scenario of `crsim matrix` that shows
 *   it): B7's ghost (`LG`) replaces the last task; B8's signal (`LL+sig2`)
 *   goes to the last live task. The others show on the plain tree.
 * - v20 with each fault of the scenario format at N = 3 and N = 5, on the same
 *   tree: a signal to the last live task, a signal to the coordinator, the
 *   last live task's restore_task failing, its pid missing (ESRCH), an extra
 *   task.
 */
import { scenarioToInput, type ScenarioInput } from '../src/kernel/scenario-input.ts';
import { parseScenario, shorthandScenario, type Scenario } from '../src/kernel/scenario.ts';

export const zombiesFor = (n: number): number => Math.floor(n / 2);

/** The fault-free tree of `n` tasks with zombies at alternating places. */
export function tree(n: number): Scenario {
  return shorthandScenario(n, zombiesFor(n));
}

function input(n: number): ScenarioInput {
  return scenarioToInput(tree(n));
}

/** The vpid of the last live task of the tree. */
function lastLive(s: ScenarioInput): number {
  return [...s.tasks].reverse().find((t) => t.kind === 'live')!.vpid;
}

/** What a mutant needs besides the tree (see the module comment). */
const MUTANT_NEEDS: Readonly<Record<string, 'ghost' | 'signal'>> = {
  'mutant:B7': 'ghost',
  'mutant:B8': 'signal',
};

/** The scenario a mutant is benchmarked on at `n` tasks. */
export function mutantScenario(mutant: string, n: number): Scenario {
  const s = input(n);
  const need = MUTANT_NEEDS[mutant];
  if (need === 'ghost') {
    const tasks = s.tasks.slice(0, -1);
    return parseScenario({ name: `${n - 1} tasks and a ghost`, tasks: [...tasks, { vpid: n, kind: 'ghost' }] }, 'bench');
  }
  if (need === 'signal') {
    const vpid = lastLive(s);
    return parseScenario({ ...s, name: `${s.name}, signal → ${vpid}`, faults: [{ type: 'signal', task: vpid }] }, 'bench');
  }
  return tree(n);
}

export const FAULTS = ['signal', 'signal-coordinator', 'restore-fails', 'esrch', 'extra-task'] as const;
export type FaultName = (typeof FAULTS)[number];

/** The tree of `n` tasks with one fault. */
export function faultScenario(fault: FaultName, n: number): Scenario {
  const s = input(n);
  const vpid = lastLive(s);
  const f =
    fault === 'signal-coordinator' || fault === 'extra-task' ? { type: fault } : { type: fault, task: vpid };
  const what = 'task' in f ? `${fault} ${vpid}` : fault;
  return parseScenario({ ...s, name: `${s.name}, ${what}`, faults: [f] }, 'bench');
}
