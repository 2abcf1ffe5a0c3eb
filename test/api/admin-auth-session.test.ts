import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock, MS_PER_HOUR } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import { signIn } from '../support/session-client.js';

const SESSION = '/backend/api/v1/session';
const MINUTE = 60_000;

describe('browser sessions', () => {
  let app: SatelliteApp;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 8));
    app = await createSatelliteApp({ clock });
    await app.seed.user('alice', 'alice-password', 'admin');
    await app.seed.user('victor', 'victor-password', 'viewer');
  });
  afterAll(() => app.close());

  it('sign-in sets an httpOnly, SameSite=Strict session cookie and returns the user and a CSRF token', async () => {
    const res = await request(app).post(SESSION).send({ username: 'alice', password: 'alice-password' }).expect(200);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^satellite_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP in tests; Secure follows an HTTPS request');
    assert.equal(res.body.user.username, 'alice');
    assert.equal(res.body.user.role, 'admin');
    assert.equal(res.body.user.passwordDigest, undefined);
    assert.match(res.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.body.expiresAt, new Date(clock.now() + 12 * MS_PER_HOUR).toISOString());
    assert.equal(res.body.idleExpiresAt, new Date(clock.now() + 30 * MINUTE).toISOString());
  });

  it('accepts a form post too, and usernames regardless of case', async () => {
    await request(app).post(SESSION).type('form').send({ username: 'ALICE', password: 'alice-password' }).expect(200);
  });

  it('whoami (GET /session) returns the user and the same CSRF token', async () => {
    const { agent, csrfToken } = await signIn(app, 'alice', 'alice-password');
    const who = await agent.get(SESSION).expect(200);
    assert.equal(who.body.via, 'session');
    assert.equal(who.body.user.username, 'alice');
    assert.equal(who.body.csrfToken, csrfToken);
  });

  it('refuses a state-changing session request without x-csrf-token (403) and accepts it with the token', async () => {
    const { agent, csrfToken } = await signIn(app, 'alice', 'alice-password');
    const body = { username: 'csrf-check', role: 'viewer', password: 'csrf-check-pw' };
    const refused = await agent.post('/backend/api/v1/users').send(body).expect(403);
    assert.match(refused.body.error.message, /x-csrf-token/);
    await agent.post('/backend/api/v1/users').set('x-csrf-token', 'wrong').send(body).expect(403);
    await agent.post('/backend/api/v1/users').set('x-csrf-token', csrfToken).send(body).expect(201);
    await agent.get('/backend/api/v1/users').expect(200);
  });

  it('ends a session after 30 idle minutes, and activity keeps it alive', async () => {
    const { agent } = await signIn(app, 'victor', 'victor-password');
    clock.advance(29 * MINUTE);
    await agent.get(SESSION).expect(200);
    clock.advance(29 * MINUTE);
    await agent.get(SESSION).expect(200);
    clock.advance(30 * MINUTE);
    const res = await agent.get(SESSION).expect(401);
    assert.match(res.body.error.message, /expired/);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const { agent } = await signIn(app, 'victor', 'victor-password');
    for (let i = 0; i < 24; i += 1) {
      clock.advance(29 * MINUTE);
      await agent.get(SESSION).expect(200);
    }
    clock.advance(12 * MS_PER_HOUR - 24 * 29 * MINUTE - 1);
    await agent.get(SESSION).expect(200);
    clock.advance(1);
    await agent.get(SESSION).expect(401);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const { agent, csrfToken, setCookie } = await signIn(app, 'victor', 'victor-password');
    await agent.delete(SESSION).expect(403);
    const res = await agent.delete(SESSION).set('x-csrf-token', csrfToken).expect(204);
    assert.match(String(res.headers['set-cookie']), /satellite_session=;/);
    const sessionCookie = setCookie.split(';')[0] ?? '';
    await request(app).get(SESSION).set('cookie', sessionCookie).expect(401);
  });

  it('refuses unknown users and wrong passwords alike', async () => {
    const unknown = await request(app).post(SESSION).send({ username: 'nobody', password: 'whatever-pw' }).expect(401);
    const wrong = await request(app).post(SESSION).send({ username: 'victor', password: 'wrong-password' }).expect(401);
    assert.equal(unknown.body.error.message, wrong.body.error.message);
    assert.equal(wrong.headers['set-cookie'], undefined);
    await request(app).post(SESSION).send({ username: 'victor' }).expect(400);
  });

  it('answers a forged or stale cookie with 401', async () => {
    await request(app).get(SESSION).set('cookie', 'satellite_session=forged').expect(401);
    await request(app).get('/backend/api/v1/users').set('cookie', 'satellite_session=forged').expect(401);
  });
});

describe('lockout after repeated failed sign-ins', () => {
  let app: SatelliteApp;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 8));
    app = await createSatelliteApp({ clock });
    await app.seed.user('olga', 'olga-password', 'operator');
  });

  const attempt = (password: string) => request(app).post(SESSION).send({ username: 'olga', password });

  it('locks the user for 15 minutes after 5 failures, even for the right password, then lets them in', async () => {
    for (let i = 0; i < 4; i += 1) await attempt('wrong-password').expect(401);
    const fifth = await attempt('wrong-password').expect(429);
    assert.equal(fifth.body.error.code, 'RATE_LIMITED');
    assert.equal(fifth.headers['retry-after'], String(15 * 60));
    await attempt('olga-password').expect(429);
    clock.advance(15 * MINUTE - 1);
    await attempt('olga-password').expect(429);
    clock.advance(1);
    await attempt('olga-password').expect(200);
    const events = app.satellite.uow.read((r) => r.events.list({ limit: 100, offset: 0 }));
    assert.equal(events.filter((e) => e.type === 'USER_LOCKED_OUT').length, 1);
    assert.equal(events.filter((e) => e.type === 'USER_LOGIN_FAILED').length, 7);
    assert.equal(events.filter((e) => e.type === 'USER_LOGIN').length, 1);
    app.close();
  });

  it('a successful sign-in resets the failure count', async () => {
    for (let i = 0; i < 4; i += 1) await attempt('wrong-password').expect(401);
    await attempt('olga-password').expect(200);
    for (let i = 0; i < 4; i += 1) await attempt('wrong-password').expect(401);
    await attempt('olga-password').expect(200);
    app.close();
  });

  it('an admin re-enabling the user lifts the lock early', async () => {
    for (let i = 0; i < 5; i += 1) await attempt('wrong-password');
    await attempt('olga-password').expect(429);
    app.satellite.users.update('olga', { disabled: false }, 'cli');
    await attempt('olga-password').expect(200);
    app.close();
  });
});
