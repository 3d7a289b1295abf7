/**
 * A parsed scenario written back as the JSON a scenario file holds: the
 * inverse of parseScenario, for replay files, shard files and shrinking.
 */
import { parseScenario, SIGCHLD, type Scenario } from './scenario.ts';

/** The JSON form of a scenario, as a scenario file holds it. */
export interface ScenarioInput {
  name?: string;
  tasks: TaskInput[];
  faults?: FaultInput[];
}

export interface TaskInput {
  vpid: number;
  kind: string;
  leader?: boolean;
  tgid?: number;
  header?: Partial<Record<'state' | 'exit_state' | 'exit_code' | 'exit_signal' | 'pdeath_signal', number>>;
  exitSignal?: number;
  /** timed runs: restore_task's work relative to a unit image */
  imageSize?: number;
}

export type FaultInput = { type: string; task?: number; vpid?: number; disposition?: string };

/**
 * The JSON input of a parsed scenario, every field explicit: parsing it again
 * gives the same scenario (tasks listed in the tree order of the original,
 * extra tasks back as `extra-task` faults with their vpid). What replay files
 * store.
 *
 * @example
 * parseScenario(scenarioToInput(s)); // deep-equals s
 */
export function scenarioToInput(s: Scenario): ScenarioInput {
  const extra = s.faults.filter((f) => f.type === 'extra-task').length;
  const listed = s.listed.slice(0, s.listed.length - extra).map((i) => s.tasks[i]!);
  const extraTasks = s.listed.slice(s.listed.length - extra).map((i) => s.tasks[i]!);
  let e = 0;
  // parseScenario numbers an extra task after the largest vpid so far: write the vpid only when it differs
  let next = Math.max(...listed.map((t) => t.vpid)) + 1;
  const faults: FaultInput[] = s.faults.map((f) => {
    if (f.type !== 'extra-task') return { ...f };
    const vpid = extraTasks[e++]!.vpid;
    const auto = next;
    next = Math.max(next, vpid + 1);
    return vpid === auto && f.vpid === undefined ? { type: 'extra-task' } : { type: 'extra-task', vpid };
  });
  return {
    name: s.name,
    tasks: listed.map((t) => {
      const out: TaskInput = { vpid: t.vpid, kind: t.kind };
      if (!t.leader) {
        out.leader = false;
        out.tgid = t.tgid;
      }
      const defaultSignal = t.leader ? SIGCHLD : -1;
      if (t.exitSignal !== defaultSignal) out.exitSignal = t.exitSignal;
      // only the fields that differ from the clean header parseScenario would give
      const clean = parseScenario({ tasks: [{ vpid: 1, kind: t.kind === 'zombie' ? 'zombie' : 'live', exitSignal: t.exitSignal }] }).tasks[0]!.header;
      const header: NonNullable<TaskInput['header']> = {};
      for (const k of HEADER_FIELDS) if (t.header[k] !== clean[k]) header[k] = t.header[k];
      if (Object.keys(header).length) out.header = header;
      if (t.imageSize !== undefined) out.imageSize = t.imageSize;
      return out;
    }),
    ...(faults.length ? { faults } : {}),
  };
}

const HEADER_FIELDS = ['state', 'exit_state', 'exit_code', 'exit_signal', 'pdeath_signal'] as const;
