/** Display helpers shared by the pages; times are shown in UTC like the satellite's API and logs. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.slice(0, 10);
}

/** A signed count as the seeds write it: "+ 87", "-5", "0". */
export function signed(value: number): string {
  if (value > 0) return `+${value}`;
  return String(value);
}

/** In Use as the seeds write it: "11", or "4 (4 Reserved)". */
export function inUseText(inUse: number, reserved: number | undefined): string {
  return reserved ? `${inUse} (${reserved} Reserved)` : String(inUse);
}

/** Substitution as the seeds write it: "-" when none, else "From Higher: +50" / "To Lower: -2". */
export function substitutionText(substitution: number | undefined): string {
  if (!substitution) return '-';
  return substitution > 0 ? `From Higher: ${signed(substitution)}` : `To Lower: ${substitution}`;
}

const STATE_NAMES: Record<string, string> = {
  AUTHORIZED: 'Authorized', OUT_OF_COMPLIANCE: 'Out of Compliance', NOT_AUTHORIZED: 'Not Authorized',
  NO_LICENSES_IN_USE: 'No Licenses in Use', AUTHORIZATION_EXPIRED: 'Authorization Expired', REGISTRATION_EXPIRED: 'Registration Expired',
  REGISTERED: 'Registered', INSUFFICIENT_LICENSES: 'Insufficient Licenses', TOKEN_EXPIRING: 'Token Expiring',
  AUTHORIZATION_RENEWAL_FAILED: 'Failed to Renew', SYNC_OVERDUE: 'Sync Overdue', UNREGISTERED: 'Unregistered', INVALID_TAG: 'Invalid Tag', RESERVED_AUTHORIZED: 'Reserved Authorized',
};

export function stateName(state: string): string {
  return STATE_NAMES[state] ?? state;
}
