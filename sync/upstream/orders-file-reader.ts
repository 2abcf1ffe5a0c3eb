import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { z } from 'zod';
import { ValidationError } from '../../licensing/shared/domain-error.js';
import type { OrderLineTerms } from '../../licensing/upstream/order-line.js';
import { CsvSyntaxError, parseCsv, type CsvCell } from './csv-parser.js';
import { locateJsonValue, positionOfJsonSyntaxError } from './json-value-locator.js';
import {
  csvOrderLineSchema, jsonOrderLineSchema, ORDER_LINE_FIELDS, ordersJsonSchema, REQUIRED_ORDER_LINE_FIELDS, type OrderLineField,
} from './order-line-schema.js';

export type OrdersFormat = 'json' | 'csv';
export const MAX_ORDERS_FILE_BYTES = 16 * 1024 * 1024;
const MAX_REPORTED = 20;

/** One thing wrong with an orders file, where it is; `field` is null for problems with the file as a whole. */
export interface OrdersFileProblem {
  line: number;
  column: number;
  field: string | null;
  message: string;
}

/** Reads an orders file (docs/upstream.md); the format comes from the extension, else from the first character. */
export async function readOrdersFile(path: string, format?: OrdersFormat): Promise<OrderLineTerms[]> {
  const size = (await stat(path)).size;
  if (size > MAX_ORDERS_FILE_BYTES) throw new ValidationError(`${path}: an orders file is at most ${MAX_ORDERS_FILE_BYTES} bytes, this one has ${size}`);
  const text = await readFile(path, 'utf8');
  return parseOrdersFile(text, { source: path, format: format ?? ordersFormatOf(path, text) });
}

export function ordersFormatOf(path: string, text: string): OrdersFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.csv') return 'csv';
  return text.trimStart().startsWith('{') ? 'json' : 'csv';
}

/** Every line, validated; or a ValidationError listing each problem with its line, column and field. */
export function parseOrdersFile(text: string, options: { source: string; format: OrdersFormat }): OrderLineTerms[] {
  const problems: OrdersFileProblem[] = [];
  const lines = options.format === 'json' ? fromJson(text, problems) : fromCsv(text, problems);
  const seen = new Map<string, number>();
  for (const { terms, line, column } of lines) {
    const first = seen.get(terms.orderLineId);
    if (first !== undefined) problems.push({ line, column, field: 'order_line_id', message: `order line id '${terms.orderLineId}' is already used on line ${first}` });
    else seen.set(terms.orderLineId, line);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REPORTED).map((p) => `  line ${p.line}, column ${p.column}${p.field === null ? '' : ` (${p.field})`}: ${p.message}`);
    const more = problems.length > MAX_REPORTED ? [`  ... and ${problems.length - MAX_REPORTED} more`] : [];
    throw new ValidationError(
      `${options.source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the orders file:\n${[...shown, ...more].join('\n')}`,
      { problems: problems.slice(0, MAX_REPORTED) },
    );
  }
  return lines.map((l) => l.terms);
}

interface LocatedLine {
  terms: OrderLineTerms;
  line: number;
  column: number;
}

function fromJson(text: string, problems: OrdersFileProblem[]): LocatedLine[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = positionOfJsonSyntaxError(text) ?? { line: 1, column: 1 };
    problems.push({ ...at, field: null, message: `not valid JSON: ${message}` });
    return [];
  }
  const top = ordersJsonSchema.safeParse(document);
  if (!top.success) {
    for (const issue of top.error.issues) problems.push(jsonProblem(text, [], issue));
    return [];
  }
  const located: LocatedLine[] = [];
  top.data.lines.forEach((raw, index) => {
    const parsed = jsonOrderLineSchema.safeParse(raw);
    const at = locateJsonValue(text, ['lines', index]);
    if (parsed.success) located.push({ terms: parsed.data, ...at });
    else for (const issue of parsed.error.issues) problems.push(jsonProblem(text, ['lines', index], issue, raw));
  });
  return located;
}

function jsonProblem(text: string, prefix: PropertyKey[], issue: z.core.$ZodIssue, raw?: unknown): OrdersFileProblem {
  // An unknown key is reported at that key's value, so a typo like "quantitiy" is pointed at directly.
  const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  const field = [...prefix, ...path].map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || null;
  return { ...locateJsonValue(text, [...prefix, ...path]), field, message: describeIssue(issue, raw) };
}

function fromCsv(text: string, problems: OrdersFileProblem[]): LocatedLine[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.push({ line: error.line, column: error.column, field: null, message: error.message.replace(/^line \d+, column \d+: /, '') });
    return [];
  }
  const [header, ...rows] = records;
  if (header === undefined) {
    problems.push({ line: 1, column: 1, field: null, message: 'the file is empty; the first line names the columns' });
    return [];
  }
  const columns = readHeader(header.cells, problems);
  if (columns === null) return [];
  const located: LocatedLine[] = [];
  for (const row of rows) {
    if (row.cells.length !== columns.length) {
      problems.push({ line: row.line, column: 1, field: null, message: `expected ${columns.length} fields as in the header, found ${row.cells.length}` });
      continue;
    }
    const raw: Record<string, string> = {};
    const cellOf = new Map<string, CsvCell>();
    columns.forEach((column, i) => {
      const cell = row.cells[i];
      if (cell === undefined) return;
      cellOf.set(column, cell);
      // An empty cell is an absent value, so optional columns take their defaults and required ones say so.
      if (cell.value.trim() !== '') raw[column] = cell.value;
    });
    const parsed = csvOrderLineSchema.safeParse(raw);
    if (parsed.success) {
      located.push({ terms: parsed.data, line: row.line, column: 1 });
      continue;
    }
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === undefined ? null : String(issue.path[0]);
      const cell = field === null ? undefined : cellOf.get(field);
      const value = field === null ? undefined : raw[field];
      const message = describeIssue(issue, raw);
      const shown = value === undefined ? '' : JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
      const got = shown === '' || message.includes(shown) ? '' : ` (got ${shown})`;
      problems.push({ line: cell?.line ?? row.line, column: cell?.column ?? 1, field, message: `${message}${got}` });
    }
  }
  return located;
}

function readHeader(cells: readonly CsvCell[], problems: OrdersFileProblem[]): OrderLineField[] | null {
  const before = problems.length;
  const columns: OrderLineField[] = [];
  for (const cell of cells) {
    const name = cell.value.trim();
    const known = ORDER_LINE_FIELDS.find((f) => f === name);
    if (known === undefined) problems.push({ line: cell.line, column: cell.column, field: name, message: `unknown column '${name}'; the columns are ${ORDER_LINE_FIELDS.join(', ')}` });
    else if (columns.includes(known)) problems.push({ line: cell.line, column: cell.column, field: name, message: `column '${name}' appears twice` });
    else columns.push(known);
  }
  const missing = REQUIRED_ORDER_LINE_FIELDS.filter((f) => !columns.includes(f));
  if (missing.length > 0) problems.push({ line: 1, column: 1, field: null, message: `missing column${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}` });
  return problems.length === before ? columns : null;
}

/** zod's words, except for a missing value, which reads better as "is required". */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const key = issue.path[0];
  const missing = issue.code === 'invalid_type' && issue.path.length === 1 && typeof raw === 'object' && raw !== null
    && typeof key === 'string' && !(key in raw);
  return missing ? 'is required' : issue.message;
}
