/** One CSV cell before quoting: null becomes an empty cell. */
export type CsvCell = string | number | boolean | null;

export interface CsvColumn<T> {
  header: string;
  value(row: T): CsvCell;
}

/**
 * RFC 4180 text: CRLF line ends, every field quoted when it holds a quote, comma, CR or LF, quotes doubled.
 * Strings that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe:
 * hostnames and messages come from devices and must not become commands in someone's Excel (OWASP CSV injection).
 */
export function toCsv<T>(columns: ReadonlyArray<CsvColumn<T>>, rows: Iterable<T>): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Either rule below applies: a formula's first character, or a character that needs quotes. */
const NEEDS_CARE = /^[=+\-@\t\r]|[",\r\n]/;

export function csvField(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  // Most cells need neither rule: one test instead of two (an export writes millions of cells).
  if (!NEEDS_CARE.test(value)) return value;
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

