/**
 * A small, strict RFC 4180 reader for the orders file (docs/upstream.md). Fields are separated by commas and
 * records by CRLF or LF; a field that holds a comma, quote or line break is quoted, with quotes doubled.
 * Anything else (a quote inside an unquoted field, text after a closing quote, an unterminated quote, a bare
 * CR) is refused with its line and column rather than guessed at. A leading UTF-8 BOM (spreadsheet exports)
 * and blank lines are skipped.
 */
export interface CsvCell {
  value: string;
  /** 1-based position where the field starts (its opening quote, if quoted). */
  line: number;
  column: number;
}

export interface CsvRecord {
  line: number;
  cells: CsvCell[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'CsvSyntaxError';
    this.line = line;
    this.column = column;
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  let cells: CsvCell[] = [];
  let recordLine = 1;
  for (;;) {
    const start = { line, column };
    const quoted = src.charAt(i) === '"';
    let value = '';
    if (quoted) {
      i += 1;
      column += 1;
      for (;;) {
        if (i >= src.length) throw new CsvSyntaxError('unterminated quoted field: the closing quote is missing', start.line, start.column);
        const c = src.charAt(i);
        if (c === '"' && src.charAt(i + 1) === '"') {
          value += '"';
          i += 2;
          column += 2;
        } else if (c === '"') {
          i += 1;
          column += 1;
          break;
        } else {
          value += c;
          i += 1;
          if (c === '\n') {
            line += 1;
            column = 1;
          } else {
            column += 1;
          }
        }
      }
      if (i < src.length && !isFieldEnd(src, i)) {
        throw new CsvSyntaxError(`unexpected ${describe(src.charAt(i))} after a closing quote; a quoted field ends at a comma or the end of the line`, line, column);
      }
    } else {
      while (i < src.length && !isFieldEnd(src, i)) {
        const c = src.charAt(i);
        if (c === '"') throw new CsvSyntaxError('a quote inside an unquoted field; quote the whole field and double the quote ("")', line, column);
        if (c === '\r') throw new CsvSyntaxError('a carriage return outside quotes must be followed by a line feed', line, column);
        value += c;
        i += 1;
        column += 1;
      }
    }
    cells.push({ value, line: start.line, column: start.column });
    if (src.charAt(i) === ',') {
      i += 1;
      column += 1;
      continue;
    }
    // End of the record: a line break or the end of the text.
    if (!(cells.length === 1 && !quoted && value === '')) records.push({ line: recordLine, cells });
    cells = [];
    if (i >= src.length) break;
    i += src.charAt(i) === '\r' ? 2 : 1;
    line += 1;
    column = 1;
    recordLine = line;
    if (i >= src.length) break;
  }
  return records;
}

function isFieldEnd(src: string, i: number): boolean {
  const c = src.charAt(i);
  return c === ',' || c === '\n' || (c === '\r' && src.charAt(i + 1) === '\n');
}

function describe(c: string): string {
  if (c === '"') return 'quote';
  if (c === '\r') return 'carriage return';
  return `'${c}'`;
}
