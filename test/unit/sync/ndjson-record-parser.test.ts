import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { NdjsonRecordParser } from '../../../sync/bundle/ndjson-record-parser.js';
import { BundleRejectedError } from '../../../sync/bundle/bundle-rejected-error.js';

function parseAll(chunks: readonly Buffer[], maxRecordBytes = 1024): unknown[] {
  const parser = new NdjsonRecordParser('usage.ndjson', maxRecordBytes);
  const records = chunks.flatMap((chunk) => parser.push(chunk));
  parser.end();
  return records;
}

function refusal(chunks: readonly Buffer[], maxRecordBytes = 1024): string {
  try {
    parseAll(chunks, maxRecordBytes);
  } catch (error) {
    assert.ok(error instanceof BundleRejectedError);
    assert.equal(error.reason, 'BAD_RECORD');
    return error.message;
  }
  assert.fail('expected BAD_RECORD');
}

describe('NdjsonRecordParser', () => {
  const text = '{"a":1}\n{"b":"café ✓"}\n{"c":[1,2]}\n';
  const expected = [{ a: 1 }, { b: 'café ✓' }, { c: [1, 2] }];

  it('yields the same records whatever the chunk boundaries, even inside a multi-byte character', () => {
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= bytes.length; size += 1) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      assert.deepEqual(parseAll(chunks), expected, `chunks of ${size}`);
    }
    assert.deepEqual(parseAll([]), []);
  });

  it('counts records', () => {
    const parser = new NdjsonRecordParser('usage.ndjson', 1024);
    parser.push(Buffer.from(text));
    assert.equal(parser.recordCount, 3);
  });

  it('refuses, with the line number: non-JSON, non-objects, blank lines, bad UTF-8, long lines, a missing last newline', () => {
    assert.match(refusal([Buffer.from('{"a":1}\n{"a":\n')]), /entry "usage\.ndjson" line 2 is not JSON/);
    assert.match(refusal([Buffer.from('{"a":1}\n[1]\n')]), /line 2 is not a JSON object/);
    assert.match(refusal([Buffer.from('null\n')]), /line 1 is not a JSON object/);
    assert.match(refusal([Buffer.from('{"a":1}\n\n')]), /line 2 is empty/);
    assert.match(refusal([Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a])]), /line 1 is not valid UTF-8/);
    assert.match(refusal([Buffer.from('{"a":1}\n'), Buffer.from(`{"b":"${'x'.repeat(40)}"}\n`)], 32), /line 2 is longer than 32 bytes/);
    assert.match(refusal([Buffer.from('{"a":1}\n{"a":2}')]), /line 2 is not terminated by a newline/);
  });

  it('refuses an over-long line before it is complete, so memory stays bounded', () => {
    const parser = new NdjsonRecordParser('usage.ndjson', 16);
    assert.throws(() => parser.push(Buffer.from('{"a":"0123456789abcdef')), /line 1 is longer than 16 bytes/);
  });
});
