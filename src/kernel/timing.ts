/**
 * How long the restart's steps take: each step of every variant gets a timing
 * class by its label, so a new variant is timed without editing it, and the
 * named delay profiles give each class a distribution (µs). Sources and the
 * assumptions behind each number: docs/timing.md.
 *
 * Classes:
 * - `wakeup`: the `:sleep` step of a 3-step wait (src/kernel/wait.ts), enabled
 *   once a waker set the task RUNNING: the woken task's first step, whose
 *   delay is the scheduling latency (schbench, runqlat, cyclictest).
 * - `restore`: T6b and T6e, restore_task's own work (spec T6b/T6e), times the
 *   task's `imageSize` in the scenario (default 1).
 * - `exit`: X1…X3, the do_exit path (spec X*).
 * - `fault`: a fault's arrival (a signal, restore_task failing).
 * - `cpu`: every other step, straight-line kernel code.
 */
import type { Distribution } from '../engine/distributions.ts';
import type { Profile } from '../engine/profile.ts';
import type { Mark } from '../engine/timed.ts';
import type { TimeClass } from '../engine/types.ts';
import type { Env, RestartAction } from './model.ts';
import type { RestartState } from './state.ts';

export const TIME_CLASSES = ['cpu', 'wakeup', 'restore', 'exit', 'fault'] as const;
export type RestartTimeClass = (typeof TIME_CLASSES)[number];

const RESTORE = /^T6[be]$/;
const EXIT = /^X/;

/** The timing class of each action of a restart model on `env`. */
export function restartTimeClass(env: Env): (a: RestartAction) => TimeClass {
  const classes = new Map<RestartTimeClass, TimeClass>(TIME_CLASSES.map((c) => [c, { name: c }]));
  const restoreOf = env.tasks.map((t) => ({ name: 'restore', scale: t.imageSize ?? 1 }));
  return (a) => {
    if (a.fault !== undefined) return classes.get('fault')!;
    if (a.label.endsWith(':sleep')) return classes.get('wakeup')!;
    if (EXIT.test(a.label)) return classes.get('exit')!;
    if (RESTORE.test(a.label) && a.actor >= 1) return restoreOf[a.actor - 1]!;
    return classes.get('cpu')!;
  };
}

/** What a timed restart measures besides its end: the coordinator's wake-up from C5w. */
export const restartMarks: readonly Mark<RestartState, RestartAction>[] = [
  { name: 'coordinator wake-up', at: (prev, _a, next) => next.coord.waits > prev.coord.waits },
];

// ---- presets (numbers and sources in docs/timing.md) ----

/** straight-line kernel code: a few hundred instructions (assumption; a pipe round trip is 2.8 µs) */
const cpu: Distribution = { type: 'uniform', min: 0.2, max: 1 };
/** the do_exit path of a zombie: exit_notify, release of its mm and files (assumption) */
const exit: Distribution = { type: 'lognormal', median: 5, sigma: 0.5 };
/** restore_task per unit of image, per step (T6b and T6e each): about 100 µs a task (assumption) */
const restore: Distribution = { type: 'lognormal', median: 50, sigma: 0.5 };
/** a fault arrives at a rate: one every 500 µs on average once it can (assumption; sweep `fault`) */
const fault: Distribution = { type: 'exponential', mean: 500 };

/** bcc tools/runqlat_example.txt, idle system (µs buckets) */
const runqlatIdle: Distribution = {
  type: 'histogram',
  buckets: [
    { lo: 0, hi: 2, count: 2250 },
    { lo: 2, hi: 4, count: 2340 },
    { lo: 4, hi: 8, count: 2746 },
    { lo: 8, hi: 16, count: 418 },
    { lo: 16, hi: 32, count: 93 },
    { lo: 4096, hi: 8192, count: 2 },
  ],
};

/** schbench README, all CPUs loaded, 90 s: p50 7, p90 20, p99 272, p99.9 1266, max 10481 µs (min 1: assumption) */
const schbenchLoaded: Distribution = {
  type: 'quantiles',
  points: [
    { p: 0, value: 1 },
    { p: 0.5, value: 7 },
    { p: 0.9, value: 20 },
    { p: 0.99, value: 272 },
    { p: 0.999, value: 1266 },
    { p: 1, value: 10481 },
  ],
};

/** bcc tools/runqlat_example.txt, 16 CPU-bound threads: bimodal, second mode 16–32 ms */
const runqlatSaturated: Distribution = {
  type: 'histogram',
  buckets: [
    { lo: 0, hi: 2, count: 233 },
    { lo: 2, hi: 4, count: 742 },
    { lo: 4, hi: 8, count: 203 },
    { lo: 8, hi: 16, count: 173 },
    { lo: 16384, hi: 32768, count: 809 },
    { lo: 32768, hi: 65536, count: 64 },
  ],
};

/** cyclictest on PREEMPT_RT 6.6: min 1, avg 2, max 14 µs (p99 4: assumption, to keep the mean near 2) */
const cyclictestRt: Distribution = {
  type: 'quantiles',
  points: [
    { p: 0, value: 1 },
    { p: 0.5, value: 2 },
    { p: 0.99, value: 4 },
    { p: 1, value: 14 },
  ],
};

const preset = (name: string, source: string, wakeup: Distribution): Profile => ({
  name,
  source,
  classes: { cpu, wakeup, restore, exit, fault },
});

export const PRESETS: Readonly<Record<string, Profile>> = {
  idle: preset('idle', 'wake-up: bcc runqlat, idle system (iovisor/bcc tools/runqlat_example.txt)', runqlatIdle),
  loaded: preset('loaded', 'wake-up: schbench, all CPUs loaded, 90 s (masoncl/schbench README)', schbenchLoaded),
  saturated: preset('saturated', 'wake-up: bcc runqlat, 16 CPU-bound threads (iovisor/bcc tools/runqlat_example.txt)', runqlatSaturated),
  rt: preset('rt', 'wake-up: cyclictest, PREEMPT_RT 6.6.73-rt47, SCHED_FIFO 95 (fluxsand.github.io)', cyclictestRt),
};

/** A profile that names only some classes is completed by `base` (a preset; default `loaded`). */
export function completeProfile(p: { name?: string; source?: string; base?: string; classes: Readonly<Record<string, Distribution>>; scales?: Readonly<Record<string, number>> }, fallbackName: string): Profile {
  const base = PRESETS[p.base ?? 'loaded'];
  if (!base) throw new Error(`internal: unknown base preset '${p.base}'`);
  return {
    name: p.name ?? fallbackName,
    ...(p.source ? { source: p.source } : base.source ? { source: `${base.source}, completed by ${fallbackName}` } : {}),
    classes: { ...base.classes, ...p.classes },
    ...(p.scales ? { scales: p.scales } : {}),
  };
}
