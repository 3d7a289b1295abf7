/**
 * A Promela model of the v20 fault-free restart, for SPIN: the bench-only
 * peer of issue 14 (bench/spin.ts measures it beside crsim). Nothing in
 * `npm test` needs SPIN.
 *
 * `promelaV20(n, z)` emits the tree of `crsim check -m v20 -t N -z Z`
 * (shorthandScenario: pids 1…N, a live root, zombies at pids 2, 4, 6, … then
 * at the last live entries) and follows models/v20.ts (with the steps it keeps
 * from models/v18-final.ts and models/v18.ts) step by step: each crsim step is
 * one Promela `atomic` sequence (or one statement) under the crsim label, `:`
 * written `_` (T5:check is T5_check). A wait is the same three steps as
 * src/kernel/wait.ts (prepare, check, sleep); a step's branch to another label
 * is a `goto` inside its atomic sequence, so the next step is a transition of
 * its own. `node bin/run-ts.js bench/spin/v20.ts N Z [--broken]` prints it.
 *
 * Properties encoded (properties/restart.ts, docs/contract.md §4), as
 * assertions at the step where crsim's check would fail:
 * - P1: at the coordinator's wake (C5w_check), every live task is past its
 *   restore_activate_next (`past_act`, a ghost bit written by the step that
 *   leaves T8a1/T8a2; it implies `restored`).
 * - P2: at the same wake, every zombie has passed exit_notify (exit_state != 0).
 * - P3: C5a1 activates only from active_pid -1, T8a1 only from its own index
 *   (the token holder), active_pid <= N after each increment; at the end,
 *   active_pid == N.
 * - P4: a ghost counter `in_restore` (T6b enters restore_task, T6e leaves):
 *   at most one task inside.
 * - P5: `assert(!freed)` at each use of the ctx (ctx_use), `refcount > 0`
 *   before each put; at the end (the last actor's last shared step, counted by
 *   the ghost `nr_done`): refcount == 0 and freed (no leak).
 * - P6: the BUG_ONs: active_pid > nr_pids (T8a1, C5a1), nr_total < 0
 *   (restore_task_done), active_pid == -1 (X2).
 * - P7: a task returns 0 to user space (T13) only once SUCCESS is set.
 * - P8, P11: every branch that would record an error (an -EBUSY or -ESRCH of
 *   prepare_descendants, an -ESRCH of an activation, T2's -EAGAIN) is
 *   `assert(false)`: in a fault-free run an error makes the coordinator
 *   return it (P8) or, after it returned 0, is P11's.
 * - P9: deadlock only, as SPIN's invalid end state (the search's default):
 *   each actor ends blocked at an `end_` label; any other state where nothing
 *   can move is reported. Cycles (P9's other half) are not searched for
 *   (that needs a non-progress or acceptance search).
 * - P10: PF_RESTARTING is a local of the task that only T4 sets and T12
 *   clears, so it holds by construction; asserted at T12 and at X2.
 *
 * Where this model differs from models/v20.ts:
 * - Fault-free only: no signals (sigPending, fatal, the interrupted branch of
 *   every wait and T5b's recalc_sigpending are absent), no restore failure,
 *   no missing pid, no extra task, no ghost, no thread (the -t/-z tree has
 *   none: exit_signal is SIGCHLD, so exit_notify gives EXIT_ZOMBIE and the
 *   EXIT_DEAD test of find_task_by_pid_ns is kept but never true).
 * - ERROR is never set (every path that would set it is an assertion, above),
 *   so the `|| ckpt_test_error` of the waits, errno, T11's ckpt_err, C8k
 *   (destroy_descendants) and do_restart's kill are not modelled; ret is
 *   always 0 and not kept.
 * - Fields crsim keeps that are constant in a fault-free run or follow from
 *   the label are not stored: coord.waits, ret, errno, sigPending, fatal,
 *   exitCode, exitSignal, fired, oops (an assertion instead); the walk
 *   position of prepare_descendants is the label (C5p_pid1, C5p_pid2, …);
 *   tasklist_read_held is a global bit the coordinator's C5p sets after its
 *   first visit and clears at its last, since X1's guard reads it.
 * - Ghost variables for the properties: past_act[], in_restore, nr_done.
 * - The task's private fields (pf, rlocal for R_local, restored, zombie,
 *   blocked, reg) are locals of its proctype, so SPIN's partial-order
 *   reduction can treat a step touching only them as local; the rest is
 *   global.
 * Without reduction on both sides (`spin -o3`, `-DNOREDUCE`; crsim
 * `--reduction none`) the two store the same number of states: bench/spin.ts
 * --sanity checks it for small trees. SPIN's default statement merging and
 * partial-order reduction are its own, as crsim's dpor is its own.
 *
 * `broken`: restore_task_done completes on every call, not only the last, so
 * the coordinator can wake while tasks are still restoring: SPIN must report
 * an assertion violation (P1 or P2). bench/spin.ts --sanity checks it.
 */
import { pathToFileURL } from 'node:url';
import { shorthandScenario } from '../../src/kernel/scenario.ts';

export interface PromelaOptions {
  /** restore_task_done completes on every call (a deliberately broken model) */
  readonly broken?: boolean;
}

export function promelaV20(n: number, z: number, opts: PromelaOptions = {}): string {
  const sc = shorthandScenario(n, z);
  if (sc.tasks.some((t) => t.kind === 'ghost' || !t.leader) || sc.walk.some((k, i) => k !== i)) {
    throw new Error('promelaV20: only the -t/-z tree (leaders, walk in pids order)');
  }
  const idx = [...sc.tasks.keys()];
  const zombies = idx.filter((i) => sc.tasks[i]!.kind === 'zombie');
  const live = idx.filter((i) => sc.tasks[i]!.kind === 'live');
  const all = (xs: number[], f: (i: number) => string): string => (xs.length ? xs.map(f).join(' && ') : '1');
  const pid = (i: number): number => sc.tasks[i]!.vpid;

  // C5p: one step per task of the walk (walk_task_subtree, pids order here)
  const c5p = idx.map((k) => {
    const last = k === n - 1;
    const count = idx.map((j) => `(exit_state[${j}] == 0)`).join(' + ');
    return [
      `C5p_pid${pid(k)}:  /* prepare_descendants, visit pid ${pid(k)} */`,
      `  atomic {`,
      `    if`,
      `    :: exit_state[${k}] == 0 ->`,
      `       assert(!slot[${k}]);               /* set_task_ctx: -EBUSY on a slot already set (P8) */`,
      `       ckpt_ctx_get();                    /* R_prep */`,
      `       slot[${k}] = 1;`,
      `       sched[${k}] = RUNNING              /* wake_up_process */`,
      `    :: else`,
      `    fi;`,
      ...(last
        ? [
            `    tasklist_rd = 0;`,
            `    assert(${count} >= N);   /* nr_pids < ctx->nr_pids -> -ESRCH (P8) */`,
            `    nr_total = ${count}`,
          ]
        : [`    tasklist_rd = 1                      /* tasklist_lock held (read) from the first visit on */`]),
      `  }`,
    ].join('\n');
  });
  const wakeWaitq = idx.map((k) => `    if :: wq[${k}] == WQ_WAITQ -> sched[${k}] = RUNNING; wq[${k}] = WQ_NONE :: else fi`).join(';\n');

  return `/* v20 fault-free restart, ${sc.name}: generated by bench/spin/v20.ts from models/v20.ts${opts.broken ? ' -- BROKEN: restore_task_done completes on every call' : ''} */
#define N ${n}
#define RUNNING 0
#define INTERRUPTIBLE 1
#define WQ_NONE 0
#define WQ_WAITQ 1
#define WQ_COMPLETE 2
#define WQ_STACK 3
#define EXIT_ZOMBIE 16
#define EXIT_DEAD 32
#define me (_pid - 1)
/* restore_task says zombie (1) for pids ${zombies.map(pid).join(', ') || 'none'} */
#define IS_ZOMBIE(k) (${zombies.map((k) => `(k) == ${k}`).join(' || ') || '0'})

/* ctx (docs/contract.md §2) */
byte refcount = 1;      /* R_alloc */
bit freed;
short active_pid = -1;
byte done;              /* ctx->complete.done */
bit success;            /* CKPT_CTX_SUCCESS; ERROR is never set (see bench/spin/v20.ts) */
byte nr_total;
bit tasklist_rd;        /* tasklist_read_held: the coordinator is inside prepare_descendants' walk */
/* the coordinator's shared fields */
bit csched;
byte cwq;
bit cslot;
/* the tasks' shared fields, by index in pids_arr */
bit sched[N];
byte wq[N];
bit slot[N];            /* checkpoint_ctx == ctx */
byte exit_state[N];
/* ghosts for the properties */
bit past_act[N];        /* P1: past restore_activate_next */
byte in_restore;        /* P4 */
byte nr_done;           /* P3, P5 at the end */

inline ckpt_ctx_get() {
  assert(!freed);                          /* P5: use after free */
  refcount++
}
inline ckpt_ctx_put() {
  assert(!freed);
  assert(refcount > 0);                    /* P5: put below zero */
  refcount--;
  if :: refcount == 0 -> freed = 1 :: else fi
}
/* complete(&ctx->complete): done++, wake one waiter (only the coordinator waits on it) */
inline complete() {
  done++;
  if :: cwq == WQ_COMPLETE -> csched = RUNNING; cwq = WQ_NONE :: else fi
}
/* restore_task_done (v18-73): the last one completes */
inline restore_task_done() {
  assert(!freed);
  assert(nr_total > 0);                    /* P6: BUG_ON(nr_total < 0) */
  nr_total--;
  ${opts.broken ? 'complete()                             /* BROKEN: every call completes */' : 'if :: nr_total == 0 -> complete() :: else fi'}
}
/* the last actor's last shared step: P3's and P5's end checks */
inline finished() {
  nr_done++;
  if
  :: nr_done == N + 1 -> assert(refcount == 0 && freed && active_pid == N)
  :: else
  fi
}

active proctype coordinator() {
  short reg = -1;
C4:  /* do_restore_coord: ckpt_ctx_get (R_coord); own slot := ctx */
  atomic { ckpt_ctx_get(); cslot = 1 }
${c5p.join('\n')}
C5a1:  /* restore_activate_next (coordinator, -1 -> 0) */
  atomic {
    assert(!freed);
    assert(active_pid == -1);              /* P3: only the token holder activates */
    active_pid++;
    assert(active_pid <= N);               /* P6: BUG_ON(active_pid > nr_pids) */
    if
    :: active_pid == N -> goto C5w_prepare  /* all_tasks_activated: wake_up_all(ghostq), no ghost */
    :: else -> reg = active_pid; goto C5a2
    fi
  }
C5a2:  /* restore_activate_next: find_task_by_pid_ns, checkpoint_ctx == ctx -> wake_up_process */
  atomic {
    if
    :: exit_state[reg] != EXIT_DEAD && slot[reg] -> sched[reg] = RUNNING; reg = -1
    :: else -> assert(false)               /* -ESRCH (P8) */
    fi
  }
C5w_prepare:  /* wait_for_completion_interruptible */
  atomic { csched = INTERRUPTIBLE; cwq = WQ_COMPLETE }
C5w_check:
  atomic {
    assert(!freed);
    if
    :: done > 0 ->
       csched = RUNNING; cwq = WQ_NONE;    /* finish_wait */
       done--;
       assert(${all(live, (i) => `past_act[${i}]`)});   /* P1: every live task has completed its restart */
       assert(${all(zombies, (i) => `exit_state[${i}] != 0`)});   /* P2: every zombie passed exit_notify */
       goto C7
    :: else -> goto C5w_sleep
    fi
  }
C5w_sleep:
  atomic { csched == RUNNING -> goto C5w_prepare }
C7:  /* do_restore_coord out: no ERROR -> ckpt_set_success */
  atomic { assert(!freed); success = 1 }
C8:  /* wake_up_all(&ctx->waitq) */
  atomic {
    assert(!freed);
${wakeWaitq}
  }
C9:  /* own slot := NULL, put R_coord, sys_restart: put R_alloc; return 0 */
  atomic { cslot = 0; ckpt_ctx_put(); ckpt_ctx_put(); finished() }
end_done:
  false
}

active [N] proctype task() {
  bit pf;               /* PF_RESTARTING */
  bit rlocal;           /* holds R_local */
  bit restored;
  bit zombie;
  bit blocked;          /* signals blocked (v20-68) */
  short reg = -1;
T1_prepare:  /* do_restore_task -> wait_checkpoint_ctx: wait until checkpoint_ctx is set */
  atomic { sched[me] = INTERRUPTIBLE; wq[me] = WQ_STACK }
T1_check:
  atomic {
    if
    :: slot[me] -> sched[me] = RUNNING; wq[me] = WQ_NONE; goto T2
    :: else -> goto T1_sleep
    fi
  }
T1_sleep:
  atomic { sched[me] == RUNNING -> goto T1_prepare }
T2:  /* wait_checkpoint_ctx: get_task_ctx(current) under task_lock (R_local) */
  atomic { assert(slot[me]); ckpt_ctx_get(); rlocal = 1 }   /* !ctx -> -EAGAIN (P8) */
T4:
  pf = 1;
T5_prepare:  /* wait_task_active: wait_event_interruptible(waitq, is_task_active) */
  atomic { sched[me] = INTERRUPTIBLE; wq[me] = WQ_WAITQ }
T5_check:
  atomic {
    assert(!freed);                        /* ckpt_test_error(ctx) */
    if
    :: active_pid == me -> sched[me] = RUNNING; wq[me] = WQ_NONE; goto T5b
    :: else -> goto T5_sleep
    fi
  }
T5_sleep:
  atomic { sched[me] == RUNNING -> goto T5_prepare }
T5b:  /* pre_restore_task: block signals */
  blocked = 1;
T6b:  /* restore_task begins */
  atomic { in_restore++; assert(in_restore == 1) }   /* P4 */
T6e:  /* restore_task ends: 0, or 1 for a zombie */
  atomic { in_restore--; assert(!freed); restored = 1; zombie = IS_ZOMBIE(me) }
T8a1:  /* restore_activate_next (the token holder, i -> i+1) */
  atomic {
    assert(!freed);
    assert(active_pid == me);              /* P3 */
    active_pid++;
    assert(active_pid <= N);               /* P6 */
    if
    :: active_pid == N ->                  /* all_tasks_activated: wake_up_all(ghostq), no ghost */
       past_act[me] = 1;
       if :: zombie -> goto T7 :: else -> goto T8d fi
    :: else -> reg = active_pid; goto T8a2
    fi
  }
T8a2:
  atomic {
    if
    :: exit_state[reg] != EXIT_DEAD && slot[reg] ->
       sched[reg] = RUNNING; reg = -1; past_act[me] = 1;
       if :: zombie -> goto T7 :: else -> goto T8d fi
    :: else -> assert(false)               /* -ESRCH (P8) */
    fi
  }
T7:  /* a zombie: post_restore_task; put R_local; do_exit */
  atomic { blocked = 0; ckpt_ctx_put(); rlocal = 0; goto X1 }
T8d:
  atomic { restore_task_done() }
T9_prepare:  /* wait_task_sync: wait_event_interruptible(waitq, SUCCESS || ERROR) */
  atomic { sched[me] = INTERRUPTIBLE; wq[me] = WQ_WAITQ }
T9_check:
  atomic {
    assert(!freed);
    if
    :: success -> sched[me] = RUNNING; wq[me] = WQ_NONE; goto T11
    :: else -> goto T9_sleep
    fi
  }
T9_sleep:
  atomic { sched[me] == RUNNING -> goto T9_prepare }
T11:  /* ret == 0: no ckpt_err */
  skip;
T12:  /* post_restore_task; PF_RESTARTING := 0 */
  atomic { assert(pf); blocked = 0; pf = 0 }   /* P10 */
T13c:  /* clear_task_ctx: slot := NULL, put R_prep */
  atomic {
    if :: slot[me] -> slot[me] = 0; ckpt_ctx_put() :: else fi
  }
T13:  /* put R_local; return 0 */
  atomic { ckpt_ctx_put(); rlocal = 0; assert(success); finished(); goto end_done }   /* P7 */
X1:  /* exit_notify, under tasklist_lock (write) */
  atomic { !tasklist_rd -> exit_state[me] = EXIT_ZOMBIE }
X2:  /* exit_checkpoint: the slot is not cleared */
  atomic {
    if
    :: !slot[me] -> goto X3
    :: else
    fi;
    assert(pf);                            /* P10: for ever on a zombie (so never the !pf branch to X2p) */
    assert(!freed);
    assert(active_pid != -1);              /* P6: BUG_ON(active_pid == -1) */
    goto X2d
  }
X2d:
  atomic { restore_task_done() }
X2p:  /* put R_prep */
  atomic { ckpt_ctx_put(); finished() }
X3:  /* TASK_DEAD */
  skip;
end_gone:
  false;
end_done:
  false
}
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, z] = process.argv.slice(2, 4).map(Number);
  if (!Number.isInteger(n) || !Number.isInteger(z)) {
    process.stderr.write('usage: node bin/run-ts.js bench/spin/v20.ts N Z [--broken]\n');
    process.exit(2);
  }
  process.stdout.write(promelaV20(n!, z!, { broken: process.argv.includes('--broken') }));
}
