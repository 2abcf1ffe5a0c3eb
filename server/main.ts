import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { pino, type Logger } from 'pino';
import { systemClock, MS_PER_HOUR, type Clock } from '../licensing/shared/clock.js';
import { uuidGenerator } from '../licensing/shared/id-generator.js';
import { DEVICE_TRANSPORT_PATHS } from '../protocol/transport-paths.js';
import { composeSatellite, type Satellite } from './composition-root.js';
import type { SatelliteConfig } from './config.js';
import { createAppParts } from './create-app.js';
import { deviceFastPath } from './http/device-fast-path.js';
import { limitConnections, serverTimeoutOptions } from './http/connection-limits.js';
import { loadOrCreatePki } from './pki/pki-file-store.js';
import { SyncSchedule } from '../sync/connected/sync-schedule.js';
import { ComplianceSchedule } from './jobs/compliance-schedule.js';
import { upstreamClientOptions } from './sync/upstream-client-options.js';
import { BackupSchedule } from './backup/backup-schedule.js';
import { hasInitialAdminPassword, initialAdminPasswordPath, removeInitialAdminPassword, writeInitialAdminPassword } from './first-start/initial-admin-password-file.js';
import { tlsFrontDoor } from './http/tls-front-door.js';
import { ensureWritableDataDir } from './first-start/data-dir-check.js';
import { removeListeningFile, writeListeningFile } from './first-start/listening-file.js';
import { INITIAL_ADMIN_USERNAME } from '../licensing/users/user-service.js';

export interface RunningSatellite {
  satellite: Satellite;
  server: Server;
  /** https://<first host name>:<port> */
  baseUrl: string;
  transportUrls: { json: string; callHome: string };
  rootCertificatePath: string;
  /**
   * While the `admin` user's one-time password waits in <data>/initial-admin-password (from this start or an
   * earlier one, until its first change): the file, for the banner to name. The password is never logged.
   */
  initialAdmin: { username: string; passwordFile: string } | null;
  close(): Promise<void>;
}

/** Starts the satellite over HTTPS. The only place that listens, schedules jobs and shuts down. */
export async function startSatellite(config: SatelliteConfig, options: { logger?: Logger; clock?: Clock } = {}): Promise<RunningSatellite> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  ensureWritableDataDir(config.dataDir);
  const pki = await loadOrCreatePki(config.dataDir, { hostNames: config.hostNames, now: clock.now(), commonName: config.name });
  if (pki.created) logger.info({ directory: pki.directory }, 'created the satellite PKI (root CA, signing and TLS certificates)');
  if (pki.tlsReissued) logger.info(pki.tlsReissued, 'SATELLITE_HOSTNAMES changed: reissued the TLS certificate under the same root CA');
  const tls = config.tlsCertFile && config.tlsKeyFile
    ? { cert: readFileSync(config.tlsCertFile, 'utf8'), key: readFileSync(config.tlsKeyFile, 'utf8') }
    : { cert: [pki.material.tlsCertificatePem, pki.material.rootCertificatePem].map((pem) => pem.trim()).join('\n'), key: pki.material.tlsKeyPem };
  const satellite = await composeSatellite({
    databaseFile: config.databaseFile, pkiMaterial: pki.material, clock, newId: uuidGenerator, timers: config.timers, logger,
    auth: config.auth,
    upstream: upstreamClientOptions(config),
    passwordChanged: (username) => {
      if (username === INITIAL_ADMIN_USERNAME) removeInitialAdminPassword(config.dataDir);
    },
    servedTls: { certificatePem: tls.cert, installedByAdmin: Boolean(config.tlsCertFile && config.tlsKeyFile) },
    deviceCrypto: config.deviceCrypto,
    checkpointWorker: config.checkpointWorker,
    readWorker: config.readWorker,
    deviceReadWorker: config.deviceReadWorker,
  });
  const { app, deviceTransport } = createAppParts(satellite, config.http);
  // Device POSTs are answered before Express (device-fast-path.ts); every other request goes to the app.
  const server = createServer({ ...tls, minVersion: 'TLSv1.2', ...serverTimeoutOptions(config.connections) }, deviceFastPath(deviceTransport, app, logger));
  // The front door holds the raw TCP sockets, so the caps count them there, before any TLS work.
  const listener = tlsFrontDoor(server, config.connections.tlsHandshakeTimeoutMs);
  limitConnections(listener, config.connections, logger);
  try {
    await listen(listener, config.port, config.host);
  } catch (error) {
    satellite.close();
    throw error;
  }
  // The HTTPS server never listens itself (the front door hands it each socket), but node starts its
  // headers/request timeout checks on 'listening': without this, a client that never finishes its headers
  // would hold its connection forever.
  server.emit('listening');
  // Only once the port is ours: a start that fails before this point leaves no password anywhere, and the
  // next one issues a new one (the password goes to the file before the user is committed).
  const created = await satellite.users.createInitialAdmin((password) => writeInitialAdminPassword(config.dataDir, password));
  if (created) logger.info({ username: created.username, file: initialAdminPasswordPath(config.dataDir) }, 'created the initial admin user; its one-time password is in the file named here');
  const initialAdmin = hasInitialAdminPassword(config.dataDir)
    ? { username: INITIAL_ADMIN_USERNAME, passwordFile: initialAdminPasswordPath(config.dataDir) }
    : null;
  const port = (listener.address() as AddressInfo).port;
  const host = config.hostNames[0] ?? 'localhost';
  // A wildcard address is reached on loopback; a specific one as itself.
  const reachable = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  writeListeningFile(config.dataDir, { pid: process.pid, host: reachable, port, serverName: host });
  const baseUrl = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A message is accepted while its timestamp is within ±skew of our clock, so a message dated +skew can
  // still arrive 2 × skew after we first saw it: keep its nonce and response that long (plus margin).
  const prune = setInterval(() => {
    const removed = satellite.uow.write((r) => r.deviceMessages.prune(replayRecordCutoff(clock.now(), satellite.timers.clockSkewMs)));
    if (removed > 0) logger.debug({ removed }, 'pruned expired replay records');
    const ended = satellite.sessions.prune() + satellite.accessTokens.prune();
    if (ended > 0) logger.debug({ ended }, 'pruned expired sessions and bearer tokens');
  }, MS_PER_HOUR);
  prune.unref();
  const complianceSchedule = startComplianceSchedule(satellite, logger);
  const syncSchedule = startSyncSchedule(satellite, config, logger);
  const backupSchedule = config.backup.cronExpression === null ? null : new BackupSchedule({
    backups: satellite.backups, clock, logger, cronExpression: config.backup.cronExpression, directory: config.backup.directory, keep: config.backup.keep,
  });
  backupSchedule?.start();
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      clearInterval(prune);
      complianceSchedule.stop();
      syncSchedule.stop();
      backupSchedule?.stop();
      removeListeningFile(config.dataDir);
      listener.close(() => {
        // Every request has been answered by now; the crypto, read and checkpoint workers go before the database.
        void Promise.allSettled([satellite.signatures.close(), satellite.deviceIntake.close(), satellite.instanceReads.close(), satellite.checkpointer?.close()]).finally(() => {
          satellite.close();
          resolve();
        });
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return {
    satellite, server, baseUrl,
    transportUrls: { json: `${baseUrl}${DEVICE_TRANSPORT_PATHS.json}`, callHome: `${baseUrl}${DEVICE_TRANSPORT_PATHS.callHome}` },
    rootCertificatePath: pki.rootCertificatePath,
    initialAdmin,
    close,
  };
}

/** Listens, turning the usual EADDRINUSE into what to do about it. */
async function listen(listener: NetServer, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use; set SATELLITE_PORT or --port`) : error);
    };
    listener.once('error', failed);
    listener.listen(port, host, () => {
      listener.off('error', failed);
      resolve();
    });
  });
}

/** The longest wait between compliance sweeps (docs/alerts.md); line boundaries come sooner. */
export const ALERT_SWEEP_INTERVAL_MS = 15 * 60_000;

/**
 * Writes re-evaluate the alerts they affect, but time alone also makes causes (a token nearing expiry, a
 * device that stopped renewing, a license line starting or ending), so the sweep runs on a timer too.
 */
function startComplianceSchedule(satellite: Satellite, logger: Logger): ComplianceSchedule {
  const schedule = new ComplianceSchedule({
    sweep: satellite.complianceSweep, clock: satellite.clock, intervalMs: ALERT_SWEEP_INTERVAL_MS, logger,
    // Sync age and the upstream credential are time-driven causes too.
    afterRun: () => satellite.syncRunner.evaluateAlerts(),
  });
  schedule.start();
  return schedule;
}

/** Connected sync on node-cron; every tick checks the mode, so a disconnected satellite just evaluates its alerts. */
function startSyncSchedule(satellite: Satellite, config: SatelliteConfig, logger: Logger): SyncSchedule {
  const schedule = new SyncSchedule({
    runner: satellite.syncRunner, clock: satellite.clock, cronExpression: config.sync.cronExpression, jitterMinutes: config.sync.jitterMinutes, logger,
    isConnected: () => satellite.satelliteBinding.binding()?.mode === 'connected',
  });
  satellite.syncRunner.setNextScheduledRun(() => schedule.nextRunAt());
  schedule.start();
  return schedule;
}

/** Replay records older than this can no longer protect anything (see the comment at the prune job). */
export function replayRecordCutoff(now: number, clockSkewMs: number): number {
  return now - 2 * clockSkewMs - MS_PER_HOUR;
}
