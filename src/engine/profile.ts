/**
 * Delay profiles: a distribution (µs) per timing class, read from JSON
 * (validated with zod: a bad file names the field, the value and what was
 * expected) or from a measured histogram: the text output of bcc's `runqlat`
 * (power-of-two buckets) or schbench's percentile lines. The class names are
 * the model's; this module knows none of them.
 */
import { fieldPath, showValue, valueAt } from './json-input.ts';
import { z } from 'zod';
import type { Distribution } from './distributions.ts';

export interface Profile {
  readonly name: string;
  /** where the numbers come from */
  readonly source?: string;
  /** a distribution per timing class; `default` times a class the profile does not name */
  readonly classes: Readonly<Record<string, Distribution>>;
  /** a factor per class (a sweep moves one of these) */
  readonly scales?: Readonly<Record<string, number>>;
}

/** A profile that cannot be read: the CLI prints the message and exits 2. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

const pos = z.number().finite().positive();
const nonneg = z.number().finite().min(0);

export const distributionSchema: z.ZodType<Distribution> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('constant'), value: nonneg }).strict(),
    z
      .object({ type: z.literal('uniform'), min: nonneg, max: nonneg })
      .strict()
      .refine((d) => d.max >= d.min, { message: 'expected max ≥ min', path: ['max'] }),
    z.object({ type: z.literal('exponential'), mean: pos }).strict(),
    z.object({ type: z.literal('lognormal'), median: pos, sigma: nonneg }).strict(),
    z.object({ type: z.literal('mixture'), parts: z.array(z.object({ weight: pos, dist: distributionSchema }).strict()).min(1) }).strict(),
    z
      .object({
        type: z.literal('histogram'),
        buckets: z.array(z.object({ lo: nonneg, hi: nonneg, count: nonneg }).strict()).min(1),
      })
      .strict()
      .refine((d) => d.buckets.every((b) => b.hi >= b.lo), { message: 'expected every bucket to have hi ≥ lo', path: ['buckets'] })
      .refine((d) => d.buckets.some((b) => b.count > 0), { message: 'expected some bucket with a count above 0', path: ['buckets'] }),
    z
      .object({ type: z.literal('quantiles'), points: z.array(z.object({ p: z.number().min(0).max(1), value: nonneg }).strict()).min(2) })
      .strict()
      .refine((d) => d.points.every((q, i) => i === 0 || (q.p > d.points[i - 1]!.p && q.value >= d.points[i - 1]!.value)), {
        message: 'expected points in increasing p, with values not decreasing',
        path: ['points'],
      }),
    z.object({ type: z.literal('at'), time: nonneg }).strict(),
  ]),
);

const profileSchema = z
  .object({
    name: z.string().optional(),
    source: z.string().optional(),
    /** a preset whose classes this file completes */
    base: z.string().optional(),
    classes: z.record(z.string(), distributionSchema),
    scales: z.record(z.string(), pos).optional(),
  })
  .strict();

export type ProfileInput = z.output<typeof profileSchema>;

/** Validates a profile object; `source` names it in errors. */
export function parseProfile(input: unknown, source = 'profile'): ProfileInput {
  const parsed = profileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path as PropertyKey[];
  throw new ProfileError(`${source}: ${fieldPath(path, 'profile')}: ${issue.message} (got ${showValue(valueAt(input, path))})`);
}

/**
 * bcc `runqlat` output: lines `lo -> hi : count |***|` under a `usecs` or
 * `msecs` header; a bucket holds [lo, hi + 1) of that unit.
 */
export function parseRunqlat(text: string, source = 'runqlat'): Distribution {
  let unit = 1;
  const buckets: { lo: number; hi: number; count: number }[] = [];
  text.split('\n').forEach((line, n) => {
    if (/^\s*msecs\b/.test(line)) unit = 1000;
    else if (/^\s*usecs\b/.test(line)) unit = 1;
    const m = /^\s*(\d+)\s*->\s*(\d+)\s*:\s*(\d+)/.exec(line);
    if (!m) return;
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (hi < lo) throw new ProfileError(`${source}: line ${n + 1}: expected 'lo -> hi : count' with hi ≥ lo (got '${line.trim()}')`);
    buckets.push({ lo: lo * unit, hi: (hi + 1) * unit, count: Number(m[3]) });
  });
  if (buckets.length === 0) throw new ProfileError(`${source}: expected runqlat lines 'lo -> hi : count' (found none)`);
  if (!buckets.some((b) => b.count > 0)) throw new ProfileError(`${source}: expected some bucket with a count above 0 (all are 0)`);
  return { type: 'histogram', buckets };
}

/**
 * schbench's wake-up latency percentiles: `50.0th: 7`, `* 99.0th: 175`, and
 * `min=0, max=10224`. Only the first section (wake-up latencies) is read.
 */
export function parseSchbench(text: string, source = 'schbench'): Distribution {
  const points: { p: number; value: number }[] = [];
  let min: number | undefined;
  let max: number | undefined;
  let sections = 0;
  for (const line of text.split('\n')) {
    if (/percentiles/i.test(line)) {
      sections++;
      if (sections > 1) break;
      continue;
    }
    const m = /^\s*\*?\s*([\d.]+)th:\s*(\d+(?:\.\d+)?)/.exec(line);
    if (m) points.push({ p: Math.round(Number(m[1]) * 1e6) / 1e8, value: Number(m[2]) });
    const mm = /min=(\d+(?:\.\d+)?),\s*max=(\d+(?:\.\d+)?)/.exec(line);
    if (mm) {
      min = Number(mm[1]);
      max = Number(mm[2]);
    }
  }
  if (points.length === 0) throw new ProfileError(`${source}: expected schbench percentile lines such as '50.0th: 7' (found none)`);
  points.sort((a, b) => a.p - b.p);
  const all = [...(min !== undefined ? [{ p: 0, value: min }] : []), ...points, ...(max !== undefined ? [{ p: 1, value: max }] : [])];
  if (all.length < 2) throw new ProfileError(`${source}: expected at least two percentiles, or one with min= and max= (found ${all.length})`);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.value < all[i - 1]!.value || all[i]!.p <= all[i - 1]!.p) {
      throw new ProfileError(`${source}: expected percentiles that do not decrease (p${all[i]!.p * 100} is ${all[i]!.value} µs after ${all[i - 1]!.value})`);
    }
  }
  return { type: 'quantiles', points: all };
}

/** Which reader a text is for: JSON, runqlat or schbench; null when none fits. */
export function sniff(text: string): 'json' | 'runqlat' | 'schbench' | null {
  const t = text.trimStart();
  if (t.startsWith('{')) return 'json';
  if (/^\s*\d+\s*->\s*\d+\s*:\s*\d+/m.test(text)) return 'runqlat';
  if (/^\s*\*?\s*[\d.]+th:\s*\d+/m.test(text)) return 'schbench';
  return null;
}
