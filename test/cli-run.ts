/** The `crsim` command run in-process by the suites: its exit code, standard output and standard error. */
import { vi } from 'vitest';
import { main } from '../src/cli/main.ts';

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  try {
    const code = await main(argv, (s) => lines.push(s));
    return { code, out: lines.join('\n'), err: err.join('') };
  } finally {
    spy.mockRestore();
  }
}
