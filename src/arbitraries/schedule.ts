/**
 * Schedules as fast-check values: a list of naturals, each read modulo the
 * number of enabled actions, so every list, and so every shrunk list, is a
 * valid schedule. A list that ends before the run does is completed with
 * choice 0 up to a bound, so that every run reaches its end state and the end
 * properties (P5's leak, P9's deadlock, P3's end check) are checked too.
 * The run along such a list is src/engine/schedule.ts's `runSchedule`.
 */
import fc from 'fast-check';

export interface ScheduleArbOptions {
  /** the longest list (default 200; a longer run is completed with choice 0) */
  readonly maxLength?: number;
  /** the largest choice before the modulo (default 1023) */
  readonly maxChoice?: number;
}

/**
 * Lists of choices, lengths spread over the whole range (fast-check's default
 * `size` would keep lists under ten), shrinking to shorter lists of smaller choices.
 *
 * @example
 * fc.sample(scheduleArb({ maxLength: 5 }), 2); // e.g. [[3, 0, 912], [17]]
 */
export function scheduleArb(options: ScheduleArbOptions = {}): fc.Arbitrary<number[]> {
  const maxLength = options.maxLength ?? 200;
  const maxChoice = options.maxChoice ?? 1023;
  return fc.array(fc.nat({ max: maxChoice }), { maxLength, size: 'max' });
}

