import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  AUTHORIZATION_RENEWAL_FAILED, defaultAlertRuleSettings, INSUFFICIENT_LICENSES, poolTarget, renewalCutoff, renewalFailedAlert,
  renewalStatus, RESERVATION_PENDING_CONFIRMATION, reservationConfirmationOverdue, reservationPendingAlert, RULE_MESSAGE_TYPES,
  TOKEN_EXPIRING, tokenExpiringAlert, tokenNeedsWarning,
} from '../../../licensing/alerts/alert-rules.js';
import {
  insufficientLicensesAlert, LICENSES_EXPIRED, LICENSES_EXPIRING, PRODUCT_INSTANCE_FAILED_TO_CONNECT, PRODUCT_INSTANCE_FAILED_TO_RENEW,
  PRODUCT_INSTANCE_OUT_OF_COMPLIANCE,
} from '../../../licensing/alerts/license-alert-rules.js';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import type { RegistrationToken } from '../../../licensing/tokens/registration-token.js';

const NOW = Date.UTC(2026, 10, 23, 12);
const settings = defaultAlertRuleSettings;
const RENEW_AFTER = 30 * MS_PER_DAY;

const token = (overrides: Partial<RegistrationToken> = {}): RegistrationToken => ({
  id: 'tok-1', virtualAccountId: 'va-1', secretDigest: 'x', description: 'lab switches', createdAt: NOW - MS_PER_DAY,
  expiresAt: NOW + 3 * MS_PER_DAY, maxUses: null, uses: 0, exportControlledAllowed: true, revokedAt: null, createdBy: 'seed',
  ...overrides,
});

describe('alert rule (1): insufficient licenses in a pool', () => {
  it('is a Major alert on the VA/tag target, carrying the account and VA and the numbers after substitution', () => {
    const draft = insufficientLicensesAlert({
      virtualAccountId: 'va-1', virtualAccountName: 'Lab', accountId: 'acc-1', tag: 'regid.x', displayName: 'DNA Advantage',
      purchased: 2, inUse: 9, substitution: 3, balance: -4,
    });
    assert.equal(draft.messageType, INSUFFICIENT_LICENSES);
    assert.equal(draft.severity, 'Major');
    assert.equal(draft.target, poolTarget('va-1', 'regid.x'));
    assert.equal(draft.target, 'va-1/regid.x');
    assert.equal(draft.accountId, 'acc-1');
    assert.equal(draft.virtualAccountId, 'va-1');
    assert.equal(draft.source, 'Lab');
    assert.match(draft.message, /DNA Advantage/);
    assert.match(draft.message, /9 in use, 2 purchased, 3 from higher tiers \(short by 4\)/);
  });
});

describe('alert rule (2): a token expiring within 7 days', () => {
  it('warns for a usable token within the window and not before', () => {
    assert.equal(tokenNeedsWarning(token(), NOW, settings), true);
    assert.equal(tokenNeedsWarning(token({ expiresAt: NOW + 7 * MS_PER_DAY }), NOW, settings), true);
    assert.equal(tokenNeedsWarning(token({ expiresAt: NOW + 7 * MS_PER_DAY + 1 }), NOW, settings), false);
  });

  it('clears once the token is revoked, expired or used up', () => {
    assert.equal(tokenNeedsWarning(token({ revokedAt: NOW - 1 }), NOW, settings), false);
    assert.equal(tokenNeedsWarning(token({ expiresAt: NOW }), NOW, settings), false);
    assert.equal(tokenNeedsWarning(token({ maxUses: 2, uses: 2 }), NOW, settings), false);
    assert.equal(tokenNeedsWarning(token({ maxUses: 2, uses: 1 }), NOW, settings), true);
  });

  it('is a Minor alert targeting the token id', () => {
    const draft = tokenExpiringAlert(token(), { accountId: 'acc-1', virtualAccountName: 'Lab' });
    assert.equal(draft.messageType, TOKEN_EXPIRING);
    assert.equal(draft.severity, 'Minor');
    assert.equal(draft.target, 'tok-1');
    assert.match(draft.message, /'lab switches' \(tok-1\).*expires at 2026-11-26T12:00:00.000Z/);
  });
});

describe('alert rule (3): authorization renewal failed', () => {
  const authorizedAt = NOW - 10 * MS_PER_DAY;
  const times = { authorizedAt, authorizationExpiresAt: authorizedAt + 90 * MS_PER_DAY };
  const dueWithGrace = authorizedAt + RENEW_AFTER + settings.renewalGraceMs;

  it('is current until the renewal is a grace period late, then overdue, then expired', () => {
    assert.equal(renewalStatus({ authorizedAt: null, authorizationExpiresAt: null }, NOW, RENEW_AFTER, settings), 'CURRENT');
    assert.equal(renewalStatus(times, dueWithGrace, RENEW_AFTER, settings), 'CURRENT');
    assert.equal(renewalStatus(times, dueWithGrace + 1, RENEW_AFTER, settings), 'OVERDUE');
    assert.equal(renewalStatus(times, authorizedAt + 90 * MS_PER_DAY - 1, RENEW_AFTER, settings), 'OVERDUE');
    assert.equal(renewalStatus(times, authorizedAt + 90 * MS_PER_DAY, RENEW_AFTER, settings), 'EXPIRED');
  });

  it('selects candidates authorized before the cutoff', () => {
    assert.equal(renewalCutoff(dueWithGrace + 1, RENEW_AFTER, settings), authorizedAt + 1);
  });

  it('is Minor when overdue; an expired authorization is PRODUCT_INSTANCE_FAILED_TO_CONNECT instead', () => {
    const subject = { ...times, instanceId: 'pi-1', label: 'sw-1 (C9300 FCW1)', virtualAccountId: 'va-1', virtualAccountName: 'Lab', accountId: 'acc-1' };
    const overdue = renewalFailedAlert(subject);
    assert.equal(overdue.messageType, AUTHORIZATION_RENEWAL_FAILED);
    assert.equal(overdue.severity, 'Minor');
    assert.equal(overdue.target, 'pi-1');
    assert.match(overdue.message, /sw-1 \(C9300 FCW1\) has not renewed its authorization since .*; the renewal is overdue/);
  });

  it('flags a reservation update unconfirmed for 7 days, not a moment earlier, and never one not in transit', () => {
    const issued = Date.UTC(2026, 5, 1);
    assert.equal(reservationConfirmationOverdue({ inTransitSince: issued }, issued + 7 * MS_PER_DAY - 1, settings), false);
    assert.equal(reservationConfirmationOverdue({ inTransitSince: issued }, issued + 7 * MS_PER_DAY, settings), true);
    assert.equal(reservationConfirmationOverdue({ inTransitSince: null }, issued + 70 * MS_PER_DAY, settings), false);
    const alert = reservationPendingAlert({
      instanceId: 'pi-9', inTransitSince: issued, label: 'C9300 FCW9', virtualAccountId: 'va-1', virtualAccountName: 'Lab', accountId: 'a-1',
    });
    assert.deepEqual([alert.messageType, alert.severity, alert.target, alert.source], [RESERVATION_PENDING_CONFIRMATION, 'Minor', 'pi-9', 'Lab']);
    assert.match(alert.message, /reservation update of C9300 FCW9 issued at 2026-06-01T00:00:00.000Z has not been confirmed/);
  });

  it('lists exactly the rule-owned message types', () => {
    assert.deepEqual([...RULE_MESSAGE_TYPES].sort(), [
      AUTHORIZATION_RENEWAL_FAILED, INSUFFICIENT_LICENSES, LICENSES_EXPIRED, LICENSES_EXPIRING, PRODUCT_INSTANCE_FAILED_TO_CONNECT,
      PRODUCT_INSTANCE_FAILED_TO_RENEW, PRODUCT_INSTANCE_OUT_OF_COMPLIANCE, RESERVATION_PENDING_CONFIRMATION, TOKEN_EXPIRING,
    ].sort());
  });
});
