/** Issue 13, defect 2: a --model FILE.ts is type-checked on load (exit 2 with file:line), unless --no-typecheck. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_OPTIONS } from '../src/cli/typecheck.ts';
import { runCli } from './cli-run.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crsim-typecheck-'));

/** v18 whose T4 stores a string in the number field `ret`: tsx strips the types and would run it */
function model(ret: string): string {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    file,
    [
      `import type { RestartVariant } from '${root}src/kernel/model.ts';`,
      `import { v18 } from '${root}models/v18.ts';`,
      'export const m: RestartVariant = {',
      "  ...v18,",
      "  name: 'typed',",
      `  task: { ...v18.task, T4: { ...v18.task.T4!, run(s, self, env, i) { v18.task.T4!.run(s, self, env, i); self.ret = ${ret}; } } },`,
      '};',
      'export default m;',
    ].join('\n'),
  );
  return file;
}

describe('--model FILE.ts is type-checked on load', () => {
  it('a string in a number field: exit 2 naming file:line:col, before anything runs', async () => {
    const file = model("'oops'");
    const r = await runCli('check', '--model', file, '--tasks', '1', '--properties', 'P8');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not type-check \(1 error/);
    expect(r.err).toMatch(/m-\w+\.ts:6:\d+: Type 'string' is not assignable to type 'number'/);
    expect(r.out).toBe('');
  });

  it('--no-typecheck loads it as before; a well-typed file checks and runs', async () => {
    const bad = model("'oops'");
    expect((await runCli('check', '--no-typecheck', '--model', bad, '--tasks', '1', '--properties', 'P8')).code).not.toBe(2);
    const good = model('self.ret');
    const r = await runCli('check', '--model', good, '--tasks', '1', '--properties', 'P8');
    expect(r.code).toBe(1); // v18's own P8 (B4)
    expect(r.out).toContain('P8 violated');
  });

  it("checks with the project's compiler options (tsconfig.json)", () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const { outDir: _outDir, ...project } = tsconfig.compilerOptions;
    expect({ ...PROJECT_OPTIONS }).toEqual(project);
  });
});
