import type { Draft } from 'immer';
import { counterAdd } from './footprint.ts';
import type { RestartState } from './state.ts';

type S = Draft<RestartState>;

function oops(s: S, property: 'P5' | 'P6', what: string): void {
  s.oops ??= { property, what };
}

/** Any use of the ctx; a use after the last put is a violation (P5). */
export function ctx_use(s: S, where: string): S['ctx'] {
  if (s.ctx.freed) oops(s, 'P5', `use after free of ckpt_ctx at ${where}`);
  return s.ctx;
}

/** ckpt_ctx_get: atomic_inc(&ctx->refcount); an `inc` of the footprint (two gets commute). */
export function ckpt_ctx_get(s: S, where: string): void {
  counterAdd(ctx_use(s, where), 'refcount', 1);
}

/**
 * ckpt_ctx_put: the put that reaches 0 frees the ctx (ckpt_ctx_free). A `dec`
 * of the footprint: two puts commute; the one that frees also writes `freed`.
 */
export function ckpt_ctx_put(s: S, where: string): void {
  const ctx = ctx_use(s, where);
  const before = counterAdd(ctx, 'refcount', -1);
  if (before <= 0) {
    oops(s, 'P5', `ckpt_ctx_put below zero at ${where}`);
    return;
  }
  if (before === 1) ctx.freed = true;
}

/** BUG_ON(cond). */
export function BUG_ON(s: S, cond: boolean, what: string): void {
  if (cond) oops(s, 'P6', `BUG_ON(${what})`);
}
