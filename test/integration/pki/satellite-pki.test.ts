import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { IdCertificate, Udi } from '../../../licensing/instances/product-instance.js';
import { normalizeSerial } from '../../../licensing/instances/product-instance.js';
import { parseDeviceCsr } from '../../../licensing/pki/device-csr.js';
import { generatePkiMaterial, type PkiMaterial } from '../../../licensing/pki/pki-material.js';
import { SatellitePki } from '../../../licensing/pki/satellite-pki.js';
import { signPayload, verifyDeviceSignature } from '../../../licensing/pki/signature-verifier.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../licensing/shared/clock.js';
import { defaultLicensingTimers } from '../../../licensing/shared/licensing-timers.js';

x509.cryptoProvider.set(webcrypto);

// openssl checks validity against the real clock, so certificates are issued "now", on a whole second.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const UDI: Udi = { pid: 'C9300-24UX', serialNumber: 'FCW2134L00C', vid: 'V02', hostIdentifier: null };

interface DeviceKey {
  keys: webcrypto.CryptoKeyPair;
  csrPem: string;
}

async function deviceKey(kind: 'ec' | 'rsa'): Promise<DeviceKey> {
  const keys =
    kind === 'ec'
      ? await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
      : await webcrypto.subtle.generateKey(
          { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
          true,
          ['sign', 'verify'],
        );
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [UDI.serialNumber] }],
    keys,
    signingAlgorithm: kind === 'ec' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' },
  });
  return { keys, csrPem: csr.toString('pem') };
}

async function privateKeyObject(key: webcrypto.CryptoKey) {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function spkiOf(pem: string): Uint8Array {
  return new Uint8Array(new x509.X509Certificate(pem).publicKey.rawData);
}

describe('satellite PKI', () => {
  let material: PkiMaterial;
  let pki: SatellitePki;
  let dir: string;

  function openssl(args: string[]): string {
    return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  function write(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'satellite-pki-'));
    material = await generatePkiMaterial({ now: NOW, hostNames: ['satellite.example.net', 'localhost', '127.0.0.1', '::1'] });
    pki = await SatellitePki.load(material, { timers: defaultLicensingTimers });
    write('root.pem', material.rootCertificatePem);
    write('signing.pem', material.signingCertificatePem);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a root, signing and TLS certificate with the promised shape', () => {
    const root = new x509.X509Certificate(material.rootCertificatePem);
    const signing = new x509.X509Certificate(material.signingCertificatePem);
    const tls = new x509.X509Certificate(material.tlsCertificatePem);

    assert.equal(root.subject, root.issuer);
    assert.equal(signing.issuer, root.subject);
    assert.equal(tls.issuer, root.subject);
    for (const certificate of [root, signing, tls]) {
      assert.equal(certificate.notBefore.getTime(), NOW - MS_PER_HOUR);
      // 16 bytes, top bit clear so the INTEGER is positive, never a zero first byte.
      assert.match(certificate.serialNumber, /^(0[1-9a-f]|[1-7][0-9a-f])[0-9a-f]{30}$/);
    }
    assert.equal(new Set([root, signing, tls].map((c) => c.serialNumber)).size, 3);
    assert.equal(root.notAfter.getUTCFullYear(), new Date(NOW).getUTCFullYear() + 20);
    assert.equal(signing.notAfter.getUTCFullYear(), new Date(NOW).getUTCFullYear() + 10);
    assert.equal(tls.notAfter.getUTCFullYear(), new Date(NOW).getUTCFullYear() + 2);

    const rootBasic = root.getExtension(x509.BasicConstraintsExtension);
    assert.equal(rootBasic?.ca, true);
    assert.equal(rootBasic.critical, true);
    const signingBasic = signing.getExtension(x509.BasicConstraintsExtension);
    assert.equal(signingBasic?.ca, true);
    assert.equal(signingBasic.pathLength, 0);
    assert.equal(tls.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    assert.deepEqual([...(tls.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth]);

    assert.equal(pki.signingKeyId, normalizeSerial(signing.serialNumber));
    assert.deepEqual(pki.certificateChain, [material.signingCertificatePem, material.rootCertificatePem]);
    assert.equal(pki.rootCertificatePem, material.rootCertificatePem);
    for (const key of [material.rootKeyPem, material.signingKeyPem, material.tlsKeyPem]) {
      assert.match(key, /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(createPrivateKey(key).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    }
  });

  it('issues a TLS certificate that openssl verifies for every host name and IP', () => {
    const tlsPath = write('tls.pem', material.tlsCertificatePem);
    assert.equal(openssl(['verify', '-CAfile', 'root.pem', tlsPath]).trim(), `${tlsPath}: OK`);
    for (const check of [['-verify_hostname', 'satellite.example.net'], ['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
      assert.match(openssl(['verify', '-purpose', 'sslserver', ...check, '-CAfile', 'root.pem', tlsPath]), /: OK$/m);
    }
    assert.throws(() => openssl(['verify', '-verify_hostname', 'other.example.net', '-CAfile', 'root.pem', tlsPath]));
  });

  for (const kind of ['ec', 'rsa'] as const) {
    it(`issues a ${kind === 'ec' ? 'P-256' : 'RSA-2048'} device certificate that openssl verifies against the chain`, async () => {
      const device = await deviceKey(kind);
      const csr = await parseDeviceCsr(device.csrPem);
      const productInstanceId = '0b6a8f1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b';
      const issued = await pki.issueDeviceCertificate({ csr, productInstanceId, udi: UDI, now: NOW });

      assert.equal(issued.keyAlgorithm, kind === 'ec' ? 'ES256' : 'RS256');
      assert.equal(issued.productInstanceId, productInstanceId);
      assert.deepEqual(issued.publicKeyDer, csr.publicKeyDer);
      assert.equal(issued.notBefore, NOW - MS_PER_HOUR);
      assert.equal(issued.notAfter, NOW + 365 * MS_PER_DAY);
      assert.equal(issued.issuedAt, NOW);
      assert.equal(issued.revokedAt, null);

      const certificate = new x509.X509Certificate(issued.pem);
      assert.equal(issued.serial, normalizeSerial(certificate.serialNumber));
      assert.equal(certificate.issuer, new x509.X509Certificate(material.signingCertificatePem).subject);
      assert.deepEqual(certificate.subjectName.getField('CN'), [productInstanceId]);
      assert.deepEqual(certificate.subjectName.getField('2.5.4.5'), ['PID:C9300-24UX SN:FCW2134L00C']);
      assert.deepEqual(new Uint8Array(certificate.publicKey.rawData), csr.publicKeyDer);
      assert.equal(certificate.getExtension(x509.BasicConstraintsExtension)?.ca, false);
      assert.deepEqual([...(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.clientAuth]);
      const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
      assert.equal(keyUsage?.usages, x509.KeyUsageFlags.digitalSignature);
      assert.equal(keyUsage.critical, true);

      const devicePath = write(`device-${kind}.pem`, issued.pem);
      const output = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'signing.pem', devicePath]);
      assert.equal(output.trim(), `${devicePath}: OK`);
      assert.match(openssl(['verify', '-x509_strict', '-purpose', 'sslclient', '-CAfile', 'root.pem', '-untrusted', 'signing.pem', devicePath]), /: OK$/m);
      assert.match(openssl(['x509', '-in', devicePath, '-noout', '-subject']), /CN ?= ?0b6a8f1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b, ?serialNumber ?= ?PID:C9300-24UX SN:FCW2134L00C/);
      assert.ok(statSync(devicePath).isFile());

      // The device's envelope signature checks out against the key its certificate carries.
      const payload = JSON.stringify({ type: 'AUTHORIZE', note: 'ünïcödé' });
      const signature = signPayload(await privateKeyObject(device.keys.privateKey), payload);
      assert.equal(verifyDeviceSignature({ algorithm: issued.keyAlgorithm, publicKeyDer: issued.publicKeyDer, payload, signatureBase64: signature }), true);
      const otherAlgorithm = issued.keyAlgorithm === 'ES256' ? 'RS256' : 'ES256';
      assert.equal(verifyDeviceSignature({ algorithm: otherAlgorithm, publicKeyDer: issued.publicKeyDer, payload, signatureBase64: signature }), false);
    });
  }

  it('gives every issued certificate a distinct serial and honours custom timers', async () => {
    const shortLived = await SatellitePki.load(material, {
      timers: { ...defaultLicensingTimers, idCertificateValidityMs: 7 * MS_PER_DAY, idCertificateBackdateMs: 5 * 60_000 },
    });
    const csr = await parseDeviceCsr((await deviceKey('ec')).csrPem);
    const issued: IdCertificate[] = [];
    for (let i = 0; i < 20; i++) {
      issued.push(await shortLived.issueDeviceCertificate({ csr, productInstanceId: `pi-${i}`, udi: UDI, now: NOW }));
    }
    assert.equal(new Set(issued.map((c) => c.serial)).size, issued.length);
    assert.ok(issued.every((c) => c.serial === normalizeSerial(c.serial)));
    assert.equal(issued[0]?.notBefore, NOW - 5 * 60_000);
    assert.equal(issued[0]?.notAfter, NOW + 7 * MS_PER_DAY);
  });

  it('signs responses with ES256 that verify against the signing certificate key', () => {
    const payload = '{"version":"1.0","type":"REGISTER_RESPONSE","nonce":"abc_-123"}';
    const signature = pki.sign(payload);
    const publicKeyDer = spkiOf(pki.signingCertificatePem);
    const valid = { algorithm: 'ES256' as const, publicKeyDer, payload, signatureBase64: signature };
    assert.equal(verifyDeviceSignature(valid), true);
    assert.equal(verifyDeviceSignature({ ...valid, payload: `${payload} ` }), false);

    const flipped = Buffer.from(signature, 'base64');
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0x01;
    assert.equal(verifyDeviceSignature({ ...valid, signatureBase64: flipped.toString('base64') }), false);

    for (const garbage of ['', '%%%not base64%%%', 'AAAA', 'QUJD', 'A'.repeat(10_000), `${signature}x`]) {
      assert.equal(verifyDeviceSignature({ ...valid, signatureBase64: garbage }), false, garbage.slice(0, 20));
    }
    assert.equal(verifyDeviceSignature({ ...valid, publicKeyDer: new Uint8Array([1, 2, 3]) }), false);
    assert.equal(verifyDeviceSignature({ ...valid, publicKeyDer: spkiOf(pki.rootCertificatePem) }), false);
  });

  it('refuses material whose signing key does not belong to the signing certificate', async () => {
    const other = await generatePkiMaterial({ now: NOW, hostNames: ['localhost'] });
    await assert.rejects(SatellitePki.load({ ...material, signingKeyPem: other.signingKeyPem }, { timers: defaultLicensingTimers }), /does not belong/);
    await assert.rejects(SatellitePki.load({ ...material, rootCertificatePem: other.rootCertificatePem }, { timers: defaultLicensingTimers }), /not signed by the satellite root/);
  });

  it('refuses host names that are neither DNS names nor IP addresses', async () => {
    await assert.rejects(generatePkiMaterial({ now: NOW, hostNames: [] }), /at least one host name/);
    await assert.rejects(generatePkiMaterial({ now: NOW, hostNames: ['bad name, O=evil'] }), /neither a DNS name nor an IP address/);
  });
});
