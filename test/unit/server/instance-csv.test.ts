import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { InstanceExportRow } from '../../../licensing/instances/instance-views.js';
import { INSTANCE_CSV_HEADERS, instanceCsvChunks, instanceCsvRows } from '../../../server/admin/instances/instance-csv.js';
import { IsoTimeFormatter } from '../../../server/admin/shared/iso-time-formatter.js';
import { parseCsv } from '../../support/csv-reader.js';

const T = Date.UTC(2026, 11, 6, 21, 37, 35, 773);

const row = (over: Partial<Record<number, string | number | null>> = {}): InstanceExportRow => {
  const base: InstanceExportRow = [
    'i-1', 'sw-1.site', '10.0.0.1', 'C9300-24UX', 'FOC123', 'V02', null, 'regid.x,v1', 'Lab', 'REGISTERED', 'AUTHORIZED',
    T, T + 1, T + 2, T + 90 * 86_400_000, 'abc123', null,
  ];
  return base.map((cell, i) => (i in over ? over[i] : cell)) as unknown as InstanceExportRow;
};

describe('product instance CSV', () => {
  it('writes every cell of a row in header order: text quoted as RFC 4180 says, times as ISO 8601 UTC, null empty', () => {
    const text = instanceCsvRows([row()]);
    assert.equal(text,
      'i-1,sw-1.site,10.0.0.1,C9300-24UX,FOC123,V02,,"regid.x,v1",Lab,REGISTERED,AUTHORIZED,'
      + '2026-12-06T21:37:35.773Z,2026-12-06T21:37:35.774Z,2026-12-06T21:37:35.775Z,2027-03-06T21:37:35.773Z,abc123,\r\n');
    const [cells] = parseCsv(text);
    assert.equal(cells?.length, INSTANCE_CSV_HEADERS.length);
  });

  it('defuses formulas and keeps quotes, commas and line breaks of device-sent text', () => {
    const text = instanceCsvRows([row({ 1: '=HYPERLINK("x")', 2: 'a\r\nb', 6: '+1' })]);
    const [cells] = parseCsv(text);
    assert.equal(cells?.[1], `'=HYPERLINK("x")`);
    assert.equal(cells?.[2], 'a\r\nb');
    assert.equal(cells?.[6], "'+1");
  });

  it('starts with the header line and ends every line with CRLF', async () => {
    async function* windows(): AsyncGenerator<InstanceExportRow[]> {
      yield [row(), row({ 0: 'i-2' })];
      yield [row({ 0: 'i-3' })];
    }
    let text = '';
    for await (const chunk of instanceCsvChunks(windows())) text += chunk;
    const lines = text.split('\r\n');
    assert.equal(lines[0], INSTANCE_CSV_HEADERS.join(','));
    assert.deepEqual(parseCsv(text).slice(1).map((cells) => cells[0]), ['i-1', 'i-2', 'i-3']);
    assert.equal(lines.at(-1), '');
  });
});

describe('ISO time formatter', () => {
  it('writes what toISOString writes, across years, days and milliseconds', () => {
    const times = new IsoTimeFormatter();
    const edges = [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -62_135_596_800_000, 253_402_300_799_999, Date.UTC(2024, 1, 29, 23, 59, 59, 999), T];
    // A fixed sequence (no Math.random: a failure must repeat), spread over 1970 +/- centuries and inside single days.
    let x = 12345;
    const spread = Array.from({ length: 20_000 }, () => {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.round((x / 2_147_483_648 - 0.5) * 2 * 8.64e15 / 1000) + (x % 1000);
    });
    for (const t of [...edges, ...spread]) assert.equal(times.format(t), new Date(t).toISOString(), String(t));
  });

  it('leaves what it does not lay out itself to toISOString: fractions and years beyond 9999', () => {
    const times = new IsoTimeFormatter();
    for (const t of [1.5, 253_402_300_800_000, -62_135_596_800_001, 8.64e15]) assert.equal(times.format(t), new Date(t).toISOString());
  });

  it('stays right when more days pass through it than it keeps', () => {
    const times = new IsoTimeFormatter();
    for (let day = 0; day < 10_000; day += 1) {
      const t = day * 86_400_000 + day;
      assert.equal(times.format(t), new Date(t).toISOString());
    }
  });
});
