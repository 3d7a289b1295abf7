/**
 * How a restart variant is written: one table of labelled steps for the
 * coordinator and one for a restarting task (its `do_exit` included), in the
 * manner of PlusCal. Each step names the kernel function it implements, cites
 * its source, declares the roles the properties read and mutates a copy of
 * the state; a nondeterministic step offers several outcomes.
 * `buildModel` turns a table and a scenario into the engine's generic Model.
 */
import type { Draft } from 'immer';
import type { Action, Model } from '../engine/types.ts';
import { diff, formatChange } from '../engine/diff.ts';
import { makeCloner, makeDrafter, readIs, Tracer } from './footprint.ts';
import { blame, ModelError } from './model-error.ts';
import { hasInvalidHeader, restore_task_struct, type RestoredTaskStruct } from './header.ts';
import type { FaultSpec, Scenario, ScenarioTask } from './scenario.ts';
import { inWindow } from './fault-window.ts';
import { signal_wake_up } from './sched.ts';
import { restartTimeClass } from './timing.ts';
import { COORDINATOR, type Coordinator, type Proc, type RestartState, type Task } from './state.ts';


/** What a step may know besides the state: the scenario, read-only. */
export interface Env {
  readonly scenario: Scenario;
  readonly nrPids: number;
  /** pids_arr[i].vpid (i < nrPids) */
  readonly pids: readonly number[];
  /** the vpid of every task of the model, pids_arr first then the tasks not in it (ghosts, extra tasks) */
  readonly vpids: readonly number[];
  /** prepare_descendants' DFS walk: task indices in the order visited */
  readonly walk: readonly number[];
  readonly tasks: readonly ScenarioTask[];
  /** restore_task_struct of each task's header, computed once */
  readonly restored: readonly RestoredTaskStruct[];
  /** index of the `restore-fails` fault of task i, or -1 */
  readonly restoreFault: readonly number[];
  /** index of the `dies-in-restore` fault of task i, or -1 */
  readonly dieFault: readonly number[];
  /** vpids missing from the pid-ns (the `esrch` fault) */
  readonly missing: ReadonlySet<number>;
  /** the variant's name */
  readonly model: string;
}

/** `arg`: the outcome the explorer chose, for a nondeterministic step ({@link StepDef.outcomes}); undefined otherwise */
export type StepFn<P extends Proc> = (s: Draft<RestartState>, self: Draft<P>, env: Env, i: number, arg?: number) => void;

/**
 * What a step is, for the properties, whatever its label (properties/restart.ts
 * reads them through {@link RestartModel.roleOf}, never a label's spelling):
 *
 * - `inRestore`: the task is inside restore_task (P4: at most one at a time)
 * - `activating`: a live task is inside its restore_activate_next after its
 *   restore (P1: the coordinator must not wake before it has returned)
 * - `pfSection`: do_restore_task between setting PF_RESTARTING and clearing it (P10)
 * - `exitPath`: do_exit and exit_checkpoint (P10 for zombies; P11: a task entering
 *   it from outside was killed)
 */
export type Role = 'inRestore' | 'activating' | 'pfSection' | 'exitPath';
export const ROLES: readonly Role[] = ['inRestore', 'activating', 'pfSection', 'exitPath'];

/** One outcome of a nondeterministic step: the argument its `run` gets, and how a trace shows it. */
export interface Outcome {
  readonly arg: number;
  readonly detail: string;
}

export interface StepDef<P extends Proc> {
  /** the kernel function the step belongs to */
  readonly fn: string;
  /** the source line or spec label it implements */
  readonly cite: string;
  /** a blocking step is enabled only when its wake condition holds */
  readonly enabled?: (s: RestartState, self: P, env: Env, i: number) => boolean;
  readonly run: StepFn<P>;
  /** what the step acts on, shown beside the label (e.g. the task prepare_descendants visits) */
  readonly detail?: (s: RestartState, self: P, env: Env, i: number) => string | undefined;
  /**
   * A nondeterministic step ("wake one waiter, any of them"): the outcomes it
   * may take here, each an action the explorer chooses, shown with its
   * `detail`; `run` gets the chosen one's `arg`. No outcome: the step is
   * disabled. Read where the guard is (footprints record it), so it must
   * read every object that decides the list.
   */
  readonly outcomes?: (s: RestartState, self: P, env: Env, i: number) => readonly Outcome[];
  /** what the step is for the properties (see {@link Role}) */
  readonly roles?: readonly Role[];
  /** the label traces show, when not the table's key (a fused step's `T2+T3`, src/kernel/atomic.ts) */
  readonly label?: string;
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
  /**
   * where a ghost task (RESTART_GHOST, v18 73/80) starts; a variant without it
   * predates RESTART_GHOST, whose mktree made a ghost exit at once (`X1`)
   */
  readonly ghostStart?: string;
  /** for mutants: the property the variant must break */
  readonly breaks?: string;
  /**
   * Roles no step of this variant has, on purpose, each with why (e.g. a
   * variant without restore_activate_next after restore_task has no
   * `activating` step). Any other role missing is a model error (exit 4).
   */
  readonly lacks?: Readonly<Partial<Record<Role, string>>>;
}

export interface RestartAction extends Action {
  /** the pc the step was taken from, or the fault's index for an environment action */
  readonly pc: string;
  readonly fault?: number;
  /** the chosen outcome of a nondeterministic step */
  readonly arg?: number;
}

export interface RestartModel extends Model<RestartState, RestartAction> {
  readonly variant: RestartVariant;
  readonly env: Env;
  /** true when this run had a fault: one fired, an invalid header, a missing pid, or an extra task */
  injected(state: RestartState): boolean;
  /** true when the actor (coordinator or task) has finished: returned, or gone */
  finished(state: RestartState, actor: number): boolean;
  /** the roles of the step at label `pc` (coordinator's or task's); none for `done`, `gone` or an unknown label */
  roleOf(pc: string): readonly Role[];
  /** the labels whose step has `role` */
  labelsWith(role: Role): readonly string[];
}

/** Program counters that end an actor: returned from sys_restart, or TASK_DEAD. */
export const DONE = 'done';
export const GONE = 'gone';

function makeEnv(variant: RestartVariant, scenario: Scenario): Env {
  const tasks = scenario.tasks;
  const restoreFault = tasks.map((t) =>
    scenario.faults.findIndex((f) => f.type === 'restore-fails' && f.task === t.vpid),
  );
  const dieFault = tasks.map((t) => scenario.faults.findIndex((f) => f.type === 'dies-in-restore' && f.task === t.vpid));
  const missing = new Set(scenario.faults.flatMap((f) => (f.type === 'esrch' ? [f.task] : [])));
  return {
    scenario,
    nrPids: scenario.nrPids,
    pids: tasks.slice(0, scenario.nrPids).map((t) => t.vpid),
    vpids: tasks.map((t) => t.vpid),
    walk: scenario.walk,
    tasks,
    restored: tasks.map((t) => restore_task_struct(t.header, t.leader)),
    restoreFault,
    dieFault,
    missing,
    model: variant.name,
  };
}

function actorName(t: ScenarioTask, inPidsArr: boolean): string {
  const kind = !inPidsArr && t.kind === 'live' ? 'extra' : t.kind !== 'live' ? t.kind : t.leader ? 'live' : 'thread';
  return `${kind} ${t.vpid}`;
}

function faultName(f: FaultSpec): string {
  if (f.type === 'signal-coordinator') return 'signal → coordinator';
  if (f.type === 'signal' && f.disposition && f.disposition !== 'handled') return `${f.disposition} signal → ${f.task}`;
  return `${f.type} → ${'task' in f ? f.task : ''}`;
}

/** The label a fault's action shows in a trace. */
function faultLabel(f: FaultSpec): string {
  switch (f.type) {
    case 'restore-fails':
      return 'fail restore_task';
    case 'dies-in-restore':
      return 'oops in restore_task';
    case 'signal':
      return f.disposition === 'fatal' ? 'fatal signal' : f.disposition === 'ignored' ? 'ignored signal' : 'signal';
    default:
      return 'signal';
  }
}

/**
 * An ignored signal is dropped when sent and changes nothing, so its firing
 * does not count as an injected fault: P8 still asks such a run to succeed.
 */
function counts(f: FaultSpec): boolean {
  return !(f.type === 'signal' && f.disposition === 'ignored');
}

/** Faults that fire at a step of the explorer's choosing (`esrch` and `extra-task` are static). */
function faultEnabled(s: RestartState, f: FaultSpec, env: Env): boolean {
  switch (f.type) {
    case 'signal': {
      const t = s.tasks[env.vpids.indexOf(f.task)]!;
      return !readIs(t, 'pc', DONE) && !readIs(t, 'pc', GONE) && (f.at === undefined || inWindow(f, t.pc));
    }
    case 'signal-coordinator':
      return !readIs(s.coord, 'pc', DONE) && (f.at === undefined || inWindow(f, s.coord.pc));
    case 'restore-fails':
    case 'dies-in-restore': {
      // restore_task is running (T6b done, T6e not yet): at T6e it fails, or the task dies
      return readIs(s.tasks[env.vpids.indexOf(f.task)]!, 'pc', 'T6e');
    }
    case 'esrch':
    case 'extra-task':
      return false;
  }
}

/**
 * A fault fires.
 *
 * A `handled` signal (the default) is a plain signal: while the task blocks
 * signals (v20 T5b–T12) it stays queued, neither pending nor waking; otherwise
 * it is pending and ends every later interruptible wait.
 *
 * An `ignored` one is dropped on send (kernel/signal.c send_signal ->
 * prepare_signal: sig_ignored). A blocked signal is queued even if ignored,
 * but its delivery then discards it: no effect either way.
 *
 * A `fatal` one (default action terminate): complete_signal (kernel/signal.c)
 * sees sig_fatal and, unless the target blocks it, takes the whole thread
 * group down at once: SIGNAL_GROUP_EXIT, then SIGKILL (never blocked) added to
 * every thread and signal_wake_up. SIGKILL interrupts every later wait like
 * any signal. A target that blocks it (v20) keeps it queued until
 * post_restore_task unblocks it (T12), after the last wait; its thread-mates
 * are killed only at its delivery, outside the model. Either way the task dies
 * at its return to user space (`fatal`, see buildModel's apply).
 *
 * `dies-in-restore` and `restore-fails` only mark the run: the task's own T6e
 * step acts on it (buildModel's apply; the variants' T6e).
 */
function fireFault(d: Draft<RestartState>, f: FaultSpec, env: Env): void {
  if (f.type === 'signal') {
    const target = env.vpids.indexOf(f.task);
    const t = d.tasks[target]!;
    if (f.disposition === 'ignored') return;
    if (f.disposition === 'fatal') {
      if (t.blocked) {
        t.fatal = true;
        return;
      }
      const tgid = env.tasks[target]!.tgid;
      d.tasks.forEach((mate, i) => {
        if (env.tasks[i]!.tgid !== tgid || mate.pc === DONE || mate.pc === GONE) return;
        mate.fatal = true;
        signal_wake_up(mate);
      });
      return;
    }
    if (!t.blocked) signal_wake_up(t);
  } else if (f.type === 'signal-coordinator') signal_wake_up(d.coord);
}

export function initialState(variant: RestartVariant, scenario: Scenario): RestartState {
  const proc = (pc: string): Proc => ({ pc, sched: 'RUNNING', wq: null, slot: false, sigPending: false, ret: 0, reg: -1 });
  return {
    ctx: { refcount: 1, freed: false, activePid: -1, done: 0, success: false, error: false, errno: 0, nrTotal: 0 },
    coord: { ...proc(variant.coordinatorStart ?? 'C4'), waits: 0 },
    tasks: scenario.tasks.map((t) => ({
      ...proc(t.kind === 'ghost' ? (variant.ghostStart ?? 'X1') : (variant.taskStart ?? 'T1:prepare')),
      pf: false,
      local: false,
      restored: false,
      zombie: false,
      exitState: 0,
      exitCode: 0,
      exitSignal: t.exitSignal,
      blocked: false,
      fatal: false,
    })),
    fired: scenario.faults.map(() => false),
    oops: null,
  };
}

/** A label of one actor's step table, as buildModel's hot paths need it. */
interface At<P extends Proc> {
  readonly pc: string;
  readonly step: StepDef<P>;
  /** the action the step offers when it has neither a detail nor outcomes */
  readonly action: RestartAction | null;
  /** the actions of a step with a detail or outcomes, by detail and arg */
  readonly keyed: Map<string, RestartAction>;
  /** the guard reads more than the actor's pc (see `traced`) */
  readonly guarded: boolean;
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
  const hasFaults = scenario.faults.some((f) => f.type !== 'esrch' && f.type !== 'extra-task');
  const actors = ['coordinator', ...scenario.tasks.map((t, i) => actorName(t, i < env.nrPids)), ...(hasFaults ? ['environment'] : [])];
  const envActor = actors.length - 1;
  const staticFault = hasInvalidHeader(scenario) || env.missing.size > 0 || scenario.faults.some((f) => f.type === 'extra-task');

  function newAction(actor: number, pc: string, label: string | undefined, detail?: string, arg?: number): RestartAction {
    return {
      actor,
      label: label ?? pc,
      pc,
      ...(detail !== undefined ? { detail } : {}),
      ...(arg !== undefined ? { arg } : {}),
    };
  }

  /** An actor's table: each label's step, and its actions, made once (actions() looks a pc up once and builds nothing). */
  function tableOf<P extends Proc>(steps: Steps<P>, actor: number): ReadonlyMap<string, At<P>> {
    const table = new Map<string, At<P>>();
    for (const [pc, step] of Object.entries(steps)) {
      if (pc === DONE || pc === GONE) continue;
      const plain = !step.detail && !step.outcomes;
      table.set(pc, { pc, step, action: plain ? newAction(actor, pc, step.label) : null, keyed: new Map(), guarded: !!(step.enabled || step.outcomes) });
    }
    return table;
  }
  const coordTable = tableOf(variant.coordinator, COORDINATOR);
  const taskTables = scenario.tasks.map((_t, i) => tableOf(variant.task, i + 1));

  /** The action of a step with a detail or an outcome, made once per detail and arg. */
  function keyed<P extends Proc>(at: At<P>, actor: number, detail: string | undefined, arg?: number): RestartAction {
    const key = detail === undefined && arg === undefined ? '' : `${detail}\u0000${arg}`;
    let a = at.keyed.get(key);
    if (!a) at.keyed.set(key, (a = newAction(actor, at.pc, at.step.label, detail, arg)));
    return a;
  }

  /** A thread's enabled actions at its step: one, or one per outcome of a nondeterministic step. */
  function offer<P extends Proc>(out: RestartAction[], actor: number, at: At<P>, s: RestartState, self: P, i: number): void {
    const step = at.step;
    if (step.enabled && !step.enabled(s, self, env, i)) return;
    if (at.action) out.push(at.action);
    else if (!step.outcomes) out.push(keyed(at, actor, step.detail?.(s, self, env, i)));
    else for (const o of step.outcomes(s, self, env, i)) out.push(keyed(at, actor, o.detail, o.arg));
  }

  /** Whether a step is enabled: its guard holds and, for a nondeterministic step, it has an outcome. */
  function enabledStep<P extends Proc>(step: StepDef<P>, s: RestartState, self: P, i: number): boolean {
    if (step.enabled && !step.enabled(s, self, env, i)) return false;
    return !step.outcomes || step.outcomes(s, self, env, i).length > 0;
  }

  /** The label `pc` of an actor's table; null when the actor has finished. */
  function atOf<P extends Proc>(table: ReadonlyMap<string, At<P>>, pc: string, actor: number): At<P> | null {
    const at = table.get(pc);
    if (at || pc === DONE || pc === GONE) return at ?? null;
    // a step that jumped to a label the model does not define: the model is wrong (exit 4)
    throw new ModelError(variant.name, actor === COORDINATOR ? 'the coordinator' : `task ${env.vpids[actor - 1]}`, pc, 'no step has this label');
  }

  /** A step that jumped to a label with no step: the model's error (exit 4), caught before a property sees the state. */
  function landed<P extends Proc>(table: ReadonlyMap<string, At<P>>, to: string, from: string): void {
    if (to !== DONE && to !== GONE && !table.has(to)) throw new Error(`it jumped to '${to}', which no step has as its label (from '${from}')`);
  }

  /** Runs an action's step on a mutable copy of the state. */
  function apply(d: Draft<RestartState>, a: RestartAction): void {
    try {
      if (a.fault !== undefined) {
        d.fired[a.fault] = true;
        fireFault(d, scenario.faults[a.fault]!, env);
      } else if (a.actor === COORDINATOR) {
        coordTable.get(a.pc)!.step.run(d, d.coord, env, -1, a.arg);
        landed(coordTable, d.coord.pc, a.pc);
      } else {
        const i = a.actor - 1;
        const t = d.tasks[i]!;
        const die = env.dieFault[i]!;
        if (a.pc === 'T6e' && die >= 0 && d.fired[die]) {
          // dies-in-restore: restore_task oopses (die() -> do_exit, arch/x86/kernel/dumpstack.c
          // oops_end) and the task runs do_exit (X1) with PF_RESTARTING and checkpoint_ctx still
          // set, R_local never put: exit_checkpoint passes the token on as if the restore had
          // succeeded (reference B8, real variant). A SIGKILL cannot do this: it acts only at
          // the return to user space (a `fatal` signal).
          t.pc = 'X1';
        } else taskTables[i]!.get(a.pc)!.step.run(d, t, env, i, a.arg);
        // A fatal signal: the task never reaches user space. On the way out
        // (do_notify_resume -> do_signal -> get_signal_to_deliver, kernel/signal.c)
        // SIGKILL's default action is do_group_exit: do_exit, not the return.
        if (t.pc === DONE && t.fatal) t.pc = 'X1';
        landed(taskTables[i]!, t.pc, a.pc);
      }
    } catch (e) {
      // a step that throws is a model error (exit 4), not a violation: name the actor and the step
      blame(variant.name, a.fault !== undefined ? `fault ${a.fault}` : a.actor === COORDINATOR ? 'the coordinator' : `task ${env.vpids[a.actor - 1]}`, a.pc, e);
    }
  }

  const firstFaultThread = actors.length;
  /** each fault's action (an environment thread of its own) */
  const faultActions: readonly RestartAction[] = scenario.faults.map((f, k) => ({
    actor: envActor,
    label: faultLabel(f),
    detail: faultName(f),
    pc: 'fault',
    fault: k,
    thread: firstFaultThread + k,
  }));

  /** Whether a thread's next step is enabled; null when it has none (finished, or a fault that fired). */
  function enabledNow(s: RestartState, thread: number): boolean | null {
    if (thread >= firstFaultThread) {
      const k = thread - firstFaultThread;
      if (s.fired[k]) return null;
      return faultEnabled(s, scenario.faults[k]!, env);
    }
    if (thread === COORDINATOR) {
      const c = atOf(coordTable, s.coord.pc, COORDINATOR);
      return c ? enabledStep(c.step, s, s.coord, -1) : null;
    }
    const i = thread - 1;
    const t = s.tasks[i]!;
    const at = atOf(taskTables[i]!, t.pc, thread);
    return at ? enabledStep(at.step, s, t, i) : null;
  }

  // records footprints for partial-order reduction (src/kernel/footprint.ts)
  const shape = initialState(variant, scenario);
  const tracer = new Tracer(['ctx.refcount', 'ctx.nrTotal'], shape);
  const clone = makeCloner(shape);
  const draft = makeDrafter(shape, clone);
  const guardOf = (v: RestartState, a: RestartAction): boolean | null => enabledNow(v, a.thread ?? a.actor);
  // A step with neither `enabled` nor `outcomes` has a guard that reads only its actor's pc, and
  // `apply` notes that pc itself: written when the step moves it (a write conflicts with all a read
  // does), read by `landed` when it stays. Such a step is traced without its guard: one read fewer,
  // the same conflicts (test/model-speed.test.ts).
  const guardFor = (a: RestartAction): typeof guardOf | undefined =>
    a.fault !== undefined || (a.actor === COORDINATOR ? coordTable : taskTables[a.actor - 1]!).get(a.pc)!.guarded ? guardOf : undefined;

  const roles = rolesOf(variant);

  const model: RestartModel = {
    name: variant.name,
    actors,
    variant,
    env,
    // made by the copier, its records have the map of every copy (shared records stay monomorphic)
    init: () => clone(initialState(variant, scenario)),
    actions(s) {
      // After an oops (use after free, put below zero, BUG_ON) the kernel's state is
      // undefined: the run ends there, and only P5/P6 speak of it.
      if (s.oops) return [];
      const out: RestartAction[] = [];
      let who = -1; // whose guard runs, to blame it if it throws (exit 4)
      try {
        const c = atOf(coordTable, s.coord.pc, COORDINATOR);
        if (c) offer(out, COORDINATOR, c, s, s.coord, -1);
        for (let i = 0; i < s.tasks.length; i++) {
          const t = s.tasks[i]!;
          who = i;
          const at = atOf(taskTables[i]!, t.pc, i + 1);
          if (at) offer(out, i + 1, at, s, t, i);
        }
      } catch (e) {
        blame(variant.name, who < 0 ? 'the coordinator' : `task ${env.vpids[who]}`, who < 0 ? s.coord.pc : s.tasks[who]!.pc, e);
      }
      for (let k = 0; k < faultActions.length; k++) if (!s.fired[k] && faultEnabled(s, scenario.faults[k]!, env)) out.push(faultActions[k]!);
      return out;
    },
    next(s, a) {
      // the step mutates a copy-on-write draft: only the records it stores into are copied, the
      // rest shared with `s`, about 0.65 µs a transition against 0.9 µs for a copy of the whole
      // state and 3 µs for immer's produce (`node bin/run-ts.js bench/next.ts`); a whole copy
      // where the drafts do not cover the shape
      if (draft) return draft.next(s, apply, a);
      const d = clone(s);
      apply(d, a);
      return d;
    },
    // the plain search's successors: peeked into records the drafts reuse, copied only when kept
    ...(draft ? { successors: { peek: (s: RestartState, a: RestartAction) => draft.peek(s, apply, a), keep: draft.keep } } : {}),
    // additive fingerprints (src/kernel/zobrist.ts): `traced` keeps them as a step writes, `next` compares the leaves
    fingerprints: { of: (s) => tracer.hash(s), next: (prev, h, next) => tracer.rehash(prev, h, next) },
    por: {
      threads: actors.length + scenario.faults.length,
      traced(s, a, h) {
        // the guard's reads (where the step was enabled, when they add a conflict), then the step's accesses
        const { next, codes: footprint, counters, hash } = tracer.step(s, clone, guardFor(a), apply, a, h);
        return hash ? { next, footprint, counters, hash } : { next, footprint, counters };
      },
      guardReads(s, thread) {
        const guard = tracer.reads(s, (v) => enabledNow(v, thread));
        return guard.value === null ? null : guard.codes;
      },
      observe: (s, name) => tracer.observe(s, name),
      fieldOf: (id) => tracer.vocab.fieldOf(id),
      describeAccess: (code) => tracer.vocab.describe(code),
    },
    describe(prev, a, next) {
      const own = a.actor === COORDINATOR ? 'coord.pc' : `tasks[${a.actor - 1}].pc`;
      return diff(prev, next)
        .filter((c) => c.path !== own)
        .map((c) => formatChange({ ...c, path: c.path.replace(/^tasks\[(\d+)\]/, (_m, i: string) => `task ${env.vpids[Number(i)]}`) }))
        .join(', ');
    },
    // timed runs (src/engine/timed.ts): each step's timing class, by its label
    timeClass: restartTimeClass(env),
    injected: (s) => staticFault || s.fired.some((fired, k) => fired && counts(scenario.faults[k]!)),
    finished(s, actor) {
      const pc = actor === COORDINATOR ? s.coord.pc : s.tasks[actor - 1]!.pc;
      return pc === DONE || pc === GONE;
    },
    roleOf: (pc) => roles.byLabel.get(pc) ?? NO_ROLES,
    labelsWith: (role) => roles.byRole.get(role) ?? NO_LABELS,
  };
  return model;
}

const NO_ROLES: readonly Role[] = [];
const NO_LABELS: readonly string[] = [];

/** Each label's roles, and each role's labels, over both step tables. */
function rolesOf(variant: RestartVariant): { byLabel: Map<string, readonly Role[]>; byRole: Map<Role, string[]> } {
  const byLabel = new Map<string, readonly Role[]>();
  const byRole = new Map<Role, string[]>();
  const entries: [string, { readonly roles?: readonly Role[] }][] = [...Object.entries(variant.coordinator), ...Object.entries(variant.task)];
  for (const [label, step] of entries) {
    if (!step.roles?.length) continue;
    byLabel.set(label, step.roles);
    for (const r of step.roles) (byRole.get(r) ?? byRole.set(r, []).get(r)!).push(label);
  }
  return { byLabel, byRole };
}

/**
 * The roles `needed` (by the properties) that no step of the variant has and
 * that the variant does not declare it {@link RestartVariant.lacks}: a model
 * error (exit 4), as a jump to a missing label is. A property would otherwise
 * check nothing and hold.
 */
export function checkRoles(model: RestartModel, needed: Iterable<Role>): void {
  const missing = [...new Set(needed)].filter((r) => model.labelsWith(r).length === 0 && !model.variant.lacks?.[r]);
  if (missing.length) {
    throw new ModelError(
      model.variant.name,
      'the variant',
      'load',
      `no step has the role${missing.length > 1 ? 's' : ''} ${missing.join(', ')} the properties need (declare it in a step's roles, or in the variant's lacks with why)`,
    );
  }
}

/**
 * Adds roles to every step of a table: `...withRoles(restore_activate_next(...), 'activating')`.
 */
export function withRoles<P extends Proc>(steps: Steps<P>, ...roles: Role[]): Steps<P> {
  return Object.fromEntries(Object.entries(steps).map(([k, step]) => [k, { ...step, roles: [...new Set([...(step.roles ?? []), ...roles])] }]));
}
