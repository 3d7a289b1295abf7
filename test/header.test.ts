/**
 * Header validation and the checkpoint side (spec §5, reference §6), property-
 * tested on their own, then at the model level through T6.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { v18 } from '../models/v18.ts';
import type { Property } from '../src/engine/types.ts';
import { exploreSync } from '../src/engine/run.ts';
import {
  checkpoint_task_struct,
  comm_buffer,
  EPERM,
  may_checkpoint_task,
  type CheckpointCandidate,
  type TaskStruct,
} from '../src/kernel/checkpoint.ts';
import {
  _ckpt_read_string,
  EMPTY_COMM,
  restore_task_struct,
  TASK_COMM_LEN,
  valid_exit_code,
  type TaskHeader,
} from '../src/kernel/header.ts';
import { buildModel, DONE, type RestartAction, type RestartModel } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { EBUSY, EINVAL, EXIT_DEAD, EXIT_ZOMBIE, TASK_DEAD, type RestartState } from '../src/kernel/state.ts';

const RUNS = { numRuns: 2000, seed: 20090923 };

// ---- the acceptance predicate, written from the text of spec §5 / reference §6, in arithmetic rather than bit operations

/** a __u32 read as a C int */
const asInt = (u: number): number => (u >= 2 ** 31 ? u - 2 ** 32 : u);
/** "valid_signal(s) ⇔ (unsigned long)s ≤ 64" */
const signalOk = (u: number): boolean => u <= 64;
/** "NOT (c >= 0x10000) AND ((c & 0xff) == 0 OR ((c & ~0xff) == 0 AND valid_signal(c & 0xff)))", c an int */
function exitCodeOk(u: number): boolean {
  const low = u % 256;
  const above = u - low; // bits 8..31
  if (asInt(u) >= 65536) return false;
  return low === 0 || (above === 0 && signalOk(low));
}
function accepts(h: TaskHeader, leader: boolean): boolean {
  if (h.state === 64) return h.exit_state === 16 && exitCodeOk(h.exit_code);
  if (h.exit_code !== 0) return false;
  if (leader ? !signalOk(h.exit_signal) : h.exit_signal !== 2 ** 32 - 1) return false;
  return signalOk(h.pdeath_signal);
}

/** what a zombie's exit_code can really be: exit(n) is n << 8; killed by signal s is s, or s | 0x80 with a core dump */
const exitStatus = (u: number): boolean => u % 256 === 0 && u < 65536;
const killedBy = (u: number): boolean => u >= 1 && u <= 64;
const coreDumped = (u: number): boolean => u >= 0x81 && u <= 0x80 + 64;

// ---- arbitraries

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 16, 17, 32, 64, 65, 0x80, 0x8b, 0xff, 0x100, 0xff00, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffff00, 0xffffffff),
  fc.integer({ min: 0, max: 0x1ff }),
  fc.integer({ min: 0, max: 0xffffff }).map((x) => (x * 256) >>> 0),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const header: fc.Arbitrary<TaskHeader> = fc.record({
  state: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, TASK_DEAD), u32),
  exit_state: fc.oneof(fc.constantFrom(0, EXIT_ZOMBIE, EXIT_DEAD), u32),
  exit_code: u32,
  exit_signal: fc.oneof(fc.constantFrom(0, 17, 64, 65, 0xffffffff), u32),
  pdeath_signal: fc.oneof(fc.constantFrom(0, 9, 64, 65), u32),
});
const signal = fc.integer({ min: 0, max: 64 });
/** a name as a program sets it: bytes 1–255, any length (set_task_comm keeps 15) */
const name = fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 24 });
const tid = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
/** a wait status a zombie really has */
const zombieExitCode = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((n) => n << 8),
  fc.integer({ min: 1, max: 64 }),
);

const liveTask = fc.record({
  leader: fc.boolean(),
  state: fc.constantFrom(0, 1, 2, 4, 8), // running, (un)interruptible, stopped, traced: never TASK_DEAD
  exit_signal: signal,
  pdeath_signal: signal,
  set_child_tid: tid,
  clear_child_tid: tid,
  comm: name,
}).map(({ leader, ...t }) => ({ leader, task: { ...t, exit_state: 0, exit_code: 0, exit_signal: leader ? t.exit_signal : -1 } as TaskStruct }));

const zombieTask = fc.record({
  leader: fc.boolean(),
  exit_code: zombieExitCode,
  exit_signal: fc.integer({ min: -1, max: 64 }),
  pdeath_signal: signal,
  set_child_tid: tid,
  clear_child_tid: tid,
  comm: name,
}).map(({ leader, ...t }) => ({ leader, task: { ...t, state: TASK_DEAD, exit_state: EXIT_ZOMBIE } as TaskStruct }));

const candidate: fc.Arbitrary<CheckpointCandidate> = fc.record({
  exit_state: fc.constantFrom(0, EXIT_ZOMBIE, EXIT_DEAD),
  state: fc.constantFrom(0, 1, 2, 4, 8, TASK_DEAD),
  permitted: fc.boolean(),
  is_current: fc.boolean(),
  in_root_freezer: fc.boolean(),
  middle_checks: fc.constantFrom(0, EBUSY),
  root_init: fc.boolean(),
  is_root: fc.boolean(),
  shares_root_parent: fc.boolean(),
  in_root_thread_group: fc.boolean(),
});

/** the name a kernel task holds after set_task_comm: the first 15 bytes, cut at a NUL */
const kernelName = (n: string): string => n.slice(0, TASK_COMM_LEN - 1);

const imageOf = (t: TaskStruct) => {
  const r = checkpoint_task_struct(t);
  if (!('image' in r)) throw new Error(`checkpoint hit ${r.bug}`);
  return r.image;
};

describe('restore_task_struct accepts exactly the headers the predicates of §6 accept', () => {
  it('for every header and both thread_group_leader values', () => {
    fc.assert(
      fc.property(header, fc.boolean(), (h, leader) => {
        const r = restore_task_struct(h, leader);
        expect(r.ret < 0).toBe(!accepts(h, leader));
        if (r.ret >= 0) expect(r.ret).toBe(h.state === TASK_DEAD ? 1 : 0);
        else expect(r.ret).toBe(EINVAL);
      }),
      RUNS,
    );
  });

  it('the zombie branch restores exit_code only; the live branch exit_signal, pdeath_signal and the tids', () => {
    fc.assert(
      fc.property(header, fc.boolean(), tid, tid, (h, leader, set, clear) => {
        const r = restore_task_struct({ ...h, set_child_tid: set, clear_child_tid: clear }, leader);
        if (r.ret === 1) {
          expect(r).toEqual({ ret: 1, exit_code: asInt(h.exit_code), comm: '' });
        } else if (r.ret === 0) {
          expect(r).toEqual({
            ret: 0,
            exit_signal: asInt(h.exit_signal),
            pdeath_signal: h.pdeath_signal,
            set_child_tid: set,
            clear_child_tid: clear,
            comm: '',
          });
        }
      }),
      RUNS,
    );
  });

  it('the live branch does not look at exit_state', () => {
    expect(restore_task_struct({ state: 0, exit_state: EXIT_DEAD, exit_code: 0, exit_signal: 17, pdeath_signal: 0 }, true).ret).toBe(0);
  });
});

describe('the comm record: TASK_COMM_LEN bytes, read back as at most 15', () => {
  it('a record of the wrong length is -EINVAL, after a valid header too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => s.length !== TASK_COMM_LEN), (payload) => {
        expect(_ckpt_read_string(payload, TASK_COMM_LEN).ret).toBe(EINVAL);
        expect(restore_task_struct({ state: 0, exit_state: 0, exit_code: 0, exit_signal: 17, pdeath_signal: 0 }, true, payload).ret).toBe(EINVAL);
      }),
    );
  });
  it('the last byte is forced to NUL: 16 bytes of name read back as 15', () => {
    const r = restore_task_struct({ state: TASK_DEAD, exit_state: EXIT_ZOMBIE, exit_code: 0, exit_signal: 0, pdeath_signal: 0 }, true, 'abcdefghijklmnop');
    expect(r).toEqual({ ret: 1, exit_code: 0, comm: 'abcdefghijklmno' });
  });
  it('the name stops at the first NUL; bytes after it are ignored', () => {
    expect(_ckpt_read_string('init\0garbage\0\0\0\0', TASK_COMM_LEN)).toEqual({ ret: 0, str: 'init' });
    expect(_ckpt_read_string(EMPTY_COMM, TASK_COMM_LEN)).toEqual({ ret: 0, str: '' });
  });
  it('set_task_comm keeps 15 bytes; comm_buffer refuses what is not a byte', () => {
    expect(comm_buffer('a-very-long-program-name')).toBe('a-very-long-pro\0');
    expect(() => comm_buffer('é€')).toThrow(/U\+20ac/);
  });
});

describe('B17: the exit-code validation has two gaps (findings)', () => {
  it('finding: a negative exit code with a zero low byte passes, and nothing else that no zombie can have', () => {
    fc.assert(
      fc.property(u32, (u) => {
        const real = exitStatus(u) || killedBy(u) || coreDumped(u);
        if (valid_exit_code(u) && !real) {
          expect(asInt(u)).toBeLessThan(0);
          expect(u % 256).toBe(0);
        }
      }),
      RUNS,
    );
    for (const u of [0xffffff00, 0x80000000, 0xffff0000]) {
      expect(valid_exit_code(u), u.toString(16)).toBe(true);
      // the restored zombie's parent would read this as its wait status
      expect(restore_task_struct({ state: TASK_DEAD, exit_state: EXIT_ZOMBIE, exit_code: u, exit_signal: 0, pdeath_signal: 0 }, true)).toMatchObject({ ret: 1, exit_code: asInt(u) });
    }
  });

  it('finding: a core-dumped zombie (low byte sig|0x80) is refused, and it is the only real status refused', () => {
    fc.assert(
      fc.property(u32, (u) => {
        const real = exitStatus(u) || killedBy(u) || coreDumped(u);
        if (real && !valid_exit_code(u)) expect(coreDumped(u)).toBe(true);
      }),
      RUNS,
    );
    for (let sig = 1; sig <= 64; sig++) expect(valid_exit_code(sig | 0x80), `signal ${sig} with core`).toBe(false);
    // SIGSEGV with a core dump, as checkpoint_task_struct writes it
    const h = imageOf({ state: TASK_DEAD, exit_state: EXIT_ZOMBIE, exit_code: 0x8b, exit_signal: 17, pdeath_signal: 0, set_child_tid: 0n, clear_child_tid: 0n, comm: 'crashed' }).hdr;
    expect(restore_task_struct(h, true).ret).toBe(EINVAL);
  });
});

describe('checkpoint_task_struct', () => {
  it('a zombie saves state, exit_state and exit_code only', () => {
    fc.assert(
      fc.property(zombieTask, ({ task }) => {
        const { hdr } = imageOf(task);
        expect(hdr).toEqual({
          state: TASK_DEAD,
          exit_state: EXIT_ZOMBIE,
          exit_code: task.exit_code >>> 0,
          exit_signal: 0,
          pdeath_signal: 0,
          set_child_tid: 0n,
          clear_child_tid: 0n,
        });
      }),
    );
  });
  it('an exit_state other than EXIT_ZOMBIE hits the BUG_ON', () => {
    const t: TaskStruct = { state: TASK_DEAD, exit_state: EXIT_DEAD, exit_code: 0, exit_signal: 17, pdeath_signal: 0, set_child_tid: 0n, clear_child_tid: 0n, comm: 'x' };
    expect(checkpoint_task_struct(t)).toEqual({ bug: 'BUG_ON(t->exit_state != EXIT_ZOMBIE)' });
  });
  it('ints are stored as __u32: a thread\'s exit_signal -1 becomes 0xffffffff', () => {
    fc.assert(
      fc.property(liveTask, ({ task }) => {
        const { hdr, comm } = imageOf(task);
        expect(hdr.exit_signal).toBe(task.exit_signal >>> 0);
        expect(comm).toHaveLength(TASK_COMM_LEN);
      }),
    );
  });
});

describe('checkpoint → image → restore gives every valid task back', () => {
  it('live tasks: not a zombie, exit_signal, pdeath_signal, the tids and the name', () => {
    fc.assert(
      fc.property(liveTask, ({ leader, task }) => {
        const { hdr, comm } = imageOf(task);
        expect(restore_task_struct(hdr, leader, comm)).toEqual({
          ret: 0,
          exit_signal: task.exit_signal,
          pdeath_signal: task.pdeath_signal,
          set_child_tid: task.set_child_tid,
          clear_child_tid: task.clear_child_tid,
          comm: kernelName(task.comm),
        });
      }),
      RUNS,
    );
  });
  it('zombies: a zombie, its exit_code and its name', () => {
    fc.assert(
      fc.property(zombieTask, ({ leader, task }) => {
        const { hdr, comm } = imageOf(task);
        expect(restore_task_struct(hdr, leader, comm)).toEqual({ ret: 1, exit_code: task.exit_code, comm: kernelName(task.comm) });
      }),
      RUNS,
    );
  });
  it('what may_checkpoint_task admits never hits the BUG_ON of checkpoint_task_struct', () => {
    fc.assert(
      fc.property(candidate, fc.constantFrom(0, EXIT_ZOMBIE, EXIT_DEAD), (c, exit_state) => {
        if (may_checkpoint_task({ ...c, exit_state }) !== 0) return;
        const r = checkpoint_task_struct({ state: c.state, exit_state, exit_code: 0, exit_signal: 17, pdeath_signal: 0, set_child_tid: 0n, clear_child_tid: 0n, comm: '' });
        expect('image' in r).toBe(true);
      }),
    );
  });
});


describe('may_checkpoint_task', () => {
  it('EXIT_DEAD is -EBUSY before anything else; then the permission test; a zombie skips every later test', () => {
    fc.assert(
      fc.property(candidate, (c) => {
        const r = may_checkpoint_task(c);
        if (c.exit_state === EXIT_DEAD) expect(r).toBe(EBUSY);
        else if (!c.permitted) expect(r).toBe(EPERM);
        else if (c.exit_state === EXIT_ZOMBIE) expect(r).toBe(0);
      }),
    );
  });
  it('a live task: not frozen -EBUSY, then the hidden checks, then a sibling of a container init -EINVAL', () => {
    fc.assert(
      fc.property(candidate, (c) => {
        const t = { ...c, exit_state: 0, permitted: true };
        const r = may_checkpoint_task(t);
        const unfrozen = !t.is_current && !t.in_root_freezer;
        const sibling = t.root_init && !t.is_root && t.shares_root_parent && !t.in_root_thread_group;
        expect(r).toBe(unfrozen ? EBUSY : t.middle_checks ? t.middle_checks : sibling ? EINVAL : 0);
      }),
    );
  });
  it('t->state is not read any more', () => {
    fc.assert(
      fc.property(candidate, fc.constantFrom(0, TASK_DEAD), (c, state) => {
        expect(may_checkpoint_task({ ...c, state })).toBe(may_checkpoint_task(c));
      }),
    );
  });
});

describe('B16: a checkpoint taken mid-exit (finding)', () => {
  // between exit_notify and TASK_DEAD: exit_state = EXIT_ZOMBIE, state still TASK_RUNNING
  const midExit = (exit_code: number, leader: boolean): TaskStruct => ({
    state: 0,
    exit_state: EXIT_ZOMBIE,
    exit_code,
    exit_signal: leader ? 17 : -1,
    pdeath_signal: 0,
    set_child_tid: 0n,
    clear_child_tid: 0n,
    comm: 'exiting',
  });
  const anyRoot = { permitted: true, is_current: false, in_root_freezer: false, root_init: true, is_root: false, shares_root_parent: true, in_root_thread_group: false };

  it('may_checkpoint_task admits it ("zombies are cool"), the header is zombie-only with state != TASK_DEAD, and restore refuses it', () => {
    fc.assert(
      fc.property(zombieExitCode, fc.boolean(), (code, leader) => {
        const t = midExit(code, leader);
        expect(may_checkpoint_task({ ...anyRoot, state: t.state, exit_state: t.exit_state })).toBe(0);
        const { hdr, comm } = imageOf(t);
        expect(hdr).toMatchObject({ state: 0, exit_state: EXIT_ZOMBIE, exit_signal: 0 });
        const r = restore_task_struct(hdr, leader, comm);
        // the live branch: exit_code must be 0, and a thread's exit_signal must be -1 (it was not saved: 0)
        if (code !== 0 || !leader) expect(r.ret).toBe(EINVAL);
        else expect(r).toMatchObject({ ret: 0, exit_signal: 0 }); // exit(0) of a leader: it comes back as a live task
      }),
    );
  });
  it('finding: a leader caught mid-exit after exit(0) is not refused but restored as a live task with exit_signal 0', () => {
    const { hdr, comm } = imageOf(midExit(0, true));
    expect(restore_task_struct(hdr, true, comm)).toMatchObject({ ret: 0, exit_signal: 0 });
  });
});

// ---- at the model level: T6 validates the scenario's header

/** properties that witness or rule out outcomes of a restart with an invalid header */
function outcomes(m: RestartModel, bad: number) {
  const returned = (p: RestartState, n: RestartState): boolean => p.coord.pc !== DONE && n.coord.pc === DONE;
  const never = (id: string, test: (p: RestartState, a: RestartAction, n: RestartState) => string | null): Property<RestartState, RestartAction> => ({ id, title: id, onStep: test });
  return {
    succeeds: never('restart succeeds', (p, _a, n) => (returned(p, n) && n.coord.ret >= 0 ? `coordinator returned ${n.coord.ret}` : null)),
    restores: never('bad task restores', (_p, _a, n) => (n.tasks[bad]!.restored ? 'restore_task of the bad header succeeded' : null)),
    einval: never('restart fails with first error -EINVAL', (p, _a, n) =>
      returned(p, n) && n.coord.ret < 0 && n.ctx.errno === EINVAL ? `coordinator returned ${n.coord.ret}, first error -EINVAL` : null,
    ),
  };
}

describe('T6: a scenario whose header is invalid makes that task\'s restore fail with -EINVAL, and the restart fail', () => {
  const B16 = imageOf({ state: 0, exit_state: EXIT_ZOMBIE, exit_code: 256, exit_signal: 17, pdeath_signal: 0, set_child_tid: 0n, clear_child_tid: 0n, comm: 'x' }).hdr;
  const cases = [
    {
      name: 'B17: a core-dumped zombie (exit_code 0x8b)',
      bad: 1,
      tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie', header: { exit_code: 0x8b } }],
    },
    {
      name: 'B16: a task checkpointed mid-exit (state 0, EXIT_ZOMBIE, exit_code 256)',
      bad: 1,
      tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live', header: { state: B16.state, exit_state: B16.exit_state, exit_code: B16.exit_code, exit_signal: B16.exit_signal, pdeath_signal: B16.pdeath_signal } }],
    },
    {
      name: 'B18: a root checkpointed while stopped (exit_code 0x137f)',
      bad: 0,
      tasks: [{ vpid: 1, kind: 'live', header: { exit_code: 0x137f } }, { vpid: 2, kind: 'live' }],
    },
    {
      name: 'a thread whose exit_signal is not -1',
      bad: 1,
      tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live', leader: false, header: { exit_signal: 17 } }],
    },
  ];
  it.each(cases)('$name', ({ tasks, bad }) => {
    const m = buildModel(v18, parseScenario({ tasks }));
    expect(m.env.restored[bad]!.ret).toBe(EINVAL);
    const o = outcomes(m, bad);
    // over every interleaving: the bad task never finishes restore_task, the coordinator never returns 0
    const all = exploreSync(m, [o.succeeds, o.restores]);
    expect(all.violation?.message).toBeUndefined();
    expect(all.verdict).toBe('holds');
    // and a shortest run where the bad task's T6 is what fails the restart
    const w = exploreSync(m, [o.einval]);
    expect(w.verdict).toBe('violated');
    const steps = w.violation!.steps;
    const t6 = steps.findIndex((s) => s.action.actor === bad + 1 && s.action.label === 'T6e');
    expect(t6).toBeGreaterThan(0);
    expect(steps[t6]!.state.tasks[bad]!.ret).toBe(EINVAL);
    expect(steps[t6]!.state.tasks[bad]!.restored).toBe(false);
    expect(steps.at(-1)!.state.ctx.errno).toBe(EINVAL);
  });
});
