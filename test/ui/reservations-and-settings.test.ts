import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { assertAccessible, launchBrowser, newContext, setPassword, signIn, startUiSatellite, type UiSatellite } from '../support/ui-browser.js';

const UCM_NAME = 'UCM Enhanced License (12.x)';

/**
 * A reservation through the Reservations page (DESIGN §9, §10) with an air-gapped device that only runs
 * `satellite device reservation ...` on its own state directory: the admin carries the request code, the
 * authorization code and the confirmation code between the browser and the device by hand. Then the
 * admin's Settings: a backup downloaded from the browser.
 */
describe('web UI: reservations and settings in Chromium', () => {
  let satellite: UiSatellite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let chain = '';
  const main = () => page.getByRole('main');
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const open = async (name: string) => {
    await nav().getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  };
  const device = (...args: string[]) => satellite.cli('device', 'reservation', ...args, '--state', join(satellite.dir, 'switch'));
  const printed = (text: string, label: string) => {
    const value = new RegExp(`${label}: (\\S+)`).exec(text)?.[1];
    assert.ok(value, `the device printed its ${label}: ${text}`);
    return value;
  };
  /** Installs an authorization code on the device, with the chain the satellite serves, and answers its confirmation code. */
  const install = async (code: string, name: string) => {
    const file = join(satellite.dir, name);
    writeFileSync(file, code);
    return printed(await device('install', '--chain', chain, '--file', file), 'confirmation code');
  };
  const inUse = async () => {
    await open('Licenses');
    return (await main().getByRole('row').filter({ hasText: UCM_NAME }).getByRole('cell').nth(3).innerText()).trim();
  };
  const reservationRow = () => main().getByRole('table', { name: /^Reservations in/ }).getByRole('row').filter({ hasText: 'C9300-24UX:FCW2134L0UI' });

  beforeAll(async () => {
    satellite = await startUiSatellite();
    await satellite.cli('demo', 'seed');
    const password = await setPassword(satellite, 'admin');
    browser = await launchBrowser();
    context = await newContext(browser, satellite.baseUrl);
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    // The chain a device verifies authorization codes with: public, served without credentials.
    const served = await context.request.get('/pki/chain.pem');
    assert.equal(served.status(), 200);
    chain = join(satellite.dir, 'chain.pem');
    writeFileSync(chain, await served.text());
    await page.goto('/reservations?account=Demo%20Account&va=Default');
    await signIn(page, 'admin', password);
    await page.getByRole('heading', { level: 1, name: 'Reservations' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await satellite?.stop();
  });

  it('an admin enables reservation for the account, then the Reserve licenses button appears', async () => {
    await main().getByText('License reservation is not enabled for Demo Account.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reserve licenses' }).count(), 0);
    await page.getByRole('button', { name: 'Enable reservation' }).click();
    await page.getByRole('button', { name: 'Reserve licenses' }).waitFor();
    await main().getByRole('cell', { name: 'No reservations in this virtual account.' }).waitFor();
    await assertAccessible(page, 'the Reservations page');
  });

  it('the four-step wizard reserves 4 for a device\'s request code; the device installs the code and its confirmation code is entered', async () => {
    const requestCode = printed(await device('request', '--pid', 'C9300-24UX', '--serial', 'FCW2134L0UI'), 'request code');
    await page.getByRole('button', { name: 'Reserve licenses' }).click();
    const step = (name: string) => page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
    await step('Enter Request Code');
    await page.getByLabel('Request code file').waitFor();
    await page.getByRole('textbox', { name: 'Request code', exact: true }).fill(requestCode);
    await page.getByRole('button', { name: 'Next' }).click();
    await step('Select Licenses');
    await page.getByRole('button', { name: 'Back' }).click();
    await step('Enter Request Code');
    assert.equal(await page.getByRole('textbox', { name: 'Request code', exact: true }).inputValue(), requestCode, 'Back keeps what was entered');
    await page.getByRole('button', { name: 'Next' }).click();
    await step('Select Licenses');
    await main().getByRole('row').filter({ hasText: UCM_NAME }).getByRole('spinbutton', { name: 'Quantity' }).fill('4');
    await assertAccessible(page, 'the reservation wizard');
    await page.getByRole('button', { name: 'Next' }).click();
    await step('Review and confirm');
    assert.match(await main().innerText(), new RegExp(`4 × ${UCM_NAME.replace(/[.()]/g, '\\$&')}`));
    await page.getByRole('button', { name: 'Reserve' }).click();
    await step('Authorization Code');
    const codeBox = page.getByRole('textbox', { name: 'Authorization code' });
    assert.equal(await codeBox.isEditable(), false, 'the authorization code is read-only');
    const authorizationCode = await codeBox.inputValue();
    assert.match(authorizationCode, /^<specificPLR><authorizationCode>.*<count>4<\/count>.*<\/specificPLR>$/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(readFileSync(await download.path(), 'utf8'), authorizationCode, 'the downloaded file is the code');
    await page.getByRole('button', { name: 'Done' }).click();

    assert.equal(await inUse(), '4 (4 Reserved)', 'reserved seats count at once');
    const confirmation = await install(authorizationCode, 'auth.xml');
    await open('Reservations');
    await reservationRow().getByRole('button', { name: 'Enter confirmation code' }).click();
    await reservationRow().getByLabel('Confirmation code').fill(confirmation);
    await reservationRow().getByRole('button', { name: 'Confirm' }).click();
    await reservationRow().getByRole('cell', { name: 'Reserved', exact: true }).waitFor();
    assert.equal(await reservationRow().getByRole('button', { name: 'Enter confirmation code' }).count(), 0, 'a confirmed code needs no other');
    await assertAccessible(page, 'the Reservations page with a reservation');
    assert.equal(await inUse(), '4 (4 Reserved)');
  });

  it('an update to 6 is in transit until the device\'s new confirmation code is entered; a return code frees the seats', async () => {
    await open('Reservations');
    await reservationRow().getByRole('button', { name: 'Update' }).click();
    await reservationRow().getByRole('row').filter({ hasText: UCM_NAME }).getByRole('spinbutton', { name: 'Quantity' }).fill('6');
    await reservationRow().getByRole('button', { name: 'Update reservation' }).click();
    const updated = await reservationRow().getByRole('textbox', { name: 'Authorization code' }).inputValue();
    assert.match(updated, /<count>6<\/count>/);
    await reservationRow().getByRole('button', { name: 'Done' }).click();
    await reservationRow().getByRole('cell', { name: 'In transit' }).waitFor();
    assert.equal(await inUse(), '6 (6 Reserved)', 'the update holds the larger count while in transit');

    const confirmation = await install(updated, 'update.xml');
    await open('Reservations');
    await reservationRow().getByRole('button', { name: 'Enter confirmation code' }).click();
    await reservationRow().getByLabel('Confirmation code').fill('00000000');
    await reservationRow().getByRole('button', { name: 'Confirm' }).click();
    assert.match(await reservationRow().getByRole('alert').innerText(), /confirmation code/i, 'a wrong code is refused in the form');
    await reservationRow().getByLabel('Confirmation code').fill(confirmation);
    await reservationRow().getByRole('button', { name: 'Confirm' }).click();
    await reservationRow().getByRole('cell', { name: 'Reserved', exact: true }).waitFor();

    const returnCode = printed(await device('return'), 'return code');
    await reservationRow().getByRole('button', { name: 'Enter return code' }).click();
    await reservationRow().getByLabel('Return code').fill(returnCode);
    await reservationRow().getByRole('button', { name: 'Return' }).click();
    await main().getByRole('cell', { name: 'No reservations in this virtual account.' }).waitFor();
    assert.equal(await inUse(), '0');
  });

  it('Settings downloads a backup zip, shows the served TLS certificate and says how it is reissued', async () => {
    await open('Settings');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download backup' }).click()]);
    assert.match(download.suggestedFilename(), /^satellite-backup-.+\.zip$/);
    const file = await download.path();
    assert.ok(statSync(file).size > 0, 'the backup is not empty');
    assert.equal(readFileSync(file).subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'it is a zip');
    await main().getByRole('status').filter({ hasText: /^Saved satellite-backup-.+\.zip \(\d+ KB\)\.$/ }).waitFor();
    assert.match(await main().innerText(), /satellite pki tls-reissue/);
    // The certificate this very page came over (SATELLITE_HOSTNAMES of the test satellite).
    await main().getByText('localhost, 127.0.0.1', { exact: true }).waitFor();
    assert.match(await main().innerText(), /SHA-256 fingerprint\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    await assertAccessible(page, 'the Settings page');
  });
});
