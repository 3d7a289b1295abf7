/**
 * How a restart variant is written: one table of labelled steps for the
 * coordinator and one for a restarting task (its `do_exit` included), in the
 * manner of PlusCal. Each step names the kernel function it implements, cites
 * its source, lists the shared objects it touches and mutates an immer draft.
 * `buildModel` turns a table and a scenario into the engine's generic Model.
 */
import { produce, setAutoFreeze, type Draft } from 'immer';
import type { Action, Model } from '../engine/types.ts';
import { diff, formatChange } from '../trace/diff.ts';
import { restore_task_struct, type RestoredTaskStruct } from './header.ts';
import { hasInvalidHeader, type FaultSpec, type Scenario, type ScenarioTask } from './scenario.ts';
import { signal_wake_up } from './sched.ts';
import { COORDINATOR, type Coordinator, type Proc, type RestartState, type Task } from './state.ts';

// States are never mutated outside produce(); freezing them costs a fifth of the search time.
setAutoFreeze(false);

/** What a step may know besides the state: the scenario, read-only. */
export interface Env {
  readonly scenario: Scenario;
  readonly nrPids: number;
  /** pids_arr[i].vpid */
  readonly pids: readonly number[];
  readonly tasks: readonly ScenarioTask[];
  /** restore_task_struct of each task's header, computed once */
  readonly restored: readonly RestoredTaskStruct[];
  /** index of the `restore-fails` fault of task i, or -1 */
  readonly restoreFault: readonly number[];
  /** vpids missing from the pid-ns (the `esrch` fault) */
  readonly missing: ReadonlySet<number>;
  /** the variant's name */
  readonly model: string;
}

export type StepFn<P extends Proc> = (s: Draft<RestartState>, self: Draft<P>, env: Env, i: number) => void;

export interface StepDef<P extends Proc> {
  /** the kernel function the step belongs to */
  readonly fn: string;
  /** the source line or spec label it implements */
  readonly cite: string;
  /** shared objects read and written; `self` stands for the actor's own fields */
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** a blocking step is enabled only when its wake condition holds */
  readonly enabled?: (s: RestartState, self: P, env: Env, i: number) => boolean;
  readonly run: StepFn<P>;
  /** what the step acts on, shown beside the label (e.g. the task prepare_descendants visits) */
  readonly detail?: (s: RestartState, self: P, env: Env, i: number) => string | undefined;
}

export type Steps<P extends Proc> = Readonly<Record<string, StepDef<P>>>;

export interface RestartVariant {
  readonly name: string;
  /** one line: what differs from v18 */
  readonly summary: string;
  readonly coordinator: Steps<Coordinator>;
  readonly task: Steps<Task>;
  readonly coordinatorStart?: string;
  readonly taskStart?: string;
  /** for mutants: the property the variant must break */
  readonly breaks?: string;
}

export interface RestartAction extends Action {
  /** the pc the step was taken from, or the fault's index for an environment action */
  readonly pc: string;
  readonly fault?: number;
}

export interface RestartModel extends Model<RestartState, RestartAction> {
  readonly variant: RestartVariant;
  readonly env: Env;
  /** true when this run had a fault: one fired, an invalid header, or a missing pid */
  injected(state: RestartState): boolean;
  /** true when the actor (coordinator or task) has finished: returned, or gone */
  finished(state: RestartState, actor: number): boolean;
}

/** Program counters that end an actor: returned from sys_restart, or TASK_DEAD. */
export const DONE = 'done';
export const GONE = 'gone';

function makeEnv(variant: RestartVariant, scenario: Scenario): Env {
  const tasks = scenario.tasks;
  const restoreFault = tasks.map((t) =>
    scenario.faults.findIndex((f) => f.type === 'restore-fails' && f.task === t.vpid),
  );
  const missing = new Set(scenario.faults.flatMap((f) => (f.type === 'esrch' ? [f.task] : [])));
  return {
    scenario,
    nrPids: tasks.length,
    pids: tasks.map((t) => t.vpid),
    tasks,
    restored: tasks.map((t) => restore_task_struct(t.header, t.leader)),
    restoreFault,
    missing,
    model: variant.name,
  };
}

function actorName(t: ScenarioTask): string {
  const kind = t.kind === 'zombie' ? 'zombie' : t.leader ? 'live' : 'thread';
  return `${kind} ${t.vpid}`;
}

function faultName(f: FaultSpec): string {
  return f.type === 'signal-coordinator' ? 'signal → coordinator' : `${f.type} → ${'task' in f ? f.task : ''}`;
}

/** Faults that fire at a step of the explorer's choosing (the `esrch` fault is static). */
function faultEnabled(s: RestartState, f: FaultSpec, env: Env): boolean {
  switch (f.type) {
    case 'signal': {
      const t = s.tasks[env.pids.indexOf(f.task)]!;
      return t.pc !== DONE && t.pc !== GONE;
    }
    case 'signal-coordinator':
      return s.coord.pc !== DONE;
    case 'restore-fails': {
      // restore_task is running: the fault makes it return an error at T6e
      return s.tasks[env.pids.indexOf(f.task)]!.pc === 'T6e';
    }
    case 'esrch':
      return false;
  }
}

function fireFault(d: Draft<RestartState>, f: FaultSpec, env: Env): void {
  if (f.type === 'signal') signal_wake_up(d.tasks[env.pids.indexOf(f.task)]!);
  else if (f.type === 'signal-coordinator') signal_wake_up(d.coord);
}

export function initialState(variant: RestartVariant, scenario: Scenario): RestartState {
  const proc = (pc: string): Proc => ({ pc, sched: 'RUNNING', wq: null, slot: false, sigPending: false, ret: 0, reg: -1 });
  return {
    ctx: { refcount: 1, freed: false, activePid: -1, done: 0, success: false, error: false, errno: 0, nrTotal: 0 },
    coord: { ...proc(variant.coordinatorStart ?? 'C4'), waits: 0 },
    tasks: scenario.tasks.map(() => ({
      ...proc(variant.taskStart ?? 'T1:prepare'),
      pf: false,
      local: false,
      restored: false,
      zombie: false,
      exitState: 0,
      exitCode: 0,
    })),
    fired: scenario.faults.map(() => false),
    oops: null,
  };
}

/**
 * The engine's Model for a variant on a scenario.
 *
 * @example
 * const model = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }] }));
 * const s0 = model.init();
 * const s1 = model.next(s0, model.actions(s0)[0]!);
 */
export function buildModel(variant: RestartVariant, scenario: Scenario): RestartModel {
  const env = makeEnv(variant, scenario);
  const hasFaults = scenario.faults.some((f) => f.type !== 'esrch');
  const actors = ['coordinator', ...scenario.tasks.map(actorName), ...(hasFaults ? ['environment'] : [])];
  const envActor = actors.length - 1;
  const staticFault = hasInvalidHeader(scenario) || env.missing.size > 0;
  const cache = new Map<string, RestartAction>();

  const resolve = (names: readonly string[], self: string): string[] => names.map((n) => n.replace(/self/g, self));

  function action<P extends Proc>(actor: number, pc: string, step: StepDef<P>, detail: string | undefined): RestartAction {
    const key = `${actor}\u0000${pc}\u0000${detail ?? ''}`;
    let a = cache.get(key);
    if (!a) {
      const self = actor === COORDINATOR ? 'coord' : `task[${actor - 1}]`;
      a = {
        actor,
        label: pc,
        pc,
        footprint: { reads: resolve(step.reads, self), writes: resolve(step.writes, self) },
        ...(detail !== undefined ? { detail } : {}),
      };
      cache.set(key, a);
    }
    return a;
  }

  function stepOf<P extends Proc>(steps: Steps<P>, pc: string, who: string): StepDef<P> | null {
    if (pc === DONE || pc === GONE) return null;
    const step = steps[pc];
    if (!step) throw new Error(`model ${variant.name}: ${who} is at '${pc}', which has no step`);
    return step;
  }

  const model: RestartModel = {
    name: variant.name,
    actors,
    variant,
    env,
    init: () => initialState(variant, scenario),
    actions(s) {
      const out: RestartAction[] = [];
      const c = stepOf(variant.coordinator, s.coord.pc, 'the coordinator');
      if (c && (!c.enabled || c.enabled(s, s.coord, env, -1))) {
        out.push(action(COORDINATOR, s.coord.pc, c, c.detail?.(s, s.coord, env, -1)));
      }
      for (let i = 0; i < s.tasks.length; i++) {
        const t = s.tasks[i]!;
        const step = stepOf(variant.task, t.pc, `task ${env.pids[i]}`);
        if (step && (!step.enabled || step.enabled(s, t, env, i))) {
          out.push(action(i + 1, t.pc, step, step.detail?.(s, t, env, i)));
        }
      }
      scenario.faults.forEach((f, k) => {
        if (!s.fired[k] && faultEnabled(s, f, env)) {
          const key = `fault\u0000${k}`;
          let a = cache.get(key);
          if (!a) {
            const target = 'task' in f ? `task[${env.pids.indexOf(f.task)}]` : 'coord';
            a = {
              actor: envActor,
              label: f.type === 'restore-fails' ? 'fail restore_task' : 'signal',
              detail: faultName(f),
              pc: 'fault',
              fault: k,
              footprint: { reads: [`${target}.sched`], writes: [`${target}.sigPending`, `${target}.sched`, `fired[${k}]`] },
            };
            cache.set(key, a);
          }
          out.push(a);
        }
      });
      return out;
    },
    next(s, a) {
      return produce(s, (d) => {
        if (a.fault !== undefined) {
          d.fired[a.fault] = true;
          fireFault(d, scenario.faults[a.fault]!, env);
        } else if (a.actor === COORDINATOR) {
          variant.coordinator[a.pc]!.run(d, d.coord, env, -1);
        } else {
          const i = a.actor - 1;
          variant.task[a.pc]!.run(d, d.tasks[i]!, env, i);
        }
      });
    },
    describe(prev, a, next) {
      const own = a.actor === COORDINATOR ? 'coord.pc' : `tasks[${a.actor - 1}].pc`;
      return diff(prev, next)
        .filter((c) => c.path !== own)
        .map((c) => formatChange({ ...c, path: c.path.replace(/^tasks\[(\d+)\]/, (_m, i: string) => `task ${env.pids[Number(i)]}`) }))
        .join(', ');
    },
    injected: (s) => staticFault || s.fired.some(Boolean),
    finished(s, actor) {
      const pc = actor === COORDINATOR ? s.coord.pc : s.tasks[actor - 1]!.pc;
      return pc === DONE || pc === GONE;
    },
  };
  return model;
}
