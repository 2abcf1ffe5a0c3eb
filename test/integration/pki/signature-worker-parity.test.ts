import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, it } from 'vitest';
import { createDeviceSignatureVerifier, type DeviceSignatureInput } from '../../../licensing/pki/signature-verifier.js';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { CryptoWorkerPool } from '../../../server/device/crypto-worker-pool.js';

const silent = pino({ level: 'silent' });

function keyPair(type: 'ec' | 'rsa'): { privateKey: KeyObject; der: Uint8Array } {
  const pair = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, der: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })) };
}

/** Inputs the verifier must judge: good ones, and every way the former tests found to be bad. */
function cases(): Array<{ name: string; input: DeviceSignatureInput }> {
  const ec = keyPair('ec');
  const rsa = keyPair('rsa');
  const secp384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const payload = '{"type":"AUTHORIZE","nonce":"n1"}';
  const ecSig = sign('sha256', Buffer.from(payload), ec.privateKey).toString('base64');
  const rsaSig = sign('sha256', Buffer.from(payload), rsa.privateKey).toString('base64');
  const good = { algorithm: 'ES256' as const, publicKeyDer: ec.der, payload, signatureBase64: ecSig };
  const flipped = Buffer.from(ecSig, 'base64');
  flipped[10] = (flipped[10] ?? 0) ^ 0xff;
  const compressed = new Uint8Array(ec.der);
  compressed[26] = 0x02;
  return [
    { name: 'ES256 good', input: good },
    { name: 'ES256 good again (cached key)', input: good },
    { name: 'RS256 good', input: { algorithm: 'RS256', publicKeyDer: rsa.der, payload, signatureBase64: rsaSig } },
    { name: 'payload changed', input: { ...good, payload: `${payload} ` } },
    { name: 'signature flipped', input: { ...good, signatureBase64: flipped.toString('base64') } },
    { name: 'not base64', input: { ...good, signatureBase64: `${ecSig.slice(0, -4)}!!!!` } },
    { name: 'bad padding length', input: { ...good, signatureBase64: ecSig.slice(1) } },
    { name: 'empty signature', input: { ...good, signatureBase64: '' } },
    { name: 'too long', input: { ...good, signatureBase64: 'A'.repeat(4100) } },
    { name: 'alg says RS256 for an EC key', input: { ...good, algorithm: 'RS256' } },
    { name: 'alg says ES256 for an RSA key', input: { algorithm: 'ES256', publicKeyDer: rsa.der, payload, signatureBase64: rsaSig } },
    { name: 'P-384 key', input: { ...good, publicKeyDer: new Uint8Array(secp384.publicKey.export({ type: 'spki', format: 'der' })) } },
    { name: 'garbage DER', input: { ...good, publicKeyDer: new Uint8Array([1, 2, 3]) } },
    { name: 'point not on the curve', input: { ...good, publicKeyDer: Uint8Array.from(ec.der, (b, i) => (i === 60 ? b ^ 1 : b)) } },
    { name: 'compressed-point prefix on a full point', input: { ...good, publicKeyDer: compressed } },
  ];
}

describe('crypto worker pool', () => {
  const pools: CryptoWorkerPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });

  for (const keyCacheSize of [0, 2]) {
    it(`gives the inline verifier's answer for every case (key cache ${keyCacheSize})`, async () => {
      const pool = new CryptoWorkerPool({ size: 2, keyCacheSize, logger: silent });
      pools.push(pool);
      const inline = createDeviceSignatureVerifier(keyCacheSize);
      const all = cases();
      const answers = await Promise.all(all.map(({ input }) => pool.verify(input)));
      all.forEach(({ name, input }, index) => assert.equal(answers[index], inline(input), name));
      assert.deepEqual(answers.slice(0, 3), [true, true, true]);
      assert.equal(answers.filter((a) => a).length, 3);
    });
  }

  it('fails the jobs of a worker that dies with UNAVAILABLE, restarts it and serves on', async () => {
    // A worker that dies on the payload "crash" and answers true otherwise.
    const source = `'use strict';
      const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (jobs) => {
        if (jobs.some((job) => job.payload === 'crash')) process.exit(3);
        parentPort.postMessage(jobs.map((job) => ({ id: job.id, valid: true })));
      });`;
    const pool = new CryptoWorkerPool({ size: 1, keyCacheSize: 0, logger: silent, source });
    pools.push(pool);
    const input = (payload: string): DeviceSignatureInput => ({ algorithm: 'ES256', publicKeyDer: new Uint8Array(91), payload, signatureBase64: 'AAAA' });
    assert.equal(await pool.verify(input('before')), true);
    const outcomes = await Promise.allSettled([pool.verify(input('crash')), pool.verify(input('same batch'))]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof DomainError);
      assert.equal(outcome.reason.code, 'UNAVAILABLE');
    }
    assert.equal(await pool.verify(input('after the restart')), true);
  });

  it('verifies on the event loop when workers keep dying before answering anything', async () => {
    const broken = `'use strict'; process.exit(4);`;
    const pool = new CryptoWorkerPool({ size: 1, keyCacheSize: 0, logger: silent, source: broken });
    pools.push(pool);
    const [good] = cases();
    if (!good) throw new Error('no case');
    let answer: boolean | null = null;
    for (let attempt = 0; attempt < 10 && answer === null; attempt += 1) {
      try {
        answer = await pool.verify(good.input);
      } catch (error) {
        assert.ok(error instanceof DomainError && error.code === 'UNAVAILABLE', String(error));
      }
    }
    assert.equal(answer, true);
    assert.equal(await pool.verify({ ...good.input, payload: 'changed' }), false);
  });

  it('rejects what is pending and everything after close()', async () => {
    const hang = `'use strict'; require('node:worker_threads').parentPort.on('message', () => {});`;
    const pool = new CryptoWorkerPool({ size: 1, keyCacheSize: 0, logger: silent, source: hang });
    const input: DeviceSignatureInput = { algorithm: 'ES256', publicKeyDer: new Uint8Array(91), payload: 'x', signatureBase64: 'AAAA' };
    const pending = assert.rejects(pool.verify(input), (error: unknown) => error instanceof DomainError && error.code === 'UNAVAILABLE');
    await new Promise((resolve) => setImmediate(resolve));
    await pool.close();
    await pending;
    await assert.rejects(pool.verify(input), (error: unknown) => error instanceof DomainError && error.code === 'UNAVAILABLE');
  });
});
