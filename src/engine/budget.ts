import { getHeapStatistics } from 'node:v8';

/** how often a search looks at memory, in milliseconds (a wide state can take a millisecond to expand) */
export const MEMORY_CHECK_MS = 50;

/**
 * Memory budgets. A search stops with verdict `incomplete` (exit 3) and the
 * statistics so far, rather than crash out of heap: always when the V8 heap
 * nears its limit, and when the process's resident memory passes
 * `--max-memory`. The resident size is the whole process's: the main thread
 * and every worker thread. Checked by time ({@link poll}), not by a count of
 * expansions: on wide scenarios a few thousand expansions can take seconds
 * and gigabytes.
 */
export class MemoryGuard {
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  /** the largest resident size seen, in bytes */
  peak = 0;
  private next = 0;

  constructor(private readonly maxBytes?: number) {}

  /** {@link check}, at most every {@link MEMORY_CHECK_MS} ms (`now` is Date.now()); null in between. */
  poll(now: number): string | null {
    if (now < this.next) return null;
    this.next = now + MEMORY_CHECK_MS;
    return this.check();
  }

  /** The reason to stop, or null. */
  check(): string | null {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    if (this.maxBytes !== undefined && rss > this.maxBytes) {
      return `--max-memory ${formatBytes(this.maxBytes)} reached (resident ${formatBytes(rss)})`;
    }
    const used = getHeapStatistics().used_heap_size;
    if (used > this.heapLimit * 0.85) {
      return `the JavaScript heap is ${formatBytes(used)} of its ${formatBytes(this.heapLimit)} limit (raise it with NODE_OPTIONS=--max-old-space-size=MB)`;
    }
    return null;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(0)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KB`;
  return `${n} B`;
}

/** `512M`, `2G`, `1.5GB`, `800000` (bytes) → bytes; null when not a size. */
export function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(text.trim());
  if (!m) return null;
  const unit = { '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Number(m[1]) * unit;
  return Number.isFinite(v) && v > 0 ? Math.round(v) : null;
}
