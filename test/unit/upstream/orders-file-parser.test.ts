import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { locateJsonValue, positionOfJsonSyntaxError } from '../../../sync/upstream/json-value-locator.js';
import { parseOrdersFile, type OrdersFileProblem } from '../../../sync/upstream/orders-file-reader.js';

const UCM = 'regid.2016-07.com.cisco.UCM_Enhanced,12.0_66d0d1cf-3c7a-4b3e-9d1e-6a1c3f4e5d21';
const HEADER = 'order_line_id,smart_account,virtual_account,tag,display_name,quantity,license_type,start_date,end_date';
const csvLine = (fields: Partial<Record<string, string>> = {}) => {
  const f = { id: 'L1', account: 'Acme', va: 'Default', tag: `"${UCM}"`, name: 'UCM Enhanced', quantity: '5', type: 'PERPETUAL', start: '2026-01-01', end: '', ...fields };
  return [f.id, f.account, f.va, f.tag, f.name, f.quantity, f.type, f.start, f.end].join(',');
};
const jsonLine = (fields: Record<string, unknown> = {}) => ({
  order_line_id: 'L1', smart_account: 'Acme', virtual_account: 'Default', tag: UCM, display_name: 'UCM Enhanced', quantity: 5,
  license_type: 'PERPETUAL', start_date: '2026-01-01', ...fields,
});
const jsonText = (lines: unknown[]) => JSON.stringify({ format: 'upstream-orders', version: 1, lines }, null, 2);

function problemsOf(text: string, format: 'json' | 'csv'): OrdersFileProblem[] {
  try {
    parseOrdersFile(text, { source: `orders.${format}`, format });
  } catch (error) {
    assert.ok(error instanceof DomainError && error.code === 'VALIDATION_FAILED');
    assert.match(error.message, new RegExp(`^orders\\.${format}: \\d+ problems? in the orders file:\\n  line \\d+, column \\d+`));
    return (error.details?.problems ?? []) as OrdersFileProblem[];
  }
  assert.fail('expected the file to be refused');
}

describe('orders file parser', () => {
  it('reads CSV and JSON lines into the same terms', () => {
    const csv = parseOrdersFile(`${HEADER}\r\n${csvLine({ type: 'TERM', end: '2027-01-01' })}\r\n`, { source: 'o.csv', format: 'csv' });
    const json = parseOrdersFile(jsonText([jsonLine({ license_type: 'TERM', end_date: '2027-01-01' })]), { source: 'o.json', format: 'json' });
    assert.deepEqual(csv, json);
    assert.deepEqual(csv[0], {
      orderLineId: 'L1', smartAccount: 'Acme', virtualAccount: 'Default', tag: UCM, displayName: 'UCM Enhanced', description: '', quantity: 5,
      licenseType: 'TERM', startsAt: Date.UTC(2026, 0, 1), endsAt: Date.UTC(2027, 0, 1), substitutionLadder: [], substitutionLevel: null,
    });
  });

  it('names the line, column and field of wrong CSV values', () => {
    const rows = [HEADER, csvLine(), csvLine({ id: 'L2', quantity: 'ten' }), csvLine({ id: 'L3', type: 'FOREVER' }), csvLine({ id: 'L4', type: 'TERM' })];
    const text = rows.join('\r\n');
    const column = (row: number, needle: string) => (rows[row - 1] ?? '').indexOf(needle) + 1;
    assert.deepEqual(problemsOf(text, 'csv').map((p) => [p.line, p.column, p.field]), [
      [3, column(3, 'ten'), 'quantity'], [4, column(4, 'FOREVER'), 'license_type'], [5, (rows[4] ?? '').length + 1, 'end_date'],
    ]);
    const [quantity, type, end] = problemsOf(text, 'csv');
    assert.match(quantity?.message ?? '', /whole number.*\(got "ten"\)/);
    assert.match(type?.message ?? '', /unknown license type "FOREVER"; expected PERPETUAL, TERM or SUBSCRIPTION/);
    assert.match(end?.message ?? '', /a TERM line needs an end date/);
  });

  it('refuses bad CSV quoting, unknown or missing columns, short rows and duplicate ids', () => {
    assert.deepEqual(problemsOf(`${HEADER}\r\nL1,Acme,Def"ault,x\r\n`, 'csv'), [{ line: 2, column: 12, field: null, message: 'a quote inside an unquoted field; quote the whole field and double the quote ("")' }]);
    assert.deepEqual(problemsOf(`${HEADER},quantitiy\r\n`, 'csv').map((p) => [p.line, p.column, p.field]), [[1, HEADER.length + 2, 'quantitiy']]);
    assert.match(problemsOf('order_line_id,tag\r\n', 'csv')[0]?.message ?? '', /missing columns: smart_account, virtual_account, display_name, quantity, license_type, start_date/);
    assert.deepEqual(problemsOf(`${HEADER}\r\nL1,Acme\r\n`, 'csv')[0], { line: 2, column: 1, field: null, message: 'expected 9 fields as in the header, found 2' });
    assert.deepEqual(problemsOf(`${HEADER}\r\n${csvLine()}\r\n${csvLine()}\r\n`, 'csv')[0], { line: 3, column: 1, field: 'order_line_id', message: "order line id 'L1' is already used on line 2" });
  });

  it('names the line, column and path of wrong JSON values, unknown keys and syntax errors', () => {
    const text = jsonText([jsonLine(), jsonLine({ order_line_id: 'L2', quantity: '5' }), jsonLine({ order_line_id: 'L3', license_type: 'FOREVER', quantitiy: 1 })]);
    const problems = problemsOf(text, 'json');
    assert.deepEqual(problems.map((p) => p.field), ['lines[1].quantity', 'lines[2].license_type', 'lines[2].quantitiy']);
    const at = (needle: string) => {
      const offset = text.indexOf(needle);
      const before = text.slice(0, offset);
      return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
    };
    assert.deepEqual({ line: problems[0]?.line, column: problems[0]?.column }, at('"5"'));
    assert.deepEqual({ line: problems[2]?.line, column: problems[2]?.column }, { ...at('"quantitiy": 1'), column: at('"quantitiy": 1').column + 13 });
    assert.match(problems[1]?.message ?? '', /unknown license type "FOREVER"/);
    const syntax = problemsOf('{\n  "format": "upstream-orders",\n  "lines": [}\n}', 'json')[0];
    assert.deepEqual([syntax?.line, syntax?.column], [3, 13]);
    assert.match(syntax?.message ?? '', /not valid JSON/);
    assert.equal(problemsOf(JSON.stringify({ format: 'upstream-orders', version: 2, lines: [] }), 'json')[0]?.field, 'version');
  });

  it('checks dates, tags and the PERPETUAL/TERM end-date rule', () => {
    const fields = (line: Record<string, unknown>) => problemsOf(jsonText([jsonLine(line)]), 'json').map((p) => `${p.field}: ${p.message}`);
    assert.deepEqual(fields({ start_date: '2026-02-30' }), ["lines[0].start_date: '2026-02-30' is not a calendar date"]);
    assert.deepEqual(fields({ end_date: '2027-01-01' }), ['lines[0].end_date: a PERPETUAL line has no end date']);
    assert.deepEqual(fields({ license_type: 'TERM', end_date: '2025-01-01' }), ['lines[0].end_date: the end date must be after the start date']);
    assert.match(fields({ tag: 'UCM Enhanced' })[0] ?? '', /^lines\[0\]\.tag: expected an entitlement tag/);
    assert.deepEqual(fields({ quantity: -1 }), ['lines[0].quantity: must not be negative']);
  });

  it('locates nested JSON values, and the enclosing object for a missing key', () => {
    const text = '{\n  "a": [1, {"b": "x"}],\n  "c": {}\n}';
    assert.deepEqual(locateJsonValue(text, ['a', 1, 'b']), { line: 2, column: 18 });
    assert.deepEqual(locateJsonValue(text, ['c', 'missing']), { line: 3, column: 8 });
  });

  it('finds where JSON syntax breaks, which Node 20 does not always say', () => {
    const cases: Array<[string, [number, number] | null]> = [
      ['{"a": [1, 2,]}', [1, 13]], ['{"a": tru}', [1, 7]], ['{"a": "x\n  }', [1, 9]], ['[1] 2', [1, 5]], ['{\n "a" 1}', [2, 6]],
      ['{"a": -0.5e+3, "b": [true, null, "\\u00e9"]}', null],
    ];
    for (const [text, expected] of cases) {
      const at = positionOfJsonSyntaxError(text);
      assert.deepEqual(at === null ? null : [at.line, at.column], expected, text);
    }
  });
});
