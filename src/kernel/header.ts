/**
 * Header validation on the restore side (SEED, checkpoint/process.c), as pure
 * functions over the image's `ckpt_hdr_task` and the comm string record that
 * follows it. Header fields are __u32 (the tids __u64): they are stored here as
 * unsigned numbers (bigints for the tids) and converted where the C code converts.
 */
import type { Scenario } from './scenario.ts';
import { EINVAL, EXIT_ZOMBIE, TASK_DEAD } from './state.ts';

export const _NSIG = 64;
/** sizeof(t->comm), and the length of the comm string record */
export const TASK_COMM_LEN = 16;

/** struct ckpt_hdr_task (the fields the restart protocol reads), every field a __u32 */
export interface TaskHeader {
  readonly state: number;
  readonly exit_state: number;
  readonly exit_code: number;
  readonly exit_signal: number;
  readonly pdeath_signal: number;
  /** __u64; absent is 0 */
  readonly set_child_tid?: bigint;
  readonly clear_child_tid?: bigint;
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

/**
 * The payload of a CKPT_HDR_STRING record, one character per byte (char codes
 * 0–255). An image without a comm record of its own gets this one: TASK_COMM_LEN
 * zero bytes, an empty name.
 */
export const EMPTY_COMM = '\0'.repeat(TASK_COMM_LEN);

/**
 * _ckpt_read_string(ctx, t->comm, TASK_COMM_LEN) (v18 restart.c): the record must
 * be exactly `len` bytes (_ckpt_read_obj: "if len specified, enforce"), else
 * -EINVAL; the last byte is then forced to NUL ("always play it safe"), so the
 * name read is at most len - 1 bytes, cut at the first NUL.
 */
export function _ckpt_read_string(payload: string, len: number): { ret: number; str?: string } {
  if (payload.length !== len) return { ret: EINVAL };
  const buf = payload.slice(0, len - 1);
  const nul = buf.indexOf('\0');
  return { ret: 0, str: nul < 0 ? buf : buf.slice(0, nul) };
}

export interface RestoredTaskStruct {
  /** -EINVAL (or the comm read's error), 0 (live) or 1 (zombie) */
  readonly ret: number;
  /** zombie branch: t->exit_code */
  readonly exit_code?: number;
  /** live branch: t->exit_signal, t->pdeath_signal (ints) and the tids */
  readonly exit_signal?: number;
  readonly pdeath_signal?: number;
  readonly set_child_tid?: bigint;
  readonly clear_child_tid?: bigint;
  /** t->comm as a C string, on success */
  readonly comm?: string;
}

/**
 * restore_task_struct (SEED process.c) for a task that mktree made a thread-group
 * leader or not. The zombie branch restores only exit_code; the live branch
 * requires exit_code 0 and valid signals. Both then read the comm record.
 * Returns 1 for a zombie, 0 for a live task, or a negative errno.
 */
export function restore_task_struct(h: TaskHeader, thread_group_leader: boolean, comm: string = EMPTY_COMM): RestoredTaskStruct {
  let fields: Omit<RestoredTaskStruct, 'ret' | 'comm'>;
  const zombie = h.state >>> 0 === TASK_DEAD;
  if (zombie) {
    if (h.exit_state >>> 0 !== EXIT_ZOMBIE) return { ret: EINVAL };
    if (!valid_exit_code(h.exit_code)) return { ret: EINVAL };
    fields = { exit_code: h.exit_code | 0 };
  } else {
    if (h.exit_code >>> 0 !== 0) return { ret: EINVAL };
    if (thread_group_leader && !valid_signal(h.exit_signal)) return { ret: EINVAL };
    if (!thread_group_leader && h.exit_signal >>> 0 !== 0xffffffff) return { ret: EINVAL };
    if (!valid_signal(h.pdeath_signal)) return { ret: EINVAL };
    fields = {
      exit_signal: h.exit_signal | 0,
      pdeath_signal: h.pdeath_signal >>> 0,
      set_child_tid: h.set_child_tid ?? 0n,
      clear_child_tid: h.clear_child_tid ?? 0n,
    };
  }
  const read = _ckpt_read_string(comm, TASK_COMM_LEN);
  if (read.ret < 0) return { ret: read.ret };
  return { ret: zombie ? 1 : 0, ...fields, comm: read.str! };
}

/** True when some header would fail validation at restore (an injected fault of the image); ghosts restore nothing. */
export function hasInvalidHeader(s: Scenario): boolean {
  return s.tasks.some((t) => t.kind !== 'ghost' && restore_task_struct(t.header, t.leader).ret < 0);
}
