import request from 'supertest';
import type { Role } from '../../licensing/users/principal.js';
import type { SatelliteApp } from '../../server/create-satellite-app.js';

let clients = 0;

/**
 * A ready `Authorization` header value ('Bearer <token>') for a fresh API client with this role and
 * account scope (account NAMES; omitted = every account). Goes through the real OAuth token endpoint.
 */
export async function bearerFor(app: SatelliteApp, options: { role: Role; accountScope?: string[] }): Promise<string> {
  clients += 1;
  const { client, clientSecret } = app.satellite.apiClients.create(
    { name: `test-${options.role}-${clients}`, role: options.role, accountScope: options.accountScope ?? null },
    'seed',
  );
  const res = await request(app).post('/backend/oauth/token')
    .send({ grant_type: 'client_credentials', client_id: client.id, client_secret: clientSecret });
  if (res.status !== 200 || typeof res.body?.access_token !== 'string') {
    throw new Error(`token request failed: ${res.status} ${res.text}`);
  }
  return `Bearer ${res.body.access_token as string}`;
}
