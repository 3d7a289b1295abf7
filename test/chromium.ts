/**
 * The headless Chromium the HTML checks launch: CRSIM_CHROMIUM=/path, else
 * the browser @sparticuz/chromium ships (unpacked to /tmp on first use). No
 * browser is a failure that says how to get one, never a skip. (The same
 * choice as test/browser.test.ts makes.)
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const HOW = 'run `npm ci` (it installs @sparticuz/chromium, which ships the browser), or set CRSIM_CHROMIUM to a Chromium or Chrome executable';

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
    throw new Error(`no browser for the HTML tests: @sparticuz/chromium does not load (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
  let executablePath: string;
  try {
    executablePath = await packaged.executablePath();
  } catch (e) {
    throw new Error(`no browser for the HTML tests: @sparticuz/chromium could not unpack its binary (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
  return { executablePath, args: [...packaged.args, ...own] };
}

/** A fresh headless browser context. */
export async function launchChromium(viewport = { width: 1300, height: 900 }): Promise<BrowserContext> {
  const { executablePath, args } = await browser();
  try {
    return await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'crsim-chromium-')), { executablePath, headless: true, args, viewport });
  } catch (e) {
    throw new Error(`the browser at ${executablePath} does not start (${(e as Error).message.split('\n')[0]}); ${HOW}`);
  }
}

/** Opens a local file in a new page, collecting console errors and any request that leaves the file. */
export async function openPage(context: BrowserContext, file: string): Promise<{ p: Page; errors: string[]; requests: string[] }> {
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
  await p.goto(pathToFileURL(file).href);
  return { p, errors, requests };
}
