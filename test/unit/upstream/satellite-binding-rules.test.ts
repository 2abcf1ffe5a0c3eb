import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MS_PER_DAY } from '../../../licensing/shared/clock.js';
import { initialSyncState, type SatelliteBinding, type SatelliteRegistrationGrant } from '../../../licensing/binding/satellite-binding.js';
import { chooseMode, classifyRegistration, syncStatusOf } from '../../../licensing/binding/satellite-binding-rules.js';

const NOW = Date.UTC(2026, 5, 1);
const grant = (changes: Partial<SatelliteRegistrationGrant> = {}): SatelliteRegistrationGrant => ({
  satelliteId: '11111111-1111-4111-8111-111111111111', satelliteName: 'Site A', upstreamId: 'up-1', upstreamUrl: null,
  upstreamPublicKeyPem: 'PEM', upstreamKeyFingerprint: 'a'.repeat(64), accounts: [{ account: 'Acme', virtualAccounts: ['Default'] }],
  credentialExpiresAt: NOW + 365 * MS_PER_DAY, issuedAt: NOW - MS_PER_DAY, ...changes,
});
const bound = (changes: Partial<SatelliteBinding> = {}): SatelliteBinding => ({ ...grant(), mode: 'disconnected', boundAt: NOW - 10 * MS_PER_DAY, updatedAt: NOW, ...changes });

describe('satellite binding rules', () => {
  it('tells a first registration, a renewal and a forced rebind apart', () => {
    const options = { force: false, now: NOW };
    assert.equal(classifyRegistration(undefined, grant(), options), 'new');
    assert.equal(classifyRegistration(bound(), grant({ issuedAt: NOW, accounts: [] }), options), 'renewal');
    assert.equal(classifyRegistration(bound(), grant({ satelliteId: '22222222-2222-4222-8222-222222222222' }), { force: true, now: NOW }), 'rebind');
  });

  it('refuses a file for another satellite, upstream or key, and an older file, unless forced', () => {
    const refused = (g: SatelliteRegistrationGrant, pattern: RegExp) => assert.throws(() => classifyRegistration(bound(), g, { force: false, now: NOW }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(e.message, pattern);
      return true;
    });
    refused(grant({ satelliteId: '22222222-2222-4222-8222-222222222222' }), /registered as 'Site A' \(1111.*the file is for satellite 2222.*--force/);
    refused(grant({ upstreamId: 'up-2' }), /bound to upstream up-1; the file comes from upstream up-2/);
    refused(grant({ upstreamKeyFingerprint: 'b'.repeat(64) }), /other than the pinned one/);
    refused(grant({ issuedAt: NOW - 2 * MS_PER_DAY }), /before the one in force/);
  });

  it('refuses an expired credential even when forced', () => {
    assert.throws(() => classifyRegistration(undefined, grant({ credentialExpiresAt: NOW }), { force: true, now: NOW }), { code: 'VALIDATION_FAILED' });
  });

  it('chooses the mode: asked for, kept on renewal, else connected only with an upstream URL', () => {
    assert.equal(chooseMode(undefined, undefined, 'new', grant()), 'disconnected');
    assert.equal(chooseMode(undefined, undefined, 'new', grant({ upstreamUrl: 'https://up.example' })), 'connected');
    assert.equal(chooseMode(undefined, bound({ mode: 'disconnected' }), 'renewal', grant({ upstreamUrl: 'https://up.example' })), 'disconnected');
    assert.throws(() => chooseMode('connected', undefined, 'new', grant()), /connected mode needs the upstream URL/);
  });

  it('reports days since the last sync, credential days left and the 30/60-day thresholds', () => {
    const never = syncStatusOf(bound(), initialSyncState, NOW);
    assert.deepEqual([never.daysSinceLastSync, never.daysSinceBound, never.syncAge, never.credentialDaysLeft, never.credentialExpired], [null, 10, 'never', 365, false]);
    const synced = (days: number) => syncStatusOf(bound(), { ...initialSyncState, lastSuccessAt: NOW - days * MS_PER_DAY }, NOW);
    assert.deepEqual([synced(3).daysSinceLastSync, synced(3).syncAge], [3, 'ok']);
    assert.equal(synced(30).syncAge, 'warning');
    assert.equal(synced(60).syncAge, 'critical');
    assert.equal(syncStatusOf(bound(), initialSyncState, NOW + 366 * MS_PER_DAY).credentialExpired, true);
  });
});
