import { z } from 'zod';
import { isLineActive, type LicenseLine } from '../../../licensing/licenses/license-line.js';
import type { PoolStatus } from '../../../licensing/licenses/license-pool.js';
import type { AccountLicenseSummary, PoolView } from '../../../licensing/licenses/pool-summary.js';
import { isoTime, isoTimeOrNull } from '../shared/request-fields.js';

/** The API toolkit's words for a pool's state. */
export const complianceStatus = z.enum(['In Compliance', 'Out of Compliance']);
export type ComplianceStatus = z.infer<typeof complianceStatus>;

export function toComplianceStatus(status: PoolStatus): ComplianceStatus {
  return status === 'INSUFFICIENT' ? 'Out of Compliance' : 'In Compliance';
}

/** One row of the toolkit's `POST .../accounts/{a}/licenses`: the contract, field for field. */
export const toolkitLicenseRow = z.object({
  license: z.string().describe('display name'),
  tag: z.string(),
  quantity: z.number().int().describe('purchased: active lines of every VA of the account'),
  inUse: z.number().int().describe('authorized + reserved'),
  available: z.number().int().describe('quantity - inUse'),
  status: complianceStatus,
});

export function toToolkitLicenseRow(row: AccountLicenseSummary): z.infer<typeof toolkitLicenseRow> {
  return {
    license: row.displayName, tag: row.tag, quantity: row.quantity, inUse: row.inUse, available: row.available,
    status: toComplianceStatus(row.status),
  };
}

export const licenseLineView = z.object({
  id: z.string(),
  quantity: z.number().int().describe('negative for the source side of a transfer'),
  type: z.enum(['PERPETUAL', 'TERM', 'SUBSCRIPTION']),
  start: z.string().describe('ISO 8601'),
  end: z.string().nullable().describe('ISO 8601; null for perpetual lines'),
  active: z.boolean(),
  origin: z.enum(['local', 'upstream', 'transfer']),
  transferId: z.string().nullable(),
});

export function toLicenseLineView(line: LicenseLine, now: number): z.infer<typeof licenseLineView> {
  return {
    id: line.id, quantity: line.quantity, type: line.licenseType, start: isoTime(line.startsAt), end: isoTimeOrNull(line.endsAt),
    active: isLineActive(line, now), origin: line.origin, transferId: line.transfer?.transferId ?? null,
  };
}

export const poolRow = z.object({
  license: z.string(),
  tag: z.string(),
  purchased: z.number().int(),
  inUse: z.number().int(),
  requested: z.number().int(),
  reserved: z.number().int(),
  balance: z.number().int(),
  status: complianceStatus,
  lines: z.array(licenseLineView),
});

export function toPoolRow(pool: PoolView, now: number): z.infer<typeof poolRow> {
  return {
    license: pool.displayName, tag: pool.tag, purchased: pool.purchased, inUse: pool.inUse, requested: pool.requested,
    reserved: pool.reserved, balance: pool.balance, status: toComplianceStatus(pool.status),
    lines: pool.lines.map((line) => toLicenseLineView(line, now)),
  };
}
