import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';

describe('configuration', () => {
  it('has working defaults: port 8443, ./data, localhost names', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8443);
    assert.match(config.dataDir, /\/data$/);
    assert.match(config.databaseFile, /\/data\/satellite\.db$/);
    assert.ok(config.hostNames.includes('localhost'));
    assert.equal(config.timers.outOfComplianceReports, 5);
  });

  it('reads overrides and names the variable it cannot parse', () => {
    assert.equal(loadConfig({ SATELLITE_PORT: '9443', SATELLITE_HOSTNAMES: 'sat.example.net, 10.0.0.5' }).hostNames[0], 'sat.example.net');
    assert.throws(() => loadConfig({ SATELLITE_PORT: 'eighty' }), /SATELLITE_PORT/);
    assert.throws(() => loadConfig({ SATELLITE_TLS_CERT: '/x.pem' }), /must be set together/);
  });
});

describe('replay record retention', () => {
  it('keeps nonces long enough that a message dated +skew cannot be replayed after pruning', async () => {
    const { replayRecordCutoff } = await import('../../../server/main.js');
    const skew = 24 * 3_600_000;
    const firstSeen = 0;
    const lastAcceptable = firstSeen + 2 * skew; // timestamp firstSeen + skew, still within skew of our clock then
    assert.ok(replayRecordCutoff(lastAcceptable, skew) < firstSeen);
  });
});
