/**
 * fast-check arbitraries of scenarios (spec §1): trees of up to N tasks in
 * pids_arr order, with zombie, thread and ghost placements, exit codes and
 * signals in the headers, and faults. Values are the scenario's JSON input, valid
 * by construction (parseScenario accepts every one), so a shrunk counterexample
 * can be pasted into a scenario file. Everything shrinks towards the plainest
 * tree: fewer tasks, live tasks, clean headers, no faults.
 */
import fc from 'fast-check';
import { parseScenario, ScenarioError, type Scenario } from '../kernel/scenario.ts';
import { scenarioToInput, type FaultInput, type ScenarioInput, type TaskInput } from '../kernel/scenario-input.ts';

/** A place in the tree: a live leader, a zombie, a live thread of an earlier leader, or a ghost (v18-final). */
export type Placement = 'live' | 'zombie' | 'thread' | 'ghost';

/**
 * The fault kinds drawn (and `crsim explore --faults` takes): the scenario's fault
 * types, with a signal's dispositions as kinds of their own (`signal` is a
 * handled one).
 */
export type FaultType =
  | 'signal'
  | 'signal-fatal'
  | 'signal-ignored'
  | 'signal-coordinator'
  | 'restore-fails'
  | 'dies-in-restore'
  | 'esrch'
  | 'extra-task';

export interface ScenarioArbOptions {
  /** fewest tasks (default 1) */
  readonly minTasks?: number;
  /** most tasks (default 4) */
  readonly maxTasks?: number;
  /** placements to draw from (default: live, zombie, thread, and ghost where the scenario schema has it) */
  readonly placements?: readonly Placement[];
  /** the root (pids_arr[0]) may be a zombie too (default false: a live root, as `--tasks` makes) */
  readonly zombieRoot?: boolean;
  /**
   * Header fields: `none` (clean headers for the kind), `valid` (exit codes and
   * signals restore accepts), `any` (also values restore refuses, which make
   * restore_task fail with -EINVAL: an injected fault). Default `valid`.
   */
  readonly headers?: 'none' | 'valid' | 'any';
  /** fault types to draw from (default: every type the scenario schema has); `[]` for none */
  readonly faults?: readonly FaultType[];
  /** most faults in one scenario (default 2) */
  readonly maxFaults?: number;
}

/** Whether this build's scenario schema accepts an input (kinds and faults land with the model library). */
function accepts(input: ScenarioInput): boolean {
  try {
    parseScenario(input);
    return true;
  } catch (e) {
    if (e instanceof ScenarioError) return false;
    throw e;
  }
}

let ghostSupport: boolean | undefined;
/** True once `kind: 'ghost'` exists (v18-final's RESTART_GHOST tasks). */
export function ghostsSupported(): boolean {
  ghostSupport ??= accepts({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'ghost' }] });
  return ghostSupport;
}

let extraSupport: boolean | undefined;
/** True once the `extra-task` fault exists (an extra prepared task not in pids_arr). */
export function extraTaskSupported(): boolean {
  extraSupport ??= accepts({ tasks: [{ vpid: 1, kind: 'live' }], faults: [{ type: 'extra-task' }] });
  return extraSupport;
}

// the later kinds last: constantFrom shrinks towards the first, and older seeds draw what they drew
export const ALL_FAULTS: readonly FaultType[] = [
  'signal',
  'signal-coordinator',
  'restore-fails',
  'esrch',
  'extra-task',
  'dies-in-restore',
  'signal-fatal',
  'signal-ignored',
];

/** The placements and faults this build supports. */
export function supportedPlacements(): Placement[] {
  return ['live', 'zombie', 'thread', ...(ghostsSupported() ? (['ghost'] as const) : [])];
}
export function supportedFaults(): FaultType[] {
  return ALL_FAULTS.filter((f) => f !== 'extra-task' || extraTaskSupported());
}

/*
 * Header values. wait status (exit_code): 0, exit(1), exit(255), killed by SIGKILL,
 * by SIGTERM; refused: core-dumped SIGSEGV (B17), a signal past _NSIG, bits above 16.
 * Signals: SIGCHLD, none, SIGKILL, _NSIG itself; refused: 65, 0xffffffff.
 */
const EXIT_CODES_VALID = [0, 0x100, 0xff00, 9, 15];
const EXIT_CODES_REFUSED = [0x8b, 65, 0x10000];
const SIGNALS_VALID = [17, 0, 9, 64];
const SIGNALS_REFUSED = [65, 0xffffffff];

interface HeaderGene {
  readonly exitCode: number | null;
  readonly exitSignal: number | null;
  readonly pdeathSignal: number | null;
}

interface TaskGene {
  readonly placement: Placement;
  /** for a thread: which earlier leader, counted back from the nearest */
  readonly leaderBack: number;
  readonly header: HeaderGene | null;
}

interface FaultGene {
  readonly type: FaultType;
  /** index of the target task, read modulo the number of tasks */
  readonly task: number;
}

function taskGene(placements: readonly Placement[], headers: 'none' | 'valid' | 'any'): fc.Arbitrary<TaskGene> {
  // each field shrinks to null (constantFrom shrinks towards its first value)
  const field = (valid: number[], refused: number[]): fc.Arbitrary<number | null> =>
    fc.constantFrom(null, ...valid, ...(headers === 'any' ? refused : []));
  const header: fc.Arbitrary<HeaderGene | null> =
    headers === 'none'
      ? fc.constant(null)
      : // a third of the tasks get header fields; the choice shrinks to a clean header
        fc
          .tuple(
            fc.nat({ max: 2 }),
            fc.record({
              exitCode: field(EXIT_CODES_VALID, EXIT_CODES_REFUSED),
              exitSignal: field(SIGNALS_VALID, SIGNALS_REFUSED),
              pdeathSignal: field(SIGNALS_VALID, SIGNALS_REFUSED),
            }),
          )
          .map(([k, h]) => (k === 2 ? h : null));
  return fc.record({ placement: fc.constantFrom(...placements), leaderBack: fc.nat({ max: 3 }), header });
}

/**
 * Builds one task's input. `leaders` are the vpids of the earlier live or zombie
 * leaders, nearest last; `lastLeader` is the one a thread defaults to (a ghost too).
 */
function taskInput(i: number, g: TaskGene, leaders: number[], lastLeader: { vpid: number }, headers: 'none' | 'valid' | 'any'): TaskInput {
  const vpid = i + 1;
  const t: TaskInput = { vpid, kind: 'live' };
  let placement = g.placement;
  if (placement === 'thread' && leaders.length === 0) placement = 'live';
  if (placement === 'zombie' || placement === 'ghost') t.kind = placement;
  if (placement === 'thread') {
    t.leader = false;
    const tgid = leaders[Math.max(0, leaders.length - 1 - g.leaderBack)]!;
    if (tgid !== lastLeader.vpid) t.tgid = tgid;
  } else {
    if (placement !== 'ghost') leaders.push(vpid);
    lastLeader.vpid = vpid;
  }
  const header: NonNullable<TaskInput['header']> = {};
  const zombie = t.kind === 'zombie';
  const h = g.header;
  // A live task's header must carry exit_code 0, a thread's exit_signal -1: only `any` breaks that.
  if (h && h.exitCode !== null && (zombie || headers === 'any')) header.exit_code = h.exitCode;
  if (h && !zombie && t.kind !== 'ghost') {
    if (h.exitSignal !== null && (placement !== 'thread' || headers === 'any')) header.exit_signal = h.exitSignal;
    if (h.pdeathSignal !== null) header.pdeath_signal = h.pdeathSignal;
  }
  if (Object.keys(header).length) t.header = header;
  return t;
}

function faultInput(g: FaultGene, tasks: readonly TaskInput[]): FaultInput {
  if (g.type === 'signal-coordinator' || g.type === 'extra-task') return { type: g.type };
  const target = tasks[g.task % tasks.length]!;
  if (g.type === 'signal-fatal' || g.type === 'signal-ignored') {
    return { type: 'signal', task: target.vpid, disposition: g.type === 'signal-fatal' ? 'fatal' : 'ignored' };
  }
  // a ghost never runs restore_task (the schema refuses the fault there): the root does
  if (g.type === 'dies-in-restore' && target.kind === 'ghost') return { type: g.type, task: tasks[0]!.vpid };
  return { type: g.type, task: target.vpid };
}

/** A short name that says the shape: L live, Z zombie, T thread, G ghost, then the faults. */
export function scenarioName(tasks: readonly TaskInput[], faults: readonly FaultInput[]): string {
  const shape = tasks.map((t) => (t.kind === 'zombie' ? 'Z' : t.kind === 'ghost' ? 'G' : t.leader === false ? 'T' : 'L')).join('');
  const marks = tasks.some((t) => t.header) ? '+headers' : '';
  const fs = faults.map((f) => `${f.type}${f.disposition ? `(${f.disposition})` : ''}${f.task !== undefined ? `@${f.task}` : ''}`);
  return `${shape}${marks}${fs.length ? ` ${fs.join(' ')}` : ''}`;
}

/**
 * Scenario inputs (JSON), valid by construction.
 *
 * @example
 * fc.sample(scenarioInputArb({ maxTasks: 3, faults: [] }), 3);
 * // [{ name: 'LZ', tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }] }, …]
 */
export function scenarioInputArb(options: ScenarioArbOptions = {}): fc.Arbitrary<ScenarioInput> {
  const minTasks = options.minTasks ?? 1;
  const maxTasks = options.maxTasks ?? 4;
  if (!Number.isInteger(minTasks) || !Number.isInteger(maxTasks) || minTasks < 1 || maxTasks < minTasks || maxTasks > 64) {
    throw new RangeError(`scenarioArb: expected 1 <= minTasks <= maxTasks <= 64 (got ${minTasks}, ${maxTasks})`);
  }
  const supported = supportedPlacements();
  const placements = (options.placements ?? supported).filter((p) => supported.includes(p));
  if (placements.length === 0 || !placements.includes('live')) {
    throw new RangeError(`scenarioArb: placements must include 'live' (got ${JSON.stringify(options.placements)})`);
  }
  // keep 'live' first: constantFrom shrinks towards its first value
  const ordered: Placement[] = ['live', ...placements.filter((p) => p !== 'live')];
  const headers = options.headers ?? 'valid';
  const faultTypes = (options.faults ?? supportedFaults()).filter((f) => supportedFaults().includes(f));
  const maxFaults = faultTypes.length ? (options.maxFaults ?? 2) : 0;
  const rootPlacements: Placement[] = options.zombieRoot && ordered.includes('zombie') ? ['live', 'zombie'] : ['live'];
  const faults: fc.Arbitrary<FaultGene[]> =
    maxFaults > 0
      ? fc.array(fc.record({ type: fc.constantFrom(...faultTypes), task: fc.nat({ max: maxTasks - 1 }) }), { maxLength: maxFaults })
      : fc.constant([]);
  return fc
    .tuple(taskGene(rootPlacements, headers), fc.array(taskGene(ordered, headers), { minLength: minTasks - 1, maxLength: maxTasks - 1 }), faults)
    .map(([root, rest, faultGenes]) => {
      const leaders: number[] = [];
      const lastLeader = { vpid: 0 };
      const tasks = [root, ...rest].map((g, i) => taskInput(i, g, leaders, lastLeader, headers));
      const seen = new Set<string>();
      const fs = faultGenes
        .map((g) => faultInput(g, tasks))
        .filter((f) => {
          const key = `${f.type}:${f.disposition ?? ''}:${f.task ?? ''}`;
          return !seen.has(key) && (seen.add(key), true);
        });
      return { name: scenarioName(tasks, fs), tasks, ...(fs.length ? { faults: fs } : {}) };
    });
}

/**
 * Parsed scenarios, ready for `buildModel`.
 *
 * @example
 * fc.assert(fc.property(scenarioArb({ maxTasks: 3 }), (s) => s.tasks[0]!.kind === 'live'));
 */
export function scenarioArb(options: ScenarioArbOptions = {}): fc.Arbitrary<Scenario> {
  return scenarioInputArb(options).map((input) => parseScenario(input, 'scenarioArb'));
}


/**
 * The scenario without the listed task `vpid`, its threads, and the faults
 * aimed at them: a shrinking move (null for the root, or when nothing parses).
 */
export function withoutTask(s: Scenario, vpid: number): Scenario | null {
  const input = scenarioToInput(s);
  if (input.tasks[0]!.vpid === vpid) return null;
  const gone = new Set([vpid, ...input.tasks.filter((t) => t.leader === false && t.tgid === vpid).map((t) => t.vpid)]);
  const tasks = input.tasks.filter((t) => !gone.has(t.vpid));
  const faults = (input.faults ?? []).filter((f) => f.task === undefined || !gone.has(f.task));
  try {
    return parseScenario({ name: scenarioName(tasks, faults), tasks, ...(faults.length ? { faults } : {}) });
  } catch (e) {
    if (e instanceof ScenarioError) return null;
    throw e;
  }
}
