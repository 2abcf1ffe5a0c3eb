import assert from 'node:assert/strict';
import { MS_PER_DAY, ManualClock } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import type { SeededToken } from '../../server/seed/satellite-seeder.js';
import { bearerFor } from './admin-auth.js';
import { post, registerDevice, signedRequest, TAG_A, TAG_B, type Device, type Fixture } from './satellite-fixture.js';

export const PREFIXES = ['/backend/api/v1', '/api/v1'] as const;
export const DEMO = 'Demo Account';
export const DEMO_PATH = '/accounts/Demo%20Account';
export const START = Date.UTC(2026, 10, 23, 12);

export interface InventoryFixture {
  app: SatelliteApp;
  clock: ManualClock;
  /** A token of Demo Account / Default, for registering devices. */
  token: SeededToken;
  admin: string;
  operator: string;
  viewer: string;
  /** An operator whose scope is 'Other Account' only. */
  otherOperator: string;
}

/**
 * Two accounts for the admin API suites:
 * - "Demo Account": VA "Default" (100 x TAG_A perpetual, 10 x TAG_B term ending in 180 days) and VA "Lab Two" (5 x TAG_A);
 * - "Other Account": VA "Main" (1 x TAG_A).
 * Bearer headers for each role go through the real OAuth endpoint.
 */
export async function inventorySatellite(): Promise<InventoryFixture> {
  const clock = new ManualClock(START);
  const app = await createSatelliteApp({ clock });
  app.seed.account(DEMO);
  app.seed.virtualAccount(DEMO, 'Default', 'Demo virtual account');
  app.seed.virtualAccount(DEMO, 'Lab Two');
  app.seed.licenseLine(DEMO, 'Default', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 100 });
  app.seed.licenseLine(DEMO, 'Default', {
    tag: TAG_B, displayName: 'DNA Advantage', quantity: 10, licenseType: 'TERM', endsAt: START + 180 * MS_PER_DAY,
  });
  app.seed.licenseLine(DEMO, 'Lab Two', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 5 });
  app.seed.account('Other Account');
  app.seed.virtualAccount('Other Account', 'Main');
  app.seed.licenseLine('Other Account', 'Main', { tag: TAG_A, displayName: 'UCM Enhanced', quantity: 1 });
  const token = app.seed.token(DEMO, 'Default', { maxUses: 1000, expiresAfterDays: 365 });
  return {
    app, clock, token,
    admin: await bearerFor(app, { role: 'admin' }),
    operator: await bearerFor(app, { role: 'operator' }),
    viewer: await bearerFor(app, { role: 'viewer' }),
    otherOperator: await bearerFor(app, { role: 'operator', accountScope: ['Other Account'] }),
  };
}

/** The device-side view of the fixture, for satellite-fixture's helpers. */
export function deviceFixture(f: InventoryFixture, token: SeededToken = f.token): Fixture {
  return { app: f.app, clock: f.clock, token };
}

/** Registers a device with the token and has it use `count` of `tag` (authorized when the pool covers it). */
export async function deviceUsing(f: InventoryFixture, tag: string, count: number, token: SeededToken = f.token): Promise<Device> {
  const df = deviceFixture(f, token);
  const device = await registerDevice(df);
  const res = await post(f.app, signedRequest(df, device, 'AUTHORIZE', { entitlements: [{ tag, count }] }));
  assert.equal(res.message?.status, 'OK', res.text);
  return device;
}

export { TAG_A, TAG_B };
