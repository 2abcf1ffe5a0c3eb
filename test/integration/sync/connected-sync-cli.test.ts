import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerSyncCommands } from '../../../scripts/cli/sync-commands.js';
import { connectedLab, startFakeUpstream, type ConnectedLab, type FakeUpstream } from '../../support/connected-sync-kit.js';

describe('satellite sync now', () => {
  let lab: ConnectedLab;
  let fake: FakeUpstream;
  beforeAll(async () => {
    lab = await connectedLab();
    fake = await startFakeUpstream(lab.f, lab.upstream);
    lab.pointAt(fake.url);
  });
  afterAll(async () => {
    await fake.close();
    await lab.cleanup();
  });

  async function cli(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const context: AdminCliContext = { open: async (_dir, work) => work(lab.f.app.satellite), out: (l) => out.push(l), err: () => undefined };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerSyncCommands(program, context);
    await program.parseAsync(args, { from: 'user' });
    return out;
  }

  it('imports the upstream answer and prints it', async () => {
    const out = await cli('sync', 'now');
    assert.match(out[0] ?? '', /^sync: IMPORTED response .* \(sequence 1\)$/);
  });

  it('fails with the failure class', async () => {
    fake.behaviour = 'bad_request';
    await assert.rejects(cli('sync', 'now'), /^Error: sync failed \(rejected\): upstream answered 400: /);
  });
});
