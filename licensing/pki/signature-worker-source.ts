/**
 * The crypto worker (server/device/crypto-worker-pool.ts) as plain CommonJS text, run with
 * `new Worker(source, { eval: true })`. Being a string that needs only node: builtins, it loads the same
 * under tsx, vitest and the built dist/, where a .ts worker file would need a loader in each.
 *
 * It is createDeviceSignatureVerifier (signature-verifier.ts) and importSpkiPublicKey (public-key-import.ts)
 * written again in JavaScript: strict base64 of at most 4096 characters, the P-256 JWK fast import, the
 * algorithm/key match, an LRU of imported keys (workerData.keyCacheSize, 0 = none). The parity test
 * (test/integration/pki/signature-worker-parity.test.ts) holds both to the same answers.
 *
 * Protocol: the main thread posts an array of jobs { id, der: Uint8Array, alg, payload, signature }; the
 * worker answers with an array of { id, valid } in the same order.
 */
export const SIGNATURE_WORKER_SOURCE = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash, createPublicKey, verify } = require('node:crypto');

const limit = workerData && Number.isInteger(workerData.keyCacheSize) ? workerData.keyCacheSize : 0;
const cache = new Map();
const P256_HEADER = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const POINT = P256_HEADER.length;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function importKey(der) {
  if (der.length === POINT + 65 && der[POINT] === 0x04 && der.subarray(0, POINT).equals(P256_HEADER)) {
    const x = der.subarray(POINT + 1, POINT + 33).toString('base64url');
    const y = der.subarray(POINT + 33).toString('base64url');
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
  }
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

function importOrNull(der) {
  try { return importKey(der); } catch { return null; }
}

function keyFor(der) {
  if (limit <= 0) return importOrNull(der);
  const id = createHash('sha256').update(der).digest('base64');
  const cached = cache.get(id);
  if (cached !== undefined) {
    cache.delete(id);
    cache.set(id, cached);
    return cached;
  }
  const key = importOrNull(der);
  if (key === null) return null;
  if (cache.size >= limit) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(id, key);
  return key;
}

function keyMatches(key, alg) {
  return alg === 'ES256'
    ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails !== undefined && key.asymmetricKeyDetails.namedCurve === 'prime256v1'
    : key.asymmetricKeyType === 'rsa';
}

function check(job) {
  const text = job.signature;
  if (typeof text !== 'string' || text.length === 0 || text.length > 4096) return false;
  if (text.length % 4 !== 0 || !BASE64.test(text)) return false;
  const signature = Buffer.from(text, 'base64');
  if (signature.length === 0) return false;
  const der = Buffer.from(job.der.buffer, job.der.byteOffset, job.der.byteLength);
  const key = keyFor(der);
  if (key === null || !keyMatches(key, job.alg)) return false;
  try { return verify('sha256', Buffer.from(job.payload, 'utf8'), key, signature); } catch { return false; }
}

parentPort.on('message', (jobs) => {
  const answers = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i += 1) answers[i] = { id: jobs[i].id, valid: check(jobs[i]) };
  parentPort.postMessage(answers);
});
`;
