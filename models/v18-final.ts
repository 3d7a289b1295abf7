/**
 * v18 final: v18 after [PATCH v18 73/80] c/r: correctly restore pgid, which the
 * series applies after the seed patch (reference/kernel-protocol.md §4, row
 * "v18 final, after 73/80", and §2.e). v18 except these steps, each quoted from
 * the 73/80 diff of checkpoint/restart.c [C]:
 *
 * - restore_activate_next (C5a, T8a) no longer completes: `ctx->active_pid++;
 *   BUG_ON(ctx->active_pid > ctx->nr_pids)`; once all_tasks_activated it does
 *   `wake_up_all(&ctx->ghostq)`, otherwise it looks the next pid up as before.
 * - restore_task_done (T8d, X2d): `atomic_dec_and_test(&ctx->nr_total) ->
 *   complete(&ctx->complete); BUG_ON(nr_total < 0)`. A live task calls it
 *   before wait_task_sync; a zombie calls restore_activate_next *before*
 *   do_exit (T6e -> T8a -> T7) and reports done from exit_checkpoint (X2d),
 *   "so that we only report done after we really become zombie".
 * - prepare_descendants (C5p) counts up over the whole walk (`while (1)`,
 *   `nr_pids++`), accepts a count >= nr_pids (ghosts are counted) and sets
 *   `atomic_set(&ctx->nr_total, nr_pids)` — on failure too.
 * - ghost tasks (RESTART_GHOST, do_ghost_task: G4–G6): wait_checkpoint_ctx
 *   (the T1–T3 code, now a helper shared with do_restore_task), PF_RESTARTING,
 *   wait on ghostq until all_tasks_activated or ERROR (result ignored),
 *   `exit_signal = -1`, put R_local, do_exit(0). exit_signal -1 makes
 *   exit_notify reap the ghost (EXIT_DEAD); exit_checkpoint still runs, with
 *   PF_RESTARTING set, hence B7.
 * - do_restore_task's error path (T11) also does `wake_up_all(&ctx->ghostq)`.
 *
 * Choices where the sources are silent:
 * - 73/80 leaves do_restore_coord alone, so the coordinator's out path (C8)
 *   wakes waitq only, never ghostq [C by the diff's hunks]; restore_notify_error
 *   wakes nobody (v18's). A ghost is therefore released on an error only by a
 *   task's T11, which runs only when that task is the first to fail.
 * - everything else (init_completion after prepare_descendants, the T2–T3
 *   window, the signal handling of the waits) is v18's, see models/v18.ts.
 *
 * What the checker finds (test/variants.test.ts, faults.test.ts, bugs.test.ts):
 * v18's T8a1–T8a2 window (strict P1, P11) is gone, since completion
 * now waits for the predecessor's restore_task_done. B4, B5 and B6 remain. With a
 * ghost, B4's -ESRCH leaves the ghost on ghostq for ever (P9, no fault). Under
 * faults: B7 (P6) when an error releases a ghost before the first activation,
 * B14 (P9) with an extra task, and a task killed in T1 that is still prepared
 * hangs the coordinator (P9), as in every variant.
 */
import { counterAdd, readIs } from '../src/kernel/footprint.ts';
import { BUG_ON, ckpt_ctx_get, ckpt_ctx_put, ctx_use } from '../src/kernel/ctx.ts';
import { complete } from '../src/kernel/completion.ts';
import { withRoles, type Env, type RestartVariant, type StepFn, type Steps } from '../src/kernel/model.ts';
import { wake_up_all, wake_up_process } from '../src/kernel/sched.ts';
import { EAGAIN, ESRCH, EIO, type Coordinator, type Proc, type RestartState, type Task } from '../src/kernel/state.ts';
import { prepare, wait_event_interruptible } from '../src/kernel/wait.ts';
import { activation_lookup, killed, out, prepared_count, restore_notify_error, task as v18task, v18, SEED_ACTIVATION } from './v18.ts';

type S = RestartState;

/** how a variant records an error: v18's restore_notify_error, or v20's ckpt_set_error */
export type Notify = (s: S, err: number, where: string) => void;

/** Drops steps a variant no longer has, so that its table reads as the code does. */
export function without<P extends Proc>(steps: Steps<P>, ...labels: string[]): Steps<P> {
  return Object.fromEntries(Object.entries(steps).filter(([k]) => !labels.includes(k)));
}

/** all_tasks_activated(ctx): active_pid == nr_pids */
export function all_tasks_activated(s: S, env: Env): boolean {
  return readIs(s.ctx, 'activePid', env.nrPids);
}

/** restore_task_done (v18-73 restart.c) */
export function restore_task_done(s: S, where: string): void {
  // counterAdd: two tasks' decrements commute; the one that reaches zero completes
  const before = counterAdd(ctx_use(s, where), 'nrTotal', -1);
  if (before === 1) complete(s, where);
  BUG_ON(s, before <= 0, 'atomic_read(&ctx->nr_total) < 0');
}

/**
 * restore_activate_next as 73/80 rewrote it, in the same two steps as v18's
 * (`<label>1` increments, `<label>2` looks up; nothing holds the token between).
 */
export function restore_activate_next<P extends Proc>(
  label: string,
  who: string,
  then: StepFn<P>,
  failed: StepFn<P>,
  notify: Notify = restore_notify_error,
): Steps<P> {
  return {
    [`${label}1`]: {
      fn: 'restore_activate_next',
      cite: `v18-73 restart.c restore_activate_next: ctx->active_pid++; BUG_ON(ctx->active_pid > ctx->nr_pids); all_tasks_activated -> wake_up_all(&ctx->ghostq), else pid = get_active_pid(ctx) [${who}]`,
      run(s, self, env, i) {
        const ctx = ctx_use(s, `${label}1`);
        ctx.activePid++;
        BUG_ON(s, ctx.activePid > env.nrPids, 'ctx->active_pid > ctx->nr_pids');
        if (all_tasks_activated(s, env)) {
          wake_up_all(s, 'ghostq');
          then(s, self, env, i);
        } else {
          self.reg = ctx.activePid;
          self.pc = `${label}2`;
        }
      },
    },
    [`${label}2`]: activation_lookup(label, then, failed, {
      ...SEED_ACTIVATION,
      cite2: 'v18-73 restart.c restore_activate_next: find_task_by_pid_ns; task->checkpoint_ctx == ctx -> wake_up_process, else restore_notify_error(ctx, -ESRCH)',
      notify,
    }),
  };
}

/** do_ghost_task after wait_checkpoint_ctx: G4 PF_RESTARTING, G5 the ghostq wait, G6 exit. */
export function do_ghost_task(cite: string, interrupted: StepFn<Task>): Steps<Task> {
  return {
    G4: {
      fn: 'do_ghost_task',
      cite: `${cite} do_ghost_task: current->flags |= PF_RESTARTING`,
      run(_s, self) {
        self.pf = true;
        self.pc = prepare('G5');
      },
    },
    ...wait_event_interruptible<Task>({
      label: 'G5',
      fn: 'do_ghost_task',
      cite: `${cite} do_ghost_task: wait_event_interruptible(ctx->ghostq, all_tasks_activated(ctx) || ckpt_test_ctx_error(ctx))`,
      queue: 'ghostq',
      cond: (s, _self, env) => all_tasks_activated(s, env) || ctx_use(s, 'G5').error,
      woke: (_s, self) => void (self.pc = 'G6'),
      interrupted,
    }),
    G6: {
      fn: 'do_ghost_task',
      cite: `${cite} do_ghost_task: current->exit_signal = -1; ckpt_ctx_put(ctx) (R_local); do_exit(0)`,
      run(s, self) {
        self.exitSignal = -1;
        ckpt_ctx_put(s, 'G6 (R_local)');
        self.local = false;
        self.pc = 'X1';
      },
    },
  };
}

export const coordinator: Steps<Coordinator> = {
  ...without(v18.coordinator, 'C5a1', 'C5a2'),
  C5p: {
    fn: 'prepare_descendants',
    cite: 'v18-73 prepare_descendants: while (1) over the tree: exit_state == 0 -> ckpt_ctx_get (R_prep); xchg(&task->checkpoint_ctx, ctx); wake_up_process(task); nr_pids++; then nr_pids < ctx->nr_pids -> -ESRCH; atomic_set(&ctx->nr_total, nr_pids)',
    detail: (_s, self, env) => `pid ${env.vpids[env.walk[self.reg]!]}`,
    run(s, self, env) {
      const t = s.tasks[env.walk[self.reg]!]!;
      if (readIs(t, 'exitState', 0)) {
        ckpt_ctx_get(s, 'C5p');
        const old = t.slot;
        t.slot = true;
        if (old) {
          ckpt_ctx_put(s, 'C5p');
          self.ret = EAGAIN; // break: the count stops before this task
          s.ctx.nrTotal = prepared_count(s, env, self.reg);
          self.reg = -1;
          self.pc = 'C7';
          return;
        }
        wake_up_process(t);
      }
      if (++self.reg < env.walk.length) return;
      const count = prepared_count(s, env, self.reg);
      if (count < env.nrPids) self.ret = ESRCH; // "may exceed ctx->nr_pids ... but not fall short"
      s.ctx.nrTotal = count;
      self.reg = -1;
      self.pc = self.ret < 0 ? 'C7' : 'C5i';
    },
  },
  ...restore_activate_next<Coordinator>(
    'C5a',
    'coordinator, -1 -> 0',
    (_s, self) => void (self.pc = prepare('C5w')),
    (_s, self) => {
      self.ret = ESRCH;
      self.pc = 'C7';
    },
  ),
};

export const task: Steps<Task> = {
  ...without(v18task, 'X2a1', 'X2a2'),
  T3: {
    fn: 'wait_checkpoint_ctx',
    cite: 'v18-73 wait_checkpoint_ctx: old = xchg(&current->checkpoint_ctx, ctx); old -> notify, put, -EAGAIN; then do_restart: RESTART_GHOST ? do_ghost_task : do_restore_task',
    run(s, self, env, i) {
      const old = self.slot;
      self.slot = true;
      if (old) {
        restore_notify_error(s, EAGAIN, 'T3');
        ckpt_ctx_put(s, 'T3 (old)');
        ckpt_ctx_put(s, 'T3 (R_local)');
        self.local = false;
        self.ret = EAGAIN;
        return killed(s, self, env, i);
      }
      self.pc = env.tasks[i]!.kind === 'ghost' ? 'G4' : 'T4';
    },
  },
  T6e: {
    roles: ['inRestore', 'pfSection'],
    fn: 'restore_task',
    cite: 'v18-73 do_restore_task: zombie = restore_task(ctx); zombie < 0 -> out; then restore_activate_next for live tasks and zombies alike',
    run(s, self, env, i) {
      const fault = env.restoreFault[i]!;
      if (fault >= 0 && s.fired[fault]) return out(self, EIO);
      const r = env.restored[i]!;
      if (r.ret < 0) return out(self, r.ret);
      self.restored = true;
      if (r.ret === 1) {
        self.zombie = true;
        self.exitCode = r.exit_code!;
      }
      self.pc = 'T8a1';
    },
  },
  ...withRoles(restore_activate_next<Task>(
    'T8a',
    'the token holder, i -> i+1; a zombie before do_exit',
    (_s, self) => void (self.pc = self.zombie ? 'T7' : 'T8d'),
    (_s, self) => out(self, ESRCH),
  ), 'activating', 'pfSection'),
  T8d: {
    roles: ['pfSection'],
    fn: 'restore_task_done',
    cite: 'v18-73 do_restore_task: restore_task_done(ctx) before wait_task_sync',
    run(s, self) {
      restore_task_done(s, 'T8d');
      self.pc = prepare('T9');
    },
  },
  T11n: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v18-73 do_restore_task out: ret < 0 && !ckpt_test_ctx_error (T11, v18\'s) -> restore_notify_error; wake_up_all(&ctx->waitq); wake_up_all(&ctx->ghostq)',
    run(s, self) {
      restore_notify_error(s, self.ret, 'T11n');
      wake_up_all(s, 'waitq');
      wake_up_all(s, 'ghostq');
      self.pc = 'T12';
    },
  },
  X2: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'v18-73 exit_checkpoint: ctx = xchg(&tsk->checkpoint_ctx, NULL); PF_RESTARTING -> BUG_ON(ctx->active_pid == -1); restore_task_done(ctx)',
    run(s, self) {
      if (!self.slot) {
        self.pc = 'X3'; // do_exit calls exit_checkpoint only when tsk->checkpoint_ctx
        return;
      }
      self.slot = false;
      if (self.pf) {
        BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
        self.pc = 'X2d';
      } else {
        self.pc = 'X2p';
      }
    },
  },
  X2d: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'v18-73 exit_checkpoint: restore_task_done(ctx) ("we only report done after we really become zombie")',
    run(s, self) {
      restore_task_done(s, 'X2d');
      self.pc = 'X2p';
    },
  },
  ...do_ghost_task('v18-73', (_s, self) => void (self.pc = 'G6')), // the wait's result is ignored
};

export const v18final: RestartVariant = {
  name: 'v18-final',
  summary: 'v18 after 73/80: nr_total and restore_task_done, zombies activate the next task before do_exit, ghost tasks',
  coordinator,
  task,
  ghostStart: 'T1:prepare',
};

export default v18final;
