import { z } from 'zod';
import type { Alert } from '../../../licensing/alerts/alert.js';
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

/** The seeds' Substitution column: "From Higher: +50", "To Lower: -50", "-" when nothing moves. */
export function substitutionLabel(borrowed: number, lent: number): string {
  const parts = [...(borrowed > 0 ? [`From Higher: +${borrowed}`] : []), ...(lent > 0 ? [`To Lower: -${lent}`] : [])];
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** The seeds' In Use column: "4 (4 Reserved)" when reservations hold some of it. */
export function inUseLabel(inUse: number, reserved: number): string {
  return reserved > 0 ? `${inUse} (${reserved} Reserved)` : String(inUse);
}

export const alertBadge = z.object({ messageType: z.string(), severity: z.enum(['Major', 'Minor', 'Informational']) });

const toBadges = (alerts: readonly Alert[]) => alerts.map((a) => ({ messageType: a.messageType, severity: a.severity }));

/** One row of the toolkit's `POST .../accounts/{a}/licenses`: the contract, field for field (DESIGN §6, §8.2). */
export const toolkitLicenseRow = z.object({
  license: z.string().describe('display name'),
  tag: z.string(),
  quantity: z.number().int().describe('purchased: active lines of every VA of the account'),
  inUse: z.number().int().describe('seats the product instances last reported + reserved seats'),
  available: z.number().int().describe('the sum of the VAs\' balances after substitution; negative when short'),
  status: complianceStatus.describe('Out of Compliance exactly when some VA\'s balance is negative'),
  reserved: z.number().int(),
  substitution: z.number().int().describe('signed: + borrowed from higher tiers, - lent to lower ones'),
});

export function toToolkitLicenseRow(row: AccountLicenseSummary): z.infer<typeof toolkitLicenseRow> {
  return {
    license: row.displayName, tag: row.tag, quantity: row.quantity, inUse: row.inUse, available: row.available,
    status: toComplianceStatus(row.status), reserved: row.reserved, substitution: row.substitution,
  };
}

/** The account license table of the seeds (License, Billing, Purchased, In Use, Substitution, Balance, Alerts). */
export const accountLicenseRow = toolkitLicenseRow.extend({
  billing: z.string().describe('Prepaid, Subscription, or both; - when no line is active'),
  consumed: z.number().int().describe('inUse without the reserved seats'),
  borrowed: z.number().int(),
  lent: z.number().int(),
  substitutionLabel: z.string().describe('"From Higher: +50", "To Lower: -2" or "-"'),
  inUseLabel: z.string().describe('"4 (4 Reserved)"'),
  alerts: z.array(alertBadge).describe('active alerts about this license in any VA of the account'),
});

export function toAccountLicenseRow(row: AccountLicenseSummary): z.infer<typeof accountLicenseRow> {
  return {
    ...toToolkitLicenseRow(row), billing: row.billing, consumed: row.consumed, borrowed: row.borrowed, lent: row.lent,
    substitutionLabel: substitutionLabel(row.borrowed, row.lent), inUseLabel: inUseLabel(row.inUse, row.reserved), alerts: toBadges(row.alerts),
  };
}

export const licenseLineView = z.object({
  id: z.string(),
  displayName: z.string(),
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
    id: line.id, displayName: line.displayName, quantity: line.quantity, type: line.licenseType, start: isoTime(line.startsAt),
    end: isoTimeOrNull(line.endsAt), active: isLineActive(line, now), origin: line.origin, transferId: line.transfer?.transferId ?? null,
  };
}

/** One VA's pool: the seeds' columns (License, Billing, Purchased, In Use, Substitution, Balance, Alerts) and its lines. */
export const poolRow = z.object({
  license: z.string(),
  tag: z.string(),
  billing: z.string(),
  purchased: z.number().int(),
  inUse: z.number().int().describe('consumed + reserved'),
  consumed: z.number().int().describe('seats the VA\'s registered product instances last reported'),
  reserved: z.number().int(),
  inUseLabel: z.string(),
  borrowed: z.number().int(),
  lent: z.number().int(),
  substitution: z.number().int().describe('signed: + borrowed from higher tiers, - lent to lower ones'),
  substitutionLabel: z.string(),
  balance: z.number().int().describe('purchased - inUse + substitution; negative when short'),
  status: complianceStatus,
  alerts: z.array(alertBadge),
  lines: z.array(licenseLineView),
});

export function toPoolRow(pool: PoolView, now: number): z.infer<typeof poolRow> {
  return {
    license: pool.displayName, tag: pool.tag, billing: pool.billing, purchased: pool.purchased, inUse: pool.inUse,
    consumed: pool.consumed, reserved: pool.reserved, inUseLabel: inUseLabel(pool.inUse, pool.reserved), borrowed: pool.borrowed,
    lent: pool.lent, substitution: pool.substitution, substitutionLabel: substitutionLabel(pool.borrowed, pool.lent),
    balance: pool.balance, status: toComplianceStatus(pool.status), alerts: toBadges(pool.alerts),
    lines: pool.lines.map((line) => toLicenseLineView(line, now)),
  };
}
