/**
 * The README and docs/*.md say what crsim prints, and it does. Every
 * `npx crsim …` line of their ```sh blocks runs in-process, in page order, in
 * one scratch directory per page (files a command writes are there for the
 * next; `examples/` is linked in). The convention the pages follow:
 *
 * - a trailing `# exit N` is the exit code expected (0 when absent);
 * - every "double-quoted" string of the trailing comment appears in the
 *   command's standard output or error;
 * - a ```text block right after a ```sh block shows the standard output of the
 *   block's last command: its lines appear there in order (a `…` line skips
 *   any number of lines; timings such as `1.30 s` are ignored).
 *
 * docs/writing-a-model.md is run by test/guide.test.ts, as a shell script;
 * docs/timing.md's long statistical runs are not run here.
 * Also checked: the pages link only to files that exist, nothing points
 * outside the repository, the README stays short, and the contract names
 * every field of the state, every model and every property.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { variants } from '../models/index.ts';
import { v18 } from '../models/v18.ts';
import { restartProperties } from '../properties/restart.ts';
import { buildModel } from '../src/kernel/model.ts';
import { DISPOSITIONS, parseScenario } from '../src/kernel/scenario.ts';
import { runCli } from './cli-run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * Pages whose commands this suite runs. writing-a-model.md has its own runner;
 * timing.md's commands are long statistical runs, and its findings block is
 * regenerated and checked by its own script and test.
 */
const OWN_RUNNER = ['writing-a-model.md', 'timing.md'];
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md') && !OWN_RUNNER.includes(f))
    .map((f) => `docs/${f}`),
];
const read = (page: string): string => readFileSync(join(ROOT, page), 'utf8');

interface Fence {
  readonly lang: string;
  readonly body: string[];
  readonly line: number;
}

function fences(md: string): Fence[] {
  const out: Fence[] = [];
  const lines = md.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const open = /^```(\S*)\s*$/.exec(lines[k]!);
    if (!open) continue;
    const line = k + 1;
    const body: string[] = [];
    for (k++; k < lines.length && !/^```\s*$/.test(lines[k]!); k++) body.push(lines[k]!);
    out.push({ lang: open[1]!, body, line });
  }
  return out;
}

export interface DocCommand {
  readonly page: string;
  readonly line: number;
  readonly args: string[];
  readonly exit: number;
  /** strings the output must contain */
  readonly says: string[];
  /** lines the standard output must show, in order (`…` skips) */
  readonly stdout?: string[];
}

/** The `npx crsim` commands of a page, with what the page says they do. */
export function docCommands(page: string, md: string): DocCommand[] {
  const blocks = fences(md);
  const out: DocCommand[] = [];
  blocks.forEach((b, k) => {
    if (b.lang !== 'sh') return;
    const next = blocks[k + 1];
    const shown = next?.lang === 'text' ? next.body : undefined;
    const mine: DocCommand[] = [];
    b.body.forEach((text, j) => {
      if (!text.startsWith('npx crsim ')) return;
      const hash = text.indexOf(' #');
      const command = hash < 0 ? text : text.slice(0, hash);
      const comment = hash < 0 ? '' : text.slice(hash + 2);
      const exit = /\bexit (\d+)/.exec(comment);
      mine.push({
        page,
        line: b.line + 1 + j,
        args: command.trim().split(/\s+/).slice(2),
        exit: exit ? Number(exit[1]) : 0,
        says: [...comment.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
      });
    });
    if (shown && mine.length > 0) mine[mine.length - 1] = { ...mine[mine.length - 1]!, stdout: shown };
    out.push(...mine);
  });
  return out;
}

/** Timings vary from run to run: `1.30 s` → `… s`; trailing blanks do not count. */
const normalise = (l: string): string => l.replace(/\d+(?:\.\d+)? s\b/g, '… s').trimEnd();

/** The first expected line that is not found in order in `actual`, or null when all are. */
export function missingLine(expected: readonly string[], actual: string): string | null {
  const act = actual.split('\n').map(normalise);
  let at = 0;
  let skipping = false;
  for (const raw of expected) {
    const want = normalise(raw);
    if (want.trim() === '…') {
      skipping = true;
      continue;
    }
    const found = act.indexOf(want, at);
    // without a `…` before it, a line must follow the previous one directly
    if (found < 0 || (!skipping && at > 0 && found !== at)) return raw;
    at = found + 1;
    skipping = false;
  }
  return null;
}

/** Paths of the command line live in the page's scratch directory; a pid range such as 0/2 is no path. */
const localPath = (dir: string, a: string): string =>
  !a.startsWith('-') && !/^\d+\/\d+$/.test(a) && (a.includes('/') || /\.(json|html|ts)$/.test(a)) ? join(dir, a) : a;

describe('the docs convention', () => {
  it('reads exit codes, quoted strings and the output block', () => {
    const md = ['```sh', 'npm ci', 'npx crsim check -t 1   # exit 1, "P8 violated", "(-ESRCH)"', 'npx crsim models', '```', '', '```text', 'v18 x', '```'].join('\n');
    expect(docCommands('x.md', md)).toEqual([
      { page: 'x.md', line: 3, args: ['check', '-t', '1'], exit: 1, says: ['P8 violated', '(-ESRCH)'] },
      { page: 'x.md', line: 4, args: ['models'], exit: 0, says: [], stdout: ['v18 x'] },
    ]);
  });

  it('matches output lines in order, `…` skipping, timings aside', () => {
    expect(missingLine(['a', 'b'], 'a\nb\nc')).toBeNull();
    expect(missingLine(['b', 'c'], 'a\nb\nc')).toBeNull();
    expect(missingLine(['a', 'c'], 'a\nb\nc')).toBe('c');
    expect(missingLine(['a', '…', 'c'], 'a\nb\nc')).toBeNull();
    expect(missingLine(['c', 'a'], 'a\nb\nc')).toBe('a');
    expect(missingLine(['done, 0.20 s; ok'], 'done, 13.5 s; ok')).toBeNull();
    expect(missingLine(['P2 holds'], 'P2 violated')).toBe('P2 holds');
  });
});

describe('every command the README and docs show runs as they say', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  for (const page of PAGES) {
    const commands = docCommands(page, read(page));
    if (commands.length === 0) continue;
    it(`${page}: ${commands.length} commands`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'crsim-docs-'));
      dirs.push(dir);
      symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'), 'dir');
      const failures: string[] = [];
      for (const c of commands) {
        const args = c.args.map((a) => localPath(dir, a));
        const r = await runCli(...args);
        const where = `${c.page}:${c.line}: npx crsim ${c.args.join(' ')}`;
        const text = `${r.out}\n${r.err}`;
        if (r.code !== c.exit) failures.push(`${where}\n  exit ${r.code}, the page says ${c.exit}\n  ${text.slice(0, 400)}`);
        for (const s of c.says) if (!text.includes(s)) failures.push(`${where}\n  does not print "${s}"\n  ${text.slice(0, 400)}`);
        if (c.stdout) {
          const miss = missingLine(c.stdout, r.out);
          if (miss !== null) failures.push(`${where}\n  does not print, where the page shows it:\n  ${miss}`);
        }
        const outFile = args[Math.max(args.indexOf('-o'), args.indexOf('--out')) + 1];
        if ((args.includes('-o') || args.includes('--out')) && r.code < 2 && outFile && !(existsSync(outFile) && statSync(outFile).size > 0)) {
          failures.push(`${where}\n  wrote no ${outFile}`);
        }
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    });
  }
});

/** Every file of the project a reader may open (no node_modules, no build output). */
function projectFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? projectFiles(p) : /\.(md|ts|mjs|js|json)$/.test(e.name) ? [p] : [];
  });
}

describe('the pages stand alone', () => {
  it('link only to files of the project', () => {
    const broken: string[] = [];
    for (const page of [...PAGES, ...OWN_RUNNER.map((f) => `docs/${f}`)]) {
      for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (!target || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(ROOT, dirname(page), target))) broken.push(`${page}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the project points at files outside it (the shared folder of its authors)', () => {
    const outside = ['..', 'shared'].join('/');
    const hits = projectFiles()
      .filter((f) => !f.endsWith('package-lock.json'))
      .filter((f) => readFileSync(f, 'utf8').includes(outside))
      .map((f) => relative(ROOT, f));
    expect(hits).toEqual([]);
  });

  it('the README takes a few minutes to read: at most 1,500 words', () => {
    expect(read('README.md').split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(1500);
  });
});

describe('docs/cli.md has every option of check, and no other', () => {
  it('matches check --help', async () => {
    const help = new Set((await runCli('check', '--help')).out.match(/--[a-z][a-z-]*/g));
    help.delete('--help');
    const table = read('docs/cli.md')
      .split('\n')
      .filter((l) => l.startsWith('| `-'))
      .map((l) => l.split(' | ')[0]!);
    const documented = new Set(table.join(' ').match(/--[a-z][a-z-]*/g));
    expect([...help].filter((o) => !documented.has(o)), 'in check --help, not in docs/cli.md').toEqual([]);
    expect([...documented].filter((o) => !help.has(o)), 'in docs/cli.md, not in check --help').toEqual([]);
  });
});

describe('docs/reports.md names every field of check --json', () => {
  it('on an exhaustive violation saved with --out, and on PCT runs on workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crsim-docs-json-'));
    try {
      const keys = new Set<string>();
      for (const args of [
        ['check', '-t', '1', '--json', '--out', join(dir, 'cex.json')],
        ['check', '-t', '2', '--strategy', 'pct', '--runs', '20', '--workers', '1', '--json'],
      ]) {
        for (const k of Object.keys(JSON.parse((await runCli(...args)).out) as object)) keys.add(k);
      }
      expect(keys.size).toBeGreaterThan(15);
      const reports = read('docs/reports.md');
      expect([...keys].filter((k) => !reports.includes(`\`${k}\``))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/contract.md names what the code has', () => {
  const contract = read('docs/contract.md');
  const model = buildModel(v18, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'zombie' }] }));
  const s = model.init();

  it('every field of the state, as the changed column names it', () => {
    const names = [
      ...Object.keys(s.ctx).map((k) => `\`ctx.${k}\``),
      ...Object.keys(s.coord).filter((k) => k !== 'pc').map((k) => `.${k}\``),
      ...Object.keys(s.tasks[0]!).filter((k) => k !== 'pc').map((k) => `.${k}\``),
      ...Object.keys(s).filter((k) => k !== 'ctx' && k !== 'coord' && k !== 'tasks').map((k) => `\`${k}`),
    ];
    expect(names.filter((n) => !contract.includes(n))).toEqual([]);
  });

  it('every signal disposition', () => {
    expect(DISPOSITIONS.filter((d) => !contract.includes(`\`${d}\``))).toEqual([]);
  });

  it('every model and mutant of the registry, and every property', () => {
    expect(variants.map((v) => v.name).filter((n) => !contract.includes(`| \`${n}\` |`))).toEqual([]);
    expect(restartProperties(model).map((p) => p.id).filter((id) => !contract.includes(`| ${id} |`))).toEqual([]);
  });
});
