/**
 * v18 after the seed patch ([PATCH v18 28/80] c/r: support for zombie processes),
 * step by step as spec/restart-model.md §3 lays it out. Sources: SEED for the
 * lines the patch changes (restore_activate_next, do_restore_task's zombie path,
 * PF_RESTARTING, exit_checkpoint); v17-26 and the v18 diff contexts for the
 * rest (reference/kernel-protocol.md §2, tagged [R] there).
 *
 * Choices where the reference is uncertain:
 * - [R] restore_notify_error records the first errno, sets ERROR and calls
 *   complete() every time; its callers do the wake_up_all (SEED context).
 * - [R] the coordinator's out path (C7) sets ERROR without complete().
 * - [R] init_completion sits in wait_all_tasks_finish, after prepare_descendants (C5i; see B5).
 * - prepare_descendants holds tasklist_lock for reading across the walk, so no
 *   exit_notify (X1, write lock) runs between its first and last step.
 * - the post-wait ERROR test of wait_task_active / wait_task_sync is folded into
 *   the wait's check step (it re-reads the flag the check just read).
 * - is_task_active once active_pid = nr_pids reads pids_arr[nr_pids], past the
 *   end (B13); the model takes that slot to hold no task's pid.
 */
import { BUG_ON, ckpt_ctx_get, ckpt_ctx_put, ctx_use } from '../src/kernel/ctx.ts';
import { complete, init_completion } from '../src/kernel/completion.ts';
import { readIs } from '../src/kernel/footprint.ts';
import { DONE, GONE, withRoles, type Env, type RestartVariant, type StepDef, type StepFn, type Steps } from '../src/kernel/model.ts';
import { signal_wake_up, wake_up_all, wake_up_process } from '../src/kernel/sched.ts';
import {
  EAGAIN,
  EBUSY,
  EINTR,
  EIO,
  ERESTARTSYS,
  ESRCH,
  EXIT_DEAD,
  EXIT_ZOMBIE,
  type Coordinator,
  type Proc,
  type RestartState,
  type Task,
} from '../src/kernel/state.ts';
import { prepare, wait_event_interruptible } from '../src/kernel/wait.ts';

type S = RestartState;

/** _restore_notify_error (v17 ckpt_notify_error + v18 "track the first error") [R] */
export function restore_notify_error(s: S, err: number, where: string): void {
  const ctx = ctx_use(s, where);
  if (!ctx.error) ctx.errno = err;
  ctx.error = true;
  complete(s, where);
}

/**
 * is_task_active(ctx, task_pid_vnr(current)): pids_arr[active_pid] is my pid,
 * i.e. active_pid is my index (pids are distinct; past the end is no task's).
 * Read as "active_pid == i" (readIs), so a waiter's check conflicts only with
 * the activations that make it active or move past it, not with every one.
 */
export function is_task_active(s: S, env: Env, i: number): boolean {
  return i < env.nrPids && readIs(s.ctx, 'activePid', i);
}

/** find_task_by_pid_ns in the restored pid-ns: a released (EXIT_DEAD) task or a missing pid is not found. */
export function find_task_by_pid_ns(s: S, env: Env, vpid: number): number {
  if (env.missing.has(vpid)) return -1;
  const i = env.pids.indexOf(vpid);
  return i >= 0 && !readIs(s.tasks[i]!, 'exitState', EXIT_DEAD) ? i : -1;
}

/** What a version's activation says and does where versions differ: its names, its lookup test, its error notice. */
export interface Activation {
  readonly fn: string;
  readonly cite1: (who: string) => string;
  readonly cite2: string;
  /** SEED: the task found must still hold the ctx in its slot (B4's window); v17 wakes any task found */
  readonly checksSlot: boolean;
  readonly notify: (s: S, err: number, where: string) => void;
}

export const SEED_ACTIVATION: Activation = {
  fn: 'restore_activate_next',
  cite1: (who) => `SEED restart.c restore_activate_next: ++ctx->active_pid >= ctx->nr_pids -> complete(); pid = get_active_pid(ctx) [${who}]`,
  cite2: 'SEED restart.c restore_activate_next: find_task_by_pid_ns; task->checkpoint_ctx == ctx -> wake_up_process, else -ESRCH',
  checksSlot: true,
  notify: restore_notify_error,
};

/** The second step of an activation: look the pid read at the first up and wake it, or report -ESRCH. */
export function activation_lookup<P extends Proc>(label: string, then: StepFn<P>, failed: StepFn<P>, k: Activation): StepDef<P> {
  return {
    fn: k.fn,
    cite: k.cite2,
    detail: (_s, self, env) => `pid ${env.pids[self.reg]}`,
    run(s, self, env, i) {
      const t = find_task_by_pid_ns(s, env, env.pids[self.reg]!);
      self.reg = -1;
      if (t >= 0 && (!k.checksSlot || s.tasks[t]!.slot)) {
        wake_up_process(s.tasks[t]!);
        then(s, self, env, i);
      } else {
        k.notify(s, ESRCH, `${label}2`);
        failed(s, self, env, i);
      }
    },
  };
}

/**
 * restore_activate_next (SEED restart.c) in two steps: `<label>1` increments
 * active_pid and completes past the end or reads the next pid into a register;
 * `<label>2` looks that pid up and wakes it. Nothing holds the token in between.
 */
export function restore_activate_next<P extends Proc>(
  label: string,
  who: string,
  then: StepFn<P>,
  failed: StepFn<P>,
  k: Activation = SEED_ACTIVATION,
): Steps<P> {
  return {
    [`${label}1`]: {
      fn: k.fn,
      cite: k.cite1(who),
      run(s, self, env, i) {
        const ctx = ctx_use(s, `${label}1`);
        if (++ctx.activePid >= env.nrPids) {
          complete(s, `${label}1`);
          then(s, self, env, i);
        } else {
          self.reg = ctx.activePid;
          self.pc = `${label}2`;
        }
      },
    },
    [`${label}2`]: activation_lookup(label, then, failed, k),
  };
}

/** prepare_descendants holds tasklist_lock (read) from its first visit to its last. */
export function tasklist_read_held(s: S): boolean {
  // readIs: the guard depends on "is the coordinator at C5p", not on where else it is
  return readIs(s.coord, 'pc', 'C5p') && s.coord.reg > 0;
}

/**
 * prepare_descendants' count after visiting the first `visited` tasks of the
 * walk: the live ones (exit_state == 0). tasklist_lock freezes exit_state
 * during the walk, so the count is read back from the state, not kept.
 */
export function prepared_count(s: S, env: Env, visited: number): number {
  let n = 0;
  for (let k = 0; k < visited; k++) if (readIs(s.tasks[env.walk[k]!]!, 'exitState', 0)) n++;
  return n;
}

export const coordinator: Steps<Coordinator> = {
  C4: {
    fn: 'do_restore_coord',
    cite: 'v17-26 do_restore_coord: ckpt_ctx_get(ctx) (R_coord); xchg(&current->checkpoint_ctx, ctx)',
    run(s, self) {
      ckpt_ctx_get(s, 'C4');
      self.slot = true;
      self.reg = 0;
      self.pc = 'C5p';
    },
  },
  C5p: {
    fn: 'prepare_descendants',
    cite: 'v17-26 prepare_descendants: while (nr_pids): exit_state == 0 -> ckpt_ctx_get (R_prep); xchg(&task->checkpoint_ctx, ctx); wake_up_process(task); nr_pids--',
    detail: (_s, self, env) => `pid ${env.vpids[env.walk[self.reg]!]}`,
    run(s, self, env) {
      const t = s.tasks[env.walk[self.reg]!]!;
      if (readIs(t, 'exitState', 0)) {
        ckpt_ctx_get(s, 'C5p');
        const old = t.slot;
        t.slot = true;
        if (old) {
          ckpt_ctx_put(s, 'C5p');
          self.ret = EAGAIN;
          self.pc = 'C7';
          return;
        }
        wake_up_process(t);
      }
      // the walk stops once it has counted nr_pids tasks, or at the end of the tree
      const visited = ++self.reg;
      const counted = prepared_count(s, env, visited);
      if (counted === env.nrPids || visited === env.walk.length) {
        // v18 73/80 '-' lines: if (!ret && (nr_pids || task != root)) ret = -ESRCH
        if (counted < env.nrPids || visited < env.walk.length) self.ret = ESRCH;
        self.reg = -1;
        self.pc = self.ret < 0 ? 'C7' : 'C5i';
      }
    },
  },
  C5i: {
    fn: 'wait_all_tasks_finish',
    cite: 'v17-26 wait_all_tasks_finish: init_completion(&ctx->complete) [R for v18; moved to ctx_alloc in v19]',
    run(s, self) {
      init_completion(s, 'C5i');
      self.pc = 'C5a1';
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
  ...wait_event_interruptible<Coordinator>({
    label: 'C5w',
    fn: 'wait_for_completion_interruptible',
    cite: 'v17-26 wait_all_tasks_finish: wait_for_completion_interruptible(&ctx->complete)',
    queue: 'complete',
    cond: (s) => ctx_use(s, 'C5w').done > 0,
    woke(s, self) {
      s.ctx.done--;
      self.waits++;
      self.pc = 'C7';
    },
    interrupted(_s, self) {
      self.ret = ERESTARTSYS;
      self.pc = 'C7';
    },
  }),
  C7: {
    fn: 'do_restore_coord',
    cite: 'v17-26 wait_all_tasks_finish: after the wait, ckpt_test_ctx_error -> ret = -EBUSY (whatever the wait returned); do_restore_coord out: set ERROR (ret < 0) or SUCCESS',
    run(s, self) {
      const ctx = ctx_use(s, 'C7');
      // only a coordinator that went through the wait tests ERROR there: it comes with 0 or, interrupted, -ERESTARTSYS
      // (an error of prepare_descendants or of the first activation returns before the wait, keeping its errno)
      if ((self.ret >= 0 || self.ret === ERESTARTSYS) && ctx.error) self.ret = EBUSY;
      if (self.ret < 0) {
        if (!ctx.error) ctx.errno = self.ret;
        ctx.error = true;
      } else {
        ctx.success = true;
      }
      self.pc = 'C8';
    },
  },
  C8: {
    fn: 'do_restore_coord',
    cite: 'v17-26 do_restore_coord: wake_up_all(&ctx->waitq)',
    run(s, self) {
      ctx_use(s, 'C8');
      wake_up_all(s, 'waitq');
      self.pc = 'C9';
    },
  },
  C9: {
    fn: 'sys_restart',
    cite: 'v17-26 do_restore_coord: xchg(&current->checkpoint_ctx, NULL); put (R_coord); sys_restart: put (R_alloc)',
    run(s, self) {
      self.slot = false;
      ckpt_ctx_put(s, 'C9 (R_coord)');
      ckpt_ctx_put(s, 'C9 (R_alloc)');
      if (self.ret === ERESTARTSYS) self.ret = EINTR; // do_restart
      self.pc = DONE;
    },
  },
};

/** do_restart: a restarting task whose restore failed is killed (force_sig SIGKILL) and exits. */
export const killed: StepFn<Task> = (_s, self) => void (self.pc = 'X1');

/** the out: label of do_restore_task */
export const out = (self: Task, ret: number): void => {
  self.ret = ret;
  self.pc = 'T10';
};

export const task: Steps<Task> = {
  ...wait_event_interruptible<Task>({
    label: 'T1',
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task: wait_event_interruptible(waitq, current->checkpoint_ctx)',
    queue: 'stack',
    cond: (_s, self) => self.slot,
    woke: (_s, self) => void (self.pc = 'T2'),
    interrupted(s, self, env, i) {
      self.ret = ERESTARTSYS;
      killed(s, self, env, i);
    },
  }),
  T2: {
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task: ctx = xchg(&current->checkpoint_ctx, NULL); ckpt_ctx_get(ctx) (R_local)',
    run(s, self, env, i) {
      const had = self.slot;
      self.slot = false;
      if (!had) {
        self.ret = EAGAIN;
        return killed(s, self, env, i);
      }
      ckpt_ctx_get(s, 'T2 (R_local)');
      self.local = true;
      self.pc = 'T3';
    },
  },
  T3: {
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task: old = xchg(&current->checkpoint_ctx, ctx); old -> notify, put, -EAGAIN',
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
      self.pc = 'T4';
    },
  },
  T4: {
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task: current->flags |= PF_RESTARTING',
    run(_s, self) {
      self.pf = true;
      self.pc = prepare('T5');
    },
  },
  ...wait_event_interruptible<Task>({
    label: 'T5',
    roles: ['pfSection'],
    fn: 'wait_task_active',
    cite: 'SEED restart.c wait_task_active: wait_event_interruptible(ctx->waitq, is_task_active || ckpt_test_ctx_error); ERROR -> force_sig(SIGKILL), -EBUSY',
    queue: 'waitq',
    cond: (s, _self, env, i) => is_task_active(s, env, i) || ctx_use(s, 'T5').error,
    woke(s, self) {
      if (s.ctx.error) {
        signal_wake_up(self); // force_sig(SIGKILL, current)
        return out(self, EBUSY);
      }
      self.pc = 'T6b';
    },
    interrupted: (_s, self) => out(self, ERESTARTSYS),
  }),
  T6b: {
    roles: ['pfSection'],
    fn: 'restore_task',
    cite: 'v17-26 do_restore_task: ret = restore_task(ctx) begins (reads this task\'s records from the image)',
    run(_s, self) {
      self.pc = 'T6e';
    },
  },
  T6e: {
    roles: ['inRestore', 'pfSection'],
    fn: 'restore_task',
    cite: 'SEED process.c restore_task -> restore_task_struct: -EINVAL, 0, or 1 for a zombie',
    run(s, self, env, i) {
      const fault = env.restoreFault[i]!;
      if (fault >= 0 && s.fired[fault]) return out(self, EIO);
      const r = env.restored[i]!;
      if (r.ret < 0) return out(self, r.ret);
      self.restored = true;
      if (r.ret === 1) {
        self.zombie = true;
        self.exitCode = r.exit_code!;
        self.pc = 'T7';
      } else {
        self.pc = 'T8a1';
      }
    },
  },
  T7: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task: zombie -> ckpt_ctx_put(ctx) (R_local); do_exit(current->exit_code)',
    run(s, self) {
      ckpt_ctx_put(s, 'T7 (R_local)');
      self.local = false;
      self.pc = 'X1';
    },
  },
  ...withRoles(
    restore_activate_next<Task>(
      'T8a',
      'the token holder, i -> i+1',
      (_s, self) => void (self.pc = prepare('T9')),
      (_s, self) => out(self, ESRCH),
    ),
    'activating',
    'pfSection',
  ),
  ...wait_event_interruptible<Task>({
    label: 'T9',
    roles: ['pfSection'],
    fn: 'wait_task_sync',
    cite: 'v17-26 wait_task_sync: wait_event_interruptible(ctx->waitq, ckpt_test_ctx_complete) (result ignored); ERROR -> force_sig(SIGKILL), -EBUSY',
    queue: 'waitq',
    cond: (s) => {
      const ctx = ctx_use(s, 'T9');
      return ctx.success || ctx.error;
    },
    woke: (s, self) => wait_task_sync_done(s, self),
    interrupted: (s, self) => wait_task_sync_done(s, self), // the wait's result is ignored (B6)
  }),
  T10: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task out: old = xchg(&current->checkpoint_ctx, NULL); put(old) (R_prep)',
    run(s, self) {
      const old = self.slot;
      self.slot = false;
      if (old) ckpt_ctx_put(s, 'T10 (R_prep)');
      self.pc = 'T11';
    },
  },
  T11: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task out: if (ret < 0 && !ckpt_test_ctx_error(ctx)) — the test, under no lock',
    run(s, self) {
      // two failing tasks may both pass the test before either notifies (v20's test_and_set_bit closes this)
      self.pc = self.ret < 0 && !ctx_use(s, 'T11').error ? 'T11n' : 'T12';
    },
  },
  T11n: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task out: { restore_notify_error(ctx, ret); wake_up_all(&ctx->waitq); }',
    run(s, self) {
      // a second notifier completes again; the helper's first-error test ([R], one step) keeps the first errno
      restore_notify_error(s, self.ret, 'T11n');
      wake_up_all(s, 'waitq');
      self.pc = 'T12';
    },
  },
  T12: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task: current->flags &= ~PF_RESTARTING',
    run(_s, self) {
      self.pf = false;
      self.pc = 'T13';
    },
  },
  T13: {
    fn: 'do_restore_task',
    cite: 'SEED restart.c do_restore_task: ckpt_ctx_put(ctx) (R_local); return ret; do_restart: ret < 0 -> SIGKILL',
    run(s, self, env, i) {
      ckpt_ctx_put(s, 'T13 (R_local)');
      self.local = false;
      if (self.ret < 0) return killed(s, self, env, i);
      self.pc = DONE;
    },
  },
  X1: {
    roles: ['exitPath'],
    fn: 'exit_notify',
    cite: 'K-EXIT exit_notify under write_lock_irq(&tasklist_lock): exit_state = DEATH_REAP ? EXIT_DEAD : EXIT_ZOMBIE; PF_RESTARTING skips do_notify_parent (v17-27)',
    enabled: (s) => !tasklist_read_held(s),
    run(_s, self, env, i) {
      self.exitState = self.exitSignal === -1 ? EXIT_DEAD : EXIT_ZOMBIE;
      self.pc = 'X2';
    },
  },
  X2: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'SEED restart.c exit_checkpoint: ctx = xchg(&tsk->checkpoint_ctx, NULL); PF_RESTARTING -> BUG_ON(ctx->active_pid == -1)',
    run(s, self) {
      if (!self.slot) {
        self.pc = 'X3'; // do_exit calls exit_checkpoint only when tsk->checkpoint_ctx
        return;
      }
      self.slot = false;
      if (self.pf) {
        BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
        self.pc = 'X2a1';
      } else {
        self.pc = 'X2p';
      }
    },
  },
  ...withRoles(
    restore_activate_next<Task>(
      'X2a',
      'a zombie, from do_exit',
      (_s, self) => void (self.pc = 'X2p'),
      (_s, self) => void (self.pc = 'X2p'), // pr_warning("c/r: [%d] failed zombie exit")
    ),
    'exitPath',
  ),
  X2p: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'SEED restart.c exit_checkpoint: ckpt_ctx_put(ctx) (R_prep)',
    run(s, self) {
      ckpt_ctx_put(s, 'X2p (R_prep)');
      self.pc = 'X3';
    },
  },
  X3: {
    roles: ['exitPath'],
    fn: 'do_exit',
    cite: 'K-DOEXIT do_exit: tsk->state = TASK_DEAD; schedule()',
    run(_s, self) {
      self.pc = GONE;
    },
  },
};

/** wait_task_sync after its wait: ERROR -> SIGKILL self, -EBUSY; else 0 */
function wait_task_sync_done(s: S, self: Task): void {
  if (ctx_use(s, 'T9').error) {
    signal_wake_up(self);
    return out(self, EBUSY);
  }
  out(self, 0);
}

export const v18: RestartVariant = {
  name: 'v18',
  summary: 'v18 after the seed patch 28/80: zombies pass the token from exit_checkpoint, after exit_notify',
  coordinator,
  task,
};

export default v18;
