import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, describe, it } from 'vitest';
import { generatePkiMaterial } from '../../licensing/pki/pki-material.js';
import { loadConfig } from '../../server/config.js';
import { startSatellite, type RunningSatellite } from '../../server/main.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'scripts/satellite.ts')];
const silent = pino({ level: 'silent' });

/** Host names, the TLS certificate and the chain, checked with openssl and curl as an admin would. */
describe('host names and TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'satellite-tls-'));
  const data = join(dir, 'data');
  const pki = (file: string) => join(data, 'pki', file);
  const env = (names: string, extra: Record<string, string> = {}) => ({
    SATELLITE_DATA_DIR: data, SATELLITE_PORT: '0', SATELLITE_HOST: '127.0.0.1', SATELLITE_HOSTNAMES: names, SATELLITE_LOG_LEVEL: 'silent', ...extra,
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const port = (running: RunningSatellite) => new URL(running.baseUrl).port;
  const sans = async () => (await run('openssl', ['x509', '-in', pki('tls.pem'), '-noout', '-ext', 'subjectAltName'])).stdout;
  const curl = (...args: string[]) => run('curl', ['-sS', '--max-time', '20', ...args]);

  it('reissues the TLS certificate under the same root when SATELLITE_HOSTNAMES changes, and curl --cacert root.pem accepts the new name', async () => {
    const first = await startSatellite(loadConfig(env('alpha.test')), { logger: silent });
    await first.close();
    const root = readFileSync(pki('root.pem'), 'utf8');
    assert.match(await sans(), /DNS:alpha\.test/);
    assert.doesNotMatch(await sans(), /beta\.test/);

    const second = await startSatellite(loadConfig(env('alpha.test,beta.test')), { logger: silent });
    try {
      const names = await sans();
      assert.match(names, /DNS:alpha\.test, DNS:beta\.test/);
      assert.equal(readFileSync(pki('root.pem'), 'utf8'), root, 'the root CA is untouched');
      const p = port(second);
      const ok = await curl('--cacert', pki('root.pem'), '--resolve', `beta.test:${p}:127.0.0.1`, `https://beta.test:${p}/healthz`);
      assert.equal(ok.stdout, '{"status":"ok"}');
      await run('openssl', ['verify', '-CAfile', pki('root.pem'), pki('tls.pem')]);
    } finally {
      await second.close();
    }
  });

  it('answers http:// on the HTTPS port with a 400 that says to use https', async () => {
    const running = await startSatellite(loadConfig(env('alpha.test,beta.test')), { logger: silent });
    try {
      const res = await curl('-i', `http://127.0.0.1:${port(running)}/healthz`);
      assert.match(res.stdout, /^HTTP\/1\.1 400 Bad Request/);
      assert.match(res.stdout, /use https:\/\/ instead of http:\/\//);
    } finally {
      await running.close();
    }
  });

  it('serves GET /pki/chain.pem (signing, then root) without credentials; satellite pki chain prints the same', async () => {
    const running = await startSatellite(loadConfig(env('alpha.test,beta.test')), { logger: silent });
    let served = '';
    try {
      const p = port(running);
      served = (await curl('--cacert', pki('root.pem'), '--resolve', `alpha.test:${p}:127.0.0.1`, `https://alpha.test:${p}/pki/chain.pem`)).stdout;
    } finally {
      await running.close();
    }
    const certs = served.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    assert.equal(certs.length, 2);
    assert.equal(`${certs[1]}\n`, readFileSync(pki('root.pem'), 'utf8').trim() + '\n');
    assert.equal(`${certs[0]}\n`, readFileSync(pki('signing.pem'), 'utf8').trim() + '\n');
    const cli = await run(process.execPath, [...CLI, 'pki', 'chain'], { cwd: ROOT, env: { ...process.env, ...env('alpha.test,beta.test') } });
    assert.equal(cli.stdout, served);
  });

  it('satellite pki tls-reissue issues a certificate for the names given, under the same root', async () => {
    const root = readFileSync(pki('root.pem'), 'utf8');
    const res = await run(process.execPath, [...CLI, 'pki', 'tls-reissue', '--hostnames', 'gamma.test,10.1.2.3'], { cwd: ROOT, env: { ...process.env, ...env('alpha.test') } });
    assert.equal(res.stdout.trim(), pki('tls.pem'));
    assert.match(res.stderr, /restart satellite serve/);
    assert.match(await sans(), /DNS:gamma\.test, IP Address:10\.1\.2\.3/);
    assert.equal(readFileSync(pki('root.pem'), 'utf8'), root);
    await run('openssl', ['verify', '-CAfile', pki('root.pem'), pki('tls.pem')]);
  });

  it('serves an admin\'s own certificate (SATELLITE_TLS_CERT/KEY) and leaves the satellite root alone', async () => {
    const own = await generatePkiMaterial({ now: Date.now(), hostNames: ['own.example'] });
    writeFileSync(join(dir, 'own.pem'), own.tlsCertificatePem);
    writeFileSync(join(dir, 'own-key.pem'), own.tlsKeyPem);
    writeFileSync(join(dir, 'own-ca.pem'), own.rootCertificatePem);
    const root = readFileSync(pki('root.pem'), 'utf8');
    const running = await startSatellite(loadConfig(env('gamma.test,10.1.2.3', { SATELLITE_TLS_CERT: join(dir, 'own.pem'), SATELLITE_TLS_KEY: join(dir, 'own-key.pem') })), { logger: silent });
    try {
      const p = port(running);
      const ok = await curl('--cacert', join(dir, 'own-ca.pem'), '--resolve', `own.example:${p}:127.0.0.1`, `https://own.example:${p}/healthz`);
      assert.equal(ok.stdout, '{"status":"ok"}');
      await assert.rejects(curl('--cacert', pki('root.pem'), '--resolve', `own.example:${p}:127.0.0.1`, `https://own.example:${p}/healthz`));
    } finally {
      await running.close();
    }
    assert.equal(readFileSync(pki('root.pem'), 'utf8'), root);
  });
});
