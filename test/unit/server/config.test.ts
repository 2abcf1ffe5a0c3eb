import { availableParallelism } from 'node:os';
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

describe('connection limits', () => {
  it('defaults to caps and timeouts of at most 10 s, and refuses a TLS handshake or headers timeout above 10 s', () => {
    assert.deepEqual(loadConfig({}).connections, {
      maxConnections: 1000, maxConnectionsPerAddress: 100, tlsHandshakeTimeoutMs: 10_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000,
    });
    const tuned = loadConfig({ SATELLITE_MAX_CONNECTIONS: '50', SATELLITE_MAX_CONNECTIONS_PER_ADDRESS: '80', SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS: '2.5' }).connections;
    assert.deepEqual([tuned.maxConnections, tuned.maxConnectionsPerAddress, tuned.tlsHandshakeTimeoutMs], [50, 50, 2500]);
    assert.throws(() => loadConfig({ SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS: '11' }), /SATELLITE_TLS_HANDSHAKE_TIMEOUT_SECONDS/);
    assert.throws(() => loadConfig({ SATELLITE_HEADERS_TIMEOUT_SECONDS: '60' }), /SATELLITE_HEADERS_TIMEOUT_SECONDS/);
    assert.throws(() => loadConfig({ SATELLITE_MAX_CONNECTIONS_PER_ADDRESS: '0' }), /SATELLITE_MAX_CONNECTIONS_PER_ADDRESS/);
  });
});

describe('device crypto', () => {
  it('defaults to cores - 1 workers (at least 1) with 20,000 keys each; 0 means inline or no cache', () => {
    assert.deepEqual(loadConfig({}).deviceCrypto, { workers: Math.max(1, availableParallelism() - 1), keyCacheSize: 20_000 });
    assert.deepEqual(loadConfig({ SATELLITE_CRYPTO_WORKERS: '0', SATELLITE_DEVICE_KEY_CACHE: '0' }).deviceCrypto, { workers: 0, keyCacheSize: 0 });
    assert.throws(() => loadConfig({ SATELLITE_CRYPTO_WORKERS: '-1' }), /SATELLITE_CRYPTO_WORKERS/);
    assert.throws(() => loadConfig({ SATELLITE_DEVICE_KEY_CACHE: 'lots' }), /SATELLITE_DEVICE_KEY_CACHE/);
  });
});

describe('device read worker', () => {
  it('is off by default; 1 or true turn it on', () => {
    assert.equal(loadConfig({}).deviceReadWorker, false);
    assert.equal(loadConfig({ SATELLITE_DEVICE_READ_WORKER: '1' }).deviceReadWorker, true);
    assert.equal(loadConfig({ SATELLITE_DEVICE_READ_WORKER: 'true' }).deviceReadWorker, true);
    assert.throws(() => loadConfig({ SATELLITE_DEVICE_READ_WORKER: 'maybe' }), /SATELLITE_DEVICE_READ_WORKER/);
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
