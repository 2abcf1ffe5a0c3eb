import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { csvField, toCsv } from '../../../server/admin/csv-writer.js';
import { parseCsv } from '../../support/csv-reader.js';

describe('CSV writer (RFC 4180)', () => {
  it('quotes fields with quotes, commas, CR or LF, doubling quotes, and ends rows with CRLF', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(42), '42');
    assert.equal(toCsv([{ header: 'h', value: (r: string) => r }], ['x', 'y']), 'h\r\nx\r\ny\r\n');
  });

  it('defuses spreadsheet formulas in strings but not in numbers', () => {
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-5), '-5');
  });

  it('parses back to the same cells', () => {
    const rows = [['a,b', 'say "hi"', 'multi\r\nline\nstuff', '', 'ünïcødé']];
    const text = toCsv(rows[0]?.map((_, i) => ({ header: `c${i}`, value: (r: string[]) => r[i] ?? null })) ?? [], rows);
    assert.deepEqual(parseCsv(text), [['c0', 'c1', 'c2', 'c3', 'c4'], ...rows]);
  });
});
