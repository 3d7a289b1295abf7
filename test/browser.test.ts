/**
 * The HTML report in a real headless Chromium: no console errors, no network,
 * one lane per actor, a step shows what it changed when clicked. Screenshots
 * go to test-output/.
 *
 * The browser (test/chromium.ts) comes from the npm registry with the dev
 * dependencies (@sparticuz/chromium ships the binary, unpacked to /tmp on
 * first use), so `npm ci && npm test` needs nothing installed by hand.
 * CRSIM_CHROMIUM=/path uses a system browser instead. No browser is a failure
 * that says how to get one, never a skip.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { ReplayFile } from '../src/trace/replayfile.ts';
import { launchChromium, openPage } from './chromium.ts';

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
  context = await launchChromium({ width: 1500, height: 950 });
});

afterAll(async () => {
  await context?.close();
});

describe('the HTML report in Chromium', () => {
  it('loads with no console error and no network request, one lane per actor, one box per step', async () => {
    const { p, errors, requests } = await openPage(context, page);
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
