/**
 * The properties of spec §4 as named checks over any restart variant's state.
 * A step check sees (prev, action, next); an end check sees a state where
 * nothing is enabled. The engine evaluates them; it knows nothing of their meaning.
 */
import type { Property } from '../src/engine/types.ts';
import { checkRoles, DONE, GONE, type RestartAction, type RestartModel, type Role } from '../src/kernel/model.ts';
import { errnoText } from '../src/kernel/errno.ts';
import { COORDINATOR, type RestartState } from '../src/kernel/state.ts';

export type RestartProperty = Property<RestartState, RestartAction>;

const pid = (m: RestartModel, i: number): number => m.env.vpids[i]!;

/**
 * The step roles (src/kernel/model.ts Role) each property reads, never a
 * label's spelling. Checked when the properties are built for a model: a role
 * no step has (and the variant does not declare it lacks) is a model error,
 * exit 4, as a jump to a missing label is; the property would otherwise check
 * nothing and hold.
 */
export const PROPERTY_ROLES: Readonly<Record<string, readonly Role[]>> = {
  // a live task's restore_activate_next after restore_task (v18's T8a1, T8a2): "all normal tasks
  // completed their restart" (spec §4 P1, amended) needs each live task past it
  P1: ['activating'],
  P4: ['inRestore'],
  // do_restore_task between PF_RESTARTING := 1 and := 0 (v18's T5–T12); a zombie's exit path
  P10: ['pfSection', 'exitPath'],
  // entering the exit path from outside it: a task killed (do_restart's SIGKILL -> do_exit)
  P11: ['exitPath'],
};

export function restartProperties(m: RestartModel): RestartProperty[] {
  checkRoles(m, Object.values(PROPERTY_ROLES).flat());
  const has = (role: Role): ((pc: string) => boolean) => {
    const list = m.labelsWith(role);
    // a label or two (inRestore, activating): compared, cheaper than a set's lookup on every step
    const [a, b] = list;
    if (list.length === 1) return (pc) => pc === a;
    if (list.length === 2) return (pc) => pc === a || pc === b;
    const labels = new Set(list);
    return (pc) => labels.has(pc);
  };
  const activatingPcs = m.labelsWith('activating');
  const isActivating = has('activating');
  const restorePcs = m.labelsWith('inRestore');
  const inRestore = has('inRestore');
  const inPfSection = has('pfSection');
  const onExitPath = has('exitPath');
  const unfinished = (s: RestartState): string[] => {
    const who: string[] = [];
    if (!m.finished(s, COORDINATOR)) who.push(`coordinator at ${s.coord.pc}`);
    s.tasks.forEach((t, i) => {
      if (!m.finished(s, i + 1)) who.push(`task ${pid(m, i)} at ${t.pc}`);
    });
    return who;
  };
  const woke = (prev: RestartState, next: RestartState): boolean =>
    next.coord.waits > prev.coord.waits && !next.ctx.error;

  // What each step check reads besides the transition's own footprint, named as
  // src/kernel/footprint.ts names objects (for partial-order reduction). A check
  // of the acting task's own fields observes nothing more: only its own steps
  // change them, and the check runs at each of them.
  const ownPc = (a: RestartAction, s: RestartState): string | undefined =>
    a.actor === COORDINATOR ? s.coord.pc : a.actor <= s.tasks.length ? s.tasks[a.actor - 1]!.pc : undefined;
  /**
   * P1, P2: a wake (the coordinator's own step) reads ERROR and, without it,
   * the objects `names` (the field of the tasks the property speaks of)
   */
  const atWake = (names: readonly string[]) => (prev: RestartState, _a: RestartAction, next: RestartState): string[] =>
    next.coord.waits === prev.coord.waits ? [] : next.ctx.error ? ['ctx.error'] : ['ctx.error', ...names];
  const pidsLive = m.env.tasks.flatMap((t, i) => (i < m.env.nrPids && t.kind === 'live' ? [i] : []));
  const zombies = m.env.tasks.flatMap((t, i) => (t.kind === 'zombie' ? [i] : []));
  const nothing = (): string[] => [];
  const setsError = (prev: RestartState, next: RestartState): boolean => !prev.ctx.error && next.ctx.error;
  /**
   * The task a step kills, or -1: do_restart's SIGKILL for a failed restore
   * sends it into do_exit (X1) with ret < 0. A zombie entering do_exit with
   * ret >= 0 is its restore, not a kill.
   */
  const killedAt = (prev: RestartState, a: RestartAction, next: RestartState): number => {
    if (a.actor === COORDINATOR || a.fault !== undefined || a.actor > next.tasks.length) return -1;
    const i = a.actor - 1;
    const t = next.tasks[i]!;
    return onExitPath(t.pc) && !onExitPath(prev.tasks[i]!.pc) && t.ret < 0 && t.restored ? i : -1;
  };

  return [
    {
      id: 'P1',
      title: 'when the coordinator wakes without ERROR, every live task has restored and its restore_activate_next has returned',
      // "inside restore_activate_next", as footprint.ts names a test of a value: a step entering or leaving an `activating` label writes it
      observes: atWake(pidsLive.flatMap((i) => [`tasks[${i}].restored`, ...activatingPcs.map((pc) => `tasks[${i}].pc@${pc}`)])),
      onStep(prev, _a, next) {
        if (!woke(prev, next)) return null;
        // the tasks of pids_arr: a ghost or an extra task never restores
        const unrestored = pidsLive.flatMap((i) => (next.tasks[i]!.restored ? [] : [pid(m, i)]));
        if (unrestored.length) return `coordinator woke while live task ${unrestored.join(', ')} had not finished restore_task`;
        const activating = pidsLive.flatMap((i) => (isActivating(next.tasks[i]!.pc) ? [`${pid(m, i)} (at ${next.tasks[i]!.pc})`] : []));
        return activating.length ? `coordinator woke while live task ${activating.join(', ')} was still inside restore_activate_next` : null;
      },
    },
    {
      id: 'P2',
      title: 'when the coordinator wakes without ERROR, every zombie has passed exit_notify',
      // "has it not passed exit_notify", as footprint.ts names a test of a value
      observes: atWake(zombies.map((i) => `tasks[${i}].exitState@0`)),
      onStep(prev, _a, next) {
        if (!woke(prev, next)) return null;
        const missing = zombies.flatMap((i) => (next.tasks[i]!.exitState === 0 ? [pid(m, i)] : []));
        return missing.length ? `coordinator woke while zombie ${missing.join(', ')} had not passed exit_notify` : null;
      },
    },
    {
      id: 'P3',
      title: 'activation follows pids order, each entry once, active_pid <= nr_pids',
      observes: nothing, // only a step that writes active_pid can fail it
      onStep(prev, a, next) {
        const from = prev.ctx.activePid;
        const to = next.ctx.activePid;
        if (to === from) return null;
        if (to !== from + 1) return `active_pid went from ${from} to ${to}`;
        if (to > m.env.nrPids) return `active_pid ${to} > nr_pids ${m.env.nrPids}: activation past the end`;
        const holder = from < 0 ? COORDINATOR : from + 1;
        if (a.actor !== holder) {
          const who = from < 0 ? 'the coordinator' : `task ${pid(m, from)}`;
          return `${m.actors[a.actor]} activated the next entry while ${who} held the token`;
        }
        return null;
      },
      onEnd(s) {
        if (s.coord.pc === DONE && s.coord.ret === 0 && s.ctx.activePid !== m.env.nrPids) {
          return `restart succeeded with active_pid ${s.ctx.activePid} of ${m.env.nrPids}`;
        }
        return null;
      },
    },
    {
      id: 'P4',
      title: 'at most one task is inside restore_task',
      // only a task entering restore_task can fail it: it reads whether the others are inside
      observes: (prev, a, next) => {
        const to = ownPc(a, next);
        const from = ownPc(a, prev);
        return to !== undefined && inRestore(to) && !(from !== undefined && inRestore(from))
          ? m.env.tasks.flatMap((_t, i) => restorePcs.map((pc) => `tasks[${i}].pc@${pc}`))
          : [];
      },
      onStep(_p, _a, next) {
        let n = 0;
        for (const t of next.tasks) if (inRestore(t.pc)) n++;
        if (n < 2) return null; // on every step: no list built for the common case
        const inside = next.tasks.flatMap((t, i) => (inRestore(t.pc) ? [pid(m, i)] : []));
        return `tasks ${inside.join(' and ')} are inside restore_task together`;
      },
    },
    {
      id: 'P5',
      title: 'ckpt_ctx refcount never below 0, no use after free, freed exactly once at the end',
      observes: nothing, // only a step that sets the oops can fail it
      onStep(prev, _a, next) {
        return !prev.oops && next.oops?.property === 'P5' ? next.oops.what : null;
      },
      onEnd(s) {
        if (unfinished(s).length) return null; // a deadlock is P9's
        if (s.oops) return null;
        if (s.ctx.refcount !== 0 || !s.ctx.freed) return `every actor finished but ckpt_ctx refcount is ${s.ctx.refcount} (leak)`;
        return null;
      },
    },
    {
      id: 'P6',
      title: 'no BUG_ON fires',
      observes: nothing,
      onStep(prev, _a, next) {
        return !prev.oops && next.oops?.property === 'P6' ? next.oops.what : null;
      },
    },
    {
      id: 'P7',
      title: 'no task returns success before SUCCESS is set, nor after an ERROR set before SUCCESS',
      observes: (prev, a, next) => (a.actor !== COORDINATOR && ownPc(a, next) === DONE && ownPc(a, prev) !== DONE ? ['ctx.success', 'ctx.error'] : []),
      onStep(prev, a, next) {
        if (a.actor === COORDINATOR || a.actor > next.tasks.length) return null;
        const i = a.actor - 1;
        if (prev.tasks[i]!.pc === DONE || next.tasks[i]!.pc !== DONE) return null;
        if (next.tasks[i]!.ret < 0) return null;
        // Every variant's C7 sets SUCCESS only when ERROR is not set, so with both
        // set, ERROR came after SUCCESS: the task returned on a success that was
        // reported, and the step that set ERROR late is at fault. P11 reports that
        // step; blaming the returning task would point at the wrong actor.
        if (next.ctx.success) return null;
        const r = next.tasks[i]!.ret;
        return next.ctx.error
          ? `task ${pid(m, i)} returned ${r} to user space after ERROR, and SUCCESS was never set`
          : `task ${pid(m, i)} returned ${r} to user space before SUCCESS was set`;
      },
    },
    {
      id: 'P8',
      title: 'with no fault injected, the restart succeeds (the coordinator returns 0)',
      observes: (prev, a, next) => (a.actor === COORDINATOR && next.coord.pc === DONE && prev.coord.pc !== DONE ? next.fired.map((_f, k) => `fired[${k}]`) : []),
      onStep(prev, _a, next) {
        if (prev.coord.pc === DONE || next.coord.pc !== DONE) return null;
        if (next.coord.ret === 0 || m.injected(next)) return null;
        return `no fault was injected, yet the coordinator returned ${errnoText(next.coord.ret)}; first error ${errnoText(next.ctx.errno)}`;
      },
    },
    {
      id: 'P9',
      title: 'every run ends: no deadlock, no run that goes on for ever',
      coversNonTermination: true,
      onEnd(s) {
        if (s.oops) return null; // the run ended at an oops: P5's or P6's
        const who = unfinished(s);
        return who.length ? `deadlock: nothing can move, yet ${who.join('; ')}` : null;
      },
    },
    {
      id: 'P10',
      title: 'PF_RESTARTING is set from T4 until the task returns (for ever on a zombie)',
      observes: nothing, // each task's own fields, changed only by its own steps
      onStep(_p, _a, next) {
        for (let i = 0; i < next.tasks.length; i++) {
          const t = next.tasks[i]!;
          if (t.pf) continue; // the flag set: nothing to look up
          // a zombie whose restart failed after restore_task (v18-final: its activation) takes the out path, which clears the flag
          const inSection = inPfSection(t.pc) || (t.zombie && t.ret >= 0 && (onExitPath(t.pc) || t.pc === GONE));
          if (inSection) return `task ${pid(m, i)} at ${t.pc} without PF_RESTARTING`;
        }
        return null;
      },
    },
    {
      id: 'P11',
      title: 'after the coordinator has returned 0, no step sets ERROR and no restored task is killed',
      // the step's own footprint covers ERROR and the task; the verdict also reads whether the coordinator returned 0
      observes: (prev, a, next) => (setsError(prev, next) || killedAt(prev, a, next) >= 0 ? ['coord.pc@done', 'coord.ret'] : []),
      onStep(prev, a, next) {
        if (prev.coord.pc !== DONE || prev.coord.ret !== 0) return null;
        const who = `${m.actors[a.actor]} at ${a.label}`;
        if (setsError(prev, next)) return `${who} set ERROR after the coordinator had returned 0`;
        const i = killedAt(prev, a, next);
        return i >= 0 ? `task ${pid(m, i)} had restored, yet was killed (${errnoText(next.tasks[i]!.ret)}) after the coordinator had returned 0` : null;
      },
    },
  ];
}

/** Selects properties by id (`P1`, `P1-P4`, `P1,P2`). Throws on an unknown id. */
export function selectProperties(all: RestartProperty[], spec: string | undefined): RestartProperty[] {
  if (!spec) return all;
  const ids = new Set<string>();
  for (const part of spec.split(',').map((x) => x.trim())) {
    const range = /^P(\d+)\s*[-–]\s*P(\d+)$/.exec(part);
    if (range) {
      // a reversed range selects nothing: refused, since checking nothing would read as a pass
      if (Number(range[1]) > Number(range[2])) throw new RangeError(`--properties: '${part}' is a reversed range (expected P${range[2]}-P${range[1]})`);
      for (let k = Number(range[1]); k <= Number(range[2]); k++) ids.add(`P${k}`);
    } else ids.add(part);
  }
  for (const id of ids) {
    if (!all.some((p) => p.id === id)) throw new RangeError(`--properties: unknown property '${id}' (expected P1 to P11)`);
  }
  return all.filter((p) => ids.has(p.id));
}
