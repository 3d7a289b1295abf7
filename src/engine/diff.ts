/**
 * What a step changed, as `path: before → after` entries, computed by walking
 * two plain states side by side (unchanged sub-objects are skipped by identity).
 */
export interface Change {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export function diff(prev: unknown, next: unknown, path = ''): Change[] {
  if (prev === next) return [];
  const bothObjects = prev !== null && next !== null && typeof prev === 'object' && typeof next === 'object';
  if (!bothObjects || Array.isArray(prev) !== Array.isArray(next)) return [{ path, before: prev, after: next }];
  const out: Change[] = [];
  if (Array.isArray(prev)) {
    const n = next as unknown[];
    const len = Math.max(prev.length, n.length);
    for (let i = 0; i < len; i++) out.push(...diff(prev[i], n[i], `${path}[${i}]`));
    return out;
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  for (const k of new Set([...Object.keys(p), ...Object.keys(n)])) {
    out.push(...diff(p[k], n[k], path ? `${path}.${k}` : k));
  }
  return out;
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '∅';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function formatChange(c: Change): string {
  if (c.before === false && c.after === true) return c.path;
  if (c.before === true && c.after === false) return `!${c.path}`;
  return `${c.path} ${formatValue(c.before)}→${formatValue(c.after)}`;
}
