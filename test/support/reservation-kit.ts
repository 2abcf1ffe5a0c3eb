import request from 'supertest';
import { DeviceReservation, MemoryAgentStateStore } from '../../agent/index.js';
import type { SqliteDatabase } from '../../db/sqlite-connection.js';
import type { SatelliteApp } from '../../server/create-satellite-app.js';
import { bearerFor } from './admin-auth.js';
import { labSatellite, TAG_A, TAG_B, type Fixture } from './satellite-fixture.js';

export { TAG_A, TAG_B };
export const LAB = '/backend/api/v1/accounts/Acme/virtual-accounts/Lab';
export const RESERVATIONS = `${LAB}/reservations`;

export interface ReservationFixture extends Fixture {
  admin: string;
  operator: string;
  viewer: string;
  /** What GET /pki/chain.pem serves: what an admin carries to the air-gapped device. */
  chain: string;
}

/** labSatellite (Acme/Lab: 10 x TAG_A, 2 x TAG_B) with reservation enabled and one bearer per role. */
export async function reservationSatellite(options: { enable?: boolean } = {}): Promise<ReservationFixture> {
  const fixture = await labSatellite();
  const [admin, operator, viewer] = await Promise.all([
    bearerFor(fixture.app, { role: 'admin' }), bearerFor(fixture.app, { role: 'operator' }), bearerFor(fixture.app, { role: 'viewer' }),
  ]);
  if (options.enable !== false) {
    await request(fixture.app).patch('/backend/api/v1/accounts/Acme').set('authorization', admin).send({ reservationEnabled: true }).expect(200);
  }
  const chain = (await request(fixture.app).get('/pki/chain.pem').expect(200)).text;
  return { ...fixture, admin, operator, viewer, chain };
}

/** A simulated air-gapped device: the agent's reservation side on an in-memory state, never on the network. */
export async function airGappedDevice(serial: string, pid = 'C9300-24UX'): Promise<{ device: DeviceReservation; requestCode: string }> {
  const device = new DeviceReservation(new MemoryAgentStateStore());
  const requestCode = await device.request({ pid, serial }, { productTag: 'regid.2017-05.com.cisco.C9300,v1_727af1d9' });
  return { device, requestCode };
}

export async function poolOf(app: SatelliteApp, auth: string, tag: string): Promise<{ inUse: number; reserved: number; balance: number }> {
  const res = await request(app).get(`${LAB}/licenses`).set('authorization', auth).expect(200);
  const pools = res.body.licenses as Array<{ tag: string; inUse: number; reserved: number; balance: number }> | undefined;
  const pool = (pools ?? []).find((p) => p.tag === tag);
  if (!pool) throw new Error(`no pool ${tag} in ${res.text}`);
  return { inUse: pool.inUse, reserved: pool.reserved, balance: pool.balance };
}

/** Every row of every table, so a refused request can be shown to have written nothing. */
export function dumpDatabase(db: SqliteDatabase): Record<string, unknown[]> {
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
  return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).raw().all()]));
}
