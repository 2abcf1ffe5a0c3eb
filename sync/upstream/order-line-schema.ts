import { z } from 'zod';
import type { OrderLineTerms } from '../../licensing/upstream/order-line.js';

/**
 * One purchased license line of the orders file (docs/upstream.md), in JSON and in CSV. The field names are
 * the same in both; CSV cells are text, so numbers, lists and empty optional cells are read from strings
 * first and then meet the same rules.
 */
export const ORDERS_FORMAT = 'upstream-orders';
export const ORDERS_VERSION = 1;
export const LICENSE_TYPES = ['PERPETUAL', 'TERM', 'SUBSCRIPTION'] as const;

export const ORDER_LINE_FIELDS = [
  'order_line_id', 'smart_account', 'virtual_account', 'tag', 'display_name', 'description', 'quantity', 'license_type',
  'start_date', 'end_date', 'substitution_ladder', 'substitution_level',
] as const;
export type OrderLineField = (typeof ORDER_LINE_FIELDS)[number];
export const REQUIRED_ORDER_LINE_FIELDS: readonly OrderLineField[] = [
  'order_line_id', 'smart_account', 'virtual_account', 'tag', 'display_name', 'quantity', 'license_type', 'start_date',
];

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
// The shape of a Cisco entitlement tag: regid.<yyyy-mm>.<reverse domain>.<name>,<version>_<uuid>.
const TAG = /^regid\.\d{4}-\d{2}\.[A-Za-z0-9._-]+,[A-Za-z0-9._-]+_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const name = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const tag = z.string().trim().max(256).regex(TAG, 'expected an entitlement tag like regid.2016-07.com.cisco.UCM_Enhanced,12.0_<uuid>');
const date = z.string().trim().regex(ISO_DATE, 'expected a date YYYY-MM-DD, or an ISO 8601 time with a zone')
  .transform((text, ctx) => {
    const [, year, month, day] = ISO_DATE.exec(text) ?? [];
    const midnight = Date.UTC(Number(year), Number(month) - 1, Number(day));
    const ms = text.includes('T') ? Date.parse(text) : midnight;
    // Date.UTC rolls 2026-02-30 over to March; a date that does not come back unchanged is a typo.
    if (Number.isNaN(ms) || Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== `${year}-${month}-${day}`) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not a calendar date` });
      return z.NEVER;
    }
    return ms;
  });
const licenseType = z.string().trim().pipe(z.enum(LICENSE_TYPES, {
  error: (issue) => `unknown license type ${JSON.stringify(issue.input)}; expected PERPETUAL, TERM or SUBSCRIPTION`,
}));

/** CSV text to the JSON shape: digits to numbers, a ;-separated list to an array, an empty cell to absent. */
const fromCell = {
  integer: (inner: z.ZodType<number>) => z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), inner),
  list: (inner: z.ZodType<string[]>) => z.preprocess((v) => (typeof v === 'string' ? v.split(';').map((s) => s.trim()).filter((s) => s.length > 0) : v), inner),
};

function lineSchema(cells: boolean) {
  const quantity = z.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'must not be negative').max(1_000_000_000);
  const level = z.number({ error: 'expected a whole number' }).int('expected a whole number').min(0).max(1000);
  const ladder = z.array(tag).max(32);
  return z.strictObject({
    order_line_id: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'expected 1-64 characters of letters, digits and . _ : / -'),
    smart_account: name,
    virtual_account: name,
    tag,
    display_name: name,
    description: z.string().trim().max(1000).default(''),
    quantity: cells ? fromCell.integer(quantity) : quantity,
    license_type: licenseType,
    start_date: date,
    end_date: date.nullable().default(null),
    substitution_ladder: (cells ? fromCell.list(ladder) : ladder).default([]),
    substitution_level: (cells ? fromCell.integer(level) : level).nullable().default(null),
  }).superRefine((line, ctx) => {
    if (line.license_type === 'PERPETUAL' && line.end_date !== null) {
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'a PERPETUAL line has no end date' });
    }
    if (line.license_type !== 'PERPETUAL' && line.end_date === null) {
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: `a ${line.license_type} line needs an end date` });
    }
    if (line.end_date !== null && line.end_date <= line.start_date) {
      ctx.addIssue({ code: 'custom', path: ['end_date'], message: 'the end date must be after the start date' });
    }
  }).transform((l): OrderLineTerms => ({
    orderLineId: l.order_line_id, smartAccount: l.smart_account, virtualAccount: l.virtual_account, tag: l.tag,
    displayName: l.display_name, description: l.description, quantity: l.quantity, licenseType: l.license_type, startsAt: l.start_date,
    endsAt: l.end_date, substitutionLadder: l.substitution_ladder, substitutionLevel: l.substitution_level,
  }));
}

export const jsonOrderLineSchema = lineSchema(false);
export const csvOrderLineSchema = lineSchema(true);

export const ordersJsonSchema = z.strictObject({
  format: z.literal(ORDERS_FORMAT),
  version: z.literal(ORDERS_VERSION),
  lines: z.array(z.unknown()).max(100_000),
});
