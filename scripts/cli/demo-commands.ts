import type { Command } from 'commander';
import { DEMO_SEED, SatelliteSeeder } from '../../server/seed/satellite-seeder.js';
import { withSatellite } from './offline-satellite.js';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('demo helpers');
  demo
    .command('seed')
    .description('create the demo account, virtual account, licenses and a token; prints the token (re-runnable: later runs only issue a new token)')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .action(async (opts: { data?: string }) => {
      await withSatellite(opts.data, (satellite) => {
        const seeder = new SatelliteSeeder(satellite);
        const account = DEMO_SEED.accounts[0];
        const va = account?.virtualAccounts[0];
        const present = account !== undefined && satellite.inventory.listAccounts().some((a) => a.name === account.name);
        if (present && va) {
          // The licenses are there already: adding them again would double the demo pools.
          const token = seeder.token(account.name, va.name, va.tokens?.[0] ?? {});
          process.stderr.write(`demo data already present in ${account.name}/${va.name}; issued a new token\n`);
          process.stdout.write(`${token.secret}\n`);
          return;
        }
        const result = seeder.apply(DEMO_SEED);
        const token = result.tokens[0];
        for (const line of result.lines) process.stderr.write(`license: ${line.quantity} x ${line.displayName} (${line.tag})\n`);
        if (token) process.stdout.write(`${token.secret}\n`);
      });
    });
}
