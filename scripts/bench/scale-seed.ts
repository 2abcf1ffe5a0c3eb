import { createPrivateKey } from 'node:crypto';
import { closeSync, cpSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { latestSchemaVersion, type SqliteDatabase } from '../../db/sqlite-connection.js';
import { systemClock } from '../../licensing/shared/clock.js';
import { loadConfig } from '../../server/config.js';
import { SatelliteSeeder } from '../../server/seed/satellite-seeder.js';
import { authorizeEnvelope, BENCH_TAG, benchUdi, mapParallel, openResponse, registerEnvelope, registeredDevice, type BenchDevice, type UnregisteredDevice } from './bench-devices.js';
import { openSatellite } from './bench-seed.js';
import { BulkFleetWriter, insertReplayRecords } from './scale-bulk-rows.js';
import type { CsrPool } from './scale-csr-pool.js';

export const BENCH_ACCOUNT = 'Bench';
const VA_COUNT = 4;
const vaName = (k: number): string => `Fleet-${k + 1}`;
/** Per VA: far above the fleet plus the REGISTER burst, so every AUTHORIZE is granted. */
const LICENSE_QUANTITY = 2_000_000;
/** Rounds of (bulk rows, then real devices): the real devices' rows end up scattered through the tables. */
const MAX_ROUNDS = 100;
const REGISTER_PARALLELISM = 32;
const REAL_PREFIX = 'R';
/** Bump when what a seed contains changes, so older caches are not reused (4: 0017's triggers as landed). */
const SEED_FORMAT = 4;
/** Tokens, authorizations and last-contact times age; a cached seed older than this is made again. */
const CACHE_MAX_AGE_MS = 30 * 86_400_000;

export interface ScaleSeed {
  dataDir: string;
  databaseFile: string;
  instances: number;
  devices: BenchDevice[];
  /** A token of the first VA with no use limit, for the REGISTER burst. */
  tokenSecret: string;
  admin: { clientId: string; clientSecret: string };
  seconds: number;
  fromCache: boolean;
}

interface SeedFile {
  createdAt: number; instances: number; seconds: number; tokenSecret: string; admin: ScaleSeed['admin'];
  devices: Array<{ serial: string; pkcs8: string; instanceId: string; keyId: string }>;
}

export interface SeedOptions {
  instances: number;
  realDevices: number;
  /** .bench/scale-cache: a seeded data directory per size is kept there and copied for each run. */
  cacheRoot: string | null;
  workDir: string;
  csrs: CsrPool;
  log: (line: string) => void;
}

/** Seeds (or copies from the cache) a data directory with `instances` rows of which `realDevices` can sign. */
export async function seedScale(options: SeedOptions): Promise<ScaleSeed> {
  const real = Math.min(options.realDevices, options.instances);
  const key = `i${options.instances}-r${real}-schema${latestSchemaVersion}-v${SEED_FORMAT}`;
  const cached = options.cacheRoot ? join(options.cacheRoot, key) : null;
  const dataDir = join(options.workDir, 'data');
  const previous = cached && existsSync(join(cached, 'seed.json')) ? JSON.parse(readFileSync(join(cached, 'seed.json'), 'utf8')) as SeedFile : null;
  if (cached && previous && Date.now() - previous.createdAt < CACHE_MAX_AGE_MS) {
    const started = performance.now();
    copySeed(join(cached, 'data'), dataDir);
    options.log(`copied the cached seed ${cached} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return fromSeedFile(dataDir, previous, true);
  }
  if (cached) rmSync(cached, { recursive: true, force: true });
  const target = cached ? join(cached, 'data-partial') : dataDir;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true, mode: 0o700 });
  const file = await seedInto(target, options.instances, real, options);
  if (!cached) return fromSeedFile(dataDir, file, false);
  renameSync(target, join(cached, 'data'));
  writeFileSync(join(cached, 'seed.json'), JSON.stringify(file));
  copySeed(join(cached, 'data'), dataDir);
  return fromSeedFile(dataDir, file, false);
}

/**
 * Copies a seeded data directory and waits until the copy is on disk: left to the kernel, writing back 4 GB of
 * dirty pages ran through the first minute of the measured runs (the machine 53 % busy before the load).
 */
function copySeed(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const flush = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        flush(path);
      } else if (entry.isFile()) {
        const fd = openSync(path, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  flush(to);
}

function fromSeedFile(dataDir: string, file: SeedFile, fromCache: boolean): ScaleSeed {
  const devices = file.devices.map((d) => ({
    udi: { ...benchUdi(REAL_PREFIX, 0), udi_serial_number: d.serial },
    privateKey: createPrivateKey({ key: Buffer.from(d.pkcs8, 'base64'), format: 'der', type: 'pkcs8' }),
    instanceId: d.instanceId, keyId: d.keyId,
  }));
  return {
    dataDir, databaseFile: configFor(dataDir).databaseFile, instances: file.instances, devices, tokenSecret: file.tokenSecret,
    admin: file.admin, seconds: file.seconds, fromCache,
  };
}

const configFor = (dataDir: string): ReturnType<typeof loadConfig> =>
  loadConfig({ SATELLITE_DATA_DIR: dataDir, SATELLITE_HOSTNAMES: '127.0.0.1', SATELLITE_LOG_LEVEL: 'warn' });

async function seedInto(dataDir: string, instances: number, real: number, options: SeedOptions): Promise<SeedFile> {
  const started = performance.now();
  const satellite = await openSatellite(configFor(dataDir));
  try {
    // A bigger page cache for the seeding connection only: random-key B-tree inserts at 1M rows otherwise re-read pages.
    satellite.db.pragma('cache_size = -1000000');
    // Seeding is set-up, not the product: no fsync per commit and fewer, larger checkpoints. The data is
    // checkpointed and the connection closed before the server opens the file, so the server's run is unaffected.
    satellite.db.pragma('synchronous = OFF');
    satellite.db.pragma('wal_autocheckpoint = 20000');
    const seeder = new SatelliteSeeder(satellite);
    seeder.account(BENCH_ACCOUNT);
    const secrets: string[] = [];
    const vaIds: string[] = [];
    for (let k = 0; k < VA_COUNT; k += 1) {
      const va = seeder.virtualAccount(BENCH_ACCOUNT, vaName(k));
      vaIds.push(va.id);
      seeder.licenseLine(BENCH_ACCOUNT, vaName(k), { tag: BENCH_TAG, displayName: 'Bench Feature', quantity: LICENSE_QUANTITY });
      secrets.push(seeder.token(BENCH_ACCOUNT, vaName(k), { description: 'bench token', maxUses: null, expiresAfterDays: 365 }).secret);
    }
    const { client, clientSecret } = satellite.apiClients.create({ name: 'bench-admin', role: 'viewer', accountScope: null }, 'seed');
    const rounds = Math.max(1, Math.min(MAX_ROUNDS, real));
    const bulk = instances - real;
    const devices: BenchDevice[] = [];
    const register = async (batch: UnregisteredDevice[], offset: number): Promise<void> => {
      const done = await mapParallel(batch.length, REGISTER_PARALLELISM, async (j) => {
        const device = batch[j];
        if (!device) throw new Error('missing device');
        const envelope = registerEnvelope(device, secrets[(offset + j) % secrets.length] ?? '', systemClock.now());
        const exchange = await satellite.deviceHandler.handle(envelope);
        if (exchange.kind !== 'answered') throw new Error(`REGISTER envelope was unreadable: ${exchange.reason}`);
        const registered = registeredDevice(device, exchange.envelopeText);
        // A fleet in its steady state: each device already holds what it asks for, as every bulk row does, so
        // the measured AUTHORIZEs are the periodic reports of a fleet, not each device's first use of a license.
        const first = await satellite.deviceHandler.handle(authorizeEnvelope(registered, systemClock.now()));
        const answer = first.kind === 'answered' ? openResponse(first.envelopeText).message : null;
        if (answer?.status !== 'OK' || answer.body.authorization?.status !== 'AUTHORIZED') {
          throw new Error(`first AUTHORIZE of ${device.udi.udi_serial_number} failed: ${answer?.error?.code ?? answer?.status ?? 'unreadable'}`);
        }
        return registered;
      });
      devices.push(...done);
    };
    const realIn = (round: number): [number, number] => [Math.floor((round * real) / rounds), Math.floor(((round + 1) * real) / rounds)];
    const csrsOf = (round: number): Promise<UnregisteredDevice[]> => {
      const [from, to] = realIn(round);
      return options.csrs.generate(REAL_PREFIX, from, to - from);
    };
    const bulkIn = (round: number): [number, number] => [Math.floor((round * bulk) / rounds), Math.floor(((round + 1) * bulk) / rounds)];
    // The CSR children make round r+1's devices while this process registers round r's.
    let nextCsrs = csrsOf(0);
    let writer: BulkFleetWriter | null = null;
    for (let round = 0; round < rounds; round += 1) {
      const csrs = await nextCsrs;
      if (round + 1 < rounds) nextCsrs = csrsOf(round + 1);
      await register(csrs, realIn(round)[0]);
      // The bulk rows carry a certificate the satellite really issued, so they are the size real rows are.
      writer ??= new BulkFleetWriter(satellite.db, vaIds, systemClock.now(), certificateTemplate(satellite.db));
      const [from, to] = bulkIn(round);
      writer.insert(from, to - from);
      if ((round + 1) % 10 === 0 || round + 1 === rounds) {
        options.log(`  ${(devices.length + to).toLocaleString('en-US')} of ${instances.toLocaleString('en-US')} rows (${devices.length} real) `
          + `in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    if (writer) {
      const counted = writer;
      satellite.uow.write((r) => {
        for (const { vaId, seats } of counted.seatsPerVa()) r.licenses.addUsage(vaId, BENCH_TAG, { authorized: seats, requested: seats, reserved: 0 });
      });
    }
    const records = insertReplayRecords(satellite.db);
    options.log(`  ${records.toLocaleString('en-US')} replay records (each instance's last answer and nonces) `
      + `in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    satellite.db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      createdAt: Date.now(), instances, seconds: (performance.now() - started) / 1000, tokenSecret: secrets[0] ?? '', admin: { clientId: client.id, clientSecret },
      devices: devices.map((d) => ({
        serial: d.udi.udi_serial_number, instanceId: d.instanceId, keyId: d.keyId,
        pkcs8: d.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      })),
    };
  } finally {
    satellite.close();
  }
}

function certificateTemplate(db: SqliteDatabase): { pem: string; publicKeyDer: Buffer } {
  const columns = (db.prepare("SELECT name FROM pragma_table_info('id_certificates')").all() as Array<{ name: string }>).map((c) => c.name);
  const row = db.prepare(`SELECT public_key_der${columns.includes('pem') ? ', pem' : ''} FROM id_certificates LIMIT 1`).get() as
    { public_key_der: Buffer; pem?: string } | undefined;
  if (!row) throw new Error('no certificate issued yet to copy');
  return { pem: row.pem ?? '', publicKeyDer: row.public_key_der };
}
