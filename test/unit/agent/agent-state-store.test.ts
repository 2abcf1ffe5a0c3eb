import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { AgentStateError, FileAgentStateStore, MemoryAgentStateStore, parseAgentState, type AgentState } from '../../../agent/index.js';

const state: AgentState = parseAgentState({
  version: 1,
  udi: { pid: 'C9300-24UX', serial: 'FCW2134L00C', vid: null, host_identifier: null },
  product_tag: 'regid.2017-05.com.cisco.C9300',
  hostname: null,
  ip_address: null,
  key_algorithm: 'ES256',
  satellite: { url: 'https://satellite.example/SmartTransport', transport: 'json', tls_ca_pem: null },
  certificate_chain: ['signing', 'root'],
  registration: {
    product_instance_id: '7d7c2f7e-4a8e-4d54-9a3e-2a1f0c6b1d11', id_certificate_pem: 'pem', id_certificate_serial: '1a2b',
    smart_account: 'SA', virtual_account: 'VA', export_control: 'ALLOWED',
    registered_at: 1, expires_at: 2, next_renewal_at: 3, renewed_at: null,
  },
  authorization: null,
  reservation: null,
  last_authorization_error: null,
}, 'test');

describe('FileAgentStateStore', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });
  const freshStore = async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-state-'));
    directories.push(directory);
    return new FileAgentStateStore(join(directory, 'device'));
  };

  it('reads nothing from an empty directory', async () => {
    const store = await freshStore();
    assert.equal(await store.readKey(), null);
    assert.equal(await store.readState(), null);
  });

  it('round-trips key and state, with mode 0600 and no temporary files left', async () => {
    const store = await freshStore();
    await store.writeKey('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    await store.writeState(state);
    await store.writeState({ ...state, hostname: 'sw-1' });
    assert.match((await store.readKey()) ?? '', /BEGIN PRIVATE KEY/);
    assert.deepEqual(await store.readState(), { ...state, hostname: 'sw-1' });
    assert.equal((await stat(store.keyFile)).mode & 0o777, 0o600);
    assert.equal((await stat(store.stateFile)).mode & 0o777, 0o600);
    assert.equal((await stat(store.location)).mode & 0o777, 0o700);
    assert.deepEqual((await readdir(store.location)).sort(), ['key.pem', 'state.json']);
  });

  it('names the file when state.json is not a valid state', async () => {
    const store = await freshStore();
    await store.writeState(state);
    await writeFile(store.stateFile, '{"version":2}');
    await assert.rejects(store.readState(), (error: unknown) => error instanceof AgentStateError && error.message.includes('state.json'));
    await writeFile(store.stateFile, 'not json');
    await assert.rejects(store.readState(), AgentStateError);
  });
});

describe('MemoryAgentStateStore', () => {
  it('keeps copies so callers cannot change what is stored', async () => {
    const store = new MemoryAgentStateStore();
    const copy = structuredClone(state);
    await store.writeState(copy);
    copy.hostname = 'changed';
    const read = await store.readState();
    assert.equal(read?.hostname, null);
    if (read !== null) read.product_tag = 'changed';
    assert.equal((await store.readState())?.product_tag, state.product_tag);
  });
});
