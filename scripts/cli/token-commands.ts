import type { Command } from 'commander';
import { tokenState } from '../../licensing/tokens/registration-token.js';
import { DATA_OPTION, printRows, processCliContext, type AdminCliContext } from './admin-cli-context.js';
import { cliActor } from './cli-actor.js';

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

const iso = (ms: number) => new Date(ms).toISOString();

/** `satellite token ...`: the TokenService the admin routes use, acting as the local `cli:<os user>`. */
export function registerTokenCommands(program: Command, context: AdminCliContext = processCliContext): void {
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
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: TokenCreateOptions) => {
      await context.open(opts.data, (satellite) => {
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const { token: created, secret } = satellite.tokens.create({
          virtualAccountId: va.id,
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.days ? { expiresAfterDays: parseInteger(opts.days, '--days') } : {}),
          maxUses: opts.maxUses ? parseInteger(opts.maxUses, '--max-uses') : null,
          exportControlledAllowed: opts.exportControlled,
          createdBy: cliActor(),
        });
        if (opts.json) {
          context.out(JSON.stringify({ id: created.id, token: secret, expiresAt: created.expiresAt, maxUses: created.maxUses }));
          return;
        }
        context.out(secret);
        context.err(`token ${created.id} for ${opts.account}/${opts.va}, expires ${iso(created.expiresAt)}`);
      });
    });
  token
    .command('list')
    .description('list the registration tokens of a virtual account (never their secrets)')
    .requiredOption('--account <name>', 'account name')
    .requiredOption('--va <name>', 'virtual account name')
    .option(...DATA_OPTION)
    .option('--json', 'print JSON')
    .action(async (opts: { account: string; va: string; data?: string; json?: boolean }) => {
      await context.open(opts.data, (satellite) => {
        const va = satellite.inventory.findVirtualAccount(opts.account, opts.va);
        const now = satellite.clock.now();
        const rows = satellite.tokens.list(va.id).map((t) => ({
          id: t.id, status: tokenState(t, now), uses: t.uses, maxUses: t.maxUses, expiresAt: iso(t.expiresAt),
          exportControlled: t.exportControlledAllowed ? 'Allowed' : 'Not Allowed', description: t.description,
        }));
        if (opts.json) context.out(JSON.stringify(rows));
        else printRows(context, rows.map((r) => [r.id, r.status, `${r.uses}/${r.maxUses ?? 'unlimited'}`, r.expiresAt, r.description || null]));
      });
    });
  token
    .command('revoke <id>')
    .description('revoke a registration token; devices can no longer register with it, at once')
    .option(...DATA_OPTION)
    .action(async (id: string, opts: { data?: string }) => {
      await context.open(opts.data, (satellite) => {
        const revoked = satellite.tokens.revoke(id, cliActor());
        context.err(`token ${revoked.id} revoked`);
      });
    });
}

export function parseInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be an integer, got '${value}'`);
  return n;
}
