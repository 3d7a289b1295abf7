import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressBar, duration } from '../src/cli/progress.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'crsim.js');

/** A stream that says it is a terminal and keeps what is written to it. */
function fakeTty(): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  w.isTTY = true;
  w.columns = 160;
  w.text = () => chunks.join('');
  return w;
}

const stats = (over: Partial<{ states: number; transitions: number; maxDepth: number; runs: number; elapsedMs: number }>) => ({
  states: 0,
  transitions: 0,
  maxDepth: 0,
  runs: 0,
  elapsedMs: 0,
  tableBytes: 0,
  ...over,
});

describe('the progress bar', () => {
  it('on a terminal: distinct states, transitions per second, depth, frontier and elapsed for an exhaustive search', () => {
    const tty = fakeTty();
    const bar = new ProgressBar({ stream: tty as never, delayMs: 0 });
    bar.exhaustive(stats({ states: 10_000, transitions: 40_000, maxDepth: 12, elapsedMs: 500 }), 321);
    bar.exhaustive(stats({ states: 30_000, transitions: 140_000, maxDepth: 17, elapsedMs: 1000 }), 999);
    bar.stop();
    const text = tty.text();
    expect(text).toContain('exhaustive │ 30,000 states');
    expect(text).toMatch(/transitions\/s │ depth 17 │ frontier 999 │ 1\.0s/);
    expect(bar.shown).toBe(2);
  });

  it('random walks and explore show runs per second and an ETA; shrinking shows the best length so far', () => {
    const tty = fakeTty();
    const bar = new ProgressBar({ stream: tty as never, delayMs: 0 });
    bar.random(stats({ runs: 250, maxDepth: 40, elapsedMs: 1000 }), 1000);
    bar.explore({ phase: 'search', runs: 500, steps: 9000, elapsedMs: 2000 }, { timeMs: 10_000 });
    bar.explore({ phase: 'shrink', runs: 600, steps: 9900, elapsedMs: 2500, bestSteps: 28 }, { runs: 1000 });
    bar.stop();
    const text = tty.text();
    expect(text).toMatch(/250\/1000 runs │ 250 runs\/s │ longest 40 │ 1\.0s │ ETA 3\.0s/);
    expect(text).toMatch(/500 runs │ \d+ runs\/s │ 2\.0s │ ETA 8\.0s/);
    expect(text).toContain('shrinking │ best 28 steps │ 600 schedules tried');
  });

  it('off a terminal, with --json, or before the delay: no bar at all', () => {
    const pipe = fakeTty();
    pipe.isTTY = false;
    const off = new ProgressBar({ stream: pipe as never, delayMs: 0 });
    off.exhaustive(stats({ states: 5, elapsedMs: 900 }), 1);
    off.stop();
    const tty = fakeTty();
    const quiet = new ProgressBar({ stream: tty as never, quiet: true, delayMs: 0 });
    quiet.exhaustive(stats({ states: 5, elapsedMs: 900 }), 1);
    const early = new ProgressBar({ stream: tty as never });
    early.exhaustive(stats({ states: 5, elapsedMs: 50 }), 1);
    expect(pipe.text() + tty.text()).toBe('');
    expect(off.enabled || quiet.enabled).toBe(false);
  });

  it('formats durations', () => {
    expect(duration(1500)).toBe('1.5s');
    expect(duration(125_000)).toBe('2m05s');
    expect(duration(3_900_000)).toBe('1h05m');
  });
});

/** Runs the CLI, sends Ctrl-C once it has been busy for a while, and returns what it printed. */
async function interrupt(args: string[], afterMs: number): Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const timer = setTimeout(() => {
    signalled = Date.now();
    child.kill('SIGINT');
  }, afterMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, afterSignalMs: Date.now() - signalled };
}

describe('Ctrl-C', () => {
  it('stops a long check cleanly with what was explored so far (exit 3)', async () => {
    const r = await interrupt(['check', '--tasks', '5', '--zombies', '1', '--properties', 'P1,P2', '--reduction', 'none'], 4000);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/incomplete: interrupted \(Ctrl-C\); exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+/);
    const states = Number(/exhaustive: ([\d,]+) states/.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(states).toBeGreaterThan(1000);
    expect(r.stderr).toBe(''); // no bar off a terminal, no stack trace
  });

  it('stops an exhaustive search on worker threads: the stop reaches every worker, exit 3 within a second', async () => {
    const r = await interrupt(['check', '-m', 'v20', '--tasks', '5', '--zombies', '1', '--properties', 'P1,P2', '--reduction', 'none', '--workers', '2'], 5000);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/incomplete: interrupted \(Ctrl-C\); exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+, [\d.]+ s, 2 workers/);
    const states = Number(/exhaustive: ([\d,]+) states/.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(states).toBeGreaterThan(1000);
    expect(r.afterSignalMs).toBeLessThan(1500); // the process exits: terminating the workers included
    expect(r.stderr).toBe('');
  }, 20_000);

  it('stops a long explore the same way', async () => {
    const r = await interrupt(['explore', '--model', 'v20', '--no-faults', '--time', '120s', '--seed', '3'], 4000);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/incomplete: interrupted \(Ctrl-C\); [\d,]+ runs/);
  });

  it('on a real terminal the bar shows while the search runs, and is cleared before the verdict', () => {
    // `script` runs the CLI on a pseudo-terminal
    const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} check --tasks 5 --zombies 1 --properties P1,P2 --reduction none --max-states 150000`, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/exhaustive │ [\d,]+ states │ [\d,]+ transitions\/s │ depth \d+/);
    expect(r.stdout).toContain('incomplete: --max-states 150000 reached');
  });

  it('the bar shows for an exhaustive search on worker threads too', () => {
    const cmd = `${process.execPath} ${CLI} check -m v20 --tasks 5 --zombies 1 --properties P1,P2 --reduction none --workers 2 --max-states 150000`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/exhaustive │ [\d,]+ states │ [\d,]+ transitions\/s │ depth \d+ │ frontier [\d,]+/);
    expect(r.stdout).toMatch(/incomplete: --max-states 150000 reached; exhaustive: [\d,]+ states, [\d,]+ transitions, depth \d+, [\d.]+ s, 2 workers/);
  }, 60_000);
});
