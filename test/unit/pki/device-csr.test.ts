import assert from 'node:assert/strict';
import { createPublicKey, webcrypto } from 'node:crypto';
import { describe, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { MAX_CSR_BYTES, parseDeviceCsr } from '../../../licensing/pki/device-csr.js';
import { DeviceRequestError } from '../../../licensing/shared/domain-error.js';

x509.cryptoProvider.set(webcrypto);

type KeySpec = { kind: 'ec'; curve: 'P-256' | 'P-384' } | { kind: 'rsa'; bits: number } | { kind: 'ed25519' };

async function keyPair(spec: KeySpec): Promise<webcrypto.CryptoKeyPair> {
  switch (spec.kind) {
    case 'ec':
      return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: spec.curve }, true, ['sign', 'verify']);
    case 'rsa':
      return webcrypto.subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      );
    case 'ed25519':
      return webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
  }
}

function signingAlgorithmFor(spec: KeySpec): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (spec.kind === 'ec') return { name: 'ECDSA', hash: spec.curve === 'P-384' ? 'SHA-384' : 'SHA-256' };
  if (spec.kind === 'rsa') return { name: 'RSASSA-PKCS1-v1_5' };
  return { name: 'Ed25519' };
}

async function csrPem(spec: KeySpec, keys?: webcrypto.CryptoKeyPair): Promise<string> {
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: ['C9300-24UX'] }, { '2.5.4.5': ['PID:C9300-24UX SN:FCW2134L00C'] }],
    keys: keys ?? (await keyPair(spec)),
    signingAlgorithm: signingAlgorithmFor(spec),
  });
  return request.toString('pem');
}

async function rejects(pem: string, pattern: RegExp): Promise<void> {
  await assert.rejects(parseDeviceCsr(pem), (error: unknown) => {
    assert.ok(error instanceof DeviceRequestError, `expected DeviceRequestError, got ${String(error)}`);
    assert.equal(error.code, 'CSR_INVALID');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseDeviceCsr', () => {
  it('accepts a P-256 CSR as ES256 and returns its SPKI', async () => {
    const keys = await keyPair({ kind: 'ec', curve: 'P-256' });
    const parsed = await parseDeviceCsr(await csrPem({ kind: 'ec', curve: 'P-256' }, keys));
    assert.equal(parsed.keyAlgorithm, 'ES256');
    const expected = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    assert.deepEqual(parsed.publicKeyDer, expected);
    const key = createPublicKey({ key: Buffer.from(parsed.publicKeyDer), format: 'der', type: 'spki' });
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('accepts an RSA-2048 CSR as RS256', async () => {
    const parsed = await parseDeviceCsr(await csrPem({ kind: 'rsa', bits: 2048 }));
    assert.equal(parsed.keyAlgorithm, 'RS256');
  });

  it('accepts the legacy NEW CERTIFICATE REQUEST label and surrounding text', async () => {
    const pem = (await csrPem({ kind: 'ec', curve: 'P-256' })).replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
    const parsed = await parseDeviceCsr(`device says:\r\n${pem.replace(/\n/g, '\r\n')}\r\n`);
    assert.equal(parsed.keyAlgorithm, 'ES256');
  });

  it('accepts the shapes left to the general parser: an extension request attribute, BER lengths', async () => {
    const keys = await keyPair({ kind: 'ec', curve: 'P-256' });
    const withExtensions = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=C9300-24UX', keys, signingAlgorithm: signingAlgorithmFor({ kind: 'ec', curve: 'P-256' }),
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'switch.example.net' }])],
    });
    assert.equal((await parseDeviceCsr(withExtensions.toString('pem'))).keyAlgorithm, 'ES256');
    // The same kind of request with its outer length in a non-minimal long form: valid BER, not DER.
    const der = Buffer.from((await csrPem({ kind: 'ec', curve: 'P-256' }, keys)).replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(der[1], 0x81, 'fixture: a P-256 request is 128-255 bytes long');
    const ber = Buffer.concat([Buffer.from([0x30, 0x82, 0x00, der[2] ?? 0]), der.subarray(3)]);
    assert.equal((await parseDeviceCsr(x509.PemConverter.encode(ber, 'CERTIFICATE REQUEST'))).keyAlgorithm, 'ES256');
  });

  it('accepts RSA requests signed with SHA-384 and ECDSA requests signed with SHA-512', async () => {
    const rsa = await keyPair({ kind: 'rsa', bits: 2048 });
    const rsaRequest = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=a', keys: rsa, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' } as webcrypto.Algorithm,
    });
    assert.equal((await parseDeviceCsr(rsaRequest.toString('pem'))).keyAlgorithm, 'RS256');
    const ec = await keyPair({ kind: 'ec', curve: 'P-256' });
    const ecRequest = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=b', keys: ec, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-512' } });
    assert.equal((await parseDeviceCsr(ecRequest.toString('pem'))).keyAlgorithm, 'ES256');
  });

  it('rejects RSA keys below 2048 bits, naming the size', async () => {
    await rejects(await csrPem({ kind: 'rsa', bits: 1024 }), /RSA 1024 bits/);
  });

  it('rejects EC keys on curves other than P-256, naming the curve', async () => {
    await rejects(await csrPem({ kind: 'ec', curve: 'P-384' }), /curve secp384r1/);
  });

  it('rejects Ed25519 keys, naming the key type', async () => {
    await rejects(await csrPem({ kind: 'ed25519' }), /key type is ed25519/);
  });

  it('rejects a CSR signed by a key other than the one it carries', async () => {
    const carried = await keyPair({ kind: 'ec', curve: 'P-256' });
    const other = await keyPair({ kind: 'ec', curve: 'P-256' });
    const pem = await csrPem({ kind: 'ec', curve: 'P-256' }, { publicKey: carried.publicKey, privateKey: other.privateKey });
    await rejects(pem, /signature does not verify/);
  });

  it('rejects a CSR whose signature bytes were altered', async () => {
    const request = new x509.Pkcs10CertificateRequest(await csrPem({ kind: 'rsa', bits: 2048 }));
    const der = new Uint8Array(request.rawData);
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    await rejects(x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'), /signature does not verify/);
  });

  it('rejects garbage, empty input, other PEM types and oversized input', async () => {
    await rejects('', /empty/);
    await rejects('not a csr at all', /not a PEM block/);
    await rejects('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', /not a valid PKCS#10/);
    await rejects('-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----', /not a PEM block/);
    const asCertificate = (await csrPem({ kind: 'ec', curve: 'P-256' })).replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE');
    await rejects(asCertificate, /not a PEM block/);
    await rejects(`${await csrPem({ kind: 'ec', curve: 'P-256' })}${' '.repeat(MAX_CSR_BYTES)}`, /larger than 16384 bytes/);
  });
});
