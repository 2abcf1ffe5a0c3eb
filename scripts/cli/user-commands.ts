import type { Command } from 'commander';
import { generatePassword } from '../../licensing/users/password-digest.js';
import type { Role } from '../../licensing/users/principal.js';
import { withSatellite } from './offline-satellite.js';
import { parseRole, readStdinSecret, repeatable } from './auth-cli-options.js';
import { cliActor } from './cli-actor.js';

interface UserAddOptions { role: string; account: string[]; passwordStdin?: boolean; data?: string; json?: boolean }

/** `satellite user ...`: the same UserService the admin routes use, acting as the trusted local `cli:<os user>`. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('users of the web UI and admin API');
  user
    .command('add <username>')
    .description('create a user; without --password-stdin a password is generated and printed once')
    .requiredOption('--role <role>', 'admin, operator or viewer')
    .option('--account <name>', 'limit the user to this account (repeatable; default every account)', repeatable, [])
    .option('--password-stdin', 'read the password from standard input')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--json', 'print JSON')
    .action(async (username: string, opts: UserAddOptions) => {
      const role: Role = parseRole(opts.role);
      const password = opts.passwordStdin ? await readStdinSecret('password') : undefined;
      await withSatellite(opts.data, async (satellite) => {
        const { user: created, generatedPassword } = await satellite.users.create({
          username, role, accountScope: opts.account.length > 0 ? opts.account : null,
          ...(password !== undefined ? { password } : {}),
        }, cliActor());
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ id: created.id, username: created.username, role: created.role, password: generatedPassword })}\n`);
          return;
        }
        if (generatedPassword !== null) process.stdout.write(`${generatedPassword}\n`);
        process.stderr.write(`user ${created.username} created with role ${created.role}${generatedPassword !== null ? '; the password above is shown once and must be changed at first sign-in' : ''}\n`);
      });
    });
  user
    .command('list')
    .description('list users')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .option('--json', 'print JSON')
    .action(async (opts: { data?: string; json?: boolean }) => {
      await withSatellite(opts.data, (satellite) => {
        const users = satellite.users.list();
        const accounts = new Map(satellite.uow.read((r) => r.accounts.listAccounts()).map((a) => [a.id, a.name]));
        const rows = users.map((u) => ({
          username: u.username, role: u.role,
          accounts: u.accountScope === null ? null : u.accountScope.map((id) => accounts.get(id) ?? id),
          disabled: u.disabled, mustChangePassword: u.mustChangePassword,
          locked: u.lockedUntil !== null && u.lockedUntil > satellite.clock.now(),
          lastLoginAt: u.lastLoginAt === null ? null : new Date(u.lastLoginAt).toISOString(),
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        for (const r of rows) {
          const flags = [r.disabled ? 'disabled' : '', r.locked ? 'locked' : '', r.mustChangePassword ? 'must change password' : ''].filter(Boolean);
          process.stdout.write(`${r.username}\t${r.role}\t${r.accounts === null ? 'all accounts' : r.accounts.join(', ')}\t${flags.join(', ')}\n`);
        }
      });
    });
  user
    .command('passwd <username>')
    .description('set a password (also lifts a lockout); without --password-stdin one is generated and printed once')
    .option('--password-stdin', 'read the new password from standard input; the user need not change it')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .action(async (username: string, opts: { passwordStdin?: boolean; data?: string }) => {
      const given = opts.passwordStdin ? await readStdinSecret('password') : undefined;
      await withSatellite(opts.data, async (satellite) => {
        const newPassword = given ?? generatePassword();
        const updated = await satellite.users.changePassword(username, { newPassword, mustChangePassword: given === undefined }, cliActor());
        if (given === undefined) process.stdout.write(`${newPassword}\n`);
        process.stderr.write(`password of ${updated.username} set${given === undefined ? '; the password above is shown once and must be changed at next sign-in' : ''}; their sessions were ended\n`);
      });
    });
}
