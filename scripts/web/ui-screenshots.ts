import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { field, ROOT } from '../../test/support/sync-processes.js';
import { launchBrowser, newContext, setPassword, signIn, startUiSatellite } from '../../test/support/ui-browser.js';

/**
 * `npm run docs:screenshots`: rebuilds the web UI, starts a throwaway satellite with the demo data and a few
 * devices (one license short), and saves the main pages at 1280×800 under docs/ui/ for docs/ui.md and the README.
 */
const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const DNA = 'regid.2017-05.com.cisco.C9300_DNA_Advantage,1.0_e2d2b2b1-7a8c-4d3e-8f6a-1b2c3d4e5f60';
const SHOTS: ReadonlyArray<{ file: string; path: string; heading: string }> = [
  { file: 'dashboard.png', path: '/dashboard', heading: 'Dashboard' },
  { file: 'licenses.png', path: '/licenses?account=Demo%20Account&va=Default', heading: 'Licenses' },
  { file: 'license-detail.png', path: `/licenses/${encodeURIComponent(UCM)}?account=Demo%20Account&va=Default`, heading: 'UCM Enhanced License (12.x)' },
  { file: 'product-instances.png', path: '/product-instances?account=Demo%20Account&va=Default', heading: 'Product Instances' },
  { file: 'tokens.png', path: '/tokens?account=Demo%20Account&va=Default', heading: 'Tokens' },
  { file: 'reservations.png', path: '/reservations?account=Demo%20Account&va=Default', heading: 'Reservations' },
  { file: 'event-log.png', path: '/event-log?account=Demo%20Account', heading: 'Event Log' },
  { file: 'alerts.png', path: '/alerts?account=Demo%20Account', heading: 'Alerts' },
  { file: 'synchronization.png', path: '/synchronization', heading: 'Synchronization' },
  { file: 'accounts.png', path: '/accounts?account=Demo%20Account', heading: 'Accounts' },
  { file: 'users.png', path: '/users', heading: 'Users' },
  { file: 'settings.png', path: '/settings', heading: 'Settings' },
];

const outDir = join(ROOT, 'docs/ui');
await mkdir(outDir, { recursive: true });
await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
const satellite = await startUiSatellite();
const browser = await launchBrowser();
try {
  await satellite.cli('demo', 'seed');
  await satellite.cli('va', 'create', 'Lab', '--account', 'Demo Account', '--description', 'Lab and staging');
  // One disconnected round trip with the reference upstream, so Synchronization has a status and a history.
  const upstream = join(satellite.dir, 'upstream');
  const init = await satellite.cli('upstream', 'init', '--data', upstream, '--orders', join(ROOT, 'sync/upstream/examples/orders.json'));
  const registration = join(satellite.dir, 'registration.json');
  await satellite.cli('upstream', 'register-satellite', '--data', upstream, '--name', 'Site A', '--account', 'Acme Corp', '--va', 'Default', '--out', registration);
  await satellite.cli('sync', 'register', registration, '--fingerprint', field(init, 'upstream key fingerprint (SHA-256)'));
  await satellite.cli('sync', 'export', '--out', join(satellite.dir, 'request.zip'));
  await satellite.cli('upstream', 'process', join(satellite.dir, 'request.zip'), '--data', upstream, '--out', join(satellite.dir, 'response.zip'));
  await satellite.cli('sync', 'import', join(satellite.dir, 'response.zip'));
  const password = await setPassword(satellite, 'admin');
  // An air-gapped switch holding 4 UCM seats by reservation (installed and confirmed), so In Use reads "N (4 Reserved)".
  await satellite.cli('reservation', 'enable', '--account', 'Demo Account');
  const chain = join(satellite.dir, 'chain.pem');
  await writeFile(chain, await satellite.cli('pki', 'chain'));
  const switchState = ['--state', join(satellite.dir, 'air-gapped-switch')];
  const requestCode = field(await satellite.cli('device', 'reservation', 'request', ...switchState, '--pid', 'C9300-24UX', '--serial', 'FCW2134L0RN'), 'request code');
  const reserved = JSON.parse(await satellite.cli('reservation', 'create', '--account', 'Demo Account', '--va', 'Default', '--code', requestCode, '--license', `${UCM}=4`, '--json')) as
    { productInstanceId: string; authorizationCode: string };
  const authFile = join(satellite.dir, 'auth.xml');
  await writeFile(authFile, reserved.authorizationCode);
  const installed = await satellite.cli('device', 'reservation', 'install', ...switchState, '--chain', chain, '--file', authFile);
  await satellite.cli('reservation', 'confirm', reserved.productInstanceId, '--account', 'Demo Account', '--va', 'Default', '--code', field(installed, 'confirmation code'));
  const token = (await satellite.cli('token', 'create', '--account', 'Demo Account', '--va', 'Default', '--description', 'branch office phones')).trim();
  const devices = [
    { serial: 'FCW2231L0AA', host: 'cucm-pub-1', tags: [`${UCM}=60`] },
    { serial: 'FCW2231L0AB', host: 'cucm-sub-2', tags: [`${UCM}=25`] },
    { serial: 'FOC2402X1QZ', host: 'c9300-core-1', tags: [`${DNA}=12`] },
  ];
  for (const device of devices) {
    const state = join(satellite.dir, device.serial);
    await satellite.cli('device', 'register', '--url', satellite.server.jsonUrl, '--token', token, '--ca', satellite.server.rootCa,
      '--state', state, '--serial', device.serial, '--hostname', device.host);
    await satellite.cli('device', 'authorize', '--state', state, ...device.tags.flatMap((tag) => ['--tag', tag]));
  }
  const context = await newContext(browser, satellite.baseUrl);
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.screenshot({ path: join(outDir, 'sign-in.png') });
  await signIn(page, 'admin', password);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  for (const shot of SHOTS) {
    await page.goto(shot.path);
    await page.getByRole('heading', { level: 1, name: shot.heading, exact: true }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(outDir, shot.file) });
    console.log(`docs/ui/${shot.file}`);
  }
} finally {
  await browser.close();
  await satellite.stop();
}
