import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { beforeAll, describe, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bytesOf, readChildren, readWhole } from '../../../licensing/pki/der.js';
import { DeviceCertificateTemplate } from '../../../licensing/pki/device-certificate-template.js';
import { generatePkiMaterial, type PkiMaterial } from '../../../licensing/pki/pki-material.js';

x509.cryptoProvider.set(webcrypto);

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' };

interface Case {
  name: string;
  key: 'ec' | 'rsa';
  serialHex: string;
  notAfter: number;
  commonName: string;
  serialNumberAttribute: string;
}

const CASES: Case[] = [
  { name: 'a P-256 key, printable names', key: 'ec', serialHex: '4355b62d48d4b50e22324eb2e8e72001', notAfter: NOW + 365 * 86_400_000,
    commonName: '0b6a8f1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b', serialNumberAttribute: 'PID:C9300-24UX SN:FCW2134L00C' },
  { name: 'an RSA key, a UTF-8 UDI and a notAfter past 2049', key: 'rsa', serialHex: '01ffee', notAfter: Date.UTC(2051, 0, 2, 3, 4, 5),
    commonName: 'pi-1', serialNumberAttribute: 'PID:C9300_X SN:ünï#1' },
];

/** The signed part of a certificate, as hex: the first element inside its outer SEQUENCE. */
function tbsHex(raw: ArrayBuffer): string {
  const der = new Uint8Array(raw);
  const certificate = readWhole(der);
  const tbs = certificate ? readChildren(der, certificate)?.[0] : undefined;
  assert.ok(tbs, 'certificate is not DER');
  return bytesOf(der, tbs).toString('hex');
}

async function deviceKeys(kind: 'ec' | 'rsa'): Promise<webcrypto.CryptoKeyPair> {
  return kind === 'ec'
    ? webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
    : webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
    );
}

/**
 * The template replaced @peculiar/x509's generator on the REGISTER path. These tests pin that it produces
 * the very same TBSCertificate bytes the generator made for the same fields, so devices see no difference.
 */
describe('DeviceCertificateTemplate', () => {
  let material: PkiMaterial;
  let signing: x509.X509Certificate;
  let authorityKeyId: x509.AuthorityKeyIdentifierExtension;
  let issuingKey: webcrypto.CryptoKey;
  let template: DeviceCertificateTemplate;

  beforeAll(async () => {
    material = await generatePkiMaterial({ now: NOW, hostNames: ['localhost'] });
    signing = new x509.X509Certificate(material.signingCertificatePem);
    const ski = signing.getExtension(x509.SubjectKeyIdentifierExtension);
    assert.ok(ski);
    authorityKeyId = new x509.AuthorityKeyIdentifierExtension(ski.keyId);
    const signingKey = createPrivateKey(material.signingKeyPem);
    issuingKey = await webcrypto.subtle.importKey('pkcs8', signingKey.export({ format: 'der', type: 'pkcs8' }),
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    template = new DeviceCertificateTemplate(new Uint8Array(signing.rawData), new Uint8Array(authorityKeyId.rawData), signingKey);
  });

  for (const c of CASES) {
    it(`issues the TBSCertificate @peculiar/x509 would, for ${c.name}`, async () => {
      const keys = await deviceKeys(c.key);
      const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
      const notBefore = NOW - 3_600_000;
      const issued = new x509.X509Certificate(template.issue({
        serialHex: c.serialHex, notBefore, notAfter: c.notAfter, commonName: c.commonName, serialNumberAttribute: c.serialNumberAttribute, spki,
      }));
      const reference = await x509.X509CertificateGenerator.create({
        serialNumber: c.serialHex,
        subject: [{ CN: [c.commonName] }, { '2.5.4.5': [c.serialNumberAttribute] }],
        issuer: signing.subjectName,
        notBefore: new Date(notBefore),
        notAfter: new Date(c.notAfter),
        publicKey: keys.publicKey,
        signingKey: issuingKey,
        signingAlgorithm: ECDSA_SHA256,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
          authorityKeyId,
        ],
      });
      assert.equal(tbsHex(issued.rawData), tbsHex(reference.rawData));
      assert.equal(await issued.verify({ publicKey: signing.publicKey, signatureOnly: true }, webcrypto), true);
      assert.deepEqual(issued.subjectName.getField('2.5.4.5'), [c.serialNumberAttribute]);
      assert.equal(issued.notAfter.getTime(), c.notAfter);
    });
  }

  it('refuses a signing certificate it cannot read', () => {
    assert.throws(() => new DeviceCertificateTemplate(new Uint8Array([0x30, 0x00]), new Uint8Array(), createPrivateKey(material.signingKeyPem)),
      /no readable subject name/);
  });
});
