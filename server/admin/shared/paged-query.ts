import { z } from 'zod';
import { integerField } from './request-fields.js';

/** Inventory-sized lists (product instances, events) page by default instead of answering everything. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 1000;
/** CSV exports answer every matching row up to this many; x-total-count tells when there were more. */
export const EXPORT_ROW_LIMIT = 100_000;

export const pagedQueryShape = {
  limit: integerField({ min: 1, max: PAGE_MAX }).default(PAGE_DEFAULT).describe(`rows per page, 1-${PAGE_MAX}; default ${PAGE_DEFAULT}`),
  offset: integerField({ min: 0 }).default(0).describe('rows to skip; default 0'),
};

export const exportQueryShape = {
  limit: integerField({ min: 1, max: EXPORT_ROW_LIMIT }).default(EXPORT_ROW_LIMIT).describe(`at most ${EXPORT_ROW_LIMIT} rows (the default)`),
  offset: integerField({ min: 0 }).default(0).describe('rows to skip; default 0'),
};

export const pageInfoShape = {
  total: z.number().int().describe('rows matching the filters, whatever the page'),
  limit: z.number().int(),
  offset: z.number().int(),
};

/**
 * A time in a query string: epoch milliseconds (digits only) or an ISO 8601 date or date-time. Query values
 * are always strings, so a numeric string means milliseconds rather than a year.
 */
export const queryInstant = z.string().trim()
  .refine((s) => /^\d{1,15}$/.test(s) || (/^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s))), {
    error: 'expected epoch milliseconds or an ISO 8601 date-time such as 2026-11-23T12:00:00Z',
  })
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s)));
