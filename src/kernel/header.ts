/**
 * Header validation on the restore side (SEED, checkpoint/process.c), as pure
 * functions over the image's `ckpt_hdr_task`. Header fields are __u32: they are
 * stored here as unsigned 32-bit numbers and converted where the C code converts.
 */
import { EINVAL, EXIT_ZOMBIE, TASK_DEAD } from './state.ts';

export const _NSIG = 64;

/** struct ckpt_hdr_task (the fields the restart protocol reads), every field a __u32 */
export interface TaskHeader {
  readonly state: number;
  readonly exit_state: number;
  readonly exit_code: number;
  readonly exit_signal: number;
  readonly pdeath_signal: number;
}

/** valid_signal(unsigned long sig): sig <= _NSIG. A __u32 widens without sign. */
export function valid_signal(sig: number): boolean {
  return sig >>> 0 <= _NSIG;
}

/** valid_exit_code(int exit_code), SEED process.c: the __u32 field is read as an int. */
export function valid_exit_code(u32: number): boolean {
  const exit_code = u32 | 0;
  if (exit_code >= 0x10000) return false;
  if (exit_code & 0xff) {
    if (exit_code & ~0xff) return false;
    if (!valid_signal(exit_code & 0xff)) return false;
  }
  return true;
}

export interface RestoredTaskStruct {
  /** -EINVAL, 0 (live) or 1 (zombie) */
  readonly ret: number;
  readonly exit_code?: number;
  readonly exit_signal?: number;
  readonly pdeath_signal?: number;
}

/**
 * restore_task_struct (SEED process.c) for a task that mktree made a thread-group
 * leader or not. The zombie branch restores only exit_code; the live branch
 * requires exit_code 0 and valid signals.
 */
export function restore_task_struct(h: TaskHeader, thread_group_leader: boolean): RestoredTaskStruct {
  if (h.state >>> 0 === TASK_DEAD) {
    if (h.exit_state >>> 0 !== EXIT_ZOMBIE) return { ret: EINVAL };
    if (!valid_exit_code(h.exit_code)) return { ret: EINVAL };
    return { ret: 1, exit_code: h.exit_code | 0 };
  }
  if (h.exit_code >>> 0 !== 0) return { ret: EINVAL };
  if (thread_group_leader && !valid_signal(h.exit_signal)) return { ret: EINVAL };
  if (!thread_group_leader && h.exit_signal >>> 0 !== 0xffffffff) return { ret: EINVAL };
  if (!valid_signal(h.pdeath_signal)) return { ret: EINVAL };
  return { ret: 0, exit_signal: h.exit_signal | 0, pdeath_signal: h.pdeath_signal >>> 0 };
}
