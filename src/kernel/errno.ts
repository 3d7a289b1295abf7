import { EAGAIN, EBUSY, EINTR, EINVAL, EIO, ERESTARTSYS, ESRCH } from './state.ts';

const NAMES: Readonly<Record<number, string>> = {
  [EINTR]: 'EINTR',
  [EIO]: 'EIO',
  [EAGAIN]: 'EAGAIN',
  [ESRCH]: 'ESRCH',
  [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL',
  [ERESTARTSYS]: 'ERESTARTSYS',
};

/** `-3 (-ESRCH)`, for messages. */
export function errnoText(ret: number): string {
  const name = NAMES[ret];
  return name ? `${ret} (-${name})` : String(ret);
}
