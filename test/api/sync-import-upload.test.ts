import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { bearerFor } from '../support/admin-auth.js';
import {
  assertOnlyRefusalRecorded, bindTestUpstream, dumpDatabase, upstreamLine, writeResponse, type TestUpstream,
} from '../support/response-bundle-kit.js';
import { labSatellite, type Fixture } from '../support/satellite-fixture.js';

const IMPORT = '/backend/api/v1/sync/import';

describe('admin API: response bundle upload and import history', () => {
  let f: Fixture;
  let upstream: TestUpstream;
  let operator = '';
  let viewer = '';
  let bundle: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    f = await labSatellite();
    upstream = await bindTestUpstream(f.app);
    operator = await bearerFor(f.app, { role: 'operator' });
    viewer = await bearerFor(f.app, { role: 'viewer' });
    bundle = await readFile(await writeResponse(f.app, upstream, { sequence: 1, lines: [upstreamLine('L1', { quantity: 4 })] }));
  });
  afterAll(() => upstream.cleanup());

  const upload = (body: Buffer, token?: string) => {
    const req = request(f.app).post(IMPORT).set('content-type', 'application/zip');
    return (token === undefined ? req : req.set('authorization', token)).send(body);
  };

  it('403 without credentials and for a viewer', async () => {
    assert.equal((await upload(bundle)).status, 403);
    assert.equal((await upload(bundle, viewer)).status, 403);
  });

  it('400 naming the reason for a tampered bundle; only the refusal is recorded', async () => {
    const before = dumpDatabase(f.app);
    const tampered = Buffer.from(bundle);
    const at = tampered.indexOf(Buffer.from('"quantity":4'));
    assert.ok(at > 0);
    tampered.write('"quantity":9', at);
    const res = await upload(tampered, operator);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error.details.reason, 'CHECKSUM_MISMATCH');
    const { row, event } = assertOnlyRefusalRecorded(f.app, before, 'CHECKSUM_MISMATCH');
    assert.deepEqual([row.result, row.reason, row.file_sha256, event.type], ['REFUSED', 'CHECKSUM_MISMATCH', createHash('sha256').update(tampered).digest('hex'), 'SYNC_BUNDLE_TAMPERED']);
    assert.notEqual(row.actor_id, 'system', 'the principal is the actor');
  });

  it('415 for a JSON body', async () => {
    const res = await request(f.app).post(IMPORT).set('authorization', operator).send({ a: 1 });
    assert.equal(res.status, 415, res.text);
  });

  it('200 with the summary, then ALREADY_IMPORTED for the same bundle', async () => {
    const res = await upload(bundle, operator);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'IMPORTED');
    assert.equal(res.body.summary.linesAdded, 1);
    const again = await upload(bundle, operator);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.status, 'ALREADY_IMPORTED');
  });

  it('lists the history', async () => {
    const res = await request(f.app).get('/backend/api/v1/sync/imports').set('authorization', viewer);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.imports.map((i: { result: string; reason?: string }) => [i.result, i.reason ?? null]),
      [['IMPORTED', null], ['REFUSED', 'CHECKSUM_MISMATCH']]);
    assert.equal(res.body.imports[0].sequence, 1);
    assert.equal(res.body.imports[0].importedAt, new Date(f.clock.now()).toISOString());
    assert.match(res.body.imports[1].fileSha256, /^[0-9a-f]{64}$/);
  });
});
