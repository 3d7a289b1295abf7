/** Bad input or usage: the CLI prints the message and exits 2, with no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { holds: 0, violated: 1, usage: 2, incomplete: 3 } as const;

/** Parses an integer option, or throws a UsageError naming the option, the value and the range. */
export function intOption(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw.replace(/_/g, ''));
  if (!/^-?[\d_]+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${name}: expected an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got '${raw}')`);
  }
  return v;
}
