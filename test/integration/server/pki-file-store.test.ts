import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { loadOrCreatePki, PKI_FILES } from '../../../server/pki/pki-file-store.js';

const dir = mkdtempSync(join(tmpdir(), 'satellite-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const options = { hostNames: ['localhost', '127.0.0.1'], now: Date.UTC(2026, 10, 23), commonName: 'Test Satellite' };

describe('PKI file store', () => {
  it('creates the root CA, signing and TLS material on first start, every file mode 0600', async () => {
    const pki = await loadOrCreatePki(dir, options);
    assert.equal(pki.created, true);
    for (const file of Object.values(PKI_FILES)) {
      assert.equal(statSync(join(pki.directory, file)).mode & 0o777, 0o600, `${file} is 0600`);
    }
    const out = execFileSync('openssl', ['verify', '-CAfile', pki.rootCertificatePath, join(pki.directory, 'signing.pem')], { encoding: 'utf8' });
    assert.match(out, /OK/);
  });

  it('reuses the same material across restarts', async () => {
    const first = readFileSync(join(dir, 'pki', 'root.pem'), 'utf8');
    const again = await loadOrCreatePki(dir, options);
    assert.equal(again.created, false);
    assert.equal(again.material.rootCertificatePem, first);
  });

  it('refuses to regenerate over a partial set, which would orphan registered devices', async () => {
    unlinkSync(join(dir, 'pki', 'tls.pem'));
    await assert.rejects(loadOrCreatePki(dir, options), /incomplete PKI/);
  });
});
