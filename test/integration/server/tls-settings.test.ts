import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, describe, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { createSatelliteApp } from '../../../server/create-satellite-app.js';
import { startSatellite } from '../../../server/main.js';
import { bearerFor } from '../../support/admin-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-tls-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function get(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /settings/tls: the certificate the HTTPS port presents', () => {
  it('names the host names, validity and fingerprint that openssl reads from the served certificate; admins only', async () => {
    const config = loadConfig({
      SATELLITE_DATA_DIR: dir, SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: 'sat.example,localhost,127.0.0.1',
      SATELLITE_LOG_LEVEL: 'silent',
    });
    const running = await startSatellite(config, { logger: pino({ level: 'silent' }) });
    try {
      const ca = readFileSync(running.rootCertificatePath, 'utf8');
      const url = `https://127.0.0.1:${new URL(running.baseUrl).port}/backend/api/v1/settings/tls`;
      const tokenFor = (role: 'admin' | 'viewer') => {
        const { client, clientSecret } = running.satellite.apiClients.create({ name: `tls-${role}`, role, accountScope: null }, 'seed');
        return running.satellite.accessTokens.issue(client.id, clientSecret);
      };
      const viewer = await get(url, ca, { authorization: `Bearer ${tokenFor('viewer').accessToken}` });
      assert.equal(viewer.status, 403, viewer.body);
      const answer = await get(url, ca, { authorization: `Bearer ${tokenFor('admin').accessToken}` });
      assert.equal(answer.status, 200, answer.body);
      const tls = (JSON.parse(answer.body) as { tls: { hostNames: string[]; sha256Fingerprint: string; notAfter: string; installedByAdmin: boolean } }).tls;
      assert.deepEqual(tls.hostNames, ['sat.example', 'localhost', '127.0.0.1']);
      assert.equal(tls.installedByAdmin, false);
      const pem = join(dir, 'pki', 'tls.pem');
      const fingerprint = execFileSync('openssl', ['x509', '-in', pem, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
      assert.equal(fingerprint.trim(), `sha256 Fingerprint=${tls.sha256Fingerprint}`);
      const end = execFileSync('openssl', ['x509', '-in', pem, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
      assert.equal(tls.notAfter, new Date(end).toISOString());
    } finally {
      await running.close();
    }
  });

  it('answers null in an embedded app, which serves no TLS itself', async () => {
    const app = await createSatelliteApp();
    try {
      const res = await request(app).get('/backend/api/v1/settings/tls').set('authorization', await bearerFor(app, { role: 'admin' }));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { tls: null });
    } finally {
      app.close();
    }
  });
});
