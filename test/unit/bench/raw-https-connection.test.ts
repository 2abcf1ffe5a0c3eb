import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseResponse } from '../../../scripts/bench/raw-https-connection.js';

const answer = (head: string, body: string): Buffer => Buffer.from(`${head}\r\n\r\n${body}`);

describe('the bench load client reads an answer', () => {
  it('waits for the whole Content-Length body, then returns status and text', () => {
    const full = answer('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11', '{"a":"é1"}');
    assert.equal(parseResponse(full.subarray(0, 20)), null);
    assert.equal(parseResponse(full.subarray(0, full.length - 1)), null);
    assert.deepEqual(parseResponse(full), { status: 200, body: '{"a":"é1"}', close: false });
  });

  it('reads chunked bodies and honours Connection: close', () => {
    const full = answer('HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\nConnection: close', '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    assert.equal(parseResponse(full.subarray(0, full.length - 6)), null);
    assert.deepEqual(parseResponse(full), { status: 429, body: 'abcde', close: true });
  });

  it('takes an answer without a body as empty', () => {
    assert.deepEqual(parseResponse(answer('HTTP/1.1 204 No Content', '')), { status: 204, body: '', close: false });
  });
});
