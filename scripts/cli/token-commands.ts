import type { Command } from 'commander';
import { withSatellite } from './offline-satellite.js';

interface TokenCreateOptions {
  account: string;
  va: string;
  description?: string;
  days?: string;
  maxUses?: string;
  exportControlled: boolean;
  data?: string;
  json?: boolean;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('product instance registration tokens');
  token
    .command('create')
    .description('create a registration token; its secret is printed once and never stored')
    .requiredOption('--account <name>', 'account name')
    .requiredOption('--va <name>', 'virtual account name')
    .option('--description <text>', 'what the token is for')
    .option('--days <n>', 'expires after this many days (1-365, default 30)')
    .option('--max-uses <n>', 'maximum number of registrations')
    .option('--no-export-controlled', 'do not allow export-controlled functionality')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--json', 'print JSON')
    .action(async (opts: TokenCreateOptions) => {
      await withSatellite(opts.data, (satellite) => {
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const { token: created, secret } = satellite.tokens.create({
          virtualAccountId: va.id,
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.days ? { expiresAfterDays: parseInteger(opts.days, '--days') } : {}),
          maxUses: opts.maxUses ? parseInteger(opts.maxUses, '--max-uses') : null,
          exportControlledAllowed: opts.exportControlled,
          createdBy: 'cli',
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ id: created.id, token: secret, expiresAt: created.expiresAt, maxUses: created.maxUses })}\n`);
          return;
        }
        process.stdout.write(`${secret}\n`);
        process.stderr.write(`token ${created.id} for ${opts.account}/${opts.va}, expires ${new Date(created.expiresAt).toISOString()}\n`);
      });
    });
}

export function parseInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be an integer, got '${value}'`);
  return n;
}
