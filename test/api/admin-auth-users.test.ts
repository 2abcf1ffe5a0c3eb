import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock } from '../../licensing/shared/clock.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';
import { bearerFor } from '../support/admin-auth.js';
import { signIn } from '../support/session-client.js';

const USERS = '/backend/api/v1/users';
const CLIENTS = '/backend/api/v1/api-clients';

describe('user and API client management', () => {
  let app: SatelliteApp;
  let admin: string;
  const secrets: string[] = ['root-password'];

  beforeAll(async () => {
    app = await createSatelliteApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    app.seed.account('Acme');
    app.seed.account('Globex');
    await app.seed.user('root', 'root-password', 'admin');
    admin = await bearerFor(app, { role: 'admin' });
  });
  afterAll(() => app.close());

  it('lets only unscoped admins manage users: viewer and operator 403, scoped admin 403', async () => {
    const body = { username: 'eve', role: 'admin', password: 'eve-password' };
    const viewer = await bearerFor(app, { role: 'viewer' });
    const refused = await request(app).post(USERS).set('authorization', viewer).send(body).expect(403);
    assert.equal(refused.body.error.code, 'FORBIDDEN');
    await request(app).get(USERS).set('authorization', await bearerFor(app, { role: 'operator' })).expect(403);
    const scoped = await bearerFor(app, { role: 'admin', accountScope: ['Acme'] });
    await request(app).post(USERS).set('authorization', scoped).send(body).expect(403);
    await request(app).post(CLIENTS).set('authorization', scoped).send({ name: 'x', role: 'admin' }).expect(403);
    await request(app).get(`${USERS}/eve`).set('authorization', admin).expect(404);
  });

  it('keeps an admin scoped to one account from reading users and API clients (403), like from changing them', async () => {
    await app.seed.user('uma', 'uma-password', 'viewer');
    const client = app.satellite.apiClients.create({ name: 'reader', role: 'viewer' }, 'seed').client;
    const scoped = await bearerFor(app, { role: 'admin', accountScope: ['Acme'] });
    for (const path of [USERS, `${USERS}/uma`, `${USERS}/nobody`, CLIENTS, `${CLIENTS}/${client.id}`, `${CLIENTS}/nothing`]) {
      const res = await request(app).get(path).set('authorization', scoped);
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.doesNotMatch(res.text, /uma|reader/);
    }
    await request(app).get(`${USERS}/uma`).set('authorization', admin).expect(200);
    await request(app).get(`${CLIENTS}/${client.id}`).set('authorization', admin).expect(200);
  });

  it('a viewer signed in with a session cannot write either', async () => {
    await app.seed.user('vera', 'vera-password', 'viewer');
    secrets.push('vera-password');
    const { agent, csrfToken } = await signIn(app, 'vera', 'vera-password');
    await agent.post(USERS).set('x-csrf-token', csrfToken).send({ username: 'x1', role: 'viewer' }).expect(403);
    await agent.delete(`${USERS}/root`).set('x-csrf-token', csrfToken).expect(403);
  });

  it('creates a user with a generated one-time password that must be changed before anything else', async () => {
    const created = await request(app).post(USERS).set('authorization', admin)
      .send({ username: 'bob', role: 'operator', accountScope: ['Acme'] }).expect(201);
    const password = String(created.body.password);
    secrets.push(password);
    assert.equal(password.length, 24);
    assert.equal(created.body.user.mustChangePassword, true);
    assert.deepEqual(created.body.user.accountScope, ['Acme']);
    assert.equal(created.body.user.passwordDigest, undefined);
    const { agent, csrfToken } = await signIn(app, 'bob', password);
    await agent.get(SESSION_PATH).expect(200);
    const blocked = await agent.get('/backend/api/v1/users').expect(403);
    assert.equal(blocked.body.error.details.reason, 'PASSWORD_CHANGE_REQUIRED');
    await agent.put(`${USERS}/bob/password`).set('x-csrf-token', csrfToken).send({ newPassword: 'bob-new-password' }).expect(400);
    await agent.put(`${USERS}/bob/password`).set('x-csrf-token', csrfToken)
      .send({ currentPassword: password, newPassword: 'bob-new-password' }).expect(204);
    secrets.push('bob-new-password');
    const who = await agent.get(SESSION_PATH).expect(200);
    assert.equal(who.body.user.mustChangePassword, false);
    assert.deepEqual(who.body.principal.role, 'operator');
  });

  it('validates input: duplicate names 409, unknown accounts and bad roles 400 naming the field', async () => {
    await request(app).post(USERS).set('authorization', admin).send({ username: 'BOB', role: 'viewer' }).expect(409);
    const account = await request(app).post(USERS).set('authorization', admin).send({ username: 'c1', role: 'viewer', accountScope: ['Nope'] }).expect(400);
    assert.equal(account.body.error.details.field, 'accountScope');
    const role = await request(app).post(USERS).set('authorization', admin).send({ username: 'c1', role: 'root' }).expect(400);
    assert.equal(role.body.error.details.field, 'body.role');
    await request(app).post(USERS).set('authorization', admin).send({ username: 'c1', role: 'viewer', password: 'short' }).expect(400);
    await request(app).post(USERS).set('authorization', admin).send({ username: 'bad name', role: 'viewer' }).expect(400);
    await request(app).patch(`${USERS}/bob`).set('authorization', admin).send({}).expect(400);
  });

  it('a user changes their own password only with the current one; an admin resets anyone\'s without it', async () => {
    await app.seed.user('carol', 'carol-password', 'viewer');
    secrets.push('carol-password', 'carol-second-pw', 'carol-third-pw', 'admin-set-pw');
    const first = await signIn(app, 'carol', 'carol-password');
    const second = await signIn(app, 'carol', 'carol-password');
    const wrong = await first.agent.put(`${USERS}/carol/password`).set('x-csrf-token', first.csrfToken)
      .send({ currentPassword: 'not-carols', newPassword: 'carol-second-pw' }).expect(403);
    assert.equal(wrong.body.error.details.field, 'currentPassword');
    await first.agent.put(`${USERS}/bob/password`).set('x-csrf-token', first.csrfToken)
      .send({ currentPassword: 'carol-password', newPassword: 'carol-second-pw' }).expect(403);
    await first.agent.put(`${USERS}/carol/password`).set('x-csrf-token', first.csrfToken)
      .send({ currentPassword: 'carol-password', newPassword: 'carol-second-pw' }).expect(204);
    await first.agent.get(SESSION_PATH).expect(200);
    await second.agent.get(SESSION_PATH).expect(401);
    await request(app).put(`${USERS}/carol/password`).set('authorization', admin).send({ newPassword: 'admin-set-pw' }).expect(204);
    await first.agent.get(SESSION_PATH).expect(401);
    const after = await request(app).get(`${USERS}/carol`).set('authorization', admin).expect(200);
    assert.equal(after.body.mustChangePassword, true);
    await request(app).post(SESSION_PATH).send({ username: 'carol', password: 'carol-second-pw' }).expect(401);
    await signIn(app, 'carol', 'admin-set-pw');
  });

  it('role, scope and disabled changes apply to live sessions at once', async () => {
    await app.seed.user('dave', 'dave-password', 'admin');
    secrets.push('dave-password');
    const { agent } = await signIn(app, 'dave', 'dave-password');
    await agent.get(USERS).expect(200);
    const patched = await request(app).patch(`${USERS}/dave`).set('authorization', admin)
      .send({ role: 'viewer', accountScope: ['Globex', 'Acme'] }).expect(200);
    assert.equal(patched.body.role, 'viewer');
    assert.deepEqual(patched.body.accountScope, ['Acme', 'Globex']);
    await agent.get(USERS).expect(403);
    await request(app).patch(`${USERS}/dave`).set('authorization', admin).send({ disabled: true }).expect(200);
    await agent.get(SESSION_PATH).expect(401);
    const refused = await request(app).post(SESSION_PATH).send({ username: 'dave', password: 'dave-password' }).expect(403);
    assert.match(refused.body.error.message, /disabled/);
  });

  it('deletes users, but never the last unscoped admin and never oneself', async () => {
    await app.seed.user('temp', 'temp-password', 'viewer');
    await request(app).delete(`${USERS}/temp`).set('authorization', admin).expect(204);
    await request(app).get(`${USERS}/temp`).set('authorization', admin).expect(404);
    await request(app).delete(`${USERS}/temp`).set('authorization', admin).expect(404);
    const demote = await request(app).patch(`${USERS}/root`).set('authorization', admin).send({ role: 'operator' }).expect(409);
    assert.match(demote.body.error.message, /no enabled admin/);
    await request(app).delete(`${USERS}/root`).set('authorization', admin).expect(409);
    const root = await signIn(app, 'root', 'root-password');
    await root.agent.delete(`${USERS}/root`).set('x-csrf-token', root.csrfToken).expect(409);
    const list = await request(app).get(USERS).set('authorization', admin).expect(200);
    assert.ok((list.body.users as Array<{ username: string }>).some((u) => u.username === 'root'));
  });

  it('creates API clients (secret shown once), lists them without secrets, and revokes them', async () => {
    const created = await request(app).post(CLIENTS).set('authorization', admin)
      .send({ name: 'nagios', role: 'viewer', accountScope: ['Acme'] }).expect(201);
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    secrets.push(clientSecret);
    assert.equal(created.body.apiClient.clientId, clientId);
    assert.deepEqual(created.body.apiClient.accountScope, ['Acme']);
    const token = await request(app).post('/backend/oauth/token')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).expect(200);
    secrets.push(String(token.body.access_token));
    const bearer = `Bearer ${String(token.body.access_token)}`;
    const who = await request(app).get(SESSION_PATH).set('authorization', bearer).expect(200);
    assert.equal(who.body.principal.name, 'nagios');
    const list = await request(app).get(CLIENTS).set('authorization', admin).expect(200);
    const listed = (list.body.apiClients as Array<Record<string, unknown>>).find((c) => c.clientId === clientId);
    assert.ok(listed);
    assert.equal(listed.clientSecret, undefined);
    assert.equal(listed.secretDigest, undefined);
    assert.equal(typeof listed.lastUsedAt, 'string');
    await request(app).get(`${CLIENTS}/${clientId}`).set('authorization', admin).expect(200);
    await request(app).delete(`${CLIENTS}/${clientId}`).set('authorization', admin).expect(204);
    await request(app).get(SESSION_PATH).set('authorization', bearer).expect(401);
    const revoked = await request(app).get(`${CLIENTS}/${clientId}`).set('authorization', admin).expect(200);
    assert.equal(typeof revoked.body.revokedAt, 'string');
    await request(app).delete(`${CLIENTS}/nope`).set('authorization', admin).expect(404);
  });

  it('writes every admin change to the event log with the acting principal', () => {
    const events = app.satellite.uow.read((r) => r.events.list({ limit: 1000, offset: 0 }));
    const types = new Set(events.map((e) => e.type));
    for (const type of ['USER_CREATED', 'USER_UPDATED', 'USER_DELETED', 'USER_PASSWORD_CHANGED', 'API_CLIENT_CREATED', 'API_CLIENT_REVOKED', 'USER_LOGIN', 'USER_LOGIN_FAILED'] as const) {
      assert.ok(types.has(type), `an event of type ${type}`);
    }
    const deleted = events.find((e) => e.type === 'USER_DELETED');
    assert.match(String(deleted?.actorId), /^test-admin-/);
    const created = events.find((e) => e.type === 'API_CLIENT_CREATED' && e.details.clientId !== undefined && e.actorId?.startsWith('test-admin-'));
    assert.ok(created);
  });

  it('stores no secret in clear: a dump of every table contains none of them', async () => {
    const { agent } = await signIn(app, 'root', 'root-password');
    const who = await agent.get(SESSION_PATH).expect(200);
    const sessionId = /satellite_session=([^;]+)/.exec(String((await request(app).post(SESSION_PATH).send({ username: 'root', password: 'root-password' })).headers['set-cookie']))?.[1];
    assert.ok(sessionId);
    const all = [...secrets, sessionId, String(who.body.csrfToken)];
    const tables = app.satellite.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    const dump = JSON.stringify(tables.map((t) => app.satellite.db.prepare(`SELECT * FROM "${t.name}"`).all()));
    for (const secret of all) assert.ok(!dump.includes(secret), `the database does not contain ${secret.slice(0, 4)}…`);
    const digests = app.satellite.db.prepare<[], { password_digest: string }>('SELECT password_digest FROM users').all();
    for (const d of digests) assert.match(d.password_digest, /^scrypt\$32768\$8\$1\$/);
  });

  it('returns no secret or digest in any answer after creation', async () => {
    const answers = await Promise.all([
      request(app).get(USERS).set('authorization', admin),
      request(app).get(CLIENTS).set('authorization', admin),
      request(app).get(`${USERS}/root`).set('authorization', admin),
      request(app).get('/backend/api/docs/openapi.json'),
    ]);
    for (const res of answers) {
      assert.equal(res.status, 200);
      for (const secret of secrets) assert.ok(!res.text.includes(secret));
      assert.doesNotMatch(res.text, /scrypt\$|passwordDigest|secretDigest|"password_digest"/);
    }
  });
});

const SESSION_PATH = '/backend/api/v1/session';
