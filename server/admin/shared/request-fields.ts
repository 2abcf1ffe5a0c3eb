import { z } from 'zod';

/**
 * Integers as JSON numbers or numeric strings: API-toolkit clients send both ("365", "-1"). The bounds are
 * checked after conversion so the 400 says what range is allowed.
 */
export function integerField(bounds: { min?: number; max?: number } = {}) {
  let target = z.number().int();
  if (bounds.min !== undefined) target = target.min(bounds.min);
  if (bounds.max !== undefined) target = target.max(bounds.max);
  const message = 'expected an integer (a number or a numeric string)';
  return z.union([z.number(), z.string().trim().regex(/^[+-]?\d{1,15}$/, { error: message })], { error: message })
    .transform(Number)
    .pipe(target);
}

/** A page of at most this many rows, unless the caller asks for all of them with -1 (the toolkit's idiom). */
export const LIMIT_MAX = 1000;

export const pagingShape = {
  limit: integerField({ min: -1, max: LIMIT_MAX })
    .refine((n) => n !== 0, { error: `limit must be -1 (all) or 1-${LIMIT_MAX}` })
    .optional()
    .describe(`-1 (the default) for all rows, else 1-${LIMIT_MAX}`),
  offset: integerField({ min: 0 }).optional().describe('rows to skip; default 0'),
};

export const pagingSchema = z.object(pagingShape);

export interface Paging {
  limit?: number | undefined;
  offset?: number | undefined;
}

export function page<T>(rows: readonly T[], paging: Paging): T[] {
  const offset = paging.offset ?? 0;
  const limit = paging.limit ?? -1;
  return rows.slice(offset, limit === -1 ? undefined : offset + limit);
}

/** For repositories that page in SQL, where LIMIT -1 also means "no limit". */
export function sqlPage(paging: Paging): { limit: number; offset: number } {
  return { limit: paging.limit ?? -1, offset: paging.offset ?? 0 };
}

/** Names arrive URL-decoded from the path (Express decodes them), spaces included. */
export const nameParam = z.string().min(1).max(200);

export const accountParams = z.object({ accountName: nameParam });
export const virtualAccountParams = z.object({ accountName: nameParam, virtualAccountName: nameParam });

/** A point in time as an ISO 8601 string or epoch milliseconds; the admin API answers in ISO 8601 (UTC). */
export const instantField = z.union([
  z.number().int().min(0),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: 'expected an ISO 8601 date or date-time' }),
], { error: 'expected an ISO 8601 date-time or epoch milliseconds' }).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function isoTimeOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : isoTime(epochMs);
}
