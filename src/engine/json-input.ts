/**
 * JSON read from a file or a token, before any schema sees it: nested deeper
 * than a limit is refused, so that no validator or message printer recurses
 * 100,000 levels and overflows the stack (zod, JSON.stringify both recurse).
 */

/** Deeper than any input of crsim (a scenario is 5 levels, a replay file 6). */
export const MAX_JSON_DEPTH = 64;

/** The path of the first value nested deeper than `limit` (iteratively), or null. */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return path || '(the top)';
    const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [`.${k}`, x] as const);
    for (const [k, x] of entries) if (x !== null && typeof x === 'object') stack.push({ v: x, depth: depth + 1, path: `${path}${k}` });
  }
  return null;
}

/** A JSON text that cannot be read: not JSON, or nested too deep. The message names what and where. */
export class JsonInputError extends Error {
  override readonly name = 'JsonInputError';
}

/** JSON.parse, then the depth limit. */
export function parseJsonInput(text: string, limit = MAX_JSON_DEPTH): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new JsonInputError(`not valid JSON: ${(e as Error).message}`);
  }
  const at = tooDeep(json, limit);
  if (at !== null) {
    const where = at.length > 60 ? `${at.slice(0, 57)}...` : at;
    throw new JsonInputError(`nested deeper than ${limit} levels at ${where} (expected a scenario, replay or shard file, a few levels deep)`);
  }
  return json;
}

/** A value as an error message shows it: its JSON, cut at 60 characters; `nothing` when absent. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The value at `path` in `root` (undefined where the path leads nowhere). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** A field's path as messages name it: `root.tasks[1].header` (no root: `tasks[1].header`). */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), root);
}
