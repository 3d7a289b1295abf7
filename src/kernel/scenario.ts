/**
 * Scenarios (spec §1): the tree being restarted, in pids_arr order, and the
 * faults that may happen. Validated on load; a bad scenario is refused with the
 * path of the bad field, its value and what was expected.
 *
 * Tasks not in pids_arr: a `ghost` entry (v18 73/80's RESTART_GHOST pgid
 * owner) sits in the tree where it is listed, so prepare_descendants' walk
 * visits it there; an `extra-task` fault adds a live task that calls plain
 * restart(2) but whose pid the image does not list. The extra task sits LAST
 * in the DFS walk (a stray last child of the root that mktree forked after the
 * checkpointed tree): v18's walk, which stops once it has counted nr_pids
 * tasks, then refuses the tree (`task != root`); v18 73/80 and later count it
 * in nr_total (B14).
 */
import { fieldPath, showValue, valueAt } from '../engine/json-input.ts';
import type { z } from 'zod';
import { lazySchema } from '../engine/lazy-zod.ts';
import type { TaskHeader } from './header.ts';
import { EXIT_ZOMBIE, TASK_DEAD } from './state.ts';

export const SIGCHLD = 17;

/**
 * What the target does with a signal (spec §1, amended 2026-12-06): `handled`
 * (a handler is installed: the signal stays pending and ends every later
 * interruptible wait), `fatal` (default action terminate: SIGKILL, the task
 * never returns to user space) or `ignored` (SIG_IGN: dropped when sent).
 */
export const DISPOSITIONS = ['handled', 'fatal', 'ignored'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** The scenario file's schema, built when a scenario is first parsed (./lazy-zod.ts: the shorthand needs no zod). */
const schemas = lazySchema((z) => {
  const u32 = z
    .number()
    .int()
    .min(-0x80000000)
    .max(0xffffffff)
    .transform((v) => v >>> 0);

  const headerSchema = z
    .object({
      state: u32.optional(),
      exit_state: u32.optional(),
      exit_code: u32.optional(),
      exit_signal: u32.optional(),
      pdeath_signal: u32.optional(),
    })
    .strict();

  const taskSchema = z
    .object({
      vpid: z.number().int().min(1).max(0x3fffffff),
      kind: z.enum(['live', 'zombie', 'ghost']),
      leader: z.boolean().optional(),
      tgid: z.number().int().min(1).optional(),
      header: headerSchema.optional(),
      exitSignal: z.number().int().min(-1).max(64).optional(),
      /** timed runs: restore_task's work relative to a unit image (src/kernel/timing.ts) */
      imageSize: z.number().finite().positive().max(1e6).optional(),
    })
    .strict();

  /**
   * A signal pinned to a window (issue 13): the step labels (or patterns with
   * `*`, e.g. `T5:*`) its target may be about to run when it fires; checked
   * against the model's steps when the model is chosen.
   */
  const windowSchema = z.array(z.string().min(1).regex(/^[^\s]+$/, 'expected a step label or pattern such as T5:check or T5:*')).min(1).max(64);

  const faultSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('signal'), task: z.number().int().min(1), disposition: z.enum(DISPOSITIONS).optional(), at: windowSchema.optional() }).strict(),
    z.object({ type: z.literal('signal-coordinator'), at: windowSchema.optional() }).strict(),
    z.object({ type: z.literal('restore-fails'), task: z.number().int().min(1) }).strict(),
    z.object({ type: z.literal('dies-in-restore'), task: z.number().int().min(1) }).strict(),
    z.object({ type: z.literal('esrch'), task: z.number().int().min(1) }).strict(),
    z.object({ type: z.literal('extra-task'), vpid: z.number().int().min(1).max(0x3fffffff).optional() }).strict(),
  ]);

  const scenarioSchema = z
    .object({
      name: z.string().optional(),
      tasks: z.array(taskSchema).min(1).max(64),
      faults: z.array(faultSchema).max(16).optional(),
    })
    .strict();
  return { fault: faultSchema, scenario: scenarioSchema };
});

export type FaultSpec = z.output<ReturnType<typeof schemas>['fault']>;

export interface ScenarioTask {
  readonly vpid: number;
  /** a ghost calls restart(2) with RESTART_GHOST (v18 73/80); an extra task is `live` and not in pids_arr */
  readonly kind: 'live' | 'zombie' | 'ghost';
  readonly leader: boolean;
  /** vpid of the thread-group leader (itself for a leader) */
  readonly tgid: number;
  readonly header: TaskHeader;
  /** the exit signal mktree gave the task: SIGCHLD for a fork, -1 for a thread */
  readonly exitSignal: number;
  /** timed runs only: restore_task's work relative to a unit image (default 1) */
  readonly imageSize?: number;
}

export interface Scenario {
  readonly name: string;
  /**
   * pids_arr first (`nrPids` entries, checkpoint DFS order, root first), then
   * the tasks that are not in pids_arr: ghosts in the order listed, then the
   * extra tasks of `extra-task` faults. Task i of the model is tasks[i].
   */
  readonly tasks: readonly ScenarioTask[];
  /** ctx->nr_pids: the tasks the image lists */
  readonly nrPids: number;
  /** the order in which prepare_descendants' DFS walk visits the tasks (indices into `tasks`) */
  readonly walk: readonly number[];
  /** the order the scenario lists its tasks in, extra tasks last (indices into `tasks`) */
  readonly listed: readonly number[];
  readonly faults: readonly FaultSpec[];
}

/** Input the user gave is wrong: the CLI prints the message and exits 2. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/**
 * Validates and completes a scenario: defaults for `leader` (true), `tgid`,
 * `exitSignal` (SIGCHLD for a leader, -1 for a thread) and the header
 * (a clean header for the kind). Throws {@link ScenarioError}.
 *
 * @example
 * parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }] });
 */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const parsed = schemas().scenario.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    throw new ScenarioError(
      `${source}: ${fieldPath(path, 'scenario')}: ${issue.message} (got ${showValue(valueAt(input, path))})`,
    );
  }
  return completeScenario(parsed.data, input, source);
}

/** A scenario as its schema leaves it: well-formed, not yet checked across tasks nor completed. */
type RawScenario = z.output<ReturnType<typeof schemas>['scenario']>;

/** {@link parseScenario} past the schema: the checks across tasks, then the defaults (no zod: the shorthand comes here directly). */
function completeScenario(raw: RawScenario, input: unknown, source: string): Scenario {
  const tasks: ScenarioTask[] = [];
  const fail = (path: PropertyKey[], msg: string): never => {
    throw new ScenarioError(`${source}: ${fieldPath(path, 'scenario')}: ${msg} (got ${showValue(valueAt(input, path))})`);
  };
  if (raw.tasks[0]!.kind === 'ghost') fail(['tasks', 0, 'kind'], 'expected the root (pids_arr[0]) to be a live or zombie task');
  const seen = new Set<number>();
  let lastLeader: number | null = null;
  raw.tasks.forEach((t, i) => {
    if (seen.has(t.vpid)) fail(['tasks', i, 'vpid'], 'expected a vpid not used by an earlier task');
    seen.add(t.vpid);
    const leader = t.leader ?? true;
    let tgid = t.vpid;
    if (!leader) {
      if (t.tgid !== undefined) {
        const owner = tasks.find((o) => o.vpid === t.tgid);
        if (!owner || !owner.leader) fail(['tasks', i, 'tgid'], 'expected the vpid of an earlier thread-group leader');
        tgid = t.tgid;
      } else {
        if (lastLeader === null) fail(['tasks', i, 'leader'], 'expected a thread to follow its thread-group leader');
        tgid = lastLeader!;
      }
    } else {
      if (t.tgid !== undefined && t.tgid !== t.vpid) fail(['tasks', i, 'tgid'], 'expected a leader to be its own tgid');
      lastLeader = t.vpid;
    }
    const exitSignal = t.exitSignal ?? (leader ? SIGCHLD : -1);
    const zombie = t.kind === 'zombie';
    // a ghost reads no task record: its header (if any) is never looked at
    if (t.kind === 'ghost' && !leader) fail(['tasks', i, 'leader'], 'expected a ghost to be a thread-group leader (it owns a pgid)');
    const header: TaskHeader = {
      state: t.header?.state ?? (zombie ? TASK_DEAD : 0),
      exit_state: t.header?.exit_state ?? (zombie ? EXIT_ZOMBIE : 0),
      exit_code: t.header?.exit_code ?? 0,
      exit_signal: t.header?.exit_signal ?? (zombie ? 0 : exitSignal >>> 0),
      pdeath_signal: t.header?.pdeath_signal ?? 0,
    };
    if ((header.state === TASK_DEAD) !== zombie) {
      fail(['tasks', i, 'header', 'state'], `expected ${zombie ? TASK_DEAD : 'a state other than 64 (TASK_DEAD)'} for a ${t.kind} task`);
    }
    tasks.push({ vpid: t.vpid, kind: t.kind, leader, tgid, header, exitSignal, ...(t.imageSize !== undefined ? { imageSize: t.imageSize } : {}) });
  });
  const faults = raw.faults ?? [];
  // pids_arr first, then ghosts
  const order = [...tasks.keys()].sort((a, b) => Number(tasks[a]!.kind === 'ghost') - Number(tasks[b]!.kind === 'ghost'));
  const ordered = order.map((k) => tasks[k]!);
  const listed = tasks.map((_t, k) => order.indexOf(k));
  const walk = descendantsWalk(tasks).map((k) => order.indexOf(k));
  const nrPids = ordered.filter((t) => t.kind !== 'ghost').length;
  let next = Math.max(...seen) + 1;
  faults.forEach((f, k) => {
    if (f.type !== 'extra-task') return;
    const vpid = f.vpid ?? next;
    if (seen.has(vpid)) fail(['faults', k, 'vpid'], 'expected a vpid not used by a task of the scenario');
    seen.add(vpid);
    next = Math.max(next, vpid + 1);
    walk.push(ordered.length);
    listed.push(ordered.length);
    ordered.push({ vpid, kind: 'live', leader: true, tgid: vpid, header: cleanHeader('live', SIGCHLD), exitSignal: SIGCHLD });
  });
  faults.forEach((f, k) => {
    if ('task' in f && !seen.has(f.task)) fail(['faults', k, 'task'], 'expected the vpid of a task of the scenario');
    if (f.type === 'dies-in-restore' && ordered.find((t) => t.vpid === f.task)!.kind === 'ghost') {
      fail(['faults', k, 'task'], 'expected the vpid of a task that runs restore_task (a ghost never does)');
    }
  });
  return { name: raw.name ?? `${tasks.length} task${tasks.length === 1 ? '' : 's'}`, tasks: ordered, nrPids, walk, listed, faults };
}

/**
 * The order prepare_descendants visits the listed tasks in (v17-26 restart.c,
 * the same loop in v18 and, as walk_task_subtree, v20): depth first from the
 * root over the children lists, then, back at the root, `root = task =
 * next_thread(task)` and the same for each thread of the root until
 * `root == leader`. The root's threads therefore come after its whole subtree,
 * whatever their place in the list. A scenario gives no parents: the other
 * tasks are its root's subtree in the DFS order listed. A thread of another
 * leader stays where listed: in the kernels of the series (2.6.31–32, before
 * 2.6.35 stopped putting sub-threads on ->children), copy_process puts it on
 * its leader's parent's children list, where the DFS meets it as a sibling.
 */
function descendantsWalk(tasks: readonly ScenarioTask[]): number[] {
  const rootThread = (t: ScenarioTask): boolean => !t.leader && t.tgid === tasks[0]!.vpid;
  const keys = [...tasks.keys()];
  return [...keys.filter((k) => !rootThread(tasks[k]!)), ...keys.filter((k) => rootThread(tasks[k]!))];
}

function cleanHeader(kind: ScenarioTask['kind'], exitSignal: number): TaskHeader {
  const zombie = kind === 'zombie';
  return {
    state: zombie ? TASK_DEAD : 0,
    exit_state: zombie ? EXIT_ZOMBIE : 0,
    exit_code: 0,
    exit_signal: zombie ? 0 : exitSignal >>> 0,
    pdeath_signal: 0,
  };
}

// hasInvalidHeader lives in header.ts, so that building a model does not load zod (`crsim models` starts faster)
export { hasInvalidHeader } from './header.ts';

/**
 * The shorthand `--tasks N --zombies Z`: a live root, then zombies at
 * alternating positions (1, 3, 5, … then the remaining places from the end).
 */
export function shorthandScenario(n: number, zombies: number): Scenario {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ScenarioError(`--tasks: expected an integer from 1 to 64 (got ${n})`);
  if (!Number.isInteger(zombies) || zombies < 0 || zombies > n - 1) {
    throw new ScenarioError(`--zombies: expected an integer from 0 to ${n - 1} (the root is live) (got ${zombies})`);
  }
  const kinds: ('live' | 'zombie')[] = Array.from({ length: n }, () => 'live');
  let left = zombies;
  for (let i = 1; i < n && left > 0; i += 2, left--) kinds[i] = 'zombie';
  for (let i = n - 1; i > 0 && left > 0; i--) if (kinds[i] === 'live') (kinds[i] = 'zombie'), left--;
  const name = `${n} task${n === 1 ? '' : 's'}, ${zombies} zombie${zombies === 1 ? '' : 's'}`;
  const tasks = kinds.map((kind, i) => ({ vpid: i + 1, kind }));
  // well-formed by construction: completed without the schema (zod is not loaded for `check -t -z`)
  return completeScenario({ name, tasks }, { name, tasks }, '--tasks/--zombies');
}

/** The embedded default: a live root, a zombie, a thread of the root, a live leaf. */
export const DEFAULT_SCENARIO = {
  name: 'default: live root, zombie, thread, live leaf',
  tasks: [
    { vpid: 1, kind: 'live' },
    { vpid: 2, kind: 'zombie' },
    { vpid: 3, kind: 'live', leader: false, tgid: 1 },
    { vpid: 4, kind: 'live' },
  ],
} as const;
