import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, it } from 'vitest';
import request from 'supertest';
import { ManualClock } from '../../licensing/shared/clock.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { createSatelliteApp, type SatelliteApp } from '../../server/create-satellite-app.js';

interface Target { name: string; path: string; type: string; soap?: true }

const TARGETS: Target[] = [
  { name: 'JSON device transport', path: DEVICE_TRANSPORT_PATHS.json, type: 'application/json' },
  { name: 'Call Home', path: DEVICE_TRANSPORT_PATHS.callHome, type: 'application/soap+xml', soap: true },
  { name: 'Call Home (SOAP 1.1)', path: DEVICE_TRANSPORT_PATHS.callHome, type: 'text/xml', soap: true },
  { name: 'OAuth token (JSON)', path: '/backend/oauth/token', type: 'application/json' },
  { name: 'OAuth token (form)', path: '/backend/oauth/token', type: 'application/x-www-form-urlencoded' },
  { name: 'OAuth token alias', path: '/oauth/token', type: 'application/x-www-form-urlencoded' },
  { name: 'sign-in (JSON)', path: '/backend/api/v1/session', type: 'application/json' },
  { name: 'sign-in (form)', path: '/api/v1/session', type: 'application/x-www-form-urlencoded' },
  { name: 'toolkit list', path: '/backend/api/v1/accounts/Acme/licenses', type: 'application/json' },
];

const sample = Buffer.from('{"grant_type":"client_credentials","client_id":"a","client_secret":"b"}');
// Fixed bytes, so every run sends the same cases; none of the three decoders accepts them.
const GARBAGE = Buffer.concat([createHash('sha256').update('garbage 1').digest(), createHash('sha256').update('garbage 2').digest()]);
const ENCODINGS: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };

/** Bodies that cannot be decoded under the named Content-Encoding. */
function corruptBodies(encoding: string): Array<{ label: string; body: Buffer }> {
  const valid = ENCODINGS[encoding]?.(sample) ?? sample;
  const flipped = Buffer.from(valid);
  flipped[Math.floor(flipped.length / 2)] = (flipped[Math.floor(flipped.length / 2)] ?? 0) ^ 0xff;
  return [
    { label: 'garbage', body: GARBAGE },
    { label: 'plain text', body: Buffer.from('this is not compressed at all') },
    { label: 'truncated', body: valid.subarray(0, Math.max(1, valid.length - 6)) },
    { label: 'flipped byte', body: flipped },
    { label: 'header only', body: valid.subarray(0, 3) },
  ];
}

/** Posts the bytes as they are (superagent would serialize a Buffer sent as JSON). */
function postRaw(app: SatelliteApp, target: Target, body: Buffer | string, encoding?: string): request.Test {
  const req = request(app).post(target.path).set('content-type', target.type);
  if (encoding) req.set('content-encoding', encoding);
  return req.serialize((raw: Buffer | string) => raw as string).send(body);
}

describe('bodies that cannot be decoded get a 4xx naming the problem, never a 5xx', () => {
  let app: SatelliteApp;
  beforeAll(async () => {
    app = await createSatelliteApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    app.seed.account('Acme');
  });
  afterAll(() => app.close());

  const assertRefused = (target: Target, res: request.Response, what: string, problem: RegExp) => {
    assert.ok(res.status >= 400 && res.status < 500, `${target.name}, ${what}: ${res.status} ${res.text}`);
    if (target.soap) {
      assert.match(res.text, /<(?:[\w-]+:)?Fault>/, `${target.name}, ${what}: a SOAP fault`);
      assert.match(res.text, problem, `${target.name}, ${what}`);
    } else {
      // The token endpoints answer in RFC 6749's shape, everything else in the project's.
      const message = typeof res.body?.error === 'string' ? res.body.error_description : res.body?.error?.message;
      assert.match(String(message), problem, `${target.name}, ${what}`);
    }
  };

  it('corrupt gzip, deflate and br bodies on every path that reads a body', async () => {
    let cases = 0;
    for (const target of TARGETS) {
      for (const encoding of Object.keys(ENCODINGS)) {
        for (const { label, body } of corruptBodies(encoding)) {
          const res = await postRaw(app, target, body, encoding);
          assertRefused(target, res, `${encoding} ${label}`, /could not be decoded/);
          cases += 1;
        }
      }
    }
    assert.equal(cases, TARGETS.length * 3 * 5);
  });

  it('an unknown Content-Encoding and a decompression bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    for (const target of TARGETS) {
      const unknown = await postRaw(app, target, GARBAGE, 'compress');
      assertRefused(target, unknown, 'compress', /encoding/i);
      const big = await postRaw(app, target, bomb, 'gzip');
      assert.equal(big.status, 413, `${target.name}, bomb: ${big.text}`);
    }
  });

  it('form bodies with more than 1,000 parameters', async () => {
    const form = Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join('&');
    for (const target of TARGETS.filter((t) => t.type === 'application/x-www-form-urlencoded')) {
      const res = await postRaw(app, target, form);
      assertRefused(target, res, '1,500 parameters', /parameters/);
    }
  });
});
