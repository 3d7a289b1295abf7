/**
 * v17 ([RFC v17][PATCH 26/60] c/r: restart multiple processes, 27/60
 * PF_RESTARTING, 28/60 c/r: support for zombie processes), July 2009. The
 * coordinator and task skeleton is v18's (models/v18.ts rebuilt it from
 * v17-26), so this is v18 except the steps v17-26/28 write differently, each
 * quoted from the patch text [C]:
 *
 * - ckpt_activate_next (C5a, T8a, X2a): `task = find_task_by_pid_ns(...);
 *   if (task) wake_up_process(task); … if (!task) { ckpt_notify_error(ctx);
 *   return -ESRCH; }`. No `checkpoint_ctx == ctx` test: a task found between
 *   its two xchg (T2–T3) or after its final xchg (T10) is woken like any
 *   other, so v18's B4 and its late lookup cannot happen here.
 * - ckpt_notify_error: `ckpt_set_ctx_error(ctx); complete(&ctx->complete)`,
 *   no errno recorded (v18's changelog adds "track the first error"); the
 *   coordinator's out path (C7) sets ERROR the same way.
 * - the zombie path (T7) is `if (ret) do_exit(current->exit_code)`: no put of
 *   R_local, so each zombie leaks one reference (B1, the leak the seed fixes).
 * - exit_checkpoint (X2): `ctx = tsk->checkpoint_ctx; tsk->checkpoint_ctx =
 *   NULL`, then ckpt_activate_next under PF_RESTARTING, with no BUG_ON. The
 *   plain read and clear stay one step: nothing else writes a dying task's
 *   slot (prepare_descendants skips a task whose exit_state is set, and the
 *   lookup no longer reads the slot).
 *
 * Shared with v18, as v17-26 has them: the T2–T3 xchg dance, init_completion
 * after prepare_descendants (C5i), the ERROR test after the coordinator's wait
 * (C7, whatever the wait returned), the unlocked test-then-notify of the out
 * path (T11, T11n), the waits and their signal handling.
 */
import { ckpt_ctx_put, ctx_use } from '../src/kernel/ctx.ts';
import { complete } from '../src/kernel/completion.ts';
import { withRoles, type RestartVariant, type StepFn, type Steps } from '../src/kernel/model.ts';
import { wake_up_all } from '../src/kernel/sched.ts';
import { EAGAIN, EBUSY, ERESTARTSYS, ESRCH, type Coordinator, type Proc, type RestartState, type Task } from '../src/kernel/state.ts';
import { prepare } from '../src/kernel/wait.ts';
import { killed, out, restore_activate_next, v18, type Activation } from './v18.ts';

type S = RestartState;

/** ckpt_notify_error (v17-26 restart.c): set ERROR, complete(); no errno */
export function ckpt_notify_error(s: S, where: string): void {
  ctx_use(s, where).error = true;
  complete(s, where);
}

/**
 * ckpt_activate_next (v17-26, made non-static by v17-28) in v18's two steps:
 * `<label>1` increments active_pid and completes past the end or reads the
 * next pid; `<label>2` looks it up (rcu) and wakes it if it exists.
 */
const V17_ACTIVATION: Activation = {
  fn: 'ckpt_activate_next',
  cite1: (who) => `v17-28 restart.c ckpt_activate_next: if (++ctx->active_pid >= ctx->nr_pids) { complete(&ctx->complete); return 0; } pid = get_active_pid(ctx) [${who}]`,
  cite2: 'v17-26 restart.c ckpt_activate_next: task = find_task_by_pid_ns(pid, ...); if (task) wake_up_process(task); if (!task) { ckpt_notify_error(ctx); return -ESRCH; }',
  checksSlot: false,
  notify: (s, _err, where) => ckpt_notify_error(s, where),
};

export const ckpt_activate_next = <P extends Proc>(label: string, who: string, then: StepFn<P>, failed: StepFn<P>): Steps<P> =>
  restore_activate_next(label, who, then, failed, V17_ACTIVATION);

export const coordinator: Steps<Coordinator> = {
  ...v18.coordinator,
  ...ckpt_activate_next<Coordinator>(
    'C5a',
    'coordinator, -1 -> 0',
    (_s, self) => void (self.pc = prepare('C5w')),
    (_s, self) => {
      self.ret = ESRCH;
      self.pc = 'C7';
    },
  ),
  C7: {
    fn: 'do_restore_coord',
    cite: 'v17-26 wait_all_tasks_finish: if (ckpt_test_ctx_error(ctx)) ret = -EBUSY; do_restore_coord out: ret < 0 ? ckpt_set_ctx_error : ckpt_set_ctx_success',
    run(s, self) {
      const ctx = ctx_use(s, 'C7');
      // the test follows the wait only: 0, or -ERESTARTSYS when interrupted (see v18's C7)
      if ((self.ret >= 0 || self.ret === ERESTARTSYS) && ctx.error) self.ret = EBUSY;
      if (self.ret < 0) ctx.error = true;
      else ctx.success = true;
      self.pc = 'C8';
    },
  },
};

export const task: Steps<Task> = {
  ...v18.task,
  T3: {
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task: old_ctx = xchg(&current->checkpoint_ctx, ctx); old_ctx -> ckpt_notify_error(old_ctx), put; ckpt_notify_error(ctx); ckpt_ctx_put(ctx); -EAGAIN',
    run(s, self, env, i) {
      const old = self.slot;
      self.slot = true;
      if (old) {
        ckpt_notify_error(s, 'T3');
        ckpt_ctx_put(s, 'T3 (old)');
        ckpt_ctx_put(s, 'T3 (R_local)');
        self.local = false;
        self.ret = EAGAIN;
        return killed(s, self, env, i);
      }
      self.pc = 'T4';
    },
  },
  T7: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v17-28 do_restore_task: if (ret) do_exit(current->exit_code) — no ckpt_ctx_put(ctx) of R_local (B1)',
    run(_s, self) {
      self.pc = 'X1'; // self.local stays true: the reference is never dropped
    },
  },
  ...withRoles(ckpt_activate_next<Task>(
    'T8a',
    'the token holder, i -> i+1',
    (_s, self) => void (self.pc = prepare('T9')),
    (_s, self) => out(self, ESRCH),
  ), 'activating', 'pfSection'),
  T11n: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v17-26 do_restore_task out: /* if we\'re first to fail - notify others */ { ckpt_notify_error(ctx); wake_up_all(&ctx->waitq); }',
    run(s, self) {
      ckpt_notify_error(s, 'T11n');
      wake_up_all(s, 'waitq');
      self.pc = 'T12';
    },
  },
  X2: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'v17-28 exit_checkpoint: ctx = tsk->checkpoint_ctx; tsk->checkpoint_ctx = NULL; PF_RESTARTING -> ckpt_activate_next (no BUG_ON)',
    run(_s, self) {
      if (!self.slot) {
        self.pc = 'X3'; // do_exit calls exit_checkpoint only when tsk->checkpoint_ctx
        return;
      }
      self.slot = false;
      self.pc = self.pf ? 'X2a1' : 'X2p';
    },
  },
  ...withRoles(ckpt_activate_next<Task>(
    'X2a',
    'a zombie, from do_exit',
    (_s, self) => void (self.pc = 'X2p'),
    (_s, self) => void (self.pc = 'X2p'), // pr_warning("c/r: [%d] failed zombie exit")
  ), 'exitPath'),
  X2p: {
    ...v18.task.X2p!,
    cite: 'v17-28 exit_checkpoint: ckpt_ctx_put(ctx) (R_prep)',
  },
};

export const v17: RestartVariant = {
  name: 'v17',
  summary: 'v17-26/28: lookup without the checkpoint_ctx test, no errno, no BUG_ON in exit_checkpoint, a zombie keeps R_local (B1: the ctx leaks)',
  coordinator,
  task,
};

export default v17;
