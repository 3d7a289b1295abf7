/**
 * The HTML report in a real headless Chromium: no console errors, no network,
 * one lane per actor, a step shows what it changed when clicked. Screenshots
 * go to test-output/.
 *
 * The browser comes from the npm registry with the dev dependencies
 * (@sparticuz/chromium ships the binary, unpacked to /tmp on first use), so
 * `npm ci && npm test` needs nothing installed by hand. CRSIM_CHROMIUM=/path
 * uses a system browser instead. No browser is a failure that says how to get
 * one, never a skip.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { ReplayFile } from '../src/trace/replayfile.ts';

const HOW = 'run `npm ci` (it installs @sparticuz/chromium, which ships the browser), or set CRSIM_CHROMIUM to a Chromium or Chrome executable';

/** The browser to launch and the flags it needs: CRSIM_CHROMIUM, else the packaged one. */
async function browser(): Promise<{ executablePath: string; args: string[] }> {
  const own = ['--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
  const system = process.env['CRSIM_CHROMIUM'];
  if (system !== undefined && system !== '') {
    if (!existsSync(system)) throw new Error(`CRSIM_CHROMIUM=${system}: no such file (expected the path of a Chromium or Chrome executable); unset it to use the packaged browser`);
    return { executablePath: system, args: ['--headless', '--no-sandbox', '--disable-gpu', ...own] };
  }
  let packaged: typeof import('@sparticuz/chromium').default;
  try {
    packaged = (await import('@sparticuz/chromium')).default;
  } catch (e) {
    throw new Error(`no browser for the HTML report test: @sparticuz/chromium does not load (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
  let executablePath: string;
  try {
    executablePath = await packaged.executablePath();
  } catch (e) {
    throw new Error(`no browser for the HTML report test: @sparticuz/chromium could not unpack its binary (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
  return { executablePath, args: [...packaged.args, ...own] };
}

const dir = mkdtempSync(join(tmpdir(), 'crsim-browser-'));
const OUT = join(import.meta.dirname, '..', 'test-output');
const cex = join(dir, 'cex.json');
const page = join(dir, 'cex.html');
let context: BrowserContext;
let saved: ReplayFile;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const quiet = (): void => undefined;
  expect(await main(['check', '--model', 'mutant:B2', '--tasks', '3', '--zombies', '1', '--out', cex], quiet)).toBe(1);
  expect(await main(['report', cex, '--format', 'html', '-o', page], quiet)).toBe(0);
  saved = JSON.parse(readFileSync(cex, 'utf8')) as ReplayFile;
  const { executablePath, args } = await browser();
  try {
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'crsim-chromium-')), {
      executablePath,
      headless: true,
      args,
      viewport: { width: 1500, height: 950 },
    });
  } catch (e) {
    throw new Error(`the browser at ${executablePath} does not start (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
});

afterAll(async () => {
  await context?.close();
});

describe('the HTML report in Chromium', () => {
  it('loads with no console error and no network request, one lane per actor, one box per step', async () => {
    const p = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await p.goto(pathToFileURL(page).href);
    const lanes = await p.locator('#lane-heads .lane-name').allTextContents();
    const actors = [...new Set(['coordinator', ...saved.steps.map((s) => s.actor)])];
    expect(lanes.length).toBe(await p.locator('#lanes .lane').count());
    for (const a of actors) expect(lanes).toContain(a);
    expect(lanes[0]).toBe('coordinator');
    expect(lanes.filter((l) => /^(live|zombie|thread|ghost|extra) \d+$/.test(l))).toHaveLength(saved.scenario.tasks.length);
    expect(await p.locator('#lanes .step').count()).toBe(saved.steps.length);
    expect(await p.locator('.arrow').count()).toBeGreaterThan(0); // here the activation's lookup fails (B4)
    expect(await p.locator('.blocked').count()).toBeGreaterThan(0);
    // the panel opens on the violating step
    await expect.poll(() => p.locator('#panel h2').textContent()).toContain(`Step ${saved.steps.length} of ${saved.steps.length}`);
    expect(await p.locator('#panel').textContent()).toContain(`${saved.violation.property} violated`);
    await p.screenshot({ path: join(OUT, 'report.png') });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await p.close();
  });

  it('a click on a step shows what it changed and the kernel line; arrow keys move between steps', async () => {
    const p = await context.newPage();
    await p.goto(pathToFileURL(page).href);
    const k = saved.steps.findIndex((s) => s.label === 'C4') + 1;
    await p.locator(`#lanes .step[data-step="${k}"]`).click();
    const panel = p.locator('#panel');
    expect(await panel.locator('h2').textContent()).toBe(`Step ${k} of ${saved.steps.length}: C4`);
    expect(await panel.locator('.cite').textContent()).toContain('do_restore_coord');
    expect(await panel.locator('td.p').allTextContents()).toContain('ctx.refcount');
    expect(await p.locator(`.row.selected`).getAttribute('data-step')).toBe(String(k));
    await p.keyboard.press('ArrowDown');
    expect(await panel.locator('h2').textContent()).toMatch(new RegExp(`^Step ${k + 1} of `));
    await p.locator('#panel details summary').click();
    expect(JSON.parse((await p.locator('#panel details pre').textContent())!)).toHaveProperty('ctx');
    await p.locator(`#lanes .step[data-step="${saved.steps.length - 3}"]`).click();
    await p.screenshot({ path: join(OUT, 'report-selected.png'), fullPage: true });
    await p.close();
  });
});
