import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { v18 } from '../models/v18.ts';
import type { RestartVariant } from '../src/kernel/model.ts';
import { decodeToken, encodeToken, modelSource, readReplay, replayFile, type ReplayFile } from '../src/trace/replayfile.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-replay-'));

const cex = join(dir, 'cex.json');
let saved: ReplayFile;
let token: string;

beforeAll(async () => {
  const r = await runCli('check', '--model', 'mutant:B2', '--tasks', '3', '--zombies', '1', '--properties', 'P2', '--out', cex);
  expect(r.code).toBe(1);
  token = /replay token: (\S+)/.exec(r.out)![1]!;
  saved = JSON.parse(readFileSync(cex, 'utf8')) as ReplayFile;
});
afterAll(() => undefined);

describe('replay files', () => {
  it('hold the version, the model and the hash of its source file, the scenario, the schedule, the property and the steps', async () => {
    expect(saved.format).toBe('crsim-replay/1');
    expect(saved.crsim).toMatch(/^\d+\.\d+\.\d+/);
    expect(saved.model.name).toBe('mutant:B2');
    expect(saved.model.source).toBe('models/mutants/b2.ts');
    expect(saved.model.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(saved.model.hash).toBe((await modelSource(findVariant('mutant:B2')!)).hash);
    expect(saved.scenario.tasks).toHaveLength(3);
    expect(saved.violation.property).toBe('P2');
    expect(saved.steps).toHaveLength(saved.schedule.length);
    expect(saved.steps[0]).toMatchObject({ actor: 'coordinator', label: 'C4' });
    expect(saved.origin).toMatchObject({ command: 'check', strategy: 'exhaustive' });
  });

  it('crsim replay FILE re-runs it step by step and confirms the same violation (exit 1)', async () => {
    const r = await runCli('replay', cex);
    expect(r.code).toBe(1);
    expect(r.out).toContain('reproduced: P2 violated at step');
    expect(r.out).toContain('coordinator');
    expect(r.out).toMatch(/\n\s*1\s+C4/); // the swimlane
  });

  it('the one-line token is URL-safe and replays the same violation', async () => {
    expect(token).toMatch(/^crsim1\.[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(400);
    const r = await runCli('replay', token);
    expect(r.code).toBe(1);
    expect(r.out).toContain('reproduced: P2');
    const f = decodeToken(token);
    expect(f.schedule).toEqual(saved.schedule);
    expect(f.scenario).toEqual(saved.scenario);
    expect(encodeToken(readReplay(cex))).toBe(token);
  });

  it('matches steps by actor, label and detail, not by index: a file whose indices went stale still reproduces, with notes', async () => {
    const stale = join(dir, 'stale.json');
    const first = saved.schedule.findIndex((c) => c > 0);
    writeFileSync(stale, JSON.stringify({ ...saved, schedule: saved.schedule.map((c, k) => (k === first ? c + 1 : c)) }));
    const out = await replayFile(readReplay(stale), findVariant('mutant:B2')!);
    expect(out.status).toBe('reproduced');
    expect(out.notes.join('\n')).toMatch(new RegExp(`step ${first + 1} .* is now action`));
  });

  it('a model that changed under the file: a clear message naming the step that no longer applies, exit 3, no crash', async () => {
    // the same model with T2 renamed: the saved step `T2` of a task no longer exists
    const b2 = findVariant('mutant:B2')!;
    const { T2, ...task } = b2.task;
    const renamed: RestartVariant = {
      ...b2,
      name: 'mutant:B2',
      task: {
        ...Object.fromEntries(Object.entries(task).map(([k, step]) => [k, k === 'T1:check' ? { ...step, run: (s, self, env, i) => { step.run(s, self, env, i); if (self.pc === 'T2') self.pc = 'T2x'; } } : step])),
        T2x: T2!,
      },
    };
    const out = await replayFile(saved, renamed);
    expect(out.status).toBe('diverged');
    const k = saved.steps.findIndex((s) => s.label === 'T2');
    expect(out.summary).toContain(`step ${k + 1} (${saved.steps[k]!.actor}: T2) no longer applies`);
    expect(out.summary).toContain('T2x');
    expect(out.notes.join(' ')).toContain("model's source");
  });

  it('says clearly when the violation no longer reproduces (a fixed model: exit 0)', async () => {
    const p8 = join(dir, 'p8.json');
    expect((await runCli('check', '--model', 'v18', '--tasks', '1', '--out', p8)).code).toBe(1);
    // v18 with T2/T3 made one step (no window): replay by index of the saved choices
    const { T3, ...task } = v18.task;
    const fixed: RestartVariant = { ...v18, task: { ...task, T2: { ...task.T2!, run: (s, self, env, i) => { task.T2!.run(s, self, env, i); if (self.pc === 'T3') T3!.run(s, self, env, i); } } } };
    const file = readReplay(p8);
    // by index (a token has no steps): every step runs, and the restart now succeeds
    const byIndex = await replayFile({ ...file, steps: [] }, fixed);
    expect(byIndex.status).toBe('not-reproduced');
    expect(byIndex.summary).toBe('no longer reproduces: all 11 steps ran and P8 held (the model no longer has this violation on this schedule)');
    // by identity: the coordinator's error path (C7) is no longer what can move at step 9
    const byStep = await replayFile(file, fixed);
    expect(byStep.status).toBe('diverged');
    expect(byStep.summary).toMatch(/^step 9 \(coordinator: C7\) no longer applies: what can move there now is coordinator: C5w:prepare/);
    // on v20 (init_completion at allocation: no C5i step) the file stops applying at step 3: exit 3
    const r = await runCli('replay', p8, '--model', 'v20');
    expect(r.code).toBe(3);
    expect(r.out).toContain('step 3 (coordinator: C5i) no longer applies');
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['no format', JSON.stringify({ crsim: '0.1.0' }), /format: .*crsim-replay\/1/],
    ['a negative choice', () => JSON.stringify({ ...saved, schedule: [-1, ...saved.schedule.slice(1)] }), /schedule\[0\]: .*got -1/],
    ['a bad scenario', () => JSON.stringify({ ...saved, scenario: { tasks: [{ vpid: 1, kind: 'sleeping' }] } }), /scenario\.tasks\[0\]\.kind/],
    ['an unknown property', () => JSON.stringify({ ...saved, violation: { ...saved.violation, property: 'Q1' } }), /violation\.property: expected a property id/],
    ['steps that do not match the schedule', () => JSON.stringify({ ...saved, steps: saved.steps.slice(1) }), /steps: expected one step per schedule entry/],
  ])('a malformed file (%s) is refused with exit 2, naming the field', async (_what, content, message) => {
    const f = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, typeof content === 'function' ? content() : content);
    const r = await runCli('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('a missing file, a broken token and an unknown model are usage errors', async () => {
    expect((await runCli('replay', join(dir, 'nope.json'))).err).toMatch(/cannot read .*ENOENT/);
    expect((await runCli('replay', 'crsim1.@@@')).code).toBe(2);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...saved, model: { ...saved.model, name: 'v99' } }));
    const r = await runCli('replay', other);
    expect(r.code).toBe(2);
    expect(r.err).toContain("the file's model 'v99' is not in this build");
  });
});

describe('replay files of a model file (issue 13)', () => {
  // a replay file is shared like a token: the model file it was saved from is named, never loaded from there
  const root = new URL('..', import.meta.url).pathname;
  it('without --model: exit 2, naming the model file and the exact command that replays it', async () => {
    const model = join(dir, 'my-b2.ts');
    writeFileSync(model, `import { b2 } from '${root}models/mutants/b2.ts';\nexport default { ...b2, name: 'my-b2' };\n`);
    const out = join(dir, 'my-b2.json');
    expect((await runCli('check', '--model', model, '-t', '3', '-z', '1', '-p', 'P2', '--out', out)).code).toBe(1);
    const f = readReplay(out);
    expect(f.model.name).toBe('my-b2');
    const r = await runCli('replay', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`was saved from the model file ${f.model.source}; crsim never loads code named by a replay file or token`);
    const command = /run: crsim (replay .*)$/m.exec(r.err)![1]!.split(' ');
    const again = await runCli(...command);
    expect(again.code).toBe(1);
    expect(again.out).toContain('reproduced: P2');
  });

  it('--model naming another model on purpose: said plainly', async () => {
    const r = await runCli('replay', cex, '--model', 'v18');
    expect(r.out).toContain('note: replaying on v18 as --model asked, not on mutant:B2, the model the file was saved from');
    const same = await runCli('replay', cex, '--model', 'mutant:B2');
    expect(same.out).not.toContain('as --model asked');
  });
});
