/**
 * Scenarios (spec §1): the tree being restarted, in pids_arr order, and the
 * faults that may happen. Validated on load; a bad scenario is refused with the
 * path of the bad field, its value and what was expected.
 */
import { z } from 'zod';
import { restore_task_struct, type TaskHeader } from './header.ts';
import { EXIT_ZOMBIE, TASK_DEAD } from './state.ts';

export const SIGCHLD = 17;

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
    kind: z.enum(['live', 'zombie']),
    leader: z.boolean().optional(),
    tgid: z.number().int().min(1).optional(),
    header: headerSchema.optional(),
    exitSignal: z.number().int().min(-1).max(64).optional(),
  })
  .strict();

const faultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('signal'), task: z.number().int().min(1) }).strict(),
  z.object({ type: z.literal('signal-coordinator') }).strict(),
  z.object({ type: z.literal('restore-fails'), task: z.number().int().min(1) }).strict(),
  z.object({ type: z.literal('esrch'), task: z.number().int().min(1) }).strict(),
]);

const scenarioSchema = z
  .object({
    name: z.string().optional(),
    tasks: z.array(taskSchema).min(1).max(64),
    faults: z.array(faultSchema).max(16).optional(),
  })
  .strict();

export type FaultSpec = z.output<typeof faultSchema>;

export interface ScenarioTask {
  readonly vpid: number;
  readonly kind: 'live' | 'zombie';
  readonly leader: boolean;
  /** vpid of the thread-group leader (itself for a leader) */
  readonly tgid: number;
  readonly header: TaskHeader;
  /** the exit signal mktree gave the task: SIGCHLD for a fork, -1 for a thread */
  readonly exitSignal: number;
}

export interface Scenario {
  readonly name: string;
  readonly tasks: readonly ScenarioTask[];
  readonly faults: readonly FaultSpec[];
}

/** Input the user gave is wrong: the CLI prints the message and exits 2. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : `${s}.${String(k)}`), 'scenario');
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
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path as PropertyKey[];
    throw new ScenarioError(
      `${source}: ${pathString(path)}: ${issue.message} (got ${describe(at(input, path))})`,
    );
  }
  const raw = parsed.data;
  const tasks: ScenarioTask[] = [];
  const fail = (path: PropertyKey[], msg: string): never => {
    throw new ScenarioError(`${source}: ${pathString(path)}: ${msg} (got ${describe(at(input, path))})`);
  };
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
    tasks.push({ vpid: t.vpid, kind: t.kind, leader, tgid, header, exitSignal });
  });
  const faults = raw.faults ?? [];
  faults.forEach((f, k) => {
    if ('task' in f && !seen.has(f.task)) fail(['faults', k, 'task'], 'expected the vpid of a task of the scenario');
  });
  return { name: raw.name ?? `${tasks.length} tasks`, tasks, faults };
}

/** True when some header would fail validation at restore (an injected fault of the image). */
export function hasInvalidHeader(s: Scenario): boolean {
  return s.tasks.some((t) => restore_task_struct(t.header, t.leader).ret < 0);
}

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
  return parseScenario(
    { name: `${n} tasks, ${zombies} zombie${zombies === 1 ? "" : "s"}`, tasks: kinds.map((kind, i) => ({ vpid: i + 1, kind })) },
    '--tasks/--zombies',
  );
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
