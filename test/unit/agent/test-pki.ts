import { createPrivateKey, sign, webcrypto, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const ES256: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

export interface TestCa {
  certificate: x509.X509Certificate;
  pem: string;
  keys: webcrypto.CryptoKeyPair;
}

/** A satellite PKI in miniature: a root, a response-signing certificate under it, optionally a TLS cert. */
export interface TestPki {
  root: TestCa;
  signing: TestCa;
  signingKey: KeyObject;
  /** Lowercase hex as the satellite writes key_id. */
  signingKeyId: string;
  chain: string[];
}

async function keyObject(keys: webcrypto.CryptoKeyPair): Promise<KeyObject> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

export async function createRoot(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name} Root CA`,
    keys,
    signingAlgorithm: ES256,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
  });
  return { certificate, pem: certificate.toString('pem'), keys };
}

export async function issue(issuer: TestCa, subject: string, options: { serialNumber?: string; ca?: boolean; ipAddress?: string } = {}): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true)];
  if (options.ipAddress !== undefined) {
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: options.ipAddress }]));
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? '01a2b3c4d5e6f708',
    subject: `CN=${subject}`,
    issuer: issuer.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ES256,
    extensions,
  });
  return { certificate, pem: certificate.toString('pem'), keys };
}

export async function createTestPki(name = 'Test Satellite', serialNumber = '00c0ffee0123'): Promise<TestPki> {
  const root = await createRoot(name);
  const signing = await issue(root, `${name} Signing`, { serialNumber, ca: true });
  return {
    root,
    signing,
    signingKey: await keyObject(signing.keys),
    signingKeyId: serialNumber.replace(/^0+/, ''),
    chain: [signing.pem, root.pem],
  };
}

export async function privateKeyPem(ca: TestCa): Promise<string> {
  return (await keyObject(ca.keys)).export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Signs a response payload the way the satellite does (DESIGN §4.1). */
export function signedEnvelope(pki: TestPki, message: unknown, options: { keyId?: string; key?: KeyObject } = {}): string {
  const payload = typeof message === 'string' ? message : JSON.stringify(message);
  const value = sign('sha256', Buffer.from(payload, 'utf8'), options.key ?? pki.signingKey).toString('base64');
  return JSON.stringify({ payload, signature: { alg: 'ES256', key_id: options.keyId ?? pki.signingKeyId, value } });
}

/** Issues a device ID certificate from a CSR, signed by the satellite signing certificate. */
export async function issueIdCertificate(pki: TestPki, csrPem: string, serialNumber: string, commonName: string): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${commonName}`,
    issuer: pki.signing.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: csr.publicKey,
    signingKey: pki.signing.keys.privateKey,
    signingAlgorithm: ES256,
  });
  return certificate.toString('pem');
}
