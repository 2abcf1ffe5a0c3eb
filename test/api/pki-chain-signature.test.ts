import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, it } from 'vitest';
import { createSatelliteApp } from '../../server/create-satellite-app.js';
import { formatSlrAuthorizationCode, parseSlrAuthorizationCode } from '../../protocol/reservation/slr-authorization-code.js';

const app = await createSatelliteApp();
const dir = mkdtempSync(join(tmpdir(), 'chain-'));
afterAll(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('GET /pki/chain.pem', () => {
  it('serves the signing certificate, then the root, without credentials', async () => {
    const res = await request(app).get('/pki/chain.pem').expect(200);
    assert.match(String(res.headers['content-type']), /application\/x-pem-file/);
    const pems = res.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    assert.deepEqual(pems.map((p) => `${p}\n`), app.satellite.pki.certificateChain.map((p) => `${p.trimEnd()}\n`));
    writeFileSync(join(dir, 'chain.pem'), res.text);
    writeFileSync(join(dir, 'signing.pem'), `${pems[0] ?? ''}\n`);
    writeFileSync(join(dir, 'root.pem'), `${pems[1] ?? ''}\n`);
    assert.match(openssl('verify', '-CAfile', 'root.pem', 'signing.pem'), /signing.pem: OK/);
  });

  it('verifies an SLR authorization code\'s signature with openssl dgst and the chain\'s signing certificate', () => {
    const code = formatSlrAuthorizationCode({
      piid: 'a3c1', timestamp: 1, udi: { pid: 'C9300-24UX', serialNumber: 'FCW1' },
      entitlements: [{ tag: 't', count: 1, startDate: '', endDate: '', licenseType: 'PERPETUAL', displayName: 'T', tagDescription: '', subscriptionId: '' }],
    }, (text) => app.satellite.pki.sign(text));
    const parsed = parseSlrAuthorizationCode(code);
    writeFileSync(join(dir, 'signed.txt'), parsed.signedText);
    writeFileSync(join(dir, 'signature.der'), Buffer.from(parsed.signature, 'base64'));
    openssl('x509', '-in', 'signing.pem', '-pubkey', '-noout', '-out', 'signing-pub.pem');
    assert.match(openssl('dgst', '-sha256', '-verify', 'signing-pub.pem', '-signature', 'signature.der', 'signed.txt'), /Verified OK/);
    writeFileSync(join(dir, 'signed.txt'), parsed.signedText.replace('<count>1<', '<count>2<'));
    assert.throws(() => openssl('dgst', '-sha256', '-verify', 'signing-pub.pem', '-signature', 'signature.der', 'signed.txt'),
      (e: unknown) => /Verification failure/i.test(String((e as { stdout?: unknown }).stdout) + String((e as { stderr?: unknown }).stderr)));
  });
});
