import type { Command } from 'commander';
import { DEMO_SEED, SatelliteSeeder } from '../../server/seed/satellite-seeder.js';
import { withSatellite } from './offline-satellite.js';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('demo helpers');
  demo
    .command('seed')
    .description('create the demo account, virtual account, licenses and a token; prints the token')
    .option('--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)')
    .action(async (opts: { data?: string }) => {
      await withSatellite(opts.data, (satellite) => {
        const result = new SatelliteSeeder(satellite).apply(DEMO_SEED);
        const token = result.tokens[0];
        for (const line of result.lines) process.stderr.write(`license: ${line.quantity} x ${line.displayName} (${line.tag})\n`);
        if (token) process.stdout.write(`${token.secret}\n`);
      });
    });
}
