import { join } from 'node:path';
import type { Command } from 'commander';
import { schemaVersion } from '../../db/sqlite-connection.js';
import { DATA_OPTION } from './admin-cli-context.js';
import { withSatellite } from './offline-satellite.js';

/**
 * `satellite init`: creates the PKI and the database of a new satellite without serving, for scripted
 * setups that add users, accounts and licenses before the first start. The first `serve` still creates the
 * admin user if no user exists by then.
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a new satellite (root CA, signing and TLS certificates, database) in the data directory')
    .option(...DATA_OPTION)
    .action(async (opts: { data?: string }) => {
      await withSatellite(opts.data, (satellite) => {
        process.stdout.write(`${satellite.db.name}\n`);
        process.stderr.write(`satellite ready (schema ${schemaVersion(satellite.db)}); give devices ${join(satellite.db.name, '..', 'pki', 'root.pem')}\n`);
      }, { create: true });
    });
}
