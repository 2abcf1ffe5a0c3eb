import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../../../sync/upstream/csv-parser.js';

const values = (text: string) => parseCsv(text).map((r) => r.cells.map((c) => c.value));

describe('RFC 4180 CSV parser', () => {
  it('reads plain and quoted fields with CRLF or LF records, doubled quotes and line breaks inside quotes', () => {
    assert.deepEqual(values('a,b,c\r\n1,"x,y","say ""hi"""\r\n'), [['a', 'b', 'c'], ['1', 'x,y', 'say "hi"']]);
    assert.deepEqual(values('a,b\n"two\nlines",\n'), [['a', 'b'], ['two\nlines', '']]);
    assert.deepEqual(values('a,b'), [['a', 'b']], 'the last record needs no line break');
    assert.deepEqual(values(',\r\n""'), [['', ''], ['']], 'empty fields, and a quoted empty field is a record');
  });

  it('skips a UTF-8 BOM and blank lines, and reports where each record and field starts', () => {
    const records = parseCsv('\uFEFFa,b\r\n\r\n  x ,"y"\r\n');
    assert.deepEqual(records.map((r) => r.line), [1, 3]);
    assert.deepEqual(records[1]?.cells, [{ value: '  x ', line: 3, column: 1 }, { value: 'y', line: 3, column: 6 }]);
  });

  it('refuses malformed quoting with its line and column', () => {
    const refuse = (text: string, line: number, column: number, message: RegExp) => assert.throws(() => parseCsv(text), (error: unknown) => {
      assert.ok(error instanceof CsvSyntaxError);
      assert.deepEqual([error.line, error.column], [line, column], error.message);
      assert.match(error.message, message);
      return true;
    });
    refuse('a,b\r\n1,ab"c\r\n', 2, 5, /quote inside an unquoted field/);
    refuse('a,b\r\n1,"abc"d\r\n', 2, 8, /unexpected 'd' after a closing quote/);
    refuse('a,b\r\n1,"abc\r\n2,3\r\n', 2, 3, /unterminated quoted field/);
    refuse('a\rb', 1, 2, /carriage return/);
  });
});
