/**
 * v20 ([C/R v20] patches 30, 32, 68 and 73 of 96, March 2010): the v19 fixes
 * on top of v18-final. v20-30 and v20-73 carry 73/80's nr_total,
 * restore_task_done, ghosts and the zombie's activation before do_exit
 * unchanged (reference/kernel-protocol.md §4, rows "v19-rc1 … v19" and "v20"),
 * so this is v18-final except these steps, each quoted from the v20 patches [C]:
 *
 * - task-locked slot helpers (v20-30): wait_checkpoint_ctx takes R_local with
 *   get_task_ctx(current) under task_lock (T2): the slot is never NULL between
 *   T1 and the end, so there is no T2–T3 window (B4) and no T3.
 *   set_task_ctx (C5p) fails -EBUSY on a slot already set; clear_task_ctx
 *   (T13c) clears the slot and puts R_prep at the end of do_restore_task, after
 *   PF_RESTARTING is cleared.
 * - init_completion(&ctx->complete) is in ckpt_ctx_alloc: no C5i (B5 fixed).
 * - ckpt_set_error: test_and_set_bit(CKPT_CTX_ERROR); only the first setter
 *   stores errno and calls restore_notify_error = complete(&ctx->complete) +
 *   wake_up_all(&ctx->waitq) + wake_up_all(&ctx->ghostq) (v20-73). Every error
 *   goes through it (ckpt_err): restore_activate_next's -ESRCH (C5a2, T8a2),
 *   do_restore_task's out (T11), do_ghost_task's interrupted wait (G5),
 *   do_restore_coord's out (C7).
 * - wait_task_active (T5) and wait_task_sync (T9) return ckpt_get_error(ctx)
 *   when ERROR is set and 0 otherwise; they no longer force_sig(SIGKILL)
 *   themselves: do_restart does, for any task that returns an error.
 * - the coordinator on ERROR calls destroy_descendants (C8k): force_sig(SIGKILL)
 *   to every task of the tree whose checkpoint_ctx == ctx, and returns the
 *   first errno; otherwise it sets SUCCESS and wakes waitq (C8).
 * - ckpt_kread aborts when ERROR is set (v20-30 sys.c): restore_task (T6e)
 *   then fails with the first errno.
 * - exit_checkpoint reads tsk->checkpoint_ctx without clearing it (X2): a
 *   dead task keeps pointing at the ctx (§3.3).
 * - signals (v20-68): pre_restore_task (T5b) blocks every signal but SIGKILL
 *   and SIGSTOP right after wait_task_active; post_restore_task unblocks them
 *   at the end (T12), or before a zombie's do_exit (T7).
 *
 * The choice about signals, made explicit. The `signal` fault is a plain
 * signal. While the task blocks signals (T5b to T12) it stays queued: it
 * neither wakes the task nor makes signal_pending() true, so it cannot end the
 * final sync early (B6 fixed). It is delivered after sys_restart returns,
 * outside the model. Before T5b nothing blocks it: it ends T1 (the task
 * returns -ERESTARTSYS and is killed) and it ends T5. wait_task_active ignores
 * the wait's own result [C v20-30: `if (ckpt_test_error(ctx)) return
 * ckpt_get_error(ctx); return 0;`], so a task whose T5 wait a signal ends
 * without ERROR goes on to restore out of turn. That is a finding of this
 * model (P3, P4), not a choice. SIGKILL (destroy_descendants) is never
 * blocked. recalc_sigpending at T5b: a pending plain signal stops being
 * pending. A SIGKILL pending at that point can only come from
 * destroy_descendants, after ERROR; the model drops it, because ERROR already
 * makes the next step (T6e, ckpt_kread) fail.
 *
 * Not modelled: wait_sync_threads (the thread-group barrier of v19), the
 * ptrace and permission checks of __prepare_descendants, debug task status.
 *
 * What the checker finds (test/variants.test.ts, faults.test.ts, bugs.test.ts):
 * without faults P1–P11 hold, except that a thread zombie (exit_signal -1,
 * reaped at exit_notify) that exits inside its predecessor's T8a1–T8a2 window
 * is not found by the lookup: -ESRCH (P8). B4, B5 and B6 are gone. Under a
 * plain signal: the out-of-turn restore above (P3, P4, and P6 or P9), and a
 * task killed in T1 that is still prepared hangs the coordinator (P9). B7
 * (P6) when a signal releases a ghost early. B14 (P9) with an extra task.
 */
import { readIs } from '../src/kernel/footprint.ts';
import { BUG_ON, ckpt_ctx_get, ckpt_ctx_put, ctx_use } from '../src/kernel/ctx.ts';
import { complete } from '../src/kernel/completion.ts';
import { DONE, GONE, withRoles, type RestartVariant, type StepDef, type Steps } from '../src/kernel/model.ts';
import { signal_wake_up, wake_up_all, wake_up_process } from '../src/kernel/sched.ts';
import { EAGAIN, EBUSY, EIO, ERESTARTSYS, ESRCH, type Coordinator, type RestartState, type Task } from '../src/kernel/state.ts';
import { prepare, wait_event_interruptible } from '../src/kernel/wait.ts';
import { is_task_active, killed, prepared_count } from './v18.ts';
import { coordinator as v18final_coordinator, do_ghost_task, restore_activate_next, task as v18final_task, without } from './v18-final.ts';

type S = RestartState;

/** ckpt_set_error (v20-30 sys.c) with restore_notify_error (v20-30, + ghostq in v20-73) */
export function ckpt_set_error(s: S, err: number, where: string): void {
  const ctx = ctx_use(s, where);
  if (ctx.error) return; // test_and_set_bit(CKPT_CTX_ERROR_BIT)
  ctx.error = true;
  ctx.errno = err; // then complete_all(&ctx->errno_sync): ckpt_get_error never waits in the model
  complete(s, where);
  wake_up_all(s, 'waitq');
  wake_up_all(s, 'ghostq');
}

/** do_restore_task's `out:` label in v20 */
export const out = (self: Task, ret: number): void => {
  self.ret = ret;
  self.pc = 'T11';
};

/**
 * prepare_descendants (v20-30 __prepare_descendants via walk_task_subtree), one
 * step per task of the walk; `tooFew` is the count rule, which v20-73 relaxed
 * from v20-30's `nr_pids != ctx->nr_pids` (mutant:B15 keeps the old one).
 */
export function prepare_descendants(rule: string, tooFew: (count: number, nrPids: number) => boolean): StepDef<Coordinator> {
  return {
    fn: 'prepare_descendants',
    cite: `v20-30 __prepare_descendants via walk_task_subtree: exit_state == 0 -> set_task_ctx (busy -> -EBUSY); wake_up_process; ${rule}, else atomic_set(&ctx->nr_total, nr_pids)`,
    detail: (_s, self, env) => `pid ${env.vpids[env.walk[self.reg]!]}`,
    run(s, self, env) {
      const t = s.tasks[env.walk[self.reg]!]!;
      if (readIs(t, 'exitState', 0)) {
        if (t.slot) {
          self.ret = EBUSY; // set_task_ctx returns 1: the walk stops
          self.reg = -1;
          self.pc = 'C7';
          return;
        }
        ckpt_ctx_get(s, 'C5p');
        t.slot = true;
        wake_up_process(t);
      }
      if (++self.reg < env.walk.length) return;
      const count = prepared_count(s, env, self.reg);
      self.reg = -1;
      if (tooFew(count, env.nrPids)) {
        self.ret = ESRCH;
        self.pc = 'C7';
        return;
      }
      s.ctx.nrTotal = count;
      self.pc = 'C5a1'; // init_completion is in ckpt_ctx_alloc now
    },
  };
}

export const coordinator: Steps<Coordinator> = {
  ...without(v18final_coordinator, 'C5i', 'C5a1', 'C5a2'),
  C5p: prepare_descendants(
    'v20-73: nr_pids < ctx->nr_pids -> -ESRCH',
    (count, nrPids) => count < nrPids,
  ),
  ...restore_activate_next<Coordinator>(
    'C5a',
    'coordinator, -1 -> 0',
    (_s, self) => void (self.pc = prepare('C5w')),
    (_s, self) => {
      self.ret = ESRCH;
      self.pc = 'C7';
    },
    ckpt_set_error,
  ),
  C7: {
    fn: 'do_restore_coord',
    cite: 'v20-30 do_restore_coord out: ret < 0 -> ckpt_err(ctx, ret); ckpt_test_error -> destroy_descendants, ret = ckpt_get_error; else ckpt_set_success',
    run(s, self) {
      if (self.ret < 0) ckpt_set_error(s, self.ret, 'C7');
      const ctx = ctx_use(s, 'C7');
      if (ctx.error) {
        self.pc = 'C8k';
      } else {
        ctx.success = true;
        self.pc = 'C8';
      }
    },
  },
  C8k: {
    fn: 'destroy_descendants',
    cite: 'v20-30 destroy_descendants: walk_task_subtree: task->checkpoint_ctx == ctx -> force_sig(SIGKILL, task); ret = ckpt_get_error(ctx)',
    run(s, self) {
      for (const t of s.tasks) if (t.slot && t.pc !== DONE && t.pc !== GONE) signal_wake_up(t); // SIGKILL: never blocked
      self.ret = ctx_use(s, 'C8k').errno;
      self.pc = 'C9';
    },
  },
};

export const task: Steps<Task> = {
  ...without(v18final_task, 'T3', 'T10', 'T11n'),
  T2: {
    fn: 'wait_checkpoint_ctx',
    cite: 'v20-30 wait_checkpoint_ctx: ctx = get_task_ctx(current) under task_lock (R_local); !ctx -> -EAGAIN; then do_restart: RESTART_GHOST ? do_ghost_task : do_restore_task',
    run(s, self, env, i) {
      if (!self.slot) {
        self.ret = EAGAIN;
        return killed(s, self, env, i);
      }
      ckpt_ctx_get(s, 'T2 (R_local)');
      self.local = true;
      self.pc = env.tasks[i]!.kind === 'ghost' ? 'G4' : 'T4';
    },
  },
  ...wait_event_interruptible<Task>({
    label: 'T5',
    roles: ['pfSection'],
    fn: 'wait_task_active',
    cite: 'v20-30 wait_task_active: wait_event_interruptible(ctx->waitq, is_task_active || ckpt_test_error); ckpt_test_error -> return ckpt_get_error(ctx); return 0 (the wait\'s result is ignored)',
    queue: 'waitq',
    cond: (s, _self, env, i) => is_task_active(s, env, i) || ctx_use(s, 'T5').error,
    woke: (s, self) => wait_task_active_done(s, self),
    interrupted: (s, self) => wait_task_active_done(s, self),
  }),
  T5b: {
    roles: ['pfSection'],
    fn: 'pre_restore_task',
    cite: 'v20-68 pre_restore_task: sigprocmask(SIG_SETMASK, all but SIGKILL and SIGSTOP) after wait_task_active',
    run(_s, self) {
      self.blocked = true;
      self.sigPending = self.fatal; // recalc_sigpending: what is pending is now blocked, but SIGKILL (a fatal signal fault) never is
      self.pc = 'T6b';
    },
  },
  T6e: {
    roles: ['inRestore', 'pfSection'],
    fn: 'restore_task',
    cite: 'v20-73 do_restore_task: zombie = restore_task(ctx) (ckpt_kread aborts with ckpt_get_error once ERROR is set, v20-30 sys.c)',
    run(s, self, env, i) {
      const fault = env.restoreFault[i]!;
      if (fault >= 0 && s.fired[fault]) return out(self, EIO);
      const ctx = ctx_use(s, 'T6e');
      if (ctx.error) return out(self, ctx.errno);
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
    ckpt_set_error,
  ), 'activating', 'pfSection'),
  T7: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v20-68/73 do_restore_task: zombie -> post_restore_task(); ckpt_ctx_put(ctx) (R_local); do_exit(current->exit_code)',
    run(s, self) {
      self.blocked = false;
      ckpt_ctx_put(s, 'T7 (R_local)');
      self.local = false;
      self.pc = 'X1';
    },
  },
  ...wait_event_interruptible<Task>({
    label: 'T9',
    roles: ['pfSection'],
    fn: 'wait_task_sync',
    cite: 'v20-30 wait_task_sync: wait_event_interruptible(ctx->waitq, ckpt_test_complete(ctx)) (result ignored); ckpt_test_error -> return ckpt_get_error(ctx)',
    queue: 'waitq',
    cond: (s) => {
      const ctx = ctx_use(s, 'T9');
      return ctx.success || ctx.error;
    },
    woke: (s, self) => out(self, ctx_use(s, 'T9').error ? s.ctx.errno : 0),
    interrupted: (s, self) => out(self, ctx_use(s, 'T9').error ? s.ctx.errno : 0),
  }),
  T11: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v20-30 do_restore_task out: ret < 0 -> ckpt_err(ctx, ret, "task restart failed") (ckpt_set_error: the first error only)',
    run(s, self) {
      if (self.ret < 0) ckpt_set_error(s, self.ret, 'T11');
      self.pc = 'T12';
    },
  },
  T12: {
    roles: ['pfSection'],
    fn: 'do_restore_task',
    cite: 'v20-68 do_restore_task out: post_restore_task(); current->flags &= ~PF_RESTARTING',
    run(_s, self) {
      self.blocked = false;
      self.pf = false;
      self.pc = 'T13c';
    },
  },
  T13c: {
    fn: 'clear_task_ctx',
    cite: 'v20-30 do_restore_task out: clear_task_ctx(current): slot := NULL under task_lock, put (R_prep)',
    run(s, self) {
      const old = self.slot;
      self.slot = false;
      if (old) ckpt_ctx_put(s, 'T13c (R_prep)');
      self.pc = 'T13';
    },
  },
  X2: {
    roles: ['exitPath'],
    fn: 'exit_checkpoint',
    cite: 'v20-73 exit_checkpoint: ctx = tsk->checkpoint_ctx (not cleared); PF_RESTARTING -> BUG_ON(ctx->active_pid == -1); restore_task_done(ctx)',
    run(s, self) {
      if (!self.slot) {
        self.pc = 'X3'; // do_exit calls exit_checkpoint only when tsk->checkpoint_ctx
        return;
      }
      if (self.pf) {
        BUG_ON(s, readIs(ctx_use(s, 'X2'), 'activePid', -1), 'ctx->active_pid == -1');
        self.pc = 'X2d';
      } else {
        self.pc = 'X2p';
      }
    },
  },
  ...do_ghost_task('v20-73', (s, self) => {
    ckpt_set_error(s, ERESTARTSYS, 'G5'); // ret < 0 -> ckpt_err(ctx, ret, "ghost restart failed")
    self.pc = 'G6';
  }),
};

/** wait_task_active after its wait, woken or not: ERROR -> the first errno; else go on, even out of turn */
function wait_task_active_done(s: S, self: Task): void {
  if (ctx_use(s, 'T5').error) return out(self, s.ctx.errno);
  self.pc = 'T5b';
}

export const v20: RestartVariant = {
  name: 'v20',
  summary: 'v18-final with the v19/v20 fixes: task-locked ctx, init_completion at alloc, first error once, destroy_descendants, signals blocked while restoring',
  coordinator,
  task,
  ghostStart: 'T1:prepare',
};

export default v20;
