import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../support/sync-processes.js';
import { assertAccessible, launchBrowser, newContext, recordRequests, signIn, startUiSatellite, type UiSatellite } from '../support/ui-browser.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const PAGES = ['Dashboard', 'Licenses', 'Product Instances', 'Tokens', 'Reservations', 'Event Log', 'Alerts', 'Synchronization', 'Accounts', 'Users', 'Settings'];
const NEW_PASSWORD = 'a-new-admin-password-2026';

/**
 * The admin's day in the web UI, against a real `satellite serve` (seeded with the demo account) and a
 * real device CLI: first sign-in, every page, a token used by a device, a shortfall, a license transfer,
 * a deep link, the end of a session. Tests run in order and share one signed-in page.
 */
describe('web UI: the admin workspace in Chromium', () => {
  let satellite: UiSatellite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  const main = () => page.getByRole('main');
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const open = async (name: string) => {
    await nav().getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  };

  beforeAll(async () => {
    satellite = await startUiSatellite();
    await satellite.cli('demo', 'seed');
    browser = await launchBrowser();
    context = await newContext(browser, satellite.baseUrl);
    context.setDefaultTimeout(10_000);
    requests = recordRequests(context);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await satellite?.stop();
  });

  it('first sign-in: a link asked for while signed out, the forced password change, then that link', async () => {
    await page.goto('/licenses?account=Demo%20Account&va=Default');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await assertAccessible(page, 'the sign-in page');
    await signIn(page, 'admin', 'wrong-password');
    assert.match(await page.getByRole('alert').innerText(), /invalid username or password|password/i);
    await signIn(page, 'admin', satellite.initialPassword);
    await page.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();
    await assertAccessible(page, 'the password change');
    await page.getByLabel('Current password').fill(satellite.initialPassword);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Licenses', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/licenses');
    assert.equal(new URL(page.url()).searchParams.get('va'), 'Default');
    await page.getByRole('cell', { name: 'UCM Enhanced License (12.x)' }).waitFor();
  });

  it('shows the eleven pages in the Main navigation, each with its name as h1 and no serious accessibility violation', async () => {
    const links = await nav().getByRole('link').allInnerTexts();
    assert.deepEqual(links.map((l) => l.trim()), PAGES);
    for (const name of PAGES) {
      await open(name);
      await page.waitForLoadState('networkidle');
      await assertAccessible(page, `the ${name} page`);
    }
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('Licenses has the seeds\' columns and the Account and Virtual Account selects', async () => {
    await open('Licenses');
    const headers = (await main().getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    assert.deepEqual(headers, ['License', 'Billing', 'Purchased', 'In Use', 'Substitution', 'Balance', 'Alerts', 'Actions']);
    const row = main().getByRole('row').filter({ hasText: 'UCM Enhanced License (12.x)' });
    // The headers render before the pool rows and the selects' options arrive; neither allInnerTexts nor
    // inputValue waits for them, so wait for the row and for each select's option first.
    await row.waitFor();
    await page.getByLabel('Account', { exact: true }).locator('option', { hasText: 'Demo Account' }).waitFor({ state: 'attached' });
    await page.getByLabel('Virtual Account').locator('option', { hasText: 'Default' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Account', { exact: true }).inputValue(), 'Demo Account');
    assert.equal(await page.getByLabel('Virtual Account').inputValue(), 'Default');
    assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(2, 6).map((c) => c.trim()), ['100', '0', '-', '+100']);
  });

  it('creates a token, shows its secret once, and a device registered with it through the CLI appears in Product Instances', async () => {
    await open('Tokens');
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create token' });
    await dialog.getByLabel('Description').fill('lab switches');
    await dialog.getByLabel('Expires after (days)').fill('7');
    await dialog.getByLabel('Max uses').fill('2');
    await dialog.getByLabel('Allow export-controlled functionality').check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = await dialog.getByRole('textbox', { name: 'Token' }).inputValue();
    assert.ok(secret.length > 20, 'the token secret is shown');
    await dialog.getByRole('button', { name: 'Copy' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = main().getByRole('row').filter({ hasText: 'lab switches' });
    assert.match(await row.innerText(), /0 of 2/);
    assert.doesNotMatch(await main().innerText(), new RegExp(secret), 'the secret is not shown again');

    const state = join(satellite.dir, 'device-1');
    const registered = await satellite.cli('device', 'register', '--url', satellite.server.jsonUrl, '--token', secret, '--ca', satellite.server.rootCa,
      '--state', state, '--serial', 'FCW2222L0UI', '--hostname', 'lab-switch-1');
    assert.match(registered, /status: OK/);
    await satellite.cli('device', 'authorize', '--state', state, '--tag', `${UCM}=40`);

    await open('Product Instances');
    const headers = (await main().getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    assert.deepEqual(headers, ['Name', 'Product', 'Serial Number', 'Last Contact', 'Authorization', 'Alerts', 'Actions']);
    const device = main().getByRole('row').filter({ hasText: 'FCW2222L0UI' });
    assert.match(await device.innerText(), /lab-switch-1/);
    assert.match(await device.innerText(), /Authorized/);
    await page.getByRole('searchbox', { name: 'Search' }).fill('FCW2222');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/search=FCW2222/);
    assert.equal(await main().getByRole('row').filter({ hasText: 'FCW2222L0UI' }).count(), 1);
  });

  it('a shortfall shows Out of Compliance on Licenses and the Dashboard, with an Insufficient Licenses alert', async () => {
    await satellite.cli('device', 'authorize', '--state', join(satellite.dir, 'device-1'), '--tag', `${UCM}=150`);
    await open('Licenses');
    const row = main().getByRole('row').filter({ hasText: 'UCM Enhanced License (12.x)' });
    await row.getByText('Out of Compliance').waitFor();
    await row.getByText('Insufficient Licenses').waitFor();
    // DESIGN §8: the balance is signed, negative by the shortfall (100 purchased, 150 in use).
    assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(2, 6).map((c) => c.trim()), ['100', '150', '-', '-50']);
    await open('Alerts');
    const alert = main().getByRole('row').filter({ hasText: 'Insufficient Licenses' });
    assert.match(await alert.innerText(), /Major/);
    assert.match(await alert.innerText(), /UCM Enhanced License \(12\.x\).*short by 50/);
    await open('Dashboard');
    await main().getByText('Out of Compliance: 1 of 2 licenses short').waitFor();
    // The usage-trend chart of each license, from the usage history the start-up sweep wrote a row of.
    await main().getByRole('img', { name: /^UCM Enhanced License \(12\.x\): peak in use \d+ on \d{4}-\d\d-\d\d/ }).waitFor();
    await main().locator('figure.chart canvas').first().waitFor();
  });

  it('creates a virtual account and transfers licenses to it', async () => {
    await open('Accounts');
    await page.getByRole('heading', { level: 2, name: 'Virtual Accounts' }).waitFor();
    await page.getByLabel('Virtual account name').fill('Lab');
    await page.getByRole('button', { name: 'Create virtual account' }).click();
    await main().getByRole('cell', { name: 'Lab', exact: true }).waitFor();

    await open('Licenses');
    await page.getByRole('button', { name: 'Transfer C9300 DNA Advantage' }).click();
    const dialog = page.getByRole('dialog', { name: 'Transfer C9300 DNA Advantage' });
    await dialog.getByLabel('Quantity').fill('50');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    assert.match(await dialog.getByRole('alert').innerText(), /\S/, 'the API refusal is shown in the dialog');
    await dialog.getByLabel('Quantity').fill('4');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = () => main().getByRole('row').filter({ hasText: 'C9300 DNA Advantage' });
    await row().getByRole('cell', { name: '6', exact: true }).waitFor();
    await page.getByLabel('Virtual Account').selectOption('Lab');
    await page.waitForURL(/va=Lab/);
    await row().getByRole('cell', { name: '4', exact: true }).waitFor();
    assert.equal((await row().getByRole('cell').nth(2).innerText()).trim(), '4');
  });

  it('a deep link to a product instance survives a reload', async () => {
    await page.goto('/product-instances?account=Demo%20Account&va=Default');
    await main().getByRole('link', { name: 'lab-switch-1' }).click();
    await page.getByRole('heading', { level: 1, name: 'lab-switch-1' }).waitFor();
    const url = page.url();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'lab-switch-1' }).waitFor();
    assert.equal(page.url(), url);
    await main().getByText('FCW2222L0UI').first().waitFor();
    await assertAccessible(page, 'the product instance detail');
  });

  it('shows a license\'s detail, revokes a token, transfers a product instance (forced past a refusal) and removes it, each after confirmation', async () => {
    await page.goto('/licenses?account=Demo%20Account&va=Default');
    await main().getByRole('link', { name: 'UCM Enhanced License (12.x)' }).click();
    await page.getByRole('heading', { level: 1, name: 'UCM Enhanced License (12.x)' }).waitFor();
    await main().getByRole('table', { name: /product instances report/ }).getByRole('link', { name: 'lab-switch-1' }).waitFor();
    await main().getByRole('img', { name: /^UCM Enhanced License \(12\.x\): peak in use .* of 100 purchased on \d{4}-\d\d-\d\d \(balance -?\d+\)\.$/ }).waitFor();
    await main().locator('figure.chart canvas').waitFor();
    await assertAccessible(page, 'the license detail');

    await open('Tokens');
    await page.getByRole('button', { name: 'Revoke lab switches' }).click();
    await page.getByRole('dialog', { name: 'Revoke lab switches' }).getByRole('button', { name: 'Revoke' }).click();
    await main().getByRole('row').filter({ hasText: 'lab switches' }).getByRole('cell', { name: 'REVOKED' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke lab switches' }).count(), 0);

    await open('Product Instances');
    await page.getByRole('button', { name: 'Transfer lab-switch-1' }).click();
    const transfer = page.getByRole('dialog', { name: 'Transfer lab-switch-1' });
    await transfer.getByLabel('To virtual account').selectOption('Lab');
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    assert.match(await transfer.getByRole('alert').innerText(), /UCM|regid/, 'the refusal names the license that does not fit');
    await transfer.getByLabel('Transfer even if the target is short of licenses').check();
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await main().getByRole('cell', { name: 'No product instances match.' }).waitFor();
    await page.getByLabel('Virtual Account').selectOption('Lab');
    await main().getByRole('row').filter({ hasText: 'FCW2222L0UI' }).waitFor();

    await page.getByRole('button', { name: 'Remove lab-switch-1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove lab-switch-1' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await main().getByRole('row').filter({ hasText: 'FCW2222L0UI' }).count(), 1, 'cancel keeps it');
    await page.getByRole('button', { name: 'Remove lab-switch-1' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await main().getByRole('cell', { name: 'No product instances match.' }).waitFor();
  });

  it('fetches nothing but the satellite\'s own origin', () => {
    const foreign = requests.filter((url) => !url.startsWith(satellite.baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'));
    assert.deepEqual(foreign, []);
  });

  it('keeps the first page\'s JavaScript and CSS under 150 KB gzipped', () => {
    const index = readFileSync(join(ROOT, 'dist/web/index.html'), 'utf8');
    const assets = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `index.html names its script and stylesheet: ${index}`);
    const gzipped = assets.reduce((sum, asset) => sum + gzipSync(readFileSync(join(ROOT, 'dist/web', asset))).length, 0);
    assert.ok(gzipped < 150 * 1024, `first page: ${gzipped} bytes gzipped`);
  });

  it('a session the satellite no longer knows leads back to sign-in with a message, then back to the page', async () => {
    await page.goto('/tokens?account=Demo%20Account&va=Default');
    await page.getByRole('heading', { level: 1, name: 'Tokens' }).waitFor();
    // The heading shows before the page's last requests finish; one of them answered 401 after the cookies went
    // would send the page to sign-in by itself, before the click (2 runs in 7 failed so).
    await page.waitForLoadState('networkidle');
    await context.clearCookies();
    await nav().getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), /session has ended/i);
    await signIn(page, 'admin', NEW_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
  });

  it('an idle session goes back to sign-in by itself, saying why', async () => {
    await page.clock.install();
    await page.goto('/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.clock.fastForward('31:00');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), /30 minutes without activity/);
    assert.match(page.url(), /next=%2Fdashboard/);
  });

  it('signs out', async () => {
    await signIn(page, 'admin', NEW_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.goto('/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
});
