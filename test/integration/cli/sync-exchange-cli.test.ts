import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { pino } from 'pino';
import { ManualClock } from '../../../licensing/shared/clock.js';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerSyncCommands } from '../../../scripts/cli/sync-commands.js';
import { upstreamCliContext } from '../../../scripts/cli/upstream-cli-context.js';
import { registerUpstreamCommands } from '../../../scripts/cli/upstream-commands.js';
import { createSatelliteApp, type SatelliteApp } from '../../../server/create-satellite-app.js';
import { openBundle } from '../../../sync/bundle/bundle-reader.js';
import { createManifestVerifier } from '../../../sync/bundle/manifest-signer.js';
import { registerDevice } from '../../support/satellite-fixture.js';

const run = promisify(execFile);
const ORDERS = new URL('../../../sync/upstream/examples/orders.csv', import.meta.url).pathname;

interface Output { out: string[]; err: string[] }

/** The disconnected round trip through the CLI, in-process: upstream and satellite share only files. */
describe('satellite sync export | upstream process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-exchange-cli-'));
  const upstreamDir = join(dir, 'upstream');
  const clock = new ManualClock(Date.UTC(2026, 4, 1, 12));
  let app: SatelliteApp;
  beforeAll(async () => { app = await createSatelliteApp({ clock }); });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<Output> {
    const result: Output = { out: [], err: [] };
    const io = { out: (line: string) => result.out.push(line), err: (line: string) => result.err.push(line) };
    const satelliteContext: AdminCliContext = { open: async (_dir, work) => work(app.satellite), ...io };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerSyncCommands(program, satelliteContext);
    registerUpstreamCommands(program, {
      ...upstreamCliContext({ clock }), ...io, logger: () => pino({ level: 'silent' }), untilShutdown: () => Promise.resolve(),
    });
    await program.parseAsync(args, { from: 'user' });
    return result;
  }

  it('init -> register-satellite -> sync register -> a device -> sync export -> upstream process -> a verified response', async () => {
    await cli('upstream', 'init', '--data', upstreamDir, '--orders', ORDERS);
    const registration = join(dir, 'registration.json');
    await cli('upstream', 'register-satellite', '--data', upstreamDir, '--name', 'Site B', '--account', 'Acme Corp', '--out', registration);
    await cli('sync', 'register', registration);
    await registerDevice({ app, clock, token: app.seed.token('Acme Corp', 'Default') });

    const request = join(dir, 'request.zip');
    const exported = JSON.parse((await cli('sync', 'export', '--out', request, '--json')).out[0] ?? '{}') as { sequence: number; entries: Record<string, number> };
    assert.equal(exported.sequence, 1);
    assert.equal(exported.entries['product-instances'], 1);
    await run('unzip', ['-t', request]);

    const response = join(dir, 'response.zip');
    const processed = JSON.parse((await cli('upstream', 'process', request, '--data', upstreamDir, '--out', response, '--json')).out[0] ?? '{}') as Record<string, unknown>;
    assert.deepEqual([processed.request_sequence, processed.response_sequence, processed.product_instances, processed.license_lines, processed.pinned_key], [1, 1, 1, 3, true]);
    assert.ok(existsSync(response));
    await run('unzip', ['-t', response]);
    const key = createPublicKey(readFileSync(join(upstreamDir, 'upstream-public.pem'), 'utf8'));
    const bundle = await openBundle(response, { verifySignature: createManifestVerifier(key) });
    await bundle.verifyAll();
    assert.equal(bundle.manifest.kind, 'response');
    await assert.rejects(cli('upstream', 'process', request, '--data', upstreamDir, '--out', join(dir, 'again.zip')), /not above the last accepted/);
  });
});
