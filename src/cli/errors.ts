/** The CLI's errors and exit codes. */
import { ModelError } from '../kernel/model-error.ts';

/** Bad input or usage: the CLI prints the message and exits 2, with no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The exit codes, part of the verdict: 0 holds, 1 violated, 2 bad input,
 * 3 stopped by a budget, 4 the model is wrong (a step threw, or jumped to a
 * label with no step), 5 an internal error of crsim. A crash is never 0, 1 or 3.
 */
export const EXIT = { holds: 0, violated: 1, usage: 2, incomplete: 3, model: 4, internal: 5 } as const;

/** Parses an integer option, or throws a UsageError naming the option, the value and the range. */
export function intOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw.replace(/_/g, ''));
  if (!/^-?[\d_]+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${name}: expected an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got '${raw}')`);
  }
  return v;
}

/**
 * What the CLI does with an error no command handled: one line on standard
 * error and an exit code of its own (2 usage, 4 model, 5 internal); the stack
 * only with `--debug`.
 */
export function reportError(e: unknown, debug: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (e instanceof UsageError) {
    write(`crsim: ${e.message}\n`);
    return EXIT.usage;
  }
  const stack = debug && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  const model = e instanceof ModelError ? e.message : ModelError.messageIn(e);
  if (model !== null) {
    write(`crsim: model error: ${model}\n${stack || 'crsim: the model, not the protocol, is at fault (exit 4); --debug prints the stack\n'}`);
    return EXIT.model;
  }
  const what = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  write(`crsim: internal error: ${what}\n${stack || 'crsim: this is a bug of crsim (exit 5); --debug prints the stack\n'}`);
  return EXIT.internal;
}
