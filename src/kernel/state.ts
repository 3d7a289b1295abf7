/**
 * The shared state of a restart (spec §2), a plain record so that the engine can
 * fingerprint it. `slot` is a task's `checkpoint_ctx`: there is one ctx in a
 * restart, so the slot is null (false) or that ctx (true).
 */

export const TASK_DEAD = 64;
export const EXIT_ZOMBIE = 16;
export const EXIT_DEAD = 32;

/** errno values, negative as the kernel returns them */
export const EINTR = -4;
export const EIO = -5;
export const EAGAIN = -11;
export const ESRCH = -3;
export const EBUSY = -16;
export const EINVAL = -22;
export const ERESTARTSYS = -512;

export type Sched = 'RUNNING' | 'INTERRUPTIBLE';

/** the wait queue an actor sits on: ctx->waitq, ctx->complete's, ctx->ghostq, or the on-stack queue of T1 */
export type WaitQueue = 'waitq' | 'complete' | 'ghostq' | 'stack' | null;

/** What the coordinator and a task share: a program counter and a scheduler state. */
export interface Proc {
  /** the label of the next step; `done` returned from the syscall, `gone` TASK_DEAD */
  pc: string;
  sched: Sched;
  wq: WaitQueue;
  /** current->checkpoint_ctx is the ctx */
  slot: boolean;
  sigPending: boolean;
  /** the syscall's result so far */
  ret: number;
  /** a value kept in a register between two steps (the pid index of an activation, the walk position) */
  reg: number;
}

export interface Coordinator extends Proc {
  /** completions consumed at C5w: the coordinator "woke" this many times */
  waits: number;
}

export interface Task extends Proc {
  /** PF_RESTARTING */
  pf: boolean;
  /** holds R_local (the ctx reference taken at T2) */
  local: boolean;
  /** restore_task finished successfully (T6e) */
  restored: boolean;
  /** restore_task said: zombie */
  zombie: boolean;
  /** 0, EXIT_ZOMBIE or EXIT_DEAD */
  exitState: number;
  exitCode: number;
  /** current->exit_signal: mktree's (SIGCHLD, or -1 for a thread); a ghost sets -1 before do_exit */
  exitSignal: number;
  /** every signal but SIGKILL/SIGSTOP is blocked (v20 pre_restore_task): a plain signal neither pends nor wakes */
  blocked: boolean;
  /**
   * A fatal signal is queued (a `fatal` signal fault): SIGKILL once complete_signal
   * converted it, or the signal itself while blocked. The task never returns to
   * user space: it exits at the return instead (buildModel, src/kernel/model.ts).
   */
  fatal: boolean;
}

export interface Ctx {
  refcount: number;
  freed: boolean;
  /** index into pids_arr; -1 before the first activation */
  activePid: number;
  /** ctx->complete.done */
  done: number;
  success: boolean;
  error: boolean;
  /** the first error recorded */
  errno: number;
  /** v18-final: tasks still to report done (restore_task_done); unused by v18 */
  nrTotal: number;
}

/** A violation the kernel itself would hit (oops): use after free, a put below zero, a BUG_ON. */
export interface Oops {
  readonly property: 'P5' | 'P6';
  readonly what: string;
}

export interface RestartState {
  ctx: Ctx;
  coord: Coordinator;
  tasks: Task[];
  /** which of the scenario's faults have fired */
  fired: boolean[];
  oops: Oops | null;
}

export const COORDINATOR = 0;
/** actor index of task i (its index in pids_arr) */
export const actorOf = (i: number): number => i + 1;
