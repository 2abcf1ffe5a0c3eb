import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Command } from 'commander';
import type { AdminCliContext } from '../../../scripts/cli/admin-cli-context.js';
import { registerSyncCommands } from '../../../scripts/cli/sync-commands.js';
import { bindTestUpstream, upstreamLine, writeResponse, type TestUpstream } from '../../support/response-bundle-kit.js';
import { labSatellite, type Fixture } from '../../support/satellite-fixture.js';

interface Output { out: string[]; err: string[] }

describe('satellite sync import | imports', () => {
  let f: Fixture;
  let upstream: TestUpstream;
  beforeAll(async () => {
    f = await labSatellite();
    upstream = await bindTestUpstream(f.app);
  });
  afterAll(() => upstream.cleanup());

  async function cli(...args: string[]): Promise<Output> {
    const result: Output = { out: [], err: [] };
    const context: AdminCliContext = {
      open: async (_dir, work) => work(f.app.satellite), out: (l) => result.out.push(l), err: (l) => result.err.push(l),
    };
    const program = new Command('satellite').exitOverride().configureOutput({ writeErr: () => undefined });
    registerSyncCommands(program, context);
    await program.parseAsync(args, { from: 'user' });
    return result;
  }

  it('prints the summary, then says a second import of the same file is a no-op', async () => {
    const file = await writeResponse(f.app, upstream, { sequence: 1, lines: [upstreamLine('L1'), upstreamLine('L2')] });
    const first = await cli('sync', 'import', file);
    assert.ok(first.out.includes('license lines: 2 added, 0 updated, 0 ended'), first.out.join('\n'));
    const second = await cli('sync', 'import', file);
    assert.match(second.out[0] ?? '', /^already imported: bundle .* \(sequence 1\); nothing to do$/);
    const history = await cli('sync', 'imports');
    assert.equal(history.out.length, 1);
  });

  it('prints the refusal reason for a bundle by another signer', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const file = await writeResponse(f.app, upstream, { sequence: 2, lines: [], signer: stranger });
    await assert.rejects(cli('sync', 'import', file), /^Error: refused \(BAD_SIGNATURE\): .*nothing was applied \(the refusal is in `satellite sync imports`\)$/);
    const [latest] = (await cli('sync', 'imports')).out;
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.match(latest ?? '', new RegExp(`^\\S+\t-\t-\tREFUSED\tBAD_SIGNATURE\t-\t-\tcli:\\S+\t${sha}$`));
  });
});
