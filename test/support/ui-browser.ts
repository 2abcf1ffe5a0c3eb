import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cli, ROOT, satelliteEnv, startSatellite, type Env, type RunningProcess } from './sync-processes.js';

/**
 * The web UI tests' world: a real `satellite serve` on port 0 with its own data directory, and Debian's
 * Chromium driven by playwright-core (DESIGN §2: e2e with real tools). One browser per test file.
 */
export const CHROMIUM = '/usr/bin/chromium';
// Headless, and nothing that phones home: the machine's network is closed and must stay quiet.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface UiSatellite {
  server: RunningProcess & { jsonUrl: string; rootCa: string };
  baseUrl: string;
  env: Env;
  dir: string;
  /** The admin's one-time password, from the file the first start's banner names (DESIGN §11). */
  initialPassword: string;
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startUiSatellite(extraEnv: Env = {}): Promise<UiSatellite> {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-ui-'));
  const env = satelliteEnv(join(dir, 'data'), extraEnv);
  const server = await startSatellite(env);
  const baseUrl = /serving on (https:\/\/\S+)/.exec(server.banner)?.[1];
  assert.ok(baseUrl, `banner names the URL: ${server.banner}`);
  // Written before the banner is printed; the banner names it (test/e2e/serve-and-device-cli.test.ts checks that).
  const initialPassword = readFileSync(join(dir, 'data', 'initial-admin-password'), 'utf8').trim();
  return {
    server, baseUrl, env, dir, initialPassword,
    cli: (...args: string[]) => cli(env, ...args),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A 1280×800 context (DESIGN §10) that trusts the satellite's self-issued certificate and keeps downloads. */
export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, acceptDownloads: true });
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Sets a user's password from the CLI (`satellite user passwd --password-stdin`: no forced change). */
export async function setPassword(satellite: UiSatellite, username: string): Promise<string> {
  const password = `${username}-password-1`;
  await new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts'), 'user', 'passwd', username, '--password-stdin'],
      { env: satellite.env, cwd: ROOT }, (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(`${password}\n`);
  });
  return password;
}

/** axe-core on the page as it is: no serious or critical violation (DESIGN §10). */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`), [], `${what} has accessibility violations`);
}

/** Every request the page makes, to check that nothing leaves the satellite's origin. */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  return urls;
}
