import assert from 'node:assert/strict';
import request from 'supertest';
import type { SatelliteApp } from '../../server/create-satellite-app.js';

export interface SignedInAgent {
  agent: ReturnType<typeof request.agent>;
  csrfToken: string;
  /** The raw Set-Cookie header of the sign-in answer. */
  setCookie: string;
}

/** Signs in through POST /backend/api/v1/session with a cookie-keeping supertest agent. */
export async function signIn(app: SatelliteApp, username: string, password: string): Promise<SignedInAgent> {
  const agent = request.agent(app);
  const res = await agent.post('/backend/api/v1/session').send({ username, password });
  assert.equal(res.status, 200, res.text);
  const cookies = res.headers['set-cookie'];
  const setCookie = (Array.isArray(cookies) ? cookies : [cookies]).find((c) => typeof c === 'string' && c.startsWith('satellite_session='));
  assert.ok(setCookie, 'a session cookie is set');
  return { agent, csrfToken: String(res.body.csrfToken), setCookie };
}
