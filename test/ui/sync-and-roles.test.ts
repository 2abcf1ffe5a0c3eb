import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { field, ROOT } from '../support/sync-processes.js';
import { assertAccessible, launchBrowser, newContext, setPassword, signIn, startUiSatellite, type UiSatellite } from '../support/ui-browser.js';

/**
 * The disconnected sync round trip through the Synchronization page (request file down, the reference
 * upstream's response file up, a tampered one refused with its reason), and what each role may see.
 */
describe('web UI: synchronization and roles in Chromium', () => {
  let satellite: UiSatellite;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let upstreamDir: string;
  const main = () => page.getByRole('main');
  const passwords: Record<string, string> = {};
  const changePassword = async (p: Page, current: string) => {
    await p.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();
    await p.getByLabel('Current password').fill(current);
    await p.getByLabel('New password', { exact: true }).fill(`${current}-mine`);
    await p.getByLabel('Confirm new password').fill(`${current}-mine`);
    await p.getByRole('button', { name: 'Change password' }).click();
  };

  beforeAll(async () => {
    satellite = await startUiSatellite();
    upstreamDir = join(satellite.dir, 'upstream');
    const init = await satellite.cli('upstream', 'init', '--data', upstreamDir, '--orders', join(ROOT, 'sync/upstream/examples/orders.json'));
    const registration = join(satellite.dir, 'registration.json');
    await satellite.cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site A', '--account', 'Acme Corp', '--va', 'Default', '--out', registration);
    await satellite.cli('sync', 'register', registration, '--fingerprint', field(init, 'upstream key fingerprint (SHA-256)'));
    passwords.admin = await setPassword(satellite, 'admin');
    browser = await launchBrowser();
    admin = await newContext(browser, satellite.baseUrl);
    admin.setDefaultTimeout(10_000);
    page = await admin.newPage();
    await page.goto('/synchronization');
    await signIn(page, 'admin', passwords.admin ?? '');
    await page.getByRole('heading', { level: 1, name: 'Synchronization' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await satellite?.stop();
  });

  it('downloads the request file, imports the upstream\'s response file and lists it in the history', async () => {
    await main().getByText('Disconnected (files carried by hand)').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download request file' }).click()]);
    const requestFile = join(satellite.dir, 'request.zip');
    await download.saveAs(requestFile);
    const responseFile = join(satellite.dir, 'response.zip');
    await satellite.cli('upstream', 'process', requestFile, '--data', upstreamDir, '--out', responseFile);

    await page.getByLabel('Upload response file').setInputFiles(responseFile);
    const result = main().getByRole('status').filter({ hasText: 'Imported response' });
    await result.waitFor();
    assert.match(await result.innerText(), /Imported response \d+: 2 license lines added/);
    const history = main().getByRole('table', { name: 'Response files imported, newest first' });
    await history.getByRole('row').nth(1).waitFor();
    assert.match(await history.getByRole('row').nth(1).innerText(), /IMPORTED.*\b2\b/s);
    await assertAccessible(page, 'the Synchronization page after an import');

    // The new licenses are there for the account the upstream bound.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses', exact: true }).click();
    await page.getByLabel('Account', { exact: true }).selectOption('Acme Corp');
    await main().getByRole('row').nth(2).waitFor();
  });

  it('refuses a tampered response file and shows the reason in the upload form', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Synchronization', exact: true }).click();
    const bundle = readFileSync(join(satellite.dir, 'response.zip'));
    // manifest.json is stored uncompressed: change one character of its bundle id, as a forger would.
    const marker = Buffer.from('"bundle_id": "');
    const at = bundle.indexOf(marker) + marker.length;
    assert.ok(at > marker.length, 'the response names its bundle id in a stored manifest');
    const tampered = Buffer.from(bundle);
    tampered[at] = tampered[at] === 0x61 ? 0x62 : 0x61;
    const file = join(satellite.dir, 'tampered.zip');
    writeFileSync(file, tampered);
    await page.getByLabel('Upload response file').setInputFiles(file);
    const alert = page.getByRole('form', { name: 'Import a response file' }).getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /^The response file was refused: .+ \([A-Z_]+\)$/);
    assert.match(await alert.innerText(), /signature/i);
  });

  it('an admin creates an operator and a viewer on Users; each one-time password is shown once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: 'API clients' }).waitFor();
    for (const [name, role] of [['oscar', 'operator'], ['vera', 'viewer']] as const) {
      const form = main().getByRole('form', { name: 'Create user' });
      await form.getByLabel('Username').fill(name);
      await form.getByLabel('Role').selectOption(role);
      await form.getByRole('button', { name: 'Create user' }).click();
      const dialog = page.getByRole('dialog', { name: `Password of ${name}` });
      passwords[name] = await dialog.getByRole('textbox', { name: 'Password' }).inputValue();
      assert.ok((passwords[name] ?? '').length >= 12);
      await dialog.getByRole('button', { name: 'Done' }).click();
      assert.match(await main().getByRole('row').filter({ hasText: name }).innerText(), new RegExp(`${role}[\\s\\S]*Must change password`));
    }
  });

  it('a viewer sees every page but no control that changes anything, and no Users or Settings link', async () => {
    const context = await newContext(browser, satellite.baseUrl);
    context.setDefaultTimeout(10_000);
    const viewer = await context.newPage();
    await viewer.goto('/dashboard');
    await signIn(viewer, 'vera', passwords.vera ?? '');
    await changePassword(viewer, passwords.vera ?? '');
    await viewer.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const nav = viewer.getByRole('navigation', { name: 'Main' });
    assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map((l) => l.trim()),
      ['Dashboard', 'Licenses', 'Product Instances', 'Tokens', 'Reservations', 'Event Log', 'Alerts', 'Synchronization', 'Accounts']);
    for (const name of ['Licenses', 'Tokens', 'Product Instances', 'Synchronization', 'Accounts', 'Reservations']) {
      await nav.getByRole('link', { name, exact: true }).click();
      await viewer.getByRole('heading', { level: 1, name, exact: true }).waitFor();
      await viewer.waitForLoadState('networkidle');
      const buttons = (await viewer.getByRole('main').getByRole('button').allInnerTexts()).map((b) => b.trim());
      assert.deepEqual(buttons.filter((b) => b !== 'Search' && b !== 'Filter'), [], `${name}: a viewer has no write control`);
      assert.equal(await viewer.getByLabel('Upload response file').count(), 0);
    }
    await context.close();
  });

  it('an operator has write controls but no Users or Settings link', async () => {
    const context = await newContext(browser, satellite.baseUrl);
    context.setDefaultTimeout(10_000);
    const operator = await context.newPage();
    await operator.goto('/tokens');
    await signIn(operator, 'oscar', passwords.oscar ?? '');
    await changePassword(operator, passwords.oscar ?? '');
    await operator.getByRole('heading', { level: 1, name: 'Tokens' }).waitFor();
    await operator.getByRole('button', { name: 'Create token' }).waitFor();
    const nav = operator.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Settings' }).count(), 0);
    await context.close();
  });
});
