import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { encodeCallHomeRequest } from '../../protocol/call-home-codec.js';
import { DEVICE_TRANSPORT_PATHS } from '../../protocol/transport-paths.js';
import { defaultHttpOptions } from '../../server/config.js';
import { DeviceTransport } from '../../server/device/device-transport.js';
import { deviceFastPath } from '../../server/http/device-fast-path.js';
import { assertSignedBySatellite, labSatellite, registerDevice, signedRequest, TAG_A, type Device, type Fixture } from '../support/satellite-fixture.js';
import { snapshot } from '../support/device-probe.js';
import { openEnvelope } from '../support/test-device.js';

/**
 * The listener main.ts serves HTTPS with (server/http/device-fast-path.ts), driven over node:http on port 0
 * by supertest: device POSTs answered before Express, everything else handed to the Express app.
 */
describe('device fast path in front of Express', () => {
  let f: Fixture;
  let device: Device;
  let listener: RequestListener;
  let fellThrough: string[];
  const BODY_LIMIT = 8 * 1024;
  const RATE_LIMIT = 40;

  beforeAll(async () => {
    f = await labSatellite();
    device = await registerDevice(f);
    const transport = new DeviceTransport(f.app.satellite, { ...defaultHttpOptions, deviceBodyLimitBytes: BODY_LIMIT, deviceRateLimitPerMinute: RATE_LIMIT });
    listener = deviceFastPath(transport, (req, res) => {
      fellThrough.push(`${req.method ?? ''} ${req.url ?? ''}`);
      f.app(req, res);
    }, pino({ level: 'silent' }));
  });
  beforeEach(() => {
    fellThrough = [];
  });
  afterAll(() => f.app.close());

  const authorize = (count = 1): string => signedRequest(f, device, 'AUTHORIZE', { entitlements: [{ tag: TAG_A, count }] });

  it('answers a signed AUTHORIZE itself, with the headers Express would send', async () => {
    const res = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json').send(authorize(2));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(fellThrough, []);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assertSignedBySatellite(f.app, res.text);
    assert.equal(openEnvelope(res.text).message.body.authorization?.status, 'AUTHORIZED');
    // helmet's headers, exactly as the Express app sends them on the same path.
    const viaExpress = await request(f.app).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json').send(authorize(2));
    assert.equal(viaExpress.status, 200);
    for (const name of ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options',
      'cross-origin-opener-policy', 'cross-origin-resource-policy', 'referrer-policy', 'origin-agent-cluster', 'x-dns-prefetch-control',
      'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'content-type']) {
      assert.equal(res.headers[name], viaExpress.headers[name], name);
    }
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.match(String(res.headers.ratelimit), /^limit=40, remaining=\d+, reset=\d+$/);
    assert.equal(res.headers['ratelimit-policy'], '40;w=60');
  });

  it('answers Call Home in SOAP and refuses an unreadable document with a SOAP fault', async () => {
    const xml = encodeCallHomeRequest({ envelopeText: authorize(), messageType: 'AUTHORIZE', now: f.clock.now(), messageId: `M${randomUUID()}` });
    const ok = await request(listener).post(DEVICE_TRANSPORT_PATHS.callHome).set('content-type', 'application/soap+xml').send(xml);
    assert.equal(ok.status, 200, ok.text);
    assert.match(String(ok.headers['content-type']), /^application\/soap\+xml; charset=utf-8$/);
    assert.match(ok.text, /AUTHORIZE_RESPONSE/);
    const bad = await request(listener).post(DEVICE_TRANSPORT_PATHS.callHome).set('content-type', 'text/xml').send('<not-soap/>');
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers['content-type']), /^application\/soap\+xml/);
    assert.match(bad.text, /Fault/);
    assert.deepEqual(fellThrough, []);
  });

  it('refuses malformed JSON with 400 naming the problem, writing nothing', async () => {
    const state = snapshot(f);
    const res = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json').send('{"payload":');
    assert.equal(res.status, 400);
    const body = res.body as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, 'VALIDATION_FAILED');
    assert.match(body.error.message, /MALFORMED_MESSAGE: envelope is not valid JSON/);
    assert.equal(body.error.requestId, res.headers['x-request-id']);
    assert.deepEqual(snapshot(f), state);
    assert.deepEqual(fellThrough, []);
  });

  it('refuses another content type with 415 in the transport dialect', async () => {
    const json = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'text/plain').send(authorize());
    assert.equal(json.status, 415);
    assert.equal((json.body as { error: { code: string } }).error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const soap = await request(listener).post(DEVICE_TRANSPORT_PATHS.callHome).set('content-type', 'application/json').send('{}');
    assert.equal(soap.status, 415);
    assert.match(soap.text, /Fault/);
    assert.deepEqual(fellThrough, []);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const big = `{"payload":"${'x'.repeat(BODY_LIMIT)}","signature":null}`;
    const declared = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json').send(big);
    assert.equal(declared.status, 413);
    assert.equal((declared.body as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    const chunked = request(listener).post(DEVICE_TRANSPORT_PATHS.callHome).set('content-type', 'text/xml');
    chunked.write('x'.repeat(BODY_LIMIT / 2));
    chunked.write('x'.repeat(BODY_LIMIT));
    const streamed = await chunked;
    assert.equal(streamed.status, 413);
    assert.match(streamed.text, /Fault/);
    assert.deepEqual(fellThrough, []);
  });

  it('hands other methods, paths and encoded bodies to Express', async () => {
    const head = await request(listener).head(DEVICE_TRANSPORT_PATHS.json);
    const get = await request(listener).get(DEVICE_TRANSPORT_PATHS.callHome);
    assert.equal(get.status, 404);
    assert.equal((get.body as { error: { code: string } }).error.code, 'NOT_FOUND');
    const health = await request(listener).get('/healthz');
    assert.equal(health.status, 200);
    const slash = await request(listener).post(`${DEVICE_TRANSPORT_PATHS.json}/`).set('content-type', 'application/json').send(authorize());
    assert.equal(slash.status, 200, slash.text);
    const latin1 = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'application/json; charset=latin1').send(authorize());
    assert.equal(latin1.status, 200, latin1.text);
    assert.equal(head.status, 404);
    assert.deepEqual(fellThrough, [
      `HEAD ${DEVICE_TRANSPORT_PATHS.json}`, `GET ${DEVICE_TRANSPORT_PATHS.callHome}`, 'GET /healthz',
      `POST ${DEVICE_TRANSPORT_PATHS.json}/`, `POST ${DEVICE_TRANSPORT_PATHS.json}`,
    ]);
  });

  it('counts IPv6 clients per /56 and IPv4-mapped ones as IPv4, as express-rate-limit did', () => {
    const transport = new DeviceTransport(f.app.satellite, { ...defaultHttpOptions, deviceRateLimitPerMinute: 1 });
    assert.equal(transport.admit('2001:db8:0:100::1')?.allowed, true);
    assert.equal(transport.admit('2001:db8:0:1ff::2')?.allowed, false, 'same /56');
    assert.equal(transport.admit('2001:db8:0:200::1')?.allowed, true, 'another /56');
    assert.equal(transport.admit('::ffff:10.0.0.1')?.allowed, true);
    assert.equal(transport.admit('10.0.0.1')?.allowed, false, 'the IPv4 behind the mapped address');
  });

  // Last: it uses up this address's budget for the minute.
  it('limits requests per address with 429 and Retry-After in the transport dialect', async () => {
    let limited: request.Response | null = null;
    for (let i = 0; i <= RATE_LIMIT && limited === null; i += 1) {
      const res = await request(listener).post(DEVICE_TRANSPORT_PATHS.json).set('content-type', 'text/plain').send('x');
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 415);
    }
    assert.ok(limited, 'no 429 within the limit + 1 requests');
    assert.equal((limited.body as { error: { code: string } }).error.code, 'RATE_LIMITED');
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    const soap = await request(listener).post(DEVICE_TRANSPORT_PATHS.callHome).set('content-type', 'text/xml').send('<x/>');
    assert.equal(soap.status, 429);
    assert.match(soap.text, /Fault/);
  });
});
