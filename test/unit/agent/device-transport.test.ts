import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, it } from 'vitest';
import {
  CallHomeTransport, DeviceTransportError, InProcessTransport, JsonTransport, TRANSPORT_PATHS, transportFor, transportKindForUrl,
} from '../../../agent/index.js';
import { decodeCallHomeRequest, encodeCallHomeResponse } from '../../../protocol/call-home-codec.js';
import { createRoot, issue, privateKeyPem } from './test-pki.js';

const NOW = Date.UTC(2026, 0, 15);
const ENVELOPE = JSON.stringify({ payload: JSON.stringify({ type: 'AUTHORIZE', text: 'a ]]> b <![CDATA[ ü' }), signature: null });

describe('transport selection', () => {
  it('picks the transport from the URL path', () => {
    assert.ok(transportFor('https://sat.example:8443/SmartTransport') instanceof JsonTransport);
    assert.ok(transportFor('http://10.0.0.1/Transportgateway/services/DeviceRequestHandler/') instanceof CallHomeTransport);
    assert.equal(transportKindForUrl('https://sat.example/smarttransport'), 'json');
    assert.throws(() => transportFor('https://sat.example/api'), (error: unknown) => error instanceof DeviceTransportError && /SmartTransport/.test(error.message));
    assert.throws(() => transportFor('not a url'), DeviceTransportError);
  });
});

describe('InProcessTransport', () => {
  it('carries the envelope through a Call Home SOAP document both ways', async () => {
    const seen: { path: string; contentType: string; body: string }[] = [];
    const transport = new InProcessTransport(async (path, body, contentType) => {
      seen.push({ path, contentType, body });
      const request = decodeCallHomeRequest(body);
      const reply = encodeCallHomeResponse({
        envelopeText: `echo:${request.envelopeText}`, inReplyTo: request.messageId, messageType: 'AUTHORIZE_RESPONSE', now: NOW, sessionMessageId: 'r-1',
      });
      return { status: 200, text: reply };
    }, { kind: 'callhome', clock: () => NOW });
    assert.equal(await transport.send(ENVELOPE, 'AUTHORIZE'), `echo:${ENVELOPE}`);
    const [first] = seen;
    assert.equal(first?.path, TRANSPORT_PATHS.callhome);
    assert.equal(first?.contentType, 'application/soap+xml; charset=utf-8');
    const decoded = decodeCallHomeRequest(first?.body ?? '');
    assert.equal(decoded.envelopeText, ENVELOPE);
    assert.equal(decoded.subType, 'AUTHORIZE');
    assert.match(first?.body ?? '', /2026-01-15 00:00:00 GMT\+00:00/);
  });

  it('posts JSON envelopes as they are and reports non-200 answers with the body', async () => {
    const transport = new InProcessTransport(async (path, body, contentType) => (
      body === 'bad' ? { status: 429, text: '{"error":{"code":"RATE_LIMITED"}}' } : { status: 200, text: `${path} ${contentType} ${body}` }
    ));
    assert.equal(await transport.send('{}', 'REGISTER'), '/SmartTransport application/json {}');
    await assert.rejects(transport.send('bad', 'REGISTER'), (error: unknown) => (
      error instanceof DeviceTransportError && error.status === 429 && /HTTP 429 .*RATE_LIMITED/.test(error.message)
    ));
  });

  it('reports an unreadable Call Home answer as a transport error', async () => {
    const transport = new InProcessTransport(async () => ({ status: 200, text: '<html/>' }), { kind: 'callhome' });
    await assert.rejects(transport.send(ENVELOPE, 'AUTHORIZE'), (error: unknown) => error instanceof DeviceTransportError && /Call Home response/.test(error.message));
  });
});

describe('HTTP transports on loopback', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.close();
  });
  const readBody = async (request: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const listen = async (server: Server): Promise<number> => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  it('posts JSON to /SmartTransport and turns errors and silence into DeviceTransportError', async () => {
    const port = await listen(createServer((request, response) => {
      void readBody(request).then((body) => {
        if (body === 'hang') return;
        response.writeHead(body === 'fail' ? 400 : 200, { 'Content-Type': 'application/json' });
        response.end(body === 'fail' ? '{"error":"cannot read envelope"}' : `${request.method} ${request.url} ${request.headers['content-type']} ${body}`);
      });
    }));
    const transport = new JsonTransport(`http://127.0.0.1:${port}/SmartTransport`, { timeoutMs: 300 });
    assert.equal(await transport.send('{"x":1}', 'REGISTER'), 'POST /SmartTransport application/json {"x":1}');
    await assert.rejects(transport.send('fail', 'REGISTER'), /HTTP 400 from .*cannot read envelope/);
    await assert.rejects(transport.send('hang', 'REGISTER'), /No answer from .* within 300 ms/);
    await assert.rejects(new JsonTransport('http://127.0.0.1:1/SmartTransport').send('{}', 'REGISTER'), /Cannot reach the satellite/);
  });

  it('trusts an HTTPS satellite only through the given CA', async () => {
    const root = await createRoot('TLS');
    const leaf = await issue(root, '127.0.0.1', { ipAddress: '127.0.0.1', serialNumber: '0a0b' });
    const port = await listen(createTlsServer({ cert: leaf.pem, key: await privateKeyPem(leaf) }, (request, response) => {
      void readBody(request).then((body) => {
        const reply = encodeCallHomeResponse({
          envelopeText: decodeCallHomeRequest(body).envelopeText, inReplyTo: null, messageType: 'REGISTER_RESPONSE', now: NOW, sessionMessageId: 's',
        });
        response.writeHead(200, { 'Content-Type': 'application/soap+xml' });
        response.end(reply);
      });
    }));
    const url = `https://127.0.0.1:${port}/Transportgateway/services/DeviceRequestHandler`;
    assert.equal(await transportFor(url, { ca: root.pem }).send(ENVELOPE, 'REGISTER'), ENVELOPE);
    await assert.rejects(transportFor(url).send(ENVELOPE, 'REGISTER'), /not trusted: pass the satellite root CA/);
  });
});
