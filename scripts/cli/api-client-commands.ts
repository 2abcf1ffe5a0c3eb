import type { Command } from 'commander';
import { withSatellite } from './offline-satellite.js';
import { parseRole, repeatable } from './auth-cli-options.js';
import { cliActor } from './cli-actor.js';

interface CreateOptions { name: string; role: string; account: string[]; data?: string; json?: boolean }

/** `satellite api-client ...`: OAuth client-credentials clients, through the same service as the routes. */
export function registerApiClientCommands(program: Command): void {
  const apiClient = program.command('api-client').description('OAuth2 client-credentials clients of the admin API');
  apiClient
    .command('create')
    .description('create an API client; its client_secret is printed once and never stored')
    .requiredOption('--name <name>', 'what the client is (e.g. the monitoring tool)')
    .requiredOption('--role <role>', 'admin, operator or viewer')
    .option('--account <name>', 'limit the client to this account (repeatable; default every account)', repeatable, [])
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--json', 'print JSON')
    .action(async (opts: CreateOptions) => {
      const role = parseRole(opts.role);
      await withSatellite(opts.data, (satellite) => {
        const { client, clientSecret } = satellite.apiClients.create(
          { name: opts.name, role, accountScope: opts.account.length > 0 ? opts.account : null }, cliActor(),
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ client_id: client.id, client_secret: clientSecret, name: client.name, role: client.role })}\n`);
          return;
        }
        process.stdout.write(`client_id: ${client.id}\nclient_secret: ${clientSecret}\n`);
        process.stderr.write(`API client ${client.name} created with role ${client.role}; the secret above is shown once\n`);
      });
    });
  apiClient
    .command('list')
    .description('list API clients (never their secrets)')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      await withSatellite(opts.data, (satellite) => {
        const accounts = new Map(satellite.uow.read((r) => r.accounts.listAccounts()).map((a) => [a.id, a.name]));
        const rows = satellite.apiClients.list().map((c) => ({
          client_id: c.id, name: c.name, role: c.role,
          accounts: c.accountScope === null ? null : c.accountScope.map((id) => accounts.get(id) ?? id),
          revoked: c.revokedAt !== null, lastUsedAt: c.lastUsedAt === null ? null : new Date(c.lastUsedAt).toISOString(),
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        for (const r of rows) {
          process.stdout.write(`${r.client_id}\t${r.name}\t${r.role}\t${r.accounts === null ? 'all accounts' : r.accounts.join(', ')}\t${r.revoked ? 'revoked' : 'active'}\n`);
        }
      });
    });
  apiClient
    .command('revoke <clientId>')
    .description('revoke an API client and every bearer token it holds')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .action(async (clientId: string, opts: { data?: string }) => {
      await withSatellite(opts.data, (satellite) => {
        const client = satellite.apiClients.revoke(clientId, cliActor());
        process.stderr.write(`API client ${client.name} (${client.id}) revoked\n`);
      });
    });
}
