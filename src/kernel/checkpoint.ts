/**
 * The checkpoint side of a task (SEED checkpoint/checkpoint.c and process.c
 * hunks), as pure functions: whether a task may be checkpointed, and the
 * `ckpt_hdr_task` + comm record it leaves in the image. They are the other half
 * of `restore_task_struct` (header.ts): the round trip is property-tested.
 */
import { EMPTY_COMM, TASK_COMM_LEN, type TaskHeader } from './header.ts';
import { EBUSY, EINVAL, EXIT_DEAD, EXIT_ZOMBIE } from './state.ts';

/** -EPERM (the restart protocol itself never returns it, so state.ts does not list it) */
export const EPERM = -1;

/** What may_checkpoint_task reads of a task and of the checkpoint's root, as facts. */
export interface CheckpointCandidate {
  /** 0, EXIT_ZOMBIE or EXIT_DEAD */
  readonly exit_state: number;
  /** t->state: SEED no longer reads it (its `t->state == TASK_DEAD` test became `t->exit_state == EXIT_DEAD`) */
  readonly state: number;
  /**
   * The permission test. [R] its condition is not in the SEED diff (only its
   * `return -EPERM`); earlier and parallel versions of the function test
   * `ptrace_may_access(t, PTRACE_MODE_ATTACH)`. A parameter here.
   */
  readonly permitted: boolean;
  /** t == current */
  readonly is_current: boolean;
  /** in_same_cgroup_freezer(t, ctx->root_freezer) */
  readonly in_root_freezer: boolean;
  /**
   * The result of the checks between the freezer test and the sibling test that
   * the SEED diff does not show (ptraced task, nsproxy): 0 when they pass.
   */
  readonly middle_checks?: number;
  /** ctx->root_init: the root is a container init */
  readonly root_init: boolean;
  /** t == root */
  readonly is_root: boolean;
  /** t->real_parent == root->real_parent */
  readonly shares_root_parent: boolean;
  /** t->tgid == root->tgid */
  readonly in_root_thread_group: boolean;
}

/** may_checkpoint_task (SEED checkpoint.c): 0, -EBUSY, -EPERM or -EINVAL, tested in the kernel's order. */
export function may_checkpoint_task(t: CheckpointCandidate): number {
  if (t.exit_state === EXIT_DEAD) return EBUSY;
  if (!t.permitted) return EPERM;
  // "zombies are cool (and also don't have nsproxy, below...)"
  if (t.exit_state !== 0) return 0;
  if (!t.is_current && !t.in_root_freezer) return EBUSY;
  if (t.middle_checks) return t.middle_checks;
  // "FIX: for now, disallow siblings of container init created via CLONE_PARENT"
  if (t.root_init && !t.is_root && t.shares_root_parent && !t.in_root_thread_group) return EINVAL;
  return 0;
}

/** The task_struct fields checkpoint_task_struct reads (kernel types: long state, int the rest). */
export interface TaskStruct {
  readonly state: number;
  readonly exit_state: number;
  readonly exit_code: number;
  readonly exit_signal: number;
  readonly pdeath_signal: number;
  /** user addresses (unsigned long) */
  readonly set_child_tid: bigint;
  readonly clear_child_tid: bigint;
  /** the name set_task_comm was given, one character per byte (char codes 0–255) */
  readonly comm: string;
}

/** What checkpoint_task_struct writes: the task header, then the comm string record. */
export interface TaskImage {
  readonly hdr: Required<TaskHeader>;
  /** CKPT_HDR_STRING payload, TASK_COMM_LEN bytes */
  readonly comm: string;
}

export type CheckpointResult = { readonly image: TaskImage } | { readonly bug: string };

/**
 * t->comm as set_task_comm leaves it: strlcpy into a TASK_COMM_LEN buffer, so
 * at most TASK_COMM_LEN - 1 bytes and a NUL. The bytes after the NUL are zeros
 * here (the kernel keeps whatever was there; restore never reads past the NUL).
 */
export function comm_buffer(name: string): string {
  for (let k = 0; k < name.length; k++) {
    if (name.charCodeAt(k) > 0xff) throw new RangeError(`comm: expected bytes (char codes 0-255), got U+${name.charCodeAt(k).toString(16)}`);
  }
  return (name.slice(0, TASK_COMM_LEN - 1) + EMPTY_COMM).slice(0, TASK_COMM_LEN);
}

/**
 * checkpoint_task_struct (SEED process.c): state, exit_state and exit_code
 * always; a zombie (exit_state != 0, which must be EXIT_ZOMBIE: BUG_ON) stops
 * there, a live task also saves exit_signal, pdeath_signal and the tids; then
 * ckpt_write_string(ctx, t->comm, TASK_COMM_LEN). Ints are stored as __u32.
 */
export function checkpoint_task_struct(t: TaskStruct): CheckpointResult {
  const base = { state: t.state >>> 0, exit_state: t.exit_state >>> 0, exit_code: t.exit_code >>> 0 };
  let hdr: Required<TaskHeader>;
  if (t.exit_state) {
    // zombie - skip remaining state
    if (t.exit_state !== EXIT_ZOMBIE) return { bug: 'BUG_ON(t->exit_state != EXIT_ZOMBIE)' };
    hdr = { ...base, exit_signal: 0, pdeath_signal: 0, set_child_tid: 0n, clear_child_tid: 0n };
  } else {
    hdr = {
      ...base,
      exit_signal: t.exit_signal >>> 0,
      pdeath_signal: t.pdeath_signal >>> 0,
      set_child_tid: BigInt.asUintN(64, t.set_child_tid),
      clear_child_tid: BigInt.asUintN(64, t.clear_child_tid),
    };
  }
  return { image: { hdr, comm: comm_buffer(t.comm) } };
}
