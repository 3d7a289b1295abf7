/** `crsim simulate --html` in a real headless Chromium: no console error, no network, the tables and the plots drawn. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from './chromium.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-simulate-html-'));
const OUT = join(import.meta.dirname, '..', 'test-output');
const single = join(dir, 'sim.html');
const sweep = join(dir, 'sweep.html');
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  expect((await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '1000', '--html', single)).code).toBe(1);
  expect((await runCli('simulate', '-m', 'v18', '-t', '2', '--runs', '300', '--sweep', 'wakeup=1:2:0.5', '--html', sweep)).code).toBe(1);
  context = await launchChromium();
}, 120_000);

afterAll(async () => {
  await context?.close();
});

const open = (file: string): ReturnType<typeof openPage> => openPage(context, file);

describe('the simulate page in Chromium', () => {
  it('shows every property with its interval, the times, and two drawn plots', async () => {
    const { p, errors, requests } = await open(single);
    expect(await p.locator('#estimates tbody tr').count()).toBe(11);
    expect(await p.locator('#estimates tr.hit[data-property="P8"]').count()).toBe(1);
    expect(await p.locator('#times tbody tr').allTextContents()).toEqual([expect.stringMatching(/^restart duration/), expect.stringMatching(/^coordinator wake-up/)]);
    for (const id of ['#cdf', '#histogram']) {
      const box = await p.locator(`${id} svg`).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await p.locator(`${id} svg path, ${id} svg rect`).count()).toBeGreaterThan(5);
    }
    await p.screenshot({ path: join(OUT, 'simulate.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);

  it('a sweep page draws one point per value', async () => {
    const { p, errors, requests } = await open(sweep);
    expect(await p.locator('#sweep svg').count()).toBe(1);
    expect(await p.locator('#sweep svg .mark-symbol.role-mark path').count()).toBe(3);
    expect(await p.locator('#summary').textContent()).toMatch(/sweep of the wakeup delay scale/);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);
});
